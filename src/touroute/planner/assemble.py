"""From a solution to an :class:`~touroute.itinerary.Itinerary`: timetable, legs, lodging, costs and totals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from datetime import time as dtime
from typing import Any

from .. import islands, messages
from ..geo import daylight
from ..itinerary import DayPlan, Endpoint, Itinerary, ItineraryCosts, ItineraryLeg, ItineraryStop, Totals
from ..model import DEFAULT_VEHICLE_COST_PER_KM, PlanRequest
from ..pois import STALE_AFTER_YEARS, Poi, daylight_only, known_seats
from ..solve import Solution
from .model import _exclusion, _Excursion, _hhmm, _Model, _seconds_of, assumed_hours, assumed_window
from .value import DAY

THEME_NOTE_PREFIX = ("theme balance", "cân đối chủ đề")
"""How the theme-balance notes begin (en, vi): advice to whoever plans, which a customer's brochure leaves out."""

THEME_SHORTFALL = 0.5
"""A theme the request named gets a note when its share of the visit time is below this fraction of its share of
the named weights (weights 1 : 1 and 15 % of the time against 50 %): the plan maximises the worth of its visits,
and equal weights do not promise equal time — the note says so and how to shift it."""


def theme_balance_notes(req: PlanRequest, minutes_by_theme: dict[str, float]) -> list[tuple[str, str]]:
    """(en, vi) notes for the themes a request named that got much less of the visit time than their weight.

    Why: "heritage and beaches" at equal weights planned no beach — beaches (attractiveness 31–51) earn none of the
    heritage-status points the rule gives relics (data/poi/SCHEMA.md), so a day of relics is worth more. Raising
    coastal for everyone was measured and rejected on the held-out programmes (BENCHMARKS.md, "A higher weight for
    the coast"), so the plan stays the one that scores best and tells the traveller what it did and what to change."""
    if not req.themes.model_fields_set:
        return []
    # MICE venues are business, booked for the event, not visit time a traveller shares out
    weights = {c: w for c, w in req.themes.model_dump().items() if w > 0 and c != "mice"}
    total_w = sum(weights.values())
    total_min = sum(minutes_by_theme.get(c, 0.0) for c in weights)
    if len(weights) < 2 or total_min <= 0:
        return []
    out: list[tuple[str, str]] = []
    for c, w in weights.items():
        share, due = minutes_by_theme.get(c, 0.0) / total_min, w / total_w
        if share >= THEME_SHORTFALL * due:
            continue
        more = f"{min(10.0, 2 * w):g}"
        en, vi = messages.CATEGORIES["en"][c], messages.CATEGORIES["vi"][c]
        why_en = (" (attractiveness counts heritage status, which beaches and nature do not have)"
                  if c != "heritage" else "")
        why_vi = " (độ hấp dẫn có tính xếp hạng di tích, điều bãi biển và thiên nhiên không có)" if c != "heritage" else ""
        out.append((f"{THEME_NOTE_PREFIX[0]}: {en} has {share:.0%} of the visit time although its weight is {due:.0%} of the "
                    f"weights named — for the time they take, its places were worth less than the others'{why_en}; "
                    f"weight it higher (themes.{c} {more}, --theme {c}={more}) to see more of it",
                    f"{THEME_NOTE_PREFIX[1]}: {vi} chỉ chiếm {share:.0%} thời gian tham quan dù trọng số là {due:.0%} tổng "
                    f"trọng số đã chọn — tính theo thời gian, các điểm của chủ đề này có giá trị thấp hơn{why_vi}; "
                    f"tăng trọng số (themes.{c} {more}, --theme {c}={more}) để thấy nhiều hơn"))
    return out


FREE_TIME_PREFIX = ("free time", "thời gian tự do")
"""How the free-time notes begin (en, vi): advice to whoever plans, which a customer's brochure leaves out."""

PLANNER_ADVICE_PREFIXES = THEME_NOTE_PREFIX + FREE_TIME_PREFIX
"""Notes that advise whoever plans (how to shift themes, how to fill a free afternoon) rather than state a fact of
the trip: a customer's brochure leaves them out."""

