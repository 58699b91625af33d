"""Geodesy shared by every layer: one Earth radius and one great-circle distance (the catalogue's duplicate check,
the road network's snapping, the estimates for legs no network covers, the islands' boats)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
"""Mean Earth radius (IUGG), metres."""


def haversine_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in metres on a sphere of radius :data:`EARTH_RADIUS_M`; vectorised over numpy arrays,
    a plain ``float`` when every argument is a scalar."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    d = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(a)))
    return float(d) if np.ndim(d) == 0 else d


VIETNAM_BBOX = (8.0, 102.0, 23.5, 117.5)
"""(south, west, north, east) of Vietnam with its islands (Cà Mau 8.6° N, Lũng Cú 23.4° N, Điện Biên 102.1° E,
the Spratlys to 117° E): a typed point outside it is a mistake (a swapped lat,lon, a sign lost), never a place
touroute can plan — its 'estimate' from Huế to the Atlantic was 20,895 km."""


def in_vietnam(lat: float, lon: float) -> bool:
    """Is the point inside :data:`VIETNAM_BBOX`?"""
    s, w, n, e = VIETNAM_BBOX
    return s <= lat <= n and w <= lon <= e


def parse_latlon(text: str) -> tuple[float, float] | None:
    """``"16.46,107.58"`` → ``(16.46, 107.58)``; anything else → None. The one reading of typed coordinates, shared by
    ``PlaceRef.parse`` (a request field) and ``Catalogue.resolve`` (a typed place), so both agree on what is a point."""
    parts = (text or "").strip().split(",")
    if len(parts) != 2:
        return None
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        return None


VIETNAM_TZ = timezone(timedelta(hours=7))
"""Vietnam's time (UTC+7, no summer time): the plans' clock."""


def daylight(lat: float, lon: float, day: date) -> tuple[time, time]:
    """(sunrise, sunset) at a point on ``day``, Vietnam time (the ``astral`` library's NOAA solar equations; the
    geometric sunrise/sunset at the horizon, refraction included). What an outdoor place without published hours is
    planned in: a beach in Quy Nhơn on 14 December is light 05:58–17:17, on 21 June 05:17–18:13. The point is rounded
    to 0.01° (about 1 km, a few seconds of sun time), so the places of one town share one cached answer."""
    return _daylight(round(float(lat), 2), round(float(lon), 2), day)


@lru_cache(maxsize=4096)
def _daylight(lat: float, lon: float, day: date) -> tuple[time, time]:
    from astral import Observer
    from astral.sun import sun

    s = sun(Observer(latitude=lat, longitude=lon), day, tzinfo=VIETNAM_TZ)
    rise: datetime = s["sunrise"]
    set_: datetime = s["sunset"]
    return rise.time().replace(microsecond=0), set_.time().replace(microsecond=0)
