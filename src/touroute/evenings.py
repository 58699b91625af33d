"""Evenings: an optional outing after dinner for each night of a finished plan.

Tour programmes of the region end many days with an evening: Hội An's old town under its lanterns, the Dragon
Bridge breathing fire at 21:00 on weekend nights, a night market, Ca Huế on a dragon boat. This module adds one
such suggestion to each night of an :class:`~touroute.itinerary.Itinerary`, after the planner has finished, from
the evening opening hours recorded in the catalogue. It never touches the day's stops, legs, driving or costs:
the evening is a separate, optional entry (:class:`~touroute.itinerary.ItineraryEvening`) on the day.

The rule (documented in docs/planner.md, "Evenings"):

* **candidates**: catalogue places tagged ``night`` with known ``opening_hours`` (unknown hours stay unknown: a
  place is never suggested for an evening it may not be open), not lodging, not a pier / ferry port / access point,
  not excluded by the request, not on an island;
* **the slot**: the group leaves the night's hub (the day's end) after dinner — at :data:`EVENING_FROM` or an hour
  after arriving, whichever is later — and the visit starts no later than :data:`LATEST_START`;
* **shows** (an opening interval of at most :data:`SHOW_MAX_MINUTES`, e.g. ``Fr-Su 21:00-21:20``) are attended at
  their start time, so they need the group there by then; **open places** are visited for their typical time,
  capped at :data:`EVENING_VISIT_CAP_MIN`, and must stay open for it (or at least :data:`MIN_EVENING_MIN`);
* **near the hub**: at most :data:`MAX_TRAVEL_MINUTES` one way by the trip's vehicle (a taxi takes about as long
  on these city hops; the travel times are the plan's own matrix, roads or estimate);
* **the best one**: highest attractiveness (``Poi.attractiveness`` 1–100 when the catalogue has it, else
  ``popularity`` × 10; a component — ``part_of`` — is worth at least its site), plus :data:`SHOW_BONUS` for a show on one of its nights (it is the rarer experience), minus
  :data:`TRAVEL_PENALTY_PER_MIN` per minute of travel, minus :data:`SAME_DAY_PENALTY` when the place was visited
  that same day (a ``night`` place by night is a different experience — Hội An's lanterns — so it stays allowed);
  a place suggested for an earlier evening is not suggested again.

Nights are the days that end at a lodging hub (``DayPlan.lodging``); the last day ends the trip and gets none.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Any

from . import messages
from .itinerary import DayPlan, Exclusion, Itinerary, ItineraryEvening
from .matrix import MatrixError
from .model import PlanRequest
from .pois import Catalogue, Poi, haversine_m, is_access_point, open_intervals

EVENING_FROM = time(19, 30)
"""Earliest departure for the evening: after dinner."""
DINNER_MINUTES = 60
"""Dinner after reaching the hub, before the evening can start (matters when the day ends late)."""
LATEST_START = time(21, 30)
"""No evening visit starts later: the group has to be up for the next day."""
MAX_TRAVEL_MINUTES = 25.0
"""One way from the night's hub — an evening outing is a short ride, not a second transfer."""
MAX_STRAIGHT_KM = 30.0
"""Prefilter before looking travel times up (25 min cannot cover more than this on any road of the region)."""
EVENING_VISIT_CAP_MIN = 90
"""An evening visit lasts at most this long (Hội An's old town by day takes 3 hours; a lantern walk, 1.5)."""
MIN_EVENING_MIN = 20
"""An open place must stay open at least this long after the group arrives."""
SHOW_MAX_MINUTES = 60
"""An opening interval this short is a scheduled show (attended at its start), not a place open all evening."""
SHOW_BONUS = 15.0
SAME_DAY_PENALTY = 20.0
TRAVEL_PENALTY_PER_MIN = 0.5

_VEHICLE = {lang: messages.BROCHURE[lang]["vehicles"] for lang in messages.LANGS}
"""Short vehicle names in running text ("45 min from Hội An by car"), from the one message catalogue."""


def attractiveness(poi: Poi, cat: Catalogue | None = None) -> float:
    """The place's worth on the 1–100 scale: ``Poi.attractiveness`` when the catalogue has it (issue 12), else the
    older hand score ``popularity`` × 10.

    An evening experience that is a component of a site (``part_of``: the Dragon Bridge's fire show is the bridge's
    evening) is worth its site: published lists name the site, rarely the show, so the show's own evidence is thin
    while the whole's is not — the same rule the programme benchmark uses ("a component counts for its site")."""
    value = getattr(poi, "attractiveness", None)
    own = float(value) if value is not None else float(poi.popularity) * 10.0
    if cat is not None and poi.part_of and poi.part_of in cat:
        return max(own, attractiveness(cat.get(poi.part_of)))
    return own


