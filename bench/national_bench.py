"""National scale: 800,000 officers streamed through ``evaluate_many`` on every core.

    .venv/bin/python bench/national_bench.py [--officers 800000] [--workers 2] [--pool 20000]

The state is split by officer (as a national deployment shards its credit tables): each worker
process evaluates its share as one stream, with full explanations (``to_dict()`` on every
result), keeping nothing. Its officers cycle through a pool of synthetic officers generated
before the clock starts, so the figure is the engine's and not the generator's (generating an
officer costs more than evaluating one; see bench/rules_bench.py). Reports wall time, officers/s
and each worker's peak resident memory. Target (issue 2): under 60 s, memory bounded.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic import scenarios

from clee.rules import Scenario, evaluate_many


def worker(share: int, pool_size: int, seed: int, ready: object, start: object, out: object) -> None:
    pool = list(scenarios(pool_size, seed=seed))
    gc.freeze()  # the pool lives for the whole run: keep it out of every collection
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ready.wait()  # type: ignore[attr-defined]
    start.wait()  # type: ignore[attr-defined]
    began = time.perf_counter()
    cpu = time.process_time()
    stream: Iterator[Scenario] = itertools.islice(itertools.cycle(pool), share)
    count = lp = 0
    for result in evaluate_many(stream):
        result.to_dict()
        count += 1
        lp += result.solved_by == "lp"
    out.put(  # type: ignore[attr-defined]
        (
            os.getpid(),
            count,
            lp,
            time.perf_counter() - began,
            time.process_time() - cpu,
            rss_before,
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=800_000)
    parser.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--pool", type=int, default=20_000, help="distinct officers generated per worker")
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args()
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(args.workers + 1)
    start = context.Barrier(args.workers + 1)
    out = context.Queue()
    shares = [args.officers // args.workers + (i < args.officers % args.workers) for i in range(args.workers)]
    processes = [
        context.Process(target=worker, args=(share, args.pool, args.seed + i, ready, start, out))
        for i, share in enumerate(shares)
    ]
    for process in processes:
        process.start()
    ready.wait()  # every pool generated
    began = time.perf_counter()
    start.wait()
    rows = [out.get() for _ in processes]
    wall = time.perf_counter() - began
    for process in processes:
        process.join()
    total = sum(row[1] for row in rows)
    print(f"{total:,} officers on {args.workers} workers, {wall:.1f} s wall, {total / wall:,.0f} officers/s")
    for pid, count, lp, seconds, cpu, rss_before, rss_peak in rows:
        print(
            f"  worker {pid}: {count:,} officers ({lp / count:.1%} through the LP) in {seconds:.1f} s "
            f"(CPU {cpu:.1f} s); peak RSS {rss_peak:.0f} MB, of which the pool {rss_before:.0f} MB"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} cores)")
    print("target: under 60 s with bounded memory")


if __name__ == "__main__":
    main()
