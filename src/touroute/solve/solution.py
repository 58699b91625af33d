"""Solutions, their timetables, and an independent feasibility checker.

``check`` recomputes everything from the problem data and the visiting order alone (plus where each route took
its break): it has its own window lookup and its own forward pass and shares no code with the search kernels,
so a bug in the incremental evaluation of the search cannot hide itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


from .problem import OrienteeringProblem


@dataclass(frozen=True)
class Stop:
    """One node of a route with its timetable: arrival, start of service, departure."""

    node: int
    arrival: float
    start: float
    departure: float


@dataclass(frozen=True)
class BreakPlacement:
    """The break of a route: taken between stop ``after`` and stop ``after + 1`` of ``RouteSchedule.stops``.

    ``start`` is its start time; if it is before the arrival at the next stop plus travel, it interrupts the drive.
    """

    after: int
    start: float
    duration: float


@dataclass(frozen=True)
class RouteSchedule:
    """Timetable of one route, start hotel and end hotel included."""

    stops: list[Stop]
    break_: BreakPlacement | None = None


@dataclass
class Solution:
    """A set of routes; ``routes[d]`` lists visits only, ``route_starts``/``route_ends`` are the chosen hotels."""

    routes: list[list[int]]
    route_starts: list[int]
    route_ends: list[int]
    schedule: list[RouteSchedule]
    score: float
    unserved_mandatory: dict[int, str] = field(default_factory=dict)
    """Mandatory nodes the solution does not visit, each with the reason (never a bare "no solution")."""
    unvisited_reasons: dict[int, str] = field(default_factory=dict)
    """Reason code of every unvisited visitable node (see ``explain.REASONS``)."""
    stats: dict[str, object] = field(default_factory=dict)

    def full_route(self, d: int) -> list[int]:
        return [self.route_starts[d], *self.routes[d], self.route_ends[d]]

    def visited(self) -> set[int]:
        return {v for r in self.routes for v in r}


# --------------------------------------------------------------------------------------------- schedule builder
def _window_start(windows: list[tuple[float, float]], t: float, eps: float) -> float | None:
    for a, b in windows:
        if t <= b + eps:
            return max(t, a)
    return None


def _absorbs(problem: OrienteeringProblem, node: int, start: float, brk) -> bool:
    """True if a visit of ``node`` starting at ``start`` includes the break (see ``OrienteeringProblem.meal``)."""
    if brk is None or problem.meal is None or not problem.meal[node]:
        return False
    return (start <= brk.latest + problem.eps
            and start + problem.service[node] >= brk.earliest + brk.duration - problem.eps)


def _simulate(problem: OrienteeringProblem, d: int, seq: list[int], brk_gap: int | None) -> tuple[list[Stop], BreakPlacement | None, bool]:
    """Earliest timetable of ``seq`` with the break forced into gap ``brk_gap`` (None: greedy rule)."""
    spec = problem.routes[d]
    T = problem.travel
    eps = problem.eps
    b = spec.break_
    taken = b is None or b.duration <= 0 or spec.t_start > b.latest + eps
    t = spec.t_start
    stops = [Stop(seq[0], t, t, t)]
    placement = None
    ok = True
    for g in range(len(seq) - 1):
        a, nxt = seq[g], seq[g + 1]
        dep = stops[-1].departure
        arr = dep + T[a, nxt]
        last = g + 1 == len(seq) - 1
        take = False
        if not taken:
            bs = max(dep, b.earliest)
            possible = bs <= b.latest + eps
            if brk_gap is not None:
                take = g == brk_gap
                if take and not possible:
                    ok = False
            elif possible:
                ready_with = max(arr, b.earliest) + b.duration
                if last:
                    take = arr > b.latest + eps
                else:
                    st0 = _window_start(problem.windows[nxt], arr, eps)
                    if st0 is None:
                        take = True
                    elif _absorbs(problem, nxt, st0, b):
                        take = False
                    else:
                        st1 = _window_start(problem.windows[nxt], ready_with, eps)
                        if st1 is not None and st1 <= st0 + eps:
                            take = True  # free: absorbed by waiting
                        else:
                            dep0 = st0 + problem.service[nxt]
                            take = max(dep0, b.earliest) > b.latest + eps
            if take:
                placement = BreakPlacement(g, bs, b.duration)
                arr = max(arr, b.earliest) + b.duration
                taken = True
        if last:
            stops.append(Stop(nxt, arr, arr, arr))
            if arr > spec.t_end + eps:
                ok = False
        else:
            st = _window_start(problem.windows[nxt], arr, eps)
            if st is None:
                ok = False
                st = arr
            stops.append(Stop(nxt, arr, st, st + problem.service[nxt]))
            if not taken and _absorbs(problem, nxt, st, b):
                taken = True
    if not taken and stops[-1].arrival > b.latest + eps:
        ok = False
    return stops, placement, ok


def build_schedule(problem: OrienteeringProblem, d: int, seq: list[int]) -> tuple[RouteSchedule, bool]:
    """Timetable of route ``d`` visiting ``seq`` (hotels included): greedy break rule, else every break position."""
    stops, placement, ok = _simulate(problem, d, seq, None)
    if not ok and problem.routes[d].break_ is not None:
        for g in range(len(seq) - 1):
            s2, p2, ok2 = _simulate(problem, d, seq, g)
            if ok2:
                stops, placement, ok = s2, p2, ok2
                break
    return RouteSchedule(stops, placement), ok


def make_solution(problem: OrienteeringProblem, full_routes: list[list[int]], stats: dict | None = None) -> Solution:
    """Wrap full routes (hotels included) into a ``Solution`` with timetables and score."""
    sched = [build_schedule(problem, d, r)[0] for d, r in enumerate(full_routes)]
    visits = [list(r[1:-1]) for r in full_routes]
    score = problem.value(visits, [r[0] for r in full_routes], [r[-1] for r in full_routes])
    return Solution(visits, [r[0] for r in full_routes], [r[-1] for r in full_routes], sched, score, stats=dict(stats or {}))


# --------------------------------------------------------------------------------------------- independent checker
def check(problem: OrienteeringProblem, solution: Solution, score_tol: float = 1e-6) -> list[str]:
    """Every constraint the solution violates, as sentences; empty list = feasible.

    Recomputes the earliest timetable of every route from the travel matrix, service times and windows (its own
    forward pass), taking from the solution only the visiting order, the hotels and the gap where each break was
    taken. Then checks hotels and chaining, time spans, driving caps, breaks, single visits, mandatory nodes,
    group limits, and that the reported score equals the recomputed one.
    """
    out: list[str] = []
    R = len(problem.routes)
    if not (len(solution.routes) == len(solution.route_starts) == len(solution.route_ends) == R):
        return [f"solution has {len(solution.routes)} routes / {len(solution.route_starts)} starts / "
                f"{len(solution.route_ends)} ends, problem has {R} routes"]
    hotels = problem.hotel_nodes
    seen: dict[int, int] = {}
    total = 0.0
    for d, spec in enumerate(problem.routes):
        s, e = solution.route_starts[d], solution.route_ends[d]
        if s not in spec.start_nodes:
            out.append(f"route {d}: starts at {s}, allowed {spec.start_nodes}")
        if e not in spec.end_nodes:
            out.append(f"route {d}: ends at {e}, allowed {spec.end_nodes}")
        if problem.chained and d > 0 and s != solution.route_ends[d - 1]:
            out.append(f"route {d}: starts at {s} but route {d - 1} ended at {solution.route_ends[d - 1]}")
        if problem.moves_back(s, e):
            rem = problem.hotel_remaining
            out.append(f"route {d}: ends at {e}, {rem[e] - rem[s]:.0f} further from the trip's end than its start {s}")
        seq = [s, *solution.routes[d], e]
        for v in solution.routes[d]:
            if not 0 <= v < problem.n:
                out.append(f"route {d}: node {v} out of range")
                return out
            if v in hotels:
                out.append(f"route {d}: visits hotel/depot node {v} as a stop")
            if v in seen:
                out.append(f"node {v} visited twice (routes {seen[v]} and {d})")
            seen[v] = d
        gap = bstart = None
        if d < len(solution.schedule) and solution.schedule[d].break_ is not None:
            gap = solution.schedule[d].break_.after
            bstart = solution.schedule[d].break_.start
        out.extend(route_violations(problem, d, seq, gap, bstart))
    total = problem.value([list(r) for r in solution.routes], list(solution.route_starts), list(solution.route_ends))
    for m in sorted(problem.mandatory):
        if m not in seen:
            out.append(f"mandatory node {m} not visited")
    if problem.groups is not None:
        counts: dict[int, int] = {}
        for v in seen:
            g = int(problem.groups[v])
            counts[g] = counts.get(g, 0) + 1
        for g, k in problem.group_min_visits.items():
            if counts.get(g, 0) < k:
                out.append(f"group {g}: {counts.get(g, 0)} visits < minimum {k}")
        for g, k in problem.group_max_visits.items():
            if counts.get(g, 0) > k:
                out.append(f"group {g}: {counts.get(g, 0)} visits > maximum {k}")
    if abs(total - float(solution.score)) > score_tol * max(1.0, abs(total)):
        out.append(f"reported score {solution.score} != recomputed {total}")
    return out


def route_violations(problem: OrienteeringProblem, d: int, seq: list[int], gap: int | None = None,
                     bstart: float | None = None) -> list[str]:
    """Every time, window, driving-cap and break violation of route ``d`` run as ``seq`` (hotels included), with
    its break in gap ``gap`` starting no earlier than ``bstart`` — the checker's own forward pass.

    Also what the search driver asks before it trusts a pair of hotels or a repaired route, so "does this route
    fit the day" has one answer everywhere outside the compiled kernels."""
    out: list[str] = []
    eps = problem.eps
    T = problem.travel
    spec = problem.routes[d]
    brk = spec.break_
    t = spec.t_start
    meal_visit = False
    drive = 0.0
    for g in range(len(seq) - 1):
        a, b = seq[g], seq[g + 1]
        drive += float(T[a, b])
        arrive = t + float(T[a, b])
        if brk is not None and gap == g:
            bs = max(bstart if bstart is not None else -math.inf, t, brk.earliest)
            if bs > brk.latest + eps:
                out.append(f"route {d}: break starts at {bs:.3f}, after its latest start {brk.latest}")
            arrive = max(arrive, bs) + brk.duration
        if g + 1 == len(seq) - 1:
            if arrive > spec.t_end + eps:
                out.append(f"route {d}: returns to {b} at {arrive:.4f} > t_end {spec.t_end}")
            t = arrive
            break
        wins = problem.windows[b]
        start = None
        for lo, hi in sorted(wins):
            if arrive <= hi + eps:
                start = arrive if arrive > lo else lo
                break
        if start is None:
            closes = ", ".join(f"[{lo}, {hi}]" for lo, hi in wins) or "none"
            out.append(f"route {d}: node {b} reached at {arrive:.4f}, no window left (windows {closes})")
            start = arrive
        t = start + float(problem.service[b])
        if (brk is not None and gap is None and problem.meal is not None and problem.meal[b]
                and start <= brk.latest + eps and t >= brk.earliest + brk.duration - eps):
            meal_visit = True
    if spec.max_travel is not None and drive > spec.max_travel + eps:
        out.append(f"route {d}: travel {drive:.4f} exceeds cap {spec.max_travel}")
    if spec.max_load is not None:
        load = sum(problem.node_load(v) for v in seq[1:-1])
        if load > spec.max_load + eps:
            out.append(f"route {d}: load {load:g} exceeds the day's cap {spec.max_load:g}")
    if brk is not None and brk.duration > 0 and gap is None and not meal_visit:
        if spec.t_start <= brk.latest + eps and t > brk.latest + eps:
            out.append(f"route {d}: runs past the latest break start {brk.latest} without a break")
    if gap is not None and not (0 <= gap < len(seq) - 1):
        out.append(f"route {d}: break placed in gap {gap}, route has {len(seq) - 1} gaps")
    return out


