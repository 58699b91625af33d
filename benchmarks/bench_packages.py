"""Benchmark of ``touroute packages build``: sequential (workers=1) against a process pool (workers=2), side by side.

Builds the same spec (default ``data/packages/example.yaml``: 3 packages of 2, 3 and 5 days, PDFs printed by
headless Chromium) in one run, alternating the modes (1, 2, 2, 1 … with ``--repeat``) so a noisy machine hits both
alike, and reports each build's wall time, the ratio, and whether both modes produced the same packages (stops,
duplicates, prices, files). It also times a worker pool's start-up on its own (first pool of the process: the fork
server imports touroute, pandas, numba and matplotlib; a second pool: forked from the warm server) — the overhead
a parallel build has to repay.

    python benchmarks/bench_packages.py [--spec data/packages/example.yaml] [--seconds 4] [--no-pdf] [--repeat 1]

The planning context is the usual one (cached networks of ``$TOUROUTE_DATA_DIR`` / the user cache; the networks
used are printed). Timings are never asserted in unit tests: the results and this command go to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _probe() -> bool:
    from touroute import packages as pk

    return pk._WORKER_CTX is not None


def pool_startup(ctx, spec, n: int = 2) -> float:
    """Seconds until ``n`` fresh workers have run their initializer (context unpickled, kernels loaded)."""
    from concurrent.futures import ProcessPoolExecutor

    from touroute import packages as pk

    reqs = [spec.request(t, ctx.catalogue) for t in spec.packages]
    blob = pk._context_blob(ctx, reqs)
    t = time.perf_counter()
    with ProcessPoolExecutor(n, mp_context=pk._mp_context(), initializer=pk._init_worker, initargs=(blob,)) as p:
        assert all(f.result() for f in [p.submit(_probe) for _ in range(n)])
        return time.perf_counter() - t


def _signature(results) -> list[tuple]:
    return [(r.id, r.feasible, r.stops, r.per_person_vnd, r.duplicate_of, r.files, r.problems) for r in results]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--spec", default=str(ROOT / "data" / "packages" / "example.yaml"))
    ap.add_argument("--seconds", type=float, default=None, help="solver seconds per package (default: the spec's)")
    ap.add_argument("--no-pdf", action="store_true", help="HTML brochures only (no Chromium)")
    ap.add_argument("--repeat", type=int, default=1, help="pairs of builds per mode")
    args = ap.parse_args()

    from touroute.packages import build_packages, load_spec, usable_cores
    from touroute.planner import PlanningContext

    ctx = PlanningContext()
    spec = load_spec(args.spec, ctx.catalogue)
    if args.seconds is not None:
        spec = spec.model_copy(update={"solver_seconds": args.seconds})
    pdf = not args.no_pdf
    from datetime import datetime, timezone

    print(f"run: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {platform.processor() or platform.machine()}, {usable_cores()} usable core(s), "
          f"load avg {os.getloadavg()[0]:.2f}; Python {platform.python_version()}")
    print(f"spec: {Path(args.spec).name}, {len(spec.packages)} packages, solver {spec.solver_seconds:g} s each, "
          f"pdf={'yes' if pdf and shutil.which('chromium') else 'no'}; networks: "
          f"{', '.join(ctx.router.network_names) or 'none (estimates)'}")
    for p in sorted({spec.request(t, ctx.catalogue).profile for t in spec.packages}):
        ctx.matrix(p)  # both modes start from a context with its matrices in memory
    first = pool_startup(ctx, spec)
    second = pool_startup(ctx, spec)
    print(f"worker pool start-up (2 workers): first {first:.2f} s, second (warm fork server) {second:.2f} s")

    times: dict[int, list[float]] = {1: [], 2: []}
    sigs: dict[int, list[tuple]] = {}
    order = [1, 2, 2, 1] * args.repeat
    with tempfile.TemporaryDirectory(prefix="bench-packages-") as tmp:
        for k, w in enumerate(order):
            out = Path(tmp) / f"run{k}-w{w}"
            t = time.perf_counter()
            res = build_packages(spec, out, ctx, tiles="", pdf=pdf, workers=w)
            times[w].append(time.perf_counter() - t)
            sigs.setdefault(w, _signature(res))
            stop = 2 * spec.solver_seconds + 1
            hit = [r.id for r in res if r.feasible and not r.duplicate_of
                   and json.loads((out / r.id / "itinerary.json").read_text("utf-8"))["solver"].get("seconds_own", 0)
                   >= stop - 0.05]
            print(f"  build {k + 1}: workers={w}  {times[w][-1]:6.2f} s  "
                  f"({sum(r.feasible for r in res)}/{len(res)} feasible"
                  + (f"; solver safety stop ({stop:g} s) reached by: {', '.join(hit)}" if hit else "") + ")",
                  flush=True)
    m1, m2 = (sum(times[w]) / len(times[w]) for w in (1, 2))
    print(f"workers=1: mean {m1:.2f} s   workers=2: mean {m2:.2f} s   speed-up ×{m1 / m2:.2f}")
    same = sigs[1] == sigs[2]
    print(f"same packages, duplicates, prices and files in both modes: {same}")
    if not same:
        print("  differing packages: " + ", ".join(a[0] for a, b in zip(sigs[1], sigs[2]) if a != b)
              + " (expected only when a solver search reached its wall-clock safety stop: an overloaded machine)")


if __name__ == "__main__":
    main()
