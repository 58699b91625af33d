"""One place of the catalogue: the CSV schema's columns and vocabularies (categories, subcategories, tags), the
typed :class:`Poi` record and its access (:class:`Access`), and what the planner asks of a place (is it a visit, an
access point, are its facts stale, when is it open).
"""

from __future__ import annotations

import math
import re
from datetime import date
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator

from .. import attractiveness as attr
from .. import provinces as prov

COLUMNS: tuple[str, ...] = (
    "id", "name_vi", "name_en", "category", "subcategory", "province_legacy", "province", "lat", "lon",
    "visit_minutes", "opening_hours", "hours_source", "hours_as_of", "closure_note", "closure_note_vi",
    "fee_vnd", "fee_domestic_vnd", "fee_source", "fee_as_of",
    "capacity", "capacity_banquet", "capacity_classroom", "seats_source", "seats_as_of",
    "popularity", "tags", "osm_id", "part_of", "source", "description_vi", "description_en",
)
"""The catalogue CSV header, in file order. Each dated fact (hours, fee, seats) carries its own source and as-of date,
because they are checked at different times from different pages (SCHEMA.md)."""


FACTS: dict[str, tuple[str, str, str]] = {
    "hours": ("opening_hours", "hours_source", "hours_as_of"),
    "fee": ("fee_vnd", "fee_source", "fee_as_of"),
    "seats": ("capacity", "seats_source", "seats_as_of"),
}
"""fact → (value field, source field, as-of field)."""


STALE_AFTER_YEARS = 3
"""A fact whose as-of date is older than this is flagged as stale wherever it is shown (SCHEMA.md, data truth)."""


CATEGORIES: tuple[str, ...] = ("heritage", "mice", "coastal", "lodging", "other")


# Planning default of typical visit minutes per subcategory (documented in SCHEMA.md); the subcategory list is
# derived from it so the two can never disagree.
DEFAULT_VISIT_MINUTES: dict[str, dict[str, int]] = {
    "heritage": {
        "citadel": 150, "royal_tomb": 75, "temple": 45, "pagoda": 40, "church": 30, "cham_tower": 60, "museum": 75,
        "ancient_town": 180, "war_history": 60, "craft_village": 60, "historic_house": 40, "monument": 30,
        "archaeological_site": 60, "cultural_landscape": 90, "cave": 120, "garden_house": 45, "market": 45,
    },
    "mice": {
        "convention_centre": 120, "exhibition_centre": 120, "hotel_conference": 120, "resort_conference": 120,
        "theatre": 120,
    },
    "coastal": {
        "beach": 120, "island": 300, "cape": 60, "bay": 90, "lagoon": 90, "pier": 30, "ferry_port": 30,
        "fishing_village": 45, "peninsula": 120, "sand_dune": 90, "coral_reef": 150, "lighthouse": 45,
    },
    "lodging": {"hub_town": 0},
    "other": {
        "nature_park": 180, "waterfall": 90, "mountain": 120, "theme_park": 300, "hot_spring": 120, "lake": 60,
        "viewpoint": 30, "eco_farm": 90,
    },
}


SUBCATEGORIES: dict[str, tuple[str, ...]] = {c: tuple(d) for c, d in DEFAULT_VISIT_MINUTES.items()}


TAGS: frozenset[str] = frozenset(
    """unesco unesco_tentative unesco_biosphere national_special_relic national_relic provincial_relic island ferry cham buddhist
    catholic caodai nguyen_dynasty war_history dmz craft_village ocop beach diving snorkelling surfing kitesurfing
    sunset cave national_park museum night family green resort convention hiking seafood boat_trip lagoon
    lighthouse fishing_village cable_car access_point""".split()
)


_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


_OSM_ID_RE = re.compile(r"^(node|way|relation)/[1-9][0-9]*$")


_AS_OF_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


UNDATED = "undated"
"""As-of value of a fact whose source shows no date: kept (with its source), and always flagged as possibly stale."""


_TAG_RE = re.compile(r"^[a-z0-9_]+$")


SAME_NAME_MIN_METRES = 50.0


