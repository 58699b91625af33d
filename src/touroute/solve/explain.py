"""Why a node is not in the solution — never a bare "no solution".

For every unvisited visitable node a reason code:

* ``no_window``      — none of its opening intervals overlaps any route's time span (closed that day);
* ``unreachable``    — even as the only stop of a route it cannot be served: the earliest possible arrival is after
                       its last window closes, or the way back misses the route's end time or driving cap;
* ``group_full``     — its group (province) already has its maximum number of visits;
* ``not_worth``      — it could be served alone, but its score is too low for the time it would cost among the
                       other visits (the optimiser preferred other nodes).

For mandatory nodes that are not served the message spells out the numbers (earliest arrival vs. closing time,
return time vs. route end, …), and if every mandatory node is feasible alone, that they conflict with each other.
"""

from __future__ import annotations

import numpy as np

from ..errors import TourouteException
from .problem import OrienteeringProblem
from .solution import Solution

REASONS = ("no_window", "unreachable", "group_full", "not_worth")


class InfeasibleProblem(TourouteException):
    """Some mandatory nodes cannot be served; ``reasons`` maps each to a sentence."""

    def __init__(self, reasons: dict[int, str]) -> None:
        self.reasons = dict(reasons)
        lines = "\n".join(f"  - node {k}: {v}" for k, v in sorted(self.reasons.items()))
        super().__init__(f"{len(self.reasons)} mandatory stop(s) cannot be served:\n{lines}")


def _alone(problem: OrienteeringProblem, i: int, reach: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> tuple[str, str]:
    """(code, sentence) for serving node i as the only stop of some route; code '' when possible.

    Uses, per route, the nearest allowed start hotel and the nearest allowed end hotel of i (a relaxation of
    "some start/end pair works", exact when each route has one start and one end, and cheap with many hotels).
    """
    eps = problem.eps
    wins = problem.windows[i]
    if not wins:
        return "no_window", "it has no opening interval at all"
    best_msg = ""
    any_overlap = False
    for d, r in enumerate(problem.routes):
        if not any(b >= r.t_start - eps and a <= r.t_end + eps for a, b in wins):
            continue
        any_overlap = True
        to_i, from_i, s_arg = reach[d]
        s = int(s_arg[i])
        arrive = r.t_start + float(to_i[i])
        start = next((max(arrive, a) for a, b in wins if arrive <= b + eps), None)
        if start is None:
            best_msg = best_msg or (f"route {d}: earliest arrival (from node {s}) is {arrive:.2f}, after its last "
                                    f"window closes at {max(b for _, b in wins):.2f}")
            continue
        back = start + float(problem.service[i]) + float(from_i[i])
        brk = r.break_
        absorbed = (brk is not None and problem.meal is not None and bool(problem.meal[i])
                    and start <= brk.latest + eps and start + problem.service[i] >= brk.earliest + brk.duration - eps)
        if brk is not None and brk.duration > 0 and r.t_start <= brk.latest and back > brk.latest and not absorbed:
            back += brk.duration
        if back > r.t_end + eps:
            best_msg = best_msg or (f"route {d}: service from {start:.2f} lasts until "
                                    f"{start + problem.service[i]:.2f}, back at the nearest end node at {back:.2f} "
                                    f"> route end {r.t_end:.2f}")
            continue
        if r.max_travel is not None and float(to_i[i] + from_i[i]) > r.max_travel + eps:
            best_msg = best_msg or (f"route {d}: travel {float(to_i[i] + from_i[i]):.2f} via it exceeds the "
                                    f"driving cap {r.max_travel:.2f}")
            continue
        return "", ""
    if not any_overlap:
        return "no_window", "none of its windows overlaps the time span of any route"
    return "unreachable", best_msg


def explain(problem: OrienteeringProblem, sol: Solution) -> Solution:
    """Fill ``sol.unvisited_reasons`` and ``sol.unserved_mandatory`` in place (and return it)."""
    visited = sol.visited()
    hotels = problem.hotel_nodes
    counts: dict[int, int] = {}
    if problem.groups is not None:
        for v in visited:
            counts[int(problem.groups[v])] = counts.get(int(problem.groups[v]), 0) + 1
    reasons: dict[int, str] = {}
    unserved: dict[int, str] = {}
    T = problem.travel
    reach = []
    for r in problem.routes:
        starts = np.asarray(r.start_nodes)
        ends = np.asarray(r.end_nodes)
        sub = T[starts, :]
        reach.append((sub.min(axis=0), T[:, ends].min(axis=1), starts[sub.argmin(axis=0)]))
    for i in range(problem.n):
        if i in hotels or i in visited:
            continue
        if not problem.windows[i] and i not in problem.mandatory:
            continue
        code, msg = _alone(problem, i, reach)
        if not code and problem.groups is not None:
            g = int(problem.groups[i])
            if g in problem.group_max_visits and counts.get(g, 0) >= problem.group_max_visits[g]:
                code, msg = "group_full", f"group {g} already has its maximum of {problem.group_max_visits[g]} visits"
        if not code:
            code = "not_worth"
            msg = "it could be served alone, but not together with the other visits"
        reasons[i] = code
        if i in problem.mandatory:
            if code == "not_worth":
                msg = ("each mandatory stop is reachable on its own, but they cannot all be fitted together "
                       "(time windows / route lengths conflict)")
            unserved[i] = f"{code}: {msg}"
    sol.unvisited_reasons = reasons
    sol.unserved_mandatory = unserved
    return sol
