"""From a request to an itinerary: the planning model on top of the catalogue, the travel matrix and the solver.

The mapping (documented in docs/planner.md):

* one **route per day** on one absolute clock (seconds since 00:00 of the first day), ``[day_start, day_end]``;
* **lodging**: day 1 starts at the start place, the last day ends at the end place, every other day ends at one of
  the candidate hubs and the next day starts there (``chained``) — the optimiser chooses the nights unless the
  request fixes or pins them;
* **opening hours** become start-of-visit windows per day (the visit must end before closing); places whose hours
  are unknown are treated as open during the day and flagged;
* **lunch** is the route break; the **driving cap** is the route's travel limit;
* **ferries**: island places can only be visited between the first boat out (+ crossing) and the last boat back;
  a night pinned to an island hub is an island stay with mandatory boat nodes (``touroute.islands``);
* **regional rules** are province groups with minimum visits; the rules that are not counts (minimum hours,
  maximum share) are exact constraints of the CP-SAT master problem (``solve.master``), with re-solving under
  tightened counts as the fallback when it finds nothing; all are verified after solving;
* **long trips** (and share / hour rules) take their overnight hubs from the master problem instead of enumerating
  every chain of hubs (:func:`use_master`);
* **locks** restrict a place's windows to its day and make it mandatory.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta
import math
import re
from typing import Any

import numpy as np

from . import islands
from . import provinces as prov
from .errors import TourouteException
from .evenings import add_evenings
from .itinerary import (DayPlan, Endpoint, Exclusion, Itinerary, ItineraryCosts, ItineraryLeg, ItineraryStop,
                        Totals)
from .matrix import Place, TravelMatrix, TravelTimes, catalogue_matrix
from .model import (COACH_MAX_CONTINUOUS_MINUTES, COACH_MAX_DRIVING_MINUTES, DEFAULT_DRIVING_MINUTES,
                    DEFAULT_VEHICLE_COST_PER_KM, DRIVER_REST_MINUTES, PACE_SIGHTS_PER_DAY, PACE_STOP_OVERHEAD_MIN, PACE_VISIT_FACTOR, SIGHT_UNIT_MINUTES, PlanRequest)
from .pois import (STALE_AFTER_YEARS, Catalogue, Poi, default_catalogue, haversine_m,
                   is_access_point, known_seats, open_intervals)
from .solve import BreakSpec, OrienteeringProblem, RouteSpec, Solution, check
from .solve.master import MasterRules
from .solve.solution import route_fits

DAY = 86_400.0
MEAL_ON_SITE_MIN = 240.0
"""Visits at least this long include lunch on site (theme parks, island trips) instead of a separate break."""


VALUE_EXPONENT = 2.0
"""A place's value is ``theme weight × 100 × (attractiveness / 100) ** VALUE_EXPONENT``: value grows faster than
attractiveness, so one must-see (100 → 100) beats several minor stops (30 → 9 each). Chosen on the tuning
programmes of ``benchmarks/bench_itineraries.py`` (BENCHMARKS.md, "Expert itineraries")."""
SIMILAR_DECAY = 0.5
"""The k-th best visit of one kind of sight (royal tombs, pagodas, beaches …) or of one site cluster in a day keeps
``SIMILAR_DECAY ** k`` of its value: the second tomb of a day is worth half, the fourth an eighth."""
HEADLINE_MIN_ATTRACTIVENESS = 70.0
"""Attractiveness from which a place is a headline site (``Poi.headline``): kept in a plan that passes near it, or its
omission explained with what keeping it would have cost."""
DRIVING_COST_PER_HOUR = 4.0
"""Value a traveller gives up for each hour on the road (on the scale where the Imperial City is worth 100): a far
sight must be worth its drive. 5 h of driving to see one site cost as much as a site of attractiveness 45."""


def attractiveness(poi: Poi) -> float:
    """A place's attractiveness (1–100) from the catalogue's evidence; the legacy 1–10 popularity × 10 for a
    catalogue without the evidence file."""
    value = getattr(poi, "attractiveness", None)
    return float(value) if value is not None else float(poi.popularity) * 10.0


def place_value(poi: Poi, weights: dict[str, float]) -> float:
    """What a visit of ``poi`` is worth to this traveller (see :data:`VALUE_EXPONENT`)."""
    return weights.get(poi.category, 0.0) * 100.0 * (attractiveness(poi) / 100.0) ** VALUE_EXPONENT


def sight_units(minutes: float) -> int:
    """Sight units of a visit of ``minutes`` (:data:`touroute.model.SIGHT_UNIT_MINUTES`)."""
    return 1 + sum(1 for bound in SIGHT_UNIT_MINUTES if minutes > bound)


def similarity_key(poi: Poi) -> str | None:
    """Visits of one kind in one day give diminishing returns: components of one site share their site's key,
    other sights share their subcategory (royal tombs, pagodas, beaches …). MICE venues are business, not sights."""
    if poi.category in ("mice", "lodging"):
        return None
    return f"site:{poi.part_of}" if poi.part_of else f"kind:{poi.subcategory}"


def with_driver_rests(seconds: np.ndarray) -> np.ndarray:
    """Coach legs with the drivers' legal rest: :data:`DRIVER_REST_MINUTES` for every full
    :data:`COACH_MAX_CONTINUOUS_MINUTES` of driving in one leg (a stop on the way, not a sight)."""
    block = COACH_MAX_CONTINUOUS_MINUTES * 60.0
    return seconds + np.floor(seconds / block) * DRIVER_REST_MINUTES * 60.0


class PlanningError(TourouteException):
    """The request refers to something that does not exist (unknown place id, hub that is not a hub …)."""


@dataclass
class PlanningContext:
    """What planning needs, loaded once per process: the catalogue, the road networks and cached matrices.

    The web app keeps one context for its lifetime; the CLI builds one per run.
    """

    catalogue: Catalogue = field(default_factory=default_catalogue)
    router: TravelTimes | None = None
    data_dir: str | None = None
    _matrices: dict[str, TravelMatrix] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:  # the catalogue's own repr runs to hundreds of kB (logs, test reports)
        return f"PlanningContext({len(self.catalogue)} places, data_dir={self.data_dir!r})"

    def __post_init__(self) -> None:
        if self.router is None:
            self.router = TravelTimes.from_cache(data_dir=self.data_dir)

    def matrix(self, profile: str) -> TravelMatrix:
        """The whole-catalogue matrix of ``profile`` (disk-cached, then kept in memory)."""
        if profile not in self._matrices:
            self._matrices[profile] = catalogue_matrix(profile, router=self.router, catalogue=self.catalogue,
                                                       data_dir=self.data_dir)
        return self._matrices[profile]


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
    "capacity": ("its published capacity is smaller than the group", "sức chứa công bố nhỏ hơn số khách của đoàn"),
    "low_score": ("reachable, but other places were worth more for the time it would take",
                  "đến được, nhưng các điểm khác đáng giá hơn trong cùng thời gian"),
    "excluded": ("excluded by the request", "bị loại theo yêu cầu"),
    "group_limit": ("its province already has the most stops the regional rules allow",
                    "tỉnh này đã đủ số điểm tối đa theo quy tắc liên kết vùng"),
    "ferry": ("no boat schedule lets a visit fit on any day", "lịch tàu không cho phép tham quan trong ngày nào"),
    "included": ("seen as part of a larger site's visit", "đã nằm trong chuyến tham quan một khu di tích lớn hơn"),
}


def _exclusion(poi: Poi, reason: str, detail_en: str = "", detail_vi: str = "") -> Exclusion:
    en, vi = _REASON_TEXT[reason]
    return Exclusion(place_id=poi.id, name_vi=poi.name_vi, name_en=poi.name_en, reason=reason,
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
    warnings: list[str]
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

    @property
    def boats(self) -> dict[int, islands.IslandStay]:
        return {n: s for s in self.stays for n in (s.out_node, s.back_node)}


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


def _day_windows(poi: Poi, day: date, t0: float, open_s: float, close_s: float,
                 service: float) -> list[tuple[float, float]]:
    """Start-of-visit windows of ``poi`` on ``day`` (absolute seconds); the visit must end before it closes."""
    if poi.opening_hours:
        spans = [(a * 60.0, b * 60.0) for a, b in open_intervals(poi.opening_hours, day)]
    else:
        spans = [(0.0, DAY)]
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

    @property
    def id(self) -> str:
        return f"ferry:{self.link.id}"


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
    seen, skipped, used = [], [], 0.0
    for p in island:
        need = (p.visit_minutes * factor + overhead) * 60.0
        if not seen or used + need <= on_island:
            seen.append(p)
            used += need
        else:
            skipped.append(p)
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


def build_model(req: PlanRequest, ctx: PlanningContext) -> _Model:
    """Turn the request into an :class:`OrienteeringProblem` (no solving)."""
    cat = ctx.catalogue
    profile = req.profile
    warnings: list[str] = []
    excluded: list[Exclusion] = []

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
        if hid not in cat:
            raise PlanningError(f"overnight: no place with id {hid!r} in the catalogue", field="overnight.pinned")
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
    cands = [add(Place(p, cat.get(p).lat, cat.get(p).lon, cat.get(p).name_vi), cat.get(p)) for p in final]
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
    for i, exc in exc_nodes.items():
        service[i] = exc.service_s
        score[i] = sum(place_value(p, weights) for p in exc.pois)
        load[i] = sight_units(MEAL_ON_SITE_MIN + 1)  # a boat day trip is the day's main event
        province_of[i] = exc.pois[0].province_legacy
        lock_days = {locks[p.id] for p in exc.pois if p.id in locks}
        off_days = [req.start_date + timedelta(days=d) for d in range(req.days)
                    if exc.link.suspended_on(req.start_date + timedelta(days=d))]
        for d in range(req.days):
            if lock_days and d + 1 not in lock_days:
                continue
            if req.start_date + timedelta(days=d) in off_days:
                continue
            for o in exc.out_times:
                t = o - exc.check_in_s
                if t >= open_s and t + exc.service_s <= close_s:
                    windows[i].append((d * DAY + t, d * DAY + t))
        if not windows[i] and off_days:
            detail_en, detail_vi = islands.suspension_reason(exc.link, off_days, f"{exc.link.island} day trip",
                                                             f"chuyến ra {exc.link.island}") or ("", "")
            exc.closed = f"{detail_en} / {detail_vi}"
            for p in exc.pois:
                if p.id not in must:
                    excluded.append(_exclusion(p, "ferry", detail_en, detail_vi))
        elif not windows[i]:
            for p in exc.pois:
                if p.id not in must:
                    excluded.append(_exclusion(p, "ferry", f"boats leave {exc.link.from_port} at "
                                                           f"{', '.join(_hhmm(o) for o in exc.out_times)}",
                                               f"tàu rời {exc.link.from_port} lúc "
                                               f"{', '.join(_hhmm(o) for o in exc.out_times)}"))
    for i in cands:
        if i in exc_nodes:
            continue
        poi = pois[i]
        assert poi is not None
        # a place reached only by cable car / boat carries that access: its round trip is part of the visit
        access_min = float(poi.access.minutes) if poi.access is not None else 0.0
        service[i] = (max(10.0, round(poi.visit_minutes * factor / 5.0) * 5.0) + PACE_STOP_OVERHEAD_MIN[req.pace]
                      + access_min) * 60.0
        score[i] = place_value(poi, weights)
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
        for d in range(req.days):
            if poi.id in locks and locks[poi.id] != d + 1:
                continue
            day = req.start_date + timedelta(days=d)
            windows[i].extend(_day_windows(poi, day, d * DAY, open_s, close_s, service[i]))
        if not windows[i]:
            if poi.id in must:
                continue  # the explanation below names it
            excluded.append(_exclusion(poi, "closed"))
    # hotels: windows are irrelevant but must not be empty for checker symmetry
    for h in {s_node, e_node, *hubs}:
        windows[h] = [(0.0, req.days * DAY)]
    stay_problems += islands.boat_windows(stays, windows, service, open_s, close_s)

    # --- routes ------------------------------------------------------------------------------------------------
    brk = None
    routes: list[RouteSpec] = []
    pinned = dict(req.overnight.pinned)
    if req.overnight.mode == "fixed":
        pinned = {k + 1: h for k, h in enumerate(req.overnight.fixed)}
    free_hubs = tuple(h for h in hubs if h not in {s.hub_node for s in stays})  # island hubs: only their nights
    for d in range(req.days):
        t0 = d * DAY
        starts = (s_node,) if d == 0 else (tuple([index[pinned[d]]]) if d in pinned else free_hubs)
        ends = (e_node,) if d == req.days - 1 else (tuple([index[pinned[d + 1]]]) if d + 1 in pinned else free_hubs)
        if req.lunch:
            lo = t0 + _seconds_of(req.lunch.earliest)
            hi = t0 + _seconds_of(req.lunch.latest_end) - req.lunch.minutes * 60.0
            brk = BreakSpec(req.lunch.minutes * 60.0, lo, hi)
        routes.append(RouteSpec(starts, ends, t0 + open_s, t0 + close_s, req.driving_cap_minutes * 60.0, brk,
                                max_load=float(PACE_SIGHTS_PER_DAY[req.pace])))

    # --- groups: provinces ---------------------------------------------------------------------------------------
    province_of.update({i: pois[i].province_legacy for i in cands if i not in exc_nodes})  # type: ignore[union-attr]
    # the rules count per group: each must-cover name is the area it means, the rest per province of the
    # request's scheme (provinces.rule_groups, docs/planner.md "Regional linkage")
    try:
        rgroups = prov.rule_groups(req.regional.must_cover, req.province_scheme)
    except prov.UnknownProvinceError as exc:
        raise PlanningError(f"regional.must_cover: {exc}", field="regional.must_cover") from None
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
                                  travel_cost=DRIVING_COST_PER_HOUR / 3600.0)
    return _Model(problem, places, pois, sec, met, matrix_index, matrix, hubs, s_node, e_node, cands, province_of,
                  group_index, excluded, warnings, unknown_hours, exc_nodes, rests, rule_groups=rgroups,
                  stays=stays, problems=stay_problems)


def cat_get_error(cat: Catalogue, pid: str) -> str:
    try:
        cat.get(pid)
    except KeyError as exc:
        return exc.args[0]
    return ""


# ---------------------------------------------------------------------------------------------------------------
# Explanations of infeasibility with names and clock times
# ---------------------------------------------------------------------------------------------------------------
def _why_unserved(model: _Model, i: int, req: PlanRequest) -> str:
    """One sentence saying which constraint stops a must-visit place, with names and clock times."""
    P = model.problem
    poi = model.pois[i]
    exc = model.excursions.get(i)
    if exc:  # name the must-visits the boat trip carries, so the user recognises what they asked for
        must = set(req.must_visit) | {lk.place_id for lk in req.locks}
        wanted = [p.name_en for p in exc.pois if p.id in must] or [p.name_en for p in exc.pois[:1]]
        name = f"{', '.join(wanted)} ({exc.link.island} day trip)"
    elif i in model.boats:
        stay = model.boats[i]
        name = f"the boat {model.places[i].name} of the night on {stay.link.island} (island night)"
    else:
        name = poi.name_en if poi else model.places[i].name or model.places[i].id
    if not P.windows[i]:
        hours = poi.opening_hours if poi and poi.opening_hours else "unknown hours"
        return (f"must-visit {name} ({hours}) cannot be visited for {P.service[i] / 60:.0f} min between "
                f"{req.day_start:%H:%M} and {req.day_end:%H:%M} on any day of the trip "
                f"({req.start_date:%a %d %b} – {(req.start_date + timedelta(days=req.days - 1)):%a %d %b})")
    # Each day's timetable with only this visit, as the checker computes it (drive, waiting, lunch break): the
    # explanation names the first rule that breaks — never one the checker would not apply, nor miss the lunch.
    best: tuple[float, str] | None = None
    fits_alone: list[tuple[int, int, int]] = []
    for d, r in enumerate(P.routes):
        wins = [w for w in P.windows[i] if w[1] >= r.t_start and w[0] <= r.t_end]
        if not wins:
            continue
        close = max(b for _, b in wins)
        for s in r.start_nodes:
            for e in r.end_nodes:
                seq = islands.day_sequence(model.stays, d, s, i, e)  # with the boats of an island night
                if seq is None:
                    continue  # no such day: i is on an island the trip is not on that day (or the reverse)
                k = seq.index(i)
                sched, ok = route_fits(P, d, seq)
                if ok:
                    fits_alone.append((d, s, e))
                    continue
                here, back = sched.stops[k], sched.stops[-1].arrival
                brk = sched.break_
                lunch_before = brk is not None and brk.after < k
                with_lunch = f" and the {brk.duration / 60:.0f}-min lunch break" if lunch_before else ""
                with_lunch += " and the boat" if any(v in model.boats for v in seq[:k]) else ""
                drive = sum(float(P.travel[seq[q], seq[q + 1]]) for q in range(len(seq) - 1))
                to_i = sum(float(P.travel[seq[q], seq[q + 1]]) for q in range(k))
                missed = islands.missed_boat(model.stays, P, seq, sched.stops, name, d)
                if missed is not None:
                    gap, msg = missed
                elif here.arrival > close + P.eps:
                    gap = here.arrival - close
                    msg = (f"must-visit {name} must be entered by {_hhmm(close)} (closing / end of day minus a "
                           f"{P.service[i] / 60:.0f}-min visit) but day {d + 1} cannot reach it before "
                           f"{_hhmm(here.arrival)} from {model.places[s].name or model.places[s].id} "
                           f"({to_i / 3600:.1f} h drive{with_lunch})")
                elif back > r.t_end + P.eps:
                    gap = back - r.t_end
                    after = " and the lunch break" if brk is not None and brk.after == 1 else ""
                    msg = (f"must-visit {name}: visiting it on day {d + 1} ends at {_hhmm(here.departure)} and "
                           f"the drive on to {model.places[e].name or model.places[e].id}{after} arrives "
                           f"{_hhmm(back)}, after the day ends at {_hhmm(r.t_end)}")
                elif r.max_travel is not None and drive > r.max_travel + P.eps:
                    gap = drive - r.max_travel
                    msg = (f"must-visit {name}: the drive via it on day {d + 1} takes {drive / 3600:.1f} h, over "
                           f"the {r.max_travel / 3600:.1f} h daily driving cap")
                else:
                    gap = 0.0
                    msg = (f"must-visit {name}: on day {d + 1} the drive from "
                           f"{model.places[s].name or model.places[s].id} and the visit leave no time for the "
                           f"lunch break between {req.lunch.earliest:%H:%M} and {req.lunch.latest_end:%H:%M}"
                           if req.lunch else f"must-visit {name} does not fit day {d + 1}")
                if best is None or gap < best[0]:
                    best = (gap, msg)
    if fits_alone:
        asked = set(req.must_visit) | {lk.place_id for lk in req.locks}
        if len(asked) <= 1 and not req.regional.must_cover:
            d, s, e = fits_alone[0]
            between = (f" between {model.places[s].name or model.places[s].id} and "
                       f"{model.places[e].name or model.places[e].id}") if req.days > 1 else ""
            return (f"must-visit {name} fits day {d + 1}{between} on its own, but the search found no plan with "
                    f"it within the {req.solver.time_limit_s:g}-second time limit — allow more seconds "
                    f"(solver.time_limit_s)" + (" or pin the nights around it (overnight.pinned)"
                                                if req.days > 1 else ""))
        best = None
    if best is not None:
        return best[1]
    island = islands.unreachable_text(model.stays, i, name)
    if island:
        return island
    return (f"must-visit {name} is reachable on its own, but not together with the other must-visits, locks and "
            f"regional rules in the days available — drop one or add a day")


# ---------------------------------------------------------------------------------------------------------------
# Solve → itinerary
# ---------------------------------------------------------------------------------------------------------------
PLANNER_WORK_FACTOR = 0.72
"""The solver's search is bounded by a deterministic work budget (same input + seed ⇒ same plan) calibrated to
seconds on the published benchmark instances (≤ 290 nodes). A region-wide trip has ~440 nodes, several windows per
node and a lunch break every day, so one work unit takes longer; measured with benchmarks/bench_region.py, this
factor brings the solver's wall time back to the requested limit."""


