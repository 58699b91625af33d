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
* **regional rules** are province groups with minimum visits, verified after solving together with the rules that
  are not counts (minimum hours, maximum share), which are enforced by re-solving with tightened counts;
* **locks** restrict a place's windows to its day and make it mandatory.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta
from typing import Any

import numpy as np

from . import provinces as prov
from .errors import TourouteException
from .itinerary import (Costs, DayPlan, Endpoint, Exclusion, Itinerary, ItineraryLeg, ItineraryStop, Totals)
from .matrix import Place, TravelMatrix, TravelTimes, catalogue_matrix
from .model import DEFAULT_VEHICLE_COST_PER_KM, PACE_STOP_OVERHEAD_MIN, PACE_VISIT_FACTOR, PlanRequest
from .pois import Catalogue, Poi, default_catalogue, open_intervals
from .solve import BreakSpec, OrienteeringProblem, RouteSpec, Solution, check, solve

DAY = 86_400.0


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


def _endpoint_place(ref: Any, cat: Catalogue, role: str) -> tuple[Place, Poi | None]:
    if ref.id is not None:
        try:
            poi = cat.get(ref.id)
        except KeyError as exc:
            raise PlanningError(f"{role}: {exc.args[0]}") from None
        return Place(poi.id, poi.lat, poi.lon, poi.name_vi), poi
    name = ref.name or ("Điểm đầu / Start" if role == "start" else "Điểm cuối / End")
    return Place(f"{role}@{ref.lat:.5f},{ref.lon:.5f}", float(ref.lat), float(ref.lon), name), None


def _day_windows(poi: Poi, day: date, t0: float, open_s: float, close_s: float, service: float,
                 ferry_window: tuple[float, float] | None) -> list[tuple[float, float]]:
    """Start-of-visit windows of ``poi`` on ``day`` (absolute seconds); the visit must end before it closes."""
    if poi.opening_hours:
        spans = [(a * 60.0, b * 60.0) for a, b in open_intervals(poi.opening_hours, day)]
    else:
        spans = [(0.0, DAY)]
    out = []
    for a, b in spans:
        lo, hi = max(a, open_s), min(b, close_s) - service
        if ferry_window is not None:
            lo, hi = max(lo, ferry_window[0]), min(hi, ferry_window[1] - service)
        if hi >= lo:
            out.append((t0 + lo, t0 + hi))
    return out


def _seconds_of(t: dtime) -> float:
    return t.hour * 3600.0 + t.minute * 60.0


def _ferry_windows(router: TravelTimes, poi: Poi) -> tuple[float, float] | None:
    """(earliest arrival on the island, latest departure back to the port) in seconds of the day, or None."""
    for link in router.ferries:
        if link.on_island(poi.lat, poi.lon):
            first = _parse_hhmm(getattr(link, "first_departure", None))
            last = _parse_hhmm(getattr(link, "last_departure", None))
            back = [x for x in (getattr(link, "departures_back", None) or ())]
            if back:
                last_back = max(_parse_hhmm(x) or 0.0 for x in back)
                last = last_back or last
            crossing = float(getattr(link, "crossing_max", 0) or 0) * 60.0
            if first is None or last is None:
                return None
            return first + crossing, last
    return None


