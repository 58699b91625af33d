"""The corridor estimate: legs no road network covers, along QL1 and the North–South expressway sections.

The flat estimate (great-circle × circuity ÷ one door-to-door speed) cannot tell a leg that runs along a 2023–2026
expressway from one over mountain roads. This model knows a small trunk graph (``data/reference/trunk_roads.json``):
QL1 between consecutive towns and the expressway sections with their published lengths and opening dates, each
with its source. A leg is the faster of

* **direct**: great-circle × circuity(band) ÷ the local speed — only for legs whose straight line is within the
  distance range the circuity was fitted on (its last anchor, ``TrunkParams.direct_max_km``): beyond it the
  coast bends away from the straight line (Hồ Chí Minh City → Quảng Ngãi is 534 km straight, 820 km on QL1) and a
  vehicle that may not use expressways would otherwise "drive" a road that does not exist — and
* **via the trunk**: access from the origin to one of its nearest trunk nodes (great-circle × circuity at the local
  speed), the fastest trunk path (QL1 at the national speed, expressways at the expressway speed), access from a
  trunk node to the destination.

The few free numbers (circuity per great-circle band, local / QL1 / expressway speed for a car, QL1 circuity) are
fitted by ``scripts/calibrate_estimates.py`` on the tuning split of ``data/reference/road_times.csv`` and stored in
``data/reference/estimate_model.json``; other vehicle profiles scale the car's speeds by their door-to-door speed
and never exceed their legal top speed; profiles barred from motorways (motorbikes) use no expressway.
``as_of`` evaluates the network as it was on a date (sections not yet open are left out), which is how rows of the
table published before an expressway opened are compared fairly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..geo import haversine_m
from ..resources import data_dir

MODEL_NAME = "corridor"
RULES_VERSION = 2
"""Bumped whenever :meth:`CorridorModel.estimate` changes what it computes from the same graph and parameters (2:
the direct candidate only up to ``TrunkParams.direct_max_km``), so cached matrices keyed by the model's
fingerprint are not reused with the old rule."""
NEAREST_NODES = 4
"""Trunk nodes tried for each end of a leg (the nearest by great-circle): enough for a place between two towns."""


@dataclass(frozen=True)
class TrunkParams:
    """The fitted numbers (car); see the module docstring."""

    circuity_at_km: tuple[tuple[float, float], ...]
    local_kmh: float
    national_kmh: float
    expressway_kmh: float
    national_circuity: float
    expressway_share: float | None = None
    """A car's average speed on an expressway section as a share of the section's published speed limit on the
    leg's date (``speed_limits`` in trunk_roads.json: Đà Nẵng – Quảng Ngãi 100 km/h at its 2018 opening, 120 later;
    the two-lane Cam Lộ – Túy Loan sections 60–80); None: every section at ``expressway_kmh``. A section without a
    published limit is driven at ``expressway_kmh`` either way."""

    def section_kmh(self, limits: np.ndarray) -> np.ndarray:
        """A car's speed on each expressway edge (``limits``: published limit or 0 where none is known)."""
        if self.expressway_share is None:
            return np.full(len(limits), self.expressway_kmh)
        return np.where(limits > 0, self.expressway_share * limits, self.expressway_kmh)

    def circuity(self, gc_km: np.ndarray) -> np.ndarray:
        xs, ys = zip(*self.circuity_at_km)
        return np.interp(gc_km, xs, ys)

    @property
    def direct_max_km(self) -> float:
        """Longest straight line (km) for which the direct estimate is a candidate: the last distance the circuity
        was fitted at. Longer legs go via the trunk graph: extrapolating the fitted circuity made a motorbike's
        Hồ Chí Minh City → Quảng Ngãi 691 km (against 807 km for the car on the expressways and 820 km published on
        QL1), because without expressways the shorter fictitious straight road was also the faster."""
        return float(max(km for km, _ in self.circuity_at_km))


@dataclass(frozen=True)
class TrunkGraph:
    """Nodes and edges of ``trunk_roads.json`` (lengths in metres, ``express`` flag, opening month or '')."""

    names: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    u: np.ndarray
    v: np.ndarray
    metres: np.ndarray
    express: np.ndarray
    limits: tuple[tuple[tuple[str, float], ...], ...]
    opened: tuple[str, ...]
    sections: tuple[dict[str, Any], ...]
    fingerprint: str
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def limit_kmh(self, as_of: str | None = None) -> np.ndarray:
        """Each edge's published speed limit on ``as_of`` (``YYYY-MM``; None: the latest), 0 where none is known
        (QL1, or a section before its first published limit)."""
        out = np.zeros(len(self.limits))
        for e, hist in enumerate(self.limits):
            for frm, kmh in hist:
                if as_of is None or frm <= as_of:
                    out[e] = kmh
        return out


