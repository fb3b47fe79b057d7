"""``manage.py check`` (and every server start) says so when the credentials' JSON-LD contexts
are not installed, instead of the first officer who asks for a credential finding out."""

from __future__ import annotations

from typing import Any

from django.core import checks

from clee.credentials.contexts import missing_contexts


@checks.register()
def credential_contexts(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [
        checks.Error(problem, hint="make setup (npm ci) installs them", id="clee.credentials.E001")
        for problem in missing_contexts()
    ]
