"""Solving with the regional rules: the search, the CP-SAT master for long trips and share / hour rules, re-solves
under tightened counts, the master rescue of missed province counts, and the longer-drive fallback."""

from __future__ import annotations

from ..itinerary import Itinerary
from ..messages import dec
from ..model import PlanRequest
from ..solve import OrienteeringProblem, Solution, check
from ..solve.master import MasterRules
from .assemble import _province_minutes
from .explain import _group_shortfall
from .model import _Model

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
    from ..solve import Deadline, MaxRuntime, MaxWork, SolveParams, StoppingCriterion, optimise, seconds_to_work

    # deterministic work budget for ``seconds`` on region-sized problems, a wall-clock safety net well beyond it
    # (3 × limit + 2 s: a 1-s plan's search takes ~1.2 s here, so 2 × limit + 1 s was reached — and the plan made
    # machine-dependent — by a 2.5-fold slowdown, as on CI next to the CPU-saturation test), and the caller's hard
    # deadline (web server) when there is one
    stop: StoppingCriterion = MaxWork(seconds_to_work(seconds) * PLANNER_WORK_FACTOR) | MaxRuntime(3.0 * seconds + 2.0)
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


MASTER_ATTEMPTS = 2
"""Master-problem attempts (seeds ``seed``, ``seed + 1``) before the re-solve path, when a plan breaks a rule the
master's exact constraints were meant to hold: its coarse clock can let the real timetable drop a place the rule
needed, and another seed's selection often leaves more slack. Deterministic for a given seed; only requests whose
first attempt breaks a rule pay for the second."""

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


Note = tuple[str, str]
"""A note on the plan in English and Vietnamese (Itinerary.warnings / warnings_vi)."""

_TIME_RAN_OUT: Note = ("the time limit ended before the regional rules could be enforced by re-solving",
                 "hết thời gian giới hạn trước khi giải lại để áp dụng quy tắc liên kết vùng")


def _rule_notes(model: _Model, req: PlanRequest, sol: Solution) -> list[Note]:
    """The final verification of the rules that are not counts: one note (English, Vietnamese) per rule the plan
    does not meet."""
    rules = req.regional
    notes: list[Note] = []
    mins = _province_minutes(model, sol)
    total = sum(mins.values()) or 1.0
    if rules.max_share_one_province is not None:
        for pv, m in mins.items():
            if m / total > rules.max_share_one_province + 1e-9:
                notes.append((f"regional rule not met: {pv} holds {m / total:.0%} of visit time "
                              f"(max {rules.max_share_one_province:.0%})",
                              f"quy tắc liên kết vùng chưa đạt: {pv} chiếm {m / total:.0%} thời gian tham quan "
                              f"(tối đa {rules.max_share_one_province:.0%})"))
    for label in model.rule_groups.covered:
        if mins.get(label, 0.0) < rules.min_visit_hours_per_province * 60 - 1e-6:
            notes.append((f"regional rule not met: {label} gets {mins.get(label, 0.0) / 60:.1f} h of visits "
                          f"(min {rules.min_visit_hours_per_province:g} h)",
                          f"quy tắc liên kết vùng chưa đạt: {label} có {dec(mins.get(label, 0.0) / 60, 1, 'vi')} giờ "
                          f"tham quan (tối thiểu {dec(rules.min_visit_hours_per_province, None, 'vi')} giờ)"))
    return notes


def _solve_with_rules(model: _Model, req: PlanRequest, initial: list[list[int]] | None = None,
                      deadline: float | None = None, master: bool | None = None) -> tuple[Solution, list[Note]]:
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

    from ..solve.ils import WORK_PER_SECOND
    from ..solve.master import solve_with_master

    # a copy: the re-solves tighten its group counts, the model's problem keeps the user's rules for the check
    P = replace(model.problem, group_min_visits=dict(model.problem.group_min_visits),
                group_max_visits=dict(model.problem.group_max_visits))
    notes: list[Note] = []
    budget = req.solver.time_limit_s
    rules = req.regional
    master_plan: tuple[Solution, list[Note]] | None = None
    if master if master is not None else use_master(model, req, initial):
        t_master = time.perf_counter()
        for attempt in range(MASTER_ATTEMPTS):
            if attempt and deadline is not None and deadline - time.perf_counter() < MIN_RESOLVE_SECONDS:
                break
            msol = solve_with_master(P, budget, req.solver.seed + attempt,
                                     work=budget * WORK_PER_SECOND * PLANNER_WORK_FACTOR,
                                     rules=_master_rules(model, req), deadline=deadline)
            if msol is None or not msol.schedule or msol.unserved_mandatory or check(P, msol):
                break  # nothing in its slice, or a must-visit lost: another seed will not do better
            mnotes = _rule_notes(model, req, msol)
            if not mnotes:
                return msol, mnotes
            # the master's coarse clock let the real timetable drop a place a rule needed (a review's 3 days Đà
            # Nẵng → Quy Nhơn with 4 h per province got 3.0 h in Quảng Ngãi, and met it at another seed)
            if master_plan is None or (_unmet((msol, mnotes)), -msol.score) < (_unmet(master_plan),
                                                                              -master_plan[0].score):
                master_plan = (msol, mnotes)
        # the master found nothing in its slice, lost a must-visit or broke a rule at every attempt: the re-solve
        # path below with the time left, and the plan that meets more rules wins
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
                notes.append(_TIME_RAN_OUT)
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
            notes.append(_TIME_RAN_OUT)
        break
    final = notes + _rule_notes(model, req, sol)
    if master_plan is not None and (_unmet(master_plan), -master_plan[0].score) <= (_unmet((sol, final)), -sol.score):
        return master_plan
    return sol, final


def _unmet(plan: tuple[Solution, list[Note]]) -> int:
    """How many of a plan's notes say a regional rule is not met (the ranking of two attempts)."""
    return sum(en.startswith("regional rule not met") for en, _vi in plan[1])


def _rescue_with_master(model: _Model, req: PlanRequest,
                        deadline: float | None) -> tuple[Solution, list[Note]] | None:
    """The master problem's plan when it serves every must-visit, passes the checker and meets every province
    count; ``None`` otherwise, or when the server's deadline leaves no time for it."""
    import time

    if deadline is not None and deadline - time.perf_counter() < MIN_RESOLVE_SECONDS:
        return None
    sol, notes = _solve_with_rules(model, req, None, deadline, True)
    if not sol.schedule or sol.unserved_mandatory or check(model.problem, sol) or _group_shortfall(model, sol):
        return None
    return sol, notes
