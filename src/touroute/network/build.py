"""Build a routable road network from OpenStreetMap data.

Three inputs, one pipeline:

1. **OSM file** — ``.osm.pbf`` or OSM XML (``.osm``, ``.osm.bz2``, ``.osm.gz``). osmnx cannot read PBF and would
   turn every way of an XML export (buildings, land use …) into "roads", so pyosmium first keeps only drivable
   highways and ferry routes (:func:`way_is_wanted`), with node locations, and writes them as a small temporary
   OSM XML file that ``osmnx.graph_from_xml`` reads.
2. **Overpass** (on a connected machine) — ``osmnx.graph_from_place`` / ``graph_from_bbox`` with the *same*
   filter written in Overpass QL (:func:`overpass_filters`); ``osmnx.settings`` (``overpass_url``,
   ``nominatim_url``, cache …) are honoured, so a mirror or a local test server can stand in for overpass-api.de.
3. Both give an unsimplified osmnx graph (OSM one-way rules, edge lengths). touroute then keeps the largest
   strongly connected component and simplifies on numpy arrays: ``osmnx.simplify_graph`` with the attribute
   checks needed here (road class, maxspeed, access tags must not change inside one simplified edge, else one
   edge would have no single speed) takes ~15 s on Huế and stores merged attributes in set order; the array
   version takes well under a second and is deterministic.

The result is stored in the cache (:mod:`touroute.network.store`) keyed by the source's SHA-256, the filter, the
profile table and the cache format, so a second ``build`` of the same file is a sub-second load.

Why this module is long: it is one pipeline over one intermediate form. The three inputs (PBF, OSM XML, Overpass),
the way filter, osmnx's graph stage and the conversion to arrays all produce or consume the same raw edge table, and
the cache key covers all of them; the stages are separate functions, listed in order above.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ..provinces import fold
from ..settings import SettingsError, setting
from .errors import NetworkCacheError, OsmSourceError
from .graph import RoadNetwork, routable_masks, strongly_connected_mask
from .profiles import (
    CLASS_CODE,
    PROFILES,
    ROAD_CLASSES,
    edge_speed_kmh,
    parse_duration_s,
    parse_maxspeed,
    profiles_fingerprint,
    road_class,
)

Progress = Callable[[str], None]

# Ways kept from OSM. "service" is kept (hotel and resort driveways are how coaches reach many places) except the
# kinds that are never through routes. Access restrictions are *not* filtered here: they differ per vehicle and
# are applied as per-profile weights.
DRIVABLE_HIGHWAYS: tuple[str, ...] = tuple(c for c in ROAD_CLASSES if c not in ("alley", "ferry"))
EXCLUDED_SERVICES: tuple[str, ...] = ("parking_aisle", "parking", "driveway", "emergency_access", "private")
ACCESS_KEYS: tuple[str, ...] = tuple(dict.fromkeys(k for p in PROFILES.values() for k in p.access_keys))
KEPT_TAGS: tuple[str, ...] = ("highway", "route", "name", "ref", "maxspeed", "oneway", "junction", "service",
                              "duration", "area", *ACCESS_KEYS)
SIGNATURE_TAGS: tuple[str, ...] = ("maxspeed", "duration", *ACCESS_KEYS)
FILE_SUFFIXES = {".pbf": "pbf", ".osm": "xml", ".xml": "xml", ".bz2": "xml", ".gz": "xml"}


def way_is_wanted(tags: Mapping[str, str]) -> bool:
    """True for drivable highways and ferry routes (mirrors :func:`overpass_filters` exactly)."""
    if tags.get("route") == "ferry":
        return True
    return (tags.get("highway") in DRIVABLE_HIGHWAYS and tags.get("area") != "yes"
            and tags.get("service") not in EXCLUDED_SERVICES)


def overpass_filters() -> list[str]:
    """The :func:`way_is_wanted` rule as osmnx ``custom_filter`` strings (a list = union of two queries)."""
    hw = "|".join(DRIVABLE_HIGHWAYS)
    svc = "|".join(EXCLUDED_SERVICES)
    return [f'["highway"~"^({hw})$"]["area"!~"^yes$"]["service"!~"^({svc})$"]', '["route"="ferry"]']


def settings_fingerprint() -> str:
    """Everything besides the source that changes the built network."""
    blob = json.dumps({"highways": DRIVABLE_HIGHWAYS, "excluded_services": EXCLUDED_SERVICES, "tags": KEPT_TAGS,
                       "profiles": profiles_fingerprint(), "simplify": "arrays-v1"}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class OsmSource:
    """Where OSM data comes from: a file, a place name or a bounding box (west, south, east, north)."""

    kind: Literal["pbf", "xml", "place", "bbox"]
    path: Path | None = None
    place: str | None = None
    bbox: tuple[float, float, float, float] | None = None

    @classmethod
    def parse(cls, source: str | Path | None = None, *, place: str | None = None,
              bbox: Sequence[float] | str | None = None) -> "OsmSource":
        """Interpret exactly one of a file path, a place name or a bbox; clear errors otherwise."""
        given = [x for x in (source, place, bbox) if x not in (None, "")]
        if len(given) != 1:
            raise OsmSourceError("give exactly one OSM source: a .osm.pbf / .osm / .osm.bz2 file, a place name "
                                 "(--place \"Thừa Thiên Huế, Vietnam\") or a bounding box (--bbox W,S,E,N)")
        if place:
            return cls("place", place=str(place).strip())
        if bbox is not None and bbox != "":
            return cls("bbox", bbox=parse_bbox(bbox))
        path = Path(str(source)).expanduser()
        kind = FILE_SUFFIXES.get(path.suffix.lower())
        if kind is None:
            raise OsmSourceError(f"{path}: unsupported OSM file type '{path.suffix}' (use .osm.pbf, .osm, .osm.bz2 "
                                 "or .osm.gz)")
        if not path.is_file():
            raise OsmSourceError(f"{path}: OSM file not found")
        if path.stat().st_size == 0:
            raise OsmSourceError(f"{path}: file is empty (0 bytes), not an OSM extract")
        return cls(kind, path=path.resolve())

    def default_name(self) -> str:
        if self.path is not None:
            stem = self.path.name
            for suffix in (".bz2", ".gz", ".pbf", ".osm", ".xml"):
                if stem.lower().endswith(suffix):
                    stem = stem[: -len(suffix)]
            return slug(stem) or "network"
        if self.place:
            return slug(fold(self.place)) or "place"
        w, s, e, n = self.bbox or (0, 0, 0, 0)
        return slug(f"bbox-{w:.3f}-{s:.3f}-{e:.3f}-{n:.3f}")

    def describe(self) -> str:
        if self.path is not None:
            return str(self.path)
        if self.place:
            return f"Overpass: place {self.place!r}"
        return f"Overpass: bbox W,S,E,N = {','.join(f'{x:g}' for x in self.bbox or ())}"

    def fingerprint(self) -> str:
        """SHA-256 of the file's bytes, or of the query for Overpass sources."""
        h = hashlib.sha256()
        if self.path is not None:
            with self.path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        else:
            h.update(json.dumps({"place": self.place, "bbox": self.bbox}).encode())
        return h.hexdigest()

    def as_meta(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": str(self.path) if self.path else None, "place": self.place,
                "bbox": list(self.bbox) if self.bbox else None}


