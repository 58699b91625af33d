"""The planning request: everything a traveller, a tourism department or a fair organiser can ask for.

A :class:`PlanRequest` is validated once, at the boundary (CLI, web form, REST API), with errors that name the
field (``days: must be ≤ 14``). The planner (`touroute.planner`) turns it into a solver problem; nothing downstream
re-validates user input.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import provinces as prov
from .geo import VIETNAM_BBOX, in_vietnam, parse_latlon
from .network.profiles import PROFILES

Category = Literal["heritage", "mice", "coastal", "lodging", "other"]
Profile = Literal["car", "van", "coach", "motorbike"]
"""The vehicle names of :data:`touroute.network.profiles.PROFILE_NAMES` (spelled out for type checkers; a test keeps
them equal)."""
Pace = Literal["relaxed", "normal", "packed"]
PACE_ALIASES = {"intense": "packed"}
"""Older names of a pace, still accepted in requests (saved plans and scripts use them)."""

# How pace scales the typical visit duration, and why: a relaxed traveller lingers, a fair delegation is on a clock.
PACE_VISIT_FACTOR: dict[str, float] = {"relaxed": 1.3, "normal": 1.0, "packed": 0.75}
# Minutes added to every stop for parking, tickets and walking to the gate — without it a plan strings together
# a dozen 30-minute stops a day, which no group actually manages.
PACE_STOP_OVERHEAD_MIN: dict[str, float] = {"relaxed": 20, "normal": 10, "packed": 5}

# Sights a day holds at each pace, in sight units (a visit of up to 2 h is one unit, up to 4 h two, longer three —
# the Imperial City or Mỹ Sơn count as two, Bà Nà Hills or an island day trip as three). Published tour programmes
# of the region do 3–4 sights a day (issue 12); the caps are the upper ends of the ranges a tour designer means by
# relaxed 3–4, normal 4–6 and packed 6–8 sights a day.
PACE_SIGHTS_PER_DAY: dict[str, int] = {"relaxed": 4, "normal": 6, "packed": 8}
SIGHT_UNIT_MINUTES: tuple[int, ...] = (120, 240)
"""A visit longer than the k-th bound counts k + 1 sight units."""

# Default daily driving cap (minutes) by pace and vehicle when the request sets none. Planning defaults, not law:
# a relaxed traveller wants short drives, a coach tour accepts long transfer days. Coaches are further bound by the
# drivers' legal limits below, which a request cannot exceed.
DEFAULT_DRIVING_MINUTES: dict[str, dict[str, int]] = {
    pace: {name: int(p.driving_minutes[pace]) for name, p in PROFILES.items()} for pace in ("relaxed", "normal", "packed")}
"""Pace → vehicle → minutes, from each :class:`~touroute.network.profiles.VehicleProfile` (the one definition)."""
# Vietnam's road traffic law: a driver works at most 10 h a day and drives at most 4 h without a break (Luật Giao
# thông đường bộ 23/2008/QH12, Art. 65, as quoted by http://htx9.vn/tin-tuc/cac-tai-xe-luu-y-luat-so-23-2008-qh12-
# dieu-65-quy-dinh-tai-xe-khong-duoc-lai-xe-qua-10h-1-ngay-va-lien-tuc-qua-4h--20.html, read 2026-12-04; the 2024
# Law on Road Traffic Order and Safety keeps both limits for commercial drivers).
COACH_MAX_DRIVING_MINUTES = 600
COACH_MAX_CONTINUOUS_MINUTES = 240
DRIVER_REST_MINUTES = 15
"""Rest added to a coach leg for every 4 h of continuous driving. A planning default: the law sets the 4 h, the
length of the rest is our assumption."""
MOTORBIKE_MAX_CONTINUOUS_MINUTES = 120
RIDER_REST_MINUTES = 15
"""Rest added to a motorbike leg for every 2 h of riding: rider-training guidance, "take a break at least every two
hours" (https://newyorkcitymotorcycle.examzify.com/question/when-riding-for-extended-periods-b00d0507c0d2f787,
undated, read 2026-12-08). No Vietnamese law limits a private rider; a review found a 5 h 52 ride HCMC → Mũi Né
planned without a stop. The 15 min is our assumption, as for coaches."""

# Seats per vehicle profile, used to pick the vehicle from the group size and to count vehicles for costs (smallest
# first), and the default vehicle cost per km (VND, per vehicle, with driver and fuel — planning assumptions, not
# quoted prices: set `costs.vehicle_per_km` from a real quote; docs/planner.md). Both from the profiles.
PROFILE_SEATS: dict[str, int] = {n: p.seats for n, p in sorted(PROFILES.items(), key=lambda kv: kv[1].seats)}
DEFAULT_VEHICLE_COST_PER_KM: dict[str, float] = {n: p.cost_per_km_vnd for n, p in PROFILES.items()}


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


class PlaceRef(BaseModel):
    """A place given by catalogue id or by coordinates (e.g. an airport or a hotel not in the catalogue)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    name: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _one_of(self) -> "PlaceRef":
        if self.id is None and (self.lat is None or self.lon is None):
            raise ValueError("give either a catalogue id or both lat and lon")
        if self.id is not None and (self.lat is not None or self.lon is not None):
            raise ValueError("give a catalogue id or coordinates, not both")
        if self.lat is not None and self.lon is not None and not in_vietnam(self.lat, self.lon):
            s, w, n, e = VIETNAM_BBOX
            raise ValueError(f"({self.lat:g}, {self.lon:g}) is outside Vietnam (latitude {s:g}–{n:g}, longitude "
                             f"{w:g}–{e:g}): is it lat,lon in that order?")
        return self

    @classmethod
    def parse(cls, value: "str | dict | PlaceRef") -> "PlaceRef":
        """Accept ``"hue-imperial-city"``, ``"16.46,107.58"`` or a dict — what a CLI flag or form field holds."""
        if isinstance(value, PlaceRef):
            return value
        if isinstance(value, dict):
            return cls(**value)
        text = value.strip()
        point = parse_latlon(text)
        if point is not None:
            return cls(lat=point[0], lon=point[1])
        return cls(id=text)


