"""Optimisation core: multi-route orienteering with time windows, breaks, driving caps and hotel selection.

``solve(problem, seconds, seed)`` runs our compiled destroy-and-repair / simulated-annealing search (``ils``,
``kernels``), optionally polished by OR-Tools routing (``ortools_backend``); ``check`` verifies any solution
independently; ``explain`` says why nodes are left out. See docs/solver.md.
"""

from .explain import InfeasibleProblem, explain
from .ils import solve, warmup
from .problem import BreakSpec, OrienteeringProblem, ProblemError, RouteSpec
from .solution import BreakPlacement, RouteSchedule, Solution, Stop, check, make_solution

__all__ = [
    "BreakPlacement", "BreakSpec", "InfeasibleProblem", "OrienteeringProblem", "ProblemError", "RouteSchedule",
    "RouteSpec", "Solution", "Stop", "check", "explain", "make_solution", "solve", "warmup",
]
