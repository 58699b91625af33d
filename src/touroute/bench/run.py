"""Run the optimiser on one published benchmark instance (TOPTW, OPHS): typed solves and the JSON record that
``touroute bench`` prints and benchmarks/bench_solver.py collects."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING


if TYPE_CHECKING:
    from ..solve import OrienteeringProblem, Result, SolveParams, StoppingCriterion


def solve_toptw(path: str | Path, tours: int, stop: StoppingCriterion, params: SolveParams | None = None
                ) -> tuple[OrienteeringProblem, Result, float]:
    """A TOPTW file with ``tours`` routes solved by the typed interface; (problem, result, wall seconds including
    reading the file and building the problem)."""
    from ..solve import optimise
    from .formats import read_toptw

    t0 = time.perf_counter()
    prob = read_toptw(path).problem(tours)
    res = optimise(prob, stop, params)
    return prob, res, time.perf_counter() - t0


def solve_ophs(path: str | Path, stop: StoppingCriterion, params: SolveParams | None = None
               ) -> tuple[OrienteeringProblem, Result, float]:
    """An OPHS file solved by the typed interface; (problem, result, wall seconds as in :func:`solve_toptw`)."""
    from ..solve import optimise
    from .formats import read_ophs

    t0 = time.perf_counter()
    prob = read_ophs(path).problem()
    res = optimise(prob, stop, params)
    return prob, res, time.perf_counter() - t0


def run_toptw(path: str | Path, tours: int, seconds: float, seed: int = 0, ortools_share: float = 0.0) -> dict:
    """Solve a TOPTW file with ``tours`` routes under a hard ``seconds`` limit; the result dict the CLI prints
    (plus ``stats``)."""
    from ..solve import SolveParams, check, time_budget

    prob, res, secs = solve_toptw(path, tours, time_budget(seconds, hard=True),
                                  SolveParams(seed=seed, ortools_share=ortools_share))
    return {"instance": Path(path).stem, "tours": tours, "score": _num(res.score),
            "routes": [list(r) for r in res.routes], "seconds": round(secs, 3),
            "violations": check(prob, res.solution), "stats": _jsonable(res.stats.as_dict())}


def run_ophs(path: str | Path, seconds: float, seed: int = 0, ortools_share: float = 0.0) -> dict:
    """Solve an OPHS file under a hard ``seconds`` limit; trips are listed hotel to hotel inclusive, in file vertex
    indices."""
    from ..solve import SolveParams, check, time_budget

    prob, res, secs = solve_ophs(path, time_budget(seconds, hard=True),
                                 SolveParams(seed=seed, ortools_share=ortools_share))
    sol = res.solution
    trips = [sol.full_route(d) for d in range(len(prob.routes))] if any(sol.schedule) else []
    return {"instance": Path(path).stem, "score": _num(res.score), "trips": trips,
            "seconds": round(secs, 3), "violations": check(prob, sol), "stats": _jsonable(res.stats.as_dict())}


def _num(x: float) -> int | float:
    """Integral scores print as integers (the benchmark scores are)."""
    return int(x) if float(x).is_integer() else float(x)


def _jsonable(d: dict) -> dict:
    out = {}
    for k, v in d.items():
        if isinstance(v, (int, float, str, bool)) or v is None:
            out[k] = v
        elif isinstance(v, (list, tuple)):
            out[k] = [list(x) if isinstance(x, (list, tuple)) else x for x in v]
    return out
