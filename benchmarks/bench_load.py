"""Load test (issue 7): locust users against a real ``touroute serve --prod`` (gunicorn) on loopback.

For each server configuration (``--configs``, side by side in one run because the machine is noisy):
start ``touroute serve --prod --workers W --threads T`` on a free port with a temporary database and data dir
(no road network: legs estimated — the load is the web app and the solver, not Dijkstra), seed saved plans,
run locust headless (``benchmarks/locustfile.py``: catalogue search, form page, saved-plan JSON / page / map /
exports, ~6 % new plans with a short solver limit) for ``--duration`` seconds, stop the server, and report per
request class: requests, failures, throughput, p50 / p95 / p99 / max latency; plus 503 "planner busy" answers
(load shedding, counted apart from failures).

Configurations: ``gthread`` = the default (gthread workers, ``--threads``, solver slots), ``sync`` = classic sync
workers (``--threads 1``: a plan holds its worker's only thread).

Usage:
    python benchmarks/bench_load.py --users 50 --duration 60 --workers 2 --configs gthread,sync \
        --markdown benchmarks/LOAD_RESULTS.md
Targets: 0 failures, p95 of cached reads (saved plans, catalogue search) ≤ 200 ms, p95 of the map page ≤ 200 ms
(reported in its own column of the summary and on stdout).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.server_process import ServerProcess, http  # noqa: E402

CONFIGS = {"gthread": {"threads": None}, "sync": {"threads": 1}}
READS = ("GET /api/pois?q=", "GET /api/plans/<id>", "GET /p/<id>", "GET /api/plans/<id>/export", "GET /api/plans")
MAP_PAGE = "GET /p/<id>/map"
"""The map page has its own target (issue 16: p95 ≤ 200 ms with the base map), reported in its own column."""


def seed_plans(url: str, n: int) -> list[str]:
    """Save ``n`` plans (1–3 days around Hội An / Đà Nẵng / Huế) and return their ids."""
    starts = [("qnam-hoi-an", "dn-city-centre"), ("hue-hub-hue-city", "qnam-hoi-an"), ("dn-city-centre", None)]
    slugs = []
    for k in range(n):
        s, e = starts[k % len(starts)]
        body = {"start": s, "start_date": "2026-12-07", "days": 1 + k % 3, "solver": {"time_limit_s": 0.5, "seed": k}}
        if e:
            body["end"] = e
        st, _, raw = http("POST", url + "/api/plans", body)
        if st != 201:
            raise RuntimeError(f"seeding plan {k}: {st} {raw[:300]!r}")
        it = json.loads(raw)
        if it["itinerary"]["feasible"]:
            slugs.append(it["id"])
    return slugs


def run_locust(url: str, slugs_file: Path, out: Path, users: int, spawn_rate: float, duration: int,
               plan_seconds: float) -> None:
    env = dict(os.environ, TOUROUTE_LOAD_SLUGS=str(slugs_file), TOUROUTE_LOAD_PLAN_SECONDS=str(plan_seconds))
    locust = Path(sys.executable).with_name("locust")
    cmd = [str(locust) if locust.exists() else "locust", "-f", str(ROOT / "benchmarks" / "locustfile.py"),
           "--headless", "-u", str(users), "-r", str(spawn_rate), "-t", f"{duration}s", "--host", url,
           "--csv", str(out), "--only-summary", "--stop-timeout", "30", "--loglevel", "WARNING"]
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False,
                   timeout=duration + 180)


def read_stats(prefix: Path) -> list[dict]:
    rows = []
    with open(f"{prefix}_stats.csv", newline="") as f:
        for r in csv.DictReader(f):
            rows.append(r)
    return rows


def read_failures(prefix: Path) -> list[dict]:
    """locust's failure list (request, error, occurrences): a failure in the report says what it was."""
    try:
        with open(f"{prefix}_failures.csv", newline="") as f:
            return list(csv.DictReader(f))
    except OSError:
        return []


def _f(x: str) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def bench_config(name: str, args, tmp: Path) -> dict:
    threads = CONFIGS[name]["threads"] or args.threads
    d = tmp / name
    d.mkdir()
    # public listing on: the load mix reads GET /api/plans (a department's own server; off by default)
    env = {"TOUROUTE_PLAN_SECONDS": str(args.plan_seconds), "TOUROUTE_MAX_PLAN_SECONDS": "30",
           "TOUROUTE_PUBLIC_PLANS": "1"}
    srv = ServerProcess(d / "plans.sqlite3", d / "data", workers=args.workers, threads=threads, env=env,
                        log_path=d / "server.log")
    t0 = time.perf_counter()
    srv.start(timeout=600)
    startup = time.perf_counter() - t0
    try:
        slugs = seed_plans(srv.url, args.seed_plans)
        slugs_file = d / "slugs.json"
        slugs_file.write_text(json.dumps(slugs))
        prefix = d / "locust"
        run_locust(srv.url, slugs_file, prefix, args.users, args.spawn_rate, args.duration, args.plan_seconds)
        rows = read_stats(prefix)
        failures = read_failures(prefix)
        st, _, raw = http("GET", srv.url + "/healthz")
        saved_total = json.loads(raw)["plans"] if st == 200 else None
    finally:
        srv.stop()
    log = (d / "server.log").read_text(errors="replace")
    return {"name": name, "threads": threads, "startup": startup, "rows": rows, "failures": failures,
            "saved_total": saved_total,
            "tracebacks": log.count("Traceback"), "worker_timeouts": log.count("WORKER TIMEOUT")}


