"""Preparing OSRM data: one dataset per vehicle profile (extract → partition → customize, multi-level Dijkstra),
with the build's time and peak memory recorded for the scale benchmark.

Profiles that drive on the same graph (the car and the van) share one extract and one partition by default
(:func:`~touroute.network.engine.lua.shared_profile_lua` says why and what it changes): each one's dataset is the
shared graph with its own speeds applied by ``osrm-customize --segment-speed-file``. ``share_extracts=False`` builds
one extract per profile."""

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
from .lua import graph_family, profile_lua, shared_profile_lua


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
    shared_profiles: list[str] = field(default_factory=list)
    """The profiles built from a shared extract (their ``step_*`` have only their own copy and customize)."""
    shared_step_seconds: dict[str, float] = field(default_factory=dict)
    """The shared extract's {extract, partition} wall seconds, paid once for all of :attr:`shared_profiles`."""
    shared_step_peak_mb: dict[str, float] = field(default_factory=dict)
    shared_step_cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        """The whole build's wall time: every profile's own steps plus the shared extract's, counted once."""
        return round(sum(self.seconds.values()) + sum(self.shared_step_seconds.values()), 2)

    @property
    def peak_mb(self) -> float:
        """The largest resident set of any program the build ran."""
        return max([*self.peak_rss_mb.values(), *self.shared_step_peak_mb.values(), 0.0])

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source, "profiles": {k: str(v) for k, v in self.profiles.items()},
                "data_version": self.data_version, "seconds": self.seconds, "peak_rss_mb": self.peak_rss_mb,
                "versions": self.versions, "step_seconds": self.step_seconds, "step_peak_mb": self.step_peak_mb,
                "step_cpu_seconds": self.step_cpu_seconds, "shared_profiles": self.shared_profiles,
                "shared_step_seconds": self.shared_step_seconds, "shared_step_peak_mb": self.shared_step_peak_mb,
                "shared_step_cpu_seconds": self.shared_step_cpu_seconds}


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


def run_steps(steps: Iterable[tuple[str, Sequence[str]]], cwd: Path, say: Callable[[str], None] | None = None,
              label: str = "") -> tuple[dict[str, float], dict[str, float], dict[str, float], float]:
    """Run OSRM programs one after another in ``cwd``: per step its wall seconds, peak MB and CPU seconds, rounded as
    ``engine.json`` keeps them, and the unrounded total wall seconds (the build and the benchmarks share this)."""
    secs: dict[str, float] = {}
    peaks: dict[str, float] = {}
    cpus: dict[str, float] = {}
    total = 0.0
    for step, cmd in steps:
        if say:
            say(f"OSRM {step} ({label})")
        s, rss, cpu = _peak_child_rss(cmd, cwd)
        total += s
        secs[step], peaks[step], cpus[step] = round(s, 2), round(rss, 1), round(cpu, 2)
    return secs, peaks, cpus, total


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
                 customize_options: Sequence[str] | None = None, share_extracts: bool = True) -> EngineBuild:
    """Prepare OSRM data for ``source`` (an ``.osm.pbf``) and each profile: extract → partition → customize (MLD).

    ``share_extracts`` (default) runs one extract and one partition for the profiles of one graph family
    (:func:`~touroute.network.engine.lua.graph_family`: the car and the van) and customizes each with its own segment
    speeds (the module docstring says why and what differs).

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
    # other profiles of the same extract stay (rebuilt only when asked for); data_version is recomputed below
    if old.get("source") == str(src):
        build = _build_from_json(old, folder)
        build.shared_profiles = [p for p in build.shared_profiles if p in build.profiles]
    else:
        build = EngineBuild(name, folder, str(src), {}, "")
    threads = threads or os.cpu_count() or 1
    xo = list(EXTRACT_OPTIONS if extract_options is None else extract_options)
    po = list(PARTITION_OPTIONS if partition_options is None else partition_options)
    co = list(CUSTOMIZE_OPTIONS if customize_options is None else customize_options)
    families: dict[tuple, list[str]] = {}
    for p in wanted:
        families.setdefault(graph_family(p), []).append(p)
    alone = []
    for group in families.values():
        if share_extracts and len(group) > 1:
            _build_shared(build, src, source_key, group, bin_dir, lua_dir, threads, xo, po, co, force, say)
        else:
            alone += group
    for p in alone:
        lua = profile_lua(PROFILES[p], lua_dir)
        version = _data_version(source_key, lua)
        pdir = folder / p
        base = pdir / f"{name}.osrm"
        if not force and build.versions.get(p) == version and Path(f"{base}.mldgr").exists():
            say(f"OSRM data '{name}' ({p}) is up to date")
            continue
        pbf = _fresh_folder(pdir, src, name, f"touroute-{p}.lua", lua)
        steps, peaks, cpus, total_s = run_steps(
            (("extract", [str(bin_dir / "osrm-extract"), "-p", f"touroute-{p}.lua", "-t", str(threads),
                          "--data_version", version, *xo, pbf.name]),
             ("partition", [str(bin_dir / "osrm-partition"), "-t", str(threads), *po, base.name]),
             ("customize", [str(bin_dir / "osrm-customize"), "-t", str(threads), *co, base.name])), pdir, say, p)
        pbf.unlink(missing_ok=True)
        build.profiles[p] = base
        build.versions[p] = version
        build.seconds[p] = round(total_s, 2)
        build.peak_rss_mb[p] = max(peaks.values())
        build.step_seconds[p] = steps
        build.step_peak_mb[p] = peaks
        build.step_cpu_seconds[p] = cpus
        if p in build.shared_profiles:
            build.shared_profiles.remove(p)
    build.data_version = hashlib.sha256(json.dumps(build.versions, sort_keys=True).encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    meta_path.write_text(json.dumps(build.to_json(), indent=1))
    return build


def _data_version(source_key: list[Any], lua: str) -> str:
    """The data version given to osrm-extract: a hash of the source file's key and the Lua it was built with."""
    return hashlib.sha256(json.dumps({"src": source_key, "lua": lua}).encode()).hexdigest()[:16]


