"""Rules-engine benchmark: Missouri scale, national scale, one officer, and ``clee check-batch``.

    .venv/bin/python bench/rules_bench.py            # full run (a few minutes)
    .venv/bin/python bench/rules_bench.py --quick    # national scale on 100,000 officers
    .venv/bin/python bench/rules_bench.py --isolate  # national scale in its own process (clean peak RSS)
    .venv/bin/python bench/rules_bench.py --part missouri --profile   # cProfile of the 17k run

Parts (``--part``, repeatable; all by default):

a. ``missouri``: 17,000 officers through ``evaluate_many`` with full explanations (every result's
   ``to_dict()``); the Scenario objects are generated first, only evaluation is timed.
b. ``national``: 800,000 officers streamed (generator -> ``evaluate_many`` -> discard). The time
   spent inside the generator is measured in the stream, so the engine's share is reported
   apart; generation alone is also timed on a sample. Memory: RSS sampled along the stream and
   the peak (``ru_maxrss``; clean only with ``--isolate``).
c. ``single``: ``evaluate`` latency for single officers, fast path and capped (LP) separately.
d. ``batch``: ``clee check-batch`` on a 17,000-line JSONL file against stdlib ``json.loads`` of
   every line of the same file, with the whole result (the requirement table and the exact
   "still needed" breakdown) written for every officer.
e. ``batch-hard``: the same on the hard mix: three officers in four have a binding cap (more
   than 22 computer-based hours or 8 hours of college credit; some college credit online, under
   both caps at once), so which of their hours count is a choice.

Input is ``bench/synthetic.py`` (seeded; no real persons). ``--json FILE`` saves the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import synthetic

from clee.rules import Scenario, evaluate, evaluate_many

MISSOURI_OFFICERS = 17_000
NATIONAL_OFFICERS = 800_000
NATIONAL_QUICK = 100_000
NATIONAL_SLICE = 20_000  # officers generated into a list at a time for "engine alone"
TARGET_MISSOURI_S = 1.0
TARGET_NATIONAL_S = 60.0
TARGET_ONE_MS = 5.0
TARGET_BATCH_RATIO = 3.0
PARTS = ("missouri", "national", "single", "batch", "batch-hard")


# --- helpers -------------------------------------------------------------------------------------


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc; falls back to the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_rss_mb()


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, KiB on Linux


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def warm_up(seed: int) -> None:
    """Load and compile the pack and create the HiGHS object, as a running server would have."""
    for result in evaluate_many(synthetic.scenarios(300, seed + 1)):
        result.to_dict()


# --- a. Missouri scale ---------------------------------------------------------------------------


def bench_missouri(count: int, seed: int, repeats: int, profile: bool) -> dict[str, Any]:
    say(f"[missouri] generating {count:,} officers ...")
    started = time.perf_counter()
    scenarios = list(synthetic.scenarios(count, seed))
    generation = time.perf_counter() - started
    credits = sum(len(s.credits) for s in scenarios)
    warm_up(seed)
    times, cpu_times = [], []
    payloads: list[dict[str, object]] = []
    for run in range(repeats):
        payloads = []
        gc.collect()
        profiler = cProfile.Profile() if profile and run == repeats - 1 else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        payloads = [result.to_dict() for result in evaluate_many(scenarios)]
        if profiler:
            profiler.disable()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        if profiler:
            print_profile(profiler, f"{count:,} officers through evaluate_many + to_dict")
        else:
            times.append(elapsed)
            cpu_times.append(cpu)
        say(f"[missouri] run {run + 1}/{repeats}: {elapsed:.3f} s{' (profiled)' if profiler else ''}")
    lp = sum(1 for p in payloads if p["solved_by"] == "lp")
    capped = sum(1 for p in payloads if p["solved_by"] != "sums")
    statuses = Counter(str(p["status"]) for p in payloads)
    best = min(times) if times else float("nan")
    return {
        "officers": count,
        "credits": credits,
        "generation_s": generation,
        "times_s": times,
        "runs": len(times),
        "best_s": best,
        "best_cpu_s": min(cpu_times) if cpu_times else float("nan"),
        "median_s": statistics.median(times) if times else float("nan"),
        "officers_per_s": count / best,
        "lp_officers": lp,
        "lp_share": lp / count,
        "capped_share": capped / count,
        "statuses": dict(statuses),
    }


def print_profile(profiler: cProfile.Profile, what: str, top: int = 15) -> None:
    for key, title in (("cumulative", "cumulative time"), ("tottime", "total (own) time")):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(key).print_stats(top)
        text = out.getvalue()
        body = text[text.index("ncalls") :] if "ncalls" in text else text
        print(f"\n--- cProfile, {what}: top {top} by {title} ---\n{body.rstrip()}")


# --- b. National scale ---------------------------------------------------------------------------


def bench_national(count: int, seed: int, generation_sample: int) -> dict[str, Any]:
    warm_up(seed)
    gc.collect()
    baseline = rss_mb()
    generating = 0.0
    clock = time.perf_counter

    def timed_stream() -> Iterator[Scenario]:
        nonlocal generating
        source = synthetic.scenarios(count, seed)
        while True:
            started = clock()
            scenario = next(source, None)
            generating += clock() - started
            if scenario is None:
                return
            yield scenario

    say(f"[national] streaming {count:,} officers ...")
    step = max(1, count // 8)
    samples: list[tuple[int, float]] = []
    lp = 0
    done = 0
    started, cpu = clock(), time.process_time()
    for done, result in enumerate(evaluate_many(timed_stream()), start=1):
        if result.solved_by == "lp":
            lp += 1
        if done % step == 0:
            samples.append((done, rss_mb()))
            say(f"[national] {done:,} officers, {clock() - started:.1f} s, RSS {samples[-1][1]:.0f} MB")
    wall, cpu = clock() - started, time.process_time() - cpu
    peak = peak_rss_mb()

    # The same officers (or the first ``sample`` of them) again, generated into a list slice by
    # slice, then evaluated: generation alone, and the engine alone on pre-generated input.
    sample = min(count, generation_sample)
    say(f"[national] generation alone, then engine alone, on {sample:,} officers in slices ...")
    generated = evaluated = evaluated_cpu = 0.0
    for first in range(0, sample, NATIONAL_SLICE):
        gc.collect()
        started = clock()
        part = list(synthetic.scenarios(min(NATIONAL_SLICE, sample - first), seed, first))
        generated += clock() - started
        started, cpu_part = clock(), time.process_time()
        for _ in evaluate_many(part):
            pass
        evaluated += clock() - started
        evaluated_cpu += time.process_time() - cpu_part
        del part
    scale = count / sample
    alone, pregenerated = generated * scale, evaluated * scale
    engine = wall - generating
    return {
        "officers": done,
        "wall_s": wall,
        "cpu_s": cpu,
        "officers_per_s": done / wall,
        "generation_in_stream_s": generating,
        "engine_s": engine,
        "engine_officers_per_s": done / engine,
        "generation_alone_sample": sample,
        "generation_alone_s": alone,
        "engine_by_subtraction_s": wall - alone,
        "engine_pregenerated_s": pregenerated,
        "engine_pregenerated_cpu_s": evaluated_cpu * scale,
        "lp_share": lp / max(1, done),
        "rss_baseline_mb": baseline,
        "rss_samples": samples,
        "peak_rss_mb": peak,
        "isolated": False,
    }


def bench_national_isolated(count: int, seed: int, generation_sample: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--part", "national", "--national-count", str(count)]
    command += ["--seed", str(seed), "--generation-sample", str(generation_sample), "--child"]
    say("[national] running in a fresh interpreter (--isolate) ...")
    done = subprocess.run(command, stdout=subprocess.PIPE, check=True, text=True)
    figures: dict[str, Any] = json.loads(done.stdout)["national"]
    figures["isolated"] = True
    return figures


# --- c. One officer ------------------------------------------------------------------------------


def bench_single(seed: int, per_kind: int) -> dict[str, Any]:
    say(f"[single] picking {per_kind} fast-path and {per_kind} capped officers ...")
    fast: list[Scenario] = []
    capped: list[Scenario] = []
    start = 0
    while len(fast) < per_kind or len(capped) < per_kind:
        batch = list(synthetic.scenarios(2000, seed + 7, start))
        start += 2000
        for scenario, result in zip(batch, evaluate_many(batch), strict=True):
            kind = capped if result.solved_by != "sums" else fast
            if len(kind) < per_kind:
                kind.append(scenario)
    figures: dict[str, Any] = {}
    for name, group in (("fast_path", fast), ("capped_lp", capped)):
        for scenario in group[:20]:  # warm
            evaluate(scenario)
        latencies = []
        explained = []
        for scenario in group:
            started = time.perf_counter_ns()
            result = evaluate(scenario)
            middle = time.perf_counter_ns()
            result.to_dict()
            ended = time.perf_counter_ns()
            latencies.append((middle - started) / 1e6)
            explained.append((ended - started) / 1e6)
        figures[name] = {
            "officers": len(group),
            "median_ms": statistics.median(latencies),
            "p95_ms": percentile(latencies, 0.95),
            "max_ms": max(latencies),
            "with_to_dict_median_ms": statistics.median(explained),
            "with_to_dict_p95_ms": percentile(explained, 0.95),
        }
    return figures


# --- d. clee check-batch -------------------------------------------------------------------------


def bench_batch(
    count: int, seed: int, runs: int, capped_share: float = synthetic.CAPPED_SHARE
) -> dict[str, Any]:
    clee = Path(sys.executable).with_name("clee")
    if not clee.exists():
        raise SystemExit(f"{clee} not found: install the project in the virtualenv (make setup)")
    with tempfile.TemporaryDirectory(prefix="clee-bench-") as folder:
        source = Path(folder) / "officers.jsonl"
        empty = Path(folder) / "empty.jsonl"
        output = Path(folder) / "results.jsonl"
        say(f"[batch] writing {count:,} lines to {source} ...")
        size = synthetic.write_jsonl(str(source), count, seed, capped_share)
        empty.write_bytes(b"")

        def parse_all() -> tuple[float, float]:
            loads = json.loads
            started, cpu = time.perf_counter(), time.process_time()
            with open(source, "rb") as lines:
                for line in lines:
                    loads(line)
            return time.perf_counter() - started, time.process_time() - cpu

        parses = [parse_all() for _ in range(3)]
        parse, parse_cpu = min(wall for wall, _ in parses), min(cpu for _, cpu in parses)

        cpu_times: list[float] = []

        def run(path: Path, *options: str) -> float:
            with open(output, "wb") as out:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                subprocess.run([str(clee), "check-batch", *options, str(path)], stdout=out, check=True)
                elapsed = time.perf_counter() - started
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu_times.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
                return elapsed

        startup = min(run(empty) for _ in range(3))
        times = []
        cpu_times.clear()
        for attempt in range(runs):
            times.append(run(source))
            say(f"[batch] check-batch run {attempt + 1}/{runs}: {times[-1]:.3f} s")
        with open(output, "rb") as results:
            lines = results.read().splitlines()
        errors = sum(1 for line in lines if b'"error":' in line)
        solved_by = Counter(json.loads(line).get("solved_by", "error") for line in lines)
        wall = min(times)
        one_worker = one_worker_cpu = None
        usage = subprocess.run([str(clee), "check-batch", "--help"], capture_output=True, text=True).stdout
        if "--workers" in usage:
            cpu_times.clear()  # complete with one process (forkserver workers are not our children)
            one_worker = min(run(source, "--workers", "1") for _ in range(runs))
            one_worker_cpu = min(cpu_times)
            say(f"[batch] check-batch --workers 1: {one_worker:.3f} s")
    return {
        "lines": count,
        "file_mb": size / 1e6,
        "json_loads_s": parse,
        "json_loads_cpu_s": parse_cpu,
        "startup_s": startup,
        "times_s": times,
        "runs": len(times),
        "wall_s": wall,
        "ratio": wall / parse,
        "ratio_without_startup": (wall - startup) / parse,
        "one_worker_s": one_worker,
        "one_worker_cpu_s": one_worker_cpu,
        "one_worker_ratio": None if one_worker is None else one_worker / parse,
        "one_worker_cpu_ratio": None if one_worker_cpu is None else one_worker_cpu / parse_cpu,
        "output_lines": len(lines),
        "error_lines": errors,
        "solved_by": dict(solved_by),
        "capped_share": capped_share,
    }


# --- report --------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


def report(figures: dict[str, Any]) -> str:
    rows: list[tuple[str, str, str, str, str]] = []
    if "missouri" in figures:
        m = figures["missouri"]
        rows.append(
            (
                f"a. Missouri: {m['officers']:,} officers, evaluate_many + to_dict (best of {m['runs']})",
                f"{m['best_s']:.3f} s (median {m['median_s']:.3f}; CPU {m['best_cpu_s']:.3f})",
                f"{m['officers_per_s']:,.0f}/s",
                f"< {TARGET_MISSOURI_S:g} s",
                verdict(m["best_s"] < TARGET_MISSOURI_S),
            )
        )
        rows.append(
            (
                "   share with a binding cap (solved_by 'caps' or 'lp'); by the LP",
                f"{m['capped_share']:.1%}; {m['lp_share']:.1%} ({m['lp_officers']:,})",
                "",
                "",
                "",
            )
        )
    if "national" in figures:
        n = figures["national"]
        where = "own process" if n["isolated"] else "in process"
        rows.append(
            (
                f"b. National: {n['officers']:,} officers streamed, raw (generator + engine)",
                f"{n['wall_s']:.1f} s (CPU {n['cpu_s']:.1f})",
                f"{n['officers_per_s']:,.0f}/s",
                f"< {TARGET_NATIONAL_S:g} s",
                verdict(n["wall_s"] < TARGET_NATIONAL_S),
            )
        )
        scaled = f"{n['generation_alone_sample']:,} officers" + (
            f", scaled to {n['officers']:,}" if n["generation_alone_sample"] != n["officers"] else ""
        )
        rows.append(
            (
                f"   engine alone, on pre-generated input ({scaled})",
                f"{n['engine_pregenerated_s']:.1f} s (CPU {n['engine_pregenerated_cpu_s']:.1f})",
                f"{n['officers'] / n['engine_pregenerated_s']:,.0f}/s",
                f"< {TARGET_NATIONAL_S:g} s",
                verdict(n["engine_pregenerated_s"] < TARGET_NATIONAL_S),
            )
        )
        rows.append(
            (
                "   generation inside the stream (timed around next())",
                f"{n['generation_in_stream_s']:.1f} s",
                "",
                "",
                "",
            )
        )
        rows.append(
            (
                "   engine only, estimated: raw - generation in stream",
                f"{n['engine_s']:.1f} s",
                f"{n['engine_officers_per_s']:,.0f}/s",
                "",
                "",
            )
        )
        rows.append(
            (
                f"   generation alone ({scaled})",
                f"{n['generation_alone_s']:.1f} s",
                "",
                "",
                "",
            )
        )
        rows.append(
            (
                "   engine only, estimated: raw - generation alone",
                f"{n['engine_by_subtraction_s']:.1f} s",
                f"{n['officers'] / n['engine_by_subtraction_s']:,.0f}/s",
                "",
                "",
            )
        )
        samples = n["rss_samples"]
        trail = " -> ".join(f"{mb:.0f}" for _, mb in samples)
        growth = samples[-1][1] - samples[0][1] if len(samples) > 1 else 0.0
        rows.append(
            (
                f"   peak RSS ({where}); RSS growth along the stream",
                f"{n['peak_rss_mb']:.0f} MB",
                f"{growth:+.0f} MB",
                "bounded",
                verdict(growth < 50),
            )
        )
        rows.append((f"   RSS every {samples[0][0]:,} officers (MB)", trail, "", "", ""))
        rows.append(("   share solved by the LP", f"{n['lp_share']:.1%}", "", "", ""))
    if "single" in figures:
        for kind, label in (("fast_path", "fast path (sums)"), ("capped_lp", "a cap binds")):
            s = figures["single"][kind]
            rows.append(
                (
                    f"c. One officer, {label}, evaluate() x {s['officers']}",
                    f"median {s['median_ms']:.2f} ms, p95 {s['p95_ms']:.2f} ms",
                    f"{1000 / s['median_ms']:,.0f}/s",
                    f"< {TARGET_ONE_MS:g} ms",
                    verdict(s["p95_ms"] < TARGET_ONE_MS),
                )
            )
            rows.append(
                (
                    "   with to_dict()",
                    f"median {s['with_to_dict_median_ms']:.2f} ms, p95 {s['with_to_dict_p95_ms']:.2f} ms",
                    "",
                    "",
                    "",
                )
            )
    for part, letter, mix in (("batch", "d", "easy mix"), ("batch-hard", "e", "hard mix")):
        if part not in figures:
            continue
        b = figures[part]
        rows.append(
            (
                f"{letter}. clee check-batch, {mix}, {b['lines']:,} lines, {b['file_mb']:.0f} MB "
                f"(best of {b['runs']})",
                f"{b['wall_s']:.2f} s",
                f"{b['lines'] / b['wall_s']:,.0f}/s",
                "",
                "",
            )
        )
        rows.append(
            (
                "   stdlib json.loads of every line",
                f"{b['json_loads_s']:.3f} s (CPU {b['json_loads_cpu_s']:.3f})",
                "",
                "",
                "",
            )
        )
        rows.append(
            (
                "   ratio check-batch / json.loads",
                f"{b['ratio']:.1f}x",
                "",
                f"<= {TARGET_BATCH_RATIO:g}x",
                verdict(b["ratio"] <= TARGET_BATCH_RATIO),
            )
        )
        rows.append(
            (
                "   startup (check-batch of an empty file); ratio without it",
                f"{b['startup_s']:.2f} s",
                f"{b['ratio_without_startup']:.1f}x",
                "",
                "",
            )
        )
        if b["one_worker_s"] is not None:
            rows.append(
                (
                    "   check-batch --workers 1; its ratio, wall and CPU",
                    f"{b['one_worker_s']:.2f} s (CPU {b['one_worker_cpu_s']:.2f})",
                    f"{b['one_worker_ratio']:.1f}x, CPU {b['one_worker_cpu_ratio']:.1f}x",
                    "",
                    "",
                )
            )
        rows.append(("   output lines (errors)", f"{b['output_lines']:,} ({b['error_lines']})", "", "", ""))
        shares = ", ".join(
            f"{name} {count / b['output_lines']:.1%}" for name, count in sorted(b["solved_by"].items())
        )
        rows.append(("   solved by (sums: no cap binds; caps: closed forms; lp)", shares, "", "", ""))
    for part, message in figures.get("failures", {}).items():
        rows.append((f"{part}: FAILED", message, "", "", "NO"))
    headers = ("measure", "figure", "rate / detail", "target", "met")
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(5)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines)


def engine_version() -> str:
    """The last commit of the engine (clee/rules), and whether it had uncommitted changes."""
    root = Path(__file__).resolve().parent.parent

    def git(*command: str) -> str:
        return subprocess.run(
            ["git", *command], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        last = git("log", "-1", "--format=%h", "--", "clee/rules")
        dirty = git("status", "--porcelain", "--", "clee/rules")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return last + (" + uncommitted changes in clee/rules/" if dirty else "")


def load_average() -> str:
    """The 1-minute load average: other work on the machine makes the figures noisy."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def environment() -> dict[str, str]:
    return {
        "engine": engine_version(),
        "python": platform.python_version(),
        "numpy": metadata.version("numpy"),
        "highspy": metadata.version("highspy"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        "load_at_start": load_average(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the CLEE rules engine.")
    parser.add_argument("--quick", action="store_true", help=f"national scale on {NATIONAL_QUICK:,} officers")
    parser.add_argument("--part", action="append", choices=PARTS, help="run only this part (repeatable)")
    parser.add_argument("--isolate", action="store_true", help="run the national part in its own process")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--missouri-count", type=int, default=MISSOURI_OFFICERS)
    parser.add_argument(
        "--national-count", type=int, help="officers streamed (default 800,000; quick 100,000)"
    )
    parser.add_argument(
        "--generation-sample",
        type=int,
        help="officers for 'generation alone' (default: all, 200,000 at most)",
    )
    parser.add_argument("--repeats", type=int, help="timed runs of the Missouri part (default 5; quick 3)")
    parser.add_argument("--single", type=int, default=300, help="officers per kind for one-officer latency")
    parser.add_argument("--profile", action="store_true", help="cProfile one more Missouri run and print it")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    parts = args.part or list(PARTS)
    national = args.national_count or (NATIONAL_QUICK if args.quick else NATIONAL_OFFICERS)
    sample = args.generation_sample or min(national, 200_000)
    repeats = args.repeats or (3 if args.quick else 5)
    figures: dict[str, Any] = {"environment": environment()}

    if args.child:  # the isolated national run: figures as JSON on stdout, nothing else
        figures["national"] = bench_national(national, args.seed, sample)
        print(json.dumps(figures))
        return 0
    failures: dict[str, str] = {}

    def attempt(part: str, run: Callable[[], dict[str, Any]]) -> None:
        """Run one part; an engine error is reported in the table, the other parts still run."""
        try:
            figures[part] = run()
        except Exception as error:  # the engine is under development: report, go on
            traceback.print_exc()
            failures[part] = f"{type(error).__name__}: {error}".splitlines()[0][:160]

    if "national" in parts and args.isolate:  # first, before this process grows
        attempt("national", lambda: bench_national_isolated(national, args.seed, sample))
    if "missouri" in parts:
        runs = repeats + (1 if args.profile else 0)
        attempt("missouri", lambda: bench_missouri(args.missouri_count, args.seed, runs, args.profile))
    if "single" in parts:
        attempt("single", lambda: bench_single(args.seed, args.single))
    if "batch" in parts:
        attempt("batch", lambda: bench_batch(args.missouri_count, args.seed, 2 if args.quick else 3))
    if "batch-hard" in parts:
        hard = synthetic.HARD_CAPPED_SHARE
        attempt(
            "batch-hard", lambda: bench_batch(args.missouri_count, args.seed, 2 if args.quick else 3, hard)
        )
    if "national" in parts and not args.isolate:
        gc.collect()
        attempt("national", lambda: bench_national(national, args.seed, sample))
    figures["failures"] = failures

    env = figures["environment"]
    env["load_at_end"] = load_average()
    print(
        f"\nCLEE rules engine benchmark — MO 2023, seed {args.seed}, engine {env['engine']}\n"
        f"Python {env['python']}, "
        f"numpy {env['numpy']}, highspy {env['highspy']}; {env['machine']}; "
        f"load average {env['load_at_start']} at start, {env['load_at_end']} at end\n"
    )
    print(report(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
