"""Real-region benchmark: a 5-day open-jaw trip Huế → Nha Trang over the whole catalogue.

What it measures (issue 4, "The real region"):
* wall time of ``touroute.planner.plan`` per run, from a fresh :class:`PlanningContext` (so it includes loading the
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


# ---------------------------------------------------------------------------------------------------------------
# Interactive speed (issue 11, item 6): new plans and re-plans after an edit, today's settings vs interactive ones
# ---------------------------------------------------------------------------------------------------------------
# 5-day regional requests. The interactive time limits were chosen on the TUNING requests only; the HELD-OUT ones
# were never looked at while choosing them.
_BASE = {"start_date": "2026-12-07", "days": 5}
TUNING = {
    "hue-nhatrang-4prov": dict(_BASE, start="hue-hub-hue-city", end="kh-hub-nha-trang",
                               categories=["heritage", "coastal", "other", "mice"], max_driving_minutes_per_day=330,
                               regional={"must_cover": ["Quảng Nam", "Quảng Ngãi", "Bình Định", "Phú Yên"]}),
    "danang-loop-heritage-coach": dict(_BASE, start="dn-city-centre", end="dn-city-centre", vehicle="coach",
                                       group_size=40, categories=["heritage"],
                                       regional={"must_cover": ["Thừa Thiên Huế", "Quảng Nam"]}),
    "quynhon-phanthiet-coast": dict(_BASE, start="bd-quy-nhon", end="bt-hub-phan-thiet",
                                    categories=["coastal", "heritage"], regional={"must_cover": ["Ninh Thuận"]}),
    "hue-hoian-relaxed": dict(_BASE, start="hue-hub-hue-city", end="qnam-hoi-an", pace="relaxed"),
}
HELD_OUT = {
    "danang-nhatrang-2025-names": dict(_BASE, start="dn-city-centre", end="kh-hub-nha-trang",
                                       regional={"must_cover": ["Quảng Ngãi", "Gia Lai", "Đắk Lắk"],
                                                 "max_share_one_province": 0.4}),
    "dongHoi-danang-van": dict(_BASE, start="qb-hub-dong-hoi", end="dn-city-centre", vehicle="van", group_size=12),
    "nhatrang-hcm-open-jaw": dict(_BASE, start="kh-hub-nha-trang", end="hcm-city-centre-hub",
                                  categories=["coastal", "heritage", "other"]),
    "quangngai-loop-mice": dict(_BASE, start="qng-quang-ngai-city", end="qng-quang-ngai-city",
                                categories=["heritage", "mice", "coastal"], group_size=30, vehicle="coach",
                                regional={"must_cover": ["Bình Định", "Quảng Nam"]}),
}
SETTINGS = {"today": {"plan_s": 5.0, "replan_s": 2.0}}
"""Before issue 11: the web app's new-plan and re-plan limits (TOUROUTE_PLAN_SECONDS, TOUROUTE_REPLAN_SECONDS)."""


