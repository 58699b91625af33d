"""`touroute export PLAN.json --format gpx|ics|geojson|csv -o FILE` — the web app's exports from the command line.

PLAN.json is an itinerary as written by ``touroute plan --format json`` (or the web API's ``itinerary`` field).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from pydantic import ValidationError

from ..export._common import FORMATS, render_bytes
from ._error import OutputFile


def load_itinerary(path: str | Path):
    """Read an itinerary JSON file (a bare itinerary or an API response holding ``itinerary``)."""
    from ..itinerary import Itinerary

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"{path}: not valid JSON ({exc})", param_hint="PLAN") from None
    if isinstance(data, dict) and isinstance(data.get("itinerary"), dict):
        data = data["itinerary"]
    try:
        return Itinerary.model_validate(data)
    except ValidationError as exc:
        from ..model import pydantic_message

        raise click.BadParameter(f"{path}: not an itinerary ({pydantic_message(exc)})", param_hint="PLAN") from None


def register(main: click.Group) -> None:
    @main.command("export")
    @click.argument("plan_file", metavar="PLAN.json", type=click.Path(exists=True, dir_okay=False))
    @click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), required=True, help="Output format.")
    @click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
    @click.option("-o", "--output", type=OutputFile(), help="Write here instead of stdout.")
    def export_cmd(plan_file, fmt, lang, output):
        """Export a planned itinerary as GPX, iCalendar, GeoJSON or CSV. / Xuất lịch trình ra GPX, ICS, GeoJSON, CSV.

        Example: touroute plan --format json -o plan.json && touroute export plan.json -f gpx -o trip.gpx
        """
        it = load_itinerary(plan_file)
        if not it.feasible:
            raise click.UsageError(f"{plan_file}: the plan is infeasible — nothing to export "
                                   f"({'; '.join(it.problems)[:300]})")
        data = render_bytes(it, fmt, lang)
        if output:
            try:
                Path(output).write_bytes(data)
            except OSError as exc:
                raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
            click.echo(f"written {output}", err=True)
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