def _check_hours(v: str | None) -> str | None:
    """``v`` when it is valid OSM opening_hours (or None); else the parser's first line as the error (shared by a
    place's hours and its access's)."""
    if v is None:
        return v
    try:
        _parse_opening_hours(v)
    except Exception as exc:  # the parser's own error type and message
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"not valid OSM opening_hours syntax: {first}") from None
    return v


def _parse_opening_hours(value: str):
    """Parse an OSM opening_hours string with the `opening-hours-py` library (never hand-rolled)."""
    import opening_hours  # imported lazily: compiled extension, only needed when hours are present

    return opening_hours.OpeningHours(value)


def _check_as_of(v: str | None) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, a real date, not in the future (shared by places and access)."""
    if v is None or v == UNDATED:
        return v
    if not _AS_OF_RE.match(v):
        raise ValueError(f"must be YYYY, YYYY-MM or YYYY-MM-DD (or {UNDATED!r} for a source that shows no date)")
    parts = [int(p) for p in v.split("-")] + [1, 1]
    try:
        day = date(parts[0], parts[1], parts[2])
    except ValueError as exc:
        raise ValueError(f"not a real date ({exc})") from None
    if not (1990 <= day.year <= date.today().year):
        raise ValueError("year out of range")
    return v


ACCESS_FILE = "access.csv"


ACCESS_COLUMNS: tuple[str, ...] = ("id", "mode", "minutes", "fee_vnd", "from", "from_vi", "from_lat", "from_lon", "hours",
                                   "source", "as_of", "note")


ACCESS_MODES: tuple[str, ...] = ("cable_car", "boat", "buggy", "shuttle")


class Access(BaseModel):
    """How a place reached only by cable car, boat, buggy or shuttle is reached (``data/poi/access.csv``).

    The planner adds ``minutes`` (round trip, typical waiting included) to the visit and ``fee_vnd`` to the costs:
    a visit to Bà Nà is the cable car plus the mountain, not the mountain alone. ``fee_vnd`` is what the access adds
    to the place's own ``fee_vnd`` (0 when the place's ticket already includes it), ``None`` when unknown.
    """

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True, populate_by_name=True,
                              serialize_by_alias=True)  # JSON says "from", as the CSV and the API schema do

    mode: Literal["cable_car", "boat", "buggy", "shuttle"]
    minutes: int = Field(ge=1, le=600)
    fee_vnd: int | None = Field(default=None, ge=0)
    from_: str = Field(alias="from", min_length=1)
    from_vi: str | None = Field(default=None, description="where it starts, in Vietnamese (shown in Vietnamese "
                                                          "output; None: the English ``from`` is shown)")
    from_lat: float | None = Field(default=None, ge=-90, le=90,
                                   description="where the road journey ends (the pier, station or car park); "
                                               "None: at the place's own coordinates")
    from_lon: float | None = Field(default=None, ge=-180, le=180)
    hours: str | None = Field(default=None, description="when the access runs, OSM opening_hours syntax: the visit, "
                                                        "boat or cable car included, lies inside it (first boat out "
                                                        "to last boat back)")
    source: str = Field(min_length=1)
    as_of: str | None = None
    note: str | None = None

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, v: str | None) -> str | None:
        return _check_as_of(v)

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: str | None) -> str | None:
        return _check_hours(v)

    @model_validator(mode="after")
    def _fee_dated(self) -> "Access":
        if self.fee_vnd is not None and self.as_of is None:
            raise _FieldError("as_of", None, "required when fee_vnd is given")
        if (self.from_lat is None) != (self.from_lon is None):
            field = "from_lon" if self.from_lon is None else "from_lat"
            raise _FieldError(field, None, "from_lat and from_lon are given together or not at all")
        if (self.hours or self.from_lat is not None) and self.as_of is None:
            raise _FieldError("as_of", None, "required when hours or a position are given")
        return self

    @property
    def road_end(self) -> tuple[float, float] | None:
        """Where driving stops and the cable car / boat begins, when it is not the place itself."""
        return (self.from_lat, self.from_lon) if self.from_lat is not None and self.from_lon is not None else None


class Poi(BaseModel):
    """One curated place. Optional facts are ``None`` when unknown — never guessed."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    id: str
    name_vi: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    category: Literal["heritage", "mice", "coastal", "lodging", "other"]
    subcategory: str
    province_legacy: str
    province: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    visit_minutes: int = Field(ge=0, le=720)
    opening_hours: str | None = None
    hours_source: str | None = None
    hours_as_of: str | None = None
    #: irregular or seasonal closures the hours cannot say (floods, storm season), as published
    closure_note: str | None = None
    closure_note_vi: str | None = None
    #: adult ticket of a foreign visitor, or the single price when there is one (SCHEMA.md, fees)
    fee_vnd: int | None = Field(default=None, ge=0)
    #: a different published price for Vietnamese visitors, else None
    fee_domestic_vnd: int | None = Field(default=None, ge=0)
    fee_source: str | None = None
    fee_as_of: str | None = None
    #: seats of the largest hall, theatre style (MICE); banquet and classroom where published
    capacity: int | None = Field(default=None, gt=0)
    capacity_banquet: int | None = Field(default=None, gt=0)
    capacity_classroom: int | None = Field(default=None, gt=0)
    seats_source: str | None = None
    seats_as_of: str | None = None
    popularity: int = Field(ge=1, le=10)
    #: 1–100 from recorded evidence (data/poi/evidence/attractiveness.csv, joined by the loader); a record built in
    #: code without one gets the value of its own status tags (:func:`touroute.attractiveness.status_only`).
    attractiveness: int = Field(default=0, ge=1, le=100)
    #: The evidence behind ``attractiveness`` before its cap of 100 (status + list + visitor points, for a place to
    #: visit); ``None`` without the computed file. Above 100 only where the evidence exceeds the scale (Hội An Ancient
    #: Town 128, the Imperial City 127, Phong Nha 107), which the planner's value keeps (SCHEMA.md).
    evidence_points: float | None = None
    tags: tuple[str, ...] = ()
    osm_id: str | None = None
    part_of: str | None = None
    source: str = Field(min_length=1)
    description_vi: str | None = None
    description_en: str | None = None
    access: Access | None = Field(default=None, description="cable car / boat / buggy the visit needs (access.csv)")

    @model_validator(mode="before")
    @classmethod
    def _default_attractiveness(cls, data: object) -> object:
        if isinstance(data, dict) and not data.get("attractiveness"):
            tags = data.get("tags") or ()
            if isinstance(tags, str):
                tags = [t.strip() for t in tags.split(";")]
            cap = data.get("capacity")
            data = {**data, "attractiveness": attr.status_only(
                tags, str(data.get("category") or ""), cap if isinstance(cap, int) else None, data.get("part_of"))}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def headline(self) -> bool:
        """The "must-see" tier: attractiveness ≥ 70 (SCHEMA.md, attractiveness rule)."""
        return self.attractiveness >= attr.HEADLINE

    @field_validator("id")
    @classmethod
    def _id_slug(cls, v: str) -> str:
        if not _ID_RE.match(v):
            raise ValueError("must be a lowercase ascii slug like 'hue-imperial-city'")
        return v

    @field_validator("tags", mode="before")
    @classmethod
    def _split_tags(cls, v: object) -> object:
        if v is None:
            return ()
        if isinstance(v, str):
            return tuple(t.strip() for t in v.split(";") if t.strip())
        return v

    @field_validator("tags")
    @classmethod
    def _known_tags(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in v if t not in TAGS]
        if unknown:
            raise ValueError(f"unknown tag(s) {', '.join(unknown)}; allowed tags are listed in data/poi/SCHEMA.md")
        return v

    @field_validator("osm_id")
    @classmethod
    def _osm_id(cls, v: str | None) -> str | None:  # noqa: D401
        if v is not None and not _OSM_ID_RE.match(v):
            raise ValueError("must look like node/123, way/123 or relation/123")
        return v

    @field_validator("fee_as_of", "hours_as_of", "seats_as_of")
    @classmethod
    def _as_of(cls, v: str | None) -> str | None:
        return _check_as_of(v)

    @field_validator("opening_hours")
    @classmethod
    def _opening_hours(cls, v: str | None) -> str | None:
        return _check_hours(v)

    @model_validator(mode="after")
    def _cross_field(self) -> "Poi":
        subs = SUBCATEGORIES[self.category]
        if self.subcategory not in subs:
            raise _FieldError("subcategory", self.subcategory,
                              f"not a subcategory of {self.category}; allowed: {', '.join(subs)}")
        try:
            p = prov.by_legacy(self.province_legacy)
        except prov.UnknownProvinceError as exc:
            raise _FieldError("province_legacy", self.province_legacy, str(exc)) from None
        if p.legacy != self.province_legacy:
            raise _FieldError("province_legacy", self.province_legacy, f"write the official name {p.legacy!r}")
        if self.province != p.since_2025:
            raise _FieldError("province", self.province,
                              f"{p.legacy} belongs to {p.since_2025} since 1 July 2025")
        if not p.contains(self.lat, self.lon):
            raise _FieldError("lat", f"{self.lat},{self.lon}",
                              f"coordinates lie outside {p.legacy}'s bounds {p.bbox} (min_lat, min_lon, max_lat, max_lon)")
        if not self.id.startswith(p.code + "-"):
            raise _FieldError("id", self.id, f"ids of {p.legacy} start with '{p.code}-'")
        for seats_f in ("capacity", "capacity_banquet", "capacity_classroom"):
            if getattr(self, seats_f) is not None and self.category not in ("mice", "lodging"):
                raise _FieldError(seats_f, getattr(self, seats_f), "only MICE venues carry a seat capacity")
        for fact, (value_f, source_f, as_of_f) in FACTS.items():
            has_value = getattr(self, value_f) is not None
            if fact == "fee":
                has_value = has_value or self.fee_domestic_vnd is not None
            if fact == "seats":
                has_value = has_value or self.capacity_banquet is not None or self.capacity_classroom is not None
            if has_value:
                for need in (source_f, as_of_f):
                    if getattr(self, need) is None:
                        raise _FieldError(need, None, f"required when the {fact} ({value_f}) is given")
            elif getattr(self, source_f) is not None or getattr(self, as_of_f) is not None:
                raise _FieldError(source_f, getattr(self, source_f),
                                  f"a {fact} source or date without the {fact} itself; leave both empty when unknown")
        if self.fee_domestic_vnd is not None and self.fee_vnd is None:
            raise _FieldError("fee_vnd", None, "required when fee_domestic_vnd is given (the foreign or single price)")
        if self.category != "lodging" and self.visit_minutes < 10:
            raise _FieldError("visit_minutes", self.visit_minutes, "must be at least 10 for a place to visit")
        return self

    @property
    def road_point(self) -> tuple[float, float]:
        """Where a plan drives to for this place: the pier or cable-car station of its access (``access.csv``
        ``from_lat`` / ``from_lon``) when it has one there, else the place itself — nobody drives to Đảo Bé or to
        the Hòn Mun reef; the boat from the pier is part of the visit."""
        end = self.access.road_end if self.access is not None else None
        return end if end is not None else (self.lat, self.lon)

    # --- dated facts ---------------------------------------------------------------------------------
    def fact_as_of(self, fact: str) -> str | None:
        """As-of date of ``fact`` (``hours``, ``fee`` or ``seats``), None when the fact is unknown."""
        return getattr(self, FACTS[fact][2])

    def stale_facts(self, today: date | None = None) -> list[str]:
        """The known facts whose as-of date is more than :data:`STALE_AFTER_YEARS` years before ``today``."""
        return [f for f in FACTS if is_stale(self.fact_as_of(f), today)]

    # --- convenience used by the planner -------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.name_en

    def label(self, lang: str = "en") -> str:
        return self.name_vi if lang == "vi" else self.name_en

    def opening_intervals(self, day: date) -> list[tuple[int, int]] | None:
        """Open intervals on ``day`` in minutes since midnight, or ``None`` when hours are unknown."""
        if not self.opening_hours:
            return None
        return open_intervals(self.opening_hours, day)


