"""One period's pack written out as a one-period pack file, read off the shipped rule book:
what tests (and POST staff trying a change with ``clee check --pack``) start a draft from."""

from __future__ import annotations

from typing import Any

import yaml

from clee.rules import load_book


def period_pack_document(year: int | str, jurisdiction: str = "MO") -> dict[str, Any]:
    return load_book(jurisdiction).period_document(str(year))


def period_pack_text(year: int | str, jurisdiction: str = "MO") -> str:
    return yaml.safe_dump(period_pack_document(year, jurisdiction), sort_keys=False, allow_unicode=True)
