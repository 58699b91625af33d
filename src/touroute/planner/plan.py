"""``plan(request, ctx)`` and :class:`Planner`: the pipeline's planning step, end to end (model → solve with the
rules → itinerary → checks, repair and explanations → evenings)."""

from __future__ import annotations

import math
from typing import Any

from ..evenings import add_evenings
from ..messages import dec
from ..itinerary import Itinerary
from ..matrix import TravelTimes
from ..model import COACH_MAX_DRIVING_MINUTES, DEFAULT_DRIVING_MINUTES, PlanRequest
from ..pois import Catalogue
from ..solve import check
from .assemble import _itinerary
from .context import PlanningContext
from .island_choice import choose_island_night
from .explain import (
    _GROUP_MIN_VIOLATION,
    NO_TIMETABLE,
    _explain_headlines,
    _group_shortfall,
    _nearest_in_group,
    _no_hub_sequence,
    _why_unserved,
    balance_days,
    keep_free_headlines,
)
from .model import _hhmm, _Model, _seconds_of, build_model
from .rules import _initial_routes, _rescue_with_master, _solve_with_rules, use_master


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


def _impossible_rules(model, req: PlanRequest) -> list[str]:
    """Regional rules no plan of this trip can meet, by arithmetic alone — refused up front with the numbers,
    rather than planned and reported as "not met" (a review: a 10 % share cap sent a 3-day Đà Nẵng trip 1,007 km to
    Quảng Bình to spread its visits, and 10 h in each of 4 provinces in 2 days came back as a plan).

    * ``min_visit_hours_per_province`` × the areas it applies to must fit in the days' hours (day window less
      lunch, before any driving): an upper bound, so only the plainly impossible is refused;
    * ``max_share_one_province`` = s needs visits in at least ⌈1 / s⌉ rule groups (areas), and the trip's
      candidate places lie in fewer."""
    import math

    rules, out = req.regional, []
    lunch_h = (req.lunch.minutes if req.lunch else 0) / 60
    day_h = (_seconds_of(req.day_end) - _seconds_of(req.day_start)) / 3600 - lunch_h
    covered = list(model.rule_groups.covered)
    if rules.min_visit_hours_per_province > 0 and covered:
        need = rules.min_visit_hours_per_province * len(covered)
        if need > req.days * day_h + 1e-9:
            out.append(f"regional rule cannot be met: {rules.min_visit_hours_per_province:g} h of visits in each of "
                       f"{len(covered)} areas ({', '.join(covered)}) is {need:g} h, but {req.days} day(s) of "
                       f"{req.day_start:%H:%M}–{req.day_end:%H:%M}"
                       + (f" less a {req.lunch.minutes}-min lunch" if req.lunch else "")
                       + f" hold at most {req.days * day_h:g} h before any driving — lower "
                         f"regional.min_visit_hours_per_province or add days")
    if rules.max_share_one_province is not None:
        needed = math.ceil(1 / rules.max_share_one_province - 1e-9)
        P = model.problem
        labels = sorted({model.rule_groups.group_of[pv] for i, pv in model.province_of.items()
                         if P.windows[i] and P.score[i] > 0})
        if len(labels) < needed:
            out.append(f"regional rule cannot be met: no area may hold more than "
                       f"{rules.max_share_one_province:.0%} of the visit time, which needs visits in at least "
                       f"{needed} areas, but this trip's places lie in {len(labels)}"
                       + (f" ({', '.join(labels)})" if labels else "")
                       + " — raise regional.max_share_one_province (to at least "
                         f"{1 / max(1, len(labels)):.0%}) or widen the trip")
    return out


