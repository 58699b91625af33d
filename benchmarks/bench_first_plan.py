"""First plan on a fresh server (issue 16): warm-up off and on, side by side in one run.

For each configuration a real ``touroute serve --prod`` (gunicorn, one worker × 4 threads, so every request
lands on the same worker and "warm" means that worker is warm) starts on 127.0.0.1 with a **fresh data dir**
(no cached matrices) and, for ``--kernels cold``, a fresh numba cache (``NUMBA_CACHE_DIR``: the solver kernels
are compiled as on a new install). Then the same plan request is timed: the first one, then ``--repeat`` more
(the warm plans). Configurations:

* ``off``       — ``TOUROUTE_WARMUP=0``: the first plan pays for catalogue, kernels and matrix.
* ``on-now``    — warm-up on, the first plan sent the moment ``/healthz`` answers (the warm-up is still running
  in its background thread: the plan waits for the one build of what it needs, never builds a second copy).
* ``on-ready``  — warm-up on, the first plan sent once ``/healthz`` says ``"warm": true`` (what a load balancer
  with a readiness check does).

With ``--networks`` every fresh data dir gets the road networks of the two OSM extracts in ``../shared/data/osm``
(Huế, central Đà Nẵng; built once, untimed, copied in — but no matrices), so the first plan also pays for routing
the whole-catalogue matrices on them.

Reports per configuration: seconds to first ``/healthz`` answer, seconds until warm, first-plan seconds, median
warm-plan seconds and their ratio (target: ≤ 2).

Usage:
    python benchmarks/bench_first_plan.py --kernels cold,cached --markdown /tmp/first_plan.md
    python benchmarks/bench_first_plan.py --kernels cached --networks
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.server_process import ServerProcess, http  # noqa: E402

BODY = {"start": "qnam-hoi-an", "end": "dn-city-centre", "start_date": "2026-12-07", "days": 2,
        "solver": {"time_limit_s": 2.0, "seed": 1}}
CONFIGS = ("off", "on-now", "on-ready")


def timed_plan(url: str) -> float:
    t0 = time.perf_counter()
    st, _, raw = http("POST", url + "/api/plans", BODY, timeout=300)
    dt = time.perf_counter() - t0
    if st != 201:
        raise RuntimeError(f"plan: {st} {raw[:300]!r}")
    return dt


SHARED_OSM = ROOT.parent / "shared" / "data" / "osm"
EXTRACTS = ("hue.osm.pbf", "danang_haichau.osm.bz2")


def build_networks(tmp: Path) -> Path:
    """The road networks of the shared OSM extracts, built once into a template data dir (untimed)."""
    template = tmp / "networks-template"
    for name in EXTRACTS:
        src = SHARED_OSM / name
        if not src.exists():
            raise SystemExit(f"--networks needs {src} (the shared OSM extracts)")
        subprocess.run([sys.executable, "-m", "touroute", "network", "build", str(src), "--data-dir", str(template)],
                       check=True, stdout=subprocess.DEVNULL,
                       env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
    return template / "networks"


def run_config(name: str, kernels: str, shared_numba: Path, tmp: Path, repeat: int,
               networks: Path | None = None) -> dict:
    d = tmp / f"{kernels}-{name}"
    d.mkdir()
    if networks is not None:  # road networks, but no matrix: those are what the first plan (or warm-up) builds
        shutil.copytree(networks, d / "data" / "networks")
    numba_dir = d / "numba" if kernels == "cold" else shared_numba
    env = {"TOUROUTE_WARMUP": "0" if name == "off" else "1", "NUMBA_CACHE_DIR": str(numba_dir),
           "TOUROUTE_PLAN_SECONDS": "2"}
    srv = ServerProcess(d / "plans.sqlite3", d / "data", workers=1, threads=4, env=env, log_path=d / "server.log",
                        wait_warm=False)
    t0 = time.perf_counter()
    srv.start(timeout=600)
    up = time.perf_counter() - t0
    warm_at = None
    try:
        if name == "on-ready":
            while True:
                st, _, raw = http("GET", srv.url + "/healthz")
                if st == 200 and json.loads(raw).get("warm"):
                    break
                time.sleep(0.2)
            warm_at = time.perf_counter() - t0
        first = timed_plan(srv.url)
        warm = [timed_plan(srv.url) for _ in range(repeat)]
        st, _, raw = http("GET", srv.url + "/healthz")
        warmup = json.loads(raw).get("warmup", {}) if st == 200 else {}
    finally:
        srv.stop()
    med = statistics.median(warm)
    return {"name": name, "kernels": kernels + (" + networks" if networks is not None else ""), "up": up, "warm_at": warm_at, "warmup_s": warmup.get("seconds"),
            "first": first, "warm": med, "ratio": first / med}


def markdown(results: list[dict], args) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()
    out = [f"First plan on a fresh server — {when}; {os.cpu_count()} CPUs, load average {load[0]:.2f} at the end; "
           f"{platform.python_implementation()} {platform.python_version()}; "
           f"{'road networks of the shared Huế and Đà Nẵng extracts; ' if args.networks else 'no road network; '}"
           f"`touroute serve --prod --workers 1 "
           f"--threads 4`, fresh data dir per row; request: {BODY['days']}-day {BODY['start']} → {BODY['end']}, "
           f"{BODY['solver']['time_limit_s']:g} s solver limit; warm = median of {args.repeat} repeats.", "",
           "| kernels | warm-up | /healthz after s | warm after s | warm-up took s | first plan s | warm plan s | "
           "first / warm | ≤ 2× |",
           "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        warm_at = "" if r["warm_at"] is None else f"{r['warm_at']:.1f}"
        out.append(f"| {r['kernels']} | {r['name']} | {r['up']:.1f} | {warm_at} | "
                   f"{'' if r['warmup_s'] is None else r['warmup_s']} | {r['first']:.1f} | {r['warm']:.1f} | "
                   f"{r['ratio']:.2f} | {'yes' if r['ratio'] <= 2 else 'no'} |")
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kernels", default="cold,cached",
                    help="cold = fresh numba cache per row (new install), cached = one cache warmed by the first row")
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--networks", action="store_true",
                    help="give every fresh data dir the road networks of ../shared/data/osm (no matrices)")
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="touroute-first-plan-") as t:
        tmp = Path(t)
        shared = tmp / "numba-shared"
        networks = build_networks(tmp) if args.networks else None
        for kernels in args.kernels.split(","):
            if kernels == "cached":  # compile once, outside the timed rows
                run_config("prime", "cached", shared, tmp, 1)
            for name in args.configs.split(","):
                r = run_config(name, kernels, shared, tmp, args.repeat, networks)
                print(json.dumps(r), flush=True)
                results.append(r)
    md = markdown(results, args)
    print(md)
    if args.markdown:
        args.markdown.write_text(md)


if __name__ == "__main__":
    main()
