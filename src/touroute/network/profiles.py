"""Vehicle profiles: which roads a vehicle may use and how fast it travels on them in Vietnam.

The speeds are *typical travel speeds* in mixed Vietnamese traffic (motorbikes, trucks, villages strung along the
national roads), not the legal limits: a car on QL1 is allowed 80–90 km/h outside towns but averages far less.
They were set from the legal limits of Circular 38/2024/TT-BGTVT (in force 1 Jan 2025: outside built-up areas
cars ≤ 28 seats 90/80 km/h on divided/undivided roads, buses > 28 seats 80/70, motorcycles 70/60; built-up areas
60/50 for all) and common door-to-door timings (Huế → Hội An ≈ 130 km in 2.5–3 h by car). ``docs/network.md``
has the table and the reasoning. The table is part of the network cache key, so editing it rebuilds the caches.

Rules applied per edge and profile (all in :func:`edge_speed_kmh`):

* the profile's speed for the edge's road class; a class missing from the profile is forbidden (motorbikes are
  banned from expressways — ``motorway`` — by Vietnamese law; coaches do not fit alleys, living streets, tracks);
* a posted ``maxspeed`` caps that speed; on motorways (where traffic does flow near the limit, and limits vary
  from 80 to 120 km/h) the speed becomes 90 % of the posted limit instead;
* the profile's ``max_kmh`` (its legal top speed) caps everything;
* access tags, most specific first (e.g. ``motorcycle`` > ``motor_vehicle`` > ``vehicle`` > ``access`` for a
  motorbike): ``no``/``private``/… forbid the edge;
* ferries (``route=ferry``) use the way's ``duration`` tag when present, otherwise ``ferry_kmh``; each crossing
  adds ``ferry_wait_s`` (average wait for an unscheduled river ferry). Scheduled island boats are not OSM edges:
  they live in ``data/reference/ferries.csv`` (see :mod:`touroute.network.ferries`).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from .errors import UnknownProfileError

# Canonical road classes. Order matters: the index is the class code stored in the network cache.
# "alley" is highway=service + service=alley — Vietnam's hẻm / kiệt lanes, passable by motorbike, tight for cars.
ROAD_CLASSES: tuple[str, ...] = (
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
    "tertiary", "tertiary_link", "unclassified", "residential", "living_street", "service", "alley", "road",
    "track", "ferry",
)
CLASS_CODE: dict[str, int] = {c: i for i, c in enumerate(ROAD_CLASSES)}

# Access values that forbid a vehicle; anything else (yes, designated, permissive, destination, customers …) allows it.
DENY_VALUES: frozenset[str] = frozenset({"no", "private", "agricultural", "forestry", "emergency", "military",
                                         "use_sidepath", "discouraged_no"})

@dataclass(frozen=True)
class VehicleProfile:
    """How one kind of vehicle uses the road network."""

    name: str
    label_en: str
    label_vi: str
    speeds_kmh: Mapping[str, float]
    """Typical travel speed per road class; a class that is absent is forbidden for this vehicle."""
    max_kmh: float
    """Legal top speed of the vehicle class (caps every edge)."""
    estimate_kmh: float
    """Door-to-door average used for legs with no road network loaded (great-circle × circuity ÷ this speed)."""
    access_keys: tuple[str, ...]
    """OSM access keys from most to least specific; the first one present on a way decides."""
    ferry_kmh: float = 12.0
    ferry_wait_s: float = 900.0
    description: str = ""
    # --- what the planner needs of a vehicle besides roads (not part of the network cache key) ------------------
    seats: int = 4
    """Passengers it carries: picks the vehicle from a group size and counts vehicles for costs."""
    cost_per_km_vnd: float = 0.0
    """Default cost per km per vehicle, with driver and fuel — a planning assumption, not a quoted price (a request's
    ``costs.vehicle_per_km`` replaces it; docs/planner.md)."""
    driving_minutes: Mapping[str, int] | None = None
    """Default daily driving cap by pace (relaxed / normal / packed) when a request sets none: planning defaults,
    not law (a coach is further bound by the drivers' legal limits, touroute.model)."""


    def allows_class(self, road_class: str) -> bool:
        return road_class in self.speeds_kmh


ROUTING_FIELDS: tuple[str, ...] = ("name", "label_en", "label_vi", "speeds_kmh", "max_kmh", "estimate_kmh",
                                   "access_keys", "ferry_kmh", "ferry_wait_s", "description")
"""The fields a road network is built from (:func:`profiles_fingerprint`); seats, costs and driving caps are not."""


def _speeds(**kw: float | None) -> dict[str, float]:
    return {k: float(v) for k, v in kw.items() if v is not None}


# One row per road class: car, van (16 seats), coach (45 seats), motorbike. None = forbidden.
SPEED_TABLE: dict[str, tuple[float | None, float | None, float | None, float | None]] = {
    "motorway": (90, 85, 75, None),
    "motorway_link": (45, 45, 40, None),
    "trunk": (60, 55, 50, 45),
    "trunk_link": (40, 40, 35, 35),
    "primary": (50, 45, 40, 40),
    "primary_link": (35, 35, 30, 30),
    "secondary": (40, 38, 33, 35),
    "secondary_link": (30, 30, 25, 28),
    "tertiary": (35, 32, 28, 30),
    "tertiary_link": (25, 25, 20, 25),
    "unclassified": (30, 27, 22, 28),
    "residential": (22, 20, 15, 22),
    "living_street": (10, 10, None, 12),
    "service": (15, 12, 10, 15),
    "alley": (8, 6, None, 15),
    "road": (25, 22, 18, 25),
    "track": (15, 12, None, 15),
    "ferry": (12, 12, 12, 12),
}


def _column(i: int) -> dict[str, float]:
    return _speeds(**{c: row[i] for c, row in SPEED_TABLE.items()})


PROFILES: dict[str, VehicleProfile] = {
    "car": VehicleProfile(
        name="car", label_en="Car (4–7 seats)", label_vi="Ô tô con (4–7 chỗ)", speeds_kmh=_column(0), max_kmh=120,
        estimate_kmh=50, access_keys=("motorcar", "motor_vehicle", "vehicle", "access"),
        description="Private car or taxi.",
        seats=4, cost_per_km_vnd=12_000, driving_minutes={"relaxed": 300, "normal": 420, "packed": 540},
    ),
    "van": VehicleProfile(
        name="van", label_en="Van (16 seats)", label_vi="Xe 16 chỗ", speeds_kmh=_column(1), max_kmh=100,
        estimate_kmh=47, access_keys=("motorcar", "motor_vehicle", "vehicle", "access"),
        description="16-seat minibus (Ford Transit class): like a car, a little slower, avoids tight alleys.",
        seats=15, cost_per_km_vnd=16_000, driving_minutes={"relaxed": 300, "normal": 420, "packed": 540},
    ),
    "coach": VehicleProfile(
        name="coach", label_en="Coach (45 seats)", label_vi="Xe khách 45 chỗ", speeds_kmh=_column(2), max_kmh=90,
        estimate_kmh=42,
        access_keys=("tourist_bus", "coach", "bus", "motorcar", "motor_vehicle", "vehicle", "access"),
        description="45-seat tour coach: slower everywhere, no alleys, living streets or tracks.",
        seats=44, cost_per_km_vnd=28_000, driving_minutes={"relaxed": 330, "normal": 480, "packed": 600},
    ),
    "motorbike": VehicleProfile(
        name="motorbike", label_en="Motorbike", label_vi="Xe máy", speeds_kmh=_column(3), max_kmh=70,
        estimate_kmh=35, access_keys=("motorcycle", "motor_vehicle", "vehicle", "access"),
        description="Motorbike/scooter: banned from expressways (motorway), uses alleys.",
        seats=2, cost_per_km_vnd=2_000, driving_minutes={"relaxed": 180, "normal": 240, "packed": 300},
    ),
}
PROFILE_NAMES: tuple[str, ...] = tuple(PROFILES)
"""The vehicle names, in one place: CLI choices, the API's enum and the request model's ``Profile`` come from here."""

DEFAULT_PROFILE = "car"


def get_profile(name: str) -> VehicleProfile:
    """The profile called ``name`` (case-insensitive); a clear error lists the valid ones."""
    try:
        return PROFILES[name.strip().lower()]
    except (KeyError, AttributeError):
        raise UnknownProfileError(
            f"unknown vehicle profile {name!r}; choose one of: {', '.join(PROFILES)}"
        ) from None


def profiles_fingerprint() -> str:
    """Hash of every profile setting: part of the network cache key so a changed table triggers a rebuild."""
    blob = json.dumps({n: {k: v for k, v in asdict(p).items() if k in ROUTING_FIELDS} for n, p in PROFILES.items()},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


_NUM = re.compile(r"(\d+(?:\.\d+)?)\s*(mph|knots)?")


def parse_maxspeed(value: object) -> float:
    """Parse an OSM ``maxspeed`` value to km/h; NaN when absent or symbolic (``VN:urban``, ``none``, ``signals``).

    Multiple values (``50;40``, lists from merged ways) give the lowest, the safe choice for a travel-time estimate.
    """
    if value is None:
        return math.nan
    if isinstance(value, (list, tuple)):
        vals = [parse_maxspeed(v) for v in value]
        vals = [v for v in vals if not math.isnan(v)]
        return min(vals) if vals else math.nan
    text = str(value).strip().lower()
    if not text:
        return math.nan
    speeds = []
    for part in text.split(";"):
        m = _NUM.search(part)
        if not m:
            continue
        v = float(m.group(1))
        if m.group(2) == "mph":
            v *= 1.609344
        elif m.group(2) == "knots":
            v *= 1.852
        if v > 0:
            speeds.append(v)
    return min(speeds) if speeds else math.nan


def road_class(highway: object, service: object = None, route: object = None) -> str | None:
    """Canonical road class of a way, or None when it is not a drivable road (footway, path …)."""
    if route == "ferry" or highway == "ferry":
        return "ferry"
    if not isinstance(highway, str):
        return None
    if highway == "service" and service == "alley":
        return "alley"
    return highway if highway in CLASS_CODE else None


def is_allowed(profile: VehicleProfile, tags: Mapping[str, object]) -> bool:
    """True unless the most specific access tag present for this vehicle denies it."""
    for key in profile.access_keys:
        value = tags.get(key)
        if isinstance(value, str) and value:
            return value.split(";")[0].strip() not in DENY_VALUES
    return True


def edge_speed_kmh(profile: VehicleProfile, cls: str, maxspeed_kmh: float, tags: Mapping[str, object]) -> float:
    """Travel speed of ``profile`` on an edge (km/h); 0 when the vehicle may not use it."""
    base = profile.speeds_kmh.get(cls)
    if base is None or not is_allowed(profile, tags):
        return 0.0
    speed = base
    if not math.isnan(maxspeed_kmh):
        speed = 0.9 * maxspeed_kmh if cls == "motorway" else min(base, maxspeed_kmh)
    return float(min(speed, profile.max_kmh))


def parse_duration_s(value: object) -> float:
    """Parse an OSM ``duration`` (``HH:MM``, ``HH:MM:SS``, ``MM`` or ISO 8601 ``PT1H30M``) to seconds; NaN if unusable."""
    if not isinstance(value, str) or not value.strip():
        return math.nan
    text = value.strip().upper()
    iso = re.fullmatch(r"P?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", text)
    if iso and any(iso.groups()) and text.startswith("P"):
        h, m, s = (int(g) if g else 0 for g in iso.groups())
        return float(h * 3600 + m * 60 + s)
    parts = text.split(":")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        return math.nan
    if len(nums) == 1:
        return nums[0] * 60.0
    if len(nums) == 2:
        return nums[0] * 3600 + nums[1] * 60
    if len(nums) == 3:
        return nums[0] * 3600 + nums[1] * 60 + nums[2]
    return math.nan
