"""Preparing OSRM data: one dataset per vehicle profile (extract → partition → customize, multi-level Dijkstra),
with the build's time and peak memory recorded for the scale benchmark."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import EngineError
from ..profiles import PROFILE_NAMES, PROFILES, get_profile
from .install import _osrm_profiles_dir, engine_bin, engine_root
from .lua import profile_lua


@dataclass
class EngineBuild:
    """One OSRM dataset: a source extract prepared for each profile."""

    name: str
    directory: Path
    source: str
    profiles: dict[str, Path]
    """profile → its ``.osrm`` base path (what ``osrm-routed`` is given)."""
    data_version: str
    """A hash over every profile's version (OSRM stamps each profile's own on its answers)."""
    seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    """profile → the data version given to osrm-extract: a hash of the source file and that profile's Lua."""
    step_seconds: dict[str, dict[str, float]] = field(default_factory=dict)
    """profile → {extract, partition, customize} wall seconds (what the scale benchmark reports)."""
    step_peak_mb: dict[str, dict[str, float]] = field(default_factory=dict)
    """profile → {extract, partition, customize} peak resident MB of that program."""
    step_cpu_seconds: dict[str, dict[str, float]] = field(default_factory=dict)
    """profile → {extract, partition, customize} CPU seconds (user + system) of that program."""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source, "profiles": {k: str(v) for k, v in self.profiles.items()},
                "data_version": self.data_version, "seconds": self.seconds, "peak_rss_mb": self.peak_rss_mb,
                "versions": self.versions, "step_seconds": self.step_seconds, "step_peak_mb": self.step_peak_mb,
                "step_cpu_seconds": self.step_cpu_seconds}


