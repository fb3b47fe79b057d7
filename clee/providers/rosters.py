"""How long a provider's uploaded roster waits for its confirm (``RosterUpload``).

Storing, previewing and applying an upload is a use case across providers, the import pipeline
and training records: ``clee.workflows.provider_rosters``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

# How long an upload waits for its confirm: long enough for a lunch break, short enough that
# files nobody confirmed do not pile up.
UPLOAD_KEPT = dt.timedelta(days=1)


def uploads_kept_since() -> dt.datetime:
    """The oldest upload still waiting for a confirm."""
    return timezone.now() - UPLOAD_KEPT
