"""Road networks at country scale: the embedded path and the OSRM engine side by side (issue 15, item 3).

For each tile count, ``tile_extract.py`` makes a PBF of that many copies of the real Huế roads (new ids, shifted
coordinates, linked by trunk roads), then, in one run on one machine:

* **OSRM** — ``build_engine`` for the car profile (extract → partition → customize; wall time and the largest peak
  resident memory of the three programs), ``osrm-routed`` started, and a 1000 × 1000 table of road points spread
  over every tile (wall time of the client call);
* **embedded** — ``build_network`` in a fresh subprocess (wall time and the child's own peak RSS) and the same
  1000 × 1000 matrix through ``TravelTimes`` (snapping included) — only up to ``--embedded-max`` tiles; beyond that
  the row says what the build's memory check predicts and whether it refuses on this machine.

    python benchmarks/bench_scale.py --tiles 1 4 16 64 150 --embedded-max 16
    python benchmarks/bench_scale.py --tiles 150 --embedded-max 0 --profiles car van coach motorbike
    python benchmarks/bench_scale.py --tiles 150 --embedded-max 0 --profiles car van coach motorbike \
        --recheck-partition '--optimizing-cuts 10 --max-cell-sizes 128,4096,65536,2097152'

    python benchmarks/bench_scale.py --tiles 150 --embedded-max 0 --profiles car van coach motorbike --compare-separate

Each row has the OSRM build's seconds, CPU seconds and peak MB per profile and step (the car and the van share one
extract: ``osrm_shared``). ``--compare-separate`` builds the profiles a second time with one extract each, in the
same run, and compares every profile's table between the two builds. ``--recheck-partition``
re-partitions the car data with other osrm-partition options (above: OSRM's defaults), customizes it, answers the
same table again and reports whether the durations are the same (they must be: the partition changes MLD's speed,
not its answers).

Outputs (PBFs, networks, engine data) go to a temporary folder and are deleted. Map data © OpenStreetMap
contributors (ODbL 1.0).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HUE = ROOT.parent / "shared" / "data" / "osm" / "hue.osm.pbf"
N_POINTS = 1000

_spec = importlib.util.spec_from_file_location("tile_extract", ROOT / "benchmarks" / "tile_extract.py")
tiler = importlib.util.module_from_spec(_spec)
assert _spec.loader is not None
_spec.loader.exec_module(tiler)

_CHILD = r"""
import json, sys, time
from collections.abc import Callable
from pathlib import Path
from typing import Any
t0 = time.perf_counter()
from touroute.network import build_network
net = build_network(sys.argv[1], data_dir=sys.argv[2], memory_limit_mb=1e9)
hwm = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM:"))
print(json.dumps({"seconds": time.perf_counter() - t0, "peak_mb": int(hwm.split()[1]) / 1024, "nodes": net.n_nodes}))
"""


def points(info: dict, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """1000 road points spread over the tiles: source road nodes, each moved by a random tile's shift."""
    src = tiler.read_source(Path(info["src"]) if "src" in info else HUE)
    k = rng.integers(0, len(src.lats), N_POINTS)
    t = rng.integers(0, len(info["shifts"]), N_POINTS)
    shifts = np.asarray(info["shifts"], float)
    return src.lats[k] + shifts[t, 0], src.lons[k] + shifts[t, 1]


def repartition(bin_dir: Path, base: Path, partition_options: list[str], customize_options: list[str],
                threads: int) -> dict[str, tuple[float, float, float]]:
    """Run osrm-partition and osrm-customize on the extracted data ``base`` (``….osrm``) with these options:
    step → (wall s, peak MB, CPU s), rounded as the benchmarks report them."""
    from touroute.network.engine.build import run_steps

    secs, peaks, cpus, _ = run_steps(
        (("partition", [str(bin_dir / "osrm-partition"), "-t", str(threads), *partition_options, base.name]),
         ("customize", [str(bin_dir / "osrm-customize"), "-t", str(threads), *customize_options, base.name])),
        base.parent)
    return {step: (secs[step], peaks[step], cpus[step]) for step in secs}


def recheck(b, work: Path, lat: np.ndarray, lon: np.ndarray, sec: np.ndarray, options: list[str]) -> dict:
    """Partition and customize the car data again with ``options`` (e.g. OSRM's defaults), answer the same table, and
    compare: MLD's answers must not depend on the partition, only its speed does."""
    from touroute.network.engine import EngineServer, OsrmClient
    from touroute.network.engine.install import engine_bin

    bin_dir = engine_bin(work)
    assert bin_dir is not None
    out: dict = {"partition_options": options}
    for step, (s, rss, cpu) in repartition(bin_dir, b.profiles["car"], options, [], os.cpu_count() or 1).items():
        out[f"{step}_s"], out[f"{step}_peak_mb"], out[f"{step}_cpu_s"] = s, rss, cpu
    with EngineServer(b, profiles=("car",), data_dir=work) as srv:
        client = OsrmClient({"car": srv.urls("car")}, timeout=600)
        t0 = time.perf_counter()
        other, _, _, _ = client.table(lat, lon, "car")
        out["matrix_s"] = round(time.perf_counter() - t0, 2)
    out.update(compare_tables(sec, other))
    return out


