"""The plan that comes back: days → stops and legs, the night's lodging, totals, and reasons.

Everything here is plain data (pydantic models) so an itinerary serialises to JSON for the web app, the REST API,
saved plans and exports without any of them knowing how it was computed. Times are local wall-clock
``datetime`` values (Asia/Ho_Chi_Minh, UTC+7, no daylight saving).
"""

from __future__ import annotations

from datetime import date, datetime  # noqa: F401 - pydantic resolves `date` in annotations at runtime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .messages import OSM_ATTRIBUTION
from .pois import Access

LegSource = Literal["osm", "estimate"]


class ItineraryLeg(BaseModel):
    """Travel between two consecutive points of a day."""

    model_config = ConfigDict(frozen=True)

    from_id: str
    to_id: str
    depart: datetime
    arrive: datetime
    seconds: float
    metres: float
    source: LegSource
    rest_seconds: float = Field(default=0.0, description="drivers' legal rest on the way (coaches: 15 min per 4 h of "
                                                         "driving), between depart and arrive")
    geometry: list[tuple[float, float]] = Field(default_factory=list, description="(lat, lon) polyline")
    ferry: str | None = Field(default=None, description="id of the ferry link the leg uses, if any")
    network: str | None = None


class ItineraryStop(BaseModel):
    """A visit: when the group arrives, starts the visit (after any wait) and leaves."""

    model_config = ConfigDict(frozen=True)

    place_id: str
    name_vi: str
    name_en: str
    category: str
    subcategory: str
    province_legacy: str
    province: str
    lat: float
    lon: float
    arrival: datetime
    start: datetime
    departure: datetime
    fee_vnd: int | None = None
    fee_as_of: str | None = None
    fee_domestic_vnd: int | None = Field(default=None, description="a different published price for Vietnamese "
                                                                   "visitors (fee_vnd is the foreign / single price)")
    opening_hours: str | None = None
    hours_as_of: str | None = None
    hours_assumed: str | None = Field(default=None, description="hours unknown: the window the plan assumed open "
                                                                "(HH:MM-HH:MM, the day's own window)")
    closure_note: str | None = None
    closure_note_vi: str | None = None
    stale: list[str] = Field(default_factory=list, description="facts (hours, fee, seats) older than 3 years")
    seats: int | None = Field(default=None, description="MICE: largest published seat count")
    seats_unknown: bool = Field(default=False, description="MICE venue whose seats are not published")
    source: str = ""
    score: float = 0.0
    locked: bool = False
    kind: Literal["visit", "ferry_excursion", "ferry_crossing"] = "visit"
    includes: list[str] = Field(default_factory=list, description="catalogue ids seen during this stop (island trip)")
    note_en: str | None = None
    note_vi: str | None = None
    ferry_route: list[tuple[float, float]] = Field(default_factory=list, description="boat crossing (lat, lon)")
    access: Access | None = Field(default=None, description="cable car / boat / buggy included in this visit's time "
                                                            "(and its fee_vnd in the costs)")

    @property
    def wait_minutes(self) -> float:
        return (self.start - self.arrival).total_seconds() / 60

    @property
    def visit_minutes(self) -> float:
        return (self.departure - self.start).total_seconds() / 60


class Endpoint(BaseModel):
    """Where a day starts or ends (a hub, a catalogue place or free coordinates)."""

    model_config = ConfigDict(frozen=True)

    place_id: str
    name_vi: str
    name_en: str
    lat: float
    lon: float
    province_legacy: str | None = None
    province: str | None = None


class ItineraryEvening(BaseModel):
    """An optional outing after dinner (lanterns, a night market, a scheduled show), suggested by
    :mod:`touroute.evenings` from the place's evening opening hours.

    It is a suggestion on top of the day, never part of it: the day's stops, legs, driving, costs and totals do
    not include it, so switching evenings off (or ignoring one) changes nothing else in the plan.
    """

    model_config = ConfigDict(frozen=True)

    place_id: str
    name_vi: str
    name_en: str
    category: str
    subcategory: str
    province_legacy: str
    province: str
    lat: float
    lon: float
    start: datetime
    end: datetime
    kind: Literal["show", "open"] = Field(
        description="show: a scheduled performance, attended at its start time; open: a place open all evening")
    from_id: str = Field(description="where the group spends the night (the day's end) and returns to")
    travel_seconds: float = Field(description="one way, from the night's hub")
    travel_metres: float
    travel_source: LegSource
    geometry: list[tuple[float, float]] = Field(
        default_factory=list, description="(lat, lon) polyline from the night's hub: along the roads when "
                                          "travel_source is osm, else a straight line; empty when not computed")
    opening_hours: str | None = None
    hours_as_of: str | None = Field(default=None, description="date of the source of the hours")
    fee_vnd: int | None = None
    source: str = Field(default="", description="where the hours were checked (the catalogue record's source)")
    note_en: str = ""
    note_vi: str = ""

    @property
    def travel_minutes(self) -> float:
        return self.travel_seconds / 60


