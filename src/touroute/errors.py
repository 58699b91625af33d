"""Exceptions shared across the pipeline.

Every error a user can cause (a broken CSV row, an unreadable OSM file, an impossible request) is a
``TourouteException`` with a message that names the source — file, line, field, value — so the CLI and the web
app can show it as one clear sentence instead of a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class TourouteException(Exception):
    """Base class of all user-facing touroute errors.

    ``field`` names the request field or data column at fault when there is one (``"must_visit"``,
    ``"regional.must_cover"``): the web app and the CLI read it from here, never from the message text.
    """

    def __init__(self, message: str = "", *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one field of one record of one file."""

    file: str
    line: int | None
    field: str | None
    value: object
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field '{self.field}'"
        value = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.message}{value}"


class DataError(TourouteException):
    """Input data (catalogue, reference table, OSM file …) failed validation.

    Carries every problem found, not just the first, so a curator can fix a file in one pass.
    """

    def __init__(self, problems: list[Problem], summary: str | None = None) -> None:
        self.problems = list(problems)
        head = summary or f"{len(self.problems)} problem(s) in input data"
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  … and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{head}:\n{shown}{more}" if self.problems else head)
