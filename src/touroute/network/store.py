"""On-disk cache of built road networks.

Layout (``<data dir>`` = ``$TOUROUTE_DATA_DIR`` or the user cache dir, e.g. ``~/.cache/touroute``)::

    <data dir>/networks/<name>/meta.json     key, source (path + SHA-256), settings, counts, bounds, circuity …
    <data dir>/networks/<name>/network.npz   numpy arrays (see RoadNetwork), coordinates as int32 1e-7 degrees
    <data dir>/matrices/…                    travel-matrix cache of the catalogue (touroute.matrix)
    <data dir>/osmnx-cache/…                 osmnx's HTTP cache for Overpass downloads

``meta.json`` is written last, so a crash mid-save never leaves a half network that looks complete. Every file
carries ``format_version``; a cache written by another format is refused with a message that says how to
rebuild it (``touroute network build`` does that automatically). Built networks are derived from OSM data
(ODbL) and never belong in the repository.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..settings import setting
from .errors import NetworkCacheError, NetworkNotFoundError
from .graph import RoadNetwork

FORMAT_VERSION = 1
META_FILE = "meta.json"
ARRAYS_FILE = "network.npz"
_E7 = 1e7

_NODE_EDGE_ARRAYS = ("node_osmid", "indptr", "edge_u", "edge_v", "edge_length", "edge_class", "edge_maxspeed",
                     "edge_oneway", "edge_name", "edge_ref", "strings", "osmid_ptr", "osmids", "geom_ptr",
                     "circuity_samples")
_COORD_ARRAYS = ("node_lat", "node_lon", "geom_lat", "geom_lon")


def data_root(data_dir: str | Path | None = None) -> Path:
    """Where touroute keeps networks and matrices: ``data_dir``, else ``$TOUROUTE_DATA_DIR``, else the user cache dir."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    from_env = setting("TOUROUTE_DATA_DIR")
    if from_env is not None:
        return from_env
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("touroute", appauthor=False))


def networks_dir(data_dir: str | Path | None = None) -> Path:
    return data_root(data_dir) / "networks"


def network_dir(name: str, data_dir: str | Path | None = None) -> Path:
    return networks_dir(data_dir) / name


