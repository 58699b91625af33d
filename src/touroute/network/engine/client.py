"""The HTTP client of OSRM servers: per profile a list of URLs used in turn (load spread); a URL that fails is
rested and the next is tried (fail-over); when all fail, :class:`EngineUnavailableError`."""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import numpy as np

from ...settings import setting
from ..errors import EngineError, EngineRefusedError, EngineUnavailableError, NetworkError
from ..profiles import PROFILE_NAMES, get_profile

TABLE_BLOCK = 2000
"""Locations per /table call (sources + destinations), the ``--max-table-size`` ``touroute engine serve`` starts
with: a 1000-place matrix is one request (16 blocks of 250 took 1.8× as long, most of it in per-request snapping and
JSON). A server that answers TooBig (OSRM's default limit is 100) makes the client fall back to 100."""
REST_SECONDS = 15.0
"""How long a URL that failed is skipped before it is tried again."""


def parse_engine_urls(text: str) -> dict[str, list[str]]:
    """``TOUROUTE_OSRM_URL`` → profile → URLs. Entries are ``URL`` (the car profile) or ``profile=URL``,
    separated by spaces or commas; a bad entry is an error naming it."""
    out: dict[str, list[str]] = {}
    for entry in re.split(r"[\s,]+", text.strip()):
        if not entry:
            continue
        prof, _, url = entry.partition("=") if re.match(r"^[A-Za-z]+=", entry) else ("car", "", entry)
        try:
            prof = get_profile(prof).name
        except NetworkError:
            raise EngineError(f"TOUROUTE_OSRM_URL entry {entry!r}: unknown profile {prof!r} (use "
                              f"{', '.join(PROFILE_NAMES)})") from None
        if not re.match(r"^https?://[^\s/]+", url):
            raise EngineError(f"TOUROUTE_OSRM_URL entry {entry!r}: expected http(s)://host:port")
        out.setdefault(prof, []).append(url.rstrip("/"))
    if not out:
        raise EngineError("TOUROUTE_OSRM_URL is set but names no server")
    return out


def _polyline(coords: Sequence[tuple[float, float]], precision: int = 5) -> str:
    """Google's encoded polyline of (lat, lon) pairs — OSRM accepts ``polyline(…)`` in place of a coordinate list,
    which keeps a 1000-place table URL short."""
    out: list[str] = []
    prev = (0, 0)
    factor = 10 ** precision
    for lat, lon in coords:
        cur = (int(round(lat * factor)), int(round(lon * factor)))
        for d in (cur[0] - prev[0], cur[1] - prev[1]):
            v = ~(d << 1) if d < 0 else d << 1
            while v >= 0x20:
                out.append(chr((0x20 | (v & 0x1F)) + 63))
                v >>= 5
            out.append(chr(v + 63))
        prev = cur
    return "".join(out)


def _decode_polyline(text: str, precision: int = 5) -> list[tuple[float, float]]:
    coords: list[tuple[float, float]] = []
    idx = lat = lon = 0
    factor = 10 ** precision
    while idx < len(text):
        vals = []
        for _ in range(2):
            shift = result = 0
            while True:
                b = ord(text[idx]) - 63
                idx += 1
                result |= (b & 0x1F) << shift
                shift += 5
                if b < 0x20:
                    break
            vals.append(~(result >> 1) if result & 1 else result >> 1)
        lat += vals[0]
        lon += vals[1]
        coords.append((lat / factor, lon / factor))
    return coords


