from django.urls import path

from clee.portals.director import views

app_name = "director"
urlpatterns = [
    path("", views.index, name="index"),
    path("decide/<int:year>/<int:officer_id>/", views.decide, name="decide"),
    path("reactivations/", views.reactivations, name="reactivations"),
    path("reactivations/<int:decision_id>/", views.reactivate, name="reactivate"),
]
