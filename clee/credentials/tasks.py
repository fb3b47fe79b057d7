"""Credential jobs (django-tasks; ``manage.py db_worker``): the revocation sweep, scheduled
every minute (``clee.jobs.services.DEFAULT_SCHEDULE``) and enqueued after a reversal."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks import task


@task()
def revoke_stale_credentials() -> dict[str, Any]:
    """Revoke the credentials whose record or period result changed (safe to run twice)."""
    from clee.credentials.services import credentials_revoke_stale

    return credentials_revoke_stale().as_summary()


def enqueue_sweep() -> None:
    """Have a worker run the sweep once the current transaction commits (after the recompute
    the commit triggers, when results are recomputed after commit)."""
    transaction.on_commit(revoke_stale_credentials.enqueue)