class OsrmClient:
    """HTTP client of one or more OSRM servers per profile (see the module docstring)."""

    def __init__(self, urls: Mapping[str, Sequence[str]], *, timeout: float = 30.0,
                 block: int = TABLE_BLOCK) -> None:
        import requests

        self.urls = {get_profile(p).name: list(u) for p, u in urls.items() if u}
        self.timeout = float(timeout)
        self.block = int(block)
        self._session = requests.Session()
        self._turn = {p: itertools.count() for p in self.urls}
        self._rest_until: dict[str, float] = {}
        self._lock = threading.Lock()
        self.failovers = 0

    @classmethod
    def from_setting(cls, value: str | None = None) -> OsrmClient | None:
        text = value if value is not None else setting("TOUROUTE_OSRM_URL")
        if not text:
            return None
        return cls(parse_engine_urls(text), timeout=setting("TOUROUTE_OSRM_TIMEOUT"))

    @property
    def profiles(self) -> tuple[str, ...]:
        return tuple(self.urls)

    def _order(self, profile: str) -> list[str]:
        urls = self.urls.get(profile)
        if not urls:
            raise EngineUnavailableError(f"no OSRM server is configured for the {profile} profile")
        with self._lock:
            k = next(self._turn[profile]) % len(urls)
            now = time.monotonic()
        turn = urls[k:] + urls[:k]
        up = [u for u in turn if self._rest_until.get(u, 0.0) <= now]
        return up + [u for u in turn if u not in up]  # rested ones last: better late than never

    def get(self, profile: str, service: str, coords: str, **params: Any) -> dict[str, Any]:
        """One OSRM call, trying the profile's servers in turn until one answers ``Ok``."""
        import requests

        errors: list[str] = []
        for url in self._order(profile):
            try:
                r = self._session.get(f"{url}/{service}/v1/driving/{quote(coords, safe='(),;.-')}", params=params,
                                      timeout=self.timeout)
            except requests.RequestException as exc:
                with self._lock:
                    self._rest_until[url] = time.monotonic() + REST_SECONDS
                    self.failovers += 1
                errors.append(f"{url}: {type(exc).__name__}")
                continue
            try:
                doc = r.json()
            except ValueError:
                errors.append(f"{url}: HTTP {r.status_code}, not JSON")
                continue
            if doc.get("code") == "Ok":
                return doc
            # a request the server understood and refused (NoSegment, TooBig …) is the same on every replica
            raise EngineRefusedError(f"OSRM ({url}) refused the {service} request: {doc.get('code')}: "
                                     f"{doc.get('message', '')}", str(doc.get("code", "")))
        raise EngineUnavailableError(f"no OSRM server for {profile} answered ({'; '.join(errors)})")

    def table(self, lat: Sequence[float], lon: Sequence[float], profile: str
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Seconds and metres between all points, each point's snap distance (m) and snapped (lat, lon)."""
        n = len(lat)
        sec = np.full((n, n), np.inf)
        met = np.full((n, n), np.inf)
        snap = np.full(n, np.nan)
        where = np.full((n, 2), np.nan)
        pts = list(zip(map(float, lat), map(float, lon)))
        b = max(1, self.block // 2)
        for i0 in range(0, n, b):
            for j0 in range(0, n, b):
                rows = list(range(i0, min(n, i0 + b)))
                cols = list(range(j0, min(n, j0 + b)))
                same = i0 == j0
                locs = rows if same else rows + cols
                try:
                    doc = self.get(profile, "table", f"polyline({_polyline([pts[k] for k in locs])})",
                                   sources=";".join(str(k) for k in range(len(rows))),
                                   destinations=";".join(str(k) for k in (range(len(rows)) if same else
                                                                           range(len(rows), len(locs)))),
                                   annotations="duration,distance")
                except EngineRefusedError as exc:
                    if exc.code != "TooBig" or self.block <= 100:
                        raise
                    self.block = 100  # a server with OSRM's default --max-table-size: start again in its size
                    return self.table(lat, lon, profile)
                d = np.nan_to_num(np.array(doc["durations"], float), nan=np.inf)  # null (no route) → NaN → inf
                m = np.nan_to_num(np.array(doc["distances"], float), nan=np.inf)
                sec[np.ix_(rows, cols)] = d
                met[np.ix_(rows, cols)] = m
                if same:
                    for k, wp in zip(rows, doc["sources"]):
                        snap[k] = float(wp.get("distance", np.nan))
                        where[k] = (wp["location"][1], wp["location"][0])
        return sec, met, snap, where

    def route(self, a: tuple[float, float], b: tuple[float, float], profile: str) -> tuple[float, float, np.ndarray]:
        """(seconds, metres, (k, 2) lat/lon polyline) of the fastest route from ``a`` to ``b``."""
        doc = self.get(profile, "route", f"{a[1]:.6f},{a[0]:.6f};{b[1]:.6f},{b[0]:.6f}", overview="full",
                       geometries="polyline6")
        r = doc["routes"][0]
        return float(r["duration"]), float(r["distance"]), np.array(_decode_polyline(r["geometry"], 6))

    def nearest(self, lat: float, lon: float, profile: str) -> tuple[float, float, float]:
        """(snapped lat, snapped lon, distance m) of the nearest road the profile may use."""
        wp = self.get(profile, "nearest", f"{lon:.6f},{lat:.6f}", number=1)["waypoints"][0]
        return wp["location"][1], wp["location"][0], float(wp["distance"])

    def data_version(self, profile: str) -> str:
        doc = self.get(profile, "nearest", "0,0", number=1)
        return str(doc.get("data_version") or "")


# The engine as a road network of TravelTimes