def load_trunk(path: str | Path | None = None, national_circuity: float = 1.1) -> TrunkGraph:
    """Read the trunk graph; QL1 edge lengths = great-circle × ``national_circuity``, expressway sections' published
    length shared among their edges in proportion to the great-circle lengths."""
    p = Path(path) if path else data_dir("reference", "trunk_roads.json")
    raw = p.read_text(encoding="utf-8")
    data = json.loads(raw)
    names = tuple(data["nodes"])
    ix = {n: i for i, n in enumerate(names)}
    lat = np.array([data["nodes"][n][0] for n in names], float)
    lon = np.array([data["nodes"][n][1] for n in names], float)
    u, v, m, ex, op, lim = [], [], [], [], [], []  # type: ignore[var-annotated]

    def gc(a: str, b: str) -> float:
        return float(haversine_m(lat[ix[a]], lon[ix[a]], lat[ix[b]], lon[ix[b]]))

    for chain in data["national"]["chains"]:
        for a, b in zip(chain, chain[1:]):
            u.append(ix[a]); v.append(ix[b]); m.append(gc(a, b) * national_circuity); ex.append(False); op.append("")
            lim.append(())
    for sec in data["expressways"]:
        if not sec.get("opened"):
            continue  # announced but not open (its note says why): never used
        hist = tuple(sorted((str(x["from"]), float(x["kmh"])) for x in sec.get("speed_limits") or ()))
        path_ = sec["path"]
        parts = [gc(a, b) for a, b in zip(path_, path_[1:])]
        total = sum(parts)
        for (a, b), g in zip(zip(path_, path_[1:]), parts):
            u.append(ix[a]); v.append(ix[b]); m.append(sec["km"] * 1000.0 * g / total); ex.append(True)
            op.append(sec["opened"])
            lim.append(hist)
    fp = hashlib.sha256(f"{raw}|{national_circuity}".encode()).hexdigest()[:16]
    return TrunkGraph(names, lat, lon, np.array(u), np.array(v), np.array(m), np.array(ex), tuple(lim),
                      tuple(op), tuple(s for s in data["expressways"] if s.get("opened")), fp)


