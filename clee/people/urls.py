from django.urls import URLPattern, URLResolver, path

from clee.people import views

app_name = "people"
urlpatterns: list[URLPattern | URLResolver] = [
    # An organisation's people (agency administrators, a provider's staff; every account for POST staff).
    path("people/", views.people, name="index"),
    path("people/invite/", views.invite, name="invite"),
    path("people/<int:account_id>/", views.person, name="person"),
    path("people/<int:account_id>/deactivate/", views.deactivate, name="deactivate"),
    path("people/<int:account_id>/reactivate/", views.reactivate, name="reactivate"),
    path("people/invitations/<int:invitation_id>/resend/", views.invitation_resend, name="invitation_resend"),
    path("people/invitations/<int:invitation_id>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    # Links sent by email, opened signed out.
    path("accounts/join/<str:token>/", views.join, name="join"),
    path("accounts/officer-invitation/<str:token>/", views.officer_join, name="officer_join"),
    path("accounts/sign-up/", views.signup, name="signup"),
    path("accounts/sign-up/sent/", views.signup_sent, name="signup_sent"),
    path("accounts/sign-up/<str:token>/", views.signup_finish, name="signup_finish"),
    path("accounts/password/reset/", views.password_reset, name="password_reset"),
    path("accounts/password/reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path("accounts/password/reset/done/", views.password_reset_done, name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    # One's own email address.
    path("account/email/", views.email_change, name="email_change"),
    path("account/email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
]