def is_evening_candidate(poi: Poi) -> bool:
    """A place that can be suggested for an evening (tag ``night``, known hours, not lodging or an access point)."""
    return ("night" in poi.tags and bool(poi.opening_hours) and poi.category != "lodging"
            and not is_access_point(poi))


def evening_only(poi: Poi, days: list[date]) -> bool:
    """True when ``poi`` opens only in the evening on every one of ``days`` (a show, a night market): the day
    planner can never fit it, and its "closed" reason would mislead."""
    if not poi.opening_hours:
        return False
    try:
        spans = [iv for d in days for iv in open_intervals(poi.opening_hours, d)]
    except Exception:  # hours the library cannot evaluate on some date: not ours to explain
        return False
    return all(a >= 17 * 60 for a, _ in spans)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _slot(poi: Poi, day: date, leave_min: float, travel_min: float) -> tuple[float, float, str] | None:
    """(start, end, kind) of the evening visit in minutes since midnight of ``day``, or None when it does not fit."""
    try:
        spans = open_intervals(poi.opening_hours or "", day)
    except Exception:
        return None
    arrive = leave_min + travel_min
    latest = _minutes(LATEST_START)
    for a, b in spans:
        if b - a <= SHOW_MAX_MINUTES:
            if arrive <= a <= latest:
                return float(a), float(min(b, a + poi.visit_minutes)), "show"
            continue
        start = float(max(a, math.ceil(arrive / 5.0) * 5))  # a clock time people can meet at (5-minute steps)
        if start > latest:
            continue
        want = min(poi.visit_minutes, EVENING_VISIT_CAP_MIN)
        end = min(start + want, float(b))
        if end - start >= min(want, MIN_EVENING_MIN):
            return start, end, "open"
    return None


class _Travel:
    """One-way travel from a hub to a place: the plan's catalogue matrix, or the router's estimate for a hub given
    as coordinates."""

    def __init__(self, ctx: Any, profile: str) -> None:
        self.ctx = ctx
        self.profile = profile
        self._matrix = None

    def __call__(self, hub: Any, poi: Poi) -> tuple[float, float, str]:
        if self._matrix is None:
            self._matrix = self.ctx.matrix(self.profile)
        M = self._matrix
        try:
            leg = M.leg(hub.place_id, poi.id)
        except MatrixError:  # a hub given as coordinates is not in the catalogue matrix
            pass
        else:
            return float(leg.seconds), float(leg.metres), str(leg.source)
        secs, metres = self.ctx.router.estimate(hub.lat, hub.lon, poi.lat, poi.lon, self.profile)
        return float(secs), float(metres), "estimate"

    def geometry(self, hub: Any, ev: ItineraryEvening) -> list[tuple[float, float]]:
        """The outing's way there as a polyline, drawn on the map like a day's legs: along the roads when the
        matrix routed it on OSM (one Dijkstra run, only for the chosen evening), else a straight line."""
        straight = [(hub.lat, hub.lon), (ev.lat, ev.lon)]
        if ev.travel_source != "osm":
            return straight
        try:
            leg = (self._matrix or self.ctx.matrix(self.profile)).leg(hub.place_id, ev.place_id)
            return [(float(a), float(b)) for a, b in leg.geometry()] or straight
        except MatrixError:
            return straight


def _note(poi: Poi, kind: str, start: datetime, travel_min: float, hub: Any, profile: str) -> tuple[str, str]:
    hours_en = f"hours {poi.opening_hours}" + (f", as of {poi.hours_as_of}" if poi.hours_as_of else "")
    hours_vi = f"giờ mở {poi.opening_hours}" + (f", cập nhật {poi.hours_as_of}" if poi.hours_as_of else "")
    when_en = f"at {start:%H:%M}" if kind == "show" else f"from {start:%H:%M}"
    when_vi = f"lúc {start:%H:%M}" if kind == "show" else f"từ {start:%H:%M}"
    ride_en = (f"{travel_min:.0f} min from {hub.name_en} by {_VEHICLE['en'].get(profile, profile)}"
               if travel_min >= 1 else f"a short walk from {hub.name_en}")
    ride_vi = (f"{travel_min:.0f} phút từ {hub.name_vi} bằng {_VEHICLE['vi'].get(profile, profile)}"
               if travel_min >= 1 else f"đi bộ gần {hub.name_vi}")
    en = f"Optional evening: {poi.name_en} {when_en} — {ride_en}; {hours_en}. Not counted in the day's totals."
    vi = f"Buổi tối (tự chọn): {poi.name_vi} {when_vi} — {ride_vi}; {hours_vi}. Không tính vào tổng của ngày."
    return en, vi


