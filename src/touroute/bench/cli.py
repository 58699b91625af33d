"""``touroute bench``: run the optimiser on one published benchmark instance and print one JSON object."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click


def run_toptw(path: str | Path, tours: int, seconds: float, seed: int = 0, ortools_share: float = 0.0) -> dict:
    """Solve a TOPTW file with ``tours`` routes; the result dict the CLI prints (plus ``stats``)."""
    from ..solve import check, solve
    from .formats import read_toptw

    t0 = time.perf_counter()
    inst = read_toptw(path)
    prob = inst.problem(tours)
    sol = solve(prob, seconds, seed, ortools_share=ortools_share, hard_time_limit=True)
    secs = time.perf_counter() - t0
    return {"instance": inst.name, "tours": tours, "score": _num(sol.score), "routes": [list(r) for r in sol.routes],
            "seconds": round(secs, 3), "violations": check(prob, sol), "stats": _jsonable(sol.stats)}


def run_ophs(path: str | Path, seconds: float, seed: int = 0, ortools_share: float = 0.0) -> dict:
    """Solve an OPHS file; trips are listed hotel to hotel inclusive, in file vertex indices."""
    from ..solve import check, solve
    from .formats import read_ophs

    t0 = time.perf_counter()
    inst = read_ophs(path)
    prob = inst.problem()
    sol = solve(prob, seconds, seed, ortools_share=ortools_share, hard_time_limit=True)
    secs = time.perf_counter() - t0
    trips = [sol.full_route(d) for d in range(len(prob.routes))] if any(sol.schedule) else []
    return {"instance": inst.name, "score": _num(sol.score), "trips": trips, "seconds": round(secs, 3),
            "violations": check(prob, sol), "stats": _jsonable(sol.stats)}


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


def register(main: click.Group) -> None:
    """Add the ``bench`` group to the top-level CLI."""

    @main.group("bench")
    def bench() -> None:
        """Run the optimiser on published benchmark instances (TOPTW, OPHS)."""

    @bench.command("toptw")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--tours", "-m", type=click.IntRange(1), required=True, help="Number of tours m.")
    @click.option("--seconds", "-s", type=click.FloatRange(0.05), default=10.0, show_default=True)
    @click.option("--seed", type=int, default=0, show_default=True)
    @click.option("--ortools-share", type=click.FloatRange(0, 0.9), default=0.0, show_default=True,
                  help="Fraction of the time given to the OR-Tools polish.")
    @click.option("--verbose", is_flag=True, help="Also print feasibility violations and search statistics.")
    def toptw(path: str, tours: int, seconds: float, seed: int, ortools_share: float, verbose: bool) -> None:
        """Solve a Solomon / Cordeau TOPTW instance; prints one JSON object."""
        res = run_toptw(path, tours, seconds, seed, ortools_share)
        if not verbose:
            res.pop("violations")
            res.pop("stats")
        click.echo(json.dumps(res))

    @bench.command("ophs")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--seconds", "-s", type=click.FloatRange(0.05), default=10.0, show_default=True)
    @click.option("--seed", type=int, default=0, show_default=True)
    @click.option("--ortools-share", type=click.FloatRange(0, 0.9), default=0.0, show_default=True,
                  help="Fraction of the time given to the OR-Tools polish.")
    @click.option("--verbose", is_flag=True, help="Also print feasibility violations and search statistics.")
    def ophs(path: str, seconds: float, seed: int, ortools_share: float, verbose: bool) -> None:
        """Solve an OPHS instance; prints one JSON object."""
        res = run_ophs(path, seconds, seed, ortools_share)
        if not verbose:
            res.pop("violations")
            res.pop("stats")
        click.echo(json.dumps(res))
