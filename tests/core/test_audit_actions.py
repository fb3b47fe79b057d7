"""Audit rows name their action from one list, AuditAction: the stored value is the member's
value, people read its label, and no code passes an audit writer a string of its own."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import clee
from clee.core.actions import AuditAction
from clee.core.audit import events_for, record_event, record_events
from clee.core.models import AuditEvent
from clee.training.models import ImportBatch

SOURCE = Path(clee.__file__).parent


def _annotation_is_audit_action(arg: ast.arg) -> bool:
    return arg.annotation is not None and ast.unparse(arg.annotation) == "AuditAction"


def _writers(trees: dict[Path, ast.Module]) -> dict[str, int | None]:
    """Each function that takes an ``action: AuditAction`` (the audit writers and the helpers
    that hand one on), with the position of ``action`` when it may be passed positionally
    (``self`` not counted)."""
    writers: dict[str, int | None] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            positional = [a for a in node.args.posonlyargs + node.args.args if a.arg not in {"self", "cls"}]
            for index, arg in enumerate(positional):
                if arg.arg == "action" and _annotation_is_audit_action(arg):
                    writers[node.name] = index
            for arg in node.args.kwonlyargs:
                if arg.arg == "action" and _annotation_is_audit_action(arg):
                    writers.setdefault(node.name, None)
    return writers


def _allowed(expression: ast.expr) -> bool:
    """A member (``AuditAction.X``), a member looked up by value (``AuditAction(...)``, which
    refuses a value that is none), a typed name or dict lookup mypy checks, or a choice of those."""
    match expression:
        case ast.Attribute(value=ast.Name(id="AuditAction"), attr=name):
            return name in AuditAction.__members__
        case ast.Call(func=ast.Name(id="AuditAction")):
            return True
        case ast.Name() | ast.Subscript():
            return True
        case ast.IfExp(body=body, orelse=orelse):
            return _allowed(body) and _allowed(orelse)
    return False


def _action_arguments(trees: dict[Path, ast.Module]) -> Iterator[tuple[str, ast.expr]]:
    writers = _writers(trees)
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", "")
            if name not in writers:
                continue
            where = f"{path.relative_to(SOURCE.parent)}:{node.lineno}"
            for keyword in node.keywords:
                if keyword.arg == "action":
                    yield where, keyword.value
            index = writers[name]
            if index is not None and index < len(node.args):
                yield where, node.args[index]


def _parse(paths: dict[Path, str]) -> dict[Path, ast.Module]:
    return {path: ast.parse(text) for path, text in paths.items()}


def _unlisted(trees: dict[Path, ast.Module]) -> list[str]:
    arguments = _action_arguments(trees)
    return [f"{where}: {ast.unparse(value)}" for where, value in arguments if not _allowed(value)]


@pytest.fixture(scope="module")
def source_trees() -> dict[Path, ast.Module]:
    return _parse(
        {
            path: path.read_text()
            for path in SOURCE.rglob("*.py")
            if "migrations" not in path.parts and path.name != "actions.py"
        }
    )


def test_every_audit_writer_call_in_clee_names_a_member_of_audit_action(
    source_trees: dict[Path, ast.Module],
) -> None:
    calls = list(_action_arguments(source_trees))
    # The scan sees the writers (more than a hundred calls), not nothing.
    assert len(calls) > 100
    assert {"record_event", "record_events", "record_events_by_id"} <= set(_writers(source_trees))
    assert _unlisted(source_trees) == []


def test_the_scan_reports_a_free_text_action_however_it_is_passed() -> None:
    snippet = """
from clee.core.actions import AuditAction

def record_event(*, actor, action: AuditAction, target, summary): ...

class Loader:
    def _audit(self, action: AuditAction, targets, what): ...

    def run(self, kind):
        self._audit("agency.create", [], "agency")
        self._audit(AuditAction.AGENCY_CREATE, [], "agency")
        record_event(actor=None, action=f"{kind}.create", target=None, summary="")
        record_event(actor=None, action="a" if kind else AuditAction.AGENCY_CREATE, target=None, summary="")
        record_event(actor=None, action=AuditAction.NO_SUCH_ACTION, target=None, summary="")
        record_event(actor=None, action=AuditAction.AGENCY_UPDATE, target=None, summary="")
"""
    trees = _parse({SOURCE / "scratch.py": snippet})
    assert [line.split(": ", 1)[1] for line in _unlisted(trees)] == [
        "'agency.create'",
        "f'{kind}.create'",
        "'a' if kind else AuditAction.AGENCY_CREATE",
        "AuditAction.NO_SUCH_ACTION",
    ]


def test_the_audit_trail_offers_exactly_the_audit_actions_as_its_choices() -> None:
    assert AuditEvent._meta.get_field("action").choices == AuditAction.choices
    # Values are the strings the trail has always stored, one member each.
    assert len(set(AuditAction.values)) == len(AuditAction.values)
    assert all(member.label for member in AuditAction)


def test_every_kind_of_import_has_its_action() -> None:
    # clee.imports names its action from the kind of file applied.
    for kind in ImportBatch.Kind:
        assert AuditAction(f"imports.{kind.value}_apply").label


@pytest.mark.django_db
def test_a_row_stores_the_value_and_shows_the_label(world: dict[str, Any]) -> None:
    officer = world["officer"]
    erin = world["erin"]
    record_event(actor=erin, action=AuditAction.OFFICER_LICENSE_STATUS, target=officer, summary="one")
    record_events(actor=None, action=AuditAction.OFFICER_LICENSE_UPGRADE, targets=[officer], summary="bulk")
    rows = {event.action: event for event in events_for(officer)}
    assert set(rows) >= {"officer.license_status", "officer.license_upgrade"}
    assert type(AuditEvent.objects.get(pk=rows["officer.license_upgrade"].pk).action) is str
    assert rows["officer.license_status"].get_action_display() == "License status changed"
    assert rows["officer.license_upgrade"].get_action_display() == "License upgraded"