RESOLVE_SHARE_WITH_DEADLINE = 0.4
"""Under a hard deadline (the web server), the share of the time limit kept for the re-solves that enforce the
regional rules which are not plain counts (``max_share_one_province``, ``min_visit_hours_per_province``)."""

MIN_RESOLVE_SECONDS = 0.3
"""Under a hard deadline, a re-solve is not started with less time than this before the deadline."""


def _solve(P: OrienteeringProblem, seconds: float, seed: int, initial: list[list[int]] | None,
           deadline: float | None = None) -> Solution:
    from .solve import Deadline, MaxRuntime, MaxWork, SolveParams, StoppingCriterion, optimise, seconds_to_work

    # deterministic work budget for ``seconds`` on region-sized problems, a wall-clock safety net well beyond it,
    # and the caller's hard deadline (web server) when there is one
    stop: StoppingCriterion = MaxWork(seconds_to_work(seconds) * PLANNER_WORK_FACTOR) | MaxRuntime(2.0 * seconds + 1.0)
    if deadline is not None:
        stop = stop | Deadline(deadline)
    return optimise(P, stop, SolveParams(seed=seed), initial=initial).solution


def _initial_routes(model: _Model, previous: Itinerary | None) -> list[list[int]] | None:
    """The previous itinerary as node routes of this model (places that no longer exist are dropped)."""
    if previous is None or not previous.feasible or len(previous.days) != len(model.problem.routes):
        return None
    index = {pl.id: k for k, pl in enumerate(model.places)}
    routes = []
    for day in previous.days:
        if day.start.place_id not in index or day.end.place_id not in index:
            return None
        routes.append([index[day.start.place_id], *(index[s.place_id] for s in day.stops if s.place_id in index),
                       index[day.end.place_id]])
    return routes


