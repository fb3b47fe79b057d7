from django.urls import path

from clee.portals.provider import views

app_name = "provider"
urlpatterns = [
    path("", views.index, name="index"),
]
