"""`touroute plan` — optimise a multi-day trip from flags or a JSON request file."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import click
from pydantic import ValidationError

from .model import AUTO_LIMIT_LONG_S, AUTO_LIMIT_SHORT_DAYS, AUTO_LIMIT_SHORT_S, PlanRequest


def pydantic_message(exc: ValidationError) -> str:
    """One line per invalid field, named by its dotted path (``regional.max_share_one_province: …``)."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err.get("loc", ())) or "request"
        lines.append(f"{loc}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(lines)


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for val in values for v in val.split(",") if v.strip()]


def next_monday(today: date | None = None) -> date:
    today = today or date.today()
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def register(main: click.Group) -> None:
    @main.command("plan")
    @click.option("--request", "request_file", type=click.Path(exists=True, dir_okay=False),
                  help="JSON request file (fields of PlanRequest); flags given as well override it.")
    @click.option("--start", help="Start place: catalogue id or 'lat,lon'.  [default: hue-hub-hue-city]")
    @click.option("--end", help="End place (default: back to the start).")
    @click.option("--days", type=int, help="Number of days.  [default: 5 with the default start]")
    @click.option("--date", "start_date", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: next Monday).")
    @click.option("--day-start", help="HH:MM the day starts.")
    @click.option("--day-end", help="HH:MM the day ends.")
    @click.option("--category", "-c", multiple=True, help="Categories to visit (heritage, coastal, mice, other).")
    @click.option("--province", "-p", multiple=True, help="Only places in these provinces (legacy or 2025 names).")
    @click.option("--must", multiple=True, help="Must-visit place ids (comma separated or repeated).")
    @click.option("--exclude", multiple=True, help="Place ids to leave out.")
    @click.option("--cover", multiple=True, help="Provinces the trip must cover (regional linkage).")
    @click.option("--min-stops", type=int, help="Minimum stops in each covered province.")
    @click.option("--max-share", type=float, help="Maximum share of visit time in one province (0–1).")
    @click.option("--overnight", help="Fixed hub id for each night, comma separated (else the optimiser chooses).")
    @click.option("--driving-cap", type=int, help="Maximum driving minutes per day.")
    @click.option("--no-lunch", is_flag=True, help="No lunch break.")
    @click.option("--evenings/--no-evenings", default=None,
                  help="Suggest an optional evening outing after dinner for each night (lanterns, night markets, "
                       "shows), from the places' evening hours.  [default: on]")
    @click.option("--group-size", type=int, help="Number of travellers.")
    @click.option("--vehicle", type=click.Choice(["car", "van", "coach", "motorbike"]))
    @click.option("--pace", type=click.Choice(["relaxed", "normal", "packed"]))
    @click.option("--seconds", type=float,
                  help=f"Solver time limit in seconds.  [default: {AUTO_LIMIT_SHORT_S:g} for trips of up to "
                       f"{AUTO_LIMIT_SHORT_DAYS} days, {AUTO_LIMIT_LONG_S:g} for longer ones]")
    @click.option("--seed", type=int, help="Random seed (same input + seed ⇒ same plan).")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @click.option("--lang", type=click.Choice(["en", "vi"]), default="en", show_default=True)
    @click.option("--no-geometry", is_flag=True, help="Skip road polylines in JSON output (faster).")
    @click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
    def plan_cmd(request_file, start, end, days, start_date, day_start, day_end, category, province, must, exclude,
                 cover, min_stops, max_share, overnight, driving_cap, no_lunch, evenings, group_size, vehicle, pace,
                 seconds, seed, fmt, lang, no_geometry, output):
        """Plan a multi-day, multi-province trip. / Lập lịch trình nhiều ngày, liên tỉnh.

        Example: touroute plan --start hue-hub-hue-city --end kh-hub-nha-trang --days 5 --cover "Quang Ngai"
        """
        from .plan import PlanningContext, plan

        data: dict = {}
        if request_file:
            try:
                data = json.loads(Path(request_file).read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise click.BadParameter(f"{request_file}: not valid JSON ({exc})", param_hint="--request") from None
            if not isinstance(data, dict):
                raise click.BadParameter(f"{request_file}: must hold a JSON object", param_hint="--request")
        if not request_file and not start:
            data.update(start="hue-hub-hue-city", end=end or "kh-hub-nha-trang", days=days or 5,
                        regional={"must_cover": ["Quảng Nam", "Quảng Ngãi", "Bình Định"]})
        for key, val in (("start", start), ("end", end), ("days", days), ("day_start", day_start),
                         ("day_end", day_end), ("group_size", group_size), ("vehicle", vehicle), ("pace", pace),
                         ("max_driving_minutes_per_day", driving_cap)):
            if val is not None:
                data[key] = val
        data.setdefault("start_date", (start_date.date() if start_date else next_monday()).isoformat())
        if start_date:
            data["start_date"] = start_date.date().isoformat()
        if category:
            data["categories"] = _split(category)
        for key, vals in (("provinces", province), ("must_visit", must), ("exclude", exclude)):
            if vals:
                data[key] = _split(vals)
        reg = dict(data.get("regional") or {})
        if cover:
            reg["must_cover"] = _split(cover)
        if min_stops is not None:
            reg["min_stops_per_province"] = min_stops
        if max_share is not None:
            reg["max_share_one_province"] = max_share
        if reg:
            data["regional"] = reg
        if overnight:
            data["overnight"] = {"mode": "fixed", "fixed": _split((overnight,))}
        if no_lunch:
            data["lunch"] = None
        if evenings is not None:
            data["evenings"] = evenings
        sol = dict(data.get("solver") or {})
        if seconds is not None:
            sol["time_limit_s"] = seconds
        if seed is not None:
            sol["seed"] = seed
        if sol:
            data["solver"] = sol
        try:
            req = PlanRequest.model_validate(data)
        except ValidationError as exc:
            raise click.UsageError(pydantic_message(exc)) from None
        click.echo("Planning… / Đang lập lịch trình…", err=True)
        itinerary = plan(req, PlanningContext(), geometry=not no_geometry)
        if fmt == "json":
            text = itinerary.model_dump_json(indent=1)
        else:
            from .export.text import render

            text = render(itinerary, lang)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            click.echo(f"written {output}", err=True)
        else:
            click.echo(text)
        if not itinerary.feasible:
            raise SystemExit(1)