def map_p95(rows: list[dict]) -> float:
    """p95 (ms) of the map page ``GET /p/<id>/map`` in locust's stats rows (NaN when it was never requested)."""
    return next((_f(r["95%"]) for r in rows if r["Name"] == MAP_PAGE), float("nan"))


def markdown(results: list[dict], args) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg() if hasattr(os, "getloadavg") else ("?",)
    out = [f"Load test — {when}; {os.cpu_count()} CPUs, load average {load[0]:.2f} at the end; "
           f"{platform.python_implementation()} {platform.python_version()}; {args.users} users (spawn "
           f"{args.spawn_rate}/s), {args.duration} s per configuration, {args.workers} workers; plans ask for "
           f"{args.plan_seconds:g} s of solver; locust runs on the same machine.", ""]
    out.append("| config | request class | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |")
    out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for res in results:
        label = f"{res['name']} ({args.workers}×{res['threads']})"
        rows = sorted(res["rows"], key=lambda r: (r["Name"] == "Aggregated", r["Type"], r["Name"]))
        for r in rows:
            nm = "**all**" if r["Name"] == "Aggregated" else f"{r['Type']} {r['Name'].removeprefix(r['Type'] + ' ')}" \
                if r["Type"] == "SHED" else r["Name"]
            out.append(f"| {label} | {nm} | {r['Request Count']} | {r['Failure Count']} | "
                       f"{_f(r['Requests/s']):.1f} | {_f(r['50%']):.0f} | {_f(r['95%']):.0f} | {_f(r['99%']):.0f} | "
                       f"{_f(r['Max Response Time']):.0f} |")
    out.append("")
    out.append("| config | reads p95 (worst class) ms | reads ≤ 200 ms | map page p95 ms | map page ≤ 200 ms | "
               "failures | 503 busy | plans saved | tracebacks | start-up s |")
    out.append("|---|---:|---|---:|---|---:|---:|---:|---:|---:|")
    for res in results:
        reads = [r for r in res["rows"] if r["Name"] in READS]
        worst = max((_f(r["95%"]) for r in reads), default=float("nan"))
        fails = sum(int(r["Failure Count"]) for r in res["rows"] if r["Name"] == "Aggregated")
        shed = sum(int(r["Request Count"]) for r in res["rows"] if r["Type"] == "SHED")
        mp = map_p95(res["rows"])
        out.append(f"| {res['name']} ({args.workers}×{res['threads']}) | {worst:.0f} | "
                   f"{'yes' if worst <= 200 else 'no'} | {mp:.0f} | {'yes' if mp <= 200 else 'no'} | "
                   f"{fails} | {shed} | {res['saved_total']} | "
                   f"{res['tracebacks']} | {res['startup']:.0f} |")
    for res in results:
        for fl in res.get("failures", []):
            out.append(f"- {res['name']} failure: {fl.get('Method', '')} {fl.get('Name', '')} × "
                       f"{fl.get('Occurrences', '?')}: {str(fl.get('Error', ''))[:200]}")
    out.append("")
    out.append("Reads = catalogue search, saved plan JSON / page / exports / list (the map page is listed on its own: "
               "its first request per plan and worker renders folium). `SHED` rows are 503 \"planner busy\" answers with Retry-After "
               "(counted as successes of POST /api/plans too, not as failures).")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--spawn-rate", type=float, default=10.0)
    ap.add_argument("--duration", type=int, default=60, help="seconds per configuration")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4, help="threads per worker of the gthread configuration")
    ap.add_argument("--configs", default="gthread,sync", help="comma-separated: " + ", ".join(CONFIGS))
    ap.add_argument("--plan-seconds", type=float, default=0.5, help="solver time limit of the users' plans")
    ap.add_argument("--seed-plans", type=int, default=12)
    ap.add_argument("--markdown", type=Path, help="write the tables here too")
    args = ap.parse_args()
    names = [c.strip() for c in args.configs.split(",") if c.strip()]
    for n in names:
        if n not in CONFIGS:
            ap.error(f"--configs: unknown configuration {n!r} (choose from {', '.join(CONFIGS)})")
    results = []
    with tempfile.TemporaryDirectory(prefix="touroute_load_") as tmp:
        for n in names:
            print(f"[{n}] starting server and load …", file=sys.stderr, flush=True)
            results.append(bench_config(n, args, Path(tmp)))
            mp = map_p95(results[-1]["rows"])
            print(f"[{n}] map page p95 {mp:.0f} ms ({'meets' if mp <= 200 else 'misses'} the 200 ms target)",
                  file=sys.stderr, flush=True)
    md = markdown(results, args)
    print(md)
    if args.markdown:
        args.markdown.write_text(md)


if __name__ == "__main__":
    main()
