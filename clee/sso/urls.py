from django.urls import URLPattern, URLResolver, path

from clee.sso import views

app_name = "sso"
urlpatterns: list[URLPattern | URLResolver] = [
    path("accounts/sso/start/", views.StartView.as_view(), name="start"),
    path("accounts/sso/callback/", views.CallbackView.as_view(), name="callback"),
    path("accounts/sso/confirm/", views.confirm, name="confirm"),
    path("accounts/sso/failed/", views.failed, name="failed"),
    path("accounts/sso/signed-out/", views.signed_out, name="signed_out"),
    path("accounts/invitation/<str:token>/", views.invitation, name="invitation"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:officer_id>/send/", views.invite, name="invite"),
]
