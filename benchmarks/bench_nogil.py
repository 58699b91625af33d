"""Does the solver starve the web server's other threads? Latency of a catalogue search (Flask test client) in
the main thread while another thread of the same process solves a 5-day region plan — with the ``nogil`` search
kernel (what ships) vs. the same kernel compiled holding the GIL (compiled here, ~30 s).

Usage:  python benchmarks/bench_nogil.py [--n 40]      (no road network needed: legs estimated)
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40, help="searches per measurement")
    args = ap.parse_args()

    import numba

    from touroute.matrix import TravelTimes
    from touroute.model import PlanRequest
    from touroute.planner import PlanningContext, build_model
    from touroute.solve import kernels as K
    from touroute.solve import solve, warmup
    from touroute.web import create_app

    warmup()
    d = tempfile.mkdtemp(prefix="touroute_nogil_")
    ctx = PlanningContext(router=TravelTimes([]), data_dir=d)
    app = create_app({"DB_URL": f"sqlite:///{d}/x.sqlite3", "SECRET_KEY": "x", "TILES": None}, ctx=ctx)
    client = app.test_client()
    req = PlanRequest(start_date="2026-12-07", days=5, start="hue-hub-hue-city", end="kh-hub-nha-trang")
    problem = build_model(req, ctx).problem

    def latency() -> tuple[float, float]:
        ts = []
        for _ in range(args.n):
            t = time.perf_counter()
            client.get("/api/pois?q=hoi&limit=10")
            ts.append(time.perf_counter() - t)
        ts.sort()
        return ts[len(ts) // 2] * 1000, ts[int(len(ts) * 0.95)] * 1000

    print("| kernel | search p50 ms | search p95 ms |\n|---|---:|---:|")
    print("| (idle, no solve) | %.1f | %.1f |" % latency())
    shipped = K.search
    holding = numba.njit(nogil=False)(shipped.py_func)
    try:
        for label, fn in (("nogil (shipped)", shipped), ("holding the GIL", holding)):
            K.search = fn
            solve(problem, seconds=0.2)  # compiles the GIL-holding copy outside the measurement
            th = threading.Thread(target=lambda: solve(problem, seconds=4.0, hard_time_limit=True))
            th.start()
            time.sleep(0.3)
            p50, p95 = latency()
            th.join()
            print(f"| {label}, solving in another thread | {p50:.1f} | {p95:.1f} |")
    finally:
        K.search = shipped


if __name__ == "__main__":
    main()
