"""What the apps below ``clee.compliance`` may know of a reporting period: its year and dates.

``clee.compliance.models.ReportingPeriod`` satisfies it; a lower app (training's record
queries) takes this instead of importing the model above it (issue 15).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class DatedPeriod(Protocol):
    """A reporting period as its year and its first and last days."""

    @property
    def year(self) -> int: ...

    @property
    def starts(self) -> dt.date: ...

    @property
    def ends(self) -> dt.date: ...
