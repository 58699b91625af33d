"""The CLI's user-facing error (private plumbing shared by every command group, below them all so that no command
module imports the top-level CLI)."""

from __future__ import annotations

import click


class TourouteError(click.ClickException):
    """A user-facing error: printed as ``Error: …`` without a traceback."""

    exit_code = 2


class OutputFile(click.Path):
    """A file the command writes (``-o``, ``--png``, ``--chart``): its folder must exist and be writable, checked
    when the options are read — so a typo in the folder is a usage error naming the option, not a traceback after
    the work is done."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(dir_okay=False, **kwargs)  # type: ignore[arg-type]

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> object:
        import os
        from pathlib import Path

        path = super().convert(value, param, ctx)
        folder = Path(os.fsdecode(path)).parent  # type: ignore[arg-type]
        if not folder.is_dir():
            self.fail(f"{os.fsdecode(path)}: the folder {folder} does not exist", param, ctx)  # type: ignore[arg-type]
        if not os.access(folder, os.W_OK):
            self.fail(f"{os.fsdecode(path)}: the folder {folder} is not writable", param, ctx)  # type: ignore[arg-type]
        return path
