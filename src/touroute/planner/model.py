"""The planning model: a request + the catalogue + travel times → an orienteering problem (days as routes on one
clock, opening hours as windows, lunch as a break, hubs as chained hotels, provinces as groups, island day trips
as excursion nodes), and the reasons a place cannot be in it.

Why this module is long: :func:`build_model` is the one mapping from a request to the problem (days, windows,
lunch, hubs, groups, excursions, locks) and most of this module. Its parts are separate helpers where they stand
alone (windows, excursions, endpoints); what remains shares the index of candidates it builds as it goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from datetime import time as dtime
from typing import Any

import numpy as np

from .. import islands
from .. import provinces as prov
from ..messages import dec
from ..itinerary import Exclusion
from ..matrix import Place, TravelMatrix
from ..model import (MOTORBIKE_MAX_CONTINUOUS_MINUTES, PACE_SIGHTS_PER_DAY, PACE_STOP_OVERHEAD_MIN, PACE_VISIT_FACTOR,
                     RIDER_REST_MINUTES, PlanRequest)
from ..geo import daylight
from ..pois import (Catalogue, Poi, daylight_only, haversine_m, is_access_point, is_visit, known_seats,
                    open_intervals)
from ..solve import BreakSpec, OrienteeringProblem, RouteSpec
from .context import PlanningContext, PlanningError
from .value import (
    DAY,
    DRIVING_COST_PER_HOUR,
    MEAL_ON_SITE_MIN,
    SIMILAR_DECAY,
    STOP_COST,
    attractiveness,
    net_of_stop,
    place_value,
    sight_units,
    similarity_key,
    stop_value,
    with_driver_rests,
)


# ---------------------------------------------------------------------------------------------------------------
# Messages (English / Vietnamese)
# ---------------------------------------------------------------------------------------------------------------
def _hhmm(t: float) -> str:
    """Clock time of an absolute second, with the day when it is not day 1."""
    d, s = divmod(int(round(t)), int(DAY))
    txt = f"{s // 3600:02d}:{(s % 3600) // 60:02d}"
    return txt if d == 0 else f"day {d + 1} {txt}"


_REASON_TEXT = {
    "closed": ("closed (or its hours leave no time for a visit) on every day of the trip",
               "đóng cửa (hoặc không đủ giờ tham quan) trong mọi ngày của chuyến đi"),
    "too_far": ("too far to reach and visit within a day's hours from any possible start of day",
                "quá xa để đến và tham quan trong giờ của một ngày"),
    "outside_stay": ("beyond the reach of a round trip that names nowhere to go",
                     "ngoài phạm vi của chuyến khứ hồi không nêu nơi muốn đến"),
    "capacity": ("its published capacity is smaller than the group", "sức chứa công bố nhỏ hơn số khách của đoàn"),
    "low_score": ("reachable, but other places were worth more for the time it would take",
                  "đến được, nhưng các điểm khác đáng giá hơn trong cùng thời gian"),
    "excluded": ("excluded by the request", "bị loại theo yêu cầu"),
    "group_limit": ("its province already has as much of the trip as the regional rules allow (stops or share of "
                    "visit time)",
                    "tỉnh này đã chiếm tối đa phần chuyến đi mà quy tắc liên kết vùng cho phép (số điểm hoặc tỷ lệ "
                    "thời gian tham quan)"),
    "ferry": ("no boat schedule lets a visit fit on any day", "lịch tàu không cho phép tham quan trong ngày nào"),
    "included": ("seen as part of a larger site's visit", "đã nằm trong chuyến tham quan một khu di tích lớn hơn"),
}


SLEEP_SUBCATEGORIES = ("hotel_conference", "resort_conference")
"""MICE venues that are hotels or resorts: a night may be spent there (a fair's delegates sleep at the venue)."""


def _can_sleep_at(poi: Poi) -> bool:
    """A night can be spent at a lodging hub or at a hotel / resort with conference rooms — never at a sight (the
    Imperial City was accepted as a night's lodging, and then never visited)."""
    return poi.category == "lodging" or poi.subcategory in SLEEP_SUBCATEGORIES


_CLOSED_TO_VISITORS = ("closed to visitors", "không mở cửa đón khách")
"""The reason of a place whose hours are ``off`` (abandoned, off limits): not "closed on every day of the trip"."""


def _exclusion(poi: Poi, reason: str, detail_en: str = "", detail_vi: str = "",
               text: tuple[str, str] | None = None) -> Exclusion:
    en, vi = text or _REASON_TEXT[reason]
    return Exclusion(place_id=poi.id, name_vi=poi.name_vi, name_en=poi.name_en, reason=reason,
                     province_legacy=poi.province_legacy, headline=bool(getattr(poi, "headline", False)),
                     message_en=f"{poi.name_en}: {en}{(' — ' + detail_en) if detail_en else ''}",
                     message_vi=f"{poi.name_vi}: {vi}{(' — ' + detail_vi) if detail_vi else ''}")


# ---------------------------------------------------------------------------------------------------------------
# Model building
# ---------------------------------------------------------------------------------------------------------------
@dataclass
class _Model:
    """The solver problem plus the bookkeeping to turn a solution back into an itinerary."""

    problem: OrienteeringProblem
    places: list[Place]
    pois: list[Poi | None]
    seconds: np.ndarray
    metres: np.ndarray
    matrix_index: list[int]  # node → row of the travel matrix
    matrix: TravelMatrix
    hubs: list[int]
    start: int
    end: int
    candidates: list[int]
    province_of: dict[int, str]
    group_index: dict[str, int]
    excluded: list[Exclusion]
    warnings: list[str | tuple[str, str]]  # (en, vi) notes, or strings that read the same in both
    unknown_hours: set[int]
    excursions: dict[int, _Excursion] = field(default_factory=dict)
    rests: np.ndarray | None = None
    """Seconds of drivers' rest inside each leg (coaches), already part of ``seconds``."""
    rule_groups: prov.RuleGroups = field(default_factory=lambda: prov.rule_groups([]))
    """How the regional rules count provinces (group labels of ``group_index``)."""
    stays: list[islands.IslandStay] = field(default_factory=list)
    """Island nights (:mod:`touroute.islands`); their boat nodes are ``boats``."""
    problems: list[str] = field(default_factory=list)
    """Why the request cannot be planned, found while building (an island night in the storm season …)."""
    off_the_way: list[int] = field(default_factory=list)
    """Hub nodes left out as nights because they are off the way of a one-way journey (:func:`_along_the_way`)."""
    stay_reach: float | None = None
    """Seconds: the reach of a stay around the start (:func:`_stay_reach`; inf = none), None for other trips."""

    @property
    def boats(self) -> dict[int, islands.IslandStay]:
        return {n: s for s in self.stays for n in (s.out_node, s.back_node)}

    def note_pairs(self) -> list[tuple[str, str]]:
        """The model's warnings as (en, vi) notes: a plain string (place ids, names) reads the same in both."""
        return [(w, w) if isinstance(w, str) else w for w in self.warnings]


def _must_field(req: PlanRequest, pid: str) -> str:
    """The request field a must-visit came from: ``must_visit`` itself, or a lock (a locked place must be visited)."""
    return "must_visit" if pid in req.must_visit else "locks"


def _endpoint_place(ref: Any, cat: Catalogue, role: str) -> tuple[Place, Poi | None]:
    if ref.id is not None:
        try:
            poi = cat.get(ref.id)
        except KeyError as exc:
            raise PlanningError(f"{role}: {exc.args[0]}", field=role) from None
        return Place(poi.id, poi.lat, poi.lon, poi.name_vi), poi
    name = ref.name or ("Điểm đầu / Start" if role == "start" else "Điểm cuối / End")
    return Place(f"{role}@{ref.lat:.5f},{ref.lon:.5f}", float(ref.lat), float(ref.lon), name), None


def _intersect(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The common parts of two sorted interval lists."""
    out = []
    for lo1, hi1 in a:
        for lo2, hi2 in b:
            lo, hi = max(lo1, lo2), min(hi1, hi2)
            if hi > lo:
                out.append((lo, hi))
    return sorted(out)


ASSUMED_OPEN = dtime(8, 0)
ASSUMED_CLOSE = dtime(18, 30)
"""When a place whose hours nobody publishes is assumed open: the planner's default day. A user who widens the day
(05:00–22:00) does not make a Vĩnh Hy boat trip bookable after dark or a royal arena open at dawn; the day's own
limits apply as well, so the assumption shown is their overlap (:func:`assumed_hours`)."""


def assumed_hours(req: PlanRequest) -> tuple[dtime, dtime]:
    """The window a place with unknown hours is planned as open on this request's days (may be empty: start ≥ end)."""
    return max(req.day_start, ASSUMED_OPEN), min(req.day_end, ASSUMED_CLOSE)


def assumed_window(poi: Poi, req: PlanRequest, day: date) -> tuple[dtime, dtime]:
    """The window a place with unknown hours was planned as open on ``day``: :func:`assumed_hours`, and for an
    outdoor place (:func:`touroute.pois.daylight_only`) no earlier than sunrise and no later than sunset there."""
    lo, hi = assumed_hours(req)
    if daylight_only(poi):
        rise, sunset = daylight(poi.lat, poi.lon, day)
        lo, hi = max(lo, rise), min(hi, sunset)
    return lo, hi


def _day_windows(poi: Poi, day: date, t0: float, open_s: float, close_s: float,
                 service: float) -> list[tuple[float, float]]:
    """Start-of-visit windows of ``poi`` on ``day`` (absolute seconds); the visit must end before it closes, and
    a visit reached by a boat or cable car that runs at set hours (``Access.hours``) lies within them: the first
    canoe to Đảo Bé leaves at 08:00 and the last one back is at 15:00, whatever the islet's own hours. An outdoor
    place without published hours lies between sunrise and sunset (:func:`touroute.pois.daylight_only`)."""
    if poi.opening_hours:
        spans = [(a * 60.0, b * 60.0) for a, b in open_intervals(poi.opening_hours, day)]
    else:
        spans = [(_seconds_of(ASSUMED_OPEN), _seconds_of(ASSUMED_CLOSE))]
    if poi.access is not None and poi.access.hours:
        spans = _intersect(spans, [(a * 60.0, b * 60.0) for a, b in open_intervals(poi.access.hours, day)])
    if daylight_only(poi):  # outdoors with no published hours: between sunrise and sunset (pois.daylight_only)
        rise, sunset = daylight(poi.lat, poi.lon, day)
        spans = _intersect(spans, [(_seconds_of(rise), _seconds_of(sunset))])
    out = []
    for a, b in spans:
        lo, hi = max(a, open_s), min(b, close_s) - service
        if hi >= lo:
            out.append((t0 + lo, t0 + hi))
    return out


def _readable_hours(poi: Poi, day: date) -> bool:
    """True when ``poi.opening_hours`` can be evaluated. A catalogue loaded from CSV has every string checked, but
    records built in code (or a rule the library cannot evaluate on some date) may not be: such a place is planned
    as "hours unknown" with a warning instead of failing the whole plan."""
    if not poi.opening_hours:
        return True
    try:
        open_intervals(poi.opening_hours, day)
    except Exception as exc:  # the parser's own error types
        import logging

        logging.getLogger("touroute.planner").warning(
            "%s: opening_hours %r cannot be read (%s); treated as unknown", poi.id, poi.opening_hours,
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        return False
    return True


def _seconds_of(t: dtime) -> float:
    return t.hour * 3600.0 + t.minute * 60.0


@dataclass
class _Excursion:
    """A boat day trip to an island: check in at the mainland port, cross, visit, cross back.

    Scheduled boats make island legs time-dependent, which a static travel matrix cannot express; an excursion
    node located at the mainland port, whose visit may only *start* at a check-in time before a departure and whose
    duration runs until the return boat lands, is exact for the usual one-visit-per-trip day trip.
    """

    link: Any
    pois: list[Poi]                 # island places seen, best first
    skipped: list[Poi]              # island places that do not fit the time on the island
    out_times: list[float]          # seconds of the day of the usable outbound departures
    back_after: dict[float, float]  # outbound departure → the return departure it pairs with
    check_in_s: float
    crossing_s: float
    service_s: float
    exact: bool
    proxy_id: str | None            # catalogue place at the mainland port whose matrix row the excursion uses
    closed: str | None = None       # why no boat runs on any day of the trip (storm season), both languages
    early: tuple[float, float] | None = None
    """An early boat (:data:`EARLY_BOAT_MAX_MIN`): (real check-in, modelled start), seconds of the day. The model
    starts the trip at the day's start + the drive from the nearest hub, with the time ashore cut by the difference;
    the itinerary shows the real check-in and the earlier departure from the hotel."""

    @property
    def id(self) -> str:
        return f"ferry:{self.link.id}"


EARLY_BOAT_MAX_MIN = 60.0
"""An island day trip whose boat leaves before the day's start may start the day up to this many minutes earlier,
the way boat tours do: "7.30 Arrival at Hoi An Docks, 8.10 Speedboat leaves" (jimgrootes.com, 2022-03-14) for a day
that otherwise starts at 08:00. Only the boat day starts early, and only for the boat: nothing is visited before it."""


def _early_boat(exc: _Excursion, drives: list[float], open_s: float, close_s: float,
                slack_s: float) -> tuple[float, float] | None:
    """(real check-in, modelled start) for an early boat, or ``None`` when a departure needs no early start (its
    check-in is after ``open_s`` and the trip ends by ``close_s``) or none fits.

    ``drives`` are the drives (s) to the port from the places a day can start at. A start counts when leaving it
    for the check-in is at most :data:`EARLY_BOAT_MAX_MIN` before the day's start; the modelled start is the day's
    start + the longest such drive that is less than ``slack_s`` (the shortest visit) longer than the shortest one —
    so every counted start reaches the trip in time, and none leaves time for a visit before it (the itinerary
    puts the boat first). The latest early departure that some start reaches is taken."""
    checkins = [o - exc.check_in_s for o in exc.out_times]
    if any(t >= open_s and t + exc.service_s <= close_s for t in checkins):
        return None
    for t in sorted((t for t in checkins if t < open_s), reverse=True):
        ok = [d for d in drives if np.isfinite(d) and t - d >= open_s - EARLY_BOAT_MAX_MIN * 60.0]
        if ok:
            near = min(ok)
            return t, open_s + max(d for d in ok if d < near + slack_s)
    return None


def _build_excursion(link: Any, island: list[Poi], req: PlanRequest, cat: Catalogue,
                     must: frozenset[str] = frozenset()) -> _Excursion | None:
    """One boat day trip to ``link``'s island: the departures worth taking and the island places that fit the time
    ashore — must-visits first (never skipped: if they do not fit, :class:`PlanningError` says so), then by
    popularity."""
    out, exact_out = link.departures("out")
    back, exact_back = link.departures("back")
    if not out:
        return None
    if not back:  # return timetable not published: assume the boats go back on the same schedule
        back, exact_back = out, False
    crossing = float(link.crossing_max) * 60.0
    check_in = float(link.buffer_min) * 60.0
    factor, overhead = PACE_VISIT_FACTOR[req.pace], PACE_STOP_OVERHEAD_MIN[req.pace]
    island = sorted(island, key=lambda p: (p.id not in must, -attractiveness(p), p.id))
    min_island = min(240.0, max(p.visit_minutes for p in island) * factor) * 60.0
    pairs: dict[float, float] = {}
    for o in (_seconds_of(x) for x in out):
        b = next((_seconds_of(x) for x in sorted(back) if _seconds_of(x) >= o + crossing + min_island), None)
        if b is not None:
            pairs[o] = b
    if not pairs:
        return None
    durations = {o: check_in + (b + crossing - o) for o, b in pairs.items()}
    shortest = min(durations.values())
    usable = sorted(o for o, d in durations.items() if d <= shortest + 60.0)
    on_island = pairs[usable[0]] - (usable[0] + crossing)
    ashore = (usable[0] + crossing, pairs[usable[0]])
    seen, skipped, used = [], [], 0.0
    off_hours: list[Poi] = []
    for p in island:
        # an islet's own canoe (Lý Sơn → Đảo Bé) is part of that place's time ashore, and runs at its own hours
        need = (p.visit_minutes * factor + overhead + (p.access.minutes if p.access is not None else 0)) * 60.0
        if p.access is not None and p.access.hours and not any(
                min(b * 60.0, ashore[1]) - max(a * 60.0, ashore[0]) >= need
                for a, b in open_intervals(p.access.hours, req.start_date)):
            skipped.append(p)
            off_hours.append(p)
            continue
        if not seen or used + need <= on_island:
            seen.append(p)
            used += need
        else:
            skipped.append(p)
    late = [p for p in off_hours if p.id in must]
    if late:
        raise PlanningError(
            f"must_visit: {', '.join(f'{p.name_en} (its {p.access.mode} runs {p.access.hours})' for p in late)} "
            f"does not fit the {link.island} day trip's time ashore, {_hhmm(ashore[0])}–{_hhmm(ashore[1])}: "
            f"plan a night on {link.island} (overnight) or drop it", field="must_visit")
    too_much = [p for p in skipped if p.id in must]
    if too_much:
        raise PlanningError(
            f"must_visit: {', '.join(p.name_en for p in too_much)} do not fit the {link.island} day trip together "
            f"with {', '.join(p.name_en for p in seen)}: the boats leave {on_island / 3600:.1f} h ashore; "
            f"drop a must-visit on {link.island}", field="must_visit")
    proxy = None
    best = 1500.0
    for q in cat:
        d = haversine_m(q.lat, q.lon, link.from_lat, link.from_lon)
        if d < best:
            proxy, best = q.id, d
    return _Excursion(link, seen, skipped, usable, {o: pairs[o] for o in usable}, check_in, crossing, shortest,
                      exact_out and exact_back, proxy)


JOURNEY_MIN_DRIVE_S = 3 * 3600.0
"""A one-way trip whose direct drive takes at least this long is a journey: its nights go along the way."""
ALONG_THE_WAY_DETOUR = (3600.0, 0.15)
"""A hub is along the way when sleeping there adds at most max(1 h, 15 % of the direct drive) to the start → end
drive. Tour programmes of the region move one way on a journey (Huế → Hội An → Quy Nhơn → Nha Trang) and see what
lies behind or beyond on day trips; before this rule the default Huế → Nha Trang plan slept in Đông Hà, 1 h 20 north
of its start, on its first night. The numbers are our planning default: Hội An and Đà Nẵng (each ~30 min off the
direct Huế → Nha Trang drive) stay choices, Đông Hà (~2 h) and Cam Ranh beyond Nha Trang (~1 h 50) do not."""


AROUND_START_REACH_S = 150 * 60.0
"""A trip that returns to its start and names nowhere to go (``PlanRequest.stays_around_start``) is a stay around
its start: its places, boat piers and nights lie within this drive of the start. 2½ h is the reach of the region's
published day excursions from a base, rounded up (Huế → the DMZ's Vịnh Mốc tunnels and Đà Nẵng → Huế about 2¼ h
on these estimates, Sài Gòn → Cần Giờ 1½ h, Hội An → Mỹ Sơn under 1 h). Without it, 3 days from Quy Nhơn drove
14.5 h to Hội An and Huế and back and saw nothing of Bình Định (Hội An is 4 h away), and 2 days from Huế spent one
in Hội An (2 h 40). A request that names a province or a place to see is not limited: name Quảng Nam to go to Hội
An."""


JOURNEY_BACKTRACK_S = 600.0
"""… and each night is no further from the end than the night before (10 min of tolerance for hubs of one town):
the Đà Nẵng → Lăng Cô → Quảng Ngãi chain, back over the Hải Vân pass for a night, is not a journey south."""


def _is_journey(req: PlanRequest, sec: np.ndarray, s: int, e: int, places: dict[int, Poi], must: list[int],
                named: list[set[str]]) -> bool:
    """Does the along-the-way rule apply: one way, far enough, the optimiser choosing among all hubs — and nothing
    the request names lies off the way. A must-visit place, or an area the request names (``named``: the legacy
    provinces of each name of the ``provinces`` filter and of the regional rules) none of whose places (``places``:
    the candidates) is along the way, makes the trip a tour through it (Mũi Né → Nha Trang → Sài Gòn is asked as
    Mũi Né → Sài Gòn with Khánh Hòa among the provinces), and nights there must stay possible."""
    if not (req.overnight.along_the_way and req.overnight.mode == "choose" and not req.overnight.candidates
            and s != e and float(sec[s, e]) >= JOURNEY_MIN_DRIVE_S):
        return False
    if any(not _along_the_way(sec, s, e, i) for i in must):
        return False
    for area in named:
        inside = [i for i, poi in places.items() if poi.province_legacy in area]
        if inside and not any(_along_the_way(sec, s, e, i) for i in inside):
            return False
    return True


STAY_REACH_STEP_S = 60 * 60.0
"""How much a stay's reach grows at a time when the area cannot fill the trip (:func:`_stay_reach`)."""
STAY_REACH_MAX_S = 8 * 3600.0
"""Beyond this the stay has no reach at all: a trip that long is a tour of the region, not a stay."""


def _stay_reach(sec: np.ndarray, s: int, cands: list[int], pois: list[Poi | None], weights: dict[str, float],
                days: int, pace: str) -> float:
    """The reach of a stay around the start ``s``: :data:`AROUND_START_REACH_S`, grown by
    :data:`STAY_REACH_STEP_S` until the places within it that are clearly worth a stop (a stop value of at least
    :data:`~touroute.planner.value.STOP_COST` again) hold as many sight units as the trip's days can take at its pace
    (``PACE_SIGHTS_PER_DAY``); past :data:`STAY_REACH_MAX_S`, no limit.

    Why: 2½ h from Đà Nẵng holds 73 such units — three to twelve days of sights — and a 14-day round trip from it
    spent days 11 and 14 on one beach each (a review); the same rule keeps 3 days from Quy Nhơn (18 units wanted,
    29 within 2½ h) around Quy Nhơn."""
    want = days * PACE_SIGHTS_PER_DAY[pace]
    reach = AROUND_START_REACH_S
    units = [(max(float(sec[s, i]), float(sec[i, s])), sight_units(p.visit_minutes))
             for i in cands if (p := pois[i]) is not None and is_visit(p) and stop_value(p, weights) >= STOP_COST]
    while reach <= STAY_REACH_MAX_S:
        if sum(u for t, u in units if t <= reach) >= want:
            return reach
        reach += STAY_REACH_STEP_S
    return float("inf")


ISLAND_NIGHT_TOUR_S = 180 * 60.0
"""The island's own tour on a night there (3 h): the part of its day-trip visit a part-day holds; the rest of the
island day is the evening and morning spent on it."""

BASE_TOWN_S = 20 * 60.0
"""Hubs this close to the start (either way) are the start's own town: a short stay's base (:func:`_stay_night_hubs`)."""


def _stay_night_hubs(sec: np.ndarray, s: int, hubs: tuple[int, ...], night: int, days: int,
                     reach: float = float("inf")) -> tuple[int, ...]:
    """The hubs night ``night`` (1 = after day 1) of a stay around ``s`` may use: within ``night`` ×
    :data:`AROUND_START_REACH_S` of the start going out and ``days − night`` × it coming back, so the nights form a
    loop that comes home by day trips' steps (all of ``hubs`` when none is that close).

    Why: a stay's reach grows with its days (:func:`_stay_reach`), and the nights were free within it — a 14-day
    stay from Đà Nẵng slept its last night in Quy Nhơn and spent day 14 on a 6.9-h drive home with one stop, or
    crossed the Hải Vân pass back and forth; a tour designer's long round trip goes out and comes back.

    A stay whose places all lie within the day-trip reach (``reach`` = :data:`AROUND_START_REACH_S`: the area
    around the start fills its days) is based at the start: its nights stay in the start's town (hubs within
    :data:`BASE_TOWN_S`), and everything else is a day trip — "3 days in Huế" slept in Đông Hà and Đà Nẵng and drove
    11 h (a review); programmes of a city stay base there."""
    if reach <= AROUND_START_REACH_S:
        base = tuple(h for h in hubs if max(float(sec[s, h]), float(sec[h, s])) <= BASE_TOWN_S)
        if base:
            return base
    out = tuple(h for h in hubs if float(sec[s, h]) <= night * AROUND_START_REACH_S
                and float(sec[h, s]) <= (days - night) * AROUND_START_REACH_S)
    return out or hubs


def _sunset_s(place, day) -> float:
    """Seconds after midnight of sunset at ``place`` on ``day`` (``geo.daylight``)."""
    down = daylight(place.lat, place.lon, day)[1]  # geo.daylight rounds the point itself
    return down.hour * 3600.0 + down.minute * 60.0


def _outside_the_stay(stay: bool, sec: np.ndarray, s: int, i: int, reach: float = AROUND_START_REACH_S) -> bool:
    """Is node ``i`` beyond ``reach`` (:func:`_stay_reach`, either way) of a stay around the start ``s``? Always False
    when the request is not such a stay (``stay``: ``PlanRequest.stays_around_start``)."""
    return stay and max(float(sec[s, i]), float(sec[i, s])) > reach


def _beyond_the_stay(seconds: float, reach: float = AROUND_START_REACH_S) -> tuple[str, str]:
    """The reason a place is left out of a stay around the start (:func:`_stay_reach`)."""
    h = reach / 3600
    return (f"{seconds / 3600:.1f} h from the start (a stay within {h:g} h of it) — name its province or add it "
            f"as a must-visit to go there",
            f"cách điểm xuất phát {dec(seconds / 3600, 1, 'vi')} giờ (chỉ đi trong vòng {dec(h, None, 'vi')} giờ) — "
            f"nêu tỉnh của nó hoặc "
            f"thêm vào danh sách bắt buộc để đến đó")


def _beyond_a_day(sec: np.ndarray, i: int, ends: list[int], service: float, span: float) -> bool:
    """Could no day reach place ``i`` and get back even if it were open all day: the nearest day start (the trip's
    ends, every hub) + the visit + the nearest day end is longer than the day. Then a place whose hours also rule it
    out is reported as too far (the reason that holds whatever its hours), not as closed: a Huế day listed the
    Monday closures of Hồ Chí Minh City's museums."""
    out = float(np.min(sec[ends, i]))
    back = float(np.min(sec[i, ends]))
    return out + service + back > span


TRIP_REACH_SLACK = 1.2
"""Slack on :func:`_within_the_trip`'s bound: estimated legs are not exactly additive (a leg via a third town can be
a few per cent shorter than the direct estimate), so a hub is dropped only when it is clearly out of reach."""


def _within_the_trip(sec: np.ndarray, s: int, e: int, h: int, req: PlanRequest) -> bool:
    """Could some night k of this trip be at hub ``h``: start → ``h`` within k days and ``h`` → end within the
    remaining days, at the daily driving cap (with :data:`TRIP_REACH_SLACK`)? A necessary condition only, and
    cheap: 3 days from Hồ Chí Minh City to Phan Thiết cannot sleep in Hội An (two days' drive each way), so Hội An's
    boats and closures are not that trip's news and the search does not try its nights."""
    day = req.driving_cap_minutes * 60.0 * TRIP_REACH_SLACK
    out, back = float(sec[s, h]), float(sec[h, e])
    return any(out <= k * day and back <= (req.days - k) * day for k in range(1, req.days))


def _along_the_way(sec: np.ndarray, s: int, e: int, h: int) -> bool:
    direct = float(sec[s, e])
    fixed, share = ALONG_THE_WAY_DETOUR
    return float(sec[s, h]) + float(sec[h, e]) - direct <= max(fixed, share * direct)


def build_model(req: PlanRequest, ctx: PlanningContext) -> _Model:
    """Turn the request into an :class:`OrienteeringProblem` (no solving)."""
    cat = ctx.catalogue
    profile = req.profile
    warnings: list[str | tuple[str, str]] = []  # (en, vi) notes, or strings that read the same in both
    excluded: list[Exclusion] = []
    stay = req.stays_around_start  # a round trip that names nowhere: places and nights near its start
    if req.start_date < date.today():
        warnings.append((f"the trip starts on {req.start_date:%d/%m/%Y}, in the past: it is planned with today's "
                         f"hours, fees, roads and boat seasons",
                         f"chuyến đi bắt đầu ngày {req.start_date:%d/%m/%Y}, đã qua: lịch trình dùng giờ mở cửa, giá "
                         f"vé, đường sá và mùa tàu hiện nay"))

    start_place, start_poi = _endpoint_place(req.start, cat, "start")
    end_place, end_poi = _endpoint_place(req.end or req.start, cat, "end")

    # --- overnight hubs -------------------------------------------------------------------------------------
    hub_ids: list[str]
    if req.overnight.mode == "fixed":
        hub_ids = list(dict.fromkeys(req.overnight.fixed))
    else:
        hub_ids = list(req.overnight.candidates) or list(cat.hubs().records)
        hub_ids = list(dict.fromkeys(hub_ids + list(req.overnight.pinned.values())))
    for hid in hub_ids:
        field = ("overnight.fixed" if hid in req.overnight.fixed else "overnight.pinned"
                 if hid in req.overnight.pinned.values() else "overnight.candidates")
        if hid not in cat:
            raise PlanningError(f"overnight: no place with id {hid!r} in the catalogue", field=field)
        if not _can_sleep_at(cat.get(hid)):
            p = cat.get(hid)
            raise PlanningError(
                f"{field}: {p.name_en} ({hid}) is a {p.category} place ({p.subcategory}), not somewhere to spend "
                f"the night — name a lodging hub (touroute pois list --category lodging) or a hotel or resort",
                field=field)
    # A trip cannot start or end on an island (the boats are planned from the mainland); a night there is an island
    # stay (touroute.islands) when the request fixes or pins it.
    forced = [("start", start_place), ("end", end_place)]
    for role, pl in forced:
        for link in ctx.router.ferries:
            if link.on_island(pl.lat, pl.lon):
                raise PlanningError(
                    f"{role}: {pl.name or pl.id} is on {link.island}, reachable only by boat; touroute plans island "
                    f"visits from {link.from_port} — start and end on the mainland (a night on the island: pin "
                    f"its hub, overnight.pinned)", field=role)
    stays, stay_problems, stay_warnings = islands.plan_stays(req, cat, ctx.router.ferries)
    warnings.extend(stay_warnings)
    stay_links = {s.link.id for s in stays}
    # --- candidates ------------------------------------------------------------------------------------------
    must = list(dict.fromkeys(list(req.must_visit) + [lk.place_id for lk in req.locks]))
    for pid in must + list(req.exclude):
        if pid not in cat:
            where = ("exclude" if pid in req.exclude else "must_visit" if pid in req.must_visit else "locks")
            raise PlanningError(f"must_visit/exclude/locks: {cat_get_error(cat, pid)}", field=where)
    pool = cat.filter(category=[c for c in req.categories if c != "lodging"] or None,
                      province=req.provinces or None,
                      province_era="legacy" if req.province_scheme == "legacy" else "auto",
                      tags=req.tags or None, min_popularity=req.min_popularity)
    cand_ids = [pid for pid in pool.records if cat.get(pid).category != "lodging"]
    for pid in must:
        if is_access_point(cat.get(pid)):
            raise PlanningError(f"must_visit: {pid} is a pier, port or ticket office — where a visit starts, not a "
                                f"sight; ask for the place it serves instead", field=_must_field(req, pid))
    cand_ids = [pid for pid in cand_ids if not is_access_point(cat.get(pid))]
    for pid in must:
        if pid not in cand_ids:
            if cat.get(pid).category == "lodging":
                raise PlanningError(f"must_visit: {pid} is a lodging hub, not a place to visit — use overnight.pinned",
                                    field=_must_field(req, pid))
            cand_ids.append(pid)
    endpoint_ids = {start_place.id, end_place.id}
    final: list[str] = []
    for pid in cand_ids:
        poi = cat.get(pid)
        if pid in req.exclude:
            excluded.append(_exclusion(poi, "excluded"))
            continue
        if poi.part_of in req.exclude and pid not in must:
            # visiting Hội An's old houses is visiting the Ancient Town the request left out
            whole = cat.get(poi.part_of)
            excluded.append(_exclusion(poi, "excluded", f"part of {whole.name_en}, which the request excludes",
                                       f"thuộc {whole.name_vi}, nơi yêu cầu đã loại"))
            continue
        if pid in endpoint_ids:
            continue
        seats = known_seats(poi)
        if poi.category == "mice" and seats is not None and seats < req.group_size:
            if pid in must:
                raise PlanningError(f"must_visit: {poi.name_en} seats {seats}, fewer than the group of "
                                    f"{req.group_size}", field=_must_field(req, pid))
            excluded.append(_exclusion(poi, "capacity", f"{seats} seats < {req.group_size}",
                                       f"{seats} chỗ < {req.group_size} khách"))
            continue
        final.append(pid)
    # Components of a site (palaces of the Imperial City, old houses of Hội An) are seen during the site's visit:
    # plan the whole and list the parts as included, unless the whole is not a candidate.
    in_final = set(final)
    parts = [pid for pid in final if cat.get(pid).part_of in in_final and pid not in must]
    for pid in parts:
        poi = cat.get(pid)
        whole = cat.get(poi.part_of)
        excluded.append(_exclusion(poi, "included", f"part of {whole.name_en}", f"thuộc {whole.name_vi}"))
    final = [pid for pid in final if pid not in set(parts)]

    # Island places are reached by scheduled boats: group them into one excursion per ferry link.
    excursions: list[_Excursion] = []
    for link in ctx.router.ferries:
        island = [cat.get(pid) for pid in final if link.on_island(cat.get(pid).lat, cat.get(pid).lon)]
        if not island or link.id in stay_links:  # a night on the island: its places are ordinary stops
            continue
        final = [pid for pid in final if pid not in {p.id for p in island}]
        exc = _build_excursion(link, island, req, cat, frozenset(must)) if req.use_ferries else None
        if exc is None:
            detail = "ferries disabled in the request" if not req.use_ferries else "no usable boat timetable"
            for p in island:
                if p.id in must:
                    raise PlanningError(f"must_visit: {p.name_en} lies on {link.island}, reachable only by boat "
                                        f"({detail})", field=_must_field(req, p.id))
                excluded.append(_exclusion(p, "ferry", detail, "không có tàu phù hợp"))
            continue
        excursions.append(exc)
        for p in exc.skipped:
            excluded.append(_exclusion(p, "included", f"no time for it on the {link.island} day trip",
                                       f"không đủ thời gian trong chuyến ra {link.island}"))
    island_hubs = [h for h in hub_ids if any(l.on_island(cat.get(h).lat, cat.get(h).lon) for l in ctx.router.ferries)]
    if island_hubs and req.overnight.mode != "fixed":
        hub_ids = [h for h in hub_ids if h not in island_hubs and h not in req.overnight.pinned.values()] + [
            h for h in hub_ids if h in req.overnight.pinned.values()]

    # --- nodes: start, end, hubs, candidates -----------------------------------------------------------------
    places: list[Place] = []
    pois: list[Poi | None] = []
    index: dict[str, int] = {}

    def add(place: Place, poi: Poi | None) -> int:
        if place.id in index:
            return index[place.id]
        index[place.id] = len(places)
        places.append(place)
        pois.append(poi)
        return index[place.id]

    s_node = add(start_place, start_poi)
    e_node = add(end_place, end_poi)
    hubs = [add(Place(h, cat.get(h).lat, cat.get(h).lon, cat.get(h).name_vi), cat.get(h)) for h in hub_ids]
    cands = [add(Place(p, *cat.get(p).road_point, cat.get(p).name_vi), cat.get(p)) for p in final]
    exc_nodes: dict[int, _Excursion] = {}
    for exc in excursions:
        k = add(Place(exc.id, exc.link.from_lat, exc.link.from_lon, exc.link.from_port), None)
        exc_nodes[k] = exc
        cands.append(k)
    islands.add_boat_nodes(stays, add)
    boat_proxy = {n: islands.port_proxy(cat, s.link) for s in stays for n in (s.out_node, s.back_node)}

    # --- travel matrix: reuse the cached catalogue matrix where possible ------------------------------------
    M = ctx.matrix(profile)
    keys = [exc_nodes[i].proxy_id if i in exc_nodes and exc_nodes[i].proxy_id else boat_proxy.get(i) or pl.id
            for i, pl in enumerate(places)]
    in_cat = [k in M._index for k in keys]
    if all(in_cat):
        rows = [M.index(k) for k in keys]
        sec = M.seconds[np.ix_(rows, rows)]
        met = M.metres[np.ix_(rows, rows)]
        matrix = M
        matrix_index = rows
    else:
        matrix = ctx.router.matrix(places, profile)
        sec, met = matrix.seconds, matrix.metres
        matrix_index = list(range(len(places)))
    warnings.extend(w for w in getattr(matrix, "warnings", ()) if any(pl.name in w for pl in places[:2]))
    islands.wire(stays, places, sec, met, ctx.router, profile, index, {s_node, e_node, *hubs})
    rests = None
    if profile == "coach":
        rests = with_driver_rests(sec) - sec
        sec = sec + rests
    elif profile == "motorbike":
        rests = with_driver_rests(sec, MOTORBIKE_MAX_CONTINUOUS_MINUTES, RIDER_REST_MINUTES) - sec
        sec = sec + rests

    # --- service, score, windows ---------------------------------------------------------------------------
    n = len(places)
    service = np.zeros(n)
    score = np.zeros(n)
    load = np.zeros(n)
    similar = np.full(n, -1, dtype=np.int64)
    similar_ids: dict[str, int] = {}
    windows: list[list[tuple[float, float]]] = [[] for _ in range(n)]
    weights = req.themes.model_dump()
    factor = PACE_VISIT_FACTOR[req.pace]
    open_s, close_s = _seconds_of(req.day_start), _seconds_of(req.day_end)
    unknown_hours: set[int] = set()
    locks = {lk.place_id: lk.day for lk in req.locks}
    province_of: dict[int, str] = {}
    reach = _stay_reach(sec, s_node, cands, pois, weights, req.days, req.pace) if stay else float("inf")
    # the rules count per group: each must-cover name is the area it means, the rest per province of the
    # request's scheme (provinces.rule_groups, docs/planner.md "Regional linkage")
    try:
        rgroups = prov.rule_groups(req.regional.must_cover, req.province_scheme)
    except prov.UnknownProvinceError as exc:
        raise PlanningError(f"regional.must_cover: {exc}", field="regional.must_cover") from None

    # nights: island hubs only for their own nights; a stay's reach; a journey's nights along the way. Computed
    # before the places' windows, so "too far from any possible start of day" counts only the days' possible starts
    pinned = dict(req.overnight.pinned)
    if req.overnight.mode == "fixed":
        pinned = {k + 1: h for k, h in enumerate(req.overnight.fixed)}
    free_hubs = tuple(h for h in hubs if h not in {s.hub_node for s in stays})  # island hubs: only their nights
    off_the_way: list[int] = []
    era = "legacy" if req.province_scheme == "legacy" else "auto"
    named = [{p.legacy for p in prov.resolve(nm, era)} for nm in req.provinces]  # as the candidates were filtered
    named += [set(rgroups.members(label)) for label in rgroups.covered]             # as the regional rules count
    journey = _is_journey(req, sec, s_node, e_node, {i: pois[i] for i in cands if pois[i] is not None},
                          [index[p] for p in must if p in index], named)
    free_hubs = tuple(h for h in free_hubs if not _outside_the_stay(stay, sec, s_node, h, reach))
    # hubs no night of the trip can reach at its driving cap; when that is every hub, the search's own "no chain of
    # overnight hubs" answer (and the planner's relaxations of a default cap) take over, as without this filter
    free_hubs = tuple(h for h in free_hubs if _within_the_trip(sec, s_node, e_node, h, req)) or free_hubs
    if journey:
        pinned_nodes = {index[h] for h in pinned.values() if h in index}
        off_the_way = [h for h in free_hubs if h not in pinned_nodes and not _along_the_way(sec, s_node, e_node, h)]
        free_hubs = tuple(h for h in free_hubs if h not in off_the_way)
    # where a day can start or end: the trip's ends, the hubs its nights may use, pinned nights, island nights
    day_ends = set(free_hubs) | {index[h] for h in pinned.values() if h in index} | {s.hub_node for s in stays}
    ends_of_days = sorted({s_node, e_node, *(day_ends if req.days > 1 else ())})

    for i, exc in exc_nodes.items():
        service[i] = exc.service_s
        score[i] = net_of_stop(sum(place_value(p, weights) for p in exc.pois))  # one stop: the boat trip
        load[i] = sight_units(MEAL_ON_SITE_MIN + 1)  # a boat day trip is the day's main event
        province_of[i] = exc.pois[0].province_legacy
        lock_days = {locks[p.id] for p in exc.pois if p.id in locks}
        off_days = [req.start_date + timedelta(days=d) for d in range(req.days)
                    if exc.link.suspended_on(req.start_date + timedelta(days=d))]
        stay_hubs = {s.hub_node for s in stays}  # an island hub is left by its own boat, never for a day trip
        exc.early = _early_boat(exc, [float(sec[h, i]) for h in {s_node, *hubs} - stay_hubs], open_s, close_s,
                                (10.0 + PACE_STOP_OVERHEAD_MIN[req.pace]) * 60.0)  # the shortest visit there is
        if exc.early is not None:  # the boat leaves before the day starts: start there for it, ashore as long
            service[i] = exc.service_s - (exc.early[1] - exc.early[0])
        for d in range(req.days):
            if lock_days and d + 1 not in lock_days:
                continue
            if req.start_date + timedelta(days=d) in off_days:
                continue
            if exc.early is not None:
                if service[i] > 0 and exc.early[1] + service[i] <= close_s:
                    windows[i].append((d * DAY + exc.early[1], d * DAY + exc.early[1]))
                continue
            for o in exc.out_times:
                t = o - exc.check_in_s
                if t >= open_s and t + exc.service_s <= close_s:
                    windows[i].append((d * DAY + t, d * DAY + t))
        # an island whose pier no day of this trip can reach is too far for it, whatever its boats' season says
        far = _beyond_a_day(sec, i, ends_of_days, exc.service_s, close_s - open_s)
        if not windows[i] and off_days:
            detail_en, detail_vi = islands.suspension_reason(exc.link, off_days, f"{exc.link.island} day trip",
                                                             f"chuyến ra {exc.link.island}") or ("", "")
            exc.closed = f"{detail_en} / {detail_vi}"
            for p in exc.pois:
                if p.id not in must:
                    excluded.append(_exclusion(p, "too_far") if far else
                                    _exclusion(p, "ferry", detail_en, detail_vi))
        elif not windows[i]:
            for p in exc.pois:
                if p.id not in must:
                    excluded.append(_exclusion(p, "too_far") if far else
                                    _exclusion(p, "ferry", f"boats leave {exc.link.from_port} at "
                                                           f"{', '.join(_hhmm(o) for o in exc.out_times)}",
                                               f"tàu rời {exc.link.from_port} lúc "
                                               f"{', '.join(_hhmm(o) for o in exc.out_times)}"))
    for i, exc in exc_nodes.items():  # an island day trip whose pier is beyond a stay's reach
        if _outside_the_stay(stay, sec, s_node, i, reach):
            windows[i] = []
            said = {e.place_id for e in excluded}  # the boats' season already gave a reason
            for p in exc.pois:
                if p.id not in said:
                    excluded.append(_exclusion(p, "outside_stay", *_beyond_the_stay(sec[s_node, i], reach)))
    for i in cands:
        if i in exc_nodes:
            continue
        poi = pois[i]
        assert poi is not None
        # a place reached only by cable car / boat carries that access: its round trip is part of the visit
        access_min = float(poi.access.minutes) if poi.access is not None else 0.0
        service[i] = (max(10.0, round(poi.visit_minutes * factor / 5.0) * 5.0) + PACE_STOP_OVERHEAD_MIN[req.pace]
                      + access_min) * 60.0
        score[i] = stop_value(poi, weights)
        load[i] = sight_units(poi.visit_minutes)
        key = similarity_key(poi)
        if key is not None:
            similar[i] = similar_ids.setdefault(key, len(similar_ids))
        if poi.id in must and score[i] <= 0:
            score[i] = 1.0
        if poi.opening_hours and not _readable_hours(poi, req.start_date):
            warnings.append(f"{poi.id}: opening_hours {poi.opening_hours!r} cannot be read — treated as unknown")
            poi = poi.model_copy(update={"opening_hours": None})
        if not poi.opening_hours:
            unknown_hours.add(i)
        if _outside_the_stay(stay, sec, s_node, i, reach):
            excluded.append(_exclusion(poi, "outside_stay", *_beyond_the_stay(sec[s_node, i], reach)))
            continue
        for d in range(req.days):
            if poi.id in locks and locks[poi.id] != d + 1:
                continue
            day = req.start_date + timedelta(days=d)
            windows[i].extend(_day_windows(poi, day, d * DAY, open_s, close_s, service[i]))
        if not windows[i]:
            if poi.id in must:
                continue  # the explanation below names it
            if _beyond_a_day(sec, i, ends_of_days, service[i], close_s - open_s):
                excluded.append(_exclusion(poi, "too_far"))
            else:
                # a place closed for a reason the hours cannot say (abandoned since 2018, off limits to tourists)
                # gives that reason, with its source, rather than only "closed on every day"
                note = poi.closure_note or ""
                off = (poi.opening_hours or "").strip().lower() == "off"
                excluded.append(_exclusion(poi, "closed", note, poi.closure_note_vi or note,
                                           _CLOSED_TO_VISITORS if off else None))
    # hotels: windows are irrelevant but must not be empty for checker symmetry
    for h in {s_node, e_node, *hubs}:
        windows[h] = [(0.0, req.days * DAY)]
    # a night on an island spreads its day over two part-days (boat in after lunch, out the next noon): the island
    # itself (its whole-day record, Cù Lao Chàm's 5 h) is toured in one of them — without the cap a night there saw
    # nothing of it, as no part-day held the 5 h (a review)
    for st in stays:
        for node in st.island_nodes:
            poi = pois[node] if node < len(pois) else None
            # the island itself, not an islet off it reached by its own boat (Đảo Bé's canoe: a visit of its own)
            if (poi is not None and poi.subcategory == "island" and poi.access is None
                    and service[node] > ISLAND_NIGHT_TOUR_S):
                service[node] = ISLAND_NIGHT_TOUR_S
    stay_problems += islands.boat_windows(stays, windows, service, open_s, close_s)

    # --- routes ------------------------------------------------------------------------------------------------
    brk = None
    routes: list[RouteSpec] = []

    def night_hubs(night: int) -> tuple[int, ...]:
        if stay and not stays:  # a stay around its start comes home by steps (island nights have their own)
            return _stay_night_hubs(sec, s_node, free_hubs, night, req.days, reach)
        return free_hubs

    for d in range(req.days):
        t0 = d * DAY
        starts = (s_node,) if d == 0 else (tuple([index[pinned[d]]]) if d in pinned else night_hubs(d))
        ends = ((e_node,) if d == req.days - 1 else
                (tuple([index[pinned[d + 1]]]) if d + 1 in pinned else night_hubs(d + 1)))
        if req.lunch:
            lo = t0 + _seconds_of(req.lunch.earliest)
            hi = t0 + _seconds_of(req.lunch.latest_end) - req.lunch.minutes * 60.0
            brk = BreakSpec(req.lunch.minutes * 60.0, lo, hi)
        end_s = close_s
        if profile == "motorbike":  # no riding after dark: the day ends by sunset (the earlier of the trip's ends)
            day = req.start_date + timedelta(days=d)
            down = min(_sunset_s(places[s_node], day), _sunset_s(places[e_node], day))
            end_s = min(close_s, max(open_s + 3600.0, down))
            if d == 0 and end_s < close_s:
                warnings.append((f"motorbike days end by sunset ({_hhmm(end_s)} on day 1), not "
                                 f"{req.day_end:%H:%M}: no riding after dark",
                                 f"ngày đi xe máy kết thúc trước khi mặt trời lặn ({_hhmm(end_s)} ngày 1), không "
                                 f"phải {req.day_end:%H:%M}: không chạy xe khi trời tối"))
        routes.append(RouteSpec(starts, ends, t0 + open_s, t0 + end_s, req.driving_cap_minutes * 60.0, brk,
                                max_load=float(PACE_SIGHTS_PER_DAY[req.pace])))

    # --- groups: provinces ---------------------------------------------------------------------------------------
    province_of.update({i: pois[i].province_legacy for i in cands if i not in exc_nodes})  # type: ignore[union-attr]
    group_index = {nm: k for k, nm in enumerate(rgroups.labels)}
    groups = np.full(n, -1, dtype=np.int64)
    for i, pv in province_of.items():
        groups[i] = group_index[rgroups.group_of[pv]]
    gmin: dict[int, int] = {group_index[label]: max(1, req.regional.min_stops_per_province)
                            for label in rgroups.covered}

    must_nodes = {index[p] for p in must if p in index}
    must_nodes |= {i for i, exc in exc_nodes.items() if any(p.id in must for p in exc.pois)}
    must_nodes |= {n for s in stays for n in (s.out_node, s.back_node)}  # the boats of an island night
    mandatory = frozenset(i for i in must_nodes if windows[i])
    # Lunch is part of a boat day trip and of a visit of four hours or more (eaten on site).
    meal = np.zeros(n, dtype=np.int8)
    for i in cands:
        if i in exc_nodes or service[i] >= MEAL_ON_SITE_MIN * 60.0:
            meal[i] = 1
    problem = OrienteeringProblem(sec, service, score, windows, routes, chained=True, mandatory=mandatory, meal=meal,
                                  groups=groups, group_min_visits=gmin, group_max_visits={}, seed=req.solver.seed,
                                  name="touroute", load=load, similar=similar, similar_decay=SIMILAR_DECAY,
                                  travel_cost=DRIVING_COST_PER_HOUR / 3600.0,
                                  hotel_remaining=sec[:, e_node].copy() if journey else None,
                                  hotel_backtrack=JOURNEY_BACKTRACK_S)
    return _Model(problem, places, pois, sec, met, matrix_index, matrix, hubs, s_node, e_node, cands, province_of,
                  group_index, excluded, warnings, unknown_hours, exc_nodes, rests, rule_groups=rgroups,
                  stays=stays, problems=stay_problems, off_the_way=off_the_way,
                  stay_reach=reach if stay else None)


def cat_get_error(cat: Catalogue, pid: str) -> str:
    try:
        cat.get(pid)
    except KeyError as exc:
        return exc.args[0]
    return ""
