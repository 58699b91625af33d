"""Benchmark of the optimisation core against the literature and VROOM, side by side.

Runs every TOPTW instance with a best-known score (../shared/bench/toptw/best_known.csv: pr01–pr10 m = 1..4,
Solomon m = 1) and every OPHS instance, each for ``--seconds`` with our solver (our search, then an OR-Tools
guided-local-search polish warm-started from it for ``--ortools-share`` of the time) and with VROOM (pyvroom,
exploration level 5, same time limit, one thread). Every solution of both solvers is verified with the
independent checker ``touroute.solve.check``; an infeasible one scores 0 in the table.

Two instances run in parallel (two worker processes, one per core); every time in the table is that
instance's own wall time. Writes benchmarks/SOLVER_RESULTS.md.

VROOM has no hotel selection: for OPHS it is run on each feasible hotel sequence (our enumeration) in turn, the
time limit shared among them, and the best is kept.

Usage:  python benchmarks/bench_solver.py [--seconds 10] [--jobs 2] [--only toptw|ophs] [--limit N]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench"
OUT = ROOT / "benchmarks" / "SOLVER_RESULTS.md"


def _instances(only: str | None) -> list[tuple]:
    from touroute.bench.formats import load_best_known

    out = []
    if only in (None, "toptw"):
        for (name, m), bk in load_best_known(BENCH / "toptw" / "best_known.csv").items():
            sub = "cordeau" if name.startswith("pr") else "solomon"
            out.append(("toptw", str(BENCH / "toptw" / sub / f"{name}.txt"), name, m, bk))
    if only in (None, "ophs"):
        bko = load_best_known(BENCH / "ophs" / "best_known.csv")
        for f in sorted((BENCH / "ophs").glob("SET_*/*.ophs")):
            bk = bko.get((f.parent.name, f.stem), math.nan)
            out.append(("ophs", str(f), f"{f.parent.name}/{f.stem}", 0, bk))
    return out


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
    kind, path, name, m, bk, seconds, share = job
    from touroute.bench.cli import run_ophs, run_toptw
    from touroute.bench.formats import read_ophs, read_toptw
    from touroute.solve.hotels import hotel_sequences

    t = time.perf_counter()
    if kind == "toptw":
        res = run_toptw(path, m, seconds, 0, share)
        prob = read_toptw(path).problem(m)
    else:
        res = run_ophs(path, seconds, 0, share)
        prob = read_ophs(path).problem()
    ours_t = time.perf_counter() - t
    ours = 0.0 if res["violations"] else res["score"]
    seqs = hotel_sequences(prob)
    t = time.perf_counter()
    v = _vroom(prob, seqs, seconds)
    vt = time.perf_counter() - t
    return {"kind": kind, "name": name, "m": m, "bk": bk, "ours": ours, "ours_t": ours_t, "viol": res["violations"],
            "gain": res["stats"].get("ortools_gain", 0.0), "vroom": v[0] if v else 0.0, "vroom_t": vt,
            "vroom_viol": v[1] if v else ["no solution"]}


def _init():
    from touroute.solve import warmup

    warmup()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--ortools-share", type=float, default=0.1)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", choices=["toptw", "ophs"])
    ap.add_argument("--limit", type=int, default=0, help="only the first N instances (quick check)")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    if not BENCH.exists():
        print(f"{BENCH} not found", file=sys.stderr)
        return 2
    inst = _instances(a.only)
    if a.limit:
        inst = inst[: a.limit]
    jobs = [(*x, a.seconds, a.ortools_share) for x in inst]
    t0 = time.perf_counter()
    rows = []
    with mp.get_context("spawn").Pool(a.jobs, initializer=_init) as pool:
        for r in pool.imap(_work, jobs):
            rows.append(r)
            pct = 100 * r["ours"] / r["bk"] if r["bk"] else math.nan
            vp = 100 * r["vroom"] / r["bk"] if r["bk"] else math.nan
            print(f"{r['name']:>22} m={r['m']} ours {r['ours']:7.1f} ({pct:6.2f}%) {r['ours_t']:5.2f}s  "
                  f"vroom {r['vroom']:7.1f} ({vp:6.2f}%) {r['vroom_t']:5.2f}s  ortools+{r['gain']:.0f}", flush=True)
    total = time.perf_counter() - t0
    _write(rows, a, total)
    return 0


NOTES = [
    "- Each worker compiles / loads the numba kernels (`touroute.solve.warmup()`) before its first instance; the "
    "one-time compilation (≈ 20 s per installation, cached on disk) is not in the per-instance times.",
    "- `touroute bench` runs with `hard_time_limit=True`: the search is bounded by a deterministic work budget "
    "(the slowest instances use ≈ 80 % of the limit) and a wall-clock stop at the limit only matters on a loaded "
    "machine. Cheap instances (Solomon c1, small OPHS) finish their budget early; the OR-Tools polish then uses the "
    "remaining time.",
    "- OR-Tools alone: ≈ 81 % of best-known on TOPTW with default insertion + GLS (../shared/bench/README.md); our "
    "OR-Tools model (`solve_ortools`: AUTOMATIC first solution + GLS, 5 s, one core) on 8 TOPTW instances (pr01 m2, "
    "pr05 m2, pr08 m3, pr10 m4, c101, r101, rc101, r201): 92.0 % on average (85.3–100 %), where our search is at "
    "97–100 %. As a polish warm-started from our routes it adds a few points on a handful of large pr instances "
    "(column 'OR-Tools +'); on OPHS it never improved our routes.",
    "- OPHS SET_1-2 66-45-1-2 (best-known 650): on its best hotel sequence both our search (all seeds) and OR-Tools "
    "alone stop at 620 with trip 1 using 23.11803 of its 23.1181 limit; we could not reproduce the published value "
    "(possibly a different distance convention). Similar small gaps on a few SET_1-2 instances.",
]


def _write(rows, a, total):
    cmd = (f"python benchmarks/bench_solver.py --seconds {a.seconds:g} --ortools-share {a.ortools_share:g} "
           f"--jobs {a.jobs}" + (f" --only {a.only}" if a.only else "") + (f" --limit {a.limit}" if a.limit else ""))
    lines = ["# Optimiser benchmark (TOPTW, OPHS) — ours vs VROOM", "",
             f"Command: `{cmd}` (machine: 2 cores, two instances in parallel; times are per-instance wall times,",
             f"ours including problem construction; total wall time {total / 60:.1f} min).", "",
             "Ours = our compiled SA/ILS destroy-and-repair search for "
             f"{100 * (1 - a.ortools_share):.0f} % of the time, then OR-Tools GLS polish warm-started from it "
             f"for {100 * a.ortools_share:.0f} % (column 'OR-Tools +' = score it added). VROOM = pyvroom, exploration "
             "level 5, one thread, same time limit (OPHS: over our enumerated hotel sequences). Every solution is "
             "verified by the independent checker; an infeasible one would count 0. Instances whose best-known "
             "score is 0 (unsolved in the literature) are listed but excluded from the averages.", ""]
    for kind, title in (("toptw", "TOPTW"), ("ophs", "OPHS")):
        rs = [r for r in rows if r["kind"] == kind]
        if not rs:
            continue
        ok = [r for r in rs if r["bk"] and not math.isnan(r["bk"])]
        ours = np.mean([100 * r["ours"] / r["bk"] for r in ok]) if ok else math.nan
        vr = np.mean([100 * r["vroom"] / r["bk"] for r in ok]) if ok else math.nan
        worst = max(r["ours_t"] for r in rs)
        nviol = sum(1 for r in rs if r["viol"])
        lines += [f"## {title}", "",
                  f"**Average over {len(ok)} instances: ours {ours:.2f} % of best-known, VROOM {vr:.2f} %** "
                  f"(ours/VROOM = {ours / vr:.3f}); ours at best-known or better on "
                  f"{sum(1 for r in ok if r['ours'] >= r['bk'] - 1e-6)}; max wall time ours {worst:.2f} s; "
                  f"mean ours {np.mean([r['ours_t'] for r in rs]):.2f} s, VROOM {np.mean([r['vroom_t'] for r in rs]):.2f} s; "
                  f"OR-Tools polish improved {sum(1 for r in rs if r['gain'] > 1e-9)} instance(s) "
                  f"(+{sum(r['gain'] for r in rs):.0f} in total); infeasible solutions: {nviol}.", ""]
        if kind == "toptw":
            for lab, sel in (("pr01–pr10", lambda r: r["name"].startswith("pr")),
                             ("Solomon m=1", lambda r: not r["name"].startswith("pr"))):
                sub = [r for r in ok if sel(r)]
                if sub:
                    lines.append(f"- {lab}: ours {np.mean([100 * r['ours'] / r['bk'] for r in sub]):.2f} %, "
                                 f"VROOM {np.mean([100 * r['vroom'] / r['bk'] for r in sub]):.2f} % ({len(sub)} instances)")
            for m in (1, 2, 3, 4):
                sub = [r for r in ok if r["name"].startswith("pr") and r["m"] == m]
                if sub:
                    lines.append(f"- pr m={m}: ours {np.mean([100 * r['ours'] / r['bk'] for r in sub]):.2f} %, "
                                 f"VROOM {np.mean([100 * r['vroom'] / r['bk'] for r in sub]):.2f} %")
            lines.append("")
        else:
            for s in ("SET_1-2", "SET_2-3", "SET_3-4"):
                sub = [r for r in ok if r["name"].startswith(s)]
                if sub:
                    lines.append(f"- {s}: ours {np.mean([100 * r['ours'] / r['bk'] for r in sub]):.2f} %, "
                                 f"VROOM {np.mean([100 * r['vroom'] / r['bk'] for r in sub]):.2f} % ({len(sub)} instances)")
            lines.append("")
        head = "| instance | m | best-known | ours | % BK | time s | OR-Tools + | VROOM | % BK | time s |" if kind == "toptw" \
            else "| instance | best-known | ours | % BK | time s | OR-Tools + | VROOM | % BK | time s |"
        lines += [head, "|" + "---|" * head.count("|")[:-1] if False else "|" + "---|" * (head.count("|") - 1)]
        for r in rs:
            pct = f"{100 * r['ours'] / r['bk']:.2f}" if r["bk"] else "–"
            vp = f"{100 * r['vroom'] / r['bk']:.2f}" if r["bk"] else "–"
            mcol = f" {r['m']} |" if kind == "toptw" else ""
            lines.append(f"| {r['name']} |{mcol} {r['bk']:g} | {r['ours']:g} | {pct} | {r['ours_t']:.2f} | "
                         f"{r['gain']:g} | {r['vroom']:g} | {vp} | {r['vroom_t']:.2f} |")
        lines.append("")
    lines += ["## Notes", "", *NOTES]
    a.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    sys.exit(main())
