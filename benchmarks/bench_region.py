"""Real-region benchmark: a 5-day open-jaw trip Huế → Nha Trang over the whole catalogue.

What it measures (issue 4, "The real region"):
* wall time of ``touroute.plan.plan`` per run, from a fresh :class:`PlanningContext` (so it includes loading the
  cached Huế road network and the cached catalogue matrix from disk), for several seeds → p50 / max;
* the score, stops, km and driving time of each plan, checked by the independent checker;
* VROOM (pyvroom, exploration level 5, same time limit) on the same instance: the same nodes, service times, time
  windows (opening hours × days), lunch breaks and driving cap. VROOM cannot choose overnight hubs nor enforce
  must-cover provinces, so it is given the hubs *our* plan chose and the province rule is reported, not imposed.

Usage:  python benchmarks/bench_region.py [--runs 5] [--seconds S] [--markdown benchmarks/REGION_RESULTS.md]
Needs ../shared/data/osm/hue.osm.pbf for the cached network (skipped with a note when absent).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def request(seconds: float | None, seed: int):
    from touroute.model import PlanRequest

    solver = {"seed": seed} if seconds is None else {"seed": seed, "time_limit_s": seconds}
    return PlanRequest(
        start_date=date(2026, 12, 7), days=5, start="hue-hub-hue-city", end="kh-hub-nha-trang",
        categories=["heritage", "coastal", "other", "mice"], max_driving_minutes_per_day=330,
        regional={"must_cover": ["Quảng Nam", "Quảng Ngãi", "Bình Định", "Phú Yên"], "min_stops_per_province": 1},
        solver=solver)


def vroom_same_instance(model, sol, seconds: float) -> tuple[float, list[str], float]:
    """VROOM on our problem with our chosen hubs; returns (score, checker violations, seconds)."""
    import vroom

    from touroute.solve import check, make_solution

    P = model.problem
    T = np.rint(P.travel).astype(np.int64)
    inp = vroom.Input()
    inp.set_durations_matrix("car", T.tolist())
    starts, ends = sol.route_starts, sol.route_ends
    for d, spec in enumerate(P.routes):
        brks = []
        if spec.break_ is not None:
            brks = [vroom.Break(d + 1, time_windows=[vroom.TimeWindow(int(math.ceil(spec.break_.earliest)),
                                                                      int(spec.break_.latest))],
                                service=int(spec.break_.duration))]
        inp.add_vehicle(vroom.Vehicle(
            d + 1, start=int(starts[d]), end=int(ends[d]),
            time_window=vroom.TimeWindow(int(math.ceil(spec.t_start)), int(spec.t_end)), breaks=brks,
            max_travel_time=None if spec.max_travel is None else int(spec.max_travel)))
    hotels = P.hotel_nodes
    smax = float(P.score.max()) or 1.0
    for i in range(P.n):
        if i in hotels or not P.windows[i] or P.score[i] <= 0:
            continue
        tws = [vroom.TimeWindow(int(math.ceil(a)), int(b)) for a, b in P.windows[i] if int(b) >= int(math.ceil(a))]
        if not tws:
            continue
        inp.add_job(vroom.Job(i, location=i, default_service=int(math.ceil(P.service[i])),
                              priority=max(1, int(round(100 * P.score[i] / smax))), time_windows=tws))
    t = time.perf_counter()
    res = inp.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=seconds))
    el = time.perf_counter() - t
    routes: list[list[int]] = [[] for _ in P.routes]
    df = res.routes
    for _, row in df.iterrows():
        if row["type"] == "job":
            routes[int(row["vehicle_id"]) - 1].append(int(row["id"]))
    full = [[starts[d], *routes[d], ends[d]] for d in range(len(P.routes))]
    vs = make_solution(P, full, {})
    viol = check(P, vs)
    return float(sum(P.score[v] for r in routes for v in r)), viol, el


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=None, help="solver time limit (default: the request default)")
    ap.add_argument("--markdown", type=Path, default=None)
    a = ap.parse_args()

    from touroute.plan import PlanningContext, build_model, plan, _solve_with_rules
    from touroute.solve import warmup

    data = Path(os.environ.get("TOUROUTE_DATA_DIR") or tempfile.mkdtemp(prefix="touroute-bench-"))
    os.environ["TOUROUTE_DATA_DIR"] = str(data)
    pbf = SHARED / "data" / "osm" / "hue.osm.pbf"
    note = ""
    if pbf.exists():
        from touroute.network import build_network

        build_network(str(pbf), name="hue", data_dir=str(data))
    else:
        note = "(../shared absent: no road network cached — every leg estimated)"
    warm = warmup()
    # prime the catalogue matrix cache (as a running server would have it)
    PlanningContext(data_dir=str(data)).matrix(request(a.seconds, 0).profile)

    rows = []
    for seed in range(a.runs):
        req = request(a.seconds, seed)
        t = time.perf_counter()
        ctx = PlanningContext(data_dir=str(data))
        it = plan(req, ctx, geometry=False)
        el = time.perf_counter() - t
        rows.append((seed, el, it))
        tot = it.totals
        print(f"seed {seed}: {el:5.2f} s feasible={it.feasible} score {tot.score:.0f} stops {tot.stops} "
              f"{tot.metres / 1000:.0f} km ({tot.estimated_metres / 1000:.0f} km estimated) "
              f"drive {tot.driving_seconds / 3600:.1f} h", flush=True)
        if not it.feasible:
            print("  problems:", it.problems)
    times = [r[1] for r in rows]
    p50 = statistics.median(times)
    # VROOM on the seed-0 instance
    req = request(a.seconds, 0)
    ctx = PlanningContext(data_dir=str(data))
    model = build_model(req, ctx)
    sol, _ = _solve_with_rules(model, req)
    vscore, vviol, vt = vroom_same_instance(model, sol, req.solver.time_limit_s)
    n_cand = len(model.candidates)
    it0 = rows[0][2]
    prov = it0.totals.visit_minutes_by_province
    lines = [
        "## Real region: 5-day open-jaw trip Huế → Nha Trang",
        "",
        f"Command: `python benchmarks/bench_region.py --runs {a.runs}"
        + (f" --seconds {a.seconds:g}" if a.seconds else "") + "` " + note,
        "",
        f"Request: start 2026-12-07 (a Monday), 5 days 08:00–18:30, Huế city → Nha Trang, overnight hubs chosen by "
        f"the optimiser among {len(model.hubs)} hubs, 60-min lunch between 11:30 and 13:30, driving cap 5.5 h/day, "
        f"must cover Quảng Nam, Quảng Ngãi, Bình Định, Phú Yên; {n_cand} candidate places (whole catalogue minus "
        f"hubs, components of larger sites and island places, which form boat day-trip nodes); solver limit "
        f"{req.solver.time_limit_s:g} s. Each run builds a fresh PlanningContext (loads the cached Huế network and "
        f"the cached catalogue matrix from disk). Numba kernels warm-up (once per process): {warm:.1f} s.",
        "",
        "| seed | wall time s | score | stops | km (estimated) | driving h | feasible |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for seed, el, it in rows:
        tot = it.totals
        lines.append(f"| {seed} | {el:.2f} | {tot.score:.0f} | {tot.stops} | {tot.metres / 1000:.0f} "
                     f"({tot.estimated_metres / 1000:.0f}) | {tot.driving_seconds / 3600:.1f} | {it.feasible} |")
    lines += [
        "",
        f"**p50 wall time {p50:.2f} s** (max {max(times):.2f} s; target p50 ≤ 5 s).",
        "",
        f"VROOM on the seed-0 instance (our hubs {[model.places[h].id for h in sol.route_ends[:-1]]}, same windows, "
        f"breaks and driving cap; no province rule): score **{vscore:.0f}** in {vt:.2f} s, checker violations: "
        f"{len(vviol)}{(' (' + '; '.join(vviol[:2]) + ')') if vviol else ''} — touroute {sol.score:.0f} (ratio touroute/VROOM {sol.score / vscore if vscore else math.inf:.3f}).",
        "",
        "Visit time per province (seed 0): " + ", ".join(f"{k} {v / 60:.1f} h" for k, v in prov.items()),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if a.markdown:
        a.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
