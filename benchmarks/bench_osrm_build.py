"""OSRM build parameters at country scale: per-step time and memory, table time, and whether routes change
(issue 15, item 3 — the four-profile build's ≤ 15 min target).

For one tiled input (``tile_extract.py``), each *variant* (a set of osrm-extract / osrm-partition / osrm-customize
options) is built with ``build_engine`` for the given profiles; per profile and step the wall seconds and the
program's peak resident MB are recorded. Then, per profile in ``--table-profiles``, ``osrm-routed`` (MLD) answers
the same 1000 × 1000 table as ``bench_scale.py`` (same points, same seed), and the durations are compared with the
first variant's: the share of identical cells and the largest difference.

    python benchmarks/bench_osrm_build.py --tiles 16 --profiles car --table-profiles car \\
        --variant base= --variant 'cuts4=partition:--optimizing-cuts 4'

A variant is ``NAME=STEP:OPTIONS[;STEP:OPTIONS…]`` (STEP is extract, partition or customize); ``NAME=`` alone is
the build's defaults. ``--pbf DIR`` keeps the tiled PBFs there between runs. With ``--reuse-extract`` (one profile),
the first variant's osrm-extract output is kept and the later variants only re-run osrm-partition and
osrm-customize on a copy of it (their extract options must be empty): for comparing partition parameters. Engine data goes to a temporary
folder and is deleted after each variant. Map data © OpenStreetMap contributors (ODbL 1.0).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "benchmarks" / "bench_scale.py")
scale = importlib.util.module_from_spec(_spec)
assert _spec.loader is not None
_spec.loader.exec_module(scale)


def parse_variant(text: str) -> tuple[str, dict[str, list[str]]]:
    name, _, rest = text.partition("=")
    opts: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in rest.split(";"))):
        step, _, args = part.partition(":")
        if step not in ("extract", "partition", "customize"):
            raise SystemExit(f"variant {text!r}: unknown step {step!r}")
        opts[step] = shlex.split(args)
    return name, opts


def keep_extract(pbf: Path, profiles: list[str], opts: dict[str, list[str]], out: Path) -> tuple[Path, float]:
    """Run osrm-extract once more for the first profile and keep its output (the reference for partition variants)."""
    from touroute.network.engine.build import EXTRACT_OPTIONS, _peak_child_rss
    from touroute.network.engine.install import _osrm_profiles_dir, engine_bin
    from touroute.network.engine.lua import profile_lua

    if len(profiles) != 1:
        raise SystemExit("--reuse-extract needs exactly one profile")
    p = profiles[0]
    out.mkdir(parents=True, exist_ok=True)
    bin_dir = engine_bin()
    assert bin_dir is not None
    (out / f"touroute-{p}.lua").write_text(profile_lua(p, _osrm_profiles_dir(bin_dir)))
    (out / "x.osm.pbf").symlink_to(pbf.resolve())
    xo = list(EXTRACT_OPTIONS if opts.get("extract") is None else opts["extract"])
    s, _, _ = _peak_child_rss([str(bin_dir / "osrm-extract"), "-p", f"touroute-{p}.lua", "-t", "2", *xo,
                               "x.osm.pbf"], out)
    (out / "x.osm.pbf").unlink()
    (out / "profile").write_text(p)
    return out, round(s, 2)


def rebuild_from_extract(kept: Path, data: Path, opts: dict[str, list[str]]):
    """osrm-partition + osrm-customize with ``opts`` on a copy of the kept extract; an EngineBuild-like record."""
    from types import SimpleNamespace

    from touroute.network.engine.build import CUSTOMIZE_OPTIONS, PARTITION_OPTIONS
    from touroute.network.engine.install import engine_bin

    if opts.get("extract"):
        raise SystemExit("--reuse-extract: later variants may not change extract options")
    p = (kept / "profile").read_text()
    shutil.copytree(kept, data)
    bin_dir = engine_bin()
    assert bin_dir is not None
    # as build_engine: an option list not given → ours
    po = list(PARTITION_OPTIONS if opts.get("partition") is None else opts["partition"])
    co = list(CUSTOMIZE_OPTIONS if opts.get("customize") is None else opts["customize"])
    ran = scale.repartition(bin_dir, data / "x.osrm", po, co, threads=2)
    steps, peaks, cpus = ({step: r[k] for step, r in ran.items()} for k in range(3))
    return SimpleNamespace(profiles={p: data / "x.osrm"}, step_seconds={p: steps}, step_peak_mb={p: peaks},
                           step_cpu_seconds={p: cpus}, peak_rss_mb={p: max(peaks.values())})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tiles", type=int, required=True)
    ap.add_argument("--profiles", nargs="+", default=["car"])
    ap.add_argument("--table-profiles", nargs="*", default=["car"])
    ap.add_argument("--variant", action="append", required=True)
    ap.add_argument("--pbf", type=Path, help="folder to keep tiled PBFs in (made once per tile count)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--reuse-extract", action="store_true")
    ap.add_argument("--extract-dir", type=Path, help="with --reuse-extract: keep the extract there for later runs")
    args = ap.parse_args(argv)
    from touroute.network.engine import EngineServer, OsrmClient, build_engine

    variants = [parse_variant(v) for v in args.variant]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="touroute-osrmbuild-") as tmp:
        work = Path(tmp)
        keep = args.pbf or work
        keep.mkdir(parents=True, exist_ok=True)
        pbf = keep / f"tiles{args.tiles}.osm.pbf"
        meta = keep / f"tiles{args.tiles}.json"
        if pbf.exists() and meta.exists():
            info = json.loads(meta.read_text())
        else:
            info = scale.tiler.tile_extract(scale.HUE, pbf, args.tiles)
            meta.write_text(json.dumps(info, default=str))
        info["src"] = str(scale.HUE)
        lat, lon = scale.points(info, np.random.default_rng(args.tiles))
        ref: dict[str, np.ndarray] = {}
        kept: Path | None = None
        for name, opts in variants:
            data = work / name
            t0 = time.perf_counter()
            if args.reuse_extract:
                extract_s = None
                if kept is None:
                    where = (args.extract_dir or work) / f"extract-t{args.tiles}-{args.profiles[0]}"
                    if (where / "extract_s").exists():  # kept by an earlier run with --extract-dir
                        kept, extract_s = where, float((where / "extract_s").read_text())
                    else:
                        shutil.rmtree(where, ignore_errors=True)  # a run that stopped half-way
                        kept, extract_s = keep_extract(pbf, args.profiles, opts, where)
                        (where / "extract_s").write_text(str(extract_s))
                b = rebuild_from_extract(kept, data, {k: v for k, v in opts.items() if k != "extract"})
                if extract_s is not None:
                    b.step_seconds[args.profiles[0]]["extract"] = extract_s
            else:
                b = build_engine(pbf, name=f"t{args.tiles}", profiles=args.profiles, data_dir=data, force=True,
                                 extract_options=opts.get("extract"), partition_options=opts.get("partition"),
                                 customize_options=opts.get("customize"))
            row: dict = {"tiles": args.tiles, "variant": name, "options": opts,
                         "build_s": round(time.perf_counter() - t0, 1),
                         "step_seconds": b.step_seconds, "step_peak_mb": b.step_peak_mb,
                         "step_cpu_seconds": b.step_cpu_seconds,
                         "peak_mb": max(b.peak_rss_mb[p] for p in args.profiles)}
            for p in args.table_profiles:
                with EngineServer(b, profiles=(p,), data_dir=data) as srv:
                    client = OsrmClient({p: srv.urls(p)}, timeout=600)
                    t1 = time.perf_counter()
                    sec, _, _, _ = client.table(lat, lon, p)
                    row[f"table_s_{p}"] = round(time.perf_counter() - t1, 2)
                row[f"reachable_{p}"] = round(float(np.isfinite(sec).mean()), 4)
                if p not in ref:
                    ref[p] = sec
                else:
                    cmp = scale.compare_tables(ref[p], sec)
                    row[f"same_reach_{p}"] = cmp["same_reachability"]
                    row[f"identical_{p}"] = cmp["identical_share"]
                    row[f"max_abs_diff_s_{p}"] = cmp["max_abs_diff_s"]
            shutil.rmtree(data, ignore_errors=True)
            print(json.dumps(row), flush=True)
            rows.append(row)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
