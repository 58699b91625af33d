"""The CP-SAT master problem on 33 regional requests: every request planned WITH and WITHOUT it, side by side.

Requests (``REQUESTS``): provincial department tours with ``must_cover`` (legacy and 2025 province names), tours with
``max_share_one_province``, with ``min_visit_hours_per_province``, and traveller open-jaw trips of 3–10 days across
the region, on car / van / coach / motorbike. They are split by position into a **tuning half** (even positions)
and a **held-out half** (odd positions); the master's parameters and the planner's policy of when to run it
(``plan.MASTER_MIN_DAYS``) were chosen on the tuning half only (``--set tuning``, ``--capacity-factor``), and
both halves are reported.

For each request and mode: all rules met (feasible, every must-cover count, the share cap and the minimum hours,
computed from the itinerary itself), score, stops, and wall time of the whole ``plan()`` call (offline context:
every leg an estimate, the same for both modes). The without-path is today's planner (``plan(..., master=False)``:
hub-sequence enumeration + successive halving, re-solve loops for shares / hours).

Usage:  python benchmarks/bench_master.py [--seconds 4] [--seeds 1] [--set all|tuning|heldout]
                                          [--capacity-factor F] [--markdown FILE]
Run it alone: ``flock /tmp/touroute-bench.lock python benchmarks/bench_master.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone

D = "2026-12-07"


def _tour(days, start, end, vehicle, group, cover, *, min_stops=1, share=None, hours=0.0, cats=None):
    body = {"start_date": D, "days": days, "start": start, "end": end, "vehicle": vehicle, "group_size": group,
            "regional": {"must_cover": cover, "min_stops_per_province": min_stops,
                         "min_visit_hours_per_province": hours}}
    if share is not None:
        body["regional"]["max_share_one_province"] = share
    if cats:
        body["categories"] = cats
    return body


def _trip(days, start, end, vehicle, group, cats=None):
    body = {"start_date": D, "days": days, "start": start, "end": end, "vehicle": vehicle, "group_size": group}
    if cats:
        body["categories"] = cats
    return body


REQUESTS: list[tuple[str, str, dict]] = [
    # --- department tours: must-cover counts (legacy and 2025 names) -----------------------------------------------
    ("cover-5-legacy-coach-4d", "cover", _tour(4, "dn-city-centre", "dn-city-centre", "coach", 40,
     ["Thừa Thiên Huế", "Đà Nẵng", "Quảng Nam", "Quảng Ngãi", "Bình Định"], min_stops=2, cats=["heritage"])),
    ("cover-4-2025-coach-4d", "cover", _tour(4, "dn-city-centre", "dn-city-centre", "coach", 40,
     ["Huế", "Đà Nẵng", "Quảng Ngãi", "Gia Lai"], min_stops=2, cats=["heritage"])),
    ("cover-north-van-3d", "cover", _tour(3, "hue-hub-hue-city", "hue-hub-hue-city", "van", 12,
     ["Thừa Thiên Huế", "Quảng Trị", "Quảng Bình"], min_stops=2)),
    ("cover-south-2025-coach-5d", "cover", _tour(5, "kh-hub-nha-trang", "bt-hub-phan-thiet", "coach", 35,
     ["Khánh Hòa", "Lâm Đồng"], min_stops=2)),
    ("cover-danang-2025-mice-3d", "cover", _tour(3, "qnam-hoi-an", "qnam-hoi-an", "coach", 30, ["Đà Nẵng"],
     min_stops=3, cats=["mice", "heritage"])),
    ("cover-bd-py-kh-van-4d", "cover", _tour(4, "bd-quy-nhon", "kh-hub-nha-trang", "van", 10,
     ["Bình Định", "Phú Yên", "Khánh Hòa"], min_stops=2)),
    ("cover-hue-dn-2025-coach-2d", "cover", _tour(2, "hue-hub-hue-city", "dn-city-centre", "coach", 40,
     ["Huế", "Đà Nẵng"], min_stops=3)),
    ("cover-4-legacy-coach-5d", "cover", _tour(5, "dn-city-centre", "bd-quy-nhon", "coach", 40,
     ["Đà Nẵng", "Quảng Nam", "Quảng Ngãi", "Bình Định"], min_stops=2, cats=["heritage", "coastal"])),
    ("cover-quangtri-2025-van-3d", "cover", _tour(3, "qb-hub-dong-hoi", "hue-hub-hue-city", "van", 8,
     ["Quảng Trị"], min_stops=2)),
    ("cover-6-2025-coach-6d", "cover", _tour(6, "hue-hub-hue-city", "kh-hub-nha-trang", "coach", 40,
     ["Huế", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Đắk Lắk", "Khánh Hòa"])),
    # --- max share of visit time in one province ----------------------------------------------------------------
    ("share50-car-3d", "share", _tour(3, "dn-city-centre", "dn-city-centre", "car", 3, ["Đà Nẵng", "Quảng Nam"],
     share=0.5)),
    ("share40-coach-4d", "share", _tour(4, "hue-hub-hue-city", "dn-city-centre", "coach", 40,
     ["Thừa Thiên Huế", "Đà Nẵng", "Quảng Nam"], share=0.4, cats=["heritage"])),
    ("share30-van-5d", "share", _tour(5, "hue-hub-hue-city", "kh-hub-nha-trang", "van", 12, [], share=0.3)),
    ("share45-car-4d", "share", _tour(4, "kh-hub-nha-trang", "bt-hub-phan-thiet", "car", 4,
     ["Khánh Hòa", "Ninh Thuận", "Bình Thuận"], share=0.45)),
    ("share60-coach-3d", "share", _tour(3, "qng-quang-ngai-city", "bd-quy-nhon", "coach", 40,
     ["Quảng Ngãi", "Bình Định"], share=0.6)),
    ("share35-car-6d", "share", _tour(6, "dn-city-centre", "bd-quy-nhon", "car", 2, [], share=0.35)),
    # --- minimum visit hours per covered province ---------------------------------------------------------------
    ("hours4-coach-4d", "hours", _tour(4, "dn-city-centre", "dn-city-centre", "coach", 40,
     ["Đà Nẵng", "Quảng Nam", "Thừa Thiên Huế"], hours=4)),
    ("hours5-van-3d", "hours", _tour(3, "hue-hub-hue-city", "hue-hub-hue-city", "van", 12,
     ["Thừa Thiên Huế", "Quảng Trị"], hours=5)),
    ("hours2-coach-5d", "hours", _tour(5, "hue-hub-hue-city", "kh-hub-nha-trang", "coach", 40,
     ["Quảng Nam", "Quảng Ngãi", "Bình Định", "Phú Yên"], hours=2)),
    ("hours4-2025-car-4d", "hours", _tour(4, "kh-hub-nha-trang", "bt-hub-phan-thiet", "car", 2,
     ["Khánh Hòa", "Lâm Đồng"], hours=4)),
    ("hours3-share50-2025-coach-4d", "hours", _tour(4, "dn-city-centre", "bd-quy-nhon", "coach", 40,
     ["Đà Nẵng", "Quảng Ngãi", "Gia Lai"], hours=3, share=0.5)),
    ("hours5-share60-van-3d", "hours", _tour(3, "bd-quy-nhon", "py-tuy-hoa", "van", 10, ["Bình Định", "Phú Yên"],
     hours=5, share=0.6)),
    # --- traveller open-jaw trips, 3–10 days ------------------------------------------------------------------------
    ("trip-dn-hue-car-3d", "trip", _trip(3, "dn-city-centre", "hue-hub-hue-city", "car", 2)),
    ("trip-hue-nt-car-5d", "trip", _trip(5, "hue-hub-hue-city", "kh-hub-nha-trang", "car", 2)),
    ("trip-nt-muine-moto-4d", "trip", _trip(4, "kh-hub-nha-trang", "bt-hub-mui-ne", "motorbike", 2)),
    ("trip-hcm-nt-van-7d", "trip", _trip(7, "hcm-city-centre-hub", "kh-hub-nha-trang", "van", 8)),
    ("trip-hcm-hue-car-10d", "trip", _trip(10, "hcm-city-centre-hub", "hue-hub-hue-city", "car", 2)),
    ("trip-phongnha-qn-car-8d", "trip", _trip(8, "qb-hub-phong-nha", "bd-quy-nhon", "car", 3)),
    ("trip-dn-tuyhoa-moto-6d", "trip", _trip(6, "dn-city-centre", "py-tuy-hoa", "motorbike", 1)),
    ("trip-hue-hcm-van-9d", "trip", _trip(9, "hue-hub-hue-city", "hcm-city-centre-hub", "van", 10)),
    ("trip-qn-tuyhoa-car-3d", "trip", _trip(3, "bd-quy-nhon", "py-tuy-hoa", "car", 2)),
    ("trip-hcm-donghoi-coach-10d", "trip", _trip(10, "hcm-city-centre-hub", "qb-hub-dong-hoi", "coach", 30)),
    ("trip-dongha-camranh-car-7d", "trip", _trip(7, "qt-hub-dong-ha", "kh-hub-cam-ranh", "car", 2,
     cats=["coastal", "heritage"])),
]


def split(name: str) -> list[tuple[str, str, dict]]:
    """Tuning half = even positions, held-out half = odd positions (fixed before any tuning)."""
    if name == "tuning":
        return REQUESTS[0::2]
    if name == "heldout":
        return REQUESTS[1::2]
    return REQUESTS


def rules_met(it, req) -> tuple[bool, list[str]]:
    """Every regional rule of ``req`` checked on the itinerary itself (not on the solver's bookkeeping)."""
    from touroute import provinces as prov

    if not it.feasible:
        return False, ["infeasible: " + "; ".join(it.problems)[:120]]
    bad = []
    r = req.regional
    # counted per group as the planner counts them: each must-cover name is the area it means (2025 "Đà Nẵng" =
    # Đà Nẵng + Quảng Nam), other provinces per province of the request's scheme (docs/planner.md)
    groups = prov.rule_groups(r.must_cover, req.province_scheme)
    counts: dict[str, int] = {}
    for d in it.days:
        for s in d.stops:
            g = groups.group_of[s.province_legacy]
            counts[g] = counts.get(g, 0) + 1
    mins: dict[str, float] = {}
    for pv, m in it.totals.visit_minutes_by_province.items():
        mins[groups.group_of[pv]] = mins.get(groups.group_of[pv], 0.0) + m
    total = sum(mins.values()) or 1.0
    for label in groups.covered:
        if counts.get(label, 0) < max(1, r.min_stops_per_province):
            bad.append(f"{label}: {counts.get(label, 0)} stops")
        if mins.get(label, 0.0) < r.min_visit_hours_per_province * 60 - 1e-6:
            bad.append(f"{label}: {mins.get(label, 0.0) / 60:.1f} h")
    if r.max_share_one_province is not None:
        bad += [f"{pv}: {m / total:.0%}" for pv, m in mins.items() if m / total > r.max_share_one_province + 1e-9]
    return not bad, bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=4.0, help="solver.time_limit_s (the product default is 4)")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--set", choices=["all", "tuning", "heldout"], default="all")
    ap.add_argument("--capacity-factor", type=float, default=None, help="override MasterParams.capacity_factor")
    ap.add_argument("--only-master", action="store_true", help="skip the without-master runs (tuning)")
    ap.add_argument("--long", type=int, default=0, metavar="SEEDS",
                    help="instead: the 14-day Hồ Chí Minh City → Đồng Hới trip over the whole catalogue, seeds "
                         "0..SEEDS-1, default policy (master) vs without; p50 wall of the whole plan() call")
    ap.add_argument("--markdown", default=None)
    args = ap.parse_args(argv)
    if args.long:
        return long_trip(args.long, args.seconds, args.markdown)

    from touroute.matrix import TravelTimes
    from touroute.model import PlanRequest
    from touroute.planner import PlanningContext, plan
    from touroute.solve import warmup
    from touroute.solve import master as M

    if args.capacity_factor is not None:
        M.DEFAULT_PARAMS = dataclasses.replace(M.DEFAULT_PARAMS, capacity_factor=args.capacity_factor)
    warmup()
    ctx = PlanningContext(router=TravelTimes([]), data_dir=tempfile.mkdtemp(prefix="bench-master-"))
    modes = [True] if args.only_master else [False, True]
    halves = ["tuning", "heldout"] if args.set == "all" else [args.set]
    rows = []
    for half in halves:
        for name, kind, body in split(half):
            for seed in range(args.seeds):
                req = PlanRequest.model_validate(dict(body, solver={"time_limit_s": args.seconds, "seed": seed}))
                res = {}
                for mode in modes:
                    t = time.perf_counter()
                    it = plan(req, ctx, geometry=False, master=mode)
                    wall = time.perf_counter() - t
                    ok, bad = rules_met(it, req)
                    res[mode] = dict(ok=ok, bad=bad, feasible=it.feasible, wall=wall,
                                     score=it.totals.score if it.feasible else 0.0,
                                     stops=it.totals.stops if it.feasible else 0,
                                     rounds=(it.solver or {}).get("master_rounds"))
                rows.append((half, name, kind, seed, res))
                line = f"{half:8s} {name:32s} s{seed}"
                for mode in modes:
                    r = res[mode]
                    line += (f" | {'M' if mode else '-'} ok={int(r['ok'])} score={r['score']:6.1f} "
                             f"stops={r['stops']:3d} {r['wall']:5.1f}s {';'.join(r['bad'])[:60]}")
                print(line, flush=True)

    def summary(sel):
        out = {}
        for mode in modes:
            rs = [r[4][mode] for r in sel]
            out[mode] = dict(n=len(rs), ok=sum(r["ok"] for r in rs), feasible=sum(r["feasible"] for r in rs),
                             score=sum(r["score"] for r in rs), stops=sum(r["stops"] for r in rs),
                             p50=statistics.median(r["wall"] for r in rs), max=max(r["wall"] for r in rs))
        return out

    lines = [f"`flock /tmp/touroute-bench.lock python benchmarks/bench_master.py --seconds {args.seconds:g} "
             f"--seeds {args.seeds}` — {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, offline context "
             f"(estimated legs), 2-core machine shared with other jobs", ""]
    lines.append("| half | kind | requests | all rules met without / with | score without / with (ratio) | "
                 "stops without / with | wall p50 without / with | wall max without / with |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for half in halves:
        for kind in ["cover", "share", "hours", "trip", "all"]:
            sel = [r for r in rows if r[0] == half and (kind == "all" or r[2] == kind)]
            if not sel:
                continue
            s = summary(sel)
            if len(modes) == 2:
                a, b = s[False], s[True]
                lines.append(f"| {half} | {kind} | {a['n']} | {a['ok']} / {b['ok']} | {a['score']:.0f} / "
                             f"{b['score']:.0f} ({b['score'] / max(a['score'], 1e-9):.3f}) | {a['stops']} / "
                             f"{b['stops']} | {a['p50']:.1f} / {b['p50']:.1f} s | {a['max']:.1f} / {b['max']:.1f} s |")
            else:
                b = s[True]
                lines.append(f"| {half} | {kind} | {b['n']} | – / {b['ok']} | – / {b['score']:.0f} | – / "
                             f"{b['stops']} | – / {b['p50']:.1f} s | – / {b['max']:.1f} s |")
    lines += ["", "Per request (score, stops, wall; ✗ = a rule not met):", "",
              "| half | request | without | with master |", "| --- | --- | --- | --- |"]
    for half, name, kind, seed, res in rows:
        cells = []
        for mode in [False, True]:
            if mode not in res:
                cells.append("–")
                continue
            r = res[mode]
            cells.append(f"{'' if r['ok'] else '✗ '}{r['score']:.1f} / {r['stops']} / {r['wall']:.1f} s")
        lines.append(f"| {half} | {name} (seed {seed}) | {cells[0]} | {cells[1]} |")
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(text + "\n")
    return 0


LONG_TRIP = {"start_date": D, "days": 14, "start": "hcm-city-centre-hub", "end": "qb-hub-dong-hoi", "vehicle": "car",
             "group_size": 2}


def long_trip(seeds: int, seconds: float, markdown: str | None) -> int:
    """Issue 11 item 3: the 14-day open-jaw trip, p50 wall of ``plan()`` over seeds, with and without the master."""
    from touroute.matrix import TravelTimes
    from touroute.model import PlanRequest
    from touroute.planner import PlanningContext, plan
    from touroute.solve import warmup

    warmup()
    ctx = PlanningContext(router=TravelTimes([]), data_dir=tempfile.mkdtemp(prefix="bench-master-"))
    res: dict[bool, list[tuple[float, bool, float, int]]] = {False: [], True: []}
    for seed in range(seeds):
        req = PlanRequest.model_validate(dict(LONG_TRIP, solver={"time_limit_s": seconds, "seed": seed}))
        for mode in (False, None):
            t = time.perf_counter()
            it = plan(req, ctx, geometry=False, master=mode)
            wall = time.perf_counter() - t
            res[mode is None].append((wall, it.feasible, it.totals.score if it.feasible else 0.0,
                                      it.totals.stops if it.feasible else 0))
            print(f"seed {seed} {'default (master)' if mode is None else 'without master'}: feasible={it.feasible} "
                  f"wall={wall:.2f}s score={res[mode is None][-1][2]:.1f} stops={res[mode is None][-1][3]}",
                  flush=True)
    lines = [f"`flock /tmp/touroute-bench.lock python benchmarks/bench_master.py --long {seeds} --seconds {seconds:g}` "
             f"— {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, offline context", "",
             "| 14 days HCM → Đồng Hới, car | feasible | wall p50 | wall max | score mean | stops mean |",
             "| --- | --- | --- | --- | --- | --- |"]
    for mode, label in ((False, "without master (hub-sequence enumeration, sampled 5,000)"),
                        (True, "default = with master")):
        rs = res[mode]
        lines.append(f"| {label} | {sum(r[1] for r in rs)}/{len(rs)} | {statistics.median(r[0] for r in rs):.2f} s | "
                     f"{max(r[0] for r in rs):.2f} s | {statistics.mean(r[2] for r in rs):.1f} | "
                     f"{statistics.mean(r[3] for r in rs):.1f} |")
    text = "\n".join(lines)
    print(text)
    if markdown:
        with open(markdown, "w") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