def _parse_hhmm(v: Any) -> float | None:
    if v is None or v == "" or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dtime):
        return _seconds_of(v)
    try:
        h, m = str(v).strip().split(":")[:2]
        return int(h) * 3600.0 + int(m) * 60.0
    except ValueError:
        return None


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
            raise PlanningError(f"overnight: no place with id {hid!r} in the catalogue")
    # --- candidates ------------------------------------------------------------------------------------------
    must = list(dict.fromkeys(list(req.must_visit) + [lk.place_id for lk in req.locks]))
    for pid in must + list(req.exclude):
        if pid not in cat:
            raise PlanningError(f"must_visit/exclude/locks: {cat_get_error(cat, pid)}")
    pool = cat.filter(category=[c for c in req.categories if c != "lodging"] or None,
                      province=req.provinces or None, tags=req.tags or None, min_popularity=req.min_popularity)
    cand_ids = [pid for pid in pool.records if cat.get(pid).category != "lodging"]
    for pid in must:
        if pid not in cand_ids:
            if cat.get(pid).category == "lodging":
                raise PlanningError(f"must_visit: {pid} is a lodging hub, not a place to visit — use overnight.pinned")
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
        if poi.category == "mice" and poi.capacity is not None and poi.capacity < req.group_size:
            if pid in must:
                raise PlanningError(f"must_visit: {poi.name_en} seats {poi.capacity}, fewer than the group of "
                                    f"{req.group_size}")
            excluded.append(_exclusion(poi, "capacity", f"{poi.capacity} seats < {req.group_size}",
                                       f"{poi.capacity} chỗ < {req.group_size} khách"))
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

    # --- travel matrix: reuse the cached catalogue matrix where possible ------------------------------------
    M = ctx.matrix(profile)
    in_cat = [pl.id in M._index for pl in places]
    if all(in_cat):
        rows = [M.index(pl.id) for pl in places]
        sec = M.seconds[np.ix_(rows, rows)]
        met = M.metres[np.ix_(rows, rows)]
        matrix = M
        matrix_index = rows
    else:
        matrix = ctx.router.matrix(places, profile)
        sec, met = matrix.seconds, matrix.metres
        matrix_index = list(range(len(places)))
    warnings.extend(w for w in getattr(matrix, "warnings", ()) if any(pl.name in w for pl in places[:2]))

    # --- service, score, windows ---------------------------------------------------------------------------
    n = len(places)
    service = np.zeros(n)
    score = np.zeros(n)
    windows: list[list[tuple[float, float]]] = [[] for _ in range(n)]
    weights = req.themes.model_dump()
    factor = PACE_VISIT_FACTOR[req.pace]
    open_s, close_s = _seconds_of(req.day_start), _seconds_of(req.day_end)
    unknown_hours: set[int] = set()
    locks = {lk.place_id: lk.day for lk in req.locks}
    for i in cands:
        poi = pois[i]
        assert poi is not None
        service[i] = (max(10.0, round(poi.visit_minutes * factor / 5.0) * 5.0) + PACE_STOP_OVERHEAD_MIN[req.pace]) * 60.0
        score[i] = poi.popularity * weights.get(poi.category, 0.0)
        if poi.id in must and score[i] <= 0:
            score[i] = 1.0
        ferry = _ferry_windows(ctx.router, poi) if req.use_ferries else None
        if not poi.opening_hours:
            unknown_hours.add(i)
        for d in range(req.days):
            if poi.id in locks and locks[poi.id] != d + 1:
                continue
            day = req.start_date + timedelta(days=d)
            windows[i].extend(_day_windows(poi, day, d * DAY, open_s, close_s, service[i], ferry))
        if not windows[i]:
            reason = "ferry" if ferry is not None else "closed"
            if poi.id in must:
                continue  # the explanation below names it
            excluded.append(_exclusion(poi, reason))
    # hotels: windows are irrelevant but must not be empty for checker symmetry
    for h in {s_node, e_node, *hubs}:
        windows[h] = [(0.0, req.days * DAY)]

    # --- routes ------------------------------------------------------------------------------------------------
    brk = None
    routes: list[RouteSpec] = []
    pinned = dict(req.overnight.pinned)
    if req.overnight.mode == "fixed":
        pinned = {k + 1: h for k, h in enumerate(req.overnight.fixed)}
    for d in range(req.days):
        t0 = d * DAY
        starts = (s_node,) if d == 0 else (tuple([index[pinned[d]]]) if d in pinned else tuple(hubs))
        ends = (e_node,) if d == req.days - 1 else (tuple([index[pinned[d + 1]]]) if d + 1 in pinned else tuple(hubs))
        if req.lunch:
            lo = t0 + _seconds_of(req.lunch.earliest)
            hi = t0 + _seconds_of(req.lunch.latest_end) - req.lunch.minutes * 60.0
            brk = BreakSpec(req.lunch.minutes * 60.0, lo, hi)
        routes.append(RouteSpec(starts, ends, t0 + open_s, t0 + close_s,
                                None if req.max_driving_minutes_per_day is None
                                else req.max_driving_minutes_per_day * 60.0, brk))

    # --- groups: provinces ---------------------------------------------------------------------------------------
    province_of = {i: pois[i].province_legacy for i in cands}  # type: ignore[union-attr]
    names = prov.legacy_names()
    group_index = {nm: k for k, nm in enumerate(names)}
    groups = np.full(n, -1, dtype=np.int64)
    for i, pv in province_of.items():
        groups[i] = group_index[pv]
    gmin: dict[int, int] = {}
    for name in req.regional.must_cover:
        try:
            resolved = prov.resolve(name)
        except prov.UnknownProvinceError as exc:
            raise PlanningError(f"regional.must_cover: {exc}") from None
        for p in resolved:
            gmin[group_index[p.legacy]] = max(1, req.regional.min_stops_per_province)

    mandatory = frozenset(index[p] for p in must if p in index and windows[index[p]])
    problem = OrienteeringProblem(sec, service, score, windows, routes, chained=True, mandatory=mandatory,
                                  groups=groups, group_min_visits=gmin, group_max_visits={}, seed=req.solver.seed,
                                  name="touroute")
    return _Model(problem, places, pois, sec, met, matrix_index, matrix, hubs, s_node, e_node, cands, province_of,
                  group_index, excluded, warnings, unknown_hours)


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
    name = poi.name_en if poi else model.places[i].id
    if not P.windows[i]:
        hours = poi.opening_hours if poi and poi.opening_hours else "unknown hours"
        return (f"must-visit {name} ({hours}) cannot be visited for {P.service[i] / 60:.0f} min between "
                f"{req.day_start:%H:%M} and {req.day_end:%H:%M} on any day of the trip "
                f"({req.start_date:%a %d %b} – {(req.start_date + timedelta(days=req.days - 1)):%a %d %b})")
    best: tuple[float, str] | None = None
    for d, r in enumerate(P.routes):
        wins = [w for w in P.windows[i] if w[1] >= r.t_start and w[0] <= r.t_end]
        if not wins:
            continue
        for s in r.start_nodes:
            arrive = r.t_start + P.travel[s, i]
            close = max(b for _, b in wins)
            if arrive > close:
                gap = arrive - close
                msg = (f"must-visit {name} must be entered by {_hhmm(close)} (closing / end of day minus a "
                       f"{P.service[i] / 60:.0f}-min visit) but day {d + 1} cannot reach it before {_hhmm(arrive)} "
                       f"from {model.places[s].name or model.places[s].id} "
                       f"({P.travel[s, i] / 3600:.1f} h drive)")
                if best is None or gap < best[0]:
                    best = (gap, msg)
                continue
            start = next(max(arrive, a) for a, b in wins if arrive <= b)
            for e in r.end_nodes:
                back = start + P.service[i] + P.travel[i, e]
                if back > r.t_end:
                    gap = back - r.t_end
                    msg = (f"must-visit {name}: visiting it on day {d + 1} ends at {_hhmm(start + P.service[i])} and "
                           f"the drive on to {model.places[e].name or model.places[e].id} arrives {_hhmm(back)}, after "
                           f"the day ends at {_hhmm(r.t_end)}")
                    if best is None or gap < best[0]:
                        best = (gap, msg)
                if r.max_travel is not None and P.travel[s, i] + P.travel[i, e] > r.max_travel:
                    gap = P.travel[s, i] + P.travel[i, e] - r.max_travel
                    msg = (f"must-visit {name}: the drive via it on day {d + 1} takes "
                           f"{(P.travel[s, i] + P.travel[i, e]) / 3600:.1f} h, over the "
                           f"{r.max_travel / 3600:.1f} h daily driving cap")
                    if best is None or gap < best[0]:
                        best = (gap, msg)
    if best is not None:
        return best[1]
    return (f"must-visit {name} is reachable on its own, but not together with the other must-visits, locks and "
            f"regional rules in the days available — drop one or add a day")


