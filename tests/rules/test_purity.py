"""The rules engine is a pure Python package: importing and running it never loads Django."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "clee" / "rules"

# Imports every module of clee.rules, evaluates a scenario (so that anything imported lazily
# is imported too), then prints the Django modules that got loaded.
PROBE = """
import importlib, json, pkgutil, sys
{before}
import clee.rules, clee.rules.engine
for module in pkgutil.walk_packages(clee.rules.__path__, "clee.rules."):
    importlib.import_module(module.name)
result = clee.rules.evaluate_document({{
    "jurisdiction": "MO", "period": "2023", "officer": {{"licensed_on": "2010-01-01"}},
    "credits": [{{"id": "c1", "date": "2023-03-01", "hours": 30, "core_area": "legal_studies",
                 "provider_class": "approved", "delivery": "computer_based"}}],
}})
assert result.status == "deficient", result.status
result.to_dict()
print(json.dumps(sorted(name for name in sys.modules if name == "django" or name.startswith("django."))))
"""


def django_modules_loaded(before: str = "") -> list[str]:
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    environment["PYTHONPATH"] = str(ROOT)
    completed = subprocess.run(
        [sys.executable, "-c", PROBE.format(before=before)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    loaded: list[str] = json.loads(completed.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_and_running_the_rules_engine_loads_no_django_module() -> None:
    assert django_modules_loaded() == []


def test_the_probe_does_see_django_when_something_imports_it() -> None:
    pytest.importorskip("django")
    assert "django" in django_modules_loaded(before="import django")


def rules_sources() -> list[Path]:
    return sorted(RULES.rglob("*.py"))


def imported_names(path: Path) -> list[str]:
    """Modules a source file imports: import statements, and import_module / __import__ calls
    with a literal name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func
            called = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
            if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                names.append(node.args[0].value)
    return names


def test_the_rules_sources_are_found() -> None:
    names = {path.name for path in rules_sources()}
    assert {"__init__.py", "engine.py", "pack.py", "scenario.py", "solver.py", "explain.py"} <= names
    assert {"numpy", "clee.rules.solver"} <= set(imported_names(RULES / "engine.py"))


@pytest.mark.parametrize("path", rules_sources(), ids=lambda path: str(path.relative_to(RULES)))
def test_no_rules_source_file_imports_django(path: Path) -> None:
    names = imported_names(path)
    assert [name for name in names if name == "django" or name.startswith("django.")] == []


def test_the_source_scan_finds_a_django_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nfrom django.db import models\nimport importlib\nimportlib.import_module('django.conf')\n",
        encoding="utf-8",
    )
    assert imported_names(sample) == ["os", "django.db", "importlib", "django.conf"]
