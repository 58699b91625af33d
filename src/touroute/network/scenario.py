"""Road scenarios: "what if this road were faster?" — speed overrides for OSM edges and for estimated legs.

A tourism department asks what an upgraded road or a new coastal route would change: which hub pairs get closer,
whether itineraries then reach the less-visited provinces. A :class:`RoadScenario` (a small YAML/JSON file, see
``docs/network.md`` and ``data/scenarios/``) says so in two ways:

* ``roads`` — edges of the loaded OSM networks chosen by their ``ref`` (``QL49``, ``QL.49``, ``ĐT.603B`` and
  ``DT603B`` are the same road: refs are compared without diacritics, dots, dashes and spaces, per ``;``-separated
  value) and/or ``name`` (``Võ Văn Kiệt``, compared without diacritics and case), optionally only inside a ``bbox``
  (W, S, E, N) or a ``corridor`` (within ``buffer_km`` of the straight line between two points), get a new
  ``speed_kmh`` or their speed multiplied by ``speed_factor``. Only the travel *time* changes; a road a vehicle may
  not use stays forbidden, and no vehicle goes faster than its legal top speed (the profile's ``max_kmh``).
  :func:`apply_scenario` returns a copy of the network with the new per-profile edge weights, so the CSR graphs and
  matrices are built from them; the cached baseline network is never modified.
* ``estimates`` — most of the region has no OSM extract loaded, so its legs are estimated (great-circle ×
  circuity ÷ the profile's door-to-door speed, see :mod:`touroute.matrix`). An estimate corridor between two points
  gives estimated legs that run along it a different speed and/or circuity for the part of their straight line
  inside the corridor: with ``f`` the share of the straight line within ``buffer_km`` of the corridor line (21
  sample points), a leg with ``f ≥ min_share`` (default 0.5: the leg runs *along* the corridor, it does not just
  cross it) takes ``d·(f·c'/v' + (1−f)·c/v)`` instead of ``d·c/v``.

A scenario has a fingerprint that enters the scenario network's key and the matrix cache key, so a scenario's
matrices are cached apart from the baseline's and never replace them.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import NetworkError
from ..geo import EARTH_RADIUS_M
from .graph import RoadNetwork, haversine_m
from .profiles import CLASS_CODE, PROFILES, get_profile

ESTIMATE_SAMPLES = 21


class ScenarioError(NetworkError):
    """A scenario file that cannot be used; the message names the file and the field."""


def normalise_ref(ref: str) -> str:
    """``"ĐT.603B"`` → ``"DT603B"``: no diacritics, upper case, no dots, dashes, underscores or spaces."""
    text = unicodedata.normalize("NFD", str(ref).replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\s._\-]+", "", text).upper()


def normalise_name(name: str) -> str:
    """Road names compared without diacritics, case and a leading "đường" (street)."""
    text = unicodedata.normalize("NFD", str(name).replace("Đ", "D").replace("đ", "d"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"^duong ", "", text)


def _split(value: str | None) -> list[str]:
    """OSM multi-values: ``"QL.49;QL.49B"`` (one way) and ``"4; TL.4"`` (merged ways) → parts."""
    return [p.strip() for p in str(value).split(";") if p.strip()] if value else []


# ---------------------------------------------------------------------------------------------------------------
# the file format (pydantic models)
# ---------------------------------------------------------------------------------------------------------------
LatLon = tuple[float, float]


def _check_latlon(v: LatLon) -> LatLon:
    lat, lon = v
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"({lat}, {lon}) is not a [lat, lon] pair in degrees")
    return v


class Corridor(BaseModel):
    """Within ``buffer_km`` of the straight line ``from`` → ``to``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    start: LatLon = Field(alias="from", description="[lat, lon]")
    end: LatLon = Field(alias="to", description="[lat, lon]")
    buffer_km: float = Field(gt=0, le=100)

    @field_validator("start", "end")
    @classmethod
    def _latlon(cls, v: LatLon) -> LatLon:
        return _check_latlon(v)


