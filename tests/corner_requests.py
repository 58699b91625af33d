"""Random plan requests that reach the planner's corners, and the judge of what comes back.

One generator, two sources of randomness: :class:`SeededDraw` (``random.Random``, for
``benchmarks/bench_soundness.py`` — reproducible with ``--seed``, no shrinking) and :class:`HypothesisDraw`
(``tests/test_plan_corners.py`` — hypothesis shrinks a failure to a small request). The corners: 1–14 days, all
four vehicles with groups up to a coach, open-jaw trips between any two hubs from Hồ Chí Minh City to Quảng Bình,
island day trips (Lý Sơn, Cù Lao Chàm), fixed and pinned nights, locks, must-cover with legacy and 2025 province
names, share caps, minimum hours, driving caps, lunch on / off / unusual, starts given as coordinates, and time
limits from 0.2 to 10 s.

:func:`judge` sorts every result into exactly one outcome: a plan that passes the independent verification
(``tests.planner.test_plan.verify``) *and* the solver's checker (``touroute.solve.check``, re-run on the plan rebuilt from
the itinerary); an explained infeasibility (``feasible=False`` with problems that name the cause, never
"internal" / :data:`touroute.planner.NO_TIMETABLE`); a :class:`~touroute.planner.PlanningError` that names the request
field or place at fault — or a failure, which is a bug.
"""

from __future__ import annotations

import math
import os
import random
import re
import subprocess
import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Iterator, Sequence, TypeVar

from touroute.model import PlanRequest
from touroute.planner import NO_TIMETABLE, PlanningContext, PlanningError, build_model, plan
from touroute.pois import default_catalogue, haversine_m
from touroute.solve import check, make_solution

T = TypeVar("T")

VEHICLES = ["car", "van", "coach", "motorbike"]
LIMITS_QUICK = [0.2, 0.3, 0.5]
"""Time limits of the CI-sized runs."""
LIMITS_SPREAD = [0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.5, 0.5, 0.5, 1.0, 1.0, 2.0, 2.0, 4.0, 6.0, 10.0]
"""Time limits of the benchmark: mostly short, a spread up to 10 s (each entry equally likely)."""


class SeededDraw:
    """Choices from a seeded ``random.Random`` (the benchmark)."""

    def __init__(self, seed: int | str) -> None:
        self.rng = random.Random(seed)

    def choice(self, xs: Sequence[T]) -> T:
        return xs[self.rng.randrange(len(xs))]

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p


class HypothesisDraw:
    """The same choices from hypothesis' ``data.draw`` (shrinks towards the first option, the low end, False)."""

    def __init__(self, draw: Any) -> None:
        from hypothesis import strategies as st

        self._draw, self._st = draw, st

    def choice(self, xs: Sequence[T]) -> T:
        return self._draw(self._st.sampled_from(list(xs)))

    def integer(self, lo: int, hi: int) -> int:
        return self._draw(self._st.integers(lo, hi))

    def chance(self, p: float) -> bool:
        return self._draw(self._st.integers(0, 99)) >= round(100 * (1 - p))


@dataclass(frozen=True)
class _Region:
    """What the generator picks from, computed once from the real catalogue and ferry table."""

    hubs: tuple[str, ...]               # all lodging hubs, island ones included (a corner of its own)
    mainland_hubs: tuple[str, ...]
    places: tuple[str, ...]             # visitable mainland places
    islands: tuple[tuple[str, str, tuple[str, ...]], ...]  # (link id, nearest mainland hub, island places)
    coords: dict[str, tuple[float, float]] = field(repr=False)
    province: dict[str, str] = field(repr=False)


