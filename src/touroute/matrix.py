"""Travel times and distances between places: on OSM roads where a network is loaded, estimated elsewhere.

The optimiser needs a number for *every* pair of places, on a laptop with only the Huế extract cached or with no
network at all. So each leg is decided on its own:

* **osm** — both places lie on one loaded network (inside its bounds and at most ``max_snap_m`` from a road the
  vehicle may use): the fastest road route, plus the access stretch between each place and its snapped road point
  covered on foot (``ACCESS_KMH``; think car park → gate). With several networks covering both ends, the one with
  the smallest total snap distance wins.
* **estimate** — otherwise. By default the **corridor model** (:mod:`touroute.network.trunk`): the faster of a
  direct estimate and access + QL1 / North–South expressway path, fitted on published road times
  (``data/reference/road_times.csv``; BENCHMARKS.md gives its error on held-out rows), with the profile's speeds
  scaled by its door-to-door speed and no expressway for motorbikes. ``estimate_model=None`` gives the **flat**
  model: great-circle distance × circuity ÷ the profile's door-to-door speed
  (:attr:`~touroute.network.profiles.VehicleProfile.estimate_kmh`). The flat circuity factor is calibrated on the loaded
  networks — the median of road distance ÷ great-circle distance over random node pairs more than 2 km apart,
  pooled over all loaded networks (Huế: ≈ 1.26) — and is ``DEFAULT_CIRCUITY`` = 1.35 when nothing is loaded
  (or a network is too small to give 30 such pairs). Legs to islands (``data/reference/ferries.csv``) go via the
  mainland port, the boat (crossing + boarding buffer) and the island port.

Every :class:`Leg` says which it is (``source``), and :meth:`Leg.geometry` gives its polyline on demand. Matrices of
the whole catalogue are cached per profile, keyed by the loaded networks' cache keys, the catalogue fingerprint, the
ferry table and the settings, so they are recomputed exactly when one of those changes.

Why this module is long: it is one composite router. Road-routed legs, the calibrated estimate for legs no
network covers, ferry legs and the leg geometry share the place snapping and the per-source bookkeeping that every
answer carries (``osm`` or ``estimate``), so a caller can never mix them up.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from .messages import OSM_ATTRIBUTION
from .errors import TourouteException
from .network.ferries import FerryLink, load_ferry_links
from .network.engine import EngineNetwork, EngineUnavailableError, OsrmClient
from .network.graph import RoadNetwork, haversine_m
from .network.profiles import get_profile, profiles_fingerprint
from .network.scenario import RoadScenario
from .network.trunk import CorridorModel, default_model

_DEFAULT = object()
DEFAULT_CIRCUITY = 1.35
"""Road ÷ great-circle distance when no network is loaded: typical of Vietnam's coastal corridor, where QL1 and
the expressways run close to straight but detours around lagoons, estuaries and passes (Hải Vân) add a third."""
MIN_CALIBRATION_PAIRS = 30
MAX_SNAP_M = 5000.0
WARN_SNAP_M = 1000.0
ACCESS_KMH = 4.5
MATRIX_FORMAT = 1

Source = Literal["osm", "estimate"]
_SOURCES: tuple[Source, Source] = ("osm", "estimate")


class MatrixError(TourouteException):
    """A travel-matrix request that cannot be answered (bad place, empty list …)."""


@dataclass(frozen=True, slots=True)
class Place:
    """A point to travel between: a catalogue place or a raw coordinate."""

    id: str
    lat: float
    lon: float
    name: str = ""

    def __post_init__(self) -> None:
        if not (-90 <= self.lat <= 90 and -180 <= self.lon <= 180) or math.isnan(self.lat) or math.isnan(self.lon):
            raise MatrixError(f"place {self.id!r}: coordinates ({self.lat}, {self.lon}) are not valid lat/lon")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name and self.name != self.id else self.id


@dataclass(frozen=True, slots=True)
class Circuity:
    """The factor estimates multiply great-circle distances by, and where it came from."""

    value: float
    pairs: int
    calibrated: bool
    networks: tuple[str, ...] = ()
    p25: float | None = None
    p75: float | None = None

    def describe(self) -> str:
        if self.calibrated:
            return (f"{self.value:.3f} (median of {self.pairs:,} road/great-circle ratios, node pairs > 2 km, "
                    f"networks: {', '.join(self.networks)})")
        return f"{self.value:.2f} (default: no loaded network to calibrate on)"


def calibrate_circuity(networks: Sequence[RoadNetwork]) -> Circuity:
    """Pool the circuity samples stored with each network (computed at build time) and take the median."""
    samples = [n.circuity_samples for n in networks if n.circuity_samples.size]
    pooled = np.concatenate(samples) if samples else np.zeros(0, np.float32)
    names = tuple(n.name for n in networks if n.circuity_samples.size)
    if pooled.size < MIN_CALIBRATION_PAIRS:
        return Circuity(DEFAULT_CIRCUITY, int(pooled.size), False, names)
    return Circuity(float(np.median(pooled)), int(pooled.size), True, names,
                    float(np.percentile(pooled, 25)), float(np.percentile(pooled, 75)))


@dataclass(frozen=True)
class Leg:
    """Travel between two places for one vehicle profile."""

    origin: Place
    destination: Place
    profile: str
    seconds: float
    metres: float
    source: Source
    network: str | None = None
    ferry: str | None = None
    _router: "TravelTimes | None" = field(default=None, repr=False, compare=False)

    @property
    def from_id(self) -> str:
        return self.origin.id

    @property
    def to_id(self) -> str:
        return self.destination.id

    @property
    def minutes(self) -> float:
        return self.seconds / 60.0

    @property
    def km(self) -> float:
        return self.metres / 1000.0

    def geometry(self) -> list[tuple[float, float]]:
        """The leg's polyline as (lat, lon) pairs: along the roads for ``osm`` legs, a straight line (via the ports
        for ferry legs) for estimates. Computed on demand: one Dijkstra run."""
        if self._router is None:
            return [(self.origin.lat, self.origin.lon), (self.destination.lat, self.destination.lon)]
        return self._router.geometry(self)


@dataclass(eq=False)
class TravelMatrix:
    """Seconds, metres and provenance between every ordered pair of ``places`` for one profile."""

    profile: str
    places: tuple[Place, ...]
    seconds: np.ndarray
    metres: np.ndarray
    source_code: np.ndarray
    network_index: np.ndarray
    networks: tuple[str, ...]
    ferry_index: np.ndarray
    ferries: tuple[str, ...]
    snap_m: np.ndarray
    circuity: Circuity
    warnings: tuple[str, ...] = ()
    _router: "TravelTimes | None" = field(default=None, repr=False)
    _index: dict[str, int] = field(default_factory=dict, repr=False)
    degraded: bool = False
    """A configured road engine did not answer and its legs were estimated: such a matrix is never cached."""
    estimate_model: str = "flat"
    """The model that produced the ``estimate`` legs (``corridor …`` or ``flat``): shown wherever estimates are."""

    def __post_init__(self) -> None:
        self._index = {p.id: i for i, p in enumerate(self.places)}

    def __len__(self) -> int:
        return len(self.places)

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.places]

    @property
    def sources(self) -> np.ndarray:
        """``"osm"`` / ``"estimate"`` per pair."""
        return np.asarray(_SOURCES, dtype=object)[self.source_code]

    @property
    def attribution(self) -> str:
        return OSM_ATTRIBUTION

    def index(self, place: str | Place | int) -> int:
        if isinstance(place, (int, np.integer)):
            return int(place)
        pid = place.id if isinstance(place, Place) else place
        try:
            return self._index[pid]
        except KeyError:
            raise MatrixError(f"place {pid!r} is not in this matrix") from None

    def leg(self, a: str | Place | int, b: str | Place | int) -> Leg:
        i, j = self.index(a), self.index(b)
        k, f = int(self.network_index[i, j]), int(self.ferry_index[i, j])
        return Leg(self.places[i], self.places[j], self.profile, float(self.seconds[i, j]), float(self.metres[i, j]),
                   _SOURCES[int(self.source_code[i, j])], self.networks[k] if k >= 0 else None,
                   self.ferries[f] if f >= 0 else None, self._router)

    def legs(self, include_self: bool = False) -> Iterator[Leg]:
        for i in range(len(self.places)):
            for j in range(len(self.places)):
                if i != j or include_self:
                    yield self.leg(i, j)

    def counts(self) -> dict[str, int]:
        off = ~np.eye(len(self.places), dtype=bool)
        return {s: int(((self.source_code == k) & off).sum()) for k, s in enumerate(_SOURCES)}

    def to_json_dict(self, *, geometry: bool = False) -> dict[str, Any]:
        def clean(a: np.ndarray, nd: int) -> list[list[float | None]]:
            return [[None if not math.isfinite(x) else round(float(x), nd) for x in row] for row in a]

        out: dict[str, Any] = {
            "profile": self.profile,
            "places": [{"id": p.id, "name": p.name, "lat": p.lat, "lon": p.lon,
                        "snap_m": None if math.isnan(s) else round(float(s), 1)}
                       for p, s in zip(self.places, self.snap_m)],
            "seconds": clean(self.seconds, 1), "metres": clean(self.metres, 1),
            "source": [[str(x) for x in row] for row in self.sources],
            "network": [[self.networks[k] if k >= 0 else None for k in row] for row in self.network_index],
            "ferry": [[self.ferries[k] if k >= 0 else None for k in row] for row in self.ferry_index],
            "circuity": {"value": round(self.circuity.value, 4), "pairs": self.circuity.pairs,
                         "calibrated": self.circuity.calibrated, "networks": list(self.circuity.networks)},
            "estimate_model": self.estimate_model,
            "warnings": list(self.warnings), "attribution": self.attribution,
        }
        if geometry:
            out["geometry"] = [{"from": leg.from_id, "to": leg.to_id, "source": leg.source,
                                "coords": [[round(a, 6), round(b, 6)] for a, b in leg.geometry()]}
                               for leg in self.legs()]
        return out


class TravelTimes:
    """The coverage-aware composite over zero or more loaded road networks (see the module docstring)."""

    def __init__(self, networks: Sequence[RoadNetwork] = (), *, ferries: Sequence[FerryLink] | None = None,
                 circuity: float | None = None, max_snap_m: float = MAX_SNAP_M,
                 warn_snap_m: float = WARN_SNAP_M, scenario: RoadScenario | None = None,
                 engine: EngineNetwork | None = None, estimate_model: Any = _DEFAULT) -> None:
        """``scenario``: a road what-if (:mod:`touroute.network.scenario`) — its road overrides are applied to
        copies of ``networks`` (the originals, e.g. cached, stay untouched: ``base_networks``) and its estimate
        corridors to estimated legs; it enters :meth:`fingerprint`, so its matrices are cached apart.

        ``engine``: an OSRM engine (:mod:`touroute.network.engine`), consulted like one more network — before the
        embedded ones on a tie of snap distances, since it is the one configured for large extracts. If it does
        not answer, its legs fall back to the embedded networks or the estimate, with a warning.

        ``estimate_model``: the :class:`~touroute.network.trunk.CorridorModel` for estimated legs; by default the
        corridor model of ``data/reference/estimate_model.json`` (``TOUROUTE_ESTIMATE_MODEL=flat``: the flat one);
        ``None``: the flat model."""
        self.engine = engine
        self.estimate_model: CorridorModel | None = default_model() if estimate_model is _DEFAULT else estimate_model
        self.base_networks = list(networks)
        names = [n.name for n in self.base_networks]
        if len(set(names)) != len(names):
            raise MatrixError(f"two loaded networks share a name: {names}")
        self.notes: list[str] = []
        self.scenario = scenario
        if scenario is None:
            self.networks = list(self.base_networks)
        else:
            self.networks = []
            for net in self.base_networks:
                changed, notes = scenario.apply(net)
                self.networks.append(changed)
                self.notes.extend(notes)
        self.ferries = list(load_ferry_links() if ferries is None else ferries)
        self._circuity_arg = circuity
        self.circuity = (calibrate_circuity(self.networks) if circuity is None
                         else Circuity(float(circuity), 0, False, ()))
        self.max_snap_m = float(max_snap_m)
        self.warn_snap_m = float(warn_snap_m)
        if scenario is not None and scenario.roads and engine is not None:
            self.notes.append(f"scenario '{scenario.name}': road overrides apply to the embedded networks, not to "
                              "the OSRM engine (its legs keep today's roads)")

    @property
    def roads(self) -> list[Any]:
        """Every road source, the engine first: what :meth:`matrix` snaps places to."""
        return [*([self.engine] if self.engine is not None else []), *self.networks]

    def with_scenario(self, scenario: RoadScenario | None) -> "TravelTimes":
        """The same networks, ferries and settings under ``scenario`` (``None``: the baseline)."""
        tt = TravelTimes(self.base_networks, ferries=self.ferries, circuity=self._circuity_arg,
                         max_snap_m=self.max_snap_m, warn_snap_m=self.warn_snap_m, scenario=scenario,
                         engine=self.engine, estimate_model=self.estimate_model)
        tt.notes = [n for n in self.notes if not n.startswith("scenario ")] + tt.notes
        return tt

    @classmethod
    def from_cache(cls, names: Sequence[str] | None = None, data_dir: str | Path | None = None,
                   **kw: Any) -> "TravelTimes":
        """Use the named cached networks, or every loadable one (stale caches are skipped with a note), and the
        OSRM engine of ``TOUROUTE_OSRM_URL`` when it is set."""
        from .network import NetworkCacheError, list_networks, load_network

        notes: list[str] = []
        if names:
            nets = [load_network(n, data_dir) for n in names]
        else:
            nets = []
            for info in list_networks(data_dir):
                if info.problem:
                    notes.append(f"skipped cached network '{info.name}': {info.problem}")
                    continue
                try:  # metadata fine but arrays corrupt/truncated: skip it, plan with the others or estimates
                    nets.append(load_network(info.directory))
                except NetworkCacheError as exc:
                    notes.append(f"skipped cached network '{info.name}': {exc}")
        for note in notes:
            import logging

            logging.getLogger("touroute.matrix").warning("%s", note)
        if "engine" not in kw:
            client = OsrmClient.from_setting()
            kw["engine"] = EngineNetwork(client) if client is not None else None
        tt = cls(nets, **kw)
        tt.notes = notes + tt.notes
        return tt

    def network(self, name: str) -> RoadNetwork:
        for n in self.roads:
            if n.name == name:
                return n
        raise MatrixError(f"network {name!r} is not loaded (loaded: {', '.join(self.network_names) or 'none'})")

    @property
    def network_names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.roads)

    def fingerprint(self) -> str:
        """What the matrices of this composite depend on, besides the places and the profile."""
        blob = json.dumps({"networks": sorted((n.name, n.key) for n in self.roads),
                           "circuity": round(self.circuity.value, 6), "ferries": repr(self.ferries),
                           "max_snap": self.max_snap_m, "warn_snap": self.warn_snap_m, "access_kmh": ACCESS_KMH,
                           "profiles": profiles_fingerprint(), "format": MATRIX_FORMAT,
                           "estimate_model": (self.estimate_model.fingerprint() if self.estimate_model else "flat"),
                           **({"scenario": self.scenario.fingerprint()} if self.scenario else {})}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:24]

    # ------------------------------------------------------------------ estimates
    @property
    def estimate_label(self) -> str:
        """Which model estimates legs: named in the matrix, its JSON and the planner's warning."""
        return self.estimate_label_in("en")

    def estimate_label_in(self, lang: str) -> str:
        """:attr:`estimate_label` in English or Vietnamese (the plan's notes are in both)."""
        if self.estimate_model is not None:
            return self.estimate_model.describe(lang)
        if lang == "vi":
            return f"mô hình đơn giản: đường chim bay × {self.circuity.value:.2f} ÷ tốc độ trung bình của xe"
        return f"flat model: great-circle × {self.circuity.value:.2f} ÷ the vehicle's average speed"

    def estimate(self, lat1: Any, lon1: Any, lat2: Any, lon2: Any, profile: str) -> tuple[np.ndarray, np.ndarray]:
        """(seconds, metres) of estimated legs (broadcasts): the corridor model, or great-circle × circuity ÷ the
        profile's door-to-door speed (flat); then the scenario's estimate corridors, relative to that baseline."""
        prof = get_profile(profile)
        if self.estimate_model is not None:
            base: tuple[np.ndarray, np.ndarray] | None = self.estimate_model.estimate(
                lat1, lon1, lat2, lon2, speed_scale=prof.estimate_kmh / get_profile("car").estimate_kmh,
                max_kmh=prof.max_kmh, expressway=prof.allows_class("motorway"))
        else:
            base = None
        if self.scenario is not None and self.scenario.estimates:
            adjusted = self.scenario.estimate_adjust(lat1, lon1, lat2, lon2, prof.name, self.circuity.value,
                                                     prof.estimate_kmh, base=base)
            if adjusted is not None:
                return adjusted
        if base is not None:
            return base
        metres = haversine_m(lat1, lon1, lat2, lon2) * self.circuity.value
        return metres / (prof.estimate_kmh / 3.6), metres

    def _island(self, p: Place) -> int:
        for k, link in enumerate(self.ferries):
            if link.on_island(p.lat, p.lon):
                return k
        return -1

    # ------------------------------------------------------------------ the composite
    def matrix(self, places: Sequence[Place], profile: str = "car") -> TravelMatrix:
        """Seconds and metres between every ordered pair of ``places``; each pair on roads or estimated."""
        prof = get_profile(profile).name
        places = tuple(places)
        P = len(places)
        if P == 0:
            raise MatrixError("no places given")
        island = [self._island(p) for p in places]
        ext: list[Place] = list(places)
        ports: dict[int, tuple[int, int]] = {}
        if any(k >= 0 for k in island) and P > 1:
            for k in sorted({k for k in island if k >= 0}):
                link = self.ferries[k]
                ports[k] = (len(ext), len(ext) + 1)
                ext.append(Place(f"ferry:{link.id}:mainland", link.from_lat, link.from_lon, link.from_port))
                ext.append(Place(f"ferry:{link.id}:island", link.to_lat, link.to_lon, link.to_port))
        X = len(ext)
        lat = np.array([p.lat for p in ext])
        lon = np.array([p.lon for p in ext])
        sec = np.full((X, X), np.inf)
        met = np.full((X, X), np.inf)
        src = np.ones((X, X), np.uint8)
        net_idx = np.full((X, X), -1, np.int16)
        score = np.full((X, X), np.inf)
        snap_m = np.full(X, np.nan)
        warnings: list[str] = []
        access_mps = ACCESS_KMH / 3.6
        degraded = False
        for k, net in enumerate(self.roads):
            cand = [i for i in range(X) if net.contains(lat[i], lon[i], self.max_snap_m)]
            if not cand or prof not in net.weights:
                continue
            try:
                snaps = net.snap_many(lat[cand], lon[cand], prof)
                cov = [(i, s) for i, s in zip(cand, snaps) if s.distance_m <= self.max_snap_m]
                if not cov:
                    continue
                idx = np.array([i for i, _ in cov])
                sn = [s for _, s in cov]
                road_s, road_m = net.travel_matrix(sn, sn, prof)
            except EngineUnavailableError as exc:
                degraded = True
                warnings.append(f"the road engine did not answer, so its legs come from the embedded networks or "
                                f"the estimate: {exc}")
                continue
            acc = np.array([s.distance_m for s in sn])
            tot_s = road_s + acc[:, None] / access_mps + acc[None, :] / access_mps
            tot_m = road_m + acc[:, None] + acc[None, :]
            sc = acc[:, None] + acc[None, :]
            np.fill_diagonal(tot_s, 0.0)
            np.fill_diagonal(tot_m, 0.0)
            sub = np.ix_(idx, idx)
            better = np.isfinite(tot_s) & (sc < score[sub])
            for arr, new in ((sec, tot_s), (met, tot_m), (score, sc)):
                view = arr[sub]
                view[better] = new[better]
                arr[sub] = view
            view = src[sub]
            view[better] = 0
            src[sub] = view
            view = net_idx[sub]
            view[better] = k
            net_idx[sub] = view
            for i, s in zip(idx.tolist(), sn):
                if math.isnan(snap_m[i]) or s.distance_m < snap_m[i]:
                    snap_m[i] = s.distance_m
        for i in range(P):
            if not math.isnan(snap_m[i]) and snap_m[i] > self.warn_snap_m:
                warnings.append(f"{places[i].label} is {snap_m[i] / 1000:.1f} km from the nearest road usable by "
                                f"{prof} — check its coordinates")
        est = src == 1
        if est.any():
            e_s, e_m = self.estimate(lat[:, None], lon[:, None], lat[None, :], lon[None, :], prof)
            sec[est] = e_s[est]
            met[est] = e_m[est]
        np.fill_diagonal(sec, 0.0)
        np.fill_diagonal(met, 0.0)
        ferry_idx = np.full((P, P), -1, np.int16)
        if ports:
            self._via_ferries(places, island, ports, sec, met, src, ferry_idx)
        diag = np.arange(P)
        src[diag, diag] = np.where(np.isnan(snap_m[:P]), 1, 0)
        ferry_ids = tuple(f.id for f in self.ferries)
        return TravelMatrix(prof, places, sec[:P, :P].copy(), met[:P, :P].copy(), src[:P, :P].copy(),
                            net_idx[:P, :P].copy(), self.network_names, ferry_idx, ferry_ids, snap_m[:P].copy(),
                            self.circuity, tuple(warnings), self, degraded=degraded,
                            estimate_model=self.estimate_label)

    def _via_ferries(self, places: Sequence[Place], island: list[int], ports: dict[int, tuple[int, int]],
                     sec: np.ndarray, met: np.ndarray, src: np.ndarray, ferry_idx: np.ndarray) -> None:
        """Legs between an island and anywhere else (not routed on OSM): road to the port, boat, road on."""
        P = len(places)
        for i in range(P):
            for j in range(P):
                a, b = island[i], island[j]
                if i == j or a == b or src[i, j] == 0:
                    continue
                s = m = 0.0
                used = -1
                here = i
                if a >= 0:  # leave island a: to its port, boat to the mainland
                    link = self.ferries[a]
                    s += sec[here, ports[a][1]] + link.leg_s
                    m += met[here, ports[a][1]] + link.sea_m
                    here, used = ports[a][0], a
                if b >= 0:  # reach island b: to its mainland port, boat over
                    link = self.ferries[b]
                    s += sec[here, ports[b][0]] + link.leg_s
                    m += met[here, ports[b][0]] + link.sea_m
                    here, used = ports[b][1], b
                s += sec[here, j]
                m += met[here, j]
                sec[i, j], met[i, j], src[i, j] = s, m, 1
                ferry_idx[i, j] = used

    def leg(self, a: Place, b: Place, profile: str = "car") -> Leg:
        """One leg (computes a 2 × 2 matrix)."""
        return self.matrix([a, b], profile).leg(0, 1)

    def geometry(self, leg: Leg) -> list[tuple[float, float]]:
        """Polyline of a leg (see :meth:`Leg.geometry`)."""
        a, b = leg.origin, leg.destination
        if leg.source == "osm" and leg.network:
            net = self.network(leg.network)
            try:
                sa, sb = net.snap_many([a.lat, b.lat], [a.lon, b.lon], leg.profile)
                route = net.route(sa, sb, leg.profile)
            except EngineUnavailableError:  # the engine went down since the matrix: a straight line, not an error
                return [(a.lat, a.lon), (b.lat, b.lon)]
            return [(a.lat, a.lon), *map(tuple, route.coords.tolist()), (b.lat, b.lon)]
        if leg.ferry:
            link = next(f for f in self.ferries if f.id == leg.ferry)
            mainland = Place(f"ferry:{link.id}:mainland", link.from_lat, link.from_lon, link.from_port)
            island = Place(f"ferry:{link.id}:island", link.to_lat, link.to_lon, link.to_port)
            first, second = (island, mainland) if link.on_island(a.lat, a.lon) else (mainland, island)
            return [*self.leg(a, first, leg.profile).geometry(), *self.leg(second, b, leg.profile).geometry()]
        return [(a.lat, a.lon), (b.lat, b.lon)]