class DayPlan(BaseModel):
    day: int
    date: date
    start: Endpoint
    end: Endpoint
    depart: datetime
    arrive: datetime
    stops: list[ItineraryStop]
    legs: list[ItineraryLeg]
    lunch_start: datetime | None = None
    lunch_minutes: int = 0
    driving_seconds: float = 0.0
    metres: float = 0.0
    lodging: Endpoint | None = Field(default=None, description="where the night after this day is spent")
    evening: ItineraryEvening | None = Field(default=None, description="optional outing after dinner (evenings)")


class Exclusion(BaseModel):
    """Why a candidate place is not in the plan — in both languages, never a bare 'no'."""

    place_id: str
    name_vi: str
    name_en: str
    reason: Literal["closed", "too_far", "outside_stay", "capacity", "low_score", "excluded", "not_in_filter",
                    "unreachable",
                    "unknown_place", "group_limit", "ferry", "included", "evening"]
    message_en: str
    message_vi: str
    province_legacy: str = Field(default="", description="the place's legacy province (empty in plans saved before "
                                                         "it was recorded)")
    headline: bool = Field(default=False, description="a headline site (attractiveness ≥ 70): shown in the short "
                                                      "'left out' lists whatever its reason")


class ItineraryCosts(BaseModel):
    """Trip costs in VND; ``per_person`` is what a package price is built from."""

    fees_total: float = 0.0
    vehicle_total: float = 0.0
    lodging_total: float = 0.0
    total: float = 0.0
    per_person: float = 0.0
    vehicles: int = 1
    vehicle_per_km: float = 0.0
    fees_unknown: list[str] = Field(default_factory=list, description="visited places whose fee is not known")


class Totals(BaseModel):
    score: float = 0.0
    stops: int = 0
    driving_seconds: float = 0.0
    metres: float = 0.0
    estimated_metres: float = 0.0
    visit_minutes_by_province: dict[str, float] = Field(default_factory=dict)
    visit_minutes_by_theme: dict[str, float] = Field(default_factory=dict, description="visit minutes per category "
                                                      "(heritage, coastal, mice, other); empty in plans saved before it")
    nights_by_province: dict[str, int] = Field(default_factory=dict)
    costs: ItineraryCosts = Field(default_factory=ItineraryCosts)


class Itinerary(BaseModel):
    """A complete multi-day plan (or, when infeasible, the reasons why)."""

    feasible: bool
    days: list[DayPlan] = Field(default_factory=list)
    totals: Totals = Field(default_factory=Totals)
    excluded: list[Exclusion] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list, description="why the request cannot be met, when infeasible")
    warnings: list[str] = Field(default_factory=list)
    warnings_vi: list[str] = Field(default_factory=list, description="the warnings in Vietnamese, one per warning "
                                                                     "(empty in plans saved before it)")
    request: dict = Field(default_factory=dict)
    stay_reach_hours: float | None = Field(default=None, description="a round trip that names nowhere: how far from "
                                                                     "its start it went (hours of driving); None "
                                                                     "for other trips or no limit")
    profile: str = "car"
    solver: dict = Field(default_factory=dict)
    attribution: str = OSM_ATTRIBUTION

    def notes(self, lang: str | None = "en") -> list[str]:
        """The warnings in ``lang``: the Vietnamese ones when asked for and complete, else the English ones."""
        if lang == "vi" and len(self.warnings_vi) == len(self.warnings):
            return list(self.warnings_vi)
        return list(self.warnings)

    def with_note(self, en: str, vi: str | None = None, *, first: bool = False) -> "Itinerary":
        """A copy with one more warning in both languages (``vi`` defaults to ``en``: a name, a number), kept in
        step with :attr:`warnings_vi`."""
        w, v = list(self.warnings), self.notes("vi")  # an old plan's missing Vietnamese notes become English
        if first:
            w.insert(0, en)
            v.insert(0, vi or en)
        else:
            w.append(en)
            v.append(vi or en)
        return self.model_copy(update={"warnings": w, "warnings_vi": v})

    def stop_ids(self) -> list[list[str]]:
        return [[s.place_id for s in d.stops] for d in self.days]
