"""Typed inputs of the solver: search parameters (:class:`SolveParams`) and stopping criteria.

Modelled on PyVRP's ``solve(data, stop, params) -> Result``: what the search may do and when it must stop are two
separate, typed objects instead of bare arrays and keyword soup.

Stopping criteria
-----------------
:class:`MaxWork` is the *deterministic* stop: the search counts insertion evaluations and per-iteration bookkeeping
("work units") and stops after that many — same problem + seed + work ⇒ same solution on any machine.
:class:`MaxRuntime` (seconds from the start of the call) and :class:`Deadline` (an absolute
``time.perf_counter()`` value) are wall-clock stops: they guarantee a time limit on a loaded machine at the price of
reproducibility when they fire. Criteria combine with ``|`` — the search stops at whichever comes first::

    stop = MaxWork(seconds_to_work(10)) | MaxRuntime(10)

:func:`time_budget` builds the combination the ``seconds`` keyword of the legacy ``solve`` means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

WORK_PER_SECOND = 6.0e6
"""Work units per second of budget (calibrated on the 2-core development machine so that the slowest benchmark
instance class uses ≈ 80 % of the time; see docs/solver.md)."""


def seconds_to_work(seconds: float) -> float:
    """The deterministic work budget that corresponds to ``seconds`` on the calibration machine."""
    return float(seconds) * WORK_PER_SECOND


@dataclass(frozen=True)
class SolveParams:
    """Parameters of the compiled search (``kernels.search``) and of the solve around it.

    The defaults were chosen on the *tuning* split of the published benchmarks only
    (``touroute.bench.splits``); the held-out split measures how well they generalise.
    """

    power: float = 1.0
    """Insertion ratio = score**power / time shift: > 1 favours high-score nodes over cheap ones."""
    noise: float = 0.1
    """Each node's insertion ratio is multiplied by a random factor in [1, 1 + noise] during repair."""
    temperature: float = 3.0
    """Simulated-annealing temperature = temperature × mean score of a visit × (1 − progress)."""
    max_removal: float = 0.25
    """Largest fraction of the visits a destroy move removes (random removal; half of it for worst removal)."""
    restart_after: int = 400
    """Iterations without a new best after which the search restarts from the best solution."""
    two_opt_prob: float = 0.5
    """Probability per iteration of compressing the routes by 2-opt / or-opt and refilling the freed time."""
    tabu_prob: float = 0.5
    """Probability that the nodes just removed may not come back in the first repair pass."""
    adaptive: bool = False
    """Choose the destroy operator by adaptive weights (ALNS: operators that found new bests or improvements
    recently are drawn more often) instead of fixed probabilities."""
    related_removal: bool = True
    """Add the related (Shaw) removal: the visits closest in space and time to a random visit or to a random
    unvisited candidate. On by default since the tuning split chose it (BENCHMARKS.md, optimiser section)."""
    kick: bool = False
    """After each restart from the best solution, remove a large random part of it (2 × ``max_removal``, at most
    60 %) and accept the repaired result unconditionally — a perturbation that leaves the best's basin."""
    seed: int | None = None
    """Random seed; ``None`` = the problem's own ``seed``."""
    ortools_share: float = 0.0
    """Share of the budget for an OR-Tools guided-local-search polish warm-started from our best routes (0 = off,
    fully deterministic)."""

    def __post_init__(self) -> None:
        for name in ("noise", "temperature", "max_removal", "two_opt_prob", "tabu_prob", "ortools_share"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
                raise ValueError(f"SolveParams.{name} must be a finite number ≥ 0, got {v!r}")
        for name in ("two_opt_prob", "tabu_prob", "max_removal"):
            if getattr(self, name) > 1:
                raise ValueError(f"SolveParams.{name} is a probability / fraction in [0, 1], got {getattr(self, name)}")
        if not 0 <= self.ortools_share < 1:
            raise ValueError(f"SolveParams.ortools_share must be in [0, 1), got {self.ortools_share}")
        if not (math.isfinite(self.power) and self.power > 0):
            raise ValueError(f"SolveParams.power must be > 0, got {self.power}")
        if int(self.restart_after) != self.restart_after or self.restart_after < 1:
            raise ValueError(f"SolveParams.restart_after must be a positive integer, got {self.restart_after}")

    def kernel_array(self) -> np.ndarray:
        """The parameter vector ``kernels.search`` reads (its order is the kernel's contract)."""
        return np.array([self.power, self.noise, self.temperature, self.max_removal, float(self.restart_after),
                         self.two_opt_prob, self.tabu_prob, float(self.adaptive), float(self.related_removal),
                         float(self.kick)],
                        dtype=np.float64)

    @classmethod
    def from_kernel_array(cls, a: np.ndarray, **kw: object) -> SolveParams:
        """Inverse of :meth:`kernel_array` (older code passed the bare vector)."""
        names = ("power", "noise", "temperature", "max_removal", "restart_after", "two_opt_prob", "tabu_prob",
                 "adaptive", "related_removal", "kick")
        vals: dict[str, object] = {n: float(x) for n, x in zip(names, np.asarray(a, dtype=float))}
        if "restart_after" in vals:
            vals["restart_after"] = int(vals["restart_after"])  # type: ignore[call-overload]
        for b in ("adaptive", "related_removal", "kick"):
            if b in vals:
                vals[b] = bool(vals[b])
        return cls(**vals, **kw)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, float | int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# ------------------------------------------------------------------------------------------------ stopping criteria
@dataclass(frozen=True)
class Limits:
    """A stopping criterion resolved to its three ingredients (``inf`` = no such limit)."""

    work: float = math.inf
    """Work units of the search."""
    runtime: float = math.inf
    """Seconds from the start of the call."""
    deadline: float = math.inf
    """Absolute ``time.perf_counter()`` value."""

    def clock_stop(self, t0: float) -> float:
        """The earliest wall-clock stop (absolute), ``inf`` if none."""
        return min(t0 + self.runtime, self.deadline)


class StoppingCriterion:
    """Base of the stopping criteria; ``a | b`` stops at whichever comes first."""

    def limits(self) -> Limits:  # pragma: no cover - abstract
        raise NotImplementedError

    def __or__(self, other: StoppingCriterion) -> FirstOf:
        if not isinstance(other, StoppingCriterion):
            return NotImplemented
        return FirstOf((self, other))

    @property
    def deterministic(self) -> bool:
        """True if only a work budget can stop the search (no wall clock involved)."""
        lim = self.limits()
        return math.isinf(lim.runtime) and math.isinf(lim.deadline)


@dataclass(frozen=True)
class MaxWork(StoppingCriterion):
    """Stop after ``units`` work units (deterministic; :func:`seconds_to_work` converts seconds)."""

    units: float

    def __post_init__(self) -> None:
        if not (self.units >= 0):
            raise ValueError(f"MaxWork needs units ≥ 0, got {self.units}")

    def limits(self) -> Limits:
        return Limits(work=float(self.units))


@dataclass(frozen=True)
class MaxRuntime(StoppingCriterion):
    """Stop ``seconds`` after the call started (wall clock, including the wrap-up: timetables, explanations)."""

    seconds: float

    def __post_init__(self) -> None:
        if not (self.seconds >= 0):
            raise ValueError(f"MaxRuntime needs seconds ≥ 0, got {self.seconds}")

    def limits(self) -> Limits:
        return Limits(runtime=float(self.seconds))


@dataclass(frozen=True)
class Deadline(StoppingCriterion):
    """Stop so that the call returns by ``at`` (an absolute ``time.perf_counter()`` value) — e.g. the web server's
    per-request limit, shared by several solves."""

    at: float

    def limits(self) -> Limits:
        return Limits(deadline=float(self.at))


@dataclass(frozen=True)
class FirstOf(StoppingCriterion):
    """Stop at whichever of ``criteria`` comes first (built by ``a | b``)."""

    criteria: tuple[StoppingCriterion, ...]

    def limits(self) -> Limits:
        ls = [c.limits() for c in self.criteria]
        return Limits(work=min((x.work for x in ls), default=math.inf),
                      runtime=min((x.runtime for x in ls), default=math.inf),
                      deadline=min((x.deadline for x in ls), default=math.inf))

    def __or__(self, other: StoppingCriterion) -> FirstOf:
        if not isinstance(other, StoppingCriterion):
            return NotImplemented
        return FirstOf((*self.criteria, other))


def time_budget(seconds: float, hard: bool = False) -> FirstOf:
    """What "solve in ``seconds``" means: the deterministic work budget for ``seconds``, plus a wall-clock stop.

    ``hard=False``: the clock stop is a safety net at ``2 × seconds + 1`` (reached only on a machine much slower
    than the calibration one, so results stay reproducible). ``hard=True`` (the benchmarks): at ``seconds``,
    which guarantees the limit on a loaded machine at the price of determinism in that case.
    """
    return MaxWork(seconds_to_work(seconds)) | MaxRuntime(seconds if hard else 2.0 * seconds + 1.0)
