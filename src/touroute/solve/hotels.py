"""Hotel (overnight hub) sequences: which start/end pairs each route may use, and which chains of them exist.

A pair of hotels is usable on a route only if the route can go from one to the other with nothing in between —
the drive, plus the break (lunch) when the drive runs past the break's latest start, within the day and under the
driving cap. That test is the checker's own timetable (:func:`.solution.route_fits`), so the search is never
handed a day that no order of visits can make feasible (the cause of "returns 520 s after t_end": a 9.6-hour
coach transfer that fitted the 10.5-hour day only without its lunch hour).
"""

from __future__ import annotations

import itertools
import math
import sys
import time

import numpy as np

from .problem import OrienteeringProblem
from .solution import route_fits


class PairFeasibility:
    """Memoised "can route ``d`` go from hotel ``s`` straight to hotel ``e``" (the checker's timetable), and — when
    the problem says how far each hotel is from the trip's end (``hotel_remaining``) — does the day move towards
    the end rather than back."""

    def __init__(self, problem: OrienteeringProblem) -> None:
        self.problem = problem
        self._memo: dict[tuple[int, int, int], bool] = {}

    def __call__(self, d: int, s: int, e: int) -> bool:
        key = (d, s, e)
        ok = self._memo.get(key)
        if ok is None:
            ok = not self.problem.moves_back(s, e) and route_fits(self.problem, d, [s, e])[1]
            self._memo[key] = ok
        return ok


def hotel_sequences(problem: OrienteeringProblem, limit: int = 5000,
                    rng: np.random.Generator | None = None,
                    deadline: float = math.inf) -> list[tuple[tuple[int, int], ...]]:
    """Feasible (start, end) pairs per route; chained problems link end d to start d+1.

    Enumerated depth-first, pruned by "the hotel-to-hotel trip alone fits the route" (:class:`PairFeasibility`).
    When more than ``limit`` exist, a seeded random sample of ``limit`` is returned (for chained problems a sample
    of the first ``20 × limit`` sequences in depth-first order).

    ``deadline`` (absolute ``time.perf_counter()``): a long trip has ~10⁵ sequences to enumerate (a second of work,
    several on a loaded machine), so under a caller's hard deadline the enumeration stops at it — once at least one
    sequence is known — and the search goes on with those found so far.
    """
    R = len(problem.routes)
    fits = PairFeasibility(problem)
    out: list[tuple[tuple[int, int], ...]] = []
    if not problem.chained:
        per = [[(s, e) for s in r.start_nodes for e in r.end_nodes if fits(d, s, e)]
               for d, r in enumerate(problem.routes)]
        if any(not p for p in per):
            return []
        total = 1
        for p in per:
            total *= len(p)
        if total <= limit:
            return [tuple(c) for c in itertools.product(*per)]
        rng = rng or np.random.default_rng(problem.seed)
        seen = set()
        for _ in range(limit * 3):
            seen.add(tuple(p[int(rng.integers(len(p)))] for p in per))
            if len(seen) >= limit:
                break
        return sorted(seen)

    # chained: hotels from which the rest of the trip can still be completed (backward reachability), then DFS
    reach: list[set[int]] = [set() for _ in range(R + 1)]
    reach[R] = {-1}
    for d in range(R - 1, -1, -1):
        r = problem.routes[d]
        for s in r.start_nodes:
            for e in r.end_nodes:
                if (d + 1 == R or (e in problem.routes[d + 1].start_nodes and e in reach[d + 1])) and fits(d, s, e):
                    reach[d].add(s)
                    break
    sys.setrecursionlimit(max(1000, 10 * R))
    count = 0
    overflow = False

    calls = 0
    timed = not math.isinf(deadline)

    def dfs(d: int, s: int, acc: list[tuple[int, int]]) -> None:
        nonlocal count, overflow, calls
        if overflow:
            return
        calls += 1
        if timed and out and calls % 512 == 0 and time.perf_counter() > deadline:
            overflow = True
            return
        for e in problem.routes[d].end_nodes:
            if d + 1 < R and (e not in problem.routes[d + 1].start_nodes or e not in reach[d + 1]):
                continue
            if not fits(d, s, e):
                continue
            acc.append((s, e))
            if d + 1 == R:
                out.append(tuple(acc))
                count += 1
                if count > 20 * limit:
                    overflow = True
            else:
                dfs(d + 1, e, acc)
            acc.pop()

    for s in problem.routes[0].start_nodes:
        if s in reach[0]:
            dfs(0, s, [])
    if len(out) > limit:
        rng = rng or np.random.default_rng(problem.seed)
        idx = sorted(rng.choice(len(out), size=limit, replace=False).tolist())
        out = [out[i] for i in idx]
    return out