# ---------------------------------------------------------------------------------------------------------------
# Solve → itinerary
# ---------------------------------------------------------------------------------------------------------------
def _solve_with_rules(model: _Model, req: PlanRequest) -> tuple[Solution, list[str]]:
    """Solve, then enforce the regional rules that are not plain counts by re-solving with tighter counts."""
    P = model.problem
    notes: list[str] = []
    budget = req.solver.time_limit_s
    sol = solve(P, seconds=budget, seed=req.solver.seed)
    rules = req.regional
    if rules.max_share_one_province is None and rules.min_visit_hours_per_province <= 0:
        return sol, notes
    for _round in range(4):
        mins = _province_minutes(model, sol)
        total = sum(mins.values()) or 1.0
        changed = False
        if rules.max_share_one_province is not None:
            for pv, m in mins.items():
                if m / total > rules.max_share_one_province + 1e-9:
                    g = model.group_index[pv]
                    count = sum(1 for r in sol.routes for v in r if model.province_of.get(v) == pv)
                    P.group_max_visits[g] = max(P.group_min_visits.get(g, 0), count - 1)
                    changed = True
        if rules.min_visit_hours_per_province > 0:
            for name in rules.must_cover:
                for p in prov.resolve(name):
                    if mins.get(p.legacy, 0.0) < rules.min_visit_hours_per_province * 60 - 1e-6:
                        g = model.group_index[p.legacy]
                        have = sum(1 for r in sol.routes for v in r if model.province_of.get(v) == p.legacy)
                        P.group_min_visits[g] = max(P.group_min_visits.get(g, 0), have + 1)
                        changed = True
        if not changed:
            return sol, notes
        sol = solve(P, seconds=max(1.0, budget / 2), seed=req.solver.seed)
    mins = _province_minutes(model, sol)
    total = sum(mins.values()) or 1.0
    if rules.max_share_one_province is not None:
        for pv, m in mins.items():
            if m / total > rules.max_share_one_province + 1e-9:
                notes.append(f"regional rule not met: {pv} holds {m / total:.0%} of visit time "
                             f"(max {rules.max_share_one_province:.0%})")
    for name in rules.must_cover:
        for p in prov.resolve(name):
            if mins.get(p.legacy, 0.0) < rules.min_visit_hours_per_province * 60 - 1e-6:
                notes.append(f"regional rule not met: {p.legacy} gets {mins.get(p.legacy, 0.0) / 60:.1f} h of visits "
                             f"(min {rules.min_visit_hours_per_province:g} h)")
    return sol, notes