def _master_rules(model: _Model, req: PlanRequest) -> MasterRules:
    """The request's regional rules that are not counts, on the solver's groups and clock (seconds of service)."""
    rules = req.regional
    need: dict[int, float] = {}
    if rules.min_visit_hours_per_province > 0:
        for label in model.rule_groups.covered:
            need[model.group_index[label]] = rules.min_visit_hours_per_province * 3600.0
    return MasterRules(max_share=rules.max_share_one_province, min_service=need)


MASTER_MIN_DAYS = 6
"""From this many days on, ``plan`` chooses the overnight hubs with the master problem even without share / hour
rules (see :func:`use_master` and BENCHMARKS.md, "OR-Tools master problem")."""


def use_master(model: _Model, req: PlanRequest, initial: list[list[int]] | None = None) -> bool:
    """Where the master problem runs by default (decided on the tuning half of benchmarks/bench_master.py):
    requests with minimum hours per province (its exact constraints replace the re-solve loops) and long trips
    without a share cap (≥ :data:`MASTER_MIN_DAYS` days, where the hub chains are too many to enumerate). Not for re-plans after an edit (``initial``): those warm-start from the previous
    plan, which is faster and stays closer to it."""
    if initial is not None:
        return False
    rules = req.regional
    if rules.min_visit_hours_per_province > 0:
        return True
    # a share cap alone: the benchmark's tuning half met every cap without the master too, at about twice the
    # score (the master restricts the search to its coarse selection), so the re-solve path is kept for it
    return rules.max_share_one_province is None and req.days >= MASTER_MIN_DAYS