def save(net: RoadNetwork, directory: Path) -> None:
    """Write ``net`` atomically-enough: arrays to a temp file renamed into place, then ``meta.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    meta_path = directory / META_FILE
    if meta_path.exists():
        meta_path.unlink()  # the entry is incomplete until the new meta is written
    arrays: dict[str, np.ndarray] = {k: getattr(net, k) for k in _NODE_EDGE_ARRAYS}
    for k in _COORD_ARRAYS:
        arrays[k] = np.round(getattr(net, k) * _E7).astype(np.int32)
    for p, w in net.weights.items():
        arrays[f"w_{p}"] = w.astype(np.float32)
        arrays[f"routable_{p}"] = net.routable[p]
    arrays["format_version"] = np.array(FORMAT_VERSION)
    tmp = directory / f"{ARRAYS_FILE}.{os.getpid()}.tmp"  # one per process: concurrent builds never share it
    with open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    os.replace(tmp, directory / ARRAYS_FILE)
    meta = dict(net.meta)
    meta.update({"format_version": FORMAT_VERSION, "name": net.name, "profiles_stored": list(net.weights),
                 "size_bytes": (directory / ARRAYS_FILE).stat().st_size})
    tmp_meta = directory / f"{META_FILE}.{os.getpid()}.tmp"
    tmp_meta.write_text(json.dumps(meta, indent=1, ensure_ascii=False, default=_json_default), encoding="utf-8")
    os.replace(tmp_meta, meta_path)
    net.meta = meta


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _rebuild_hint(meta: dict[str, Any]) -> str:
    src = meta.get("source") or {}
    if src.get("path"):
        return f"touroute network build {src['path']} --name {meta.get('name', '')}".rstrip()
    if src.get("place"):
        return f"touroute network build --place \"{src['place']}\" --name {meta.get('name', '')}".rstrip()
    if src.get("bbox"):
        return f"touroute network build --bbox {','.join(str(x) for x in src['bbox'])}"
    return "touroute network build <osm file>"


def read_meta(directory: Path) -> dict[str, Any]:
    """Read and check ``meta.json`` of a cached network (format version and profile table)."""
    path = directory / META_FILE
    if not path.exists():
        raise NetworkNotFoundError(f"no cached network in {directory} (missing {META_FILE})")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NetworkCacheError(f"{path}: unreadable network metadata ({exc}); rebuild the network") from None
    version = meta.get("format_version")
    if version != FORMAT_VERSION:
        raise NetworkCacheError(
            f"network '{meta.get('name', directory.name)}' in {directory} was written by cache format {version}; "
            f"this touroute reads format {FORMAT_VERSION}. Rebuild it: {_rebuild_hint(meta)}"
        )
    from .profiles import profiles_fingerprint

    if meta.get("profiles_fingerprint") != profiles_fingerprint():
        raise NetworkCacheError(
            f"network '{meta.get('name', directory.name)}' was built with a different vehicle profile table "
            f"(touroute was updated). Rebuild it: {_rebuild_hint(meta)}"
        )
    return meta


def resolve(name_or_path: str | Path, data_dir: str | Path | None = None) -> Path:
    """Directory of a cached network given its name or its directory path."""
    p = Path(str(name_or_path)).expanduser()
    if (p / META_FILE).exists() or (p.is_dir() and p.parent.name == "networks"):
        return p
    if re.fullmatch(r"[a-z0-9][a-z0-9._-]*", str(name_or_path)):
        return network_dir(str(name_or_path), data_dir)
    return p


def load(name_or_path: str | Path, data_dir: str | Path | None = None) -> RoadNetwork:
    """Load a cached network by name (``hue``) or directory; clear errors when missing, stale or corrupt."""
    directory = resolve(name_or_path, data_dir)
    if not (directory / META_FILE).exists():
        known = ", ".join(i.name for i in list_networks(data_dir)) or "none"
        raise NetworkNotFoundError(
            f"no cached network '{name_or_path}' in {networks_dir(data_dir)} (cached: {known}); build one with "
            "`touroute network build <file.osm.pbf>`"
        )
    meta = read_meta(directory)
    try:
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as z:
            if int(z["format_version"]) != FORMAT_VERSION:
                raise NetworkCacheError(f"{directory / ARRAYS_FILE}: cache format {int(z['format_version'])}, "
                                        f"expected {FORMAT_VERSION}. Rebuild it: {_rebuild_hint(meta)}")
            arrays = {k: z[k] for k in z.files}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise NetworkCacheError(f"{directory / ARRAYS_FILE}: unreadable network cache ({exc}). Rebuild it: "
                                f"{_rebuild_hint(meta)}") from None
    try:
        profiles = list(meta.get("profiles_stored") or [])
        kw: dict[str, Any] = {k: arrays[k] for k in _NODE_EDGE_ARRAYS}
        for k in _COORD_ARRAYS:
            kw[k] = arrays[k].astype(np.float64) / _E7
        weights = {p: arrays[f"w_{p}"] for p in profiles}
        routable = {p: arrays[f"routable_{p}"] for p in profiles}
    except KeyError as exc:
        raise NetworkCacheError(f"{directory / ARRAYS_FILE}: array {exc} missing. Rebuild it: "
                                f"{_rebuild_hint(meta)}") from None
    return RoadNetwork(name=str(meta.get("name", directory.name)), meta=meta, weights=weights, routable=routable, **kw)


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    """Summary of one cached network, read from its ``meta.json`` only (no arrays loaded)."""

    name: str
    directory: Path
    nodes: int
    edges: int
    source: str
    built_at: str
    size_bytes: int
    key: str
    problem: str | None = None


def list_networks(data_dir: str | Path | None = None) -> list[NetworkInfo]:
    """All cached networks (stale ones included, with ``problem`` saying why they cannot be loaded)."""
    root = networks_dir(data_dir)
    out: list[NetworkInfo] = []
    if not root.is_dir():
        return out
    for d in sorted(p for p in root.iterdir() if (p / META_FILE).exists()):
        problem = None
        try:
            meta = read_meta(d)
        except NetworkCacheError as exc:
            problem = str(exc)
            try:
                meta = json.loads((d / META_FILE).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
        src = meta.get("source") or {}
        out.append(NetworkInfo(
            name=str(meta.get("name", d.name)), directory=d, nodes=int(meta.get("nodes", 0)),
            edges=int(meta.get("edges", 0)), source=str(src.get("path") or src.get("place") or src.get("bbox") or "?"),
            built_at=str(meta.get("built_at", "?")), size_bytes=int(meta.get("size_bytes", 0)),
            key=str(meta.get("key", "")), problem=problem,
        ))
    return out