def _province_minutes(model: _Model, sol: Solution) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for r in sol.routes:
        for v in r:
            out[model.province_of[v]] += model.problem.service[v] / 60.0
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
            leg = M.leg(model.matrix_index[a], model.matrix_index[b]) if M is not None else None
            secs, metres = float(model.seconds[a, b]), float(model.metres[a, b])
            arrive = stops_raw[k + 1].arrival
            depart = arrive - secs
            if a == b:
                continue
            legs.append(ItineraryLeg(
                from_id=model.places[a].id, to_id=model.places[b].id, depart=_to_dt(req, depart),
                arrive=_to_dt(req, arrive), seconds=secs, metres=metres,
                source=leg.source if leg else "estimate", ferry=leg.ferry if leg else None,
                network=leg.network if leg else None,
                geometry=leg.geometry() if (leg is not None and geometry) else
                [(model.places[a].lat, model.places[a].lon), (model.places[b].lat, model.places[b].lon)]))
            day_m += metres
            day_s += secs
            if legs[-1].source == "estimate":
                est_m += metres
        for st in stops_raw[1:-1]:
            poi = model.pois[st.node]
            assert poi is not None
            stops.append(ItineraryStop(
                place_id=poi.id, name_vi=poi.name_vi, name_en=poi.name_en, category=poi.category,
                subcategory=poi.subcategory, province_legacy=poi.province_legacy, province=poi.province,
                lat=poi.lat, lon=poi.lon, arrival=_to_dt(req, st.arrival), start=_to_dt(req, st.start),
                departure=_to_dt(req, st.departure), fee_vnd=poi.fee_vnd, fee_as_of=poi.fee_as_of,
                opening_hours=poi.opening_hours, source=poi.source, score=float(P.score[st.node]),
                locked=any(lk.place_id == poi.id for lk in req.locks)))
            visit_by_prov[poi.province_legacy] += (st.departure - st.start) / 60.0
            if poi.fee_vnd is None:
                fees_unknown.append(poi.id)
            else:
                fees += poi.fee_vnd
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
    costs = Costs(fees_total=fees_total, vehicle_total=vehicle_total, lodging_total=lodging_total, total=total,
                  per_person=total / req.group_size, vehicles=vehicles, vehicle_per_km=per_km,
                  fees_unknown=fees_unknown)
    totals = Totals(score=float(sol.score), stops=sum(len(d.stops) for d in days), driving_seconds=drive_s,
                    metres=total_m, estimated_metres=est_m, visit_minutes_by_province=dict(visit_by_prov),
                    nights_by_province=dict(nights_by_prov), costs=costs)
    excluded = list(model.excluded)
    code_map = {"no_window": "closed", "unreachable": "too_far", "group_full": "group_limit", "not_worth": "low_score"}
    already = {e.place_id for e in excluded}
    for node, code in sorted(sol.unvisited_reasons.items()):
        poi = model.pois[node]
        if poi is None or poi.id in already or node not in model.candidates:
            continue
        excluded.append(_exclusion(poi, code_map.get(code, "low_score")))
    warnings = list(model.warnings)
    visited_unknown = [model.pois[v].name_en for r in sol.routes for v in r if v in model.unknown_hours]  # type: ignore[union-attr]
    if visited_unknown:
        warnings.append("opening hours unknown (assumed open during the day; check locally): "
                        + ", ".join(visited_unknown))
    if est_m > 0:
        warnings.append(f"{est_m / 1000:.0f} km of {total_m / 1000:.0f} km are estimated (no loaded OSM road network "
                        f"covers those legs): great-circle × {M.circuity.value:.2f} ÷ average speed")
    return Itinerary(feasible=True, days=days, totals=totals, excluded=excluded, warnings=warnings + notes,
                     request=req.model_dump(mode="json"), profile=req.profile,
                     solver={k: v for k, v in sol.stats.items() if isinstance(v, (int, float, str, bool))})


