"""Credential jobs (django-tasks; ``manage.py db_worker``): the revocation sweep, scheduled
every minute (``clee.jobs.services.DEFAULT_SCHEDULE``) and queued after a reversal by its job's
name (``clee.core.queue``; ``CredentialsConfig.ready`` imports this module)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from clee.core.queue import runs
from clee.credentials.services import REVOKE_STALE_CREDENTIALS, credentials_revoke_stale


@runs(REVOKE_STALE_CREDENTIALS)
@task()
def revoke_stale_credentials() -> dict[str, Any]:
    """Revoke the credentials whose record or period result changed (safe to run twice)."""
    return credentials_revoke_stale().as_summary()