@lru_cache(maxsize=1)
def region() -> _Region:
    from touroute.network.ferries import load_ferry_links

    cat = default_catalogue()
    links = load_ferry_links()
    on_island = {p.id for p in cat for f in links if f.on_island(p.lat, p.lon)}
    hubs = tuple(sorted(cat.hubs().records))
    mainland = tuple(h for h in hubs if h not in on_island)
    places = tuple(sorted(p.id for p in cat if p.category != "lodging" and p.id not in on_island))
    coords = {p.id: (p.lat, p.lon) for p in cat}
    islands = []
    for f in links:
        isl = tuple(sorted(p.id for p in cat if p.category != "lodging" and f.on_island(p.lat, p.lon)))
        if isl:
            near = min(mainland, key=lambda h: haversine_m(*coords[h], f.from_lat, f.from_lon))
            islands.append((f.id, near, isl))
    return _Region(hubs, mainland, places, tuple(islands), coords, {p.id: p.province_legacy for p in cat})


def island_night_request(d: SeededDraw | HypothesisDraw, limits: Sequence[float] = LIMITS_SPREAD) -> dict:
    """A corner request (island must-visit, start often at the port's town) with a night pinned to an island hub
    (issue 12: island nights), dated anywhere in the year so that the storm seasons are met too; sometimes two
    nights on the island, sometimes the other island's hub."""
    from touroute.network.ferries import load_ferry_links

    r = region()
    body = corner_request(d, limits, focus="island")
    links = {f.id: f for f in load_ferry_links()}
    island_hubs = {lid: [h for h in r.hubs if links[lid].on_island(*r.coords[h])] for lid in links}
    place = body["must_visit"][-1]
    lid = next(k for k, f in links.items() if f.on_island(*r.coords[place]))
    if d.chance(0.2):
        lid = d.choice(sorted(links))
    if not island_hubs[lid]:
        return body
    hub = d.choice(island_hubs[lid])
    days = max(2, int(body["days"]))
    if days != body["days"]:
        body["days"] = days
        body.pop("overnight", None)
    body["locks"] = [lk for lk in body.get("locks", []) if lk["day"] <= days]
    if not body["locks"]:
        body.pop("locks")
    body["start_date"] = str(date(2026, 1, 1) + timedelta(days=d.integer(0, 364)))
    first = d.integer(1, days - 1)
    nights = [first] + ([first + 1] if first + 1 <= days - 1 and d.chance(0.25) else [])
    ov = dict(body.get("overnight") or {})
    if ov.get("mode") == "fixed":
        fixed = list(ov["fixed"])
        for n in nights:
            fixed[n - 1] = hub
        ov["fixed"] = fixed
    else:
        ov.pop("mode", None)
        pinned = {k: v for k, v in (ov.get("pinned") or {}).items()}
        for n in nights:
            pinned[str(n)] = hub
        ov["pinned"] = pinned
    body["overnight"] = ov
    return body


def _km(r: _Region, a: str, b: str) -> float:
    return haversine_m(*r.coords[a], *r.coords[b]) / 1000.0


