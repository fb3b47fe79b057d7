"""``clee``: check a scenario file, a batch of them, or list the rule packs."""

from __future__ import annotations

import argparse
import json
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson
import yaml

from clee.rules import (
    NoPackError,
    PackError,
    RulePack,
    ScenarioError,
    available_packs,
    evaluate,
    evaluate_many,
    explain_table,
    load_pack,
    load_pack_file,
    read_scenario,
)
from clee.rules.engine import Result
from clee.rules.scenario import Scenario

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


def _draft(path: str | None) -> RulePack | None:
    if path is None:
        return None
    try:
        return load_pack_file(path)
    except PackError as error:
        raise InputError(f"rule pack {error}") from error


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return INVALID


def command_check(args: argparse.Namespace) -> int:
    try:
        pack = _draft(args.pack)
        document = _read_document(args.file)
        scenario, pack = read_scenario(document, pack)
    except (InputError, ScenarioError, NoPackError) as error:
        return _fail(str(error))
    result = evaluate(scenario, pack)
    if args.explain:
        print(explain_table(result))
    else:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    return 0


def command_check_batch(args: argparse.Namespace) -> int:
    try:
        draft = _draft(args.pack)
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    except InputError as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"{args.file}: cannot be read ({error.strerror})")
    out = sys.stdout.buffer
    with stream:
        for _, payload in _batch_results(stream, draft):
            out.write(orjson.dumps(payload))
            out.write(b"\n")
    out.flush()
    return 0


def _batch_results(stream: IO[bytes], draft: RulePack | None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, result or error) for every line of a JSONL stream, in input order.

    Good lines are evaluated in chunks (``evaluate_many``); a bad line becomes an error result
    in its place and never stops the others.
    """
    errors: dict[int, str] = {}
    pending: deque[int] = deque()  # line numbers handed to the engine, oldest first

    def scenarios() -> Iterator[Scenario]:
        for number, scenario in _numbered(stream, draft, errors):
            pending.append(number)
            yield scenario

    expected = 1
    for result in evaluate_many(scenarios()):
        number = pending.popleft()
        while expected < number:
            yield expected, {"line": expected, "error": errors.pop(expected)}
            expected += 1
        yield number, _payload(number, result)
        expected = number + 1
    for number in sorted(errors):
        yield number, {"line": number, "error": errors[number]}


def _numbered(
    stream: IO[bytes], draft: RulePack | None, errors: dict[int, str]
) -> Iterator[tuple[int, Scenario]]:
    for number, line in enumerate(stream, start=1):
        try:
            scenario, _ = read_scenario(orjson.loads(line), draft)
        except orjson.JSONDecodeError as error:
            errors[number] = f"not valid JSON ({error})"
            continue
        except (ScenarioError, NoPackError) as error:
            errors[number] = str(error)
            continue
        yield number, scenario


def _payload(number: int, result: Result) -> dict[str, Any]:
    payload = result.to_dict()
    payload["line"] = number
    return payload


def command_packs(args: argparse.Namespace) -> int:
    rows = []
    for jurisdiction, period in available_packs():
        try:
            pack = load_pack(jurisdiction, period)
        except PackError as error:
            return _fail(str(error))
        minimums = ", ".join(f"{r.key} {r.minimum.value:g}" for r in pack.requirements)
        rows.append(
            f"{jurisdiction}  {period}  v{pack.version}  {pack.starts} to {pack.ends}  "
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
    check.add_argument("--pack", metavar="DRAFT.yaml", help="evaluate under this rule pack file instead")
    check.set_defaults(handler=command_check)
    batch = commands.add_parser(
        "check-batch", help="evaluate a JSONL file: one scenario in, one result out per line"
    )
    batch.add_argument("file", help="JSONL file, or - for standard input")
    batch.add_argument("--pack", metavar="DRAFT.yaml", help="evaluate every line under this rule pack file")
    batch.set_defaults(handler=command_check_batch)
    packs = commands.add_parser("packs", help="list the rule packs and their periods")
    packs.set_defaults(handler=command_packs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = args.handler
    return int(handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