def _rule_notes(model: _Model, req: PlanRequest, sol: Solution) -> list[str]:
    """The final verification of the rules that are not counts: one note per rule the plan does not meet."""
    rules = req.regional
    notes = []
    mins = _province_minutes(model, sol)
    total = sum(mins.values()) or 1.0
    if rules.max_share_one_province is not None:
        for pv, m in mins.items():
            if m / total > rules.max_share_one_province + 1e-9:
                notes.append(f"regional rule not met: {pv} holds {m / total:.0%} of visit time "
                             f"(max {rules.max_share_one_province:.0%})")
    for label in model.rule_groups.covered:
        if mins.get(label, 0.0) < rules.min_visit_hours_per_province * 60 - 1e-6:
            notes.append(f"regional rule not met: {label} gets {mins.get(label, 0.0) / 60:.1f} h of visits "
                         f"(min {rules.min_visit_hours_per_province:g} h)")
    return notes


def _solve_with_rules(model: _Model, req: PlanRequest, initial: list[list[int]] | None = None,
                      deadline: float | None = None, master: bool | None = None) -> tuple[Solution, list[str]]:
    """Solve with the master problem where it runs (see :func:`use_master`), else — or when it finds nothing in
    its time slice — solve, then enforce the regional rules that are not plain counts by re-solving with tighter
    counts on a copy of the problem (the model's own problem is never changed).

    Without ``deadline`` each re-solve gets half the time limit (up to four rounds; the CLI, deterministic). With a
    ``deadline`` (absolute ``time.perf_counter()``, the web server's per-request limit) the first solve gets
    1 − :data:`RESOLVE_SHARE_WITH_DEADLINE` of the limit when re-solves may follow, every solve stops at the
    deadline and no re-solve starts with less than :data:`MIN_RESOLVE_SECONDS` left — a rule the time did not
    allow to enforce is reported in the notes like any other unmet rule.
    """
    import time
    from dataclasses import replace

    from .solve.ils import WORK_PER_SECOND
    from .solve.master import solve_with_master

    # a copy: the re-solves tighten its group counts, the model's problem keeps the user's rules for the check
    P = replace(model.problem, group_min_visits=dict(model.problem.group_min_visits),
                group_max_visits=dict(model.problem.group_max_visits))
    notes: list[str] = []
    budget = req.solver.time_limit_s
    rules = req.regional
    if master if master is not None else use_master(model, req, initial):
        t_master = time.perf_counter()
        msol = solve_with_master(P, budget, req.solver.seed, work=budget * WORK_PER_SECOND * PLANNER_WORK_FACTOR,
                                 rules=_master_rules(model, req), deadline=deadline)
        if msol is not None and msol.schedule and not msol.unserved_mandatory and not check(P, msol):
            return msol, _rule_notes(model, req, msol)
        # the master found nothing in its slice (or its plan lost a must-visit): today's path with the time left
        budget = max(0.5 * budget, budget - (time.perf_counter() - t_master))
    resolves = rules.max_share_one_province is not None or rules.min_visit_hours_per_province > 0
    first = budget * (1.0 - RESOLVE_SHARE_WITH_DEADLINE) if (deadline is not None and resolves) else budget
    sol = _solve(P, first, req.solver.seed, initial, deadline)
    if not resolves:
        return sol, notes
    for _round in range(4):
        limits = (dict(P.group_min_visits), dict(P.group_max_visits))  # what ``sol`` satisfies
        mins = _province_minutes(model, sol)
        total = sum(mins.values()) or 1.0
        changed = False
        if rules.max_share_one_province is not None:
            for pv, m in mins.items():
                if m / total > rules.max_share_one_province + 1e-9:
                    g = model.group_index[pv]
                    count = sum(1 for r in sol.routes for v in r if model.problem.groups[v] == g)
                    P.group_max_visits[g] = max(P.group_min_visits.get(g, 0), count - 1)
                    changed = True
        if rules.min_visit_hours_per_province > 0:
            for label in model.rule_groups.covered:
                if mins.get(label, 0.0) < rules.min_visit_hours_per_province * 60 - 1e-6:
                    g = model.group_index[label]
                    have = sum(1 for r in sol.routes for v in r if model.problem.groups[v] == g)
                    P.group_min_visits[g] = max(P.group_min_visits.get(g, 0), have + 1)
                    changed = True
        if not changed:
            return sol, notes
        seconds = max(1.0, budget / 2)
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left < MIN_RESOLVE_SECONDS:
                P.group_min_visits, P.group_max_visits = limits
                notes.append("the time limit ended before the regional rules could be enforced by re-solving")
                break
            seconds = min(seconds, left)
        new = _solve(P, seconds, req.solver.seed, None, deadline)
        if new.schedule and not new.unserved_mandatory and not check(P, new):
            sol = new
            continue
        # the re-solve did not find a valid plan under the tighter counts (stopped by the deadline, or the counts
        # cannot all be met): keep the last valid plan with the limits it meets; the rule is reported below
        P.group_min_visits, P.group_max_visits = limits
        if deadline is not None and new.stats.get("stopped_by_clock"):
            notes.append("the time limit ended before the regional rules could be enforced by re-solving")
        break
    return sol, notes + _rule_notes(model, req, sol)


