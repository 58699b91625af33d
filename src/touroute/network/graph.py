"""The routable road network: compact arrays, per-profile CSR graphs, snapping and shortest paths.

A :class:`RoadNetwork` is plain numpy arrays (nodes, directed edges sorted by origin, per-profile travel times,
simplified edge geometry) — the same arrays that are cached on disk — so loading is a file read, not a graph
rebuild. Shortest paths run in compiled code (``scipy.sparse.csgraph.dijkstra``) on CSR matrices; Python only
prepares arrays and walks predecessor arrays in vectorised numpy.

Places are snapped to the nearest *edge* (not the nearest junction): after simplification junctions can be
hundreds of metres apart on rural roads, and a place halfway along a road should start halfway along it. A snapped
place becomes a virtual node joined to the ends of the edge(s) it lies on with the matching fractions of their
travel time; that keeps one-way streets exact (a place on a one-way street can only leave forwards) and lets many
places share one Dijkstra run per origin.

Why this module is long: it is one data structure and its algorithms. The compact arrays, the per-profile CSR
graphs, snapping to edges and the shortest-path runs all read the same arrays and index conventions (virtual nodes
for snapped places); keeping them together keeps those conventions in one place.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from .errors import NetworkError
from ..geo import EARTH_RADIUS_M, haversine_m  # noqa: F401 — re-exported
from .profiles import ROAD_CLASSES, get_profile

SNAP_SAMPLE_SPACING_M = 40.0
_KEY_SHIFT = np.int64(1 << 32)
_MIN_EDGE_S = 1e-3  # csgraph needs strictly positive weights; a 0-length edge costs 1 ms
_MAX_CELLS = 20_000_000  # Dijkstra rows × nodes held in memory at once (≈ 240 MB with predecessors)


@dataclass(frozen=True, slots=True)
class Snap:
    """Where a place joins the road network for one profile.

    ``edges``/``fractions`` are the directed edges the snapped point lies on (a two-way road gives both directions)
    and how far along each edge it lies (0 = at its origin node, 1 = at its end).
    """

    network: str
    profile: str
    lat: float
    lon: float
    snapped_lat: float
    snapped_lon: float
    distance_m: float
    edges: tuple[int, ...]
    fractions: tuple[float, ...]
    node: int
    """The junction nearest to the snapped point (index into the network's nodes), for display and debugging."""


@dataclass(frozen=True, slots=True)
class Route:
    """One road route between two snapped points."""

    seconds: float
    metres: float
    edges: tuple[int, ...]
    coords: np.ndarray
    """(k, 2) array of (lat, lon) from the first snapped point to the second, along the roads."""


@dataclass(slots=True)
class _ProfileGraph:
    """Directed simple graph of one profile: parallel edges collapsed to the fastest one.

    ``enc`` is the Dijkstra weight: whole milliseconds × 2**25 + whole length units (0.1 m, or 1 m on networks
    wider than ~800 km). Every weight is an integer below 2**53, so float64 sums along a path are exact and one
    Dijkstra run yields both the fastest time (high part) and that route's length (low part), ties between equally
    fast routes going to the shorter one. Without it the metres of each fastest route would need a walk over
    predecessor arrays, which took longer than the Dijkstra itself.
    """

    n: int
    rows: np.ndarray
    cols: np.ndarray
    time: np.ndarray
    length: np.ndarray
    edge: np.ndarray
    enc: np.ndarray
    keys: np.ndarray  # rows << 32 | cols, sorted: O(log E) lookup of an edge by its end nodes
    csr: csr_matrix
    parent: np.ndarray
    """Dead-end trees hanging off the network: the node's neighbour towards the core, -1 for core nodes."""
    unit_m: float


@dataclass(slots=True)
class _SnapIndex:
    tree: cKDTree
    sample_seg: np.ndarray
    seg_edge: np.ndarray
    seg_xy0: np.ndarray
    seg_xy1: np.ndarray
    seg_cum0: np.ndarray
    seg_len: np.ndarray
    edge_len: np.ndarray


@dataclass(slots=True)
class _Augmented:
    """A profile graph plus virtual origin/destination nodes for one query."""

    csr: csr_matrix
    n: int
    n_src: int
    base: _ProfileGraph
    vkeys: np.ndarray
    vedge: np.ndarray
    vf0: np.ndarray
    vf1: np.ndarray


@dataclass(eq=False)
class RoadNetwork:
    """A routable road network built from OSM data (see :func:`touroute.network.build_network`).

    Arrays (n nodes, m directed edges sorted by origin node):

    * ``node_osmid``, ``node_lat``, ``node_lon``;
    * ``edge_u``/``edge_v`` (node indices), ``indptr`` (CSR row pointer over ``edge_u``), ``edge_length`` (m),
      ``edge_class`` (index into :data:`~touroute.network.profiles.ROAD_CLASSES`), ``edge_maxspeed`` (km/h, NaN if
      untagged), ``edge_oneway``, ``edge_name``/``edge_ref`` (index into ``strings``, -1 if none);
    * ``osmid_ptr``/``osmids``: the OSM way ids merged into each simplified edge;
    * ``geom_ptr``/``geom_lat``/``geom_lon``: each edge's polyline, both end nodes included;
    * ``weights[profile]``: travel seconds per edge (inf where the vehicle may not drive);
    * ``routable[profile]``: nodes in the profile's largest strongly connected component.
    """

    name: str
    meta: dict[str, Any]
    node_osmid: np.ndarray
    node_lat: np.ndarray
    node_lon: np.ndarray
    indptr: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_length: np.ndarray
    edge_class: np.ndarray
    edge_maxspeed: np.ndarray
    edge_oneway: np.ndarray
    edge_name: np.ndarray
    edge_ref: np.ndarray
    strings: np.ndarray
    osmid_ptr: np.ndarray
    osmids: np.ndarray
    geom_ptr: np.ndarray
    geom_lat: np.ndarray
    geom_lon: np.ndarray
    weights: dict[str, np.ndarray]
    routable: dict[str, np.ndarray]
    circuity_samples: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    _graphs: dict[str, _ProfileGraph] = field(default_factory=dict, repr=False)
    _snap_idx: dict[str, _SnapIndex] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ basic facts
    @property
    def key(self) -> str:
        """Cache key (source hash + settings + format version) this network was built under."""
        return str(self.meta.get("key", ""))

    @property
    def n_nodes(self) -> int:
        return int(self.node_lat.shape[0])

    @property
    def n_edges(self) -> int:
        return int(self.edge_u.shape[0])

    @property
    def profiles(self) -> tuple[str, ...]:
        return tuple(self.weights)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(south, west, north, east) in degrees, over all edge geometry."""
        return (float(self.geom_lat.min()), float(self.geom_lon.min()), float(self.geom_lat.max()),
                float(self.geom_lon.max()))

    def contains(self, lat: float, lon: float, margin_m: float = 0.0) -> bool:
        """True if (lat, lon) lies inside the network's bounding box grown by ``margin_m``."""
        s, w, n, e = self.bounds
        dlat = margin_m / 111_195.0
        dlon = dlat / max(0.05, math.cos(math.radians((s + n) / 2)))
        return (s - dlat) <= lat <= (n + dlat) and (w - dlon) <= lon <= (e + dlon)

    def _check_profile(self, profile: str) -> str:
        p = get_profile(profile).name
        if p not in self.weights:
            raise NetworkError(f"network '{self.name}' has no weights for profile '{p}' (has: {', '.join(self.weights)})")
        return p

    def string(self, idx: int) -> str | None:
        return None if idx < 0 else str(self.strings[idx])

    def edge_osmids(self, e: int) -> list[int]:
        return self.osmids[self.osmid_ptr[e]:self.osmid_ptr[e + 1]].tolist()

    def edge_coords(self, e: int) -> np.ndarray:
        """(k, 2) array of (lat, lon) along edge ``e`` from its origin to its end node."""
        a, b = self.geom_ptr[e], self.geom_ptr[e + 1]
        return np.column_stack((self.geom_lat[a:b], self.geom_lon[a:b]))

    def edge_info(self, e: int) -> dict[str, Any]:
        """Readable attributes of edge ``e`` (OSM ids, road class, ref, name, maxspeed, length, seconds)."""
        ms = float(self.edge_maxspeed[e])
        return {
            "u": int(self.node_osmid[self.edge_u[e]]), "v": int(self.node_osmid[self.edge_v[e]]),
            "osmid": self.edge_osmids(e), "highway": ROAD_CLASSES[int(self.edge_class[e])],
            "ref": self.string(int(self.edge_ref[e])), "name": self.string(int(self.edge_name[e])),
            "maxspeed": None if math.isnan(ms) else ms, "oneway": bool(self.edge_oneway[e]),
            "length_m": float(self.edge_length[e]),
            "seconds": {p: float(w[e]) for p, w in self.weights.items()},
        }

    def class_lengths_km(self) -> dict[str, float]:
        """Road length per class in km, each two-way road counted once (one-way carriageways count fully)."""
        share = np.where(self.edge_oneway, 1.0, 0.5) * self.edge_length
        out = np.bincount(self.edge_class, weights=share, minlength=len(ROAD_CLASSES)) / 1000.0
        return {ROAD_CLASSES[i]: round(float(v), 1) for i, v in enumerate(out) if v > 0}

    # ------------------------------------------------------------------ per-profile graphs
    def _graph(self, profile: str) -> _ProfileGraph:
        profile = self._check_profile(profile)
        g = self._graphs.get(profile)
        if g is not None:
            return g
        w = self.weights[profile].astype(np.float64)
        ok = np.isfinite(w)
        rows = self.edge_u[ok].astype(np.int64)
        cols = self.edge_v[ok].astype(np.int64)
        t = np.maximum(w[ok], _MIN_EDGE_S)
        ln = self.edge_length[ok].astype(np.float64)
        eid = np.flatnonzero(ok).astype(np.int64)
        s_, w_, n_, e_ = self.bounds
        diag_km = float(haversine_m(s_, w_, n_, e_)) / 1000.0
        unit_m = 0.1 if diag_km < 800 else 1.0  # a route must stay below 2**25 units (3,355 km at 0.1 m)
        enc = _encode(t, ln, unit_m)
        keys = rows * _KEY_SHIFT + cols
        # Parallel edges: keep the fastest (csr_matrix would *sum* duplicates).
        order = np.lexsort((enc, keys))
        keys, rows, cols, t, ln, eid, enc = (a[order] for a in (keys, rows, cols, t, ln, eid, enc))
        first = np.ones(keys.shape[0], bool)
        first[1:] = keys[1:] != keys[:-1]
        keys, rows, cols, t, ln, eid, enc = (a[first] for a in (keys, rows, cols, t, ln, eid, enc))
        n = self.n_nodes
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
        csr = csr_matrix((t, cols.astype(np.int32), indptr), shape=(n, n))
        g = _ProfileGraph(n, rows, cols, t, ln, eid, enc, keys, csr, _tree_parents(n, rows, cols), unit_m)
        self._graphs[profile] = g
        return g

    def csr(self, profile: str = "car") -> csr_matrix:
        """The profile's graph as an (n × n) CSR matrix of travel seconds (fastest of parallel edges)."""
        return self._graph(profile).csr

    def to_networkx(self, profile: str = "car"):
        """A ``networkx.DiGraph`` of the same profile graph (weight ``seconds``) — for comparisons and benchmarks."""
        import networkx as nx

        g = self._graph(profile)
        G = nx.DiGraph()
        G.add_nodes_from(range(self.n_nodes))
        G.add_weighted_edges_from(zip(g.rows.tolist(), g.cols.tolist(), g.time.tolist()), weight="seconds")
        return G

    # ------------------------------------------------------------------ snapping
    def _project(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        lat0 = float(self.meta.get("center_lat", np.mean(self.node_lat)))
        lon0 = float(self.meta.get("center_lon", np.mean(self.node_lon)))
        k = math.pi / 180.0 * EARTH_RADIUS_M
        return np.column_stack(((np.asarray(lon) - lon0) * k * math.cos(math.radians(lat0)),
                                (np.asarray(lat) - lat0) * k))

    def _unproject(self, xy: np.ndarray) -> tuple[float, float]:
        lat0 = float(self.meta.get("center_lat", np.mean(self.node_lat)))
        lon0 = float(self.meta.get("center_lon", np.mean(self.node_lon)))
        k = math.pi / 180.0 * EARTH_RADIUS_M
        return float(xy[1] / k + lat0), float(xy[0] / (k * math.cos(math.radians(lat0))) + lon0)

    def _snap_index(self, profile: str) -> _SnapIndex:
        idx = self._snap_idx.get(profile)
        if idx is not None:
            return idx
        w = self.weights[profile]
        routable = self.routable[profile]
        ok_edge = np.isfinite(w) & routable[self.edge_u] & routable[self.edge_v]
        if not ok_edge.any():
            raise NetworkError(f"network '{self.name}' has no roads usable by profile '{profile}'")
        n_pts = self.geom_lat.shape[0]
        pt_edge = np.repeat(np.arange(self.n_edges), np.diff(self.geom_ptr))
        is_start = np.ones(n_pts, bool)
        is_start[self.geom_ptr[1:] - 1] = False  # last point of each edge starts no segment
        xy = self._project(self.geom_lat, self.geom_lon)
        hav = np.zeros(n_pts)
        hav[:-1] = haversine_m(self.geom_lat[:-1], self.geom_lon[:-1], self.geom_lat[1:], self.geom_lon[1:])
        hav[~is_start] = 0.0
        cum = np.cumsum(hav) - hav  # exclusive running sum over all points
        edge_start_cum = cum[self.geom_ptr[:-1]]
        seg = np.flatnonzero(is_start & ok_edge[pt_edge])
        seg_edge = pt_edge[seg]
        seg_xy0, seg_xy1 = xy[seg], xy[seg + 1]
        seg_cum0 = cum[seg] - edge_start_cum[seg_edge]
        seg_len = hav[seg]
        edge_len = np.bincount(pt_edge, weights=hav, minlength=self.n_edges)
        plen = np.hypot(*(seg_xy1 - seg_xy0).T)
        k = np.maximum(1, np.ceil(plen / SNAP_SAMPLE_SPACING_M).astype(np.int64))
        reps = k + 1
        sample_seg = np.repeat(np.arange(seg.shape[0]), reps)
        offs = np.arange(sample_seg.shape[0]) - np.repeat(np.cumsum(reps) - reps, reps)
        tt = offs / np.repeat(k, reps)
        samples = seg_xy0[sample_seg] + (seg_xy1 - seg_xy0)[sample_seg] * tt[:, None]
        idx = _SnapIndex(cKDTree(samples), sample_seg, seg_edge, seg_xy0, seg_xy1, seg_cum0, seg_len, edge_len)
        self._snap_idx[profile] = idx
        return idx

    def snap_many(self, lats: Sequence[float], lons: Sequence[float], profile: str = "car") -> list[Snap]:
        """Snap points to the nearest road usable by ``profile`` (within its largest strongly connected part)."""
        profile = self._check_profile(profile)
        idx = self._snap_index(profile)
        lats = np.asarray(lats, np.float64)
        lons = np.asarray(lons, np.float64)
        if lats.size == 0:
            return []
        xy = self._project(lats, lons)
        d0, _ = idx.tree.query(xy, k=1)
        radius = d0 + SNAP_SAMPLE_SPACING_M * 0.75 + 1.0
        cands = idx.tree.query_ball_point(xy, r=radius)
        out = []
        for i, cand in enumerate(cands):
            segs = np.unique(idx.sample_seg[np.asarray(cand, np.int64)])
            a, b = idx.seg_xy0[segs], idx.seg_xy1[segs]
            ab = b - a
            denom = np.maximum((ab * ab).sum(1), 1e-12)
            t = np.clip(((xy[i] - a) * ab).sum(1) / denom, 0.0, 1.0)
            foot = a + ab * t[:, None]
            dist = np.hypot(*(foot - xy[i]).T)
            best = int(np.argmin(dist))
            near = np.flatnonzero(dist <= dist[best] + 1.0)
            edges: dict[int, float] = {}
            for j in near[np.argsort(dist[near])]:
                e = int(idx.seg_edge[segs[j]])
                if e in edges:
                    continue
                total = idx.edge_len[e]
                frac = (idx.seg_cum0[segs[j]] + t[j] * idx.seg_len[segs[j]]) / total if total > 0 else 0.0
                edges[e] = float(min(1.0, max(0.0, frac)))
            slat, slon = self._unproject(foot[best])
            e0 = next(iter(edges))
            node = int(self.edge_u[e0] if edges[e0] < 0.5 else self.edge_v[e0])
            out.append(Snap(self.name, profile, float(lats[i]), float(lons[i]), slat, slon,
                            float(haversine_m(lats[i], lons[i], slat, slon)), tuple(edges), tuple(edges.values()),
                            node))
        return out

    def snap(self, lat: float, lon: float, profile: str = "car") -> Snap:
        """Snap one point (see :meth:`snap_many`)."""
        return self.snap_many([lat], [lon], profile)[0]

    # ------------------------------------------------------------------ shortest paths
    def _augment(self, profile: str, origins: Sequence[Snap], destinations: Sequence[Snap]) -> _Augmented:
        """Profile graph + one virtual node per origin and per destination, dead-end trees without places pruned."""
        g = self._graph(profile)
        w = self.weights[profile]
        n, S = g.n, len(origins)
        rows: list[int] = []
        cols: list[int] = []
        vedge: list[int] = []
        f0s: list[float] = []
        f1s: list[float] = []

        def add(r: int, c: int, e: int, a: float, b: float) -> None:
            rows.append(r)
            cols.append(c)
            vedge.append(e)
            f0s.append(a)
            f1s.append(b)

        for i, s in enumerate(origins):
            for e, f in zip(s.edges, s.fractions):
                add(n + i, int(self.edge_v[e]), e, f, 1.0)
        on_edge: dict[int, list[tuple[int, float]]] = {}
        for j, s in enumerate(destinations):
            for e, f in zip(s.edges, s.fractions):
                add(int(self.edge_u[e]), n + S + j, e, 0.0, f)
                on_edge.setdefault(e, []).append((j, f))
        for i, s in enumerate(origins):  # origin and destination on the same edge, destination ahead
            for e, f in zip(s.edges, s.fractions):
                for j, fj in on_edge.get(e, ()):
                    if fj >= f:
                        add(n + i, n + S + j, e, f, fj)
        r = np.asarray(rows, np.int64)
        c = np.asarray(cols, np.int64)
        ve = np.asarray(vedge, np.int64)
        f0 = np.asarray(f0s)
        f1 = np.asarray(f1s)
        span = f1 - f0
        enc = _encode(np.maximum(span * w[ve].astype(np.float64), 0.0), span * self.edge_length[ve], g.unit_m)
        vk = r * _KEY_SHIFT + c
        order = np.lexsort((enc, vk))
        first = np.ones(order.shape[0], bool)
        first[1:] = vk[order][1:] != vk[order][:-1]
        sel = order[first]
        # Keep the core plus the dead-end branches that lead to a snapped edge.
        keep = g.parent < 0
        for e in set(ve.tolist()):
            for x in (int(self.edge_u[e]), int(self.edge_v[e])):
                while x >= 0 and not keep[x]:
                    keep[x] = True
                    x = int(g.parent[x])
        base_ok = keep[g.rows] & keep[g.cols]
        N = n + S + len(destinations)
        all_r = np.concatenate((g.rows[base_ok], r[sel]))
        all_c = np.concatenate((g.cols[base_ok], c[sel]))
        all_w = np.concatenate((g.enc[base_ok], enc[sel]))
        A = csr_matrix((all_w, (all_r, all_c)), shape=(N, N))
        return _Augmented(A, n, S, g, vk[sel], ve[sel], f0[sel], f1[sel])

    @staticmethod
    def _lookup(aug: _Augmented, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(is_virtual, position) of edges a→b in the base or virtual edge arrays."""
        key = a * _KEY_SHIFT + b
        virtual = (a >= aug.n) | (b >= aug.n)
        pos = np.empty(a.shape[0], np.int64)
        pos[~virtual] = np.searchsorted(aug.base.keys, key[~virtual])
        pos[virtual] = np.searchsorted(aug.vkeys, key[virtual])
        return virtual, pos

    def travel_matrix(self, origins: Sequence[Snap], destinations: Sequence[Snap],
                      profile: str = "car") -> tuple[np.ndarray, np.ndarray]:
        """Road seconds and metres (of the fastest route) between snapped points; inf where unreachable.

        One ``scipy.sparse.csgraph.dijkstra`` call per chunk of origins (``indices=`` the origins only) on the
        profile graph plus virtual nodes for the snapped points. The access stretches between a place and its
        snapped point are *not* included here (see :mod:`touroute.matrix`).
        """
        profile = self._check_profile(profile)
        S, T = len(origins), len(destinations)
        seconds = np.full((S, T), np.inf)
        metres = np.full((S, T), np.inf)
        if S == 0 or T == 0:
            return seconds, metres
        aug = self._augment(profile, origins, destinations)
        N = aug.csr.shape[0]
        tgt = np.arange(T, dtype=np.int64) + aug.n + S
        chunk = max(1, min(S, _MAX_CELLS // max(N, 1)))
        for c0 in range(0, S, chunk):
            src = np.arange(c0, min(S, c0 + chunk), dtype=np.int64) + aug.n
            dist = dijkstra(aug.csr, directed=True, indices=src)[:, tgt]
            sec, met = _decode(dist, aug.base.unit_m)
            seconds[c0:c0 + src.shape[0]] = sec
            metres[c0:c0 + src.shape[0]] = met
        return seconds, metres

    def route(self, origin: Snap, destination: Snap, profile: str = "car") -> Route:
        """The fastest road route between two snapped points, with its polyline (for drawing legs on a map)."""
        profile = self._check_profile(profile)
        aug = self._augment(profile, [origin], [destination])
        src, dst = aug.n, aug.n + 1
        dist, pred = dijkstra(aug.csr, directed=True, indices=src, return_predecessors=True)
        if not np.isfinite(dist[dst]):
            raise NetworkError(f"no road route for profile '{profile}' between ({origin.lat:.5f}, {origin.lon:.5f}) "
                               f"and ({destination.lat:.5f}, {destination.lon:.5f}) on network '{self.name}'")
        path = [dst]
        while path[-1] != src:
            path.append(int(pred[path[-1]]))
        path.reverse()
        a = np.asarray(path[:-1], np.int64)
        b = np.asarray(path[1:], np.int64)
        virtual, pos = self._lookup(aug, a, b)
        pieces: list[np.ndarray] = [np.array([[origin.snapped_lat, origin.snapped_lon]])]
        edges: list[int] = []
        for is_v, p in zip(virtual.tolist(), pos.tolist()):
            if is_v:
                e = int(aug.vedge[p])
                pieces.append(self._edge_slice(e, float(aug.vf0[p]), float(aug.vf1[p])))
            else:
                e = int(aug.base.edge[p])
                pieces.append(self.edge_coords(e))
            edges.append(e)
        pieces.append(np.array([[destination.snapped_lat, destination.snapped_lon]]))
        coords = _dedupe_consecutive(np.vstack(pieces))
        sec, met = _decode(np.array([dist[dst]]), aug.base.unit_m)
        return Route(float(sec[0]), float(met[0]), tuple(edges), coords)

    def _edge_slice(self, e: int, f0: float, f1: float) -> np.ndarray:
        """Polyline of edge ``e`` between fractions ``f0`` and ``f1`` of its length."""
        pts = self.edge_coords(e)
        seg = haversine_m(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])
        cum = np.concatenate(([0.0], np.cumsum(seg)))
        total = cum[-1]
        if total <= 0:
            return pts[[0, -1]]
        d0, d1 = f0 * total, f1 * total
        inner = pts[(cum > d0) & (cum < d1)]
        start = np.array([np.interp(d0, cum, pts[:, 0]), np.interp(d0, cum, pts[:, 1])])
        end = np.array([np.interp(d1, cum, pts[:, 0]), np.interp(d1, cum, pts[:, 1])])
        return np.vstack((start, inner, end))

    # ------------------------------------------------------------------ calibration helpers
    def circuity_ratios(self, *, profile: str = "car", n_sources: int = 40, n_targets: int = 250,
                        min_km: float = 2.0, seed: int = 20240601) -> np.ndarray:
        """Road distance ÷ great-circle distance for random node pairs more than ``min_km`` apart.

        Road distance is the *shortest* road distance (the classical circuity definition) on the roads ``profile``
        may use; pairs are random routable nodes (seeded, so a rebuild gives the same numbers).
        """
        profile = self._check_profile(profile)
        nodes = np.flatnonzero(self.routable[profile])
        if nodes.shape[0] < 2:
            return np.zeros(0, np.float32)
        rng = np.random.default_rng(seed)
        src = rng.choice(nodes, size=min(n_sources, nodes.shape[0]), replace=False)
        tgt = rng.choice(nodes, size=min(n_targets, nodes.shape[0]), replace=False)
        g = self._graph(profile)
        A = csr_matrix((np.maximum(g.length, 0.01), g.cols.astype(np.int32), g.csr.indptr), shape=g.csr.shape)
        road = dijkstra(A, directed=True, indices=src)[:, tgt]
        lat, lon = self.node_lat, self.node_lon
        gc = haversine_m(lat[src][:, None], lon[src][:, None], lat[tgt][None, :], lon[tgt][None, :])
        ok = (gc > min_km * 1000.0) & np.isfinite(road)
        return (road[ok] / gc[ok]).astype(np.float32)


_SHIFT = float(1 << 25)


def _encode(seconds: np.ndarray, metres: np.ndarray, unit_m: float) -> np.ndarray:
    """Integer-valued float64 weights: milliseconds × 2**25 + length units (see :class:`_ProfileGraph`)."""
    ms = np.maximum(np.rint(np.asarray(seconds) * 1000.0), 1.0)
    units = np.minimum(np.rint(np.asarray(metres) / unit_m), _SHIFT - 1)
    return ms * _SHIFT + units


def _decode(enc: np.ndarray, unit_m: float) -> tuple[np.ndarray, np.ndarray]:
    """(seconds, metres) from summed encoded weights; inf stays inf."""
    finite = np.isfinite(enc)
    e = np.where(finite, enc, 0.0)
    ms = np.floor(e / _SHIFT)
    units = e - ms * _SHIFT
    return np.where(finite, ms / 1000.0, np.inf), np.where(finite, units * unit_m, np.inf)


def _tree_parents(n: int, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Peel dead-end trees off the graph; parent[x] = neighbour towards the core, -1 for core nodes.

    A shortest path between two nodes outside a dead-end tree never enters it (it would have to leave through the
    same node), so a query whose places are not in a tree can ignore it — about 30 % of Huế's junctions.
    """
    parent = np.full(n, -1, np.int64)
    if n == 0 or rows.shape[0] == 0:
        return parent
    a = np.concatenate((rows, cols))
    b = np.concatenate((cols, rows))
    keep = a != b
    und = csr_matrix((np.ones(int(keep.sum()), np.int32), (a[keep], b[keep])), shape=(n, n))
    und.sum_duplicates()
    und.data[:] = 1  # parallel and two-way edges count as one neighbour
    alive = np.ones(n, bool)
    removed = np.zeros(n, bool)
    deg = np.asarray(und.sum(axis=1)).ravel()
    while True:
        leaves = np.flatnonzero(alive & (deg <= 1))
        if leaves.shape[0] == 0 or leaves.shape[0] >= int(alive.sum()):
            break
        sub = csr_matrix(und[leaves].multiply(alive[None, :]))
        sub.eliminate_zeros()  # multiply() keeps explicit zeros for dead neighbours
        par = np.full(leaves.shape[0], -1, np.int64)
        has = np.diff(sub.indptr) > 0
        par[has] = sub.indices[sub.indptr[:-1][has]]
        # two leaves holding on to each other (the last edge of a tree component): drop only one of them
        is_leaf = np.zeros(n, bool)
        is_leaf[leaves] = True
        mutual = (par >= 0) & is_leaf[np.maximum(par, 0)] & (par < leaves)
        go = ~mutual
        parent[leaves[go]] = par[go]
        alive[leaves[go]] = False
        removed[leaves[go]] = True
        deg = und @ alive.astype(np.int32)
    parent[~removed] = -1
    return parent


def _dedupe_consecutive(pts: np.ndarray) -> np.ndarray:
    """Drop repeated consecutive points of a polyline."""
    keep = np.ones(pts.shape[0], bool)
    keep[1:] = np.any(np.abs(np.diff(pts, axis=0)) > 1e-9, axis=1)
    return pts[keep]


def strongly_connected_mask(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Boolean mask of the nodes in the largest strongly connected component of the directed graph (u → v)."""
    if n == 0:
        return np.zeros(0, bool)
    if u.shape[0] == 0:
        return np.zeros(n, bool)
    A = csr_matrix((np.ones(u.shape[0], np.int8), (u, v)), shape=(n, n))
    _, labels = connected_components(A, directed=True, connection="strong")
    sizes = np.bincount(labels)
    return labels == int(np.argmax(sizes))


def routable_masks(n: int, u: np.ndarray, v: np.ndarray, weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per profile: nodes of the largest strongly connected component of the edges the profile may use."""
    out = {}
    for p, w in weights.items():
        ok = np.isfinite(w)
        out[p] = strongly_connected_mask(n, u[ok], v[ok])
    return out