DEFAULT_TRIP: dict[str, object] = {"start": "hue-hub-hue-city", "end": "kh-hub-nha-trang", "days": 5,
                                   "regional": {"must_cover": ["Quảng Nam", "Quảng Ngãi", "Bình Định"]}}
"""The trip planned when nobody says which (``touroute plan`` with no options, the web form's defaults): Huế → Nha
Trang in 5 days through Quảng Nam, Quảng Ngãi and Bình Định — the region's heritage coast in one line."""


class LunchBreak(BaseModel):
    """A daily meal break taken wherever the group is at the time (waiting allowed)."""

    model_config = ConfigDict(extra="forbid")

    minutes: int = Field(default=60, ge=15, le=180)
    earliest: time = time(11, 30)
    latest_end: time = time(13, 30)

    @model_validator(mode="after")
    def _fits(self) -> "LunchBreak":
        if _minutes(self.latest_end) - _minutes(self.earliest) < self.minutes:
            raise ValueError("the lunch window is shorter than the lunch break")
        return self


THEME_NAMES: tuple[str, ...] = ("heritage", "mice", "coastal", "other")


class ThemeWeights(BaseModel):
    """How much each category is worth to this traveller; a place's score grows with its weight.

    The defaults apply only to a request that names no weight. A request that names some (``{"heritage": 1,
    "coastal": 0.5}``) gives every theme it does not name weight 0 — "I want heritage and beaches" means those —
    see :meth:`PlanRequest._themes_and_categories` and docs/planner.md, "Themes and categories".
    """

    model_config = ConfigDict(extra="forbid")

    heritage: float = Field(default=1.0, ge=0, le=10)
    mice: float = Field(default=0.2, ge=0, le=10)
    coastal: float = Field(default=1.0, ge=0, le=10)
    other: float = Field(default=0.6, ge=0, le=10)


def _known_province(name: str) -> str:
    """A province name the request may use (legacy or 2025, diacritics optional, ``legacy:`` / ``2025:`` prefix):
    a typo is refused when the request is read, naming the list item (``provinces.0``), not when the catalogue is
    filtered. Whether a name is known does not depend on the request's ``province_scheme``, only what it means."""
    try:
        prov.resolve(name)
    except prov.UnknownProvinceError as exc:
        raise ValueError(str(exc)) from None
    return name


