from django.urls import path

from clee.portals.officer import views

app_name = "officer"
urlpatterns = [
    path("", views.index, name="index"),
]