def _peak_child_rss(cmd: Sequence[str], cwd: Path) -> tuple[float, float, float]:
    """Run ``cmd`` and return (wall seconds, its own peak resident MB, CPU seconds) — measured per child with wait4."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read() if proc.stdout else b""),
                              daemon=True)
    reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    reader.join(timeout=5)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = "\n".join(b"".join(chunks).decode(errors="replace").strip().splitlines()[-8:])
        raise EngineError(f"{Path(cmd[0]).name} failed (exit {proc.returncode}):\n{tail}")
    return seconds, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime


EXTRACT_OPTIONS: tuple[str, ...] = ()
"""Extra osrm-extract options: none. Measured (BENCHMARKS.md, "OSRM build parameters"): ``--driving-side-index
auto`` gave identical tables but no gain at 64 tiles (CPU 245 s against 237 s), and extract has no other option
that changes its speed without changing its output."""
PARTITION_OPTIONS: tuple[str, ...] = ("--optimizing-cuts", "3", "--max-cell-sizes", "256,8192,131072,2097152")
"""osrm-partition options (OSRM's defaults: ``--optimizing-cuts 10 --max-cell-sizes 128,4096,65536,2097152``).

Fewer inertial-flow directions per bisection (each one is a max-flow computation; the best cut is kept) and a
recursive bisection that stops at 256 instead of 128 nodes: the partition needs about half the CPU time, customize a
little more (together 116 against 205 CPU s for the car at 150 tiles), and a 1000 × 1000 table up to about 1 s more. The partition only
decides how fast MLD answers, never what it answers: it is computed from the road graph's shape alone (no weights)
and MLD's queries are exact, so route durations are the same (checked: identical 1000 × 1000 tables for all four
profiles at 16 and 64 tiles, and for the car at 150). Chosen on the tuning sizes (16 and 64 tiles) with
``benchmarks/bench_osrm_build.py``; BENCHMARKS.md, "OSRM build parameters", has the measurements."""
CUSTOMIZE_OPTIONS: tuple[str, ...] = ()
"""Extra osrm-customize options: none (its options are for traffic updates)."""


def build_engine(source: str | Path, *, name: str | None = None, profiles: Iterable[str] = PROFILE_NAMES,
                 data_dir: str | Path | None = None, force: bool = False, threads: int | None = None,
                 progress: Callable[[str], None] | None = None,
                 extract_options: Sequence[str] | None = None, partition_options: Sequence[str] | None = None,
                 customize_options: Sequence[str] | None = None) -> EngineBuild:
    """Prepare OSRM data for ``source`` (an ``.osm.pbf``) and each profile: extract → partition → customize (MLD).

    The dataset lives under ``$TOUROUTE_DATA_DIR/engine/<name>/<profile>/``; a dataset already built from the same
    file (size and modification time) with the same profiles table is reused unless ``force``.
    ``extract_options``, ``partition_options`` and ``customize_options`` replace :data:`EXTRACT_OPTIONS`,
    :data:`PARTITION_OPTIONS` and :data:`CUSTOMIZE_OPTIONS` (for measuring other parameters).
    """
    say = progress or (lambda _m: None)
    src = Path(source).expanduser()
    if not src.is_file():
        raise EngineError(f"{src}: no such file (the OSRM engine builds from an .osm.pbf extract)")
    if not src.name.endswith(".osm.pbf"):
        raise EngineError(f"{src}: the OSRM engine reads .osm.pbf extracts (convert with `osmium cat in.osm -o "
                          "out.osm.pbf`)")
    bin_dir = engine_bin(data_dir)
    assert bin_dir is not None
    lua_dir = _osrm_profiles_dir(bin_dir)
    name = name or re.sub(r"[^a-z0-9_-]+", "-", src.name.removesuffix(".osm.pbf").lower()).strip("-") or "extract"
    wanted = [get_profile(p).name for p in profiles]
    folder = engine_root(data_dir) / name
    st = src.stat()
    source_key = [str(src.resolve()), st.st_size, int(st.st_mtime)]
    meta_path = folder / "engine.json"
    old: dict[str, Any] = {}
    if meta_path.exists():
        try:
            old = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            old = {}
    build = EngineBuild(name, folder, str(src), {}, "")
    if old.get("source") == str(src):  # other profiles of the same extract stay (rebuilt only when asked for)
        prev = _build_from_json(old, folder)
        build.profiles, build.seconds, build.peak_rss_mb = prev.profiles, prev.seconds, prev.peak_rss_mb
        build.versions, build.step_seconds, build.step_peak_mb = prev.versions, prev.step_seconds, prev.step_peak_mb
        build.step_cpu_seconds = prev.step_cpu_seconds
    threads = threads or os.cpu_count() or 1
    for p in wanted:
        lua = profile_lua(PROFILES[p], lua_dir)
        version = hashlib.sha256(json.dumps({"src": source_key, "lua": lua}).encode()).hexdigest()[:16]
        pdir = folder / p
        base = pdir / f"{name}.osrm"
        if not force and build.versions.get(p) == version and Path(f"{base}.mldgr").exists():
            say(f"OSRM data '{name}' ({p}) is up to date")
            continue
        if pdir.exists():
            shutil.rmtree(pdir)
        pdir.mkdir(parents=True)
        pbf = pdir / f"{name}.osm.pbf"
        try:
            pbf.symlink_to(src.resolve())
        except OSError:
            shutil.copyfile(src, pbf)
        (pdir / f"touroute-{p}.lua").write_text(lua)
        total_s, peak, steps, peaks, cpus = 0.0, 0.0, {}, {}, {}
        xo = list(EXTRACT_OPTIONS if extract_options is None else extract_options)
        po = list(PARTITION_OPTIONS if partition_options is None else partition_options)
        co = list(CUSTOMIZE_OPTIONS if customize_options is None else customize_options)
        for step, cmd in (("extract", [str(bin_dir / "osrm-extract"), "-p", f"touroute-{p}.lua", "-t", str(threads),
                                       "--data_version", version, *xo, pbf.name]),
                          ("partition", [str(bin_dir / "osrm-partition"), "-t", str(threads), *po, base.name]),
                          ("customize", [str(bin_dir / "osrm-customize"), "-t", str(threads), *co, base.name])):
            say(f"OSRM {step} ({p})")
            s, rss, cpu = _peak_child_rss(cmd, pdir)
            total_s += s
            steps[step] = round(s, 2)
            peaks[step] = round(rss, 1)
            cpus[step] = round(cpu, 2)
            peak = max(peak, rss)
        pbf.unlink(missing_ok=True)
        build.profiles[p] = base
        build.versions[p] = version
        build.seconds[p] = round(total_s, 2)
        build.peak_rss_mb[p] = round(peak, 1)
        build.step_seconds[p] = steps
        build.step_peak_mb[p] = peaks
        build.step_cpu_seconds[p] = cpus
    build.data_version = hashlib.sha256(json.dumps(build.versions, sort_keys=True).encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    meta_path.write_text(json.dumps(build.to_json(), indent=1))
    return build


def _build_from_json(doc: Mapping[str, Any], folder: Path) -> EngineBuild:
    return EngineBuild(doc["name"], folder, doc["source"], {k: Path(v) for k, v in doc["profiles"].items()},
                       doc["data_version"], dict(doc.get("seconds", {})), dict(doc.get("peak_rss_mb", {})),
                       dict(doc.get("versions", {})), dict(doc.get("step_seconds", {})),
                       dict(doc.get("step_peak_mb", {})), dict(doc.get("step_cpu_seconds", {})))


def load_engine_build(name: str, data_dir: str | Path | None = None) -> EngineBuild:
    path = engine_root(data_dir) / name / "engine.json"
    if not path.exists():
        built = sorted(p.parent.name for p in engine_root(data_dir).glob("*/engine.json"))
        raise EngineError(f"no OSRM data named {name!r} (built: {', '.join(built) or 'none'}); build it with "
                          f"`touroute network build EXTRACT.osm.pbf --engine osrm`")
    return _build_from_json(json.loads(path.read_text()), path.parent)


def list_engine_builds(data_dir: str | Path | None = None) -> list[EngineBuild]:
    return [_build_from_json(json.loads(p.read_text()), p.parent)
            for p in sorted(engine_root(data_dir).glob("*/engine.json"))]


# Serving