ProvinceName = Annotated[str, AfterValidator(_known_province)]


class RegionalRules(BaseModel):
    """Regional-linkage rules of tourism departments: cover provinces, spread time fairly."""

    model_config = ConfigDict(extra="forbid")

    must_cover: list[ProvinceName] = Field(
        default_factory=list,
        description="legacy or 2025 province names (read as the request's province_scheme says); each name is one "
                    "area whose stops and hours count together, other provinces count per province of the scheme "
                    "(docs/planner.md, 'Regional linkage')")
    min_stops_per_province: int = Field(default=1, ge=0, le=20)
    min_visit_hours_per_province: float = Field(default=0.0, ge=0, le=48)
    max_share_one_province: float | None = Field(default=None, gt=0, le=1,
                                                 description="max share of visit time spent in any one province")


class Costs(BaseModel):
    """Cost inputs in VND; fees come from the catalogue (× group size)."""

    model_config = ConfigDict(extra="forbid")

    # Upper bounds keep every total a finite number (a fuzzed 7e307 ₫ a night overflowed the total to inf, which
    # JSON writes as null). They sit far above any real price: 1 million ₫ a km, 1 billion ₫ a night.
    vehicle_per_km: float | None = Field(default=None, ge=0, le=1_000_000,
                                         description="per vehicle; default by profile")
    lodging_per_night_per_person: float = Field(default=600_000, ge=0, le=1_000_000_000)
    include_fees: bool = True


AUTO_LIMIT_SHORT_S = 2.0
"""Solver limit of a trip of up to :data:`AUTO_LIMIT_SHORT_DAYS` days when the request gives none. Chosen on the
tuning requests of ``benchmarks/bench_region.py --speed``: from 1.5 s on, the plans score within 1 % of those made
with 5 s (BENCHMARKS.md, "Interactive speed")."""
AUTO_LIMIT_SHORT_DAYS = 5
AUTO_LIMIT_LONG_S = 4.0
"""… and of longer trips, whose overnight hubs the CP-SAT master chooses (measured at 4 s in
``benchmarks/bench_master.py``)."""


def auto_time_limit(days: int) -> float:
    """The solver limit of a request that gives none: short for the trips people plan interactively, longer for
    the long trips whose search space grows with every night."""
    return AUTO_LIMIT_SHORT_S if days <= AUTO_LIMIT_SHORT_DAYS else AUTO_LIMIT_LONG_S


class SolverSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_limit_s: float | None = Field(default=None, gt=0, le=120, description="solver budget (a deterministic work budget calibrated to about this many seconds); the whole plan takes a few tenths of a second more. Empty: automatic — 2 s for trips of up to 5 days, 4 s for longer ones (see auto_time_limit)")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class Overnight(BaseModel):
    """Where each night is spent: fixed hubs, or let the optimiser choose among candidates.

    ``pinned`` fixes single nights in "choose" mode (night 1 = the night after day 1) — what the web editor's
    "change this night's hub" does before re-planning.
    """

    model_config = ConfigDict(extra="forbid")

    mode: Literal["choose", "fixed"] = "choose"
    fixed: list[str] = Field(default_factory=list, description="catalogue id of each night's hub (days − 1 entries)")
    candidates: list[str] = Field(default_factory=list, description="hub ids to choose from; default all lodging hubs")
    pinned: dict[int, str] = Field(default_factory=dict, description="night number → hub id")
    along_the_way: bool = Field(
        default=True,
        description="on a one-way journey (start and end at least 3 h apart), choose only nights along the way: a hub "
                    "whose detour from the direct start → end drive is at most max(1 h, 15 %) of it — no night "
                    "behind the start or beyond the end. Ignored when candidates are listed; false = any hub")
    islands: bool = Field(
        default=True,
        description="when the provinces filter includes an island with a hotel hub and its boats (Lý Sơn, Cù Lao "
                    "Chàm), also plan night(s) on that island and keep whichever plan is worth more; false = island "
                    "nights only when pinned or listed among the candidates")


