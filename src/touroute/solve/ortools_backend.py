"""OR-Tools routing model of the same problem: baseline solver, cross-check and warm-started polish.

Model (one vehicle per route, hotels fixed per vehicle — the hotel choice comes from our search or is given):

* ``RoutingIndexManager(n, R, starts, ends)``; every other node is optional through a disjunction whose penalty is
  its score times a scale larger than any possible total route cost (so profit dominates); mandatory nodes get no
  disjunction. The arc cost is the travel time, so among equal-profit solutions shorter ones win.
* time dimension from one ``RegisterTransitMatrix`` (travel + service of the origin, integers in units of
  1/``time_scale``), slack = waiting; each node's cumul (= start of service) restricted to the union of its
  windows with ``SetRange`` + ``RemoveInterval``; vehicle start/end cumuls to the route span.
* lunch: ``SetBreakIntervalsOfVehicle`` with an interval of fixed duration starting in [earliest, latest] and
  the service times as node visit transits (a break never interrupts a visit).
* driving cap: a second dimension on the pure travel matrix with per-vehicle capacity.
* group limits: ``solver.Add(sum(ActiveVar) <= max / >= min)`` on the routing model's CP solver.

Times are scaled conservatively (travel and service rounded up, windows shrunk inwards) unless they are exact
multiples of the scale (the benchmark data with 1 or 2 decimals), so what OR-Tools calls feasible is feasible;
every result is still re-verified by ``solution.check``.
"""

from __future__ import annotations

import math
import time

import numpy as np

from .hotels import hotel_sequences
from .problem import OrienteeringProblem
from .solution import Solution, make_solution

SCORE_SCALE = 10**6


def _time_scale(problem: OrienteeringProblem) -> float:
    """Largest power of ten ≤ 1e6 keeping the horizon below ~1e9 (OR-Tools works in int64 but likes small ints).

    Fine enough that rounding every arc up does not make a tight solution of ours (OPHS trips end within 1e-4 of
    their limit) infeasible for the warm start."""
    horizon = max(r.t_end for r in problem.routes)
    s = 100.0
    while s < 1e6 and horizon * s * 10 < 1e9:
        s *= 10
    while horizon * s > 1e9 and s > 1e-3:
        s /= 10
    return s


def _up(x: np.ndarray | float, s: float):
    v = np.asarray(x, dtype=float) * s
    r = np.round(v)
    return np.where(np.abs(v - r) < 1e-6, r, np.ceil(v)).astype(np.int64)


def _down(x: float, s: float) -> int:
    if math.isinf(x):
        return 1 << 50 if x > 0 else -(1 << 50)
    v = x * s
    r = round(v)
    return int(r if abs(v - r) < 1e-6 else math.floor(v))


