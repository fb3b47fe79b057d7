"""The readable table of one result, for ``clee check --explain``: the requirement table, the
hours that count and those that do not, and what is still needed in words
(``clee.rules.explain``)."""

from __future__ import annotations

from clee.rules.engine import Result
from clee.rules.explain import TOLERANCE


def explain_table(result: Result) -> str:
    """A plain-text table of the result for ``clee check --explain``."""
    lines = [f"Rule pack {result.pack}: {result.status.upper()}"]
    if result.exemption:
        lines.append(f"Exempt: {result.exemption}.")
    width = max((len(r.label) for r in result.requirements), default=10)
    lines.append("")
    # One allocation of the hours under the caps: each requirement's hours up to its minimum.
    lines.append(f"{'Requirement':<{width}}  {'Required':>8}  {'Counted':>8}  {'Short':>6}")
    lines.append(f"{'-' * width}  {'-' * 8}  {'-' * 8}  {'-' * 6}")
    jointly = False
    for r in result.requirements:
        short = f"{r.short:g}" if r.short > TOLERANCE else "-"
        if r.jointly:
            short, jointly = f"{short}*", True
        lines.append(f"{r.label:<{width}}  {r.required:>8g}  {r.counted:>8g}  {short:>6}")
    if jointly:
        lines.append(
            "* Short only together: each could be met on its own, but the caps keep your hours from "
            "counting toward all of them at once."
        )
    lines.append("")
    lines.append(f"Hours that count toward the period: {result.counted_hours:g}")
    for note in result.not_counted:
        lines.append(f"Not counted: {note.credit_id}: {note.reason}")
    lines.append("")
    if result.status == "exempt":
        lines.append("Nothing is required for this reporting period.")
    else:
        lines.append(result.needs.sentence)
    return "\n".join(lines)
