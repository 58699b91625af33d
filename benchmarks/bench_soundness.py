"""Soundness benchmark: many random requests over the whole region, every result judged independently.

Each request comes from the seeded corner generator (``tests/corner_requests.py``: 1–14 days, all four vehicles,
open-jaw trips between any two hubs, island day trips, fixed / pinned nights, locks, must-cover with legacy and
2025 names, share caps, minimum hours, driving caps, lunch on / off, time limits 0.2–10 s). Every result is sorted
by ``tests.corner_requests.judge`` into exactly one of:

* **feasible + verified** — passes ``tests/planner/test_plan.py::verify`` and ``touroute.solve.check`` (re-run on the plan
  rebuilt from the itinerary);
* **explained infeasible** (``feasible=False``) or **refused** (``PlanningError`` naming the request's field or
  place), by category of the reason;
* **failures** — "internal" / no-timetable answers, verification or checker failures, exceptions, unexplained
  refusals. Target: 0.

Three ways of running a request: the CLI's (deterministic work budget, wall-clock safety stop), the web server's
(``plan(..., deadline=time limit + 1 s)``, as ``web.limits.plan_deadline``), and either under CPU load (one busy
process per core for the duration of that share).

Usage:  python benchmarks/bench_soundness.py [--seed 0] [--count 1000] [--limits spread|quick]
                                            [--deadline-share 0.2] [--load-share 0.1] [--only K] [--json out.json]
Run heavy runs inside ``flock /tmp/touroute-bench.lock``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/corner_requests.py (the generator and the judge) and tests/planner/test_plan.py


def request_seed(seed: int, k: int) -> str:
    """The generator seed of request ``k`` of a run (``random.Random`` hashes a str seed deterministically)."""
    return f"soundness:{seed}:{k}"


def modes(seed: int, count: int, deadline_share: float, load_share: float) -> list[str]:
    """How each request runs: "cli", "web" (with ``deadline=``), or "cli+load" / "web+load" (the last
    ``load_share`` of the run, under CPU load)."""
    rng = random.Random(f"modes:{seed}")
    out = ["web" if rng.random() < deadline_share else "cli" for _ in range(count)]
    for k in range(count - round(load_share * count), count):
        out[k] += "+load"
    return out


def run(seed: int, count: int, limits: str, deadline_share: float, load_share: float,
        only: int | None = None, verbose: bool = True, max_minutes: float | None = None,
        island_nights: bool = False) -> list[dict]:
    from touroute.matrix import TravelTimes
    from touroute.planner import PlanningContext
    from touroute.solve.ils import warmup

    from tests.corner_requests import (LIMITS_QUICK, LIMITS_SPREAD, SeededDraw, corner_request, cpu_load,
                                       island_night_request, judge)

    lims = LIMITS_QUICK if limits == "quick" else LIMITS_SPREAD
    ctx = PlanningContext(router=TravelTimes([]), data_dir=tempfile.mkdtemp(prefix="bench-soundness-"))
    warmup()
    how = modes(seed, count, deadline_share, load_share)
    ks = [only] if only is not None else list(range(count))
    rows: list[dict] = []

    stop_at = math.inf if max_minutes is None else time.perf_counter() + 60.0 * max_minutes

    def one(k: int) -> None:
        if time.perf_counter() > stop_at:
            raise KeyboardInterrupt
        make = island_night_request if island_nights else corner_request
        body = make(SeededDraw(request_seed(seed, k)), lims)
        o = judge(body, ctx, deadline_grace=1.0 if how[k].startswith("web") else None)
        rows.append({"k": k, "mode": how[k], "kind": o.kind, "reason": o.reason, "seconds": o.seconds,
                     "limit": body["solver"]["time_limit_s"], "days": body["days"],
                     "stopped_by_clock": o.stopped_by_clock, "body": body,
                     "detail": o.detail if (o.failed or o.reason == "other") else ""})
        if verbose and (o.failed or o.reason == "other"):
            print(f"!! {k} {o.kind}: {o.reason}\n   {json.dumps(body, ensure_ascii=False)}\n   {o.detail[-2000:]}",
                  flush=True)
        if verbose and len(rows) % 50 == 0:
            print(f"... {len(rows)}/{len(ks)} {Counter(r['kind'] for r in rows)}", flush=True)

    plain = [k for k in ks if "+load" not in how[k]]
    loaded = [k for k in ks if "+load" in how[k]]
    try:
        for k in plain:
            one(k)
        if loaded:
            with cpu_load(seconds=60.0 + 25.0 * len(loaded)):
                for k in loaded:
                    one(k)
    except KeyboardInterrupt:  # Ctrl-C or --max-minutes: report what is done, marked as partial
        print(f"interrupted after {len(rows)} of {len(ks)} requests: the report below is partial", flush=True)
    return rows


def report(rows: list[dict], args: argparse.Namespace, wall: float) -> str:
    from tests.corner_requests import FAILURES, percentile

    kinds = Counter(r["kind"] for r in rows)
    n = len(rows)
    lines = [f"Command: `flock /tmp/touroute-bench.lock python benchmarks/bench_soundness.py --seed {args.seed} "
             f"--count {args.count} --limits {args.limits} --deadline-share {args.deadline_share} "
             f"--load-share {args.load_share}" + (" --island-nights" if getattr(args, "island_nights", False) else "")
             + "`",
             f"Run: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.processor() or platform.machine()}, "
             f"{os.cpu_count()} cores, Python {platform.python_version()}; {n} requests in {wall / 60:.1f} min"
             + (" (PARTIAL: interrupted before the end)." if n < (1 if args.only is not None else args.count) else "."),
             "",
             "| outcome | requests | share |", "| --- | ---: | ---: |"]
    lines.append(f"| feasible, passes `verify` and `check` | {kinds['feasible']} | {kinds['feasible'] / n:.0%} |")
    for kind, label in (("infeasible", "explained infeasible"), ("refused", "refused up front (PlanningError)")):
        by = Counter(r["reason"] for r in rows if r["kind"] == kind)
        lines.append(f"| {label} | {kinds[kind]} | {kinds[kind] / n:.0%} |")
        for reason, c in by.most_common():
            lines.append(f"| &nbsp;&nbsp;· {reason} | {c} | |")
    bad = sum(kinds[f] for f in FAILURES)
    lines.append(f"| **failures** (internal, verify, check, exception, unexplained) | **{bad}** | |")
    for f in FAILURES:
        if kinds[f]:
            lines.append(f"| &nbsp;&nbsp;· {f} | {kinds[f]} | |")
    lines += ["", "| mode | requests | failures | stopped by the clock | plan time p50 | p95 | max |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for mode in ("cli", "web", "cli+load", "web+load", "all"):
        sel = [r for r in rows if mode == "all" or r["mode"] == mode]
        if not sel:
            continue
        secs = [r["seconds"] for r in sel]
        lines.append(f"| {mode} | {len(sel)} | {sum(r['kind'] in FAILURES for r in sel)} | "
                     f"{sum(r['stopped_by_clock'] for r in sel)} | {percentile(secs, 50):.2f} s | "
                     f"{percentile(secs, 95):.2f} s | {max(secs):.2f} s |")
    lines += ["", "| time limit | requests | feasible | plan time p50 | p95 | p95 ÷ limit |",
              "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for lim in sorted({r["limit"] for r in rows}):
        sel = [r for r in rows if r["limit"] == lim]
        secs = [r["seconds"] for r in sel]
        lines.append(f"| {lim:g} s | {len(sel)} | {sum(r['kind'] == 'feasible' for r in sel)} | "
                     f"{percentile(secs, 50):.2f} s | {percentile(secs, 95):.2f} s | "
                     f"{percentile(secs, 95) / lim:.1f} |")
    days = Counter(r["days"] for r in rows if r["kind"] == "feasible")
    lines += ["", "Feasible plans by trip length (days: count): " + ", ".join(f"{d}: {c}" for d, c in sorted(days.items()))]
    fails = [r for r in rows if r["kind"] in FAILURES]
    for r in fails:
        lines.append(f"- FAILURE #{r['k']} ({r['mode']}, {r['kind']}: {r['reason']}): "
                     f"`{json.dumps(r['body'], ensure_ascii=False)}`")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--limits", choices=["spread", "quick"], default="spread",
                    help="spread: 0.2–10 s, mostly short; quick: 0.2–0.5 s")
    ap.add_argument("--deadline-share", type=float, default=0.2, help="share run the web's way (deadline=)")
    ap.add_argument("--load-share", type=float, default=0.1, help="share run under CPU load (the run's tail)")
    ap.add_argument("--only", type=int, default=None, help="re-run request K of the run (same seed, mode)")
    ap.add_argument("--json", type=Path, default=None, help="write every result here")
    ap.add_argument("--max-minutes", type=float, default=None,
                    help="start no request after this many minutes (the report then says it is partial)")
    ap.add_argument("--island-nights", action="store_true",
                    help="every request pins a night on an island hub (tests/corner_requests.island_night_request)")
    args = ap.parse_args(argv)
    t = time.perf_counter()
    rows = run(args.seed, args.count, args.limits, args.deadline_share, args.load_share, args.only,
               max_minutes=args.max_minutes, island_nights=args.island_nights)
    wall = time.perf_counter() - t
    text = report(rows, args, wall)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"(median {statistics.median(r['seconds'] for r in rows):.2f} s a plan)")
    from tests.corner_requests import FAILURES

    return 1 if any(r["kind"] in FAILURES for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