ACCESS_SUBCATEGORIES = frozenset({"pier", "ferry_port"})


ACCESS_TAG = "access_point"


def is_access_point(poi: "Poi") -> bool:
    """Piers, ports, ticket booths, cable-car stations: where a visit starts, never a sight (SCHEMA.md)."""
    return poi.subcategory in ACCESS_SUBCATEGORIES or ACCESS_TAG in poi.tags


OUTDOOR_SUBCATEGORIES: frozenset[str] = frozenset({
    "bay", "beach", "cape", "coral_reef", "fishing_village", "island", "lagoon", "lighthouse", "peninsula",
    "sand_dune", "lake", "mountain", "nature_park", "viewpoint", "waterfall", "eco_farm",
    # open-air heritage: ramparts, ruins, towers, tombs, monuments, battlefields — unlit once the sun is down
    "citadel", "archaeological_site", "monument", "cultural_landscape", "cham_tower", "royal_tomb", "war_history"})
"""Kinds of place seen outdoors, by daylight: without published hours (or open "24/7") they are planned between
sunrise and sunset (:func:`daylight_only`) — not a beach from 16:09 to 18:19 in December, when the sun sets at 17:17,
nor (a later review) the Châu Sa earthen citadel until 17:50 or the Hổ Quyền arena until 18:19 with the sun down at
17:12. Museums, temples, pagodas, churches, markets and houses keep the assumed day window: they are indoors or lit,
and their own hours, where published, say when they close."""