def _province_minutes(model: _Model, sol: Solution) -> dict[str, float]:
    """Minutes of visits per rule group (:func:`touroute.provinces.rule_groups`), the unit the rules count in."""
    out: dict[str, float] = defaultdict(float)
    for r in sol.routes:
        for v in r:
            if v in model.province_of:  # not the boats of an island night
                out[model.rule_groups.group_of[model.province_of[v]]] += model.problem.service[v] / 60.0
    return dict(out)


def _endpoint(model: _Model, node: int) -> Endpoint:
    pl, poi = model.places[node], model.pois[node]
    return Endpoint(place_id=pl.id, name_vi=poi.name_vi if poi else pl.name, name_en=poi.name_en if poi else pl.name,
                    lat=pl.lat, lon=pl.lon, province_legacy=poi.province_legacy if poi else None,
                    province=poi.province if poi else None)


def _to_dt(req: PlanRequest, t: float) -> datetime:
    return datetime.combine(req.start_date, dtime(0, 0)) + timedelta(seconds=round(t))


def _itinerary(model: _Model, sol: Solution, req: PlanRequest, notes: list[str], geometry: bool) -> Itinerary:
    P = model.problem
    M = model.matrix
    days: list[DayPlan] = []
    visit_by_prov: dict[str, float] = defaultdict(float)
    nights_by_prov: dict[str, int] = defaultdict(int)
    fees, fees_unknown = 0.0, []
    total_m = est_m = drive_s = 0.0
    for d, sched in enumerate(sol.schedule):
        stops_raw = sched.stops
        legs: list[ItineraryLeg] = []
        stops: list[ItineraryStop] = []
        day_m = day_s = 0.0
        for k in range(len(stops_raw) - 1):
            a, b = stops_raw[k].node, stops_raw[k + 1].node
            shore = islands.leg_ends(model.stays, model.places, a, b)  # island side of a boat: not a matrix leg
            leg = M.leg(model.matrix_index[a], model.matrix_index[b]) if M is not None and shore is None else None
            secs, metres = float(model.seconds[a, b]), float(model.metres[a, b])
            rest = float(model.rests[a, b]) if model.rests is not None else 0.0
            arrive = stops_raw[k + 1].arrival
            depart = arrive - secs
            secs -= rest
            if a == b:
                continue
            legs.append(ItineraryLeg(
                from_id=model.places[a].id, to_id=model.places[b].id, depart=_to_dt(req, depart),
                arrive=_to_dt(req, arrive), seconds=secs, metres=metres, rest_seconds=rest,
                source=leg.source if leg else "estimate", ferry=leg.ferry if leg else None,
                network=leg.network if leg else None,
                geometry=leg.geometry() if (leg is not None and geometry) else list(shore) if shore else
                [(model.places[a].lat, model.places[a].lon), (model.places[b].lat, model.places[b].lon)]))
            day_m += metres
            day_s += secs
            if legs[-1].source == "estimate":
                est_m += metres
        boats = model.boats
        for st in stops_raw[1:-1]:
            if st.node in boats:
                stops.append(ItineraryStop(**islands.boat_stop(
                    boats[st.node], st.node, st, lambda t: _to_dt(req, t), _stay_hub(model, boats[st.node]))))
                continue
            exc = model.excursions.get(st.node)
            if exc is not None:
                stops.append(_excursion_stop(model, exc, st, req))
                visit_by_prov[exc.pois[0].province_legacy] += (st.departure - st.start) / 60.0
                for p in exc.pois:
                    if p.fee_vnd is None:
                        fees_unknown.append(p.id)
                    else:
                        fees += p.fee_vnd
                continue
            poi = model.pois[st.node]
            assert poi is not None
            seats = known_seats(poi) if poi.category == "mice" else None
            stops.append(ItineraryStop(
                place_id=poi.id, name_vi=poi.name_vi, name_en=poi.name_en, category=poi.category,
                subcategory=poi.subcategory, province_legacy=poi.province_legacy, province=poi.province,
                lat=poi.lat, lon=poi.lon, arrival=_to_dt(req, st.arrival), start=_to_dt(req, st.start),
                departure=_to_dt(req, st.departure), fee_vnd=poi.fee_vnd, fee_as_of=poi.fee_as_of,
                fee_domestic_vnd=poi.fee_domestic_vnd, opening_hours=poi.opening_hours,
                hours_as_of=poi.hours_as_of,
                hours_assumed=(None if st.node not in model.unknown_hours
                               else f"{req.day_start.strftime('%H:%M')}-{req.day_end.strftime('%H:%M')}"),
                closure_note=poi.closure_note, stale=poi.stale_facts(req.start_date),
                seats=seats, seats_unknown=poi.category == "mice" and seats is None,
                source=poi.source, score=float(P.score[st.node]),
                locked=any(lk.place_id == poi.id for lk in req.locks), access=poi.access))
            visit_by_prov[poi.province_legacy] += (st.departure - st.start) / 60.0
            if poi.fee_vnd is None:
                fees_unknown.append(poi.id)
            else:
                fees += poi.fee_vnd
            if poi.access is not None:  # the cable car / boat ticket, where it is not in the place's own fee
                if poi.access.fee_vnd is None:
                    fees_unknown.extend([] if poi.id in fees_unknown else [poi.id])
                else:
                    fees += poi.access.fee_vnd
        end_node = stops_raw[-1].node
        lodging = _endpoint(model, end_node) if d < req.days - 1 else None
        if lodging is not None and lodging.province_legacy:
            nights_by_prov[lodging.province_legacy] += 1
        lunch_start = None
        if sched.break_ is not None:
            lunch_start = _to_dt(req, sched.break_.start)
        days.append(DayPlan(day=d + 1, date=req.start_date + timedelta(days=d),
                            start=_endpoint(model, stops_raw[0].node), end=_endpoint(model, end_node),
                            depart=_to_dt(req, stops_raw[0].departure), arrive=_to_dt(req, stops_raw[-1].arrival),
                            stops=stops, legs=legs, lunch_start=lunch_start,
                            lunch_minutes=int(round(sched.break_.duration / 60)) if sched.break_ else 0,
                            driving_seconds=day_s, metres=day_m, lodging=lodging))
        total_m += day_m
        drive_s += day_s
    vehicles = req.vehicles_needed
    per_km = req.costs.vehicle_per_km if req.costs.vehicle_per_km is not None else DEFAULT_VEHICLE_COST_PER_KM[req.profile]
    vehicle_total = per_km * total_m / 1000.0 * vehicles
    lodging_total = req.costs.lodging_per_night_per_person * (req.days - 1) * req.group_size
    fees_total = fees * req.group_size if req.costs.include_fees else 0.0
    total = vehicle_total + lodging_total + fees_total
    costs = ItineraryCosts(fees_total=fees_total, vehicle_total=vehicle_total, lodging_total=lodging_total,
                           total=total, per_person=total / req.group_size, vehicles=vehicles, vehicle_per_km=per_km,
                           fees_unknown=fees_unknown)
    totals = Totals(score=float(sol.score), stops=sum(len(d.stops) for d in days), driving_seconds=drive_s,
                    metres=total_m, estimated_metres=est_m, visit_minutes_by_province=dict(visit_by_prov),
                    nights_by_province=dict(nights_by_prov), costs=costs)
    excluded = list(model.excluded)
    code_map = {"no_window": "closed", "unreachable": "too_far", "group_full": "group_limit", "not_worth": "low_score"}
    already = {e.place_id for e in excluded}
    for node, code in sorted(sol.unvisited_reasons.items()):
        exc = model.excursions.get(node)
        if exc is not None:
            for p in exc.pois:
                if p.id not in already:
                    excluded.append(_exclusion(p, code_map.get(code, "low_score"), f"{exc.link.island} day trip",
                                               f"chuyến ra {exc.link.island}"))
            continue
        poi = model.pois[node]
        if poi is None or poi.id in already or node not in model.candidates:
            continue
        between = islands.between_boats(model.stays, P, node)
        if between is not None:  # an island place of an island night: the boats, not the distance, decide
            excluded.append(_exclusion(poi, "ferry", *between) if between[0] else _exclusion(poi, "low_score"))
            continue
        excluded.append(_exclusion(poi, code_map.get(code, "low_score")))
    warnings = list(model.warnings)
    visited_unknown = [model.pois[v].name_en for r in sol.routes for v in r if v in model.unknown_hours]  # type: ignore[union-attr]
    if any(v in model.excursions and not model.excursions[v].exact for r in sol.routes for v in r):
        warnings.append("boat times to the islands are approximate where no timetable is published — confirm locally")
    if visited_unknown:
        warnings.append(f"opening hours unknown (assumed open during the day, {req.day_start.strftime('%H:%M')}–"
                        f"{req.day_end.strftime('%H:%M')}; check locally): " + ", ".join(visited_unknown))
    unknown_seats = [s.name_en for d in days for s in d.stops if s.seats_unknown]
    if unknown_seats:
        warnings.append(f"seat count not published — confirm the venue holds the group of {req.group_size}: "
                        + ", ".join(unknown_seats))
    noted = sorted({f"{s.name_en}: {s.closure_note}" for d in days for s in d.stops if s.closure_note})
    if noted:
        warnings.append("published closure notices (check before going): " + "; ".join(noted))
    stale = sorted({f"{s.name_en} ({', '.join(s.stale)})" for d in days for s in d.stops if s.stale})
    if stale:
        warnings.append(f"facts older than {STALE_AFTER_YEARS} years (may have changed; check locally): "
                        + ", ".join(stale))
    if est_m > 0:
        warnings.append(f"{est_m / 1000:.0f} km of {total_m / 1000:.0f} km are estimated (no loaded OSM road network "
                        f"covers those legs): great-circle × {M.circuity.value:.2f} ÷ average speed")
    return Itinerary(feasible=True, days=days, totals=totals, excluded=excluded, warnings=warnings + notes,
                     request=req.model_dump(mode="json"), profile=req.profile,
                     solver={k: v for k, v in sol.stats.items() if isinstance(v, (int, float, str, bool))})