def plan_evening(day: DayPlan, candidates: list[Poi], travel: _Travel, profile: str,
                 already: set[str], cat: Catalogue | None = None) -> ItineraryEvening | None:
    """The best evening after ``day`` (None when no candidate fits): see the module docstring for the rule."""
    hub = day.end
    day0 = datetime.combine(day.date, time(0, 0))
    arrive_min = (day.arrive - day0).total_seconds() / 60.0
    leave = max(float(_minutes(EVENING_FROM)), arrive_min + DINNER_MINUTES)
    visited = {s.place_id for s in day.stops} | {i for s in day.stops for i in s.includes}
    best: tuple[float, str, ItineraryEvening] | None = None
    for poi in candidates:
        if poi.id in already:
            continue
        if haversine_m(hub.lat, hub.lon, poi.lat, poi.lon) > MAX_STRAIGHT_KM * 1000:
            continue
        secs, metres, source = travel(hub, poi)
        travel_min = secs / 60.0
        if travel_min > MAX_TRAVEL_MINUTES:
            continue
        slot = _slot(poi, day.date, leave, travel_min)
        if slot is None:
            continue
        a, b, kind = slot
        value = (attractiveness(poi, cat) + (SHOW_BONUS if kind == "show" else 0.0)
                 - TRAVEL_PENALTY_PER_MIN * travel_min - (SAME_DAY_PENALTY if poi.id in visited else 0.0))
        if best is not None and not (value > best[0] or (value == best[0] and poi.id < best[1])):
            continue
        start, end = day0 + timedelta(minutes=round(a)), day0 + timedelta(minutes=round(b))
        en, vi = _note(poi, kind, start, travel_min, hub, profile)
        ev = ItineraryEvening(
            place_id=poi.id, name_vi=poi.name_vi, name_en=poi.name_en, category=poi.category,
            subcategory=poi.subcategory, province_legacy=poi.province_legacy, province=poi.province, lat=poi.lat,
            lon=poi.lon, start=start, end=end, kind=kind, from_id=hub.place_id, travel_seconds=secs,
            travel_metres=metres, travel_source=source if source in ("osm", "estimate") else "estimate",
            opening_hours=poi.opening_hours, hours_as_of=poi.hours_as_of, fee_vnd=poi.fee_vnd, source=poi.hours_source or poi.source,
            note_en=en, note_vi=vi)
        best = (value, poi.id, ev)
    return best[2] if best else None


def _relabel(e: Exclusion, poi: Poi, evenings_on: bool) -> Exclusion:
    """The planner's "closed on every day" (or "included" in its site's daytime visit) for a place that opens only
    after the day ends, said as it is (reason ``evening``, which the short "left out" lists of the CLI and the web
    page skip, like ``low_score``)."""
    tail_en = ("suggested for an evening when it is open near a night's hub" if evenings_on
               else "evening suggestions are off (evenings: false)")
    tail_vi = ("được gợi ý cho buổi tối khi mở cửa gần nơi nghỉ đêm" if evenings_on
               else "đã tắt gợi ý buổi tối (evenings: false)")
    return e.model_copy(update={
        "reason": "evening",
        "message_en": f"{poi.name_en}: open only in the evening ({poi.opening_hours}) — {tail_en}",
        "message_vi": f"{poi.name_vi}: chỉ mở buổi tối ({poi.opening_hours}) — {tail_vi}"})


def add_evenings(it: Itinerary, req: PlanRequest, ctx: Any, *, geometry: bool = True) -> Itinerary:
    """``it`` with an optional evening on each night (when ``req.evenings``), and the "closed" reason of places that
    open only in the evening said as such. ``ctx`` is the planning context (catalogue, ``matrix(profile)``,
    ``router``). The days' stops, legs and totals are returned unchanged. ``geometry`` (as for the day's legs):
    each evening gets the polyline of its way there, for the map."""
    if not it.feasible or not it.days:
        return it
    cat: Catalogue = ctx.catalogue
    dates = [d.date for d in it.days]
    chosen: dict[str, int] = {}
    days = list(it.days)
    if req.evenings:
        exclude = set(req.exclude)
        ferries = list(getattr(ctx.router, "ferries", ()) or ())
        candidates = [p for p in cat if is_evening_candidate(p) and p.id not in exclude
                      and not any(link.on_island(p.lat, p.lon) for link in ferries)]
        travel = _Travel(ctx, req.profile)
        for k, day in enumerate(days):
            if day.lodging is None:
                continue
            ev = plan_evening(day, candidates, travel, req.profile, set(chosen), cat)
            if ev is not None and geometry:
                ev = ev.model_copy(update={"geometry": travel.geometry(day.end, ev)})
            if ev is not None:
                chosen[ev.place_id] = day.day
                days[k] = day.model_copy(update={"evening": ev})
    excluded: list[Exclusion] = []
    for e in it.excluded:
        if e.place_id in chosen:
            continue  # it is in the plan, as an evening
        poi = cat.get(e.place_id) if e.reason in ("closed", "included") and e.place_id in cat else None
        if poi is not None and "night" in poi.tags and evening_only(poi, dates):
            e = _relabel(e, poi, req.evenings)
        excluded.append(e)
    return it.model_copy(update={"days": days, "excluded": excluded})