def plan(req: PlanRequest, ctx: PlanningContext | None = None, *, geometry: bool = True) -> Itinerary:
    """Optimise a trip. Infeasible requests come back with ``feasible=False`` and the reasons — never an exception
    for a well-formed request; an unknown place id raises :class:`PlanningError` naming the field."""
    ctx = ctx or PlanningContext()
    model = build_model(req, ctx)
    P = model.problem
    must_ids = set(req.must_visit) | {lk.place_id for lk in req.locks}
    problems: list[str] = []
    for pid in must_ids:
        i = next((k for k, p in enumerate(model.places) if p.id == pid), None)
        if i is not None and not P.windows[i]:
            problems.append(_why_unserved(model, i, req))
    if not problems:
        sol, notes = _solve_with_rules(model, req)
        violations = check(P, sol) if sol.schedule else ["no feasible sequence of overnight hubs"]
        if sol.unserved_mandatory:
            problems.extend(_why_unserved(model, i, req) for i in sorted(sol.unserved_mandatory))
        elif violations and not sol.schedule:
            problems.append(_no_hub_sequence(model, req))
        elif violations:
            problems.extend(f"internal check failed: {v}" for v in violations)
        else:
            unmet = [f"must cover {pv}: only {c} of {k} stops" for pv, c, k in _group_shortfall(model, sol)]
            if unmet:
                problems.extend("regional rule cannot be met: " + u for u in unmet)
            else:
                return _itinerary(model, sol, req, notes, geometry)
    return Itinerary(feasible=False, problems=problems, excluded=model.excluded, warnings=model.warnings,
                     request=req.model_dump(mode="json"), profile=req.profile)


def _group_shortfall(model: _Model, sol: Solution) -> list[tuple[str, int, int]]:
    names = {k: v for v, k in model.group_index.items()}
    out = []
    for g, k in model.problem.group_min_visits.items():
        c = sum(1 for r in sol.routes for v in r if model.problem.groups[v] == g)
        if c < k:
            out.append((names[g], c, k))
    return out


def _no_hub_sequence(model: _Model, req: PlanRequest) -> str:
    P = model.problem
    r0 = P.routes[0]
    far = max((P.travel[model.start, h] for h in r0.end_nodes), default=0.0)
    total = P.travel[model.start, model.end] / 3600
    return (f"no chain of overnight hubs joins {model.places[model.start].name} to {model.places[model.end].name} "
            f"in {req.days} day(s) of {req.day_start:%H:%M}–{req.day_end:%H:%M}"
            + (f" with at most {req.max_driving_minutes_per_day / 60:g} h of driving a day"
               if req.max_driving_minutes_per_day else "")
            + f" (the direct drive alone takes {total:.1f} h); add days or lengthen the day")
