"""Command-line interface: a thin shell over the Python API.

Each sub-group lives next to the module it drives and registers itself here, so the CLI never grows logic of its own.
Errors that are the user's (bad file, bad value) are printed as one clear line and exit with status 2 — never a traceback.
"""

from __future__ import annotations

import sys

import click

from . import __version__
from ._clierror import TourouteError  # noqa: F401 — re-exported: the CLI's error type


class _Group(click.Group):
    """Turns any library error the user caused into one ``Error: …`` line (exit 2) instead of a traceback."""

    def invoke(self, ctx: click.Context):
        from .errors import TourouteException

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
    from . import analytics_cli, packages_cli, plan_cli, pois_cli
    from .bench import cli as bench_cli
    from .export import cli as export_cli
    from .web import cli as web_cli
    from .network import cli as network_cli

    pois_cli.register(main)
    network_cli.register(main)
    plan_cli.register(main)
    bench_cli.register(main)
    export_cli.register(main)
    web_cli.register(main)
    analytics_cli.register(main)
    packages_cli.register(main)


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
