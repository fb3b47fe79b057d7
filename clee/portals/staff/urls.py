from django.urls import path

from clee.portals.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.index, name="index"),
]
