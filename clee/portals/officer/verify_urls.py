"""Public URLs (no sign-in): the verification of compliance certificates at /verify/."""

from django.urls import path

from clee.portals.officer import verify

app_name = "verify"
urlpatterns = [
    path("", verify.index, name="index"),
    # Before the certificate codes: "credential" is not a code.
    path("credential/", verify.credential, name="credential"),
    path("<str:code>/", verify.certificate, name="certificate"),
]
