"""JSON bodies read within bounds: a body no larger than a roster request may be, and nested no
deeper than any request of the API is (a 100,000-deep array must be a clear 400, not the
interpreter's recursion limit). The API parses every JSON body with ``JsonParser``; the passkey
views (clee.security) check theirs with ``nesting_depth``."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

# JSON rows repeat their column names: a roster the import accepts (20 MB of CSV at most) can be
# a few times that as JSON.
MAX_REQUEST_BYTES = 60 * 2**20
# The deepest request of the API is {"rows": [{...}]} or a course's portions with their topics.
MAX_DEPTH = 16


def _strict_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def nesting_depth(value: Any) -> int:
    """How deep lists and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            depth += 1
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            pending.extend((child, depth) for child in item if isinstance(child, (dict, list)))
    return deepest


class JsonParser(BaseParser):
    """``application/json``: refuses a body over ``MAX_REQUEST_BYTES``, JSON that does not parse
    (NaN and Infinity included), and nesting deeper than ``MAX_DEPTH``, each with a 400."""

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        raw = b"" if stream is None else stream.read(MAX_REQUEST_BYTES + 1)
        if len(raw) > MAX_REQUEST_BYTES:
            raise ParseError(f"a JSON body is at most {MAX_REQUEST_BYTES // 2**20} MB")
        try:
            data = json.loads(raw, parse_constant=_strict_constant)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep") from None
        except ValueError as error:  # UnicodeDecodeError and JSONDecodeError alike
            raise ParseError(f"JSON parse error - {error}") from None
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested more than {MAX_DEPTH} levels deep")
        return data
