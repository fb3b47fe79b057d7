"""Streaming evaluation of JSON-lines scenarios, on every core, in input order.

One scenario document per line in, one JSON result per line out. Lines are read in blocks;
each block is parsed, evaluated and serialized by a worker process, and at most a few blocks
are in flight, so memory stays bounded however long the stream. A line that is not valid JSON
or not a valid scenario becomes ``{"line": N, "error": "..."}`` in its place.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson

from clee.rules.engine import compiled_for, evaluate_officers
from clee.rules.pack import NoPackError, RuleBook, RulePack, load_rules_file
from clee.rules.scenario import CreditLike, OfficerLike, ScenarioError
from clee.rules.wire import read_line

BLOCK_LINES = 2000


def evaluate_block(lines: list[bytes], first_line: int, draft: RulePack | RuleBook | None = None) -> bytes:
    """Results of consecutive JSONL ``lines`` (numbered from ``first_line``), one per line."""
    out: list[bytes | None] = [None] * len(lines)
    groups: dict[RulePack, tuple[list[int], list[tuple[OfficerLike, Sequence[CreditLike]]]]] = {}
    packs: dict[tuple[str, str], RulePack] = {}
    for offset, line in enumerate(lines):
        try:
            officer, credits, pack = read_line(line, draft=draft, packs=packs)
        except orjson.JSONDecodeError as error:
            out[offset] = _error(first_line + offset, f"not valid JSON ({error})")
            continue
        except (ScenarioError, NoPackError) as error:
            out[offset] = _error(first_line + offset, str(error))
            continue
        offsets, officers = groups.setdefault(pack, ([], []))
        offsets.append(offset)
        officers.append((officer, credits))
    for pack, (offsets, officers) in groups.items():
        for offset, result in zip(offsets, evaluate_officers(compiled_for(pack), officers), strict=True):
            payload: dict[str, Any] = result.to_dict()
            payload["line"] = first_line + offset
            out[offset] = orjson.dumps(payload)
    return b"\n".join(line for line in out if line is not None) + b"\n"


def _error(number: int, message: str) -> bytes:
    return orjson.dumps({"line": number, "error": message})


def _blocks(stream: Iterable[bytes], size: int) -> Iterator[tuple[int, list[bytes]]]:
    block: list[bytes] = []
    first = 1
    for number, line in enumerate(stream, start=1):
        block.append(line)
        if len(block) >= size:
            yield first, block
            first, block = number + 1, []
    if block:
        yield first, block


_worker_draft: RulePack | RuleBook | None = None


def _worker_start(draft_path: str | None) -> None:
    global _worker_draft
    _worker_draft = load_rules_file(draft_path) if draft_path else None
    gc.freeze()


def _worker_block(first: int, lines: list[bytes]) -> bytes:
    return evaluate_block(lines, first, _worker_draft)


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def evaluate_jsonl(
    stream: Iterable[bytes],
    *,
    draft_path: str | Path | None = None,
    workers: int | None = None,
    block_lines: int = BLOCK_LINES,
) -> Iterator[bytes]:
    """Serialized results (newline-terminated blocks) of a JSONL stream, in input order."""
    workers = default_workers() if workers is None else workers
    draft = load_rules_file(draft_path) if draft_path else None
    blocks = _blocks(stream, block_lines)
    first_block = next(blocks, None)
    second_block = next(blocks, None)
    if first_block is None:
        return
    if workers <= 1 or second_block is None:  # one block: not worth starting processes
        for first, lines in (first_block, *((second_block,) if second_block else ()), *blocks):
            yield evaluate_block(lines, first, draft)
        return
    blocks = itertools.chain((first_block, second_block), blocks)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_worker_start,
        initargs=(str(draft_path) if draft_path else None,),
    ) as pool:
        in_flight: deque[Future[bytes]] = deque()
        for first, lines in blocks:
            in_flight.append(pool.submit(_worker_block, first, lines))
            if len(in_flight) >= 2 * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
