"""``touroute bench``: run the optimiser on one published benchmark instance and print one JSON object."""

from __future__ import annotations

import json

import click

from ..bench.run import run_ophs, run_toptw


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
