"""Optimisation core: multi-route orienteering with time windows, breaks, driving caps and hotel selection.

``optimise(problem, stop, params) -> Result`` runs our compiled destroy-and-repair / simulated-annealing search
(``ils``, ``kernels``), optionally polished by OR-Tools routing (``ortools_backend``): ``SolveParams`` holds the
search parameters and seed, ``MaxWork`` / ``MaxRuntime`` / ``Deadline`` (combined with ``|``) say when to stop, and
the ``Result`` carries the checked ``Solution`` with typed ``SolveStats``. ``solve(problem, seconds, seed)`` is the
keyword adapter returning the ``Solution`` only. ``check`` verifies any solution independently; ``explain`` says why
nodes are left out. See docs/solver.md.
"""

from .explain import InfeasibleProblem, explain
from .ils import optimise, solve, warmup
from .params import (WORK_PER_SECOND, Deadline, FirstOf, MaxRuntime, MaxWork, SolveParams, StoppingCriterion,
                     seconds_to_work, time_budget)
from .problem import BreakSpec, OrienteeringProblem, ProblemError, RouteSpec
from .result import Result, SolveStats
from .solution import BreakPlacement, RouteSchedule, Solution, Stop, check, make_solution

__all__ = [
    "WORK_PER_SECOND", "BreakPlacement", "BreakSpec", "Deadline", "FirstOf", "InfeasibleProblem", "MaxRuntime",
    "MaxWork", "OrienteeringProblem", "ProblemError", "Result", "RouteSchedule", "RouteSpec", "Solution",
    "SolveParams", "SolveStats", "Stop", "StoppingCriterion", "check", "explain", "make_solution", "optimise",
    "seconds_to_work", "solve", "time_budget", "warmup",
]
