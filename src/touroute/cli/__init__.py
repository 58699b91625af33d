"""Command-line interface: a thin shell over the Python API.

Each sub-group lives next to the module it drives and registers itself here, so the CLI never grows logic of its own.
Errors that are the user's (bad file, bad value) are printed as one clear line and exit with status 2 — never a traceback.
"""

from __future__ import annotations

import sys

import click

from .. import __version__
from ._error import TourouteError  # noqa: F401 — re-exported: the CLI's error type


class _Group(click.Group):
    """Turns any library error the user caused into one ``Error: …`` line (exit 2) instead of a traceback."""

    def invoke(self, ctx: click.Context):
        from ..errors import TourouteException

        try:
            return super().invoke(ctx)
        except TourouteException as exc:
            raise TourouteError(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="touroute")
def main() -> None:
    """touroute — tourism routes for Central and South-Central Vietnam.

    Lập lịch trình du lịch liên tỉnh miền Trung và Nam Trung Bộ.
    Map data © OpenStreetMap contributors (ODbL).
    """


def _register() -> None:
    """One module per command group (``touroute.cli.<group>``), each with ``register(main)``."""
    from . import analytics, bench, export, network, packages, plan, pois, serve, worker

    for group in (pois, network, plan, bench, export, serve, analytics, packages, worker):
        group.register(main)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
