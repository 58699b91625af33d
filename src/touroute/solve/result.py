"""Typed output of the solver: :class:`Result` = the checked :class:`~.solution.Solution` + :class:`SolveStats`.

``Solution.stats`` stays a plain dict (JSON-able, shown in itineraries and ``touroute bench --verbose``); it is
filled from :meth:`SolveStats.as_dict`, so the typed statistics are the single source.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .params import SolveParams
from .solution import Solution


@dataclass
class SolveStats:
    """What the search did and why it stopped."""

    objective: float = -math.inf
    """Objective of the search's best routes (score + mandatory bonuses − group penalties); ``-inf`` if none."""
    iterations: int = 0
    """Destroy-and-repair iterations over all hotel sequences."""
    work: int = 0
    """Work units spent (insertion evaluations + per-iteration bookkeeping; see ``MaxWork``)."""
    hotel_sequences: int = 0
    """Feasible hotel sequences considered (1 for single-depot problems)."""
    hotels: list[tuple[int, int]] | None = None
    """Chosen (start, end) node of every route, when more than one sequence was possible."""
    seconds: float = 0.0
    """Wall time of the whole call."""
    seconds_search: float = 0.0
    """Wall time of our search (including problem set-up and the checker's repair pass)."""
    seconds_ortools: float = 0.0
    """Wall time of the OR-Tools polish (0 if it did not run)."""
    stopped_by_clock: bool = False
    """True if a wall-clock criterion stopped the search before its work budget (then not reproducible)."""
    repaired: list[str] = field(default_factory=list)
    """What the checker-driven repair changed in the search's routes (empty: nothing — the normal case)."""
    ortools_gain: float | None = None
    """Score the OR-Tools polish added (``None``: polish not run)."""
    warm_start: bool = False
    """The search continued from given routes (a re-plan after an edit)."""
    warm_start_kept: bool | None = None
    """With a warm start: whether its hotels won over the fresh hotel-sequence search."""
    infeasible_hotels: bool = False
    """No feasible hotel sequence exists: the solution is empty."""
    violations: list[str] = field(default_factory=list)
    """Why an empty solution is empty (e.g. no feasible hotel sequence)."""
    extra: dict[str, object] = field(default_factory=dict)
    """Further statistics of the hotel-sequence search not (yet) typed here, passed through unchanged."""

    @classmethod
    def from_search(cls, d: dict) -> SolveStats:
        """From the dict ``ils.search_routes`` returns; unknown keys go to ``extra``."""
        s = cls()
        for k, v in d.items():
            if k == "hotels" and v is not None:
                s.hotels = [(int(a), int(b)) for a, b in v]
            elif k in ("iterations", "work", "hotel_sequences"):
                setattr(s, k, int(v))
            elif k == "objective":
                s.objective = float(v)
            elif k in ("warm_start", "infeasible_hotels"):
                setattr(s, k, bool(v))
            elif k == "warm_start_kept":
                s.warm_start_kept = None if v is None else bool(v)
            else:
                s.extra[k] = v
        return s

    def as_dict(self) -> dict[str, object]:
        """The legacy ``Solution.stats`` keys (``seconds_own`` = ``seconds_search``); unset optional ones left out."""
        d: dict[str, object] = {"iterations": self.iterations, "work": self.work,
                                "hotel_sequences": self.hotel_sequences, "stopped_by_clock": self.stopped_by_clock,
                                "seconds_own": self.seconds_search, "seconds": self.seconds}
        if math.isfinite(self.objective):
            d["objective"] = self.objective
        if self.hotels is not None:
            d["hotels"] = [list(h) for h in self.hotels]
        if self.repaired:
            d["repaired"] = list(self.repaired)
        if self.ortools_gain is not None:
            d["ortools_gain"] = self.ortools_gain
            d["seconds_ortools"] = self.seconds_ortools
        if self.warm_start:
            d["warm_start"] = True
            d["warm_start_kept"] = self.warm_start_kept
        if self.infeasible_hotels:
            d["infeasible_hotels"] = True
        if self.violations:
            d["violations"] = list(self.violations)
        for k, v in self.extra.items():
            d.setdefault(k, v)
        return d


@dataclass
class Result:
    """A solve's outcome: the solution (already verified/repaired against ``check``), its statistics and the
    parameters that produced it."""

    solution: Solution
    stats: SolveStats
    params: SolveParams

    @property
    def score(self) -> float:
        """Total score of the visited nodes (what the checker recomputes)."""
        return self.solution.score

    @property
    def routes(self) -> list[list[int]]:
        """Visits of each route (hotels excluded; see ``solution.route_starts`` / ``route_ends``)."""
        return self.solution.routes

    def is_empty(self) -> bool:
        """True if the search found no feasible hotel sequence at all."""
        return not self.solution.schedule
