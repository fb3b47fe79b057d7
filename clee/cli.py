"""``clee``: check a scenario file, a batch of them, or list the rule packs."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import orjson
import yaml

from clee.rules import (
    NoPackError,
    PackError,
    RuleBook,
    RulePack,
    ScenarioError,
    evaluate,
    explain_table,
    load_rules_file,
    read_scenario,
)
from clee.rules.batch import evaluate_jsonl
from clee.rules.pack import shipped_books

INVALID = 2


class InputError(Exception):
    """Input that cannot be evaluated; the message is the one stderr line."""


def _read_document(path: str) -> Any:
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot be read ({error.strerror})") from error
    if path.endswith((".yaml", ".yml")):
        try:
            return yaml.safe_load(raw)
        except yaml.YAMLError as error:
            raise InputError(f"{path}: not valid YAML ({error})".replace("\n", " ")) from error
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise InputError(f"{path}: not valid JSON ({error})") from error


def _draft(path: str | None) -> RulePack | RuleBook | None:
    if path is None:
        return None
    try:
        return load_rules_file(path)
    except PackError as error:
        raise InputError(f"rule pack {error}") from error


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return INVALID


def command_check(args: argparse.Namespace) -> int:
    try:
        pack = _draft(args.pack)
        document = _read_document(args.file)
        scenario, chosen = read_scenario(document, pack)
    except (InputError, ScenarioError, NoPackError) as error:
        return _fail(str(error))
    result = evaluate(scenario, chosen)
    if args.explain:
        print(explain_table(result))
    else:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    return 0


def command_check_batch(args: argparse.Namespace) -> int:
    try:
        if args.pack:
            load_rules_file(args.pack)  # refuse a broken draft before reading any line
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except PackError as error:
        return _fail(f"rule pack {error}")
    except OSError as error:
        return _fail(f"{args.file}: cannot be read ({error.strerror})")
    out = sys.stdout.buffer
    with stream:
        for block in evaluate_jsonl(stream, draft_path=args.pack, workers=args.workers):
            out.write(block)
    out.flush()
    return 0


def command_packs(args: argparse.Namespace) -> int:
    """Each shipped rule book, then one line per period up to next year (a book without a last
    period goes on under its latest values)."""
    rows = []
    through = args.through or dt.date.today().year + 1
    try:
        books = shipped_books()
    except PackError as error:
        return _fail(str(error))
    for book in books:
        rows.append(
            f"{book.jurisdiction}  rule book v{book.version}: periods from {book.span}  ({book.path})"
        )
        for period in book.periods(through=through):
            pack = book.pack(period)
            minimums = ", ".join(f"{r.key} {r.minimum.value:g}" for r in pack.requirements)
            rows.append(
                f"{book.jurisdiction}  {period}  v{pack.version}  {pack.starts} to {pack.ends}  "
                f"grace {pack.grace_deadline.value}  [{minimums}]"
            )
    print("\n".join(rows))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clee", description="Decide continuing-education compliance from scenario files."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="evaluate one scenario file (JSON, or YAML by extension)")
    check.add_argument("file", help="scenario file, or - for standard input")
    check.add_argument(
        "--explain", action="store_true", help="print a readable table and what is still needed"
    )
    check.add_argument(
        "--pack", metavar="DRAFT.yaml", help="evaluate under this rule book or one-period pack file instead"
    )
    check.set_defaults(handler=command_check)
    batch = commands.add_parser(
        "check-batch", help="evaluate a JSONL file: one scenario in, one result out per line"
    )
    batch.add_argument("file", help="JSONL file, or - for standard input")
    batch.add_argument("--pack", metavar="DRAFT.yaml", help="evaluate every line under this rule pack file")
    batch.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: one per available core)"
    )
    batch.set_defaults(handler=command_check_batch)
    packs = commands.add_parser("packs", help="list the rule books and the pack of each period")
    packs.add_argument(
        "--through", type=int, default=None, help="list periods up to this year (default: next year)"
    )
    packs.set_defaults(handler=command_packs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = args.handler
    return int(handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
