"""Why a place is not in the plan: the solver's reasons made readable, headline sites explained with what keeping
them would have cost (issue 12), regional rules that could not be met."""

from __future__ import annotations

import math
import re
import time
from datetime import timedelta

from .. import islands
from ..itinerary import Itinerary
from ..model import PlanRequest
from ..solve import Solution
from ..solve.solution import route_fits
from .model import EARLY_BOAT_MAX_MIN, _exclusion, _hhmm, _Model, _seconds_of
from .value import HEADLINE_MIN_ATTRACTIVENESS, attractiveness


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
                elif exc is not None and exc.early is not None and k == 1 and here.arrival > close + P.eps:
                    # an early boat: the model's window is shifted (planner.model._early_boat) — say it in the
                    # real times: the check-in, and when the hotel would have to be left for it
                    gap = here.arrival - close
                    checkin = exc.early[0]
                    leave = checkin - to_i
                    msg = (f"must-visit {name}: the {_hhmm(checkin + exc.check_in_s)} boat's check-in at "
                           f"{_hhmm(checkin)} means leaving {model.places[s].name or model.places[s].id} at "
                           f"{_hhmm(leave)} on day {d + 1} ({to_i / 3600:.1f} h drive), more than "
                           f"{EARLY_BOAT_MAX_MIN:.0f} min before the day starts at {req.day_start:%H:%M} — start the "
                           f"day earlier (day_start) or sleep nearer the port")
                elif here.arrival > close + P.eps:
                    gap = here.arrival - close
                    msg = (f"must-visit {name} must be entered by {_hhmm(close)} (closing / end of day minus a "
                           f"{P.service[i] / 60:.0f}-min visit) but day {d + 1} cannot reach it before "
                           f"{_hhmm(here.arrival)} from {model.places[s].name or model.places[s].id} "
                           f"({to_i / 3600:.1f} h drive{with_lunch})")
                elif back > r.t_end + P.eps:
                    gap = back - r.t_end
                    # name every part of the day that takes its time: the lunch before the visit as well as after
                    after = " and the lunch break" if brk is not None and brk.after >= k else ""
                    before = f" (after a {to_i / 3600:.1f} h drive{with_lunch})" if with_lunch else ""
                    msg = (f"must-visit {name}: visiting it on day {d + 1}{before} ends at {_hhmm(here.departure)} "
                           f"and the drive on to {model.places[e].name or model.places[e].id}{after} arrives "
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


HEADLINE_REACH_MIN = 60.0
"""A headline site is *within reach* of a plan when visiting it costs at most this many minutes of extra driving on
some day of the plan (its cheapest detour between two consecutive stops). Beyond that it belongs to another trip."""


HEADLINE_COSTED_MAX_MIN = 180.0
"""A headline site beyond reach but at most this many minutes of detour away still gets what keeping it would have
cost (Mỹ Sơn, 69 min off a Huế → Nha Trang plan's coast road); further away (Phong Nha from Nha Trang) the detour
alone is the reason."""


def _drive_text(seconds: float) -> tuple[str, str]:
    """Extra driving of a change, in words ("25 min more driving", "13 min less driving")."""
    m = round(seconds / 60)
    if m > 0:
        return f"{m} min more driving", f"lái xe thêm {m} phút"
    if m < 0:
        return f"{-m} min less driving", f"bớt {-m} phút lái xe"
    return "no extra driving", "không phải lái thêm"


def _headline_detour_min(model: _Model, sol: Solution, i: int) -> float:
    """Minutes of extra driving of the cheapest detour to node ``i`` from the plan's days."""
    T = model.problem.travel
    best = math.inf
    for d in range(len(sol.routes)):
        seq = sol.full_route(d)
        for a, b in zip(seq, seq[1:]):
            best = min(best, float(T[a, i] + T[i, b] - T[a, b]))
    return best / 60.0


def _with_days(P, sol: Solution, days: dict[int, list[int]]) -> Solution:
    """``sol`` with the full routes of ``days`` replaced (timetables and value recomputed; nothing checked)."""
    from ..solve.solution import make_solution

    full = [days.get(k) or sol.full_route(k) for k in range(len(sol.routes))]
    return make_solution(P, full, sol.stats)


def keep_free_headlines(model: _Model, req: PlanRequest, sol: Solution, deadline: float = math.inf) -> Solution:
    """The plan with every headline site it can take at no loss added: a site the cheapest one-day edit
    (:func:`_cheapest_keep`) fits for a *gain* — nothing must-visit pushed out, no province count broken — is put in.

    Why: the search can stop on a plan that leaves such a site out (the master problem restricts it to its own
    selection; a seed ends in a local optimum), and the left-out list then said "keeping it would have meant dropping
    nothing (0% of the plan's value) and no extra driving" — a reason that contradicts the plan (two reviews). Not
    with a share cap or minimum hours (an added or dropped visit can change them; the rules' paths own those plans).
    Under the web server's ``deadline`` it stops when the time is up."""
    from ..solve.explain import explain
    from ..solve.solution import check

    if req.regional.max_share_one_province is not None or req.regional.min_visit_hours_per_province > 0:
        return sol
    P = model.problem
    skip = set(req.exclude)
    heads = sorted((i for i in model.candidates
                    if (poi := model.pois[i]) is not None and i not in model.excursions and P.windows[i]
                    and poi.id not in skip and attractiveness(poi) >= HEADLINE_MIN_ATTRACTIVENESS),
                   key=lambda i: -float(P.score[i]))
    for i in heads:
        if i in sol.visited() or _headline_detour_min(model, sol, i) > HEADLINE_REACH_MIN:
            continue  # only sites within reach: each costing runs the day's timetable per trial
        if time.perf_counter() > deadline:
            break
        keep, cut = _cheapest_keep(model, sol, i, deadline, with_seq=True)
        if keep is None or cut:
            continue
        d, dropped, lost, _drive, seq = keep
        if lost >= -1e-6 or any(v in P.mandatory for v in dropped):
            continue
        new = _with_days(P, sol, {d: seq})
        if new.score <= sol.score + 1e-6 or check(P, new) or _group_shortfall(model, new):
            continue
        sol = explain(P, new)
        sol.stats["headlines_added"] = int(sol.stats.get("headlines_added", 0)) + 1
    return sol


BALANCE_GAIN_S = 30 * 60.0
"""A move of a visit between days must bring the later of the two days' ends forward by at least this much."""
BALANCE_VALUE_TOL = 0.01
"""… and may cost at most this share of the plan's value in all (the objective's driving cost of a few minutes more
on the road: Hội An Ancient Town moved from a day ending 18:27 to one ending 11:34 cost 0.05 %)."""


def balance_days(model: _Model, req: PlanRequest, sol: Solution, deadline: float = math.inf) -> Solution:
    """The plan with visits moved from a day that ends late to one that ends early, where the move costs nothing:
    the plan's value (the objective: worth of the visits less the cost of driving) drops by at most
    :data:`BALANCE_VALUE_TOL` in all (a few minutes more driving for a humane day), every day still
    passes the checker's timetable, and the later of the two days ends at least :data:`BALANCE_GAIN_S` sooner.

    Why: the objective does not care which day a visit is on, so a plan can end two days before noon and pack the
    third until 18:27 (a review's 3 days from Hội An, Mỹ Sơn on the last day) — a pace no tour designer would sign.
    Not for island nights or day trips (their boats bind the days) nor under share caps and minimum hours (a move
    changes no province's total, but those plans come from the rules' own paths and are left as they are)."""
    from ..solve.explain import explain

    if model.stays or req.regional.max_share_one_province is not None or req.regional.min_visit_hours_per_province:
        return sol
    floor = sol.score - BALANCE_VALUE_TOL * abs(sol.score)
    for _round in range(30):
        if time.perf_counter() > deadline:
            break
        new = _balance_move(model, sol, floor)
        if new is None:
            break
        sol = explain(model.problem, new)
        sol.stats["balance_moves"] = int(sol.stats.get("balance_moves", 0)) + 1
    return sol


def _balance_move(model: _Model, sol: Solution, floor: float) -> Solution | None:
    """The first move of :func:`balance_days` that works — latest day first, its longest visit first, to the day
    that ends earliest, at one of its four cheapest insertion points — or None."""
    from ..solve.solution import check

    P = model.problem
    T = P.travel

    def end_of(s: Solution, d: int) -> float:
        return s.schedule[d].stops[-1].arrival - P.routes[d].t_start

    ends = [end_of(sol, d) for d in range(len(sol.routes))]
    for src in sorted(range(len(ends)), key=lambda d: -ends[d]):
        for v in sorted(sol.routes[src], key=lambda v: -float(P.service[v])):
            if v in model.excursions:  # boats bind a day trip to its day (a locked place fails route_fits elsewhere)
                continue
            targets = [dst for dst in sorted(range(len(ends)), key=lambda d: ends[d])
                       if dst != src and ends[dst] + float(P.service[v]) < ends[src] - BALANCE_GAIN_S]
            src_seq = [x for x in sol.full_route(src) if x != v]
            if not targets or not route_fits(P, src, src_seq)[1]:
                continue
            for dst in targets:
                base = sol.full_route(dst)
                options = sorted(range(1, len(base)), key=lambda pos: float(
                    T[base[pos - 1], v] + T[v, base[pos]] - T[base[pos - 1], base[pos]]))
                for pos in options[:4]:
                    dst_seq = base[:pos] + [v] + base[pos:]
                    if not route_fits(P, dst, dst_seq)[1]:
                        continue
                    new = _with_days(P, sol, {src: src_seq, dst: dst_seq})
                    if (new.score >= floor - 1e-9 and not check(P, new)
                            and max(end_of(new, src), end_of(new, dst)) <= ends[src] - BALANCE_GAIN_S):
                        return new
    return None


def _cheapest_keep(model: _Model, sol: Solution, i: int, deadline: float = math.inf, *, with_seq: bool = False
                   ) -> tuple[tuple | None, bool]:
    """The cheapest way to keep node ``i`` by editing one day of the plan: insert it where the day's value drops
    least (net of its own value) after pushing out the fewest, least valuable visits the checker's timetable needs
    gone (pace, hours, day end, lunch). Returns ((day, nodes dropped, value lost, extra driving seconds) — and the
    day's new full route with ``with_seq`` — or ``None`` if no day can hold it, whether the search was cut short).

    Insertions are tried in order of detour, so when ``deadline`` (``time.perf_counter()``; each trial runs the
    checker's timetable once per candidate drop — a second for a 10-day plan) stops it, the nearest ones were
    tried; without a deadline every insertion is (the CLI's answer does not depend on the machine)."""
    P = model.problem
    T = P.travel
    bases = [sol.full_route(d) for d in range(len(sol.routes))]
    base_values = [P.route_value(b[1:-1]) for b in bases]
    base_drives = [sum(float(T[a, c]) for a, c in zip(b, b[1:])) for b in bases]
    trials = sorted((float(T[b[pos - 1], i] + T[i, b[pos]] - T[b[pos - 1], b[pos]]), d, pos)
                    for d, b in enumerate(bases) for pos in range(1, len(b)))
    best: tuple | None = None  # (lost, drive, day, position, dropped, sequence)

    def answer(b: tuple | None) -> tuple | None:
        if b is None:
            return None
        return (b[2], b[4], b[0], b[1], b[5]) if with_seq else (b[2], b[4], b[0], b[1])

    for _, d, pos in trials:
        if time.perf_counter() > deadline:
            return answer(best), True
        seq = bases[d][:pos] + [i] + bases[d][pos:]
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
        drive = sum(float(T[a, b]) for a, b in zip(seq, seq[1:])) - base_drives[d]
        lost = base_values[d] - P.route_value(seq[1:-1]) + P.travel_cost * drive
        if best is None or (lost, drive, d, pos) < best[:4]:
            best = (lost, drive, d, pos, dropped, seq)
    return answer(best), False


def _keep_text(model: _Model, sol: Solution, keep: tuple[int, list[int], float, float]) -> tuple[str, str]:
    """What keeping a left-out site would have cost, in words: the day, the stops pushed out, the share of the
    plan's value lost and the extra driving (:func:`_cheapest_keep`'s answer)."""
    d, dropped, lost, drive = keep
    share = max(0.0, lost) / sol.score if sol.score > 0 else 0.0
    names_en = ", ".join(model.pois[v].name_en for v in dropped if model.pois[v]) or "nothing"
    names_vi = ", ".join(model.pois[v].name_vi for v in dropped if model.pois[v]) or "không điểm nào"
    drive_en, drive_vi = _drive_text(drive)
    return (f"keeping it on day {d + 1} would have meant dropping {names_en} ({share:.0%} of the plan's value) and "
            f"{drive_en}",
            f"giữ lại vào ngày {d + 1} thì phải bỏ {names_vi} ({share:.0%} giá trị lịch trình) và {drive_vi}")


def _explain_headlines(model: _Model, sol: Solution, req: PlanRequest, itinerary: Itinerary,
                       deadline: float | None = None) -> None:
    """Say what keeping each left-out headline site within reach would have cost (issue 12): the cheapest edit of
    one day that keeps it — the stops it pushes out, the share of the plan's value lost and the extra driving.
    A headline site beyond reach gets its detour added to the reason it already has. Changes the exclusion
    messages in place; the plan itself is not changed.

    Under a hard ``deadline`` (the web server) the costing stops at the deadline; the sites not yet costed are
    named as within reach with their detour, and the message says the time limit left the cost unworked."""
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
        prior = itinerary.excluded[by_id[poi.id]] if poi.id in by_id else None
        if detour > HEADLINE_REACH_MIN:
            day_min = (P.routes[0].t_end - P.routes[0].t_start) / 60.0
            if prior is not None and prior.reason == "low_score" and (not math.isfinite(detour) or detour > day_min):
                # more detour than a whole day holds: not "reachable, but worth less" — too far for this trip
                # (Huế's sites on a Hồ Chí Minh City → Phan Thiết trip, 1412 min away, were called reachable)
                itinerary.excluded[by_id[poi.id]] = _exclusion(
                    poi, "too_far", *((f"a headline site, {detour:.0f} min of detour from this plan's route",
                                       f"điểm nổi bật, phải đi vòng {detour:.0f} phút so với lộ trình")
                                      if math.isfinite(detour) else ("", "")))
                continue
            if prior is not None and prior.reason == "low_score" and math.isfinite(detour):
                en = (f"a headline site, but {detour:.0f} min of detour from this plan's route — add it as a "
                      f"must-visit to plan around it")
                vi = (f"điểm nổi bật, nhưng phải đi vòng {detour:.0f} phút so với lộ trình — thêm vào danh sách "
                      f"bắt buộc để lập lịch quanh nó")
                if detour <= HEADLINE_COSTED_MAX_MIN:
                    keep, cut = _cheapest_keep(model, sol, i, math.inf if deadline is None else deadline)
                    if keep is not None and not cut:
                        cost_en, cost_vi = _keep_text(model, sol, keep)
                        en = (f"a headline site, {detour:.0f} min of detour from this plan's route; {cost_en} — add "
                              f"it as a must-visit to plan around it")
                        vi = (f"điểm nổi bật, phải đi vòng {detour:.0f} phút so với lộ trình; {cost_vi} — thêm vào "
                              f"danh sách bắt buộc để lập lịch quanh nó")
                itinerary.excluded[by_id[poi.id]] = _exclusion(poi, "low_score", en, vi)
            continue
        keep, cut = _cheapest_keep(model, sol, i, math.inf if deadline is None else deadline)
        if (cut or keep is None) and prior is not None and prior.reason != "low_score":
            # the specific reason already given (boats, hours, province limit …) stands: no day can hold it, or
            # the time limit left the cost of keeping it unworked
            continue
        if cut:  # what was found so far may not be the cheapest: say the time ran out instead
            en = (f"a headline site within reach ({detour:.0f} min of detour); the time limit left no time to work "
                  f"out what keeping it would cost — add it as a must-visit to see")
            vi = (f"điểm nổi bật trong tầm với (đi vòng {detour:.0f} phút); hết thời gian giới hạn nên chưa tính "
                  f"được cái giá để giữ nó — thêm vào danh sách bắt buộc để xem")
        elif keep is None:
            en = (f"a headline site within reach ({detour:.0f} min of detour), but no day of this plan can hold it "
                  f"within its hours, pace and lunch")
            vi = (f"điểm nổi bật trong tầm với (đi vòng {detour:.0f} phút), nhưng không ngày nào của lịch trình "
                  f"chứa được nó trong giờ, nhịp độ và giờ ăn trưa")
        else:
            cost_en, cost_vi = _keep_text(model, sol, keep)
            en, vi = f"a headline site within reach; {cost_en}", f"điểm nổi bật trong tầm với; {cost_vi}"
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
    # nights the request fixes or pins: the first leg between two of them (start, night, …, end) that cannot be
    # driven in a day is the reason, not the start-to-end drive (0 h for a round trip)
    asked = ({k + 1: h for k, h in enumerate(req.overnight.fixed)} if req.overnight.mode == "fixed"
             else dict(req.overnight.pinned))
    if asked:
        index = {p.id: i for i, p in enumerate(model.places)}
        chain = [(0, model.start), *[(n, index[h]) for n, h in sorted(asked.items()) if h in index],
                 (req.days, model.end)]
        cap = min(req.driving_cap_minutes * 60.0, _seconds_of(req.day_end) - _seconds_of(req.day_start)) / 3600
        for (n0, a), (n1, b) in zip(chain, chain[1:]):
            hours = float(P.travel[a, b]) / 3600
            if n1 > n0 and hours > cap * (n1 - n0):
                where = f"night {n1}" if n1 < req.days else "the end"
                return (f"no chain of overnight hubs reaches the night{'s' if len(asked) > 1 else ''} the request "
                        f"sets: {model.places[a].name} to {model.places[b].name} ({where}) takes {hours:.1f} h of "
                        f"driving in {n1 - n0} day(s) of at most {cap:g} h — choose nearer nights, add days or raise "
                        f"the driving cap")
    return (f"no chain of overnight hubs joins {model.places[model.start].name} to {model.places[model.end].name} "
            f"in {req.days} day(s) of {req.day_start:%H:%M}–{req.day_end:%H:%M}"
            + (f" with at most {req.max_driving_minutes_per_day / 60:g} h of driving a day"
               if req.max_driving_minutes_per_day else "")
            + f" (the direct drive alone takes {total:.1f} h); add days or lengthen the day")