def _fresh_folder(folder: Path, src: Path, name: str, lua_name: str, lua: str) -> Path:
    """Empty ``folder`` and put the source extract (a link, else a copy) and the Lua profile in it; return the PBF."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    pbf = folder / f"{name}.osm.pbf"
    try:
        pbf.symlink_to(src.resolve())
    except OSError:
        shutil.copyfile(src, pbf)
    (folder / lua_name).write_text(lua)
    return pbf


_CUSTOMIZE_WRITES = (".osrm.geometry", ".osrm.datasource_names", ".osrm.cell_metrics", ".osrm.mldgr")
"""The files ``osrm-customize`` (re)writes: each profile has its own copy; the rest of the shared data is linked."""


def _build_shared(build: EngineBuild, src: Path, source_key: list[Any], wanted: list[str], bin_dir: Path,
                  lua_dir: Path, threads: int, xo: list[str], po: list[str], co: list[str], force: bool,
                  say: Callable[[str], None]) -> None:
    """One extract and one partition for every profile in ``wanted``, then one customize per profile with its own
    segment speeds (written by the shared Lua during the extract). Fills ``build`` in place."""
    name, folder = build.name, build.directory
    sdir = folder / "_shared"
    speeds = sdir / "speeds"
    lua = shared_profile_lua(wanted, lua_dir, speeds)
    version = _data_version(source_key, lua)
    if not force and all(build.versions.get(p) == version and Path(f"{folder / p / name}.osrm.mldgr").exists()
                         for p in wanted):
        say(f"OSRM data '{name}' ({', '.join(wanted)}) is up to date")
        return
    pbf = _fresh_folder(sdir, src, name, "touroute-shared.lua", lua)
    speeds.mkdir()
    base = sdir / f"{name}.osrm"
    try:
        steps, peaks, cpus, _ = run_steps(
            (("extract", [str(bin_dir / "osrm-extract"), "-p", "touroute-shared.lua", "-t", str(threads),
                          "--data_version", version, *xo, pbf.name]),
             ("partition", [str(bin_dir / "osrm-partition"), "-t", str(threads), *po, base.name])),
            sdir, say, f"shared by {', '.join(wanted)}")
        pbf.unlink(missing_ok=True)
        build.shared_step_seconds, build.shared_step_peak_mb, build.shared_step_cpu_seconds = steps, peaks, cpus
        for p in wanted:
            t0 = time.perf_counter()
            pdir = folder / p
            if pdir.exists():
                shutil.rmtree(pdir)
            pdir.mkdir(parents=True)
            for f in sorted(sdir.glob(f"{name}.osrm*")):
                dest = pdir / f.name
                if f.name.endswith(_CUSTOMIZE_WRITES):
                    shutil.copyfile(f, dest)
                else:
                    try:
                        os.link(f, dest)
                    except OSError:
                        shutil.copyfile(f, dest)
            link_s = time.perf_counter() - t0
            files = sorted(speeds.glob(f"{p}-*.csv"))
            cmd = [str(bin_dir / "osrm-customize"), "-t", str(threads), *co]
            for f in files:
                cmd += ["--segment-speed-file", str(f)]
            say(f"OSRM customize ({p}: {sum(f.stat().st_size for f in files) / 1e6:,.1f} MB of segment speeds)")
            secs, peaks, cpus, s = run_steps((("customize", [*cmd, f"{name}.osrm"]),), pdir)
            build.profiles[p] = pdir / f"{name}.osrm"
            build.versions[p] = version
            build.seconds[p] = round(link_s + s, 2)
            build.peak_rss_mb[p] = peaks["customize"]
            build.step_seconds[p] = {"copy": round(link_s, 2), **secs}
            build.step_peak_mb[p] = peaks
            build.step_cpu_seconds[p] = cpus
    finally:
        shutil.rmtree(sdir, ignore_errors=True)
    build.shared_profiles = sorted(set(build.shared_profiles) | set(wanted))


def _build_from_json(doc: Mapping[str, Any], folder: Path) -> EngineBuild:
    return EngineBuild(doc["name"], folder, doc["source"], {k: Path(v) for k, v in doc["profiles"].items()},
                       doc["data_version"], dict(doc.get("seconds", {})), dict(doc.get("peak_rss_mb", {})),
                       dict(doc.get("versions", {})), dict(doc.get("step_seconds", {})),
                       dict(doc.get("step_peak_mb", {})), dict(doc.get("step_cpu_seconds", {})),
                       list(doc.get("shared_profiles", [])), dict(doc.get("shared_step_seconds", {})),
                       dict(doc.get("shared_step_peak_mb", {})), dict(doc.get("shared_step_cpu_seconds", {})))


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