def _near(r: _Region, ids: Sequence[str], lat: float, lon: float, k: int) -> list[str]:
    return sorted(ids, key=lambda x: haversine_m(*r.coords[x], lat, lon))[:k]


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def corner_request(d: SeededDraw | HypothesisDraw, limits: Sequence[float] = LIMITS_SPREAD,
                   focus: str = "any") -> dict:
    """One random request body (JSON-able, what the REST API accepts). Mostly plannable trips — the ends and the
    nights lie along the way, within reach of the days — with a share of far-fetched ones that must be explained.

    ``focus`` makes one corner certain instead of likely: "long" (10–14 days between the region's far ends, e.g.
    Hồ Chí Minh City → Quảng Bình) or "island" (an island must-visit)."""
    from touroute import provinces as prov

    r = region()
    if focus == "long":
        days = d.integer(10, 14)
        south = sorted(r.mainland_hubs, key=lambda h: r.coords[h][0])
        start, end = d.choice(south[:5]), d.choice(south[-5:])
        if d.chance(0.5):
            start, end = end, start
    else:
        days = d.choice([1, 2, 3, 4, 5, 7, 10, 14]) if d.chance(0.7) else d.integer(1, 14)
        start = d.choice(r.mainland_hubs) if not d.chance(0.03) else d.choice(r.hubs)
        if d.chance(0.25):
            end = start
        elif d.chance(0.75):  # an open-jaw trip within reach of the days (~300 km a day as the crow flies)
            end = d.choice([h for h in r.mainland_hubs if _km(r, start, h) <= 300 * days] or [start])
        else:
            end = d.choice(r.hubs)
    body: dict[str, Any] = {"start_date": str(date(2026, 12, 7) + timedelta(days=d.integer(0, 27))),
                            "days": days, "start": start, "end": end}
    island = None
    if (focus == "island" or d.chance(0.18)) and r.islands:
        link, near, isl = d.choice(r.islands)
        island = d.choice(isl)
        if d.chance(0.6):
            body["start"] = start = near
            if d.chance(0.5):
                body["end"] = end = near
    if d.chance(0.06):  # a start given as coordinates (a hotel or airport that is not in the catalogue)
        lat, lon = r.coords[start]
        body["start"] = {"lat": round(lat + d.integer(-30, 30) / 1000, 5), "lon": round(lon + d.integer(-30, 30) / 1000, 5),
                         "name": "hotel"}
    # the day and lunch
    ds = d.choice([360, 420, 480, 480, 510, 540])
    de = min(23 * 60, ds + d.choice([240, 420, 540, 600, 630, 630, 660, 720, 840][2 if island else 0:]))
    body["day_start"], body["day_end"] = _hhmm(ds), _hhmm(de)
    lunch_kind = d.choice(["default", "default", "off", "custom"])
    if lunch_kind == "off":
        body["lunch"] = None
    elif lunch_kind == "custom":
        minutes = d.choice([15, 30, 45, 60, 90])
        earliest = max(ds, d.choice([600, 660, 690, 720]))
        latest = min(de, earliest + minutes + d.choice([0, 30, 60, 120]))
        body["lunch"] = ({"minutes": minutes, "earliest": _hhmm(earliest), "latest_end": _hhmm(latest)}
                         if latest - earliest >= minutes else None)
    elif not (ds <= 690 and de >= 810):  # the default window 11:30–13:30 must lie within the day
        body["lunch"] = None
    # vehicle and group
    vehicle = d.choice(VEHICLES + [None])
    if vehicle is not None:
        body["vehicle"] = vehicle
    body["group_size"] = d.integer(1, 44) if not d.chance(0.05) else d.choice([45, 120, 300])
    body["pace"] = d.choice(["normal", "relaxed", "packed"])
    if d.chance(0.3):
        body["categories"] = d.choice([["heritage"], ["coastal"], ["mice", "heritage"], ["heritage", "coastal", "other",
                                                                                           "mice"], ["other"]])
    # places on the way: must-visits, exclusions, locks
    lat0, lon0 = r.coords[start]
    lat1, lon1 = r.coords[end]
    near_route = [p for p in r.places
                  if haversine_m(*r.coords[p], lat0, lon0) + haversine_m(*r.coords[p], lat1, lon1)
                  <= haversine_m(lat0, lon0, lat1, lon1) + 1000.0 * (30 + 20 * days)]
    pick_from = near_route if (near_route and d.chance(0.85)) else list(r.places)
    must = [d.choice(pick_from) for _ in range(d.choice([0, 0, 0, 1, 1, 2, 3]))]
    if island is not None:
        must.append(island)
    must = list(dict.fromkeys(must))
    exclude = [p for p in (d.choice(pick_from) for _ in range(d.choice([0, 0, 1, 2]))) if p not in must]
    if must:
        body["must_visit"] = must
    if exclude:
        body["exclude"] = list(dict.fromkeys(exclude))
    locks = []
    for p in must:
        if d.chance(0.3):
            locks.append({"place_id": p, "day": d.integer(1, days)})
    if d.chance(0.1):  # a lock on a place that is not otherwise a must-visit
        p = d.choice([x for x in pick_from if x not in exclude] or list(r.places))
        if p not in exclude:
            locks.append({"place_id": p, "day": d.integer(1, days)})
    if locks:
        body["locks"] = list({lk["place_id"]: lk for lk in locks}.values())
    # nights
    if days > 1:
        mode = d.choice(["choose", "choose", "choose", "fixed", "pinned", "candidates"])

        def night_hub(n: int) -> str:  # a hub near the straight line from start to end, or (rarely) anywhere
            if d.chance(0.15):
                return d.choice(r.hubs)
            f = n / days
            return d.choice(_near(r, r.mainland_hubs, lat0 + f * (lat1 - lat0), lon0 + f * (lon1 - lon0), 3))

        if mode == "fixed":
            body["overnight"] = {"mode": "fixed", "fixed": [night_hub(n) for n in range(1, days)]}
        elif mode == "pinned":
            nights = {d.integer(1, days - 1) for _ in range(d.choice([1, 1, 2]))}
            body["overnight"] = {"pinned": {str(n): night_hub(n) for n in sorted(nights)}}
        elif mode == "candidates":
            body["overnight"] = {"candidates": sorted({night_hub(n) for n in range(1, days)} | {d.choice(r.hubs)})}
    # regional rules
    if d.chance(0.4):
        on_way = sorted({r.province[p] for p in near_route}) or [r.province[start]]
        cover = [d.choice(on_way) for _ in range(d.choice([1, 1, 2, 3, 5]))]
        names = []
        for pv in dict.fromkeys(cover):  # legacy or 2025 name for the same province
            names.append(prov.since_2025_of(pv) if d.chance(0.4) else pv)
        regional: dict[str, Any] = {"must_cover": list(dict.fromkeys(names)),
                                    "min_stops_per_province": d.choice([0, 1, 1, 2, 3])}
        if d.chance(0.3):
            regional["min_visit_hours_per_province"] = d.choice([1, 2, 4])
        body["regional"] = regional
    if d.chance(0.25):
        body.setdefault("regional", {})["max_share_one_province"] = d.choice([0.3, 0.5, 0.8, 1.0])
    if d.chance(0.35):
        body["max_driving_minutes_per_day"] = d.choice([60, 120, 240, 360, 600])
    if d.chance(0.08):
        body["use_ferries"] = False
    if d.chance(0.1):
        body["provinces"] = sorted({r.province[start], r.province[end]})
    body["solver"] = {"time_limit_s": d.choice(list(limits)), "seed": d.integer(0, 9)}
    return body