def plan(req: PlanRequest, ctx: PlanningContext | None = None, *, geometry: bool = True,
         previous: Itinerary | None = None, deadline: float | None = None,
         master: bool | None = None, _relax: bool = True) -> Itinerary:
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
    chosen = choose_island_night(req, ctx.catalogue, ctx.router.ferries,
                                         lambda r: plan(r, ctx, geometry=geometry, previous=previous,
                                                        deadline=deadline, master=master, _relax=_relax))
    if chosen is not None:  # an island hub among the candidate nights: the best night for it was planned
        return chosen
    model = build_model(req, ctx)
    P = model.problem
    must_ids = set(req.must_visit) | {lk.place_id for lk in req.locks}
    problems: list[str] = list(model.problems)
    if model.stays and master is None:
        master = False  # the master's coarse day model does not know the boats; the search's timetable does
    problems.extend(_impossible_rules(model, req))
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
        if sol.schedule and not sol.unserved_mandatory:
            sol = keep_free_headlines(model, req, sol, math.inf if deadline is None else deadline)
            sol = balance_days(model, req, sol, math.inf if deadline is None else deadline)
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
                _explain_headlines(model, sol, req, itinerary, deadline)
                return add_evenings(itinerary, req, ctx, geometry=geometry)
    notes = model.note_pairs()
    failed = Itinerary(feasible=False, problems=problems, excluded=model.excluded, warnings=[en for en, _ in notes],
                       warnings_vi=[vi for _, vi in notes], request=req.model_dump(mode="json"), profile=req.profile)
    kw = dict(geometry=geometry, previous=previous, deadline=deadline, master=master)
    if not _relax:  # a retry of the relaxations below: its caller tries the next one
        return failed
    if P.hotel_remaining is not None and _no_chain_of_nights(failed):
        # Both are the planner's preferences, not the user's rules; a longer day's drive along the way comes
        # first: Hội An → Quy Nhơn by motorbike in 4 days went back over the Hải Vân pass to Huế for its nights
        # when one 5-h day along the coast would do.
        longer = _with_longer_default_drives(failed, req, ctx, **kw)
        if longer.feasible:
            return longer
        return _with_nights_off_the_way(failed, model, req, ctx, **kw)
    return _with_longer_default_drives(failed, req, ctx, **kw)


def _no_chain_of_nights(failed: Itinerary) -> bool:
    return any(p.startswith("no chain of overnight hubs") for p in failed.problems)


def _with_nights_off_the_way(failed: Itinerary, model: _Model, req: PlanRequest, ctx: PlanningContext,
                             **kw: Any) -> Itinerary:
    """Nights along the way are the planner's preference for a journey, not the user's rule: when no such chain fits
    (a night pinned behind the start), plan with every hub — which raises a default driving cap too, if that is
    needed (:func:`_with_longer_default_drives`) — and say so. When that fails as well, so would any relaxation
    that keeps fewer hubs, so the first answer stands."""
    retry = plan(req.model_copy(update={"overnight": req.overnight.model_copy(update={"along_the_way": False})}),
                 ctx, **kw)
    if not retry.feasible:
        return failed
    a, b = model.places[model.start].name, model.places[model.end].name
    return retry.with_note(f"no chain of nights moving along the way from {a} to {b} fits the request, so nights "
                           f"off the way or back were allowed (overnight.along_the_way)",
                           f"không có chuỗi nơi nghỉ đêm dọc đường từ {a} đến {b} phù hợp, nên đã cho phép nghỉ đêm "
                           f"ngoài lộ trình hoặc quay lại", first=True)


def _with_longer_default_drives(failed: Itinerary, req: PlanRequest, ctx: PlanningContext, **kw: Any) -> Itinerary:
    """The default driving cap is a preference, not the user's rule: when no chain of nights joins the trip's ends
    under it (4 h a day by motorbike at normal pace cannot reach Mũi Né from Nha Trang in 4 days), plan again with
    the least longer cap that works — the packed pace's cap for the vehicle and every whole hour above the default,
    up to the whole day (a coach: the drivers' legal 10 h) — and say so. A cap the user set is never raised, and
    the retries keep the request's other preferences (nights along the way): a failed retry costs a few tenths of a
    second, since a missing chain of nights is found before any search."""
    if req.max_driving_minutes_per_day is not None or not _no_chain_of_nights(failed):
        return failed
    day = int((req.day_end.hour * 60 + req.day_end.minute) - (req.day_start.hour * 60 + req.day_start.minute))
    whole = min(day, COACH_MAX_DRIVING_MINUTES) if req.profile == "coach" else day
    caps = {DEFAULT_DRIVING_MINUTES["packed"][req.profile], whole,
            *range((req.driving_cap_minutes // 60 + 1) * 60, whole, 60)}
    for longer in sorted(caps):
        if longer <= req.driving_cap_minutes:
            continue
        retry = plan(req.model_copy(update={"max_driving_minutes_per_day": longer}), ctx, **kw, _relax=False)
        if retry.feasible:
            return retry.with_note(
                f"driving cap raised from the {req.pace} pace's default of {req.driving_cap_minutes / 60:g} h to "
                f"{longer / 60:g} h a day by {req.profile}: no chain of overnight hubs reaches the end under the "
                f"default (set max_driving_minutes_per_day to choose)",
                f"giới hạn lái xe mặc định {dec(req.driving_cap_minutes / 60, None, 'vi')} giờ/ngày được nâng lên "
                f"{dec(longer / 60, None, 'vi')} giờ vì không có chuỗi nơi nghỉ đêm nào tới điểm cuối (đặt max_driving_minutes_per_day để tự chọn)",
                first=True)
    return failed