def _stay_hub(model: _Model, stay: islands.IslandStay) -> Poi:
    """The island hub of a stay (its province names the boat stops)."""
    poi = model.pois[stay.hub_node]
    assert poi is not None
    return poi


def _excursion_stop(model: _Model, exc: _Excursion, st: Any, req: PlanRequest) -> ItineraryStop:
    """The island day trip as one stop: boat times, the island places seen, the crossing for the map."""
    link = exc.link
    out = st.start % DAY + exc.check_in_s
    back = exc.back_after.get(out, out)
    main = exc.pois[0]
    names_en = ", ".join(p.name_en for p in exc.pois)
    names_vi = ", ".join(p.name_vi for p in exc.pois)
    approx_en = "" if exc.exact else " (boat times approximate: timetable not published)"
    approx_vi = "" if exc.exact else " (giờ tàu ước lượng: chưa có lịch công bố)"
    return ItineraryStop(
        place_id=exc.id, name_vi=f"{link.island}: tàu {_hhmm(out)} từ {link.from_port}, về {_hhmm(back)}",
        name_en=f"{link.island} day trip: boat {_hhmm(out)} from {link.from_port}, back {_hhmm(back)}",
        category="coastal", subcategory="island", province_legacy=main.province_legacy, province=main.province,
        lat=link.from_lat, lon=link.from_lon, arrival=_to_dt(req, st.arrival), start=_to_dt(req, st.start),
        departure=_to_dt(req, st.departure), fee_vnd=None, fee_as_of=link.as_of or None, opening_hours=None,
        source="; ".join(link.sources), score=float(model.problem.score[st.node]), kind="ferry_excursion",
        includes=[p.id for p in exc.pois],
        note_en=f"Check in {exc.check_in_s / 60:.0f} min before the {_hhmm(out)} boat; crossing up to "
                f"{exc.crossing_s / 60:.0f} min; on the island: {names_en}{approx_en}",
        note_vi=f"Có mặt trước {exc.check_in_s / 60:.0f} phút; tàu {_hhmm(out)}, đi tối đa {exc.crossing_s / 60:.0f} "
                f"phút; trên đảo: {names_vi}{approx_vi}",
        ferry_route=[(link.from_lat, link.from_lon), (link.to_lat, link.to_lon)])


class Planner:
    """The planning entry point of the public API: one catalogue, one set of road networks and their cached
    matrices, reused by every plan it makes (``tr.Planner().plan(request)``).

    A request may be a :class:`~touroute.model.PlanRequest` or the same fields as a dict (validated here, so a bad
    field raises :class:`pydantic.ValidationError` naming it). Infeasible requests return an itinerary with
    ``feasible=False`` and the reasons, never an exception.
    """

    def __init__(self, catalogue: Catalogue | None = None, *, data_dir: str | None = None,
                 router: TravelTimes | None = None) -> None:
        kw: dict[str, Any] = {"data_dir": data_dir, "router": router}
        if catalogue is not None:
            kw["catalogue"] = catalogue
        self.context = PlanningContext(**kw)

    @property
    def catalogue(self) -> Catalogue:
        return self.context.catalogue

    def plan(self, request: PlanRequest | dict[str, Any], *, geometry: bool = True,
             previous: Itinerary | None = None) -> Itinerary:
        """Plan ``request`` (see :func:`plan` for ``geometry`` and ``previous``)."""
        req = request if isinstance(request, PlanRequest) else PlanRequest.model_validate(request)
        return plan(req, self.context, geometry=geometry, previous=previous)

    def __repr__(self) -> str:
        return f"Planner({self.context!r})"


