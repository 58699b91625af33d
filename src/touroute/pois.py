"""POI catalogue: load, validate and filter the curated places of the region.

The catalogue is hand-reviewed CSV in ``data/poi/`` (schema in ``data/poi/SCHEMA.md``). Loading validates every
row against the schema and the province reference table and reports *all* problems with file, line, field and
value, because a curator fixing a 350-row file wants the whole list at once, not one error per run.
The result is a :class:`Catalogue`: a pandas DataFrame for fast filtering plus typed :class:`Poi` records for the
rest of the pipeline.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field, field_validator, model_validator

from . import attractiveness as attr
from . import provinces as prov
from .errors import DataError, Problem
from .settings import setting
from .geo import haversine_m  # noqa: F401 — re-exported (catalogue users measure distances with it)
from .resources import data_dir

COLUMNS: tuple[str, ...] = (
    "id", "name_vi", "name_en", "category", "subcategory", "province_legacy", "province", "lat", "lon",
    "visit_minutes", "opening_hours", "hours_source", "hours_as_of", "closure_note",
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
ACCESS_COLUMNS: tuple[str, ...] = ("id", "mode", "minutes", "fee_vnd", "from", "source", "as_of", "note")
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
    source: str = Field(min_length=1)
    as_of: str | None = None
    note: str | None = None

    @field_validator("as_of")
    @classmethod
    def _as_of(cls, v: str | None) -> str | None:
        return _check_as_of(v)

    @model_validator(mode="after")
    def _fee_dated(self) -> "Access":
        if self.fee_vnd is not None and self.as_of is None:
            raise _FieldError("as_of", None, "required when fee_vnd is given")
        return self


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
        if v is None:
            return v
        try:
            _parse_opening_hours(v)
        except Exception as exc:  # the parser's own error type and message
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ValueError(f"not valid OSM opening_hours syntax: {first}") from None
        return v

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


# ---------------------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------------------
_INT_FIELDS = ("visit_minutes", "fee_vnd", "fee_domestic_vnd", "capacity", "capacity_banquet", "capacity_classroom",
               "popularity")
REQUIRED: tuple[str, ...] = ("id", "name_vi", "name_en", "category", "subcategory", "province_legacy", "province",
                             "lat", "lon", "visit_minutes", "popularity", "source")
_FLOAT_FIELDS = ("lat", "lon")


CATALOGUE_DIR_ENV = "TOUROUTE_CATALOGUE_DIR"


def catalogue_dir() -> Path:
    """Where the catalogue CSVs live: ``$TOUROUTE_CATALOGUE_DIR`` when set (a curated or regional variant),
    else the bundled data/poi/."""
    from_env = setting(CATALOGUE_DIR_ENV)
    return from_env if from_env is not None else data_dir("poi")


def default_paths() -> list[Path]:
    """The catalogue files (every CSV in :func:`catalogue_dir`)."""
    return sorted(catalogue_dir().glob("*.csv"))


def _coerce(row: dict[str, str], fname: str, line: int, problems: list[Problem]) -> dict[str, object] | None:
    """Turn CSV strings into typed values; empty cells become None (unknown)."""
    out: dict[str, object] = {}
    ok = True
    for key in COLUMNS:
        raw = row.get(key)
        raw = raw.strip() if isinstance(raw, str) else raw
        if raw in (None, ""):
            if key in REQUIRED:
                problems.append(Problem(fname, line, key, None, "required field is empty"))
                ok = False
            out[key] = None
            continue
        if key in _INT_FIELDS:
            try:
                num = float(raw.replace("_", ""))
                if not num.is_integer():
                    raise ValueError
                out[key] = int(num)
            except ValueError:
                problems.append(Problem(fname, line, key, raw, "must be a whole number"))
                ok = False
        elif key in _FLOAT_FIELDS:
            try:
                val = float(raw)
                if not math.isfinite(val):
                    raise ValueError
                out[key] = val
            except ValueError:
                problems.append(Problem(fname, line, key, raw, "must be a decimal number"))
                ok = False
        else:
            out[key] = raw
    return out if ok else None


def _validate_file(path: Path, problems: list[Problem]) -> list[tuple[Poi, str, int]]:
    fname = str(path)
    records: list[tuple[Poi, str, int]] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(fname, None, None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return records
    except OSError as exc:
        problems.append(Problem(fname, None, None, None, f"cannot read file: {exc.strerror}"))
        return records
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    if missing or extra:
        msg = []
        if missing:
            msg.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            msg.append(f"unknown column(s) {', '.join(map(str, extra))}")
        problems.append(Problem(fname, 1, None, None, "; ".join(msg) + " — see data/poi/SCHEMA.md"))
        return records
    line = 1
    for row in reader:
        start = line + 1
        line = reader.line_num
        if None in row:  # more cells than header columns
            problems.append(Problem(fname, start, None, row[None], f"{len(header) + len(row[None])} cells, header has {len(header)}"))
            continue
        if all((v or "").strip() == "" for v in row.values()):
            continue
        typed = _coerce(row, fname, start, problems)
        if typed is None:
            continue
        try:
            poi = Poi(**typed)
        except ValidationError as exc:
            for err in exc.errors():
                ctx_err = (err.get("ctx") or {}).get("error")
                if isinstance(ctx_err, _FieldError):
                    problems.append(Problem(fname, start, ctx_err.field, ctx_err.value, ctx_err.message))
                    continue
                field = str(err["loc"][0]) if err.get("loc") else None
                value = typed.get(field) if field else None
                msg = err["msg"].removeprefix("Value error, ")
                problems.append(Problem(fname, start, field, value, msg))
            continue
        records.append((poi, fname, start))
    return records


def _fold_name(name: str) -> str:
    return prov.fold(name)


def _check_duplicates(records: list[tuple[Poi, str, int]], problems: list[Problem]) -> None:
    seen: dict[str, tuple[str, int]] = {}
    for poi, fname, line in records:
        if poi.id in seen:
            f0, l0 = seen[poi.id]
            problems.append(Problem(fname, line, "id", poi.id, f"duplicate id (first defined in {f0}, line {l0})"))
        else:
            seen[poi.id] = (fname, line)
    by_name: dict[str, list[tuple[Poi, str, int]]] = {}
    for rec in records:
        for key in {_fold_name(rec[0].name_vi), _fold_name(rec[0].name_en)}:
            by_name.setdefault(key, []).append(rec)
    reported: set[tuple[str, str]] = set()
    for group in by_name.values():
        for i, (a, fa, la) in enumerate(group):
            for b, fb, lb in group[i + 1:]:
                if a.id == b.id or (a.id, b.id) in reported:
                    continue
                d = haversine_m(a.lat, a.lon, b.lat, b.lon)
                if d < SAME_NAME_MIN_METRES:
                    reported.add((a.id, b.id))
                    problems.append(Problem(fb, lb, "lat", f"{b.lat},{b.lon}",
                                            f"'{b.id}' has the same name as '{a.id}' ({fa}, line {la}) and lies only "
                                            f"{d:.0f} m from it — a duplicate place"))


PART_OF_MAX_METRES = 2000.0
PART_OF_ACCESS_MAX_METRES = 10_000.0
PART_OF_ACCESS_TAGS = frozenset({"cable_car", "boat"})
"""A component tagged ``cable_car`` or ``boat`` may lie up to :data:`PART_OF_ACCESS_MAX_METRES` from its whole: the
Bà Nà summit (Golden Bridge, Linh Ứng pagoda) is 5 km from the lower station where the place's record stands, and the
visit of the whole — its cable car included (``access.csv``) — is how one gets there."""


def _check_part_of(records: list[tuple[Poi, str, int]], problems: list[Problem]) -> None:
    """``part_of`` names an existing place of the same province, close by (or up the cable car / boat ride of a
    component so tagged), that is not itself a part."""
    by_id = {r[0].id: r[0] for r in records}
    for poi, fname, line in records:
        if poi.part_of is None:
            continue
        parent = by_id.get(poi.part_of)
        if parent is None or parent.id == poi.id:
            problems.append(Problem(fname, line, "part_of", poi.part_of, "must be the id of another catalogue place"))
        elif parent.part_of is not None:
            problems.append(Problem(fname, line, "part_of", poi.part_of, "the parent is itself part of another place"))
        elif parent.province_legacy != poi.province_legacy:
            problems.append(Problem(fname, line, "part_of", poi.part_of, "the parent lies in another province"))
        else:
            ride = bool(PART_OF_ACCESS_TAGS & set(poi.tags))
            limit = PART_OF_ACCESS_MAX_METRES if ride else PART_OF_MAX_METRES
            if haversine_m(poi.lat, poi.lon, parent.lat, parent.lon) > limit:
                problems.append(Problem(fname, line, "part_of", poi.part_of,
                                        f"the parent is more than {limit:.0f} m away"
                                        + ("" if ride else f" ({PART_OF_ACCESS_MAX_METRES:.0f} m for a component "
                                                           f"tagged cable_car or boat)")))


def _validate_access(path: Path, known: set[str], problems: list[Problem]) -> dict[str, Access]:
    """Read ``access.csv``: one row per place reached only by cable car / boat / buggy / shuttle.

    Every bad row is reported with file, line, field and value like the catalogue rows, and left out.
    """
    fname = str(path)
    out: dict[str, Access] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(fname, None, None, None, f"cannot read access file: {exc}"))
        return out
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    missing = [c for c in ACCESS_COLUMNS if c not in header]
    extra = [c for c in header if c not in ACCESS_COLUMNS]
    if missing or extra:
        msg = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + \
              ([f"unknown column(s) {', '.join(map(str, extra))}"] if extra else [])
        problems.append(Problem(fname, 1, None, None, "; ".join(msg) + " — see data/poi/SCHEMA.md (access)"))
        return out
    seen: dict[str, int] = {}
    line = 1
    for row in reader:
        start = line + 1
        line = reader.line_num
        if None in row:
            problems.append(Problem(fname, start, None, row[None], f"more cells than the {len(header)} columns"))
            continue
        cells = {k: (v or "").strip() for k, v in row.items()}
        if not any(cells.values()):
            continue
        pid = cells["id"]
        if pid not in known:
            problems.append(Problem(fname, start, "id", pid or None, "not the id of a catalogue place"))
            continue
        if pid in seen:
            problems.append(Problem(fname, start, "id", pid, f"second access row for this place (first on line "
                                                              f"{seen[pid]})"))
            continue
        seen[pid] = start
        typed: dict[str, object] = {}
        ok = True
        for key in ACCESS_COLUMNS[1:]:
            raw = cells[key]
            if raw == "":
                typed[key] = None
            elif key in ("minutes", "fee_vnd"):
                try:
                    typed[key] = int(raw.replace("_", ""))
                except ValueError:
                    problems.append(Problem(fname, start, key, raw, "must be a whole number"))
                    ok = False
            else:
                typed[key] = raw
        if not ok:
            continue
        try:
            out[pid] = Access(**{k: v for k, v in typed.items() if v is not None})
        except ValidationError as exc:
            for err in exc.errors():
                ctx_err = (err.get("ctx") or {}).get("error")
                if isinstance(ctx_err, _FieldError):
                    problems.append(Problem(fname, start, ctx_err.field, ctx_err.value, ctx_err.message))
                    continue
                field = str(err["loc"][0]) if err.get("loc") else None
                field = "from" if field == "from_" else field
                msg = err["msg"].removeprefix("Value error, ")
                if err["type"] == "missing":
                    msg = "required field is empty"
                problems.append(Problem(fname, start, field, typed.get(field or ""), msg))
    return out


def validate_files(paths: Sequence[Path | str]) -> tuple[list[Poi], list[Problem]]:
    """Validate catalogue files; returns the valid records and every problem found (never raises for bad rows).

    A file named ``access.csv`` among ``paths`` is the access table (cable car / boat to a place), not places: its
    rows are checked against the places and attached as :attr:`Poi.access`.
    """
    problems: list[Problem] = []
    records: list[tuple[Poi, str, int]] = []
    access_files = [Path(p) for p in paths if Path(p).name == ACCESS_FILE]
    for p in paths:
        if Path(p).name != ACCESS_FILE:
            records.extend(_validate_file(Path(p), problems))
    _check_duplicates(records, problems)
    _check_part_of(records, problems)
    bad_ids = {p.value for p in problems if p.field == "id" and "duplicate id" in p.message}
    good = [r[0] for r in records if r[0].id not in bad_ids]
    access: dict[str, Access] = {}
    for f in access_files:
        access.update(_validate_access(f, {p.id for p in good}, problems))
    good = [p.model_copy(update={"access": access[p.id]}) if p.id in access else p for p in good]
    return good, problems


ATTRACTIVENESS_FILE = "attractiveness.csv"


def attractiveness_file(files: Sequence[Path]) -> tuple[Path, bool]:
    """The computed attractiveness file for these catalogue files and whether it is authoritative.

    A catalogue folder with an ``evidence/attractiveness.csv`` (the bundled data/poi/ has one) owns its values: every
    id must have a row. Files elsewhere (a test's or a curator's ad-hoc catalogue) borrow the bundled file for the ids
    it knows; the others get the value of their own status tags.
    """
    parents = {Path(f).resolve().parent for f in files}
    if len(parents) == 1:
        own = attr.evidence_dir(next(iter(parents))) / ATTRACTIVENESS_FILE
        if own.exists():
            return own, True
    return attr.evidence_dir(data_dir("poi")) / ATTRACTIVENESS_FILE, False


def join_attractiveness(records: Sequence[Poi], files: Sequence[Path], problems: list[Problem]) -> list[Poi]:
    """``Poi.attractiveness`` from the computed file (see :func:`attractiveness_file`); a place without a row in an
    authoritative file is a Problem naming the file, the id and the fix, and keeps its status-tag value meanwhile."""
    path, authoritative = attractiveness_file(files)
    values: dict[str, int] = {}
    if path.exists():
        values, bad = attr.read_values(path)
        for line, pid, msg in bad:
            problems.append(Problem(str(path), line, "attractiveness", pid, msg))
    out: list[Poi] = []
    for p in records:
        v = values.get(p.id)
        if v is None:
            if authoritative:
                problems.append(Problem(str(path), None, "id", p.id,
                                        "no attractiveness row for this place — run scripts/attractiveness.py and "
                                        "commit data/poi/evidence/attractiveness.csv"))
            out.append(p)
        else:
            out.append(p.model_copy(update={"attractiveness": v}))
    return out


def load_catalogue(paths: Sequence[Path | str] | None = None, *, strict: bool = True) -> "Catalogue":
    """Load and validate the catalogue.

    ``strict=True`` (the default) raises :class:`DataError` listing every problem; ``strict=False`` keeps the valid
    rows and exposes the problems on ``Catalogue.problems`` — what a long-running server wants, so one bad row never
    takes the whole catalogue down.
    """
    files = [Path(p) for p in (paths if paths is not None else default_paths())]
    if not files:
        raise DataError([Problem(str(catalogue_dir()), None, None, None, "no catalogue CSV files found")])
    records, problems = validate_files(files)
    records = join_attractiveness(records, files, problems)
    if problems and strict:
        raise DataError(problems, f"catalogue has {len(problems)} problem(s)")
    return Catalogue(records, files=files, problems=problems)


def _fingerprint(files: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


class Catalogue:
    """The validated places: a DataFrame (index ``id``) for filtering, typed ``Poi`` records for planning.

    Filters return a new Catalogue, so they chain: ``cat.filter(category="heritage").filter(province="Quang Nam")``.
    """

    def __init__(self, records: Sequence[Poi], *, files: Sequence[Path] = (), problems: Sequence[Problem] = (),
                 fingerprint: str | None = None) -> None:
        self.records: dict[str, Poi] = {p.id: p for p in records}
        self.files = list(files)
        self.problems = list(problems)
        self.fingerprint = fingerprint or (_fingerprint(self.files) if self.files else
                                           hashlib.sha256("|".join(sorted(self.records)).encode()).hexdigest()[:16])
        rows = []
        for p in records:
            d = p.model_dump()
            d["tags"] = ";".join(p.tags)
            rows.append(d)
        df = pd.DataFrame(rows, columns=[*COLUMNS, "attractiveness"])
        for col in ("visit_minutes", "popularity", "attractiveness"):
            df[col] = df[col].astype("int64")
        for col in ("fee_vnd", "fee_domestic_vnd", "capacity", "capacity_banquet", "capacity_classroom"):
            df[col] = df[col].astype("Int64")
        self.df = df.set_index("id", drop=False)
        self.df.index.name = None

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self):
        return iter(self.records.values())

    def __contains__(self, pid: object) -> bool:
        return pid in self.records

    def get(self, pid: str) -> Poi:
        """The place with id ``pid``; KeyError names close matches."""
        try:
            return self.records[pid]
        except KeyError:
            close = self.search(pid.replace("-", " "), limit=3)
            hint = f"; did you mean {', '.join(close.records)}?" if len(close) else ""
            raise KeyError(f"no place with id {pid!r} in the catalogue{hint}") from None

    def _subset(self, ids: Iterable[str]) -> "Catalogue":
        keep = [self.records[i] for i in ids]
        return Catalogue(keep, files=self.files, problems=self.problems, fingerprint=self.fingerprint)

    def filter(
        self,
        *,
        category: str | Sequence[str] | None = None,
        province: str | Sequence[str] | None = None,
        province_era: Literal["auto", "legacy", "2025"] = "auto",
        tags: str | Sequence[str] | None = None,
        all_tags: bool = False,
        bbox: tuple[float, float, float, float] | None = None,
        text: str | None = None,
        min_popularity: int | None = None,
        min_attractiveness: int | None = None,
    ) -> "Catalogue":
        """Places matching every given criterion.

        ``province`` accepts legacy or 2025 names with or without diacritics ("Quang Nam", "Gia Lai");
        ``bbox`` is (min_lat, min_lon, max_lat, max_lon); ``tags`` matches any tag unless ``all_tags``.
        Unknown category / province / tag names raise ValueError instead of silently matching nothing.
        """
        df = self.df
        mask = pd.Series(True, index=df.index)
        if category:
            cats = [category] if isinstance(category, str) else list(category)
            bad = [c for c in cats if c not in CATEGORIES]
            if bad:
                raise ValueError(f"unknown category {', '.join(bad)}; choose from {', '.join(CATEGORIES)}")
            mask &= df["category"].isin(cats)
        if province:
            names = [province] if isinstance(province, str) else list(province)
            legacy: set[str] = set()
            for n in names:
                legacy |= {p.legacy for p in prov.resolve(n, era=province_era)}
            mask &= df["province_legacy"].isin(legacy)
        if tags:
            wanted = [tags] if isinstance(tags, str) else list(tags)
            bad = [t for t in wanted if t not in TAGS]
            if bad:
                raise ValueError(f"unknown tag {', '.join(bad)}; see data/poi/SCHEMA.md")
            sets = df["tags"].map(lambda s: set(s.split(";")) if s else set())
            if all_tags:
                mask &= sets.map(lambda s: set(wanted) <= s)
            else:
                mask &= sets.map(lambda s: bool(s & set(wanted)))
        if bbox:
            min_lat, min_lon, max_lat, max_lon = bbox
            if min_lat > max_lat or min_lon > max_lon:
                raise ValueError("bbox must be min_lat,min_lon,max_lat,max_lon")
            mask &= df["lat"].between(min_lat, max_lat) & df["lon"].between(min_lon, max_lon)
        if min_popularity is not None:
            mask &= df["popularity"] >= min_popularity
        if min_attractiveness is not None:
            mask &= df["attractiveness"] >= min_attractiveness
        ids = list(df.index[mask])
        sub = self._subset(ids)
        return sub.search(text) if text else sub

    def search(self, text: str, limit: int | None = None) -> "Catalogue":
        """Places whose names, id or description contain every word of ``text`` (diacritics ignored).

        Ranked: exact name match, then name match, then attractiveness — what an autocomplete box needs.
        """
        words = prov.fold(text).split()
        if not words:
            return self._subset(list(self.records)[: limit or None])
        scored = []
        for p in self.records.values():
            names = prov.fold(f"{p.name_vi} {p.name_en}")
            hay = f"{names} {prov.fold(p.id)} {prov.fold(p.description_en or '')} {prov.fold(p.description_vi or '')}"
            if all(w in hay for w in words):
                q = " ".join(words)
                rank = 0 if q in (prov.fold(p.name_vi), prov.fold(p.name_en)) else 1 if q in names else 2
                scored.append((rank, -p.attractiveness, p.id))
        scored.sort()
        ids = [s[2] for s in scored][: limit or None]
        return self._subset(ids)

    def hubs(self) -> "Catalogue":
        """Overnight hubs (towns with hotels) usable as a day's start and end."""
        return self.filter(category="lodging")

    def counts(self) -> pd.DataFrame:
        """Places per legacy province × category (with totals) — the coverage table of `pois validate`."""
        tab = pd.crosstab(self.df["province_legacy"], self.df["category"], margins=True, margins_name="total")
        order = [p for p in prov.legacy_names() if p in tab.index] + ["total"]
        cols = [c for c in CATEGORIES if c in tab.columns] + ["total"]
        return tab.loc[order, cols]


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The bundled catalogue, loaded once per process (strict: the shipped data must be valid)."""
    return load_catalogue()