FREE_TIME_MIN = 180
"""A day that arrives this many minutes or more before the day's end (not the last day) gets a note: its free
afternoon is the plan's choice, and the plan says why."""


def free_time_notes(req: PlanRequest, days: list, excluded: list) -> list[tuple[str, str]]:
    """(en, vi) notes for the days that end early (:data:`FREE_TIME_MIN`), saying why: the places still within
    reach were worth less than their drive (left out as ``low_score``), or none was left.

    Why: a review found two free afternoons in a 3-day Hội An stay, unexplained — the text's left-out list shows
    only headline sites, so the plan looked broken rather than chosen."""
    end_s = _seconds_of(req.day_end)
    early = [d for d in days[:-1]
             if end_s - _seconds_of(d.arrive.time()) >= FREE_TIME_MIN * 60 and d.arrive.date() == d.date]
    if not early:
        return []
    low = sum(1 for e in excluded if e.reason == "low_score")
    when_en = ", ".join(f"day {d.day} at {d.arrive:%H:%M}" for d in early)
    when_vi = ", ".join(f"ngày {d.day} lúc {d.arrive:%H:%M}" for d in early)
    if not low:
        return [(f"{FREE_TIME_PREFIX[0]}: {when_en} end(s) early — no other place is left within reach of this trip",
                 f"{FREE_TIME_PREFIX[1]}: {when_vi} kết thúc sớm — không còn điểm nào khác trong tầm với của chuyến đi")]
    return [(f"{FREE_TIME_PREFIX[0]}: {when_en} end(s) early — the {low} place(s) still within reach were worth less "
             f"than their drive and visit time (left out as low value); add one as a must-visit, or weight its theme "
             f"higher, to fill the afternoon",
             f"{FREE_TIME_PREFIX[1]}: {when_vi} kết thúc sớm — {low} điểm còn trong tầm với có giá trị thấp hơn thời "
             f"gian đi và tham quan (bị bỏ vì giá trị thấp); thêm một điểm vào danh sách bắt buộc hoặc tăng trọng số "
             f"chủ đề của nó để lấp buổi chiều")]


RAINY_SEASON_MONTHS = (9, 10, 11, 12)
RAINY_SEASON_PROVINCES = frozenset({"Quảng Bình", "Quảng Trị", "Thừa Thiên Huế", "Đà Nẵng", "Quảng Nam",
                                    "Quảng Ngãi"})
"""Central Vietnam's rainy and flood season, where the plan goes: "around Da Nang and Hue the rainy season lasts from
September to February, with most rain falling between late September and December; … not unusual for road and rail
links to be cut" (Rough Guides, quoted by https://guidebook.travel/vietnam/central-vietnam/sense-of-place/but-the-
rains-can-be-deadly, undated); "Hoi An, Danang, Hue, and the mountain valleys of Phong Nha are particularly prone to
flooding during October and November" (https://www.fodors.com/world/asia/vietnam/the-central-coast/travel-tips/
when-to-go-266510150, undated). Read 2026-12-08. A review: trips in October and November planned beach stops, the
Hải Vân pass and Hội An without a word about the season."""


def rainy_season_notes(days: list) -> list[tuple[str, str]]:
    """(en, vi) note when days of the trip with stops or nights in the rainy provinces fall in the season."""
    hit = [d for d in days if d.date.month in RAINY_SEASON_MONTHS
           and ({s.province_legacy for s in d.stops} | {getattr(d.lodging, "province_legacy", None)})
           & RAINY_SEASON_PROVINCES]
    if not hit:
        return []
    first, last = hit[0].date, hit[-1].date
    when = f"{first:%d/%m}" + (f"–{last:%d/%m}" if last != first else "")
    return [(f"rainy season: {when} falls in Central Vietnam's rainy and flood season (most rain from late September "
             f"to December; Huế, Đà Nẵng, Hội An and Phong Nha flood most in October–November) — beaches, boats and "
             f"passes may be rained off or closed and roads cut; check the forecast and keep a day flexible",
             f"mùa mưa: {when} rơi vào mùa mưa lũ miền Trung (mưa nhiều từ cuối tháng 9 đến tháng 12; Huế, Đà Nẵng, "
             f"Hội An và Phong Nha hay ngập nhất vào tháng 10–11) — bãi biển, tàu thuyền và đèo có thể tạm dừng hoặc "
             f"đóng, đường có thể bị chia cắt; hãy xem dự báo thời tiết và chừa một ngày dự phòng")]


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


