"""The public documents verifiers read (no sign-in)."""

from django.urls import path

from clee.credentials import views

app_name = "credentials"
urlpatterns = [
    path(".well-known/did.json", views.did_json, name="did"),
    path("credentials/status/<int:list_id>", views.status_list, name="status_list"),
    path("credentials/achievements/course/<int:course_id>", views.course_achievement, name="course"),
    path(
        "credentials/achievements/period/<str:jurisdiction>/<int:year>",
        views.period_requirement,
        name="period",
    ),
    path("credentials/providers/<str:number>", views.provider, name="provider"),
]