def plan(req: PlanRequest, ctx: PlanningContext | None = None, *, geometry: bool = True,
         previous: Itinerary | None = None, deadline: float | None = None,
         master: bool | None = None) -> Itinerary:
    """Optimise a trip. Infeasible requests come back with ``feasible=False`` and the reasons — never an exception
    for a well-formed request; an unknown place id raises :class:`PlanningError` naming the field.

    ``previous`` (the plan before an edit: a stop removed, locked, added, a night's hub changed) warm-starts the
    solver from that plan, so a re-plan is quick and stays close to what the user was looking at.

    ``deadline`` (an absolute ``time.perf_counter()`` value) is a hard wall-clock stop for the solving — the
    first solve and the re-solves for the regional rules together (see :func:`_solve_with_rules`); the web server
    sets it per request so no plan holds a worker longer than its limit. The model building before and the
    itinerary after take a few tenths of a second on top. Without it the search is bounded by its deterministic
    work budget (same request ⇒ same plan).

    ``master`` switches the CP-SAT master problem (:mod:`touroute.solve.master`: nights × days × places with the
    regional rules as exact constraints) on or off; ``None`` (default) runs it where the benchmark showed it helps
    (:func:`use_master`)."""
    ctx = ctx or PlanningContext()
    chosen = islands.choose_island_night(req, ctx.catalogue, ctx.router.ferries,
                                         lambda r: plan(r, ctx, geometry=geometry, previous=previous,
                                                        deadline=deadline, master=master))
    if chosen is not None:  # an island hub among the candidate nights: the best night for it was planned
        return chosen
    model = build_model(req, ctx)
    P = model.problem
    must_ids = set(req.must_visit) | {lk.place_id for lk in req.locks}
    problems: list[str] = list(model.problems)
    if model.stays and master is None:
        master = False  # the master's coarse day model does not know the boats; the search's timetable does
    for pid in must_ids:
        i = next((k for k, p in enumerate(model.places) if p.id == pid), None)
        if i is not None and not P.windows[i]:
            problems.append(_why_unserved(model, i, req))
    for i, exc in model.excursions.items():
        wanted = [p for p in exc.pois if p.id in must_ids]
        if wanted and not P.windows[i] and exc.closed:
            problems.append(f"must-visit {wanted[0].name_en}: {exc.closed}")
        elif wanted and not P.windows[i]:
            problems.append(
                f"must-visit {wanted[0].name_en} is on {exc.link.island}: boats leave {exc.link.from_port} at "
                f"{', '.join(_hhmm(o) for o in exc.out_times)} and the day trip takes {exc.service_s / 3600:.1f} h "
                f"with check-in, which does not fit {req.day_start:%H:%M}–{req.day_end:%H:%M}"
                + (" on the locked day" if any(lk.place_id == wanted[0].id for lk in req.locks) else ""))
    if not problems:
        initial = _initial_routes(model, previous)
        sol, notes = _solve_with_rules(model, req, initial, deadline, master)
        if (_group_shortfall(model, sol) or not sol.schedule) and master is None \
                and not use_master(model, req, initial):
            # the search missed a province count (or found no chain of nights) where the master problem did not
            # run: try the master, whose counts are exact constraints, before telling the user the rule cannot be
            # met — a seed's unlucky search is not the request's fault (issue 11: every seed must plan it)
            rescued = _rescue_with_master(model, req, deadline)
            if rescued is not None:
                sol, notes = rescued
        violations = check(P, sol) if sol.schedule else ["no feasible sequence of overnight hubs"]
        # a province minimum the search could not reach is the user's regional rule, explained below by name —
        # not an internal error
        violations = [v for v in violations if not _GROUP_MIN_VIOLATION.match(v)]
        if sol.unserved_mandatory:
            if deadline is not None and sol.stats.get("stopped_by_clock"):
                # under the server's hard deadline the search may stop before it fits every must-visit in: say
                # so, rather than blaming the request
                problems.append(
                    f"the {req.solver.time_limit_s:g}-second time limit ran out (the server is busy) before every "
                    f"must-visit place was fitted in — try again, or allow more seconds (solver.time_limit_s)")
            problems.extend(_why_unserved(model, i, req) for i in sorted(sol.unserved_mandatory))
        elif violations and not sol.schedule:
            problems.append(_no_hub_sequence(model, req))
        elif violations:
            # ``solve`` repairs anything its checker rejects, so this is not reached; if it ever is, the user gets
            # an honest answer (and the log the details), never a plan that breaks its own timetable
            import logging

            logging.getLogger("touroute.planner").error("plan failed the checker after repair: %s", violations)
            problems.append(f"{NO_TIMETABLE} in {req.solver.time_limit_s:g} s — allow more seconds "
                            f"(solver.time_limit_s) or relax the request")
        else:
            unmet = [f"must cover {pv}: only {c} of {k} stops" + _nearest_in_group(model, pv)
                     for pv, c, k in _group_shortfall(model, sol)]
            if unmet:
                problems.extend("regional rule cannot be met: " + u for u in unmet)
            else:
                itinerary = _itinerary(model, sol, req, notes, geometry)
                _explain_headlines(model, sol, req, itinerary)
                return add_evenings(itinerary, req, ctx)
    failed = Itinerary(feasible=False, problems=problems, excluded=model.excluded, warnings=model.warnings,
                       request=req.model_dump(mode="json"), profile=req.profile)
    return _with_longer_default_drives(failed, req, ctx, geometry=geometry, previous=previous, deadline=deadline,
                                       master=master)


def _rescue_with_master(model: _Model, req: PlanRequest,
                        deadline: float | None) -> tuple[Solution, list[str]] | None:
    """The master problem's plan when it serves every must-visit, passes the checker and meets every province
    count; ``None`` otherwise, or when the server's deadline leaves no time for it."""
    import time

    if deadline is not None and deadline - time.perf_counter() < MIN_RESOLVE_SECONDS:
        return None
    sol, notes = _solve_with_rules(model, req, None, deadline, True)
    if not sol.schedule or sol.unserved_mandatory or check(model.problem, sol) or _group_shortfall(model, sol):
        return None
    return sol, notes


def _with_longer_default_drives(failed: Itinerary, req: PlanRequest, ctx: PlanningContext, **kw: Any) -> Itinerary:
    """The default driving cap is a preference, not the user's rule: when no chain of nights joins the trip's ends
    under it (4 h a day by motorbike at normal pace cannot reach Mũi Né from Nha Trang in 4 days), plan again with
    the packed pace's cap for the vehicle, then with the whole day (a coach: the drivers' legal 10 h), and say so.
    A cap the user set is never raised."""
    if req.max_driving_minutes_per_day is not None or not any(
            p.startswith("no chain of overnight hubs") for p in failed.problems):
        return failed
    day = int((req.day_end.hour * 60 + req.day_end.minute) - (req.day_start.hour * 60 + req.day_start.minute))
    whole = min(day, COACH_MAX_DRIVING_MINUTES) if req.profile == "coach" else day
    for longer in sorted({DEFAULT_DRIVING_MINUTES["packed"][req.profile], whole}):
        if longer <= req.driving_cap_minutes:
            continue
        retry = plan(req.model_copy(update={"max_driving_minutes_per_day": longer}), ctx, **kw)
        if retry.feasible:
            note = (f"driving cap raised from the {req.pace} pace's default of {req.driving_cap_minutes / 60:g} h to "
                    f"{longer / 60:g} h a day by {req.profile}: no chain of overnight hubs reaches the end under the "
                    f"default (set max_driving_minutes_per_day to choose) / giới hạn lái xe mặc định "
                    f"{req.driving_cap_minutes / 60:g} giờ/ngày được nâng lên {longer / 60:g} giờ vì không có chuỗi "
                    f"nơi nghỉ đêm nào tới điểm cuối")
            return retry.model_copy(update={"warnings": [note, *retry.warnings]})
    return failed


