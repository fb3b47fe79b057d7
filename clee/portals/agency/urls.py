from django.urls import path

from clee.portals.agency import views

app_name = "agency"
urlpatterns = [
    path("", views.index, name="index"),
]
