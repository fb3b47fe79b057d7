from django.urls import path

from clee.portals.director import views

app_name = "director"
urlpatterns = [
    path("", views.index, name="index"),
]
