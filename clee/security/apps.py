"""Account security: multi-factor authentication, lockout, session limits, password rules."""

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "clee.security"
    label = "security"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from clee.security import signals

        user_logged_in.connect(signals.on_sign_in, dispatch_uid="clee.security.sign_in", weak=False)
        user_logged_out.connect(signals.on_sign_out, dispatch_uid="clee.security.sign_out", weak=False)
        user_login_failed.connect(signals.on_sign_in_failed, dispatch_uid="clee.security.sign_in_failed")
        user_locked_out.connect(signals.on_locked_out, dispatch_uid="clee.security.hold_lock")
