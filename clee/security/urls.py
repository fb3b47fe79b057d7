from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog

from clee.security import views

# django-otp-webauthn's endpoints, under its own namespace (its template tags reverse these
# names); the last registration step is ours, to write the audit row.
passkey_patterns = (
    [
        path(
            "registration/begin/",
            views.PasskeyRegistrationBeginView.as_view(),
            name="credential-registration-begin",
        ),
        path(
            "registration/complete/",
            views.PasskeyRegistrationCompleteView.as_view(),
            name="credential-registration-complete",
        ),
        path(
            "authentication/begin/",
            views.PasskeyAuthenticationBeginView.as_view(),
            name="credential-authentication-begin",
        ),
        path(
            "authentication/complete/",
            views.PasskeyAuthenticationCompleteView.as_view(),
            name="credential-authentication-complete",
        ),
        path(
            "jsi18n/",
            JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
            name="js-i18n-catalog",
        ),
    ],
    "otp_webauthn",
)

security_patterns = [
    path("account/security/", views.overview, name="overview"),
    path("account/security/verify/", views.verify, name="verify"),
    path("account/security/authenticator/", views.enrol_totp, name="enrol_totp"),
    path("account/security/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("account/security/passkey-added/", views.passkey_added, name="passkey_added"),
    path("account/security/<str:kind>/<int:pk>/remove/", views.remove_factor, name="remove"),
    path("account/password/", views.password_change, name="password_change"),
]

# Included at the root without a namespace: each list brings its own ("security", "otp_webauthn").
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include((security_patterns, "security"))),
    path("account/security/passkeys/", include(passkey_patterns)),
]