def _itinerary(model: _Model, sol: Solution, req: PlanRequest, notes: list[tuple[str, str]],
               geometry: bool) -> Itinerary:
    P = model.problem
    M = model.matrix
    days: list[DayPlan] = []
    visit_by_prov: dict[str, float] = defaultdict(float)
    visit_by_theme: dict[str, float] = defaultdict(float)
    nights_by_prov: dict[str, int] = defaultdict(int)
    fees, fees_unknown = 0.0, []
    total_m = est_m = drive_s = 0.0
    for d, sched in enumerate(sol.schedule):
        stops_raw = _leave_when_needed(_early_boat_times(model, sched.stops, d))
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
        tickets: set[tuple[str, int]] = set()  # (site, fee) already paid today: one ticket covers a site's parts
        for st in stops_raw[1:-1]:
            if st.node in boats:
                stops.append(ItineraryStop(**islands.boat_stop(
                    boats[st.node], st.node, st, lambda t: _to_dt(req, t), _stay_hub(model, boats[st.node]))))
                continue
            exc = model.excursions.get(st.node)
            if exc is not None:
                stops.append(_excursion_stop(model, exc, st, req))
                visit_by_prov[exc.pois[0].province_legacy] += (st.departure - st.start) / 60.0
                visit_by_theme[exc.pois[0].category] += (st.departure - st.start) / 60.0
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
                hours_assumed=(None if st.node not in model.unknown_hours else "-".join(
                    t.strftime("%H:%M") for t in assumed_window(poi, req, req.start_date + timedelta(days=d)))),
                closure_note=poi.closure_note, closure_note_vi=poi.closure_note_vi,
                stale=poi.stale_facts(req.start_date),
                seats=seats, seats_unknown=poi.category == "mice" and seats is None,
                source=poi.source, score=float(P.score[st.node]),
                locked=any(lk.place_id == poi.id for lk in req.locks), access=poi.access))
            visit_by_prov[poi.province_legacy] += (st.departure - st.start) / 60.0
            visit_by_theme[poi.category] += (st.departure - st.start) / 60.0
            if poi.fee_vnd is None:
                fees_unknown.append(poi.id)
            elif (poi.part_of or poi.id, poi.fee_vnd) not in tickets:
                # parts of one site on one day (Hội An's old houses when the Ancient Town itself is not planned, the
                # Golden Bridge and Bà Nà's pagoda) carry the site's ticket: it is paid once, not once per part
                fees += poi.fee_vnd
                tickets.add((poi.part_of or poi.id, poi.fee_vnd))
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
                    visit_minutes_by_theme=dict(visit_by_theme),
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
    # every note in both languages (Itinerary.notes); the model's and the rules' notes are bilingual or names
    pairs = model.note_pairs()
    visited_unknown = [model.pois[v] for r in sol.routes for v in r if v in model.unknown_hours]
    if any(v in model.excursions and not model.excursions[v].exact for r in sol.routes for v in r):
        pairs.append(("boat times to the islands are approximate where no timetable is published — confirm locally",
                      "giờ tàu ra đảo là ước tính ở những tuyến chưa công bố lịch — cần xác nhận tại chỗ"))
    window = "–".join(t.strftime("%H:%M") for t in assumed_hours(req))
    if visited_unknown:
        pairs.append((f"opening hours unknown (assumed open during the day, {window}; check locally): "
                      + ", ".join(p.name_en for p in visited_unknown),  # type: ignore[union-attr]
                      f"chưa rõ giờ mở cửa (giả định mở trong ngày, {window}; cần kiểm tra tại chỗ): "
                      + ", ".join(p.name_vi for p in visited_unknown)))  # type: ignore[union-attr]
    by_id = {p.id: p for p in model.pois if p is not None}
    outdoors = [(d, s) for d in days for s in d.stops if s.place_id in by_id and daylight_only(by_id[s.place_id])]
    if outdoors:
        d0, s0 = outdoors[0]
        rise, sunset = (t.strftime("%H:%M") for t in daylight(s0.lat, s0.lon, d0.date))
        names = list(dict.fromkeys((s.name_en, s.name_vi) for _, s in outdoors))
        pairs.append((f"outdoor places without published hours (or open day and night) are planned in daylight, "
                      f"between sunrise and sunset there ({s0.name_en} on {d0.date:%d/%m}: {rise}–{sunset}): "
                      + ", ".join(en for en, _ in names),
                      f"điểm ngoài trời chưa công bố giờ mở cửa (hoặc mở cả ngày đêm) được xếp vào lúc trời sáng, từ "
                      f"bình minh đến hoàng hôn tại chỗ ({s0.name_vi} ngày {d0.date:%d/%m}: {rise}–{sunset}): "
                      + ", ".join(vi for _, vi in names)))
    unknown_seats = [s for d in days for s in d.stops if s.seats_unknown]
    if unknown_seats:
        pairs.append((f"seat count not published — confirm the venue holds the group of {req.group_size}: "
                      + ", ".join(s.name_en for s in unknown_seats),
                      f"chưa công bố sức chứa — cần xác nhận địa điểm đủ chỗ cho đoàn {req.group_size} khách: "
                      + ", ".join(s.name_vi for s in unknown_seats)))
    closures = sorted({(s.name_en, s.name_vi, s.closure_note, s.closure_note_vi or s.closure_note)
                       for d in days for s in d.stops if s.closure_note})
    if closures:
        pairs.append(("published closure notices (check before going): "
                      + "; ".join(f"{en}: {note}" for en, _vi, note, _note_vi in closures),
                      "thông báo tạm đóng cửa đã công bố (kiểm tra trước khi đi): "
                      + "; ".join(f"{vi}: {note_vi}" for _en, vi, _note, note_vi in closures)))
    pairs.extend(theme_balance_notes(req, visit_by_theme))
    pairs.extend(free_time_notes(req, days, excluded))
    pairs.extend(rainy_season_notes(days))
    stale = sorted({(s.name_en, s.name_vi, ", ".join(s.stale)) for d in days for s in d.stops if s.stale})
    if stale:
        fact_vi = {"hours": "giờ", "fee": "giá vé", "seats": "sức chứa"}
        pairs.append((f"facts older than {STALE_AFTER_YEARS} years (may have changed; check locally): "
                      + ", ".join(f"{en} ({facts})" for en, _vi, facts in stale),
                      f"dữ liệu cũ hơn {STALE_AFTER_YEARS} năm hoặc không ghi ngày (có thể đã thay đổi; cần kiểm tra): "
                      + ", ".join(f"{vi} ({', '.join(fact_vi.get(f, f) for f in facts.split(', '))})"
                                  for _en, vi, facts in stale)))
    if est_m > 0:
        model_name = getattr(M, "estimate_model", "flat model")
        router = getattr(M, "_router", None)
        # the router that made this matrix names its model in Vietnamese too; a matrix read from an older cache file
        # carries only the English label
        model_vi = (router.estimate_label_in("vi") if router is not None and router.estimate_label == model_name
                    else model_name)
        pairs.append((f"{est_m / 1000:.0f} km of {total_m / 1000:.0f} km are estimated (no loaded OSM road network "
                      f"covers those legs) by the {model_name}",
                      f"{est_m / 1000:.0f} km trên {total_m / 1000:.0f} km là ước tính (chưa có mạng đường OSM cho "
                      f"các chặng đó), theo {model_vi}"))
    pairs += list(notes)
    warnings = [en for en, _ in pairs]
    warnings_vi = [vi for _, vi in pairs]
    reach = model.stay_reach
    return Itinerary(feasible=True, days=days, totals=totals, excluded=excluded, warnings=warnings,
                     warnings_vi=warnings_vi,
                     stay_reach_hours=None if reach is None or reach == float("inf") else reach / 3600,
                     request=req.model_dump(mode="json"), profile=req.profile,
                     solver={k: v for k, v in sol.stats.items() if isinstance(v, (int, float, str, bool))})


