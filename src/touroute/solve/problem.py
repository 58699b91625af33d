"""The optimisation model: multi-route orienteering with time windows and hotel selection.

One matrix-based model serves both the published benchmarks (TOPTW, OPHS) and real multi-day trips:

* ``n`` nodes, ``travel[i, j]`` the travel time from i to j (asymmetric allowed), ``service[i]`` the visit
  duration and ``score[i]`` the profit collected the first time i is visited. Depots and hotels are ordinary
  nodes with score 0.
* ``windows[i]`` lists the allowed **start-of-service** intervals of node i on ONE absolute clock shared by all
  routes (day 2 at 09:00 is ``86400 + 32400`` when the unit is seconds). Several intervals model a museum
  closed at lunch or on Mondays; point intervals ``(t, t)`` model scheduled ferry departures. An empty list means
  the node cannot be visited. Waiting before a window opens is allowed.
* ``routes[d]`` (one per day / vehicle) says where route d may start and end (sets of nodes: the hotel choice),
  its time span ``[t_start, t_end]``, an optional cap on total travel time (a daily driving limit) and an
  optional break (lunch) of fixed duration whose start must lie in ``[earliest, latest]``.
* ``chained``: route d+1 starts at the node where route d ended (the hotel where the night was spent).
* ``meal`` marks visits that include the break (lunch on an island day trip);
* ``mandatory`` nodes must be visited; ``groups`` (e.g. province of each node) with per-group minimum and
  maximum numbers of visits.
* ``load[i]`` (sight units) with a per-route cap ``RouteSpec.max_load``: the pace of a day — a long site counts
  as more than one sight.
* ``similar[i]`` (similarity group, -1 none) with ``similar_decay``: within one route, the k-th best visit of a
  group (k = 0, 1, …) earns ``score × decay**k`` — the fourth royal tomb of a day adds little.

Objective: maximise the total value of visited nodes (scores, discounted for similar visits of one route), less
``travel_cost`` × the total travel, subject to all of the above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..errors import TourouteException

INF = math.inf


class ProblemError(TourouteException):
    """The problem object itself is malformed (shapes, indices, intervals) — a programming or data error."""


@dataclass(frozen=True)
class BreakSpec:
    """A break (lunch) of ``duration`` whose start lies in ``[earliest, latest]`` (absolute clock).

    The break is taken wherever the route is at that moment: while waiting at a stop, right after a visit or by
    stopping on the way between two stops; it never interrupts a visit. When the route is not running at
    ``latest`` (it starts after it or has already ended), the break happens outside the route and costs nothing.
    """

    duration: float
    earliest: float
    latest: float


@dataclass(frozen=True)
class RouteSpec:
    """One route (one day of a trip, one tour of a benchmark)."""

    start_nodes: tuple[int, ...]
    end_nodes: tuple[int, ...]
    t_start: float
    t_end: float
    max_travel: float | None = None
    break_: BreakSpec | None = None
    max_load: float | None = None
    """Cap on the summed ``load`` of the route's visits (the sights a day of this pace holds); ``None`` = no cap."""