# --------------------------------------------------------------------------------------------------------------
# Judging a result
# --------------------------------------------------------------------------------------------------------------
FAILURES = ("internal", "verify", "check", "exception", "unexplained")

_INFEASIBLE_KINDS = [
    ("time limit", re.compile(r"time limit ran out")),
    ("must-visit closed / outside the day", re.compile(r"cannot be visited for .* on any day")),
    ("must-visit too far for the day", re.compile(r"cannot reach it before")),
    ("must-visit: day end", re.compile(r"after the day ends")),
    ("must-visit: driving cap", re.compile(r"daily driving cap")),
    ("must-visits together", re.compile(r"not together with the other must-visits")),
    ("must-visit fits alone, not found in time", re.compile(r"on its own, but the search found no plan")),
    ("must-visit: no time for lunch", re.compile(r"leave no time for the lunch break")),
    ("island boat times", re.compile(r"boats leave .* does not fit")),
    ("island night: boat times", re.compile(r"the boat (out|back) to/from .* does not fit the day's hours")),
    ("island day trip: boat before the day", re.compile(r"boat's check-in at .* means leaving .* before the day starts")),
    ("island boats: storm season", re.compile(r"boats .* do not run on .*storm season")),
    ("island place between the boats", re.compile(r"which the trip reaches only between the boat out|"
                                                   r"after the last check-in at .* does not fit between the boats")),
    ("island night, ferries off", re.compile(r"needs the boat, but ferries are disabled")),
    ("no chain of overnight hubs", re.compile(r"no chain of overnight hubs")),
    ("regional rule", re.compile(r"regional rule cannot be met")),
]