def compare_tables(ref: np.ndarray, other: np.ndarray) -> dict:
    """How far two travel-time tables of the same points agree: the same pairs reachable, the share of identical
    cells and the largest difference in seconds and relative to the first table (over pairs both reach)."""
    both = np.isfinite(ref) & np.isfinite(other)
    return {"same_reachability": bool((np.isfinite(ref) == np.isfinite(other)).all()),
            "identical_share": round(float((ref[both] == other[both]).mean()), 6),
            "max_abs_diff_s": round(float(np.abs(ref[both] - other[both]).max()), 2) if both.any() else 0.0,
            "max_rel_diff": (round(float((np.abs(ref[both] - other[both]) / np.maximum(ref[both], 1.0)).max()), 6)
                             if both.any() else 0.0)}


def profile_tables(b, work: Path, profiles: tuple[str, ...], lat: np.ndarray, lon: np.ndarray) -> dict:
    """Each profile's 1000 × 1000 table (seconds) from the engine data ``b``."""
    from touroute.network.engine import EngineServer, OsrmClient

    out = {}
    for p in profiles:
        with EngineServer(b, profiles=(p,), data_dir=work) as srv:
            out[p] = OsrmClient({p: srv.urls(p)}, timeout=600).table(lat, lon, p)[0]
    return out


def _build_again(b, work: Path, profiles: tuple[str, ...], lat: np.ndarray, lon: np.ndarray, label: str,
                 build: Callable[[], Any]) -> dict:
    """Answer every profile's table from ``b``, make a second build with ``build()`` in the same run, answer the
    same tables from it and compare them (``<profile>_vs_<label>``, ``label`` naming the first build)."""
    mine = profile_tables(b, work, profiles, lat, lon)
    b2 = build()
    theirs = profile_tables(b2, work, profiles, lat, lon)
    out: dict = {"osrm_build_s": round(b2.total_seconds, 1), "osrm_peak_mb": b2.peak_mb,
                 "osrm_build_s_by_profile": {p: b2.seconds[p] for p in profiles},
                 "osrm_step_seconds": b2.step_seconds, "osrm_step_cpu_seconds": b2.step_cpu_seconds}
    if b2.shared_profiles:
        out["osrm_shared"] = {"profiles": b2.shared_profiles, "step_seconds": b2.shared_step_seconds,
                              "step_cpu_seconds": b2.shared_step_cpu_seconds}
    for p in profiles:
        out[f"{p}_vs_{label}"] = compare_tables(theirs[p], mine[p])
    return out


def separate(b, pbf: Path, tiles: int, work: Path, profiles: tuple[str, ...], lat: np.ndarray,
             lon: np.ndarray) -> dict:
    """Build the same profiles again with one extract each (``share_extracts=False``), in the same run, and compare
    every profile's table with the shared build's: the car, coach and motorbike must be identical, the van within
    OSRM's updater rounding (one decisecond per node of an updated edge at most)."""
    from touroute.network.engine import build_engine

    return _build_again(b, work, profiles, lat, lon, "shared",
                        lambda: build_engine(pbf, name=f"t{tiles}-separate", profiles=profiles, data_dir=work,
                                             force=True, share_extracts=False))


def full_handlers(b, pbf: Path, tiles: int, work: Path, profiles: tuple[str, ...], lat: np.ndarray,
                  lon: np.ndarray) -> dict:
    """Build the same profiles again with every OSRM car way handler (the guidance-only ones included,
    ``touroute.network.engine.lua.GUIDANCE_HANDLERS``), in the same run, and compare every profile's table with the
    lean build's: they must be identical, only the build time may differ."""
    from touroute.network.engine import build_engine, lua

    def build():
        kept = lua.GUIDANCE_HANDLERS
        lua.GUIDANCE_HANDLERS = ()
        try:
            return build_engine(pbf, name=f"t{tiles}-full", profiles=profiles, data_dir=work, force=True)
        finally:
            lua.GUIDANCE_HANDLERS = kept

    return _build_again(b, work, profiles, lat, lon, "lean", build)