@dataclass
class OrienteeringProblem:
    """Multi-route orienteering with (multiple) time windows, breaks, driving caps and hotel selection."""

    travel: np.ndarray
    service: np.ndarray
    score: np.ndarray
    windows: list[list[tuple[float, float]]]
    routes: list[RouteSpec]
    chained: bool = False
    mandatory: frozenset[int] = frozenset()
    groups: np.ndarray | None = None
    group_min_visits: dict[int, int] = field(default_factory=dict)
    group_max_visits: dict[int, int] = field(default_factory=dict)
    seed: int = 0
    name: str = "problem"
    meal: np.ndarray | None = None
    """Per node: 1 if a visit there includes the route's break (lunch) when the visit spans it — an island day
    trip with lunch on the island, a full-day theme park. Such a visit counts as the break when it starts no later
    than the break's latest start and lasts until at least ``earliest + duration``."""
    eps: float = 1e-6
    """Tolerance of every time comparison (benchmark distances are truncated decimals summed in floating point)."""
    load: np.ndarray | None = None
    """Per node: sight units a visit uses of its route's ``max_load`` (``None`` = 1 for every node)."""
    similar: np.ndarray | None = None
    """Per node: similarity group (same kind of sight, same site cluster) or -1; see ``similar_decay``."""
    travel_cost: float = 0.0
    """Score lost per unit of travel: the objective is the routes' value minus ``travel_cost`` × their total
    travel, so a far sight must be worth its drive (a traveller's dislike of long drives). 0 = the benchmarks."""
    similar_decay: float = 1.0
    """Within one route, the k-th best visit of a similarity group earns ``score × similar_decay**k``: a traveller
    values the first royal tomb of a day, much less the fourth. 1 = no discount (the benchmarks)."""
    hotel_remaining: np.ndarray | None = None
    """Per node: travel time still to go to the trip's end. With it, a route may not end at a hotel more than
    ``hotel_backtrack`` further from the end than the hotel it started from — a journey's nights move one way
    (``None`` = no such rule: the benchmarks, round trips)."""
    hotel_backtrack: float = 0.0

    def __post_init__(self) -> None:
        self.travel = np.ascontiguousarray(self.travel, dtype=np.float64)
        self.service = np.ascontiguousarray(self.service, dtype=np.float64)
        self.score = np.ascontiguousarray(self.score, dtype=np.float64)
        self.mandatory = frozenset(int(i) for i in self.mandatory)
        self.windows = [sorted((float(a), float(b)) for a, b in w) for w in self.windows]
        if self.groups is not None:
            self.groups = np.ascontiguousarray(self.groups, dtype=np.int64)
        if self.meal is not None:
            self.meal = np.ascontiguousarray(self.meal, dtype=np.int8)
        if self.load is not None:
            self.load = np.ascontiguousarray(self.load, dtype=np.float64)
        if self.similar is not None:
            self.similar = np.ascontiguousarray(self.similar, dtype=np.int64)
        if self.hotel_remaining is not None:
            self.hotel_remaining = np.ascontiguousarray(self.hotel_remaining, dtype=np.float64)
        self.validate()

    def moves_back(self, s: int, e: int) -> bool:
        """Would a route from hotel ``s`` to hotel ``e`` end further from the trip's end than ``hotel_backtrack``
        allows (``hotel_remaining``)? Always False without that rule."""
        rem = self.hotel_remaining
        return rem is not None and bool(rem[e] > rem[s] + self.hotel_backtrack + self.eps)

    @property
    def n(self) -> int:
        return int(self.travel.shape[0])

    @property
    def hotel_nodes(self) -> frozenset[int]:
        """Nodes that some route may start or end at; they are never visits."""
        s: set[int] = set()
        for r in self.routes:
            s.update(r.start_nodes)
            s.update(r.end_nodes)
        return frozenset(s)

    def validate(self) -> None:
        """Reject malformed input early with a message naming the field, instead of a numba crash later."""
        n = self.n
        errs: list[str] = []
        if self.travel.shape != (n, n):
            errs.append(f"travel must be square, got {self.travel.shape}")
        if self.service.shape != (n,):
            errs.append(f"service must have shape ({n},), got {self.service.shape}")
        if self.score.shape != (n,):
            errs.append(f"score must have shape ({n},), got {self.score.shape}")
        if len(self.windows) != n:
            errs.append(f"windows must have {n} entries, got {len(self.windows)}")
        if not np.all(np.isfinite(self.travel)) or (self.travel < 0).any():
            errs.append("travel must be finite and non-negative")
        for i, w in enumerate(self.windows):
            for a, b in w:
                if b < a:
                    errs.append(f"node {i}: window ({a}, {b}) closes before it opens")
        if not self.routes:
            errs.append("at least one route is required")
        for d, r in enumerate(self.routes):
            if not r.start_nodes or not r.end_nodes:
                errs.append(f"route {d}: start_nodes and end_nodes must be non-empty")
            for v in (*r.start_nodes, *r.end_nodes):
                if not 0 <= v < n:
                    errs.append(f"route {d}: hotel node {v} out of range")
            if r.t_end < r.t_start:
                errs.append(f"route {d}: t_end < t_start")
            if r.break_ is not None and r.break_.latest < r.break_.earliest:
                errs.append(f"route {d}: break latest < earliest")
        for i in self.mandatory:
            if not 0 <= i < n:
                errs.append(f"mandatory node {i} out of range")
            elif i in self.hotel_nodes:
                errs.append(f"mandatory node {i} is a start/end node of some route")
        if self.meal is not None and self.meal.shape != (n,):
            errs.append(f"meal must have shape ({n},)")
        if self.load is not None and (self.load.shape != (n,) or (self.load < 0).any()):
            errs.append(f"load must have shape ({n},) and be non-negative")
        if self.similar is not None and self.similar.shape != (n,):
            errs.append(f"similar must have shape ({n},)")
        if not (math.isfinite(self.travel_cost) and self.travel_cost >= 0):
            errs.append(f"travel_cost must be finite and non-negative, got {self.travel_cost}")
        if not 0.0 <= self.similar_decay <= 1.0:
            errs.append(f"similar_decay must lie in [0, 1], got {self.similar_decay}")
        if self.groups is not None and self.groups.shape != (n,):
            errs.append(f"groups must have shape ({n},)")
        if (self.group_min_visits or self.group_max_visits) and self.groups is None:
            errs.append("group limits given without groups")
        if errs:
            raise ProblemError("invalid OrienteeringProblem: " + "; ".join(errs))

    def node_load(self, i: int) -> float:
        return 1.0 if self.load is None else float(self.load[i])

    def route_value(self, visits: list[int]) -> float:
        """Value of one route's visits: scores, the k-th best visit of a similarity group discounted by
        ``similar_decay**k`` (ties broken by node number, as the search kernel does)."""
        total = 0.0
        if self.similar is None or self.similar_decay >= 1.0:
            return float(sum(float(self.score[v]) for v in visits))
        by_group: dict[int, list[tuple[float, int]]] = {}
        for v in visits:
            g = int(self.similar[v])
            if g < 0:
                total += float(self.score[v])
            else:
                by_group.setdefault(g, []).append((-float(self.score[v]), v))
        for members in by_group.values():
            for k, (neg, _) in enumerate(sorted(members)):
                total += -neg * self.similar_decay ** k
        return total

    def value(self, routes: list[list[int]], starts: list[int] | None = None, ends: list[int] | None = None) -> float:
        """Objective value of a solution given as visit lists per route (hotels excluded), less ``travel_cost`` ×
        the travel of each route from its start to its end when those are given."""
        total = float(sum(self.route_value(list(dict.fromkeys(r))) for r in routes))
        if self.travel_cost > 0 and starts is not None and ends is not None:
            for r, s, e in zip(routes, starts, ends):
                seq = [s, *r, e]
                total -= self.travel_cost * float(sum(self.travel[a, b] for a, b in zip(seq, seq[1:])))
        return total

    def window_matrix(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Windows as padded arrays (open, close, count) for the compiled search kernels."""
        k = max(1, max((len(w) for w in self.windows), default=1))
        wo = np.full((self.n, k), INF)
        wc = np.full((self.n, k), -INF)
        nw = np.zeros(self.n, dtype=np.int64)
        for i, w in enumerate(self.windows):
            nw[i] = len(w)
            for t, (a, b) in enumerate(w):
                wo[i, t] = a
                wc[i, t] = b
        return wo, wc, nw
