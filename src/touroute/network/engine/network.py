"""The engine seen as one more road network by :class:`touroute.matrix.TravelTimes`."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence

import numpy as np

from ...geo import haversine_m
from ..errors import EngineError
from ..graph import Route, Snap
from .client import OsrmClient, _polyline

ENGINE_NAME = "osrm"


class EngineNetwork:
    """An :class:`OsrmClient` behind the interface :class:`touroute.matrix.TravelTimes` uses for road networks.

    It covers the whole world as far as bounds go; a place is on it when OSRM snaps it within ``max_snap_m``
    (TravelTimes' rule), so a Huế engine leaves Nha Trang to other networks or the estimate."""

    circuity_samples = np.zeros(0, np.float32)

    def __init__(self, client: OsrmClient, name: str = ENGINE_NAME) -> None:
        self.client = client
        self.name = name
        self.weights = {p: None for p in client.profiles}
        self._versions: dict[str, str] = {}
        self._snap_cache: dict[tuple[str, float, float], Snap] = {}

    @property
    def key(self) -> str:
        """What this engine's answers depend on: its URLs and each profile's data version (OSRM stamps the
        version given at extract time on every answer); unreachable servers give a key no cache will match."""
        for p in self.client.profiles:
            if p not in self._versions:
                try:
                    self._versions[p] = self.client.data_version(p)
                except EngineError:
                    return f"unreachable-{time.time_ns()}"
        blob = json.dumps({"urls": self.client.urls, "versions": self._versions}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def contains(self, lat: float, lon: float, margin_m: float = 0.0) -> bool:
        return True

    def snap_many(self, lats: Sequence[float], lons: Sequence[float], profile: str = "car") -> list[Snap]:
        lat = np.asarray(lats, float)
        lon = np.asarray(lons, float)
        todo = [i for i in range(len(lat)) if (profile, lat[i], lon[i]) not in self._snap_cache]
        if todo:
            # one table call snaps many points at once (its waypoints carry location and distance)
            step = max(1, self.client.block - 1)
            for start in range(0, len(todo), step):
                part = todo[start:start + step]
                ids = ";".join(str(k) for k in range(len(part)))
                doc = self.client.get(profile, "table", f"polyline({_polyline([(lat[i], lon[i]) for i in part])})",
                                      sources=ids, destinations="0")
                for i, wp in zip(part, doc["sources"]):
                    slat, slon = wp["location"][1], wp["location"][0]
                    self._snap_cache[(profile, lat[i], lon[i])] = Snap(
                        self.name, profile, float(lat[i]), float(lon[i]), slat, slon,
                        float(wp.get("distance", haversine_m(lat[i], lon[i], slat, slon))), (), (), -1)
        return [self._snap_cache[(profile, lat[i], lon[i])] for i in range(len(lat))]

    def travel_matrix(self, origins: Sequence[Snap], destinations: Sequence[Snap],
                      profile: str = "car") -> tuple[np.ndarray, np.ndarray]:
        """Road seconds and metres between snapped points (OSRM snaps the snapped points onto themselves)."""
        same = list(origins) == list(destinations)
        pts = list(origins) if same else list(origins) + list(destinations)
        sec, met, _, _ = self.client.table([s.snapped_lat for s in pts], [s.snapped_lon for s in pts], profile)
        if same:
            return sec, met
        n = len(origins)
        return sec[:n, n:], met[:n, n:]

    def route(self, origin: Snap, destination: Snap, profile: str = "car") -> Route:
        s, m, coords = self.client.route((origin.snapped_lat, origin.snapped_lon),
                                         (destination.snapped_lat, destination.snapped_lon), profile)
        return Route(s, m, (), coords)