HEADLINE_REACH_MIN = 60.0
"""A headline site is *within reach* of a plan when visiting it costs at most this many minutes of extra driving on
some day of the plan (its cheapest detour between two consecutive stops). Beyond that it belongs to another trip."""


def _headline_detour_min(model: _Model, sol: Solution, i: int) -> float:
    """Minutes of extra driving of the cheapest detour to node ``i`` from the plan's days."""
    T = model.problem.travel
    best = math.inf
    for d in range(len(sol.routes)):
        seq = sol.full_route(d)
        for a, b in zip(seq, seq[1:]):
            best = min(best, float(T[a, i] + T[i, b] - T[a, b]))
    return best / 60.0


def _cheapest_keep(model: _Model, sol: Solution, i: int) -> tuple[int, list[int], float, float] | None:
    """The cheapest way to keep node ``i`` by editing one day of the plan: insert it where the day's value drops
    least (net of its own value) after pushing out the fewest, least valuable visits the checker's timetable needs gone (pace, hours,
    day end, lunch). Returns (day, nodes dropped, value lost, extra driving seconds) or ``None`` if no day can
    hold it."""
    P = model.problem
    best: tuple[int, list[int], float, float] | None = None
    for d in range(len(sol.routes)):
        base = sol.full_route(d)
        base_value = P.route_value(base[1:-1])
        base_drive = sum(float(P.travel[a, b]) for a, b in zip(base, base[1:]))
        for pos in range(1, len(base)):
            seq = base[:pos] + [i] + base[pos:]
            dropped: list[int] = []
            _, ok = route_fits(P, d, seq)
            while not ok:
                options = [v for v in seq[1:-1] if v != i and v not in P.mandatory]
                if not options:
                    break
                fits = []
                for v in options:
                    trial = [x for x in seq if x != v]
                    fits.append((not route_fits(P, d, trial)[1], float(P.score[v]), v))
                _, _, v = min(fits)
                seq = [x for x in seq if x != v]
                dropped.append(v)
                _, ok = route_fits(P, d, seq)
            if not ok:
                continue
            drive = sum(float(P.travel[a, b]) for a, b in zip(seq, seq[1:])) - base_drive
            lost = base_value - P.route_value(seq[1:-1]) + P.travel_cost * drive
            if best is None or (lost, drive) < (best[2], best[3]):
                best = (d, dropped, lost, drive)
    return best


def _explain_headlines(model: _Model, sol: Solution, req: PlanRequest, itinerary: Itinerary) -> None:
    """Say what keeping each left-out headline site within reach would have cost (issue 12): the cheapest edit of
    one day that keeps it — the stops it pushes out, the share of the plan's value lost and the extra driving.
    Changes the exclusion messages in place; the plan itself is not changed."""
    P = model.problem
    visited = sol.visited()
    by_id = {e.place_id: k for k, e in enumerate(itinerary.excluded)}
    for i in model.candidates:
        poi = model.pois[i]
        if poi is None or i in visited or i in model.excursions or not P.windows[i] or poi.id in req.exclude:
            continue
        if attractiveness(poi) < HEADLINE_MIN_ATTRACTIVENESS:
            continue
        detour = _headline_detour_min(model, sol, i)
        if detour > HEADLINE_REACH_MIN:
            continue
        keep = _cheapest_keep(model, sol, i)
        prior = itinerary.excluded[by_id[poi.id]] if poi.id in by_id else None
        if keep is None and prior is not None and prior.reason != "low_score":
            continue  # no day can hold it: the specific reason already given (boats, hours …) is the true one
        if keep is None:
            en = (f"a headline site within reach ({detour:.0f} min of detour), but no day of this plan can hold it "
                  f"within its hours, pace and lunch")
            vi = (f"điểm nổi bật trong tầm với (đi vòng {detour:.0f} phút), nhưng không ngày nào của lịch trình "
                  f"chứa được nó trong giờ, nhịp độ và giờ ăn trưa")
        else:
            d, dropped, lost, drive = keep
            share = max(0.0, lost) / sol.score if sol.score > 0 else 0.0
            names_en = ", ".join(model.pois[v].name_en for v in dropped if model.pois[v]) or "nothing"
            names_vi = ", ".join(model.pois[v].name_vi for v in dropped if model.pois[v]) or "không điểm nào"
            en = (f"a headline site within reach; keeping it on day {d + 1} would have meant dropping {names_en} "
                  f"({share:.0%} of the plan's value) and {drive / 60:+.0f} min of driving")
            vi = (f"điểm nổi bật trong tầm với; giữ lại vào ngày {d + 1} thì phải bỏ {names_vi} "
                  f"({share:.0%} giá trị lịch trình) và lái xe {drive / 60:+.0f} phút")
        new = _exclusion(poi, "low_score", en, vi)
        if poi.id in by_id:
            itinerary.excluded[by_id[poi.id]] = new
        else:
            itinerary.excluded.append(new)


NO_TIMETABLE = "no timetable that respects every opening hour, day end and lunch break was found"
"""Start of the (never expected) answer when even the repaired plan fails the checker; tests assert its absence."""

_GROUP_MIN_VIOLATION = re.compile(r"^group \d+: \d+ visits < minimum \d+$")


def _group_shortfall(model: _Model, sol: Solution) -> list[tuple[str, int, int]]:
    names = {k: v for v, k in model.group_index.items()}
    out = []
    for g, k in model.problem.group_min_visits.items():
        c = sum(1 for r in sol.routes for v in r if model.problem.groups[v] == g)
        if c < k:
            out.append((names[g], c, k))
    return out


def _nearest_in_group(model: _Model, province: str) -> str:
    """Why a province stayed empty, in numbers: its place closest to the trip's start and how far it is."""
    P = model.problem
    g = model.group_index.get(province)
    members = [i for i in range(len(model.places)) if P.groups is not None and P.groups[i] == g and P.windows[i]]
    if not members:
        return " (no place of that province is open on the trip's dates within the day's hours)"
    i = min(members, key=lambda v: P.travel[model.start, v])
    return (f" (its nearest place, {model.places[i].name}, is {P.travel[model.start, i] / 3600:.1f} h from "
            f"{model.places[model.start].name}; add a day, lengthen the day or raise the driving cap)")


def _no_hub_sequence(model: _Model, req: PlanRequest) -> str:
    P = model.problem
    total = P.travel[model.start, model.end] / 3600
    return (f"no chain of overnight hubs joins {model.places[model.start].name} to {model.places[model.end].name} "
            f"in {req.days} day(s) of {req.day_start:%H:%M}–{req.day_end:%H:%M}"
            + (f" with at most {req.max_driving_minutes_per_day / 60:g} h of driving a day"
               if req.max_driving_minutes_per_day else "")
            + f" (the direct drive alone takes {total:.1f} h); add days or lengthen the day")
