"""Scheduled boat links to islands (Lý Sơn, Cù Lao Chàm …) from ``data/reference/ferries.csv``.

Island boats are not in the road network: OSM rarely maps them as ``route=ferry`` with usable times, they run on
timetables, and they carry passengers, not coaches. So they are a small curated table (sources and "as of" dates
in ``data/reference/FERRIES.md``) that the matrix layer uses to estimate legs to and from islands and that the
optimiser can use for departure times. Facts that no source gives stay empty — e.g. the exact Lý Sơn departures
(only the first and last boat are published), for which :meth:`FerryLink.departures` spreads the published number
of boats evenly and says so (``exact=False``).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from ..errors import DataError, Problem
from ..resources import data_dir

Direction = Literal["out", "back"]
_REQUIRED = ("id", "name_vi", "name_en", "from_port", "from_lat", "from_lon", "to_port", "to_lat", "to_lon",
             "island", "island_lat", "island_lon", "island_radius_km", "crossing_min", "crossing_max")


@dataclass(frozen=True, slots=True)
class FerryLink:
    """A scheduled boat between a mainland port (``from``) and an island port (``to``)."""

    id: str
    name_vi: str
    name_en: str
    from_port: str
    from_lat: float
    from_lon: float
    to_port: str
    to_lat: float
    to_lon: float
    island: str
    island_lat: float
    island_lon: float
    island_radius_km: float
    crossing_min: float
    crossing_max: float
    departures_out: tuple[time, ...] = ()
    departures_back: tuple[time, ...] = ()
    first_departure: time | None = None
    last_departure: time | None = None
    departures_per_day: int | None = None
    buffer_min: float = 15.0
    vessel: str = ""
    carries: str = ""
    from_osm_id: str = ""
    to_osm_id: str = ""
    as_of: str = ""
    sources: tuple[str, ...] = ()
    notes: str = ""
    suspended: tuple[tuple[str, str], ...] = ()
    """Seasons or dates without tourist boats: ``(from, to)`` pairs, each ``MM-DD`` (every year; a range may wrap
    over New Year) or ``YYYY-MM-DD`` (one announcement), both ends included."""
    suspended_note: str = ""
    suspended_source: tuple[str, ...] = ()
    suspended_as_of: str = ""

    def suspended_on(self, day: date) -> bool:
        """True if ``day`` falls in one of the link's suspension periods (storm season, announced closures)."""
        for a, b in self.suspended:
            if len(a) == 10:
                if a <= day.isoformat() <= b:
                    return True
                continue
            md = f"{day.month:02d}-{day.day:02d}"
            if (a <= md <= b) if a <= b else (md >= a or md <= b):
                return True
        return False

    def suspension_text(self) -> tuple[str, str]:
        """The suspension periods in words (English, Vietnamese), e.g. ``("1 Sep – 31 Dec", "1/9 – 31/12")``."""
        months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

        def en(x: str) -> str:
            y, m, d = (x.split("-") if len(x) == 10 else ["", *x.split("-")])
            return f"{int(d)} {months[int(m) - 1]}" + (f" {y}" if y else "")

        def vi(x: str) -> str:
            y, m, d = (x.split("-") if len(x) == 10 else ["", *x.split("-")])
            return f"{int(d)}/{int(m)}" + (f"/{y}" if y else "")

        return (", ".join(f"{en(a)} – {en(b)}" for a, b in self.suspended),
                ", ".join(f"{vi(a)} – {vi(b)}" for a, b in self.suspended))

    @property
    def crossing_s(self) -> float:
        """Typical crossing time in seconds (mean of the published range)."""
        return 60.0 * (self.crossing_min + self.crossing_max) / 2.0

    @property
    def leg_s(self) -> float:
        """Crossing plus the planning buffer before departure (ticket, boarding), in seconds."""
        return self.crossing_s + 60.0 * self.buffer_min

    @property
    def sea_m(self) -> float:
        """Great-circle distance between the two ports in metres."""
        from .graph import haversine_m

        return float(haversine_m(self.from_lat, self.from_lon, self.to_lat, self.to_lon))

    def on_island(self, lat: float, lon: float) -> bool:
        """True if (lat, lon) lies within the island's radius."""
        from .graph import haversine_m

        return float(haversine_m(lat, lon, self.island_lat, self.island_lon)) <= self.island_radius_km * 1000.0

    def departures(self, direction: Direction = "out") -> tuple[tuple[time, ...], bool]:
        """Departure times for one direction and whether they are the published timetable (``exact``).

        Without a published timetable but with first/last boat and boats per day (outbound only), the boats are
        assumed evenly spread — an approximation flagged by ``exact=False``. Nothing known → ``((), False)``.
        """
        listed = self.departures_out if direction == "out" else self.departures_back
        if listed:
            return listed, True
        if direction == "out" and self.first_departure and self.last_departure and self.departures_per_day:
            a = self.first_departure.hour * 60 + self.first_departure.minute
            b = self.last_departure.hour * 60 + self.last_departure.minute
            n = max(1, self.departures_per_day)
            mins = [a] if n == 1 else [round(a + k * (b - a) / (n - 1)) for k in range(n)]
            return tuple(time(m // 60, m % 60) for m in mins), False
        return (), False

    def next_departure(self, after: time, direction: Direction = "out") -> time | None:
        """First departure at or after ``after`` (same day), or None."""
        times, _ = self.departures(direction)
        return next((t for t in times if t >= after), None)


_PERIOD = re.compile(r"^((?:\d{4}-)?\d{2}-\d{2})\.\.((?:\d{4}-)?\d{2}-\d{2})$")


def _valid_day(text: str) -> bool:
    try:
        date.fromisoformat(text if len(text) == 10 else f"2024-{text}")  # 2024: a leap year, 29 Feb is valid
    except ValueError:
        return False
    return True


def _time(value: str) -> time:
    h, m = value.strip().split(":")
    return time(int(h), int(m))


def load_ferry_links(path: str | Path | None = None) -> list[FerryLink]:
    """Read and validate the ferry table; every problem is reported with file, line and field."""
    return list(_load(str(path) if path else str(data_dir("reference", "ferries.csv"))))


@lru_cache(maxsize=8)
def _load(path: str) -> tuple[FerryLink, ...]:
    p = Path(path)
    problems: list[Problem] = []
    links: list[FerryLink] = []
    try:
        with p.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise DataError([Problem(str(p), None, None, None, f"cannot read ferry table ({exc})")]) from None
    seen: set[str] = set()
    for line, row in enumerate(rows, start=2):
        def bad(field: str, message: str) -> None:
            problems.append(Problem(p.name, line, field, row.get(field), message))

        for k in _REQUIRED:
            if not (row.get(k) or "").strip():
                bad(k, "required")
        if any(not (row.get(k) or "").strip() for k in _REQUIRED):
            continue
        nums: dict[str, float] = {}
        for k in ("from_lat", "from_lon", "to_lat", "to_lon", "island_lat", "island_lon", "island_radius_km",
                  "crossing_min", "crossing_max", "buffer_min", "departures_per_day"):
            raw = (row.get(k) or "").strip()
            if not raw:
                continue
            try:
                nums[k] = float(raw)
            except ValueError:
                bad(k, "not a number")
        for k in ("from_lat", "to_lat", "island_lat"):
            if k in nums and not 8 <= nums[k] <= 24:
                bad(k, "latitude outside Vietnam (8–24 N)")
        for k in ("from_lon", "to_lon", "island_lon"):
            if k in nums and not 102 <= nums[k] <= 118:
                bad(k, "longitude outside Vietnam (102–118 E)")
        if nums.get("crossing_min", 0) <= 0 or nums.get("crossing_max", 0) < nums.get("crossing_min", math.inf):
            bad("crossing_max", "need 0 < crossing_min ≤ crossing_max (minutes)")
        times: dict[str, tuple[time, ...]] = {}
        for k in ("departures_out", "departures_back", "first_departure", "last_departure"):
            try:
                times[k] = tuple(_time(t) for t in (row.get(k) or "").split())
            except ValueError:
                bad(k, "times must be HH:MM separated by spaces")
                times[k] = ()
        periods: list[tuple[str, str]] = []
        for part in (row.get("suspended") or "").split():
            m = _PERIOD.match(part)
            if not m or not _valid_day(m.group(1)) or not _valid_day(m.group(2)) \
                    or len(m.group(1)) != len(m.group(2)) or (len(m.group(1)) == 10 and m.group(1) > m.group(2)):
                bad("suspended", "periods must be MM-DD..MM-DD or YYYY-MM-DD..YYYY-MM-DD separated by spaces")
                break
            periods.append((m.group(1), m.group(2)))
        if periods and not (row.get("suspended_source") or "").strip():
            bad("suspended_source", "a suspension period needs its source")
        if row["id"] in seen:
            bad("id", "duplicate id")
        seen.add(row["id"])
        if problems and problems[-1].line == line:
            continue
        links.append(FerryLink(
            id=row["id"].strip(), name_vi=row["name_vi"].strip(), name_en=row["name_en"].strip(),
            from_port=row["from_port"].strip(), from_lat=nums["from_lat"], from_lon=nums["from_lon"],
            to_port=row["to_port"].strip(), to_lat=nums["to_lat"], to_lon=nums["to_lon"],
            island=row["island"].strip(), island_lat=nums["island_lat"], island_lon=nums["island_lon"],
            island_radius_km=nums["island_radius_km"], crossing_min=nums["crossing_min"],
            crossing_max=nums["crossing_max"], departures_out=times["departures_out"],
            departures_back=times["departures_back"],
            first_departure=(times["first_departure"] or (None,))[0],
            last_departure=(times["last_departure"] or (None,))[0],
            departures_per_day=int(nums["departures_per_day"]) if "departures_per_day" in nums else None,
            buffer_min=nums.get("buffer_min", 15.0), vessel=(row.get("vessel") or "").strip(),
            carries=(row.get("carries") or "").strip(), from_osm_id=(row.get("from_osm_id") or "").strip(),
            to_osm_id=(row.get("to_osm_id") or "").strip(), as_of=(row.get("as_of") or "").strip(),
            sources=tuple(s.strip() for s in (row.get("source") or "").split(";") if s.strip()),
            notes=(row.get("notes") or "").strip(), suspended=tuple(periods),
            suspended_note=(row.get("suspended_note") or "").strip(),
            suspended_source=tuple(x.strip() for x in (row.get("suspended_source") or "").split(";") if x.strip()),
            suspended_as_of=(row.get("suspended_as_of") or "").strip(),
        ))
    if problems:
        raise DataError(problems, f"ferry table {p} has {len(problems)} problem(s)")
    return tuple(links)


def ferry_table_fingerprint(path: str | Path | None = None) -> str:
    """Hash of the ferry table (part of the matrix cache key)."""
    import hashlib

    p = Path(path) if path else data_dir("reference", "ferries.csv")
    return hashlib.sha256(p.read_bytes()).hexdigest()[:16]