def _edits(it) -> list[tuple[str, dict]]:
    """Four edits a user makes on a plan: remove a stop, lock a stop to another day, add a place, move a night."""
    from touroute.pois import default_catalogue

    out = []
    stops = [(d.day, s.place_id) for d in it.days for s in d.stops if not s.place_id.startswith("ferry:")]
    if len(stops) >= 2:
        out.append(("remove", {"action": "remove", "place_id": stops[len(stops) // 2][1]}))
        day, pid = stops[1]
        out.append(("lock", {"action": "lock", "place_id": pid, "day": str(min(len(it.days), day + 1))}))
    left = [e.place_id for e in it.excluded if e.reason == "low_score"]
    if left:
        out.append(("add", {"action": "add", "place_id": left[0]}))
    if len(it.days) > 2:
        cat = default_catalogue()
        hubs = sorted(cat.hubs().records)
        night = 2
        cur = it.days[night - 1].end.place_id
        lat, lon = it.days[night - 1].end.lat, it.days[night - 1].end.lon
        island = {"qng-ly-son-town"}  # the only island hub: nights are slept on the mainland
        other = min((h for h in hubs if h != cur and h not in island),
                    key=lambda h: (cat.get(h).lat - lat) ** 2 + (cat.get(h).lon - lon) ** 2)
        out.append(("hub", {"action": "hub", "night": str(night), "hub": other}))
    return out


def speed(seeds: int, settings: dict[str, dict]) -> list[dict]:
    """Every request × seed × setting: a new plan, then each edit re-planned warm (from the plan) and, for the
    quality reference, from scratch with today's new-plan limit."""
    from touroute.model import PlanRequest
    from touroute.planner import PlanningContext, plan
    from touroute.web.service import apply_edit

    ctx = PlanningContext(data_dir=os.environ["TOUROUTE_DATA_DIR"])
    for prof in ("car", "van", "coach"):
        ctx.matrix(prof)
    rows = []
    for split, reqs in (("tuning", TUNING), ("held-out", HELD_OUT)):
        for name, body in reqs.items():
            for seed in range(seeds):
                ref_plan = None
                for sname, st in settings.items():
                    req = PlanRequest.model_validate(dict(body, solver={"seed": seed, **(
                        {"time_limit_s": st["plan_s"]} if st["plan_s"] else {})}))
                    t = time.perf_counter()
                    it = plan(req, ctx, geometry=False)
                    el = time.perf_counter() - t
                    rows.append({"split": split, "request": name, "seed": seed, "setting": sname, "kind": "plan",
                                 "seconds": el, "score": it.totals.score if it.feasible else 0.0,
                                 "feasible": it.feasible})
                    ref_plan = ref_plan or it
                    if not it.feasible:
                        continue
                    for ename, edit in _edits(ref_plan):
                        data = apply_edit(req.model_dump(mode="json"), edit)
                        data["solver"] = {"seed": seed, **({"time_limit_s": st["replan_s"]} if st["replan_s"] else {})}
                        ereq = PlanRequest.model_validate(data)
                        t = time.perf_counter()
                        eit = plan(ereq, ctx, geometry=False, previous=ref_plan)
                        el = time.perf_counter() - t
                        rows.append({"split": split, "request": name, "seed": seed, "setting": sname,
                                     "kind": f"replan:{ename}", "seconds": el,
                                     "score": eit.totals.score if eit.feasible else 0.0, "feasible": eit.feasible})
                print(f"{split} {name} seed {seed}: " + ", ".join(
                    f"{r['setting']}/{r['kind']} {r['seconds']:.2f}s {r['score']:.0f}" for r in rows
                    if r["request"] == name and r["seed"] == seed), flush=True)
    return rows


def speed_table(rows: list[dict], settings: dict[str, dict]) -> list[str]:
    names = list(settings)
    lines = ["| split | what | " + " | ".join(f"{n}: p50 s / max s" for n in names)
             + f" | score {names[1]} ÷ {names[0]} (mean, min) | feasible |",
             "| --- | --- | " + " | ".join("---" for _ in names) + " | --- | --- |"]
    for split in ("tuning", "held-out"):
        for kind in ("plan", "replan"):
            sel = [r for r in rows if r["split"] == split and r["kind"].startswith(kind)]
            cells = []
            for n in names:
                ts = [r["seconds"] for r in sel if r["setting"] == n]
                cells.append(f"{statistics.median(ts):.2f} / {max(ts):.2f}" if ts else "–")
            pairs = {}
            for r in sel:
                pairs.setdefault((r["request"], r["seed"], r["kind"]), {})[r["setting"]] = r["score"]
            ratios = [p[names[1]] / p[names[0]] for p in pairs.values() if len(p) == 2 and p[names[0]] > 0]
            feas = f"{sum(r['feasible'] for r in sel)}/{len(sel)}"
            rat = f"{statistics.mean(ratios):.3f}, {min(ratios):.3f}" if ratios else "–"
            lines.append(f"| {split} | {'new 5-day plan' if kind == 'plan' else 're-plan after an edit'} | "
                         + " | ".join(cells) + f" | {rat} | {feas} |")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=None, help="solver time limit (default: the request default)")
    ap.add_argument("--markdown", type=Path, default=None)
    ap.add_argument("--speed", action="store_true",
                    help="interactive-speed section instead: new plans and re-plans after edits on the tuning and "
                         "held-out requests, today's settings vs --plan-s / --replan-s side by side")
    ap.add_argument("--seeds", type=int, default=3, help="seeds per request in --speed")
    ap.add_argument("--plan-s", type=float, default=None, help="interactive new-plan limit (default: the request "
                                                                  "default)")
    ap.add_argument("--replan-s", type=float, default=None, help="interactive re-plan limit (default: the web "
                                                                    "app's TOUROUTE_REPLAN_SECONDS default)")
    ap.add_argument("--only", choices=["tuning", "held-out"], default=None)
    a = ap.parse_args()

    from touroute.planner import PlanningContext, build_model, plan, _solve_with_rules
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
    if a.speed:
        return _speed_main(a, note)

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


def _speed_main(a, note: str) -> int:
    from touroute.web import DEFAULT_PLAN_SECONDS, DEFAULT_REPLAN_SECONDS

    settings = {"today": dict(SETTINGS["today"]),
                "interactive": {"plan_s": a.plan_s or DEFAULT_PLAN_SECONDS,
                                "replan_s": a.replan_s or DEFAULT_REPLAN_SECONDS}}
    global TUNING, HELD_OUT
    if a.only == "tuning":
        HELD_OUT = {}
    elif a.only == "held-out":
        TUNING = {}
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    rows = speed(a.seeds, settings)
    lines = [f"Started {started}, load average {load:.2f} {note}",
             "",
             f"Settings: today = new plan {settings['today']['plan_s']:g} s, re-plan {settings['today']['replan_s']:g} s; "
             f"interactive = new plan {settings['interactive']['plan_s'] or 'automatic (2 s up to 5 days)'} s, re-plan "
             f"{settings['interactive']['replan_s']:g} s. Wall time of `plan()` with a warm PlanningContext (as in the "
             f"web app). Re-plans are warm-started from the seed's plan under today's settings; edits: remove a stop, "
             f"lock a stop to the next day, add a place left out, move night 2 to the nearest other hub.",
             "", *speed_table(rows, settings)]
    print("\n".join(lines))
    if a.markdown:
        a.markdown.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