def run(tiles: int, embedded: bool, work: Path, profiles: tuple[str, ...] = ("car",),
        recheck_partition: list[str] | None = None, compare_separate: bool = False,
        compare_full: bool = False) -> dict:
    from touroute.matrix import Place, TravelTimes
    from touroute.network.build import available_memory_mb, predict_embedded_peak_mb
    from touroute.network.engine import EngineServer, OsrmClient, build_engine

    pbf = work / f"tiles{tiles}.osm.pbf"
    info = tiler.tile_extract(HUE, pbf, tiles)
    info["src"] = str(HUE)
    lat, lon = points(info, np.random.default_rng(tiles))
    row: dict = {"tiles": tiles, "pbf_mb": round(pbf.stat().st_size / 1e6, 1), "nodes": info.get("nodes")}
    b = build_engine(pbf, name=f"t{tiles}", profiles=profiles, data_dir=work, force=True)
    row["osrm_build_s"] = round(b.total_seconds, 1)
    row["osrm_peak_mb"] = b.peak_mb
    if len(profiles) > 1:
        row["osrm_build_s_by_profile"] = {p: b.seconds[p] for p in profiles}
    row["osrm_step_seconds"] = b.step_seconds
    row["osrm_step_cpu_seconds"] = b.step_cpu_seconds
    row["osrm_step_peak_mb"] = b.step_peak_mb
    if b.shared_profiles:
        row["osrm_shared"] = {"profiles": b.shared_profiles, "step_seconds": b.shared_step_seconds,
                              "step_cpu_seconds": b.shared_step_cpu_seconds, "step_peak_mb": b.shared_step_peak_mb}
    with EngineServer(b, profiles=("car",), data_dir=work) as srv:
        client = OsrmClient({"car": srv.urls("car")}, timeout=600)
        t0 = time.perf_counter()
        sec, _, snap, _ = client.table(lat, lon, "car")
        row["osrm_matrix_s"] = round(time.perf_counter() - t0, 2)
        row["osrm_reachable"] = float(np.isfinite(sec).mean())
    if recheck_partition is not None:
        row["recheck"] = recheck(b, work, lat, lon, sec, recheck_partition)
    if compare_separate:
        row["separate"] = separate(b, pbf, tiles, work, profiles, lat, lon)
    if compare_full:
        row["full_handlers"] = full_handlers(b, pbf, tiles, work, profiles, lat, lon)
    predicted = predict_embedded_peak_mb(pbf)
    row["embedded_predicted_peak_mb"] = round(predicted)
    avail = available_memory_mb()
    row["embedded_refused_here"] = bool(avail is not None and predicted > avail)
    if embedded:
        data = work / f"emb{tiles}"
        out = subprocess.run([sys.executable, "-c", _CHILD, str(pbf), str(data)], capture_output=True, text=True,
                             env={**os.environ, "TOUROUTE_DATA_DIR": str(data)})
        if out.returncode != 0:
            row["embedded_error"] = out.stderr.strip().splitlines()[-1][:200]
        else:
            child = json.loads(out.stdout.strip().splitlines()[-1])
            row["embedded_build_s"] = round(child["seconds"], 1)
            row["embedded_peak_mb"] = round(child["peak_mb"])
            from touroute.network import load_network

            net = load_network(pbf.name.removesuffix(".osm.pbf"), data)
            places = [Place(f"p{i}", float(a), float(o)) for i, (a, o) in enumerate(zip(lat, lon))]
            t0 = time.perf_counter()
            m = TravelTimes([net], ferries=[]).matrix(places, "car")
            row["embedded_matrix_s"] = round(time.perf_counter() - t0, 2)
            both = np.isfinite(sec) & (m.source_code == 0) & (sec > 0)
            row["osrm_over_embedded_time_median"] = round(float(np.median(sec[both] / m.seconds[both])), 3)
    pbf.unlink(missing_ok=True)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tiles", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--embedded-max", type=int, default=16)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--profiles", nargs="+", default=["car"], choices=["car", "van", "coach", "motorbike"],
                    help="OSRM profiles to build (default: car; the table is always the car profile's)")
    ap.add_argument("--recheck-partition", metavar="OPTIONS",
                    help="after the table, re-partition the car data with these osrm-partition options ('' = "
                         "OSRM's defaults), customize, answer the table again and report the agreement")
    ap.add_argument("--compare-separate", action="store_true",
                    help="after the (shared-extract) build, build the profiles again with one extract each and "
                         "compare every profile's table between the two builds")
    ap.add_argument("--compare-full-handlers", action="store_true",
                    help="after the build, build the profiles again with every OSRM car way handler (the "
                         "guidance-only ones the generated profiles skip) and compare every profile's table")
    args = ap.parse_args(argv)
    if "car" not in args.profiles:
        ap.error("--profiles must include car (the 1000 × 1000 table is the car profile's)")
    if not HUE.exists():
        print(f"{HUE} missing: the shared OSM inputs live in ../shared", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory(prefix="touroute-scale-") as tmp:
        for n in args.tiles:
            row = run(n, n <= args.embedded_max, Path(tmp), tuple(args.profiles),
                      None if args.recheck_partition is None else shlex.split(args.recheck_partition),
                      args.compare_separate, args.compare_full_handlers)
            print(json.dumps(row), flush=True)
            rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
