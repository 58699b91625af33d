"""Benchmark of the optimisation core against the literature and VROOM, side by side, on a tuning and a held-out split.

Instances: every TOPTW instance (../shared/bench/toptw: Cordeau pr01–pr10 for m = 1..4, all 56 Solomon files for
m = 1; best-known scores from best_known.csv where published) and every OPHS instance. ``--split`` selects the
tuning set, the held-out set (``touroute.bench.splits``) or both; parameters are chosen on the tuning set only.
Each instance runs for ``--seconds`` with our solver (``touroute.solve.optimise`` under
``time_budget(seconds, hard=True)``: our search, then an OR-Tools guided-local-search polish warm-started from it
for ``--ortools-share`` of the budget) and with VROOM (pyvroom, exploration level 5, same time limit, one thread).
Every solution of both solvers is verified with the independent checker ``touroute.solve.check``; an infeasible
one scores 0.

Reported per group (pr m = 1..4, Solomon class, OPHS set) and per split: ours and VROOM in % of best-known (over
the instances with a published best-known score), ours/VROOM (mean ratio over all instances of the group, so the
Solomon files without a published score count too) and the largest wall time.

Two instances run in parallel (two worker processes, one per core); every time in the table is that
instance's own wall time. Writes benchmarks/SOLVER_RESULTS.md (gitignored; the committed record is BENCHMARKS.md).

VROOM has no hotel selection: for OPHS it is run on each feasible hotel sequence (our enumeration) in turn, the
time limit shared among them, and the best is kept.

Usage:  python benchmarks/bench_solver.py [--seconds 10] [--jobs 2] [--split tune|holdout|all] [--only toptw|ophs]
        [--limit N] [--no-vroom] [--param name=value ...] [--seed N]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench"
OUT = ROOT / "benchmarks" / "SOLVER_RESULTS.md"


def _instances(only: str | None, split: str) -> list[tuple]:
    """(kind, path, name, m, best-known or nan, split) of every instance of the chosen kinds and split."""
    from touroute.bench.formats import load_best_known
    from touroute.bench.splits import split_of

    out = []
    if only in (None, "toptw"):
        bk = load_best_known(BENCH / "toptw" / "best_known.csv")
        for k in range(1, 11):
            for m in (1, 2, 3, 4):
                name = f"pr{k:02d}"
                out.append(("toptw", str(BENCH / "toptw" / "cordeau" / f"{name}.txt"), name, m,
                            bk.get((name, m), math.nan)))
        for f in sorted((BENCH / "toptw" / "solomon").glob("*.txt")):
            out.append(("toptw", str(f), f.stem, 1, bk.get((f.stem, 1), math.nan)))
    if only in (None, "ophs"):
        bko = load_best_known(BENCH / "ophs" / "best_known.csv")
        for f in sorted((BENCH / "ophs").glob("SET_*/*.ophs")):
            out.append(("ophs", str(f), f"{f.parent.name}/{f.stem}", 0, bko.get((f.parent.name, f.stem), math.nan)))
    out = [(*x, split_of(x[0], x[2])) for x in out]
    return [x for x in out if split == "all" or x[-1] == split]


def _vroom(problem, hotels_list, seconds: float):
    """Best VROOM solution over the given hotel sequences within ``seconds`` (None if none feasible)."""
    import vroom

    from touroute.solve import check, make_solution

    T = problem.travel
    scale = 100.0 if np.allclose(np.round(T * 100), T * 100, atol=1e-6) else 1000.0
    Ti = np.where(np.abs(T * scale - np.round(T * scale)) < 1e-6, np.round(T * scale), np.ceil(T * scale)).astype(np.int64)
    svc = np.ceil(problem.service * scale - 1e-6).astype(np.int64)
    hotels = problem.hotel_nodes
    best = None
    t0 = time.perf_counter()
    for k, seqs in enumerate(hotels_list):
        left = seconds - (time.perf_counter() - t0)
        if left <= 0.01 and best is not None:
            break
        per = max(0.01, left / max(1, len(hotels_list) - k))
        inp = vroom.Input()
        inp.set_durations_matrix("car", Ti.tolist())
        for v, ((s, e), spec) in enumerate(zip(seqs, problem.routes)):
            hi = int(math.floor(spec.t_end * scale + 1e-6))
            inp.add_vehicle(vroom.Vehicle(v + 1, start=int(s), end=int(e),
                                          time_window=vroom.TimeWindow(int(math.ceil(spec.t_start * scale)), hi)))
        for i in range(problem.n):
            if i in hotels or not problem.windows[i] or problem.score[i] <= 0:
                continue
            tws = []
            for a, b in problem.windows[i]:
                lo = int(math.ceil(a * scale - 1e-6))
                hi = int(math.floor(min(b, 1e12) * scale + 1e-6)) if math.isfinite(b) else 2**31
                tws.append(vroom.TimeWindow(lo, min(hi, 2**31)))
            inp.add_job(vroom.Job(i, location=i, default_service=int(svc[i]), priority=int(min(100, problem.score[i])),
                                  time_windows=tws))
        try:
            res = inp.solve(exploration_level=5, nb_threads=1, timeout=timedelta(seconds=per))
        except Exception:  # noqa: BLE001 — a VROOM failure on one sequence just skips it
            continue
        routes = {}
        for row in res.routes.itertuples():
            if row.type == "job":
                routes.setdefault(int(row.vehicle_id) - 1, []).append(int(row.id))
        full = [[s, *routes.get(v, []), e] for v, (s, e) in enumerate(seqs)]
        sol = make_solution(problem, full)
        viol = check(problem, sol)
        if viol:
            sol.score = 0.0
        if best is None or sol.score > best[0]:
            best = (sol.score, viol)
    return best


def _work(job):
    kind, path, name, m, bk, split, seconds, params, vroom, hard = job
    from touroute.bench.run import solve_ophs, solve_toptw
    from touroute.solve import check, time_budget
    from touroute.solve.hotels import hotel_sequences

    stop = time_budget(seconds, hard=hard)
    if kind == "toptw":
        prob, res, ours_t = solve_toptw(path, m, stop, params)
    else:
        prob, res, ours_t = solve_ophs(path, stop, params)
    viol = check(prob, res.solution)
    ours = 0.0 if viol else res.score
    v, vt = None, 0.0
    if vroom:
        seqs = hotel_sequences(prob)
        t = time.perf_counter()
        v = _vroom(prob, seqs, seconds)
        vt = time.perf_counter() - t
    st = res.stats
    return {"kind": kind, "name": name, "m": m, "bk": bk, "split": split, "ours": ours, "ours_t": ours_t,
            "viol": viol, "gain": st.ortools_gain or 0.0, "iterations": st.iterations,
            "clock": st.stopped_by_clock, "vroom": (v[0] if v else 0.0) if vroom else math.nan, "vroom_t": vt,
            "vroom_viol": (v[1] if v else ["no solution"]) if vroom else []}


def _init():
    from touroute.solve import warmup

    warmup()


def _parse_params(items: list[str], seed: int, share: float):
    from touroute.solve import SolveParams

    kw: dict = {}
    for it in items:
        k, _, v = it.partition("=")
        k = k.strip()
        flags = ("adaptive", "related_removal", "kick")
        kw[k] = int(v) if k == "restart_after" else bool(int(v)) if k in flags else float(v)
    return SolveParams(seed=seed, ortools_share=share, **kw)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--ortools-share", type=float, default=0.1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--split", choices=["tune", "holdout", "all"], default="all")
    ap.add_argument("--only", choices=["toptw", "ophs"])
    ap.add_argument("--limit", type=int, default=0, help="only the first N instances (quick check)")
    ap.add_argument("--no-vroom", action="store_true", help="skip VROOM (tuning runs)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--soft", action="store_true",
                    help="clock stop only as the 2 × seconds + 1 safety net: results depend on the work budget alone "
                         "(reproducible tuning runs on a loaded machine; times may exceed --seconds)")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="override a SolveParams field (tuning runs), e.g. --param power=1.5")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    if not BENCH.exists():
        print(f"{BENCH} not found", file=sys.stderr)
        return 2
    params = _parse_params(a.param, a.seed, a.ortools_share)
    inst = _instances(a.only, a.split)
    if a.limit:
        inst = inst[: a.limit]
    jobs = [(*x, a.seconds, params, not a.no_vroom, not a.soft) for x in inst]
    started = datetime.now(timezone.utc)
    print(f"{started:%Y-%m-%d %H:%M} UTC, {len(jobs)} instances, params {params}", flush=True)
    t0 = time.perf_counter()
    rows = []
    with mp.get_context("spawn").Pool(a.jobs, initializer=_init) as pool:
        for r in pool.imap(_work, jobs):
            rows.append(r)
            pct = 100 * r["ours"] / r["bk"] if r["bk"] else math.nan
            vp = 100 * r["vroom"] / r["bk"] if r["bk"] else math.nan
            print(f"{r['split']:>7} {r['name']:>22} m={r['m']} ours {r['ours']:7.1f} ({pct:6.2f}%) {r['ours_t']:5.2f}s"
                  f"{' clock' if r['clock'] else ''}  vroom {r['vroom']:7.1f} ({vp:6.2f}%) {r['vroom_t']:5.2f}s  "
                  f"ortools+{r['gain']:.0f}", flush=True)
    total = time.perf_counter() - t0
    for line in summary(rows):
        print(line)
    _write(rows, a, total, started)
    return 0


def _has_bk(r) -> bool:
    return bool(r["bk"]) and not math.isnan(r["bk"])


def _group(r) -> str:
    from touroute.bench.splits import toptw_group

    if r["kind"] == "ophs":
        return r["name"].split("/")[0]
    g = toptw_group(r["name"])
    return f"pr m={r['m']}" if g == "pr" else f"Solomon {g}"


def _stats(rs) -> dict:
    ok = [r for r in rs if _has_bk(r)]
    vr = [r for r in rs if not math.isnan(r["vroom"])]
    return {"n": len(rs), "n_bk": len(ok),
            "ours": np.mean([100 * r["ours"] / r["bk"] for r in ok]) if ok else math.nan,
            "vroom": np.mean([100 * r["vroom"] / r["bk"] for r in ok if not math.isnan(r["vroom"])])
            if ok and vr else math.nan,
            "ratio": np.mean([r["ours"] / r["vroom"] if r["vroom"] > 0 else math.inf for r in vr]) if vr else math.nan,
            "worse": sum(1 for r in vr if r["ours"] < r["vroom"] - 1e-9),
            "at_bk": sum(1 for r in ok if r["ours"] >= r["bk"] - 1e-6),
            "tmax": max(r["ours_t"] for r in rs), "vtmax": max(r["vroom_t"] for r in rs)}


GROUP_ORDER = ["pr m=1", "pr m=2", "pr m=3", "pr m=4", "Solomon c1", "Solomon r1", "Solomon rc1", "Solomon c2",
               "Solomon r2", "Solomon rc2", "SET_1-2", "SET_2-3", "SET_3-4"]


def summary(rows) -> list[str]:
    """The side-by-side table per split and group (markdown)."""
    f = lambda x, d=2: "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{d}f}"  # noqa: E731
    lines = ["| split | group | instances (with best-known) | ours % BK | VROOM % BK | ours / VROOM | ours < VROOM "
             "| ours at BK | max time ours s | max time VROOM s |", "|" + "---|" * 10]
    for split in ("tune", "holdout"):
        srows = [r for r in rows if r["split"] == split]
        if not srows:
            continue
        for kind in ("toptw", "ophs"):
            krows = [r for r in srows if r["kind"] == kind]
            if not krows:
                continue
            for g in GROUP_ORDER:
                rs = [r for r in krows if _group(r) == g]
                if rs:
                    s = _stats(rs)
                    lines.append(f"| {split} | {g} | {s['n']} ({s['n_bk']}) | {f(s['ours'])} | {f(s['vroom'])} | "
                                 f"{f(s['ratio'], 3)} | {s['worse']} | {s['at_bk']} | {f(s['tmax'])} | "
                                 f"{f(s['vtmax'])} |")
            s = _stats(krows)
            lines.append(f"| **{split}** | **{kind.upper()} all** | {s['n']} ({s['n_bk']}) | **{f(s['ours'])}** | "
                         f"**{f(s['vroom'])}** | {f(s['ratio'], 3)} | {s['worse']} | {s['at_bk']} | {f(s['tmax'])} | "
                         f"{f(s['vtmax'])} |")
    return lines


NOTES = [
    "- Each worker compiles / loads the numba kernels (`touroute.solve.warmup()`) before its first instance; the "
    "one-time compilation (≈ 20 s per installation, cached on disk) is not in the per-instance times.",
    "- Ours runs under `time_budget(seconds, hard=True)` = `MaxWork(seconds × WORK_PER_SECOND) | MaxRuntime(seconds)`:"
    " the search is bounded by a deterministic work budget (the slowest instances use ≈ 80 % of the limit) and the "
    "wall-clock stop only matters on a loaded machine ('clock' in the console log). Cheap instances (Solomon c1, "
    "small OPHS) finish their budget early.",
    "- '% BK' averages only instances with a published best-known score (best_known.csv; none for c202–c208, "
    "r202–r211, rc202–rc208, r104, r108 and two OPHS instances); 'ours / VROOM' and 'ours < VROOM' count every "
    "instance of the group.",
    "- OPHS SET_1-2 66-45-1-2 (best-known 650): on its best hotel sequence both our search (all seeds) and OR-Tools "
    "alone stop at 620 with trip 1 using 23.11803 of its 23.1181 limit; we could not reproduce the published value "
    "(possibly a different distance convention). Similar small gaps on a few SET_1-2 instances.",
]


def _write(rows, a, total, started):
    cmd = (f"python benchmarks/bench_solver.py --seconds {a.seconds:g} --ortools-share {a.ortools_share:g} "
           f"--jobs {a.jobs} --split {a.split}" + (f" --only {a.only}" if a.only else "")
           + (f" --limit {a.limit}" if a.limit else "") + (" --no-vroom" if a.no_vroom else "") + (" --soft" if a.soft else "")
           + "".join(f" --param {p}" for p in a.param) + (f" --seed {a.seed}" if a.seed else ""))
    lines = ["# Optimiser benchmark (TOPTW, OPHS) — ours vs VROOM, tuning and held-out split", "",
             f"Run {started:%Y-%m-%d %H:%M} UTC. Command: `{cmd}` (machine: 2 cores, two instances in parallel; "
             f"times are per-instance wall times, ours including reading the file and building the problem; total "
             f"wall time {total / 60:.1f} min).", "",
             "Ours = `touroute.solve.optimise`: our compiled SA/ILS destroy-and-repair search, then an OR-Tools GLS "
             f"polish warm-started from it for {100 * a.ortools_share:.0f} % of the budget. VROOM = pyvroom, "
             "exploration level 5, one thread, same time limit (OPHS: over our enumerated hotel sequences). Every "
             "solution is verified by the independent checker; an infeasible one would count 0. Split: "
             "`touroute.bench.splits`.", "", "## Summary", "", *summary(rows), ""]
    for kind, title in (("toptw", "TOPTW"), ("ophs", "OPHS")):
        rs = [r for r in rows if r["kind"] == kind]
        if not rs:
            continue
        lines += [f"## {title} per instance", "",
                  "| split | instance | m | best-known | ours | % BK | time s | OR-Tools + | VROOM | % BK | time s |",
                  "|" + "---|" * 11]
        for r in rs:
            pct = f"{100 * r['ours'] / r['bk']:.2f}" if _has_bk(r) else "–"
            vp = f"{100 * r['vroom'] / r['bk']:.2f}" if _has_bk(r) else "–"
            bk = f"{r['bk']:g}" if _has_bk(r) else "–"
            lines.append(f"| {r['split']} | {r['name']} | {r['m']} | {bk} | {r['ours']:g} | {pct} | "
                         f"{r['ours_t']:.2f} | {r['gain']:g} | {r['vroom']:g} | {vp} | {r['vroom_t']:.2f} |")
        lines.append("")
    lines += ["## Notes", "", *NOTES]
    a.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    sys.exit(main())