def build_model(problem: OrienteeringProblem, hotels: list[tuple[int, int]]):
    """Routing model with fixed (start, end) per route. Returns (manager, routing, time_dim, scale)."""
    from ortools.constraint_solver import pywrapcp

    n = problem.n
    R = len(problem.routes)
    s = _time_scale(problem)
    starts = [int(h[0]) for h in hotels]
    ends = [int(h[1]) for h in hotels]
    manager = pywrapcp.RoutingIndexManager(n, R, starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    T = _up(problem.travel, s)
    svc = _up(problem.service, s)
    transit = (T + svc[:, None]).tolist()
    cb = routing.RegisterTransitMatrix(transit)
    arc = routing.RegisterTransitMatrix(T.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc)
    horizon = int(max(_down(r.t_end, s) for r in problem.routes)) + 1
    routing.AddDimension(cb, horizon, horizon, False, "time")
    tdim = routing.GetDimensionOrDie("time")
    hotelset = set(starts) | set(ends)
    solver = routing.solver()
    # one unit of score must outweigh any possible total travel, so profit dominates the tie-breaking arc cost
    pen_scale = max(SCORE_SCALE, R * horizon + 1)
    unused_hotels = problem.hotel_nodes - hotelset
    for i in range(n):
        if i in hotelset:
            continue
        idx = manager.NodeToIndex(i)
        if i in unused_hotels:  # a hotel not chosen for this sequence is never a stop
            routing.AddDisjunction([idx], 0)
            routing.ActiveVar(idx).SetValue(0)
            continue
        wins = [(math.ceil(a * s - 1e-6), _down(b, s)) for a, b in problem.windows[i]]
        wins = [(max(0, a), min(horizon, b)) for a, b in wins if b >= max(0, a) and a <= horizon]
        score = float(problem.score[i])
        if not wins:
            routing.AddDisjunction([idx], 0)
            routing.ActiveVar(idx).SetValue(0)
            continue
        if i not in problem.mandatory:
            routing.AddDisjunction([idx], int(round(max(score, 0.0) * pen_scale)))
        cv = tdim.CumulVar(idx)
        cv.SetRange(wins[0][0], wins[-1][1])
        for (a0, b0), (a1, b1) in zip(wins, wins[1:]):
            if a1 - 1 >= b0 + 1:
                cv.RemoveInterval(b0 + 1, a1 - 1)
    for v, r in enumerate(problem.routes):
        lo, hi = math.ceil(r.t_start * s - 1e-6), _down(r.t_end, s)
        tdim.CumulVar(routing.Start(v)).SetRange(lo, hi)
        tdim.CumulVar(routing.End(v)).SetRange(lo, hi)
        routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(routing.End(v)))
    if any(r.break_ is not None and r.break_.duration > 0 for r in problem.routes):
        visit = [int(svc[manager.IndexToNode(k)]) for k in range(routing.Size())]
        for v, r in enumerate(problem.routes):
            b = r.break_
            if b is None or b.duration <= 0:
                continue
            iv = solver.FixedDurationIntervalVar(math.ceil(b.earliest * s - 1e-6), _down(b.latest, s),
                                                 int(_up(b.duration, s)), False, f"break{v}")
            tdim.SetBreakIntervalsOfVehicle([iv], v, visit)
    caps = [r.max_travel for r in problem.routes]
    if any(c is not None for c in caps):
        big = int(T.sum()) + 1
        vc = [big if c is None else _down(c, s) for c in caps]
        routing.AddDimensionWithVehicleCapacity(arc, 0, vc, True, "drive")
    if problem.groups is not None:
        for g in set(problem.group_min_visits) | set(problem.group_max_visits):
            members = [manager.NodeToIndex(i) for i in range(n) if problem.groups[i] == g and i not in hotelset]
            act = [routing.ActiveVar(k) for k in members]
            if g in problem.group_max_visits:
                solver.Add(solver.Sum(act) <= problem.group_max_visits[g])
            if g in problem.group_min_visits:
                solver.Add(solver.Sum(act) >= problem.group_min_visits[g])
    return manager, routing, tdim, s


def _params(seconds: float, first: str | None = None):
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    p = pywrapcp.DefaultRoutingSearchParameters()
    p.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first or "AUTOMATIC")
    p.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    p.time_limit.FromMilliseconds(max(1, int(seconds * 1000)))
    return p


def _extract(problem, manager, routing, assignment) -> list[list[int]]:
    out = []
    for v in range(len(problem.routes)):
        idx = routing.Start(v)
        r = []
        while True:
            r.append(manager.IndexToNode(idx))
            if routing.IsEnd(idx):
                break
            idx = assignment.Value(routing.NextVar(idx))
        out.append(r)
    return out


def solve_ortools(problem: OrienteeringProblem, seconds: float, hotels: list[tuple[int, int]] | None = None,
                  first: str | None = None) -> Solution | None:
    """OR-Tools alone (first-solution heuristic + guided local search) with fixed hotels (default: first feasible
    sequence). Used as the baseline of the benchmark and to cross-check small problems."""
    t0 = time.perf_counter()
    if hotels is None:
        seqs = hotel_sequences(problem, limit=1)
        if not seqs:
            return None
        hotels = list(seqs[0])
    manager, routing, _, _ = build_model(problem, hotels)
    a = routing.SolveWithParameters(_params(seconds, first))
    if a is None:
        return None
    sol = make_solution(problem, _extract(problem, manager, routing, a), {"engine": "ortools"})
    sol.stats["seconds"] = time.perf_counter() - t0
    return sol


def polish(problem: OrienteeringProblem, sol: Solution, seconds: float) -> Solution | None:
    """Warm-start OR-Tools GLS from ``sol`` (same hotels) for ``seconds``; None if it cannot use the start."""
    hotels = list(zip(sol.route_starts, sol.route_ends))
    manager, routing, _, _ = build_model(problem, hotels)
    routes = [[manager.NodeToIndex(v) for v in r] for r in sol.routes]
    routing.CloseModelWithParameters(_params(seconds))
    init = routing.ReadAssignmentFromRoutes(routes, True)
    if init is None:
        return None
    a = routing.SolveFromAssignmentWithParameters(init, _params(seconds))
    if a is None:
        return None
    return make_solution(problem, _extract(problem, manager, routing, a), {"engine": "ortools-polish"})
