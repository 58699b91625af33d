"""`touroute plan` — optimise a multi-day trip from flags or a JSON request file."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import click
from pydantic import ValidationError

from ..model import (
    AUTO_LIMIT_LONG_S,
    AUTO_LIMIT_SHORT_DAYS,
    AUTO_LIMIT_SHORT_S,
    DEFAULT_TRIP,
    THEME_NAMES,
    LunchBreak,
    PlaceRef,
    PlanRequest,
    next_monday,
    pydantic_message,
)
from ..network.profiles import PROFILE_NAMES
from ._error import OutputFile

_FLAG_OF = {"categories": "--category", "themes": "--theme", "lunch": "--lunch", "day_start": "--day-start",
            "day_end": "--day-end", "pace": "--pace", "days": "--days", "provinces": "--province",
            "regional.must_cover": "--cover", "province_scheme": "--province-scheme"}


def _with_flags(message: str) -> str:
    """Name the CLI flag after each part of a validation message (``days: … ≤ 14 (--days)``);
    a request-level message names the flag of the first field it talks about."""
    out = []
    for part in message.split("; "):
        loc, sep, msg = part.partition(": ")
        words = msg if loc == "request" else loc
        flag = next((f for field, f in _FLAG_OF.items()
                     if re.search(rf"(^|[^a-z_.]){re.escape(field)}([^a-z_]|$)", words)), None)
        out.append(f"{part} ({flag})" if flag else part)
    return "; ".join(out)


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for val in values for v in val.split(",") if v.strip()]


_HHMM = re.compile(r"^\s*([01]?\d|2[0-3])[:h.]([0-5]\d)\s*$")


def _clock(text: str, flag: str) -> str:
    """``"11:30"`` (also ``11h30``, ``11.30``) → ``"11:30"``; anything else is a usage error naming ``flag``."""
    m = _HHMM.match(text)
    if not m:
        raise click.BadParameter(f"{text!r} is not a clock time HH:MM", param_hint=flag)
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_themes(values: tuple[str, ...]) -> dict[str, float]:
    """``("heritage=1", "coastal=0.5,other=0.2")`` → weights; a bad item is a usage error naming ``--theme``.

    Themes not named weigh 0 (the request's theme rule, docs/planner.md)."""
    out: dict[str, float] = {}
    for item in _split(values):
        name, sep, val = item.partition("=")
        name = name.strip().lower()
        if not sep or name not in THEME_NAMES:
            raise click.BadParameter(f"{item!r}: write THEME=WEIGHT with THEME one of {', '.join(THEME_NAMES)} "
                                     f"(e.g. --theme heritage=1 --theme coastal=0.5)", param_hint="--theme")
        try:
            weight = float(val)
        except ValueError:
            raise click.BadParameter(f"{item!r}: the weight {val.strip()!r} is not a number",
                                     param_hint="--theme") from None
        if not 0 <= weight <= 10 or weight != weight:
            raise click.BadParameter(f"{item!r}: the weight must be between 0 and 10", param_hint="--theme")
        if name in out:
            raise click.BadParameter(f"{name} is given twice", param_hint="--theme")
        out[name] = weight
    return out


def parse_lunch(window: str | None, minutes: int | None, base: dict | None) -> dict:
    """``--lunch 11:30-13:30`` and ``--lunch-minutes 60`` → the request's ``lunch``, checked here so a bad value
    names its flag."""
    lunch = dict(base or {})
    if window is not None:
        start, sep, end = window.partition("-")
        if not sep:
            raise click.BadParameter(f"{window!r}: write the window as HH:MM-HH:MM, e.g. 11:30-13:30",
                                     param_hint="--lunch")
        lunch.update(earliest=_clock(start, "--lunch"), latest_end=_clock(end, "--lunch"))
    if minutes is not None:
        lunch["minutes"] = minutes
    try:
        LunchBreak.model_validate(lunch)
    except ValidationError as exc:
        raise click.BadParameter(pydantic_message(exc).removeprefix("request: "),
                                 param_hint="--lunch / --lunch-minutes") from None
    return lunch


def register(main: click.Group) -> None:
    @main.command("plan")
    @click.option("--request", "request_file", type=click.Path(exists=True, dir_okay=False),
                  help="JSON request file (fields of PlanRequest); flags given as well override it.")
    @click.option("--start", help="Start place: catalogue id, a name (best match, diacritics optional; a town's name means its hub) or 'lat,lon'."
                                  "  [default: hue-hub-hue-city]")
    @click.option("--end", help="End place, like --start (default: back to the start; with no --start and no --request, "
                                "the default trip's end, kh-hub-nha-trang).")
    @click.option("--days", type=int, help="Number of days.  [default: 5 with the default start]")
    @click.option("--date", "start_date", type=click.DateTime(["%Y-%m-%d"]), help="First day (default: next Monday).")
    @click.option("--day-start", help="HH:MM the day starts.")
    @click.option("--day-end", help="HH:MM the day ends.")
    @click.option("--category", "-c", multiple=True, help="Categories to visit (heritage, coastal, mice, other).")
    @click.option("--province", "-p", multiple=True,
                  help="Only places in these provinces (legacy or 2025 names, diacritics optional; 'Da Nang' is the "
                       "2025 province incl. Hội An, 'legacy:Da Nang' the old city).")
    @click.option("--province-scheme", type=click.Choice(["2025", "legacy"]),
                  help="Read names that are both a legacy and a 2025 province (Đà Nẵng, Quảng Trị, Khánh Hòa) as "
                       "this (and so the areas the regional rules count).  [default: 2025]")
    @click.option("--theme", "--themes", "theme", multiple=True, metavar="THEME=WEIGHT",
                  help="Theme weight, repeated or comma separated: --theme heritage=1 --theme coastal=0.5. Themes "
                       "not named weigh 0; without --category the categories follow the named themes.")
    @click.option("--must", multiple=True, help="Must-visit place ids (comma separated or repeated).")
    @click.option("--exclude", multiple=True, help="Place ids to leave out.")
    @click.option("--cover", multiple=True,
                  help="Provinces the trip must cover (regional linkage); each name counts as the area it means "
                       "('Da Nang' = 2025 Đà Nẵng incl. Quảng Nam; 'legacy:Da Nang' the old city).")
    @click.option("--min-stops", type=int, help="Minimum stops in each covered province.")
    @click.option("--max-share", type=float, help="Maximum share of visit time in one province (0–1).")
    @click.option("--overnight", help="Fixed hub id for each night, comma separated (else the optimiser chooses).")
    @click.option("--nights-along-the-way/--nights-anywhere", "along_the_way", default=None,
                  help="On a one-way journey (ends ≥ 3 h apart) sleep only along the way, each night no further from "
                       "the end than the one before (docs/planner.md, Lodging).  [default: along the way]")
    @click.option("--island-nights/--no-island-nights", "island_nights", default=None,
                  help="With --province naming Quảng Ngãi or Quảng Nam (Đà Nẵng), also plan nights on Lý Sơn / Cù "
                       "Lao Chàm and keep the plan worth more (docs/planner.md, Island nights).  [default: on]")
    @click.option("--driving-cap", type=int, help="Maximum driving minutes per day.")
    @click.option("--no-lunch", is_flag=True, help="No lunch break.")
    @click.option("--lunch", "lunch_window", metavar="HH:MM-HH:MM",
                  help="Window the lunch break lies in.  [default: 11:30-13:30]")
    @click.option("--lunch-minutes", type=int, help="Length of the lunch break in minutes (15–180).  [default: 60]")
    @click.option("--evenings/--no-evenings", default=None,
                  help="Suggest an optional evening outing after dinner for each night (lanterns, night markets, "
                       "shows), from the places' evening hours.  [default: on]")
    @click.option("--group-size", type=int, help="Number of travellers.")
    @click.option("--vehicle", type=click.Choice(list(PROFILE_NAMES)))
    @click.option("--pace", type=click.Choice(["relaxed", "normal", "packed"]),
                  help="relaxed: at most about 4 sights a day (3–4), normal 6 (4–6), packed 8 (6–8), a visit over "
                       "2 h counting as two and over 4 h as three; a cap, not a quota — a day with Mỹ Sơn by coach "
                       "may hold 4.  [default: normal]")
    @click.option("--seconds", type=float,
                  help=f"Solver time limit in seconds.  [default: {AUTO_LIMIT_SHORT_S:g} for trips of up to "
                       f"{AUTO_LIMIT_SHORT_DAYS} days, {AUTO_LIMIT_LONG_S:g} for longer ones]")
    @click.option("--seed", type=int, help="Random seed (same input + seed ⇒ same plan).")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @click.option("--lang", type=click.Choice(["en", "vi"]), default="en", show_default=True)
    @click.option("--no-geometry", is_flag=True, help="Skip road polylines in JSON output (faster).")
    @click.option("-o", "--output", type=OutputFile(), help="Write to this file instead of stdout.")
    def plan_cmd(request_file, start, end, days, start_date, day_start, day_end, category, province, province_scheme,
                 theme, must, exclude, cover, min_stops, max_share, overnight, along_the_way, island_nights,
                 driving_cap, no_lunch,
                 lunch_window, lunch_minutes, evenings, group_size, vehicle, pace, seconds, seed, fmt, lang, no_geometry, output):
        """Plan a multi-day, multi-province trip. / Lập lịch trình nhiều ngày, liên tỉnh.

        Example: touroute plan --start hue-hub-hue-city --end kh-hub-nha-trang --days 5 --cover "Quang Ngai"
        """
        from ..planner import PlanningContext, plan

        data: dict = {}
        if request_file:
            try:
                data = json.loads(Path(request_file).read_text(encoding="utf-8"))
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise click.BadParameter(f"{request_file}: not valid JSON ({exc})", param_hint="--request") from None
            if not isinstance(data, dict):
                raise click.BadParameter(f"{request_file}: must hold a JSON object", param_hint="--request")
        if not request_file and not start:
            data.update(copy.deepcopy(DEFAULT_TRIP))
        if day_start is not None:
            day_start = _clock(day_start, "--day-start")
        if day_end is not None:
            day_end = _clock(day_end, "--day-end")
        for key, val in (("start", start), ("end", end), ("days", days), ("day_start", day_start),
                         ("day_end", day_end), ("group_size", group_size), ("vehicle", vehicle), ("pace", pace),
                         ("max_driving_minutes_per_day", driving_cap), ("province_scheme", province_scheme)):
            if val is not None:
                data[key] = val
        data.setdefault("start_date", (start_date.date() if start_date else next_monday()).isoformat())
        if start_date:
            data["start_date"] = start_date.date().isoformat()
        if category:
            data["categories"] = _split(category)
        if theme:
            data["themes"] = parse_themes(theme)
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
        if along_the_way is not None and isinstance(data.get("overnight", {}), dict):
            data.setdefault("overnight", {})["along_the_way"] = along_the_way
        if island_nights is not None and isinstance(data.get("overnight", {}), dict):
            data.setdefault("overnight", {})["islands"] = island_nights
        if no_lunch and (lunch_window is not None or lunch_minutes is not None):
            raise click.UsageError("--no-lunch cannot be combined with --lunch / --lunch-minutes")
        if no_lunch:
            data["lunch"] = None
        elif lunch_window is not None or lunch_minutes is not None:
            data["lunch"] = parse_lunch(lunch_window, lunch_minutes, data.get("lunch"))
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
            raise click.UsageError(_with_flags(pydantic_message(exc))) from None
        ctx = PlanningContext()
        for flag, value in (("--start", start), ("--end", end)):  # a typed name means its best catalogue match
            if value is not None and PlaceRef.parse(value).lat is None and value.strip() not in ctx.catalogue:
                found = ctx.catalogue.resolve(value, endpoint=True)
                if found is None:
                    raise click.BadParameter(ctx.catalogue.no_match_message(value, "an id, a name or 'lat,lon'",
                                                                            endpoint=True), param_hint=flag)
                req = req.model_copy(update={flag[2:]: PlaceRef.parse(found) if isinstance(found, str)
                                             else PlaceRef(**found)})
                click.echo(f"{flag} {value!r} → {found}", err=True)
        click.echo("Planning… / Đang lập lịch trình…", err=True)
        itinerary = plan(req, ctx, geometry=not no_geometry)
        if fmt == "json":
            text = itinerary.model_dump_json(indent=1)
        else:
            from ..export.text import render

            text = render(itinerary, lang)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            click.echo(f"written {output}", err=True)
        else:
            click.echo(text)
        if not itinerary.feasible:
            raise SystemExit(1)