def _all_pairs(g: TrunkGraph, national_kmh: float, express_kmh: tuple[float, ...] | None,
               as_of: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(seconds, metres) of the fastest trunk path between every two nodes (Floyd–Warshall; ~40 nodes);
    ``express_kmh`` is the speed on each edge of the graph (used on its expressway edges), None for no expressway."""
    key = (national_kmh, express_kmh, as_of)
    if key in g._cache:
        return g._cache[key]
    n = len(g.names)
    t = np.full((n, n), np.inf)
    d = np.full((n, n), np.inf)
    np.fill_diagonal(t, 0.0)
    np.fill_diagonal(d, 0.0)
    for e, (a, b, m, ex, op) in enumerate(zip(g.u, g.v, g.metres, g.express, g.opened)):
        if ex and (express_kmh is None or (as_of is not None and op > as_of)):
            continue
        s = m / ((express_kmh[e] if ex else national_kmh) / 3.6)
        if s < t[a, b]:
            t[a, b] = t[b, a] = s
            d[a, b] = d[b, a] = m
    for k in range(n):
        via = t[:, k:k + 1] + t[k:k + 1, :]
        better = via < t
        t = np.where(better, via, t)
        d = np.where(better, d[:, k:k + 1] + d[k:k + 1, :], d)
    g._cache[key] = (t, d)
    return t, d


@dataclass(frozen=True)
class CorridorModel:
    """The corridor estimate (see the module docstring): ``estimate`` broadcasts like the flat one."""

    graph: TrunkGraph
    params: TrunkParams
    fitted_on: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{MODEL_NAME} ({len(self.graph.sections)} expressway sections, fitted on road_times.csv)"

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps([self.graph.fingerprint, repr(self.params), RULES_VERSION]).encode()).hexdigest()[:16]

    def describe(self, lang: str = "en") -> str:
        """The model in one sentence, in English or Vietnamese (the plan's note on its estimated legs)."""
        p = self.params
        circ = [c for _, c in p.circuity_at_km]
        if lang == "vi":
            return (f"mô hình hành lang: lấy cách nhanh hơn giữa đi thẳng (đường chim bay × "
                    f"{min(circ):.2f}–{max(circ):.2f} theo cự ly, {p.local_kmh:g} km/h, tới "
                    f"{p.direct_max_km:.0f} km đường chim bay) và QL1 ({p.national_kmh:g} "
                    f"km/h) / cao tốc ({self._expressway_text(lang)}) qua các thị trấn gần nhất")
        return (f"corridor model: faster of direct (great-circle × {min(circ):.2f}–{max(circ):.2f} by distance, at "
                f"{p.local_kmh:g} km/h, up to {p.direct_max_km:.0f} km straight-line) and QL1 ({p.national_kmh:g} km/h) / "
                f"expressways ({self._expressway_text()}) via their nearest towns")

    def _expressway_text(self, lang: str = "en") -> str:
        p = self.params
        if p.expressway_share is None:
            return f"{p.expressway_kmh:g} km/h"
        if lang == "vi":
            return f"{p.expressway_share * 100:g} % tốc độ tối đa công bố của từng đoạn"
        return f"{p.expressway_share * 100:g} % of each section's published speed limit"

    def estimate(self, lat1: Any, lon1: Any, lat2: Any, lon2: Any, *, speed_scale: float = 1.0,
                 max_kmh: float = 130.0, expressway: bool = True,
                 as_of: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(seconds, metres) of the faster of direct (straight lines up to ``params.direct_max_km``) and via-trunk.
        ``speed_scale`` multiplies the car's speeds (a profile's door-to-door speed ÷ the car's), each capped at
        ``max_kmh``."""
        p = self.params
        lat1, lon1, lat2, lon2 = np.broadcast_arrays(*(np.asarray(x, np.float64) for x in (lat1, lon1, lat2, lon2)))
        shape = lat1.shape
        loc = min(p.local_kmh * speed_scale, max_kmh) / 3.6
        nat = min(p.national_kmh * speed_scale, max_kmh)
        exk = (tuple(float(x) for x in np.minimum(p.section_kmh(self.graph.limit_kmh(as_of)) * speed_scale, max_kmh))
               if expressway else None)
        gc = np.asarray(haversine_m(lat1, lon1, lat2, lon2), np.float64)
        metres = gc * p.circuity(gc / 1000.0)
        seconds = metres / loc
        if gc.size == 0:
            return seconds, metres
        tt, dd = _all_pairs(self.graph, nat, exk, as_of)
        pts = np.concatenate([np.stack([lat1.ravel(), lon1.ravel()], 1), np.stack([lat2.ravel(), lon2.ravel()], 1)])
        uniq, inv = np.unique(pts, axis=0, return_inverse=True)
        inv = inv.ravel()
        acc_gc = haversine_m(uniq[:, :1], uniq[:, 1:], self.graph.lat[None, :], self.graph.lon[None, :])
        k = min(NEAREST_NODES, acc_gc.shape[1])
        near = np.argsort(acc_gc, axis=1)[:, :k]
        a_gc = np.take_along_axis(acc_gc, near, 1)
        a_m = a_gc * p.circuity(a_gc / 1000.0)
        a_s = a_m / loc
        N = gc.size
        io, idd = inv[:N], inv[N:]
        direct_ok = (gc / 1000.0 <= p.direct_max_km).ravel()
        best_s = np.where(direct_ok, seconds.ravel(), np.inf)
        best_m = metres.ravel().copy()
        step = 200_000
        for lo in range(0, N, step):
            o, d_ = io[lo:lo + step], idd[lo:lo + step]
            no, nd = near[o], near[d_]
            s = a_s[o][:, :, None] + tt[no[:, :, None], nd[:, None, :]] + a_s[d_][:, None, :]
            m = a_m[o][:, :, None] + dd[no[:, :, None], nd[:, None, :]] + a_m[d_][:, None, :]
            flat_s = s.reshape(len(o), -1)
            j = np.argmin(flat_s, axis=1)
            cs = flat_s[np.arange(len(o)), j]
            cm = m.reshape(len(o), -1)[np.arange(len(o)), j]
            take = cs < best_s[lo:lo + step]
            best_s[lo:lo + step] = np.where(take, cs, best_s[lo:lo + step])
            best_m[lo:lo + step] = np.where(take, cm, best_m[lo:lo + step])
        lost = ~np.isfinite(best_s)  # no trunk path either: the direct estimate is all there is
        best_s[lost] = seconds.ravel()[lost]
        return best_s.reshape(shape), best_m.reshape(shape)


def model_from_dict(model: dict[str, Any], trunk_path: str | Path | None = None) -> CorridorModel:
    """A :class:`CorridorModel` from the ``estimate_model.json`` structure (or the calibration script's dict)."""
    c = model["corridor"]
    share = c.get("expressway_share")
    params = TrunkParams(tuple((float(a), float(b)) for a, b in c["circuity_at_km"]), float(c["local_kmh"]),
                         float(c["national_kmh"]), float(c["expressway_kmh"]), float(c["national_circuity"]),
                         None if share is None else float(share))
    return CorridorModel(load_trunk(trunk_path, params.national_circuity), params, dict(model.get("fitted_on", {})))


@lru_cache(maxsize=1)
def corridor_model() -> CorridorModel | None:
    """The fitted corridor model of ``data/reference/estimate_model.json`` (adopted or not), or None if absent."""
    try:
        p = data_dir("reference", "estimate_model.json")
    except FileNotFoundError:
        return None
    return model_from_dict(json.loads(p.read_text(encoding="utf-8")))


def default_model() -> CorridorModel | None:
    """The model estimated legs use by default: the corridor model unless ``TOUROUTE_ESTIMATE_MODEL=flat`` (then
    None, the flat model). Its times are truer (held-out published car times: 7 % / 31 % median / p90 error against
    the flat model's 23 % / 108 %), the published-programme recall does not drop with it, and since nights of a
    journey move along the way (``planner.model._along_the_way``) the default Huế → Nha Trang plan keeps Mỹ Sơn with
    it — the one thing that had kept it opt-in (BENCHMARKS.md, "Offline estimates …")."""
    from ..settings import setting

    return None if setting("TOUROUTE_ESTIMATE_MODEL") == "flat" else corridor_model()