# ---------------------------------------------------------------------------------------------------------------
# Catalogue matrices (cached)
# ---------------------------------------------------------------------------------------------------------------
def catalogue_places(catalogue: Any = None) -> list[Place]:
    """The catalogue's places as :class:`Place` objects (id, lat, lon, Vietnamese name), each where a plan drives
    to it: a place reached by boat or cable car from a pier or station of its own (``access.csv`` ``from_lat`` /
    ``from_lon``: Đảo Bé from the Lý Sơn port, the Hòn Mun reef from Cầu Đá) stands at that road end."""
    if catalogue is None:
        from .pois import load_catalogue

        catalogue = load_catalogue()
    df = catalogue.df
    names = df["name_vi"] if "name_vi" in df.columns else df.index
    ends = {p.id: p.road_point for p in catalogue.records.values() if p.access is not None}
    return [Place(str(i), *(ends.get(str(i)) or (float(la), float(lo))), str(n))
            for i, la, lo, n in zip(df.index, df["lat"], df["lon"], names)]


def matrix_cache_key(router: TravelTimes, profile: str, catalogue_fingerprint: str) -> str:
    blob = json.dumps({"router": router.fingerprint(), "profile": get_profile(profile).name,
                       "catalogue": catalogue_fingerprint}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def catalogue_matrix(profile: str = "car", *, router: TravelTimes | None = None, catalogue: Any = None,
                     data_dir: str | Path | None = None, refresh: bool = False) -> TravelMatrix:
    """The travel matrix of the whole catalogue for ``profile``, from the cache when still valid.

    The cache file name carries a key over the loaded networks' cache keys, the catalogue fingerprint, the ferry
    table, the circuity and the settings, so a rebuilt network or an edited catalogue recomputes it; older files
    of the same profile are deleted when a new one is written.
    """
    from .network.store import data_root

    prof = get_profile(profile).name
    if catalogue is None:
        from .pois import load_catalogue

        catalogue = load_catalogue()
    router = router if router is not None else TravelTimes.from_cache(data_dir=data_dir)
    places = catalogue_places(catalogue)
    key = matrix_cache_key(router, prof, str(catalogue.fingerprint))
    folder = data_root(data_dir) / "matrices"
    # Scenario matrices live under their own prefix: writing one never replaces the baseline's file (the glob
    # below deletes only older files of the same kind; one scenario matrix per profile is kept).
    prefix = f"{prof}-" if getattr(router, "scenario", None) is None else f"scenario-{prof}-"
    path = folder / f"{prefix}{key}.npz"
    if path.exists() and not refresh:
        cached = _load_matrix(path, places, router)
        if cached is not None:
            return cached
    m = router.matrix(places, prof)
    if m.degraded:  # a stand-in for an engine that was down: recompute next time
        return m
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{prefix}*.npz"):
        if old != path:
            old.unlink(missing_ok=True)
    _save_matrix(path, m)
    return m


def _save_matrix(path: Path, m: TravelMatrix) -> None:
    meta = {"format": MATRIX_FORMAT, "profile": m.profile, "warnings": list(m.warnings),
            "estimate_model": m.estimate_model,
            "circuity": [m.circuity.value, m.circuity.pairs, m.circuity.calibrated, list(m.circuity.networks)]}
    # one temporary file per process and thread, not named *.npz: two plans computing the same matrix at once (two
    # CLI runs, two web workers) each write their own and the last rename wins, and the clean-up of older matrices
    # (catalogue_matrix's glob) never deletes a file another process is still writing
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, ids=np.array(m.ids, dtype=str), seconds=m.seconds, metres=m.metres,
                                source=m.source_code, network_index=m.network_index, ferry_index=m.ferry_index,
                                snap_m=m.snap_m, networks=np.array(m.networks, dtype=str),
                                ferries=np.array(m.ferries, dtype=str), meta=np.array(json.dumps(meta)))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _load_matrix(path: Path, places: list[Place], router: TravelTimes) -> TravelMatrix | None:
    """A cached matrix, or None when unreadable or not for these places (then it is recomputed)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            if meta.get("format") != MATRIX_FORMAT or z["ids"].tolist() != [p.id for p in places]:
                return None
            c = meta["circuity"]
            return TravelMatrix(meta["profile"], tuple(places), z["seconds"], z["metres"], z["source"],
                                z["network_index"], tuple(z["networks"].tolist()), z["ferry_index"],
                                tuple(z["ferries"].tolist()), z["snap_m"], Circuity(c[0], c[1], c[2], tuple(c[3])),
                                tuple(meta.get("warnings", ())), router,
                                estimate_model=str(meta.get("estimate_model", "flat")))
    except (OSError, KeyError, ValueError, EOFError):
        return None