def parse_bbox(value: Sequence[float] | str) -> tuple[float, float, float, float]:
    """Parse ``W,S,E,N`` (lon/lat order, as osmnx and GeoJSON) and check it is a sane box."""
    try:
        parts = [float(x) for x in (value.split(",") if isinstance(value, str) else value)]
    except (TypeError, ValueError):
        raise OsmSourceError(f"bbox {value!r}: expected four numbers west,south,east,north") from None
    if len(parts) != 4:
        raise OsmSourceError(f"bbox {value!r}: expected four numbers west,south,east,north")
    w, s, e, n = parts
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise OsmSourceError(f"bbox {value!r}: need west < east and south < north, in degrees (lon,lat order)")
    return (w, s, e, n)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")


def cache_key(source: OsmSource, fingerprint: str | None = None) -> str:
    from .store import FORMAT_VERSION

    blob = json.dumps({"source": fingerprint or source.fingerprint(), "settings": settings_fingerprint(),
                       "format": FORMAT_VERSION}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


# ---------------------------------------------------------------------------------------------------------------
# Stage messages
# ---------------------------------------------------------------------------------------------------------------
class _Stages:
    """Numbered stage messages with timings ("[2/6] Building graph with osmnx … 4.1 s")."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.i = progress, total, 0
        self.t0 = self.t = time.perf_counter()
        self.timings: dict[str, float] = {}
        self.label = ""

    def __call__(self, label: str) -> None:
        self._close()
        self.i += 1
        self.label = label
        self.t = time.perf_counter()
        if self.progress:
            self.progress(f"[{self.i}/{self.total}] {label} …")

    def note(self, text: str) -> None:
        if self.progress:
            self.progress(f"      {text}")

    def _close(self) -> None:
        if self.label:
            self.timings[self.label] = round(time.perf_counter() - self.t, 3)
        self.label = ""

    def finish(self) -> dict[str, float]:
        self._close()
        self.timings["total"] = round(time.perf_counter() - self.t0, 3)
        return self.timings


# ---------------------------------------------------------------------------------------------------------------
# OSM file → filtered XML → osmnx graph
# ---------------------------------------------------------------------------------------------------------------
def filter_osm_file(path: Path, out_xml: Path) -> tuple[int, int]:
    """Write the drivable ways of ``path`` (PBF or XML) and their nodes to ``out_xml``; return (ways, nodes).

    Ways whose nodes lie partly outside an extract keep their longest run of nodes that have locations.
    """
    import osmium
    from osmium.osm import mutable

    locations: dict[int, tuple[float, float]] = {}
    ways: list[tuple[int, list[int], dict[str, str]]] = []
    n_ways_seen = 0
    try:
        fp = osmium.FileProcessor(str(path)).with_locations().with_filter(osmium.filter.KeyFilter("highway", "route"))
        for obj in fp:
            if not obj.is_way():
                continue
            n_ways_seen += 1
            tags = {t.k: t.v for t in obj.tags}
            if not way_is_wanted(tags):
                continue
            best: list[int] = []
            run: list[int] = []
            run_locs: list[tuple[int, float, float]] = []
            best_locs: list[tuple[int, float, float]] = []
            for nd in obj.nodes:
                loc = nd.location
                if loc.valid():
                    run.append(nd.ref)
                    run_locs.append((nd.ref, loc.lon, loc.lat))
                else:
                    if len(run) > len(best):
                        best, best_locs = run, run_locs
                    run, run_locs = [], []
            if len(run) > len(best):
                best, best_locs = run, run_locs
            if len(best) < 2:
                continue
            for ref, lon, lat in best_locs:
                locations[ref] = (lon, lat)
            ways.append((obj.id, best, {k: v for k, v in tags.items() if k in KEPT_TAGS}))
    except RuntimeError as exc:  # libosmium: bad magic, truncated blob, XML parse error …
        raise OsmSourceError(f"{path}: not a readable OSM file ({exc})") from None
    if not ways:
        raise OsmSourceError(f"{path}: no drivable roads or ferry routes found ({n_ways_seen} highway/route ways read)")
    writer = osmium.SimpleWriter(str(out_xml))
    try:
        for ref in sorted(locations):
            writer.add_node(mutable.Node(id=ref, location=locations[ref]))
        for wid, refs, tags in ways:
            writer.add_way(mutable.Way(id=wid, nodes=refs, tags=tags))
    finally:
        writer.close()
    return len(ways), len(locations)


@contextmanager
def osmnx_settings(data_dir: str | Path | None = None) -> Iterator[Any]:
    """osmnx with the tags touroute needs and its HTTP cache in touroute's data dir (restored afterwards)."""
    import osmnx as ox

    from .store import data_root

    saved = (ox.settings.useful_tags_way, ox.settings.cache_folder, ox.settings.requests_timeout)
    ox.settings.useful_tags_way = list(KEPT_TAGS)
    if str(ox.settings.cache_folder) in ("./cache", "cache"):
        ox.settings.cache_folder = str(data_root(data_dir) / "osmnx-cache")
    ox.settings.requests_timeout = overpass_timeout(ox.settings.requests_timeout)
    try:
        yield ox
    finally:
        ox.settings.useful_tags_way, ox.settings.cache_folder, ox.settings.requests_timeout = saved


OVERPASS_TIMEOUT_ENV = "TOUROUTE_OVERPASS_TIMEOUT"


def overpass_timeout(default: float) -> float:
    """Seconds to wait for an Overpass/Nominatim answer: ``$TOUROUTE_OVERPASS_TIMEOUT`` or osmnx's setting, so a
    server that accepts the connection and never answers ends in a clear error instead of a hang."""
    try:
        value = setting(OVERPASS_TIMEOUT_ENV)
    except SettingsError as exc:  # the network builder's error type, same message (names the variable)
        raise OsmSourceError(f"{exc} (seconds)") from None
    return default if value is None else value


def graph_from_file(path: Path, stages: _Stages | None = None):
    """Unsimplified osmnx MultiDiGraph of the drivable ways in an OSM file."""
    stages = stages or _Stages(None, 0)
    with tempfile.TemporaryDirectory(prefix="touroute-osm-") as tmp:
        xml = Path(tmp) / "roads.osm"
        stages(f"Filtering drivable roads and ferries from {path.name} (pyosmium)")
        n_ways, n_nodes = filter_osm_file(path, xml)
        stages.note(f"{n_ways:,} ways, {n_nodes:,} nodes kept")
        stages("Building graph (osmnx.graph_from_xml)")
        with osmnx_settings() as ox:
            return ox.graph_from_xml(xml, bidirectional=False, simplify=False, retain_all=True)


def graph_from_overpass(source: OsmSource, stages: _Stages | None = None, data_dir: str | Path | None = None):
    """Unsimplified osmnx MultiDiGraph downloaded through Overpass (place name or bbox)."""
    import requests

    stages = stages or _Stages(None, 0)
    stages(f"Downloading roads ({source.describe()}) through osmnx")
    with osmnx_settings(data_dir) as ox:
        from osmnx import _errors as oxerr

        saved_rate_limit = ox.settings.overpass_rate_limit
        try:
            if ox.settings.overpass_rate_limit and not _status_is_readable(ox.settings):
                # osmnx would wait a default 60 s before every query when /status is unreadable; the query itself
                # tells soon enough whether the server works
                ox.settings.overpass_rate_limit = False
            kw = dict(simplify=False, retain_all=True, custom_filter=overpass_filters())
            if source.place:
                return ox.graph_from_place(source.place, **kw)
            return ox.graph_from_bbox(source.bbox, **kw)
        except requests.exceptions.Timeout:
            raise OsmSourceError(f"the Overpass/Nominatim server ({ox.settings.overpass_url}) did not answer within "
                                 f"{ox.settings.requests_timeout:g} s (set {OVERPASS_TIMEOUT_ENV} to wait longer). "
                                 "Offline? Build from a downloaded .osm.pbf extract instead.") from None
        except requests.exceptions.RequestException as exc:
            raise OsmSourceError(f"cannot reach the Overpass/Nominatim servers ({ox.settings.overpass_url}): "
                                 f"{type(exc).__name__}. Offline? Build from a downloaded .osm.pbf extract "
                                 "instead.") from None
        except (oxerr.InsufficientResponseError, oxerr.ResponseStatusCodeError) as exc:
            first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
            raise OsmSourceError(f"{source.describe()}: no road data returned by {ox.settings.overpass_url} "
                                 f"({first})") from None
        except ValueError as exc:  # an answer that is not Overpass JSON (an HTML error page, garbage …)
            raise OsmSourceError(f"{source.describe()}: {ox.settings.overpass_url} answered with something that is "
                                 f"not Overpass JSON ({type(exc).__name__}: {str(exc)[:200]})") from None
        except TypeError as exc:  # place geocoded to a point, not an area
            raise OsmSourceError(f"{source.describe()}: the place did not resolve to an area ({exc})") from None
        finally:
            ox.settings.overpass_rate_limit = saved_rate_limit


def _status_is_readable(settings: Any) -> bool:
    """Whether ``<overpass_url>/status`` answers like Overpass (osmnx reads its rate-limit slots there). Network
    errors propagate (requests exceptions), so an unreachable or silent server fails fast with a clear message."""
    import requests

    res = requests.get(settings.overpass_url.rstrip("/") + "/status", timeout=settings.requests_timeout,
                       headers={"User-Agent": getattr(settings, "http_user_agent", "touroute")})
    return res.status_code == 200 and "Rate limit" in res.text


# ---------------------------------------------------------------------------------------------------------------
# osmnx graph → arrays → SCC → simplification → RoadNetwork
# ---------------------------------------------------------------------------------------------------------------
def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _as_str(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, list):
        return ";".join(sorted({str(v) for v in value}))
    return str(value)


@dataclass(slots=True)
class _Raw:
    osmid: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    sig: np.ndarray
    way: np.ndarray
    name: list[str | None]
    ref: list[str | None]
    oneway: np.ndarray
    ferry_s: np.ndarray
    signatures: list[tuple[Any, ...]]


def _raw_from_graph(G) -> _Raw:
    """Flatten an osmnx graph into arrays; drop edges that no profile may use."""
    node_ids = np.fromiter(G.nodes, dtype=np.int64, count=G.number_of_nodes())
    order = np.argsort(node_ids)
    node_ids = node_ids[order]
    xs = np.fromiter((d["x"] for _, d in G.nodes(data=True)), dtype=np.float64, count=len(order))[order]
    ys = np.fromiter((d["y"] for _, d in G.nodes(data=True)), dtype=np.float64, count=len(order))[order]
    sig_index: dict[tuple[Any, ...], int] = {}
    us, vs, lens, sigs, ways, names, refs, oneways, fwd = [], [], [], [], [], [], [], [], []
    for u, v, d in G.edges(data=True):
        cls = road_class(_first(d.get("highway")), _first(d.get("service")), _first(d.get("route")))
        if cls is None:
            continue
        sig = (cls, *(_as_str(d.get(k)) for k in SIGNATURE_TAGS))
        si = sig_index.setdefault(sig, len(sig_index))
        us.append(u)
        vs.append(v)
        lens.append(float(d.get("length", 0.0)))
        sigs.append(si)
        ways.append(int(_first(d.get("osmid", 0)) or 0))
        names.append(_as_str(d.get("name")))
        refs.append(_as_str(d.get("ref")))
        oneways.append(bool(_first(d.get("oneway", False))))
        fwd.append(not bool(_first(d.get("reversed", False))))
    signatures = list(sig_index)
    u = np.searchsorted(node_ids, np.asarray(us, np.int64))
    v = np.searchsorted(node_ids, np.asarray(vs, np.int64))
    length = np.asarray(lens, np.float64)
    way = np.asarray(ways, np.int64)
    sig = np.asarray(sigs, np.int64)
    # Ferry crossing time from the way's duration tag, shared out over its segments by length.
    ferry_s = np.full(length.shape[0], np.nan)
    dur = {i: parse_duration_s(s[1 + SIGNATURE_TAGS.index("duration")]) for i, s in enumerate(signatures)
           if s[0] == "ferry"}
    if dur:
        is_f = np.isin(sig, [i for i, d in dur.items() if not math.isnan(d)])
        if is_f.any():
            fwd_a = np.asarray(fwd, bool)
            way_len: dict[int, float] = {}
            for w, ln, f in zip(way[is_f].tolist(), length[is_f].tolist(), fwd_a[is_f].tolist()):
                if f:
                    way_len[w] = way_len.get(w, 0.0) + ln
            for i in np.flatnonzero(is_f):
                total = way_len.get(int(way[i]), 0.0)
                if total > 0:
                    ferry_s[i] = dur[int(sig[i])] * length[i] / total
    return _Raw(node_ids, ys, xs, u, v, length, sig, way, names, refs, np.asarray(oneways, bool), ferry_s,
                signatures)


def _signature_speeds(signatures: list[tuple[Any, ...]]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per signature: road-class code, and per profile the speed in km/h (0 = forbidden)."""
    cls = np.array([CLASS_CODE[s[0]] for s in signatures], np.uint8)
    speeds = {}
    for name, prof in PROFILES.items():
        vals = []
        for s in signatures:
            tags = dict(zip(SIGNATURE_TAGS, s[1:]))
            vals.append(edge_speed_kmh(prof, s[0], parse_maxspeed(tags.get("maxspeed")), tags))
        speeds[name] = np.asarray(vals, np.float64)
    return cls, speeds


def _simplify(n: int, u: np.ndarray, v: np.ndarray, sig: np.ndarray) -> list[list[int]]:
    """Chains of raw edges between junctions/dead ends (same rules as osmnx, plus "attributes must not change").

    A node is interstitial when it has exactly two distinct neighbours, no self-loop, all incident edges share one
    signature, and it is either a pass-through of a one-way road (in 1, out 1) or of a two-way road (in 2, out 2
    with the same two neighbours). Isolated rings of interstitial nodes cannot occur after the SCC step except as
    whole components, which the SCC step already removed.
    """
    m = u.shape[0]
    indeg = np.bincount(v, minlength=n)
    outdeg = np.bincount(u, minlength=n)
    pairs = np.unique(np.column_stack((u, v)), axis=0)
    out_distinct = np.bincount(pairs[:, 0], minlength=n)
    in_distinct = np.bincount(pairs[:, 1], minlength=n)
    und = np.unique(np.sort(pairs, axis=1), axis=0)
    und = und[und[:, 0] != und[:, 1]]
    nb = np.bincount(und.ravel(), minlength=n)
    selfloop = np.zeros(n, bool)
    selfloop[u[u == v]] = True
    smin = np.full(n, np.iinfo(np.int64).max)
    smax = np.full(n, -1)
    for ends in (u, v):
        np.minimum.at(smin, ends, sig)
        np.maximum.at(smax, ends, sig)
    uniform = smin == smax
    pass_oneway = (indeg == 1) & (outdeg == 1)
    pass_twoway = (indeg == 2) & (outdeg == 2) & (in_distinct == 2) & (out_distinct == 2)
    inter = (nb == 2) & ~selfloop & uniform & (pass_oneway | pass_twoway)

    order = np.argsort(u, kind="stable")
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(outdeg, out=ptr[1:])
    out_edges = order.tolist()
    ptr_l = ptr.tolist()
    v_l = v.tolist()
    inter_l = inter.tolist()
    chains: list[list[int]] = []
    for s in np.flatnonzero(~inter & (outdeg > 0)).tolist():
        for k in range(ptr_l[s], ptr_l[s + 1]):
            e = out_edges[k]
            chain = [e]
            prev, cur = s, v_l[e]
            while inter_l[cur] and len(chain) <= m:
                a, b = ptr_l[cur], ptr_l[cur + 1]
                nxt = out_edges[a]
                if b - a > 1 and v_l[nxt] == prev:
                    nxt = out_edges[a + 1]
                chain.append(nxt)
                prev, cur = cur, v_l[nxt]
            if cur != s:  # a loop back to its own start adds nothing to routing
                chains.append(chain)
    return chains


def _ordered_unique(values: Sequence[Any]) -> list[Any]:
    return [x for x in dict.fromkeys(values) if x is not None]


def network_from_graph(G, *, name: str, meta: dict[str, Any], stages: _Stages | None = None,
                       largest_component: bool = True) -> RoadNetwork:
    """Turn an unsimplified osmnx graph into a :class:`RoadNetwork` (SCC, simplification, per-profile weights).

    ``largest_component=False`` keeps every component (e.g. to inspect roads an extract leaves disconnected, like
    Huế's CT.01 section whose interchanges are still mapped as construction); routing and snapping still only use
    each profile's largest strongly connected part.
    """
    stages = stages or _Stages(None, 0)
    stages("Keeping the largest strongly connected component" if largest_component else "Keeping all components")
    raw = _raw_from_graph(G)
    if raw.u.shape[0] == 0:
        raise OsmSourceError(f"{meta.get('source', {}).get('path') or name}: the OSM data has no drivable roads")
    sig_cls, sig_speeds = _signature_speeds(raw.signatures)
    any_ok = np.zeros(len(raw.signatures), bool)
    for sp in sig_speeds.values():
        any_ok |= sp > 0
    keep = any_ok[raw.sig]
    n_raw = raw.osmid.shape[0]
    if largest_component:
        scc = strongly_connected_mask(n_raw, raw.u[keep], raw.v[keep])
    else:
        scc = np.zeros(n_raw, bool)
        scc[raw.u[keep]] = True
        scc[raw.v[keep]] = True
    keep &= scc[raw.u] & scc[raw.v]
    if keep.sum() == 0:
        raise OsmSourceError(f"{name}: no connected drivable road network in the OSM data")
    stages.note(f"{int(scc.sum()):,} of {n_raw:,} nodes, {int(keep.sum()):,} of {keep.shape[0]:,} edges")

    stages("Simplifying (merging road segments between junctions)")
    eidx = np.flatnonzero(keep)
    u, v, sig = raw.u[eidx], raw.v[eidx], raw.sig[eidx]
    chains = _simplify(n_raw, u, v, sig)
    flat = np.fromiter((e for c in chains for e in c), dtype=np.int64)
    sizes = np.fromiter((len(c) for c in chains), dtype=np.int64, count=len(chains))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    raw_e = eidx[flat]
    c_len = np.add.reduceat(raw.length[raw_e], starts)
    c_ferry = np.add.reduceat(np.nan_to_num(raw.ferry_s[raw_e], nan=0.0), starts)
    c_has_ferry_s = np.add.reduceat(np.isfinite(raw.ferry_s[raw_e]).astype(np.int64), starts) == sizes
    c_sig = raw.sig[raw_e[starts]]
    c_u = raw.u[raw_e[starts]]
    c_v = raw.v[raw_e[starts + sizes - 1]]
    c_oneway = raw.oneway[raw_e[starts]]
    # geometry: origin node of the chain, then the end node of every raw edge
    gnodes = np.empty(flat.shape[0] + len(chains), np.int64)
    gptr = np.zeros(len(chains) + 1, np.int64)
    np.cumsum(sizes + 1, out=gptr[1:])
    gnodes[gptr[:-1]] = c_u
    mask = np.ones(gnodes.shape[0], bool)
    mask[gptr[:-1]] = False
    gnodes[mask] = raw.v[raw_e]
    # strings and OSM ids (ordered, unique per chain)
    strings: dict[str, int] = {}
    c_name = np.full(len(chains), -1, np.int32)
    c_ref = np.full(len(chains), -1, np.int32)
    osm_ptr = [0]
    osm_ids: list[int] = []
    raw_e_l = raw_e.tolist()
    for ci, (a, k) in enumerate(zip(starts.tolist(), sizes.tolist())):
        seg = raw_e_l[a:a + k]
        names = _ordered_unique(raw.name[i] for i in seg)
        refs = _ordered_unique(raw.ref[i] for i in seg)
        if names:
            c_name[ci] = strings.setdefault("; ".join(names), len(strings))
        if refs:
            c_ref[ci] = strings.setdefault("; ".join(refs), len(strings))
        ids = _ordered_unique(int(raw.way[i]) for i in seg)
        osm_ids.extend(ids)
        osm_ptr.append(len(osm_ids))
    # node re-indexing and sorting of edges by origin (CSR order)
    used = np.unique(np.concatenate((c_u, c_v)))
    new_id = np.full(n_raw, -1, np.int64)
    new_id[used] = np.arange(used.shape[0])
    eu, ev = new_id[c_u], new_id[c_v]
    order = np.lexsort((ev, eu))
    n = used.shape[0]
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(eu, minlength=n), out=indptr[1:])
    gsizes = np.diff(gptr)[order]
    gptr_sorted = np.zeros(len(chains) + 1, np.int64)
    np.cumsum(gsizes, out=gptr_sorted[1:])
    gsel = np.concatenate([np.arange(gptr[i], gptr[i + 1]) for i in order]) if len(chains) else np.zeros(0, np.int64)
    osm_ptr_a = np.asarray(osm_ptr, np.int64)
    osm_ids_a = np.asarray(osm_ids, np.int64)
    osizes = np.diff(osm_ptr_a)[order]
    optr_sorted = np.zeros(len(chains) + 1, np.int64)
    np.cumsum(osizes, out=optr_sorted[1:])
    osel = (np.concatenate([np.arange(osm_ptr_a[i], osm_ptr_a[i + 1]) for i in order])
            if len(chains) else np.zeros(0, np.int64))

    stages("Computing travel times for car, van, coach and motorbike")
    e_len = c_len[order]
    e_sig = c_sig[order]
    e_cls = sig_cls[e_sig]
    maxspeed_idx = 1 + SIGNATURE_TAGS.index("maxspeed")
    sig_maxspeed = np.array([parse_maxspeed(s[maxspeed_idx]) for s in raw.signatures], np.float32)
    is_ferry = e_cls == CLASS_CODE["ferry"]
    weights: dict[str, np.ndarray] = {}
    for pname, prof in PROFILES.items():
        sp = sig_speeds[pname][e_sig]
        with np.errstate(divide="ignore"):
            w = np.where(sp > 0, e_len / (sp / 3.6), np.inf)
        ferry_time = np.where(c_has_ferry_s[order], c_ferry[order], e_len / (prof.ferry_kmh / 3.6))
        w = np.where(is_ferry & (sp > 0), ferry_time + prof.ferry_wait_s, w)
        weights[pname] = w.astype(np.float32)
    eu_s, ev_s = eu[order], ev[order]
    routable = routable_masks(n, eu_s, ev_s, weights)
    node_lat = raw.lat[used]
    node_lon = raw.lon[used]
    geom_nodes = gnodes[gsel]
    strings_arr = np.array(sorted(strings, key=strings.get), dtype=str) if strings else np.zeros(0, dtype="<U1")
    net = RoadNetwork(
        name=name, meta=dict(meta), node_osmid=raw.osmid[used], node_lat=node_lat, node_lon=node_lon, indptr=indptr,
        edge_u=eu_s.astype(np.int32), edge_v=ev_s.astype(np.int32), edge_length=e_len.astype(np.float32),
        edge_class=e_cls, edge_maxspeed=sig_maxspeed[e_sig], edge_oneway=c_oneway[order],
        edge_name=c_name[order], edge_ref=c_ref[order], strings=strings_arr, osmid_ptr=optr_sorted,
        osmids=osm_ids_a[osel], geom_ptr=gptr_sorted, geom_lat=raw.lat[geom_nodes], geom_lon=raw.lon[geom_nodes],
        weights=weights, routable=routable,
    )
    s_, w_, n_, e_ = net.bounds
    net.meta.update({"center_lat": (s_ + n_) / 2, "center_lon": (w_ + e_) / 2})

    stages("Calibrating circuity (road ÷ great-circle distance)")
    net.circuity_samples = net.circuity_ratios()
    c = net.circuity_samples
    net.meta.update({
        "nodes": net.n_nodes, "edges": net.n_edges, "raw_nodes": int(n_raw), "raw_edges": int(raw.u.shape[0]),
        "bounds": [s_, w_, n_, e_], "class_lengths_km": net.class_lengths_km(),
        "profiles": {p: {"routable_nodes": int(routable[p].sum()),
                         "usable_km": round(float(e_len[np.isfinite(weights[p])].sum()) / 1000.0, 1)}
                     for p in weights},
        "circuity": {"median": round(float(np.median(c)), 4) if c.size else None, "pairs": int(c.size),
                     "p25": round(float(np.percentile(c, 25)), 4) if c.size else None,
                     "p75": round(float(np.percentile(c, 75)), 4) if c.size else None, "min_km": 2.0},
    })
    stages.note(f"{net.n_nodes:,} nodes, {net.n_edges:,} edges; circuity median "
                f"{net.meta['circuity']['median']} over {c.size} pairs")
    return net


# ---------------------------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------------------------
PEAK_KB_PER_ROAD_REF = 2.8
"""Peak memory of an embedded build per node reference of the file's ``highway`` ways. Measured on tiled copies of
the real Huế roads (BENCHMARKS.md, "Road networks at country scale"): 1 tile (110 k refs) 461 MB, 4 tiles 1.33 GB,
16 tiles 4.69 GB; and the issue's 36 tiles of the full Huế extract (61 MB, 4.0 M refs) 10.4 GB — 2.5-2.7 kB per reference,
94 % of it in osmnx's graph. Road references predict memory where file size cannot: a road-only extract (Overpass,
``osmium tags-filter``) packs 2-3× more road per MB than a full Geofabrik one."""
PEAK_MB_BASE = 300.0
"""… plus the interpreter, numpy, scipy and osmnx themselves."""


def available_memory_mb() -> float | None:
    """Memory the build may use: Linux's MemAvailable (free + reclaimable cache); None where it cannot be read."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def road_node_refs(path: Path) -> int:
    """Node references of the ``highway`` ways of an OSM file, counted in one streaming pass (libosmium filters the
    ways in C++; nothing is kept): about 1 s per million road references, so a country extract is measured in
    seconds before a build that would take an hour is started."""
    import osmium

    fp = osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(osmium.filter.KeyFilter("highway"))
    return sum(len(w.nodes) for w in fp)


def predict_embedded_peak_mb(path: Path) -> float:
    """Predicted peak memory (MB) of an embedded build of ``path``: :data:`PEAK_MB_BASE` +
    :data:`PEAK_KB_PER_ROAD_REF` × its road node references."""
    return PEAK_MB_BASE + PEAK_KB_PER_ROAD_REF * road_node_refs(path) / 1024.0


def check_embedded_fits(path: Path, limit_mb: float | None = None) -> float:
    """Refuse an OSM file the embedded build would need more memory for than ``limit_mb`` (default: what is
    available now) — after one quick counting pass and before the graph is built, so a country extract fails in
    seconds with the way forward (the OSRM engine), not after many minutes by running out of memory. Returns the
    predicted peak in MB."""
    try:
        need = predict_embedded_peak_mb(path)
    except Exception:  # an unreadable file is reported by the build itself, with its own precise message
        return float("nan")
    limit = limit_mb if limit_mb is not None else available_memory_mb()
    if limit is not None and need > limit:
        size_mb = path.stat().st_size / 1e6
        raise OsmSourceError(
            f"{path.name} ({size_mb:,.0f} MB) would need about {need / 1024:,.1f} GB of memory to build as an "
            f"embedded network, and {limit / 1024:,.1f} GB is available: build it for the OSRM engine instead — "
            f"`touroute engine install`, then `touroute network build {path} --engine osrm` (docs/network.md) — or "
            f"cut a smaller extract (`osmium extract -b WEST,SOUTH,EAST,NORTH`)")
    return need


def build_network(source: str | Path | None = None, *, place: str | None = None,
                  bbox: Sequence[float] | str | None = None, name: str | None = None,
                  data_dir: str | Path | None = None, force: bool = False,
                  progress: Progress | None = None, memory_limit_mb: float | None = None) -> RoadNetwork:
    """Build (or load from cache) the road network of an OSM file, a place name or a bbox.

    The cache entry is ``<data dir>/networks/<name>/``; it is reused when its key (source SHA-256, filter, profile
    table, cache format) matches, rebuilt otherwise or when ``force`` is set. Overpass sources are keyed by their
    query, so use ``force=True`` to download fresh data. An .osm.pbf whose predicted peak memory exceeds
    ``memory_limit_mb`` (default: the memory available now) is refused before it is read
    (:func:`check_embedded_fits`).
    """
    from . import store

    src = OsmSource.parse(source, place=place, bbox=bbox)
    net_name = slug(name) if name else src.default_name()
    if not net_name:
        raise OsmSourceError(f"invalid network name {name!r}: use letters, digits, '-', '_' or '.'")
    say = progress or (lambda _m: None)
    fp = src.fingerprint()
    key = cache_key(src, fp)
    directory = store.network_dir(net_name, data_dir)
    if not force and (directory / store.META_FILE).exists():
        try:
            meta = store.read_meta(directory)
            if meta.get("key") == key:
                net = store.load(directory)
                say(f"Using cached network '{net_name}' ({directory})")
                return net
            say(f"Cached network '{net_name}' is stale (different source, settings or cache format): rebuilding")
        except NetworkCacheError as exc:
            say(f"Cached network '{net_name}' unusable ({exc}): rebuilding")
    if src.path is not None:
        check_embedded_fits(Path(src.path), memory_limit_mb)
    stages = _Stages(progress, 6 if src.path else 5)
    if src.path is not None:
        G = graph_from_file(src.path, stages)
    else:
        G = graph_from_overpass(src, stages, data_dir)
    meta = {"name": net_name, "key": key, "source": {**src.as_meta(), "sha256": fp},
            "settings": settings_fingerprint(), "profiles_fingerprint": profiles_fingerprint(),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "versions": _versions(),
            "attribution": "© OpenStreetMap contributors (ODbL 1.0)"}
    net = network_from_graph(G, name=net_name, meta=meta, stages=stages)
    del G
    timings = stages.finish()
    net.meta["build_seconds"] = timings
    store.save(net, directory)
    say(f"Saved network '{net_name}' to {directory} in {timings['total']:.1f} s total")
    return net


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("osmnx", "osmium", "numpy", "scipy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out