_REFUSAL_KINDS = [
    ("island start/end/night", re.compile(r"reachable only by boat; touroute plans island")),
    ("island place, ferries off", re.compile(r"lies on .* reachable only by boat")),
    ("island places do not fit one trip", re.compile(r"do not fit the .* day trip")),
    ("islet boat hours vs day trip", re.compile(r"does not fit the .* day trip's time ashore")),
    ("venue capacity", re.compile(r"seats \d+, fewer than the group")),
    ("lodging hub as must-visit", re.compile(r"is a lodging hub")),
    ("access point as must-visit", re.compile(r"is a pier, port or ticket office")),
    ("unknown place / province", re.compile(r"no place with id|unknown province|not a known province|outside touroute.s region", re.I)),
]


@contextmanager
def cpu_load(seconds: float, processes: int | None = None) -> Iterator[list[subprocess.Popen]]:
    """Saturate the CPU: one busy-loop process per core, each stopping itself after ``seconds`` at the latest and
    ended (by its own pid) when the block exits."""
    n = processes or os.cpu_count() or 1
    code = f"import time\nt = time.perf_counter() + {float(seconds)!r}\nwhile time.perf_counter() < t:\n    pass\n"
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(n)]
    try:
        yield procs
    finally:
        for p in procs:
            p.kill()
            p.wait()


@dataclass
class Outcome:
    kind: str          # "feasible", "infeasible", "refused" or one of FAILURES
    reason: str        # category of the explanation (infeasible / refused), or what failed
    seconds: float     # wall time of the plan call
    detail: str = ""
    stopped_by_clock: bool = False

    @property
    def failed(self) -> bool:
        return self.kind in FAILURES


def _refs(req: PlanRequest, ctx: PlanningContext) -> set[str]:
    """Every way the request's places can be named in a message: ids, English and Vietnamese names."""
    cat = ctx.catalogue
    ids = set(req.must_visit) | set(req.exclude) | set(req.overnight.fixed) | set(req.overnight.pinned.values()) \
        | set(req.overnight.candidates) | {lk.place_id for lk in req.locks}
    ids |= {x.id for x in (req.start, req.end) if x is not None and x.id}
    out = set(ids)
    for x in (req.start, req.end):
        if x is not None and x.name:
            out.add(x.name)
    for pid in ids:
        if pid in cat:
            out |= {cat.get(pid).name_en, cat.get(pid).name_vi}
    return out


def _classify(text: str, kinds: list[tuple[str, re.Pattern]]) -> str:
    return next((name for name, rx in kinds if rx.search(text)), "other")


def rebuilt_check(it, req: PlanRequest, ctx: PlanningContext) -> list[str]:
    """``touroute.solve.check`` on the plan as the user sees it: the itinerary's days turned back into node routes
    of a freshly built model; also that the checker's timetable is the one the itinerary shows. A night the
    planner put on an island hub that the request listed among its candidates (``planner.island_choice``)
    is rebuilt as the pinned night it was planned as."""
    from touroute.islands import link_of

    chosen = {d.day: d.end.place_id for d in it.days[:-1]
              if req.overnight.mode != "fixed" and d.day not in req.overnight.pinned
              and d.end.place_id in ctx.catalogue
              and link_of(ctx.router.ferries, ctx.catalogue.get(d.end.place_id).lat,
                          ctx.catalogue.get(d.end.place_id).lon) is not None}
    if chosen:
        req = req.model_copy(deep=True)
        req.overnight = req.overnight.model_copy(update={
            "pinned": {**req.overnight.pinned, **chosen},
            "candidates": [h for h in req.overnight.candidates if h not in set(chosen.values())]})
    model = build_model(req, ctx)
    P = model.problem
    index = {pl.id: k for k, pl in enumerate(model.places)}
    routes = []
    for day in it.days:
        ids = [day.start.place_id, *(s.place_id for s in day.stops), day.end.place_id]
        missing = [x for x in ids if x not in index]
        if missing:
            return [f"day {day.day}: {missing} are not nodes of the model"]
        routes.append([index[x] for x in ids])
    sol = make_solution(P, routes)
    out = check(P, sol)
    t0 = req.start_date.toordinal()
    for day, sched in zip(it.days, sol.schedule):
        for k, (s, st) in enumerate(zip(day.stops, sched.stops[1:-1])):
            shown = (s.start.date().toordinal() - t0) * 86_400.0 + s.start.hour * 3600 + s.start.minute * 60 \
                + s.start.second
            exc = model.excursions.get(st.node)
            if k == 0 and exc is not None and exc.early is not None:
                # an early boat (planner.model.EARLY_BOAT_MAX_MIN): the model starts the trip at the day's start +
                # the drive, the plan shows the real check-in that much earlier
                shown += exc.early[1] - exc.early[0]
            if abs(shown - st.start) > 1.0:
                out.append(f"day {day.day}: {s.place_id} starts at {s.start:%H:%M:%S} in the plan, "
                           f"{st.start:.0f} s in the checker's timetable")
    return out