class Lock(BaseModel):
    """Keep a place in the plan on a given day (1-based) — the editor's "lock this stop to day N"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    place_id: str
    day: int = Field(ge=1, le=14)


class PlanRequest(BaseModel):
    """A multi-day, multi-province trip to optimise."""

    model_config = ConfigDict(extra="forbid")

    start_date: date
    days: int = Field(default=3, ge=1, le=14)
    day_start: time = time(8, 0)
    day_end: time = time(18, 30)
    pace: Pace = "normal"
    start: PlaceRef
    end: PlaceRef | None = None
    overnight: Overnight = Field(default_factory=Overnight)
    categories: list[Category] = Field(default_factory=lambda: ["heritage", "coastal", "other"])
    provinces: list[ProvinceName] = Field(default_factory=list, description="restrict candidates (legacy or 2025 names, see province_scheme)")
    province_scheme: Literal["2025", "legacy"] = Field(
        default="2025",
        description="how a name that is both a legacy and a 2025 province (Đà Nẵng, Quảng Trị, Khánh Hòa) is read in "
                    "provinces and regional.must_cover, and so which areas the regional rules count: '2025' "
                    "(default: 'Đà Nẵng' = Đà Nẵng + Quảng Nam, incl. Hội An and Mỹ Sơn) or 'legacy' (the old city "
                    "only). One name can say it itself: 'legacy:Đà Nẵng', '2025:Đà Nẵng'. Names are matched "
                    "without regard to case or diacritics ('da nang')")
    tags: list[str] = Field(default_factory=list)
    must_visit: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    locks: list[Lock] = Field(default_factory=list)
    min_popularity: int = Field(default=1, ge=1, le=10)
    themes: ThemeWeights = Field(
        default_factory=ThemeWeights,
        description="weight of each category in the objective. Empty: the defaults (heritage 1, mice 0.2, coastal 1, "
                    "other 0.6). Naming some weights gives every theme not named weight 0, and when `categories` is "
                    "not given it becomes the named themes with a weight above 0; a category listed in `categories` "
                    "must have a weight above 0. The itinerary's `request.themes` shows the weights used")
    regional: RegionalRules = Field(default_factory=RegionalRules)
    lunch: LunchBreak | None = Field(default_factory=LunchBreak)
    evenings: bool = Field(default=True, description="suggest an optional outing after dinner for each night "
                           "(lanterns, night markets, shows) from the places' evening hours; it never changes the "
                           "day's stops (touroute.evenings)")
    max_driving_minutes_per_day: int | None = Field(
        default=None, ge=30, le=900,
        description="daily driving cap; default by pace and vehicle (DEFAULT_DRIVING_MINUTES); a coach is capped at "
                    "the legal 600 min")
    use_ferries: bool = True
    group_size: int = Field(default=2, ge=1, le=10_000)
    vehicle: Profile | None = None
    costs: Costs = Field(default_factory=Costs)
    solver: SolverSettings = Field(default_factory=SolverSettings)

    @field_validator("pace", mode="before")
    @classmethod
    def _pace_alias(cls, v: object) -> object:
        return PACE_ALIASES.get(v, v) if isinstance(v, str) else v

    @field_validator("start", "end", mode="before")
    @classmethod
    def _place(cls, v: object) -> object:
        if v is None or isinstance(v, (PlaceRef, dict)):
            return v
        if isinstance(v, str):
            return PlaceRef.parse(v)
        return v

    @model_validator(mode="after")
    def _themes_and_categories(self) -> "PlanRequest":
        """The theme rule (docs/planner.md, "Themes and categories"): weights the request does not name are 0 once
        it names any, unnamed categories follow the named themes, and categories and weights must agree.

        Uses ``model_fields_set`` (what the request said), not a comparison with the defaults: ``{"heritage": 1}``
        names heritage although 1 is its default. Idempotent, so the itinerary's echo of the request re-validates
        to the same request."""
        named = self.themes.model_fields_set
        if not named:
            return self
        weights = {c: (getattr(self.themes, c) if c in named else 0.0) for c in THEME_NAMES}
        self.themes = ThemeWeights(**weights)
        if "categories" not in self.model_fields_set:
            cats = [c for c in THEME_NAMES if weights[c] > 0]
            if not cats:
                raise ValueError("themes: every weight named is 0, so no place would be worth visiting")
            self.categories = cats  # type: ignore[assignment]
        else:
            dead = [c for c in self.categories if c != "lodging" and weights[c] <= 0]
            if dead:
                raise ValueError(
                    f"categories lists {', '.join(dead)} but themes gives {'it' if len(dead) == 1 else 'them'} "
                    f"weight 0 (themes not named weigh 0 once any is named): name "
                    f"{' and '.join(f'themes.{c}' for c in dead)} or leave {'it' if len(dead) == 1 else 'them'} out "
                    f"of categories")
        return self

    @model_validator(mode="after")
    def _consistent(self) -> "PlanRequest":
        if _minutes(self.day_end) - _minutes(self.day_start) < 120:
            raise ValueError("day_end must be at least 2 hours after day_start")
        if self.lunch and not (_minutes(self.day_start) <= _minutes(self.lunch.earliest)
                               and _minutes(self.lunch.latest_end) <= _minutes(self.day_end)):
            raise ValueError("lunch window must lie within the day")
        if self.overnight.mode == "fixed" and len(self.overnight.fixed) != self.days - 1:
            raise ValueError(f"overnight.fixed needs {self.days - 1} hub id(s), one per night, got {len(self.overnight.fixed)}")
        for lock in self.locks:
            if lock.day > self.days:
                raise ValueError(f"lock of {lock.place_id} on day {lock.day}, but the trip has {self.days} day(s)")
        for night in self.overnight.pinned:
            if not 1 <= night <= self.days - 1:
                raise ValueError(f"overnight.pinned: night {night} does not exist in a {self.days}-day trip")
        if (self.max_driving_minutes_per_day is not None and self.profile == "coach"
                and self.max_driving_minutes_per_day > COACH_MAX_DRIVING_MINUTES):
            raise ValueError(f"max_driving_minutes_per_day: a coach driver may drive at most "
                             f"{COACH_MAX_DRIVING_MINUTES} min a day by law, got {self.max_driving_minutes_per_day}")
        clash = (set(self.must_visit) | {lk.place_id for lk in self.locks}) & set(self.exclude)
        if clash:
            raise ValueError(f"places both must-visit and excluded: {', '.join(sorted(clash))}")
        if self.solver.time_limit_s is None:  # the automatic limit: a validated request always has a number
            self.solver = self.solver.model_copy(update={"time_limit_s": auto_time_limit(self.days)})
        return self

    # Derived values used by the planner ---------------------------------------------------------------------
    @property
    def profile(self) -> str:
        """The vehicle: as requested, else the smallest that seats the group."""
        if self.vehicle:
            return self.vehicle
        for name in ("car", "van", "coach"):
            if self.group_size <= PROFILE_SEATS[name]:
                return name
        return "coach"

    @property
    def driving_cap_minutes(self) -> int:
        """The daily driving cap in force: the request's, else the default of its pace and vehicle."""
        if self.max_driving_minutes_per_day is not None:
            return self.max_driving_minutes_per_day
        return DEFAULT_DRIVING_MINUTES[self.pace][self.profile]

    @property
    def stays_around_start(self) -> bool:
        """A round trip that names nowhere to go — no provinces, regional rules, must-visits, locks or nights of its
        own choosing: the traveller means a stay around the start (``planner.model.AROUND_START_REACH_S``)."""
        return ((self.end or self.start) == self.start and not self.provinces and not self.regional.must_cover
                and not self.must_visit and not self.locks and self.overnight.mode == "choose"
                and not self.overnight.candidates and not self.overnight.pinned)

    @property
    def vehicles_needed(self) -> int:
        seats = PROFILE_SEATS[self.profile]
        return -(-self.group_size // seats)


def next_monday(today: date | None = None) -> date:
    """The default trip start of the CLI and the web form: next Monday (a full week of opening hours ahead)."""
    today = today or date.today()
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def pydantic_message(exc: ValidationError) -> str:
    """One line per invalid field, named by its dotted path (``regional.max_share_one_province: …``)."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ())) or "request"
        lines.append(f"{loc}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(lines)
