"""Account security: multi-factor authentication, lockout, session limits, password rules."""

from typing import Any

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "clee.security"
    label = "security"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in

        from clee.security.lockout import hold_lock_from_now
        from clee.security.middleware import stamp_session

        def on_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
            if request is not None and hasattr(request, "session"):
                stamp_session(request, user)

        user_logged_in.connect(on_sign_in, dispatch_uid="clee.security.stamp_session", weak=False)
        user_locked_out.connect(hold_lock_from_now, dispatch_uid="clee.security.hold_lock")