def judge(body: dict, ctx: PlanningContext, *, deadline_grace: float | None = None) -> Outcome:
    """Plan ``body`` and sort the result (see the module docstring). With ``deadline_grace`` the plan runs the
    web server's way: a hard deadline of the time limit plus that grace."""
    from tests.planner.test_plan import verify

    try:
        req = PlanRequest.model_validate(body)
    except Exception as exc:  # the generator only makes valid requests: a rejection is a generator bug
        return Outcome("exception", "request rejected by validation", 0.0, str(exc))
    t = time.perf_counter()
    try:
        deadline = None if deadline_grace is None else t + req.solver.time_limit_s + deadline_grace
        it = plan(req, ctx, geometry=False, deadline=deadline)
    except PlanningError as exc:
        secs = time.perf_counter() - t
        text = str(exc)
        named = any(n and n in text for n in _refs(req, ctx)) or re.match(r"^[a-z_.]+: ", text) is not None
        if not named:
            return Outcome("unexplained", "PlanningError names nothing of the request", secs, text)
        return Outcome("refused", _classify(text, _REFUSAL_KINDS), secs, text)
    except Exception:
        return Outcome("exception", "plan raised", time.perf_counter() - t, traceback.format_exc())
    secs = time.perf_counter() - t
    clock = bool(it.solver.get("stopped_by_clock")) if it.solver else False
    if not it.feasible:
        text = " ".join(it.problems)
        if any("internal" in p or NO_TIMETABLE in p for p in it.problems):
            return Outcome("internal", "plan says internal / no timetable", secs, text)
        if not it.problems or any(len(p) <= 20 for p in it.problems):
            return Outcome("unexplained", "infeasible without a reason", secs, text)
        return Outcome("infeasible", _classify(text, _INFEASIBLE_KINDS), secs, text, clock)
    try:
        verify(it, req, ctx)
    except AssertionError as exc:
        return Outcome("verify", (str(exc).splitlines() or ["assertion"])[0][:200], secs, traceback.format_exc())
    except Exception:
        return Outcome("exception", "verification raised", secs, traceback.format_exc())
    # a plan whose default driving cap or nights along the way gave way (verify checked it said so) is checked
    # under the request it was made with: a night pinned behind the start is the user's, and the along-the-way rule
    # the first attempt had would flag it (seed 12 of bench_soundness, request 28)
    relaxed = ("driving cap raised", "no chain of nights moving along the way")
    effective = (PlanRequest.model_validate(it.request)
                 if any(w.startswith(relaxed) for w in it.warnings) else req)
    try:
        violations = rebuilt_check(it, effective, ctx)
    except Exception:
        return Outcome("exception", "rebuilding the plan for the checker raised", secs, traceback.format_exc())
    if violations:
        return Outcome("check", violations[0][:200], secs, "\n".join(violations))
    return Outcome("feasible", "verified", secs, "", clock)


def percentile(xs: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation), NaN for no data."""
    if not xs:
        return math.nan
    ys = sorted(xs)
    return ys[min(len(ys) - 1, max(0, math.ceil(q / 100 * len(ys)) - 1))]
