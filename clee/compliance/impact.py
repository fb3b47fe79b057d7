"""The rule-change impact preview: how many officers, statewide and per agency, would fall short
under a draft rule pack compared with the period's pack (DESIGN §6).

Every officer of the period is read once (``period_inputs`` streams them) and evaluated under
both packs through the engine's batch interface, a few thousand officers at a time, by a worker:
a request queues an ``ImpactPreview`` (``impact_preview_request``), the worker runs it with its
progress (``impact_preview_run``), the person who asked may cancel it, and the page polls. The
draft is a preview, never the period's pack: only the preview's counts are kept.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from clee.agencies.models import Agency
from clee.compliance.models import ImpactPreview, ReportingPeriod, RuleBookVersion
from clee.compliance.recompute import CHUNK, OfficerPeriod, period_inputs
from clee.compliance.rulebooks import period_pack, recognized_list
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.queue import Job, enqueue_on_commit
from clee.officers.models import Commission
from clee.officers.models import Officer as OfficerRow
from clee.rules import PackError, RulePack, compiled_for, evaluate_officers, load_pack_file, with_recognized

if TYPE_CHECKING:
    from clee.accounts.models import User

# A rule pack is a few kilobytes of YAML; anything near this is not a pack.
DRAFT_MAX_BYTES = 256 * 1024
# Officers newly short kept by name in the preview (the counts cover everyone).
NEWLY_SHORT_KEPT = 200
DEFICIENT = "deficient"
# The preview job (``clee.compliance.tasks.run_impact_preview``), queued by its name.
RUN_IMPACT_PREVIEW = Job("compliance.run_impact_preview")


def signed(number: int) -> str:
    """``+12``, ``−3`` (a minus sign, not a hyphen) or ``0``."""
    if number > 0:
        return f"+{number:,}"
    return f"−{-number:,}" if number < 0 else "0"


def draft_pack_read(*, content: bytes, name: str, period: ReportingPeriod) -> RulePack:
    """The draft pack in ``content`` (YAML), checked by the engine's loader for ``period``'s
    jurisdiction and year. Raises PackError naming the file as uploaded, the key path and the
    reason."""
    shown = Path(name).name or "draft.yaml"
    if len(content) > DRAFT_MAX_BYTES:
        raise PackError(shown, "", f"is {len(content) // 1024} KB; a draft pack may be at most 256 KB")
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        raise PackError(shown, "", "is not a YAML text file (UTF-8)") from None
    with tempfile.TemporaryDirectory(prefix="clee-draft-") as folder:
        path = Path(folder) / "draft.yaml"
        path.write_bytes(content)
        try:
            return load_pack_file(path, expect=(period.jurisdiction.upper(), str(period.year)))
        except PackError as error:
            # The loader names its temporary file; the reader knows the file by its own name.
            raise PackError(shown, error.key, error.reason) from None


@dataclass
class AgencyImpact:
    agency_id: int | None  # None: officers no agency commissions now
    name: str
    officers: int = 0
    deficient_now: int = 0
    deficient_draft: int = 0
    newly_short: int = 0
    no_longer_short: int = 0

    @property
    def change(self) -> int:
        return self.deficient_draft - self.deficient_now

    @property
    def change_shown(self) -> str:
        return signed(self.change)


@dataclass
class RequirementImpact:
    key: str
    label: str
    required_now: float | None  # None: the requirement is not in that pack
    required_draft: float | None
    short_now: int = 0
    short_draft: int = 0

    @property
    def change(self) -> int:
        return self.short_draft - self.short_now

    @property
    def change_shown(self) -> str:
        return signed(self.change)


@dataclass
class NewlyShort:
    officer_id: int
    hours_needed: float
    requirements: list[str]  # labels of the draft's requirements the officer falls short of


@dataclass
class Impact:
    """What a draft would change for one period; plain data, kept in the session as is."""

    year: int
    current_pack: str
    draft_pack: str
    draft_title: str
    draft_name: str
    officers: int = 0
    deficient_now: int = 0
    deficient_draft: int = 0
    newly_short: int = 0
    no_longer_short: int = 0
    seconds: float = 0.0
    agencies: list[AgencyImpact] = field(default_factory=list)
    requirements: list[RequirementImpact] = field(default_factory=list)
    newly_short_officers: list[NewlyShort] = field(default_factory=list)

    @property
    def change(self) -> int:
        return self.deficient_draft - self.deficient_now

    @property
    def change_shown(self) -> str:
        return signed(self.change)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Impact:
        values = dict(data)
        values["agencies"] = [AgencyImpact(**a) for a in data["agencies"]]
        values["requirements"] = [RequirementImpact(**r) for r in data["requirements"]]
        values["newly_short_officers"] = [NewlyShort(**o) for o in data["newly_short_officers"]]
        return cls(**values)


class PreviewCancelledError(Exception):
    """The person who asked for a preview cancelled it."""


def pack_impact(
    *,
    period: ReportingPeriod,
    draft: RulePack,
    draft_name: str = "",
    progress: Callable[[int], bool] | None = None,
) -> Impact:
    """Evaluate every officer of ``period`` under its pack and under ``draft``; returns the
    counts statewide, per agency (sorted by change, largest increase first) and per requirement,
    and the first officers (by id) who would newly fall short.

    Runs here, in one process (a worker's: web requests queue an ``ImpactPreview``).
    ``progress`` is told how many officers each batch counted; when it returns False the
    preview stops with PreviewCancelledError.
    """
    started = time.perf_counter()
    current = period_pack(period)
    # The draft reads out-of-state credits through the list POST keeps, as the period's pack does.
    recognized = recognized_list(period.jurisdiction)
    if recognized is not None:
        draft = with_recognized(draft, recognized)
    agencies_of: dict[int, list[int | None]] = {}
    for officer_id, agency_id in Commission.objects.filter(end__isnull=True).values_list(
        "officer_id", "agency_id"
    ):
        agencies_of.setdefault(officer_id, []).append(agency_id)
    tally = _tally(period, current, draft, agencies_of, progress)
    impact = _impact(period, current, draft, draft_name, [tally])
    impact.seconds = round(time.perf_counter() - started, 2)
    return impact


@dataclass
class _Tally:
    """The officers, counted."""

    officers: int = 0
    deficient_now: int = 0
    deficient_draft: int = 0
    newly_short: int = 0
    no_longer_short: int = 0
    # agency id (None: no agency) -> [officers, deficient now, under the draft, newly, no longer]
    agencies: dict[int | None, list[int]] = field(default_factory=dict)
    short_now: dict[str, int] = field(default_factory=dict)
    short_draft: dict[str, int] = field(default_factory=dict)
    newly: list[NewlyShort] = field(default_factory=list)


def _tally(
    period: ReportingPeriod,
    current: RulePack,
    draft: RulePack,
    agencies_of: dict[int, list[int | None]],
    progress: Callable[[int], bool] | None,
) -> _Tally:
    """Read the officers of ``period`` and count them under both packs."""
    compiled_now, compiled_draft = compiled_for(current), compiled_for(draft)
    labels = {r.key: r.label for r in draft.requirements}
    tally = _Tally()
    no_agency: list[int | None] = [None]

    def count(batch: list[OfficerPeriod]) -> None:
        pairs = [(item.officer, item.credits) for item in batch]
        now_results = evaluate_officers(compiled_now, pairs)
        draft_results = evaluate_officers(compiled_draft, pairs)
        for item, now, then in zip(batch, now_results, draft_results, strict=True):
            was_short, is_short = now.status == DEFICIENT, then.status == DEFICIENT
            newly, no_longer = is_short and not was_short, was_short and not is_short
            tally.officers += 1
            tally.deficient_now += was_short
            tally.deficient_draft += is_short
            tally.newly_short += newly
            tally.no_longer_short += no_longer
            for key in now.shortfalls:
                tally.short_now[key] = tally.short_now.get(key, 0) + 1
            for key in then.shortfalls:
                tally.short_draft[key] = tally.short_draft.get(key, 0) + 1
            for agency_id in agencies_of.get(item.officer_id) or no_agency:
                row = tally.agencies.get(agency_id) or tally.agencies.setdefault(agency_id, [0, 0, 0, 0, 0])
                row[0] += 1
                row[1] += was_short
                row[2] += is_short
                row[3] += newly
                row[4] += no_longer
            if newly and len(tally.newly) < NEWLY_SHORT_KEPT:
                tally.newly.append(
                    NewlyShort(
                        item.officer_id,
                        then.additional_hours_needed,
                        [labels.get(key, key) for key in then.shortfalls],
                    )
                )

    # The officers in id ranges of a batch each, each range read in its own transaction (the
    # credit lines stream through a plain server-side cursor; outside one, PostgreSQL would
    # first materialize a WITH HOLD cursor). Progress is recorded between two ranges, outside
    # any transaction: the page sees it at once. Nothing else is written.
    ids = list(OfficerRow.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL work_mem = '64MB'")
            batch = list(period_inputs(period, id_range=(part[0], part[-1])))
        count(batch)
        if progress is not None and not progress(len(batch)) and start + CHUNK < len(ids):
            raise PreviewCancelledError
    return tally


def _impact(
    period: ReportingPeriod, current: RulePack, draft: RulePack, draft_name: str, tallies: list[_Tally]
) -> Impact:
    """The parts' counts added up, with agency names and requirement labels."""
    impact = Impact(
        year=period.year,
        current_pack=current.ident,
        draft_pack=draft.ident,
        draft_title=draft.title,
        draft_name=draft_name,
    )
    requirements: dict[str, RequirementImpact] = {}
    for r in current.requirements:
        requirements[r.key] = RequirementImpact(r.key, r.label, r.minimum.value, None)
    for r in draft.requirements:
        known = requirements.setdefault(r.key, RequirementImpact(r.key, r.label, None, None))
        known.required_draft = r.minimum.value
    agencies: dict[int | None, list[int]] = {}
    for tally in tallies:
        impact.officers += tally.officers
        impact.deficient_now += tally.deficient_now
        impact.deficient_draft += tally.deficient_draft
        impact.newly_short += tally.newly_short
        impact.no_longer_short += tally.no_longer_short
        for key, short in tally.short_now.items():
            requirements[key].short_now += short
        for key, short in tally.short_draft.items():
            requirements[key].short_draft += short
        for agency_id, counts in tally.agencies.items():
            row = agencies.setdefault(agency_id, [0, 0, 0, 0, 0])
            for index, value in enumerate(counts):
                row[index] += value
        impact.newly_short_officers.extend(tally.newly)
    impact.newly_short_officers = sorted(impact.newly_short_officers, key=lambda o: o.officer_id)[
        :NEWLY_SHORT_KEPT
    ]
    names: dict[int | None, str] = {None: "Not commissioned by any agency"}
    names.update(
        Agency.objects.filter(pk__in=[k for k in agencies if k is not None]).values_list("pk", "name")
    )
    impact.agencies = sorted(
        (
            AgencyImpact(agency_id, names.get(agency_id, ""), *counts)
            for agency_id, counts in agencies.items()
        ),
        key=lambda a: (-a.change, -a.newly_short, a.agency_id is None, a.name),
    )
    impact.requirements = list(requirements.values())
    return impact


# The preview as a job -------------------------------------------------------------------------


@transaction.atomic
def impact_preview_request(
    *,
    period: ReportingPeriod,
    content: bytes,
    name: str,
    acting_user: User,
    version: RuleBookVersion | None = None,
) -> ImpactPreview:
    """Check the draft in ``content`` (PackError when malformed) and queue its preview against
    ``period`` for a worker; returns the queued preview. The person's earlier previews still
    running are cancelled: one preview at a time each."""
    draft = draft_pack_read(content=content, name=name, period=period)
    earlier = ImpactPreview.objects.filter(
        requested_by=acting_user, status__in=[ImpactPreview.Status.QUEUED, ImpactPreview.Status.RUNNING]
    )
    earlier.update(cancel_requested=True)
    earlier.filter(status=ImpactPreview.Status.QUEUED).update(
        status=ImpactPreview.Status.CANCELLED, finished_at=timezone.now()
    )
    preview = ImpactPreview.objects.create(
        version=version,
        period=period,
        draft_name=name[:200],
        draft_text=content.decode("utf-8"),
        requested_by=acting_user,
        requested_at=timezone.now(),
        officers_total=OfficerRow.objects.count(),
    )
    record_event(
        actor=acting_user,
        action=AuditAction.RULES_IMPACT_PREVIEW,
        target=preview,
        summary=f"impact of {name} ({draft.ident}) on {period.year} requested",
        data={"period": period.year, "draft": draft.ident, "version": version.pk if version else None},
    )
    enqueue_on_commit(RUN_IMPACT_PREVIEW, preview_id=preview.pk)
    return preview


@transaction.atomic
def impact_preview_cancel(*, preview: ImpactPreview, acting_user: User | None) -> bool:
    """Cancel a preview still queued or running (the caller checked it is ``acting_user``'s);
    returns False when it had finished already."""
    cancelled = (
        ImpactPreview.objects.filter(
            pk=preview.pk, status__in=[ImpactPreview.Status.QUEUED, ImpactPreview.Status.RUNNING]
        ).update(cancel_requested=True)
        > 0
    )
    # A preview no worker took yet is cancelled at once; a running one at its next batch.
    ImpactPreview.objects.filter(pk=preview.pk, status=ImpactPreview.Status.QUEUED).update(
        status=ImpactPreview.Status.CANCELLED, finished_at=timezone.now()
    )
    if cancelled:
        record_event(
            actor=acting_user,
            action=AuditAction.RULES_IMPACT_PREVIEW_CANCEL,
            target=preview,
            summary=f"impact preview of {preview.draft_name} cancelled",
        )
    return cancelled


def impact_preview_progress(preview_id: int, count: int) -> bool:
    """Record ``count`` more officers evaluated; returns False once the preview is cancelled."""
    ImpactPreview.objects.filter(pk=preview_id).update(officers_done=F("officers_done") + count)
    return not ImpactPreview.objects.filter(pk=preview_id, cancel_requested=True).exists()


def impact_preview_run(*, preview_id: int) -> dict[str, Any]:
    """Run a queued preview once (a conditional UPDATE lets one worker start it: safe to run
    twice), recording progress after each batch and stopping when cancelled; returns counts."""
    started = ImpactPreview.objects.filter(
        pk=preview_id, status=ImpactPreview.Status.QUEUED, cancel_requested=False
    ).update(status=ImpactPreview.Status.RUNNING, officers_done=0)
    if not started:
        return {"skipped": f"preview {preview_id} is not waiting to run"}
    preview = ImpactPreview.objects.select_related("period").get(pk=preview_id)

    def progress(count: int) -> bool:
        return impact_preview_progress(preview_id, count)

    def finish(status: str, **values: Any) -> None:
        ImpactPreview.objects.filter(pk=preview_id).update(
            status=status, finished_at=timezone.now(), **values
        )

    try:
        draft = draft_pack_read(
            content=preview.draft_text.encode("utf-8"), name=preview.draft_name, period=preview.period
        )
        impact = pack_impact(
            period=preview.period, draft=draft, draft_name=preview.draft_name, progress=progress
        )
    except PreviewCancelledError:
        finish(ImpactPreview.Status.CANCELLED)
        return {"cancelled": preview_id}
    except PackError as error:
        finish(ImpactPreview.Status.FAILED, error=str(error))
        return {"failed": str(error)}
    except Exception:
        finish(ImpactPreview.Status.FAILED, error="the preview stopped on an unexpected error")
        raise
    finish(ImpactPreview.Status.DONE, result=impact.to_dict(), officers_done=impact.officers)
    return {"preview": preview_id, "officers": impact.officers, "seconds": impact.seconds}