def daylight_only(poi: "Poi") -> bool:
    """An outdoor place (:data:`OUTDOOR_SUBCATEGORIES`) whose hours nobody publishes or which never closes: the
    planner keeps its visit between sunrise and sunset. Published hours (a nature park's gate) are the place's own
    and stay as they are."""
    hours = (poi.opening_hours or "").strip()
    return poi.subcategory in OUTDOOR_SUBCATEGORIES and hours in ("", "24/7")


def is_visit(poi: "Poi") -> bool:
    """A place people go to see (heritage, coastal, other) — not a MICE venue, a lodging hub or an access point."""
    return poi.category in ("heritage", "coastal", "other") and not is_access_point(poi)


def known_seats(poi: "Poi") -> int | None:
    """The largest published seat count of a venue in any layout (theatre, banquet, classroom), None when none is
    published: what the planner compares with the group size."""
    known = [n for n in (poi.capacity, poi.capacity_banquet, poi.capacity_classroom) if n is not None]
    return max(known) if known else None


def is_stale(as_of: str | None, today: date | None = None) -> bool:
    """``as_of`` (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) lies more than :data:`STALE_AFTER_YEARS` years before
    ``today``. A bare year counts from its last day, a month from its last day: a fact is stale only when even the
    most generous reading of its date is too old."""
    if not as_of:
        return False
    if as_of == UNDATED:
        return True
    today = today or date.today()
    parts = [int(p) for p in as_of.split("-")]
    year, month = parts[0], (parts[1] if len(parts) > 1 else 12)
    day = parts[2] if len(parts) > 2 else 28
    try:
        limit = today.replace(year=today.year - STALE_AFTER_YEARS)
    except ValueError:  # 29 February
        limit = today.replace(year=today.year - STALE_AFTER_YEARS, day=28)
    return date(year, month, day) < limit


class _FieldError(ValueError):
    """Raised inside cross-field validation to point at the offending field."""

    def __init__(self, field: str, value: object, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.message = message


@lru_cache(maxsize=4096)
def open_intervals(opening_hours: str, day: date) -> list[tuple[int, int]]:
    """Intervals (start, end) in minutes since midnight during which ``opening_hours`` is open on ``day``.

    Uses the library's own evaluation, so weekday rules, public-holiday-free rules and "off" days come out right.
    """
    from datetime import datetime, timedelta

    from opening_hours import State

    oh = _parse_opening_hours(opening_hours)
    start = datetime(day.year, day.month, day.day)
    end = start + timedelta(days=1)
    out: list[tuple[int, int]] = []
    for a, b, state, _comment in oh.intervals(start, end):
        if state == State.OPEN:
            s = max(0, int((a - start).total_seconds() // 60))
            e = min(1440, int(math.ceil((b - start).total_seconds() / 60)))
            if e > s:
                out.append((s, e))
    return out