def _stay_hub(model: _Model, stay: islands.IslandStay) -> Poi:
    """The island hub of a stay (its province names the boat stops)."""
    poi = model.pois[stay.hub_node]
    assert poi is not None
    return poi


def _leave_when_needed(stops: list[Any]) -> list[Any]:
    """The day's timetable leaving the hotel in time for its first stop rather than at the day's start and then
    waiting outside: with a day from 05:00 the group left Huế at 05:00 to wait 110 min at the Imperial City's gate.
    The solver's schedule starts every day at its earliest; a wait before the first stop moves the departure."""
    if len(stops) < 3:
        return stops
    wait = stops[1].start - stops[1].arrival
    if wait < 60.0:
        return stops
    return [replace(stops[0], departure=stops[0].departure + wait), replace(stops[1], arrival=stops[1].start),
            *stops[2:]]


def _early_boat_times(model: _Model, stops: list[Any], d: int) -> list[Any]:
    """The day's timetable with an early boat's real times (:data:`.model.EARLY_BOAT_MAX_MIN`): the trip, first
    of the day, starts at its check-in, and the hotel is left one drive before — earlier than the day's start."""
    if len(stops) < 3 or stops[1].node not in model.excursions:
        return stops
    exc = model.excursions[stops[1].node]
    if exc.early is None or abs(stops[1].start - (d * DAY + exc.early[1])) > 1.0:
        return stops
    checkin = d * DAY + exc.early[0]
    drive = float(model.problem.travel[stops[0].node, stops[1].node])
    return [replace(stops[0], departure=checkin - drive), replace(stops[1], arrival=checkin, start=checkin),
            *stops[2:]]


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
    early = exc.early is not None and abs(st.start % DAY - exc.early[0]) < 1.0
    early_en = (f"; the day starts before {req.day_start:%H:%M} for this boat" if early else "")
    early_vi = (f"; ngày này bắt đầu trước {req.day_start:%H:%M} để kịp chuyến tàu" if early else "")
    return ItineraryStop(
        place_id=exc.id, name_vi=f"{link.island}: tàu {_hhmm(out)} từ {link.from_port}, về {_hhmm(back)}",
        name_en=f"{link.island} day trip: boat {_hhmm(out)} from {link.from_port}, back {_hhmm(back)}",
        category="coastal", subcategory="island", province_legacy=main.province_legacy, province=main.province,
        lat=link.from_lat, lon=link.from_lon, arrival=_to_dt(req, st.arrival), start=_to_dt(req, st.start),
        departure=_to_dt(req, st.departure), fee_vnd=None, fee_as_of=link.as_of or None, opening_hours=None,
        source="; ".join(link.sources), score=float(model.problem.score[st.node]), kind="ferry_excursion",
        includes=[p.id for p in exc.pois],
        note_en=f"Check in {exc.check_in_s / 60:.0f} min before the {_hhmm(out)} boat; crossing up to "
                f"{exc.crossing_s / 60:.0f} min; on the island: {names_en}{approx_en}" + early_en,
        note_vi=f"Có mặt trước {exc.check_in_s / 60:.0f} phút; tàu {_hhmm(out)}, đi tối đa {exc.crossing_s / 60:.0f} "
                f"phút; trên đảo: {names_vi}{approx_vi}" + early_vi,
        ferry_route=[(link.from_lat, link.from_lon), (link.to_lat, link.to_lon)])
