"""The CLI's user-facing error (private plumbing shared by every command group, below them all so that no command
module imports the top-level CLI)."""

from __future__ import annotations

import click


class TourouteError(click.ClickException):
    """A user-facing error: printed as ``Error: …`` without a traceback."""

    exit_code = 2