def route_fits(problem: OrienteeringProblem, d: int, seq: list[int]) -> tuple[RouteSchedule, bool]:
    """The timetable of route ``d`` as ``seq`` and whether the checker accepts it (break placed as the schedule
    builder places it)."""
    sched, _ = build_schedule(problem, d, seq)
    gap = sched.break_.after if sched.break_ is not None else None
    bstart = sched.break_.start if sched.break_ is not None else None
    return sched, not route_violations(problem, d, seq, gap, bstart)


def repair(problem: OrienteeringProblem, full_routes: list[list[int]]) -> tuple[list[list[int]] | None, list[str]]:
    """Make full routes (hotels included) pass the checker by dropping visits, or ``None`` if that cannot work.

    The search only returns what its own timetable accepts, so this normally changes nothing; it is the last line
    of defence that turns a modelling slip into a slightly smaller plan instead of a failed one. First visits seen
    twice, hotels used as visits and visits of groups over their maximum (lowest score first) go; then per route,
    while the checker rejects it: drop the visit whose removal makes the route feasible at the least score, else
    the one whose removal brings the return earliest. ``None`` when a route is infeasible with no visits at all
    (its hotels cannot be joined in the day) or the hotels do not chain.
    """
    notes: list[str] = []
    hotels = problem.hotel_nodes
    seen: set[int] = set()
    routes: list[list[int]] = []
    for d, route in enumerate(full_routes):
        if len(route) < 2 or route[0] not in problem.routes[d].start_nodes or route[-1] not in problem.routes[d].end_nodes:
            return None, [f"route {d}: hotels not allowed"]
        if problem.chained and d > 0 and route[0] != routes[-1][-1]:
            return None, [f"route {d}: does not start where route {d - 1} ended"]
        visits = []
        for v in route[1:-1]:
            if v in seen or v in hotels or not 0 <= v < problem.n:
                notes.append(f"route {d}: dropped node {v} (repeated or a hotel)")
                continue
            visits.append(v)
            seen.add(v)
        routes.append([route[0], *visits, route[-1]])
    if problem.groups is not None and problem.group_max_visits:
        for g, cap in problem.group_max_visits.items():
            members = sorted(((float(problem.score[v]), d, v) for d, r in enumerate(routes) for v in r[1:-1]
                              if int(problem.groups[v]) == g), key=lambda x: x[0])
            for _, d, v in members[: max(0, len(members) - cap)]:
                routes[d] = [x for x in routes[d] if x != v]
                notes.append(f"route {d}: dropped node {v}, its group is over its maximum")
    out: list[list[int]] = []
    for d, seq in enumerate(routes):
        sched, ok = route_fits(problem, d, seq)
        while not ok:
            if len(seq) <= 2:
                return None, notes + [f"route {d}: its hotels cannot be joined within the day"]
            best_ok: tuple[float, int] | None = None
            best_end: tuple[float, int] | None = None
            for k in range(1, len(seq) - 1):
                trial = seq[:k] + seq[k + 1:]
                s2, ok2 = route_fits(problem, d, trial)
                value = float(problem.score[seq[k]]) + (1e12 if seq[k] in problem.mandatory else 0.0)
                if ok2 and (best_ok is None or value < best_ok[0]):
                    best_ok = (value, k)
                end = s2.stops[-1].arrival
                if best_end is None or end < best_end[0]:
                    best_end = (end, k)
            k = best_ok[1] if best_ok is not None else best_end[1]  # type: ignore[index]
            notes.append(f"route {d}: dropped node {seq[k]} to keep the day's timetable feasible")
            seq = seq[:k] + seq[k + 1:]
            sched, ok = route_fits(problem, d, seq)
        out.append(seq)
    return out, notes