class _Speed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    speed_kmh: float | None = Field(default=None, gt=0, le=130)
    speed_factor: float | None = Field(default=None, gt=0, le=5)
    profiles: list[str] = Field(default_factory=lambda: list(PROFILES), description="vehicle profiles affected")

    @field_validator("profiles")
    @classmethod
    def _profiles(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("list at least one vehicle profile")
        return [get_profile(p).name for p in v]


class RoadOverride(_Speed):
    """OSM edges selected by ref and/or name (an edge matching either), optionally inside a bbox or corridor."""

    label: str = Field(default="", max_length=200)
    ref: list[str] = Field(default_factory=list)
    name: list[str] = Field(default_factory=list)
    bbox: tuple[float, float, float, float] | None = Field(default=None, description="west, south, east, north")
    corridor: Corridor | None = None

    @field_validator("ref", "name", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("bbox")
    @classmethod
    def _bbox(cls, v):
        if v is not None:
            w, s, e, n = v
            if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
                raise ValueError("expected [west, south, east, north] in degrees with west < east, south < north")
        return v

    @model_validator(mode="after")
    def _what(self) -> "RoadOverride":
        if not self.ref and not self.name:
            raise ValueError("give the road's `ref` (e.g. QL49) and/or `name` (e.g. Võ Văn Kiệt)")
        if (self.speed_kmh is None) == (self.speed_factor is None):
            raise ValueError("give exactly one of speed_kmh or speed_factor")
        return self

    def describe(self) -> str:
        return self.label or " / ".join(self.ref + self.name)


class EstimateCorridor(_Speed):
    """Estimated legs along the line ``from`` → ``to`` (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    label: str = Field(default="", max_length=200)
    start: LatLon = Field(alias="from", description="[lat, lon]")
    end: LatLon = Field(alias="to", description="[lat, lon]")
    buffer_km: float = Field(default=10.0, gt=0, le=100)
    circuity: float | None = Field(default=None, ge=1.0, le=3.0)
    min_share: float = Field(default=0.5, gt=0, le=1)

    @field_validator("start", "end")
    @classmethod
    def _latlon(cls, v: LatLon) -> LatLon:
        return _check_latlon(v)

    @model_validator(mode="after")
    def _what(self) -> "EstimateCorridor":
        if self.speed_kmh is not None and self.speed_factor is not None:
            raise ValueError("give speed_kmh or speed_factor, not both")
        if self.speed_kmh is None and self.speed_factor is None and self.circuity is None:
            raise ValueError("give speed_kmh, speed_factor and/or circuity: otherwise nothing changes")
        return self

    def describe(self) -> str:
        return self.label or f"{self.start} → {self.end}"


class RoadScenario(BaseModel):
    """A named set of road and estimate overrides (the ``data/scenarios/*.yaml`` format)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
    description: str = ""
    hypothetical: bool = Field(default=True, description="true for a road that does not exist (yet)")
    roads: list[RoadOverride] = Field(default_factory=list)
    estimates: list[EstimateCorridor] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> "RoadScenario":
        if not self.roads and not self.estimates:
            raise ValueError("a scenario needs at least one entry in `roads` or `estimates`")
        return self

    def fingerprint(self) -> str:
        """Hash of everything that changes travel times (not the description)."""
        blob = json.dumps({"roads": [r.model_dump(mode="json", exclude={"label"}) for r in self.roads],
                           "estimates": [e.model_dump(mode="json", exclude={"label"}) for e in self.estimates]},
                          sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    # ------------------------------------------------------------------ OSM edges
    def road_mask(self, net: RoadNetwork, road: RoadOverride) -> np.ndarray:
        """Edges of ``net`` selected by ``road`` (ref/name match, then the bbox / corridor limit on the edge's
        midpoint between its end nodes)."""
        refs = {normalise_ref(r) for r in road.ref}
        names = {normalise_name(n) for n in road.name}
        hit_ref = np.zeros(len(net.strings), bool)
        hit_name = np.zeros(len(net.strings), bool)
        for i, s in enumerate(net.strings.tolist()):
            parts = _split(s)
            hit_ref[i] = bool(refs) and any(normalise_ref(p) in refs for p in parts)
            hit_name[i] = bool(names) and any(normalise_name(p) in names for p in parts)
        mask = np.zeros(net.n_edges, bool)
        if len(net.strings):
            r, n = net.edge_ref.astype(np.int64), net.edge_name.astype(np.int64)
            mask |= (r >= 0) & hit_ref[np.maximum(r, 0)]
            mask |= (n >= 0) & hit_name[np.maximum(n, 0)]
        if not mask.any() or (road.bbox is None and road.corridor is None):
            return mask
        lat = (net.node_lat[net.edge_u] + net.node_lat[net.edge_v]) / 2
        lon = (net.node_lon[net.edge_u] + net.node_lon[net.edge_v]) / 2
        if road.bbox is not None:
            w, s, e, n = road.bbox
            mask &= (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)
        if road.corridor is not None:
            c = road.corridor
            mask &= distance_to_segment_m(lat, lon, c.start, c.end) <= c.buffer_km * 1000.0
        return mask

    def apply(self, net: RoadNetwork) -> tuple[RoadNetwork, list[str]]:
        """A copy of ``net`` with the road overrides applied to its per-profile edge weights, and notes (how many
        edges each override changed; overrides that match nothing). Later overrides win on shared edges."""
        weights = {p: w.copy() for p, w in net.weights.items()}
        notes: list[str] = []
        changed_total = 0
        for road in self.roads:
            mask = self.road_mask(net, road)
            km = float(net.edge_length[mask].sum()) / 1000.0
            if not mask.any():
                notes.append(f"scenario '{self.name}': road '{road.describe()}' matches no edge of network "
                             f"'{net.name}'")
                continue
            for p in road.profiles:
                if p not in weights:
                    continue
                w = weights[p]
                base = net.weights[p]
                sel = mask & np.isfinite(base)
                length = net.edge_length[sel].astype(np.float64)
                cur_kmh = length / np.maximum(base[sel].astype(np.float64), 1e-9) * 3.6
                new_kmh = (np.full(length.shape, road.speed_kmh) if road.speed_kmh is not None
                           else cur_kmh * road.speed_factor)
                new_kmh = np.minimum(new_kmh, PROFILES[p].max_kmh)
                is_ferry = net.edge_class[sel] == _FERRY
                new_w = np.where(is_ferry, base[sel], length / (new_kmh / 3.6))
                w[sel] = new_w.astype(np.float32)
            changed_total += int(mask.sum())
            notes.append(f"scenario '{self.name}': road '{road.describe()}' — {int(mask.sum())} edges, {km:.1f} km "
                         f"of network '{net.name}'")
        meta = dict(net.meta)
        meta["key"] = f"{net.key}+scenario-{self.fingerprint()}"
        meta["scenario"] = {"name": self.name, "fingerprint": self.fingerprint(), "edges_changed": changed_total}
        out = replace(net, meta=meta, weights=weights, _graphs={}, _snap_idx={})
        return out, notes

    # ------------------------------------------------------------------ estimates
    def estimate_adjust(self, lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray,
                        profile: str, circuity: float, estimate_kmh: float,
                        base: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray] | None:
        """(seconds, metres) of estimated legs under the estimate corridors, or None when no corridor applies to
        ``profile``. Arrays broadcast like :meth:`touroute.matrix.TravelTimes.estimate`; the last corridor whose
        share threshold a leg meets wins.

        ``base``: the baseline estimate (seconds, metres) when it is not the flat ``d·c/v`` (the corridor model of
        :mod:`touroute.network.trunk`). The part of a leg outside the corridor then keeps the baseline's pace
        (seconds per great-circle metre), and the corridor's defaults — circuity, and the speed ``speed_factor``
        multiplies — are the leg's own baseline circuity and speed, so a scenario is always relative to the
        estimate the planner really uses. With the flat baseline both readings are the same formula."""
        corridors = [c for c in self.estimates if profile in c.profiles]
        if not corridors:
            return None
        lat1, lon1, lat2, lon2 = np.broadcast_arrays(*(np.asarray(x, np.float64) for x in (lat1, lon1, lat2, lon2)))
        gc = haversine_m(lat1, lon1, lat2, lon2)
        v = estimate_kmh / 3.6
        if base is None:
            seconds = gc * circuity / v
            metres = gc * circuity
        else:
            seconds, metres = (np.broadcast_to(np.asarray(x, np.float64), gc.shape).copy() for x in base)
        safe = np.where(gc > 0, gc, 1.0)
        pace = seconds / safe                                   # baseline seconds per great-circle metre
        circ = metres / safe                                    # baseline circuity of each leg
        kmh = np.where(seconds > 0, metres / np.where(seconds > 0, seconds, 1.0) * 3.6, estimate_kmh)
        t = np.linspace(0.0, 1.0, ESTIMATE_SAMPLES)
        for c in corridors:
            inside = np.zeros(gc.shape)
            for x in t:  # straight line in lat/lon: fine for legs of a few hundred km at these latitudes
                la = lat1 + (lat2 - lat1) * x
                lo = lon1 + (lon2 - lon1) * x
                inside += distance_to_segment_m(la, lo, c.start, c.end) <= c.buffer_km * 1000.0
            f = inside / ESTIMATE_SAMPLES
            use = (f >= c.min_share) & (gc > 0)
            if not use.any():
                continue
            c_circ = c.circuity if c.circuity is not None else circ
            c_kmh = (np.full(gc.shape, c.speed_kmh) if c.speed_kmh is not None
                     else kmh * (c.speed_factor if c.speed_factor is not None else 1.0))
            c_kmh = np.minimum(c_kmh, PROFILES[profile].max_kmh)
            s_new = gc * (f * c_circ / (c_kmh / 3.6) + (1 - f) * pace)
            m_new = gc * (f * c_circ + (1 - f) * circ)
            seconds = np.where(use, s_new, seconds)
            metres = np.where(use, m_new, metres)
        return seconds, metres

    def describe(self) -> str:
        kind = "hypothetical" if self.hypothetical else "existing"
        parts = [f"{r.describe()} ({_speed_text(r)})" for r in self.roads]
        parts += [f"{e.describe()} ({_speed_text(e)}{f', circuity {e.circuity:g}' if e.circuity else ''})"
                  for e in self.estimates]
        return f"{self.name} [{kind}]: " + "; ".join(parts)


_FERRY = CLASS_CODE["ferry"]  # a scenario speeds up roads, not boats


def _speed_text(o: _Speed) -> str:
    if o.speed_kmh is not None:
        return f"{o.speed_kmh:g} km/h"
    if o.speed_factor is not None:
        return f"speed × {o.speed_factor:g}"
    return "same speed"


def distance_to_segment_m(lat: Any, lon: Any, a: LatLon, b: LatLon) -> np.ndarray:
    """Distance in metres from points to the segment a–b (equirectangular projection around the segment: exact
    enough within a few hundred km)."""
    lat = np.asarray(lat, np.float64)
    lon = np.asarray(lon, np.float64)
    lat0 = math.radians((a[0] + b[0]) / 2)
    k = math.pi / 180.0 * EARTH_RADIUS_M
    ax, ay = a[1] * k * math.cos(lat0), a[0] * k
    bx, by = b[1] * k * math.cos(lat0), b[0] * k
    px, py = lon * k * math.cos(lat0), lat * k
    dx, dy = bx - ax, by - ay
    den = dx * dx + dy * dy
    t = np.zeros_like(px) if den == 0 else np.clip(((px - ax) * dx + (py - ay) * dy) / den, 0.0, 1.0)
    return np.hypot(px - (ax + t * dx), py - (ay + t * dy))


# ---------------------------------------------------------------------------------------------------------------
# loading
# ---------------------------------------------------------------------------------------------------------------
def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "scenario"


def parse_scenario(data: Any, source: str = "scenario") -> RoadScenario:
    """Validate an already-parsed scenario; :class:`ScenarioError` lines read ``source: field: problem``."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: must hold a mapping (name, roads, estimates)")
    try:
        return RoadScenario.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(p for p in err.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-")))
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{source}: {msg}" if not loc else f"{source}: {_loc(loc)}: {msg}")
        raise ScenarioError("; ".join(lines)) from None


def load_scenario(path: str | Path) -> RoadScenario:
    """Read a ``.yaml``/``.yml`` or ``.json`` scenario file."""
    from ..resources import read_yaml_or_json

    path = Path(path)
    data = read_yaml_or_json(path, ScenarioError)
    return parse_scenario(data, path.name)


def apply_scenario(net: RoadNetwork, scenario: RoadScenario | None) -> RoadNetwork:
    """``net`` with the scenario's road overrides (``net`` itself when there is no scenario)."""
    return net if scenario is None else scenario.apply(net)[0]

