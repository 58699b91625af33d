"""Property tests: random small requests on the real catalogue, every plan verified independently.

Each generated request either yields an itinerary that passes ``verify`` (windows, day ends, lunch, driving cap,
capacity, each place once, must-visits present, days chained through the night's hub) or an explanation that names
the problem — never an exception. Plans are deterministic for a seed.
"""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touroute.model import PlanRequest
from touroute.planner import NO_TIMETABLE, PlanningError, plan

from .test_plan import verify

pytestmark = pytest.mark.slow  # random request grids: outside the fast subset (pytest -m "not slow")

# Provinces with enough variety (heritage, coast, MICE, islands with boats) to exercise every rule.
PROVINCE_SETS = [["Thừa Thiên Huế"], ["Đà Nẵng", "Quảng Nam"], ["Quảng Ngãi"], ["Khánh Hòa"], ["Bình Thuận"],
                 ["Bình Định", "Phú Yên"]]


_CHOICES: dict[str, tuple[list[str], list[str]]] = {}


def _choices(provinces: list[str]) -> tuple[list[str], list[str]]:
    """(visitable place ids, hub ids) of the provinces — computed once, kept out of hypothesis' reprs."""
    key = "|".join(provinces)
    if key not in _CHOICES:
        from touroute.pois import default_catalogue

        cat = default_catalogue().filter(province=provinces)
        places = sorted(p.id for p in cat if p.category != "lodging")
        hubs = sorted(cat.hubs().records) or ["dn-city-centre"]
        _CHOICES[key] = (places, hubs)
    return _CHOICES[key]


def _assert_names_the_request(exc: Exception, req: PlanRequest, ctx) -> None:
    """A request refused up front must say which of its places is at fault (by id or by name)."""
    refs = set(req.must_visit) | set(req.overnight.fixed) | set(req.overnight.pinned.values()) | {
        req.start.id, req.end.id if req.end else None} | {lk.place_id for lk in req.locks}
    names = {x for pid in refs if pid for x in (pid, ctx.catalogue.get(pid).name_en, ctx.catalogue.get(pid).name_vi)}
    assert any(n in str(exc) for n in names), f"the error names nothing the request referred to: {exc}"


@st.composite
def requests(draw):
    provinces = draw(st.sampled_from(PROVINCE_SETS))
    places, hubs = _choices(provinces)
    days = draw(st.integers(1, 3))
    start_h = draw(st.integers(6, 9))
    end_h = draw(st.integers(max(start_h + 4, 15), 21))
    must = draw(st.lists(st.sampled_from(places), max_size=2, unique=True))
    exclude = draw(st.lists(st.sampled_from([p for p in places if p not in must] or places), max_size=2,
                            unique=True))
    exclude = [p for p in exclude if p not in must]
    lunch = draw(st.booleans()) and start_h <= 11 and end_h >= 14
    return PlanRequest(
        start_date=date(2026, 12, 7) + timedelta(days=draw(st.integers(0, 6))),
        days=days, day_start=time(start_h, 0), day_end=time(end_h, 0),
        start=draw(st.sampled_from(hubs)), end=draw(st.sampled_from(hubs)),
        provinces=provinces, categories=draw(st.sampled_from([["heritage", "coastal", "other"], ["mice", "heritage"],
                                                              ["coastal"]])),
        must_visit=must, exclude=exclude,
        lunch={} if lunch else None,
        max_driving_minutes_per_day=draw(st.sampled_from([None, 60, 150, 300])),
        group_size=draw(st.sampled_from([1, 4, 20, 45, 300])),
        pace=draw(st.sampled_from(["relaxed", "normal", "packed"])),
        regional={"must_cover": draw(st.sampled_from([[], provinces[:1]])), "min_stops_per_province": 1},
        solver={"time_limit_s": 0.4, "seed": draw(st.integers(0, 5))},
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_random_requests_are_feasible_or_explained(ctx, data):
    req = data.draw(requests())
    try:
        it = plan(req, ctx, geometry=False)
    except PlanningError as exc:  # only for requests naming things that cannot be planned (e.g. boat-only places)
        _assert_names_the_request(exc, req, ctx)
        return
    if it.feasible:
        verify(it, req, ctx)
        again = plan(req, ctx, geometry=False)
        assert again.stop_ids() == it.stop_ids(), "same input and seed must give the same plan"
    else:
        assert it.problems and all(isinstance(p, str) and len(p) > 20 for p in it.problems)
        assert not any("internal" in p or NO_TIMETABLE in p for p in it.problems), it.problems


# ---------------------------------------------------------------------------------------------------------------
# Multi-day regional trips: islands reached by boat, fixed / pinned nights, locks, share caps. Every plan passes
# ``verify`` plus the request's own promises (locks kept on their day, fixed nights where asked); anything else is
# an explanation naming the problem.
ISLAND_TRIPS = [("qng-ly-son-island", "qng-quang-ngai-city", ["Quảng Ngãi", "Bình Định"]),
                ("qnam-cu-lao-cham", "qnam-hoi-an", ["Quảng Nam", "Đà Nẵng"])]


@st.composite
def regional_requests(draw):
    island, start, provinces = draw(st.sampled_from(ISLAND_TRIPS))
    places, hubs = _choices(provinces)
    days = draw(st.integers(2, 3))
    use_ferries = draw(st.booleans())
    must = [island] if draw(st.booleans()) else []
    must += draw(st.lists(st.sampled_from(places), max_size=1))
    must = list(dict.fromkeys(must))
    lockable = [p for p in must if p != island]
    locks = [{"place_id": p, "day": draw(st.integers(1, days))} for p in lockable if draw(st.booleans())]
    mode = draw(st.sampled_from(["choose", "fixed", "pinned"]))
    overnight: dict = {}
    if mode == "fixed":
        overnight = {"mode": "fixed", "fixed": [draw(st.sampled_from(hubs)) for _ in range(days - 1)]}
    elif mode == "pinned":
        overnight = {"pinned": {draw(st.integers(1, days - 1)): draw(st.sampled_from(hubs))}}
    return PlanRequest(
        start_date=date(2026, 12, 7) + timedelta(days=draw(st.integers(0, 6))),
        days=days, day_start=time(draw(st.integers(6, 8)), 0), day_end=time(draw(st.integers(17, 21)), 0),
        start=start, end=draw(st.sampled_from(hubs)), provinces=provinces,
        must_visit=must, locks=locks, overnight=overnight, use_ferries=use_ferries,
        lunch=draw(st.sampled_from([None, {}])),
        max_driving_minutes_per_day=draw(st.sampled_from([None, 240])),
        group_size=draw(st.sampled_from([2, 40])), vehicle=draw(st.sampled_from([None, "coach", "motorbike"])),
        regional={"must_cover": draw(st.sampled_from([[], provinces])), "min_stops_per_province": 1,
                  "max_share_one_province": draw(st.sampled_from([None, 0.8]))},
        solver={"time_limit_s": 0.4, "seed": draw(st.integers(0, 3))},
    )


def _check_promises(it, req: PlanRequest) -> None:
    """What the request asked for beyond feasibility: locks on their day, fixed and pinned nights, boats only
    when ferries are allowed."""
    day_of = {s.place_id: d.day for d in it.days for s in d.stops}
    for s in (s for d in it.days for s in d.stops if s.kind == "ferry_excursion"):
        assert req.use_ferries, "a boat trip was planned although ferries are off"
        day_of.update({p: day_of[s.place_id] for p in s.includes})
    for lock in req.locks:
        assert day_of.get(lock.place_id) == lock.day, f"{lock.place_id} locked to day {lock.day}"
    nights = [d.end.place_id for d in it.days[:-1]]
    if req.overnight.mode == "fixed":
        assert nights == req.overnight.fixed
    for n, hub in req.overnight.pinned.items():
        assert nights[n - 1] == hub, f"night {n} pinned to {hub}"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_regional_trips_with_boats_nights_and_locks(ctx, data):
    req = data.draw(regional_requests())
    try:
        it = plan(req, ctx, geometry=False)
    except PlanningError as exc:  # e.g. a night on an island hub, or an island with ferries off: said up front
        _assert_names_the_request(exc, req, ctx)
        return
    if it.feasible:
        verify(it, req, ctx)
        _check_promises(it, req)
    else:
        assert it.problems and all(isinstance(p, str) and len(p) > 20 for p in it.problems)
        assert not any("internal" in p or NO_TIMETABLE in p for p in it.problems), it.problems


# Requests that cannot be met: too many far-apart must-visits for the days, a day too short for its own drive, a
# must-cover province with nothing to see, a coach group at a small venue. Each must come back as an explanation.
@st.composite
def impossible_requests(draw):
    kind = draw(st.sampled_from(["far_must", "short_day", "empty_province", "capacity"]))
    base = dict(start_date=date(2026, 12, 7), solver={"time_limit_s": 0.3, "seed": 0}, lunch=None)
    if kind == "far_must":
        return kind, PlanRequest(**base, days=1, start="hue-hub-hue-city",
                                 must_visit=draw(st.permutations(["hue-imperial-city", "qnam-my-son-sanctuary",
                                                                  "qng-ly-son-island", "kh-po-nagar"]))[:3])
    if kind == "short_day":
        return kind, PlanRequest(**base, days=1, start="hue-hub-hue-city", end="qnam-hoi-an",
                                 day_start=time(8, 0), day_end=time(draw(st.integers(10, 11)), 0),
                                 must_visit=["qnam-my-son-sanctuary"])
    if kind == "empty_province":
        return kind, PlanRequest(**base, days=1, start="qnam-hoi-an", provinces=["Quảng Nam"],
                                 regional={"must_cover": [draw(st.sampled_from(["Bình Thuận", "Quảng Trị"]))]})
    venue, seats = draw(st.sampled_from(_mice_venues()))
    group = draw(st.integers(seats + 1, min(seats + 5000, 10_000)))
    return kind, PlanRequest(**base, days=1, start="dn-city-centre", group_size=group, categories=["mice"],
                             must_visit=[venue])


def _mice_venues() -> list[tuple[str, int]]:
    """Đà Nẵng venues with a published seat count, and that count: a group one seat larger cannot meet there."""
    from touroute.pois import default_catalogue

    return sorted((p.id, p.capacity) for p in default_catalogue().filter(province=["Đà Nẵng"])
                  if p.category == "mice" and p.capacity is not None)[:5]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_impossible_requests_are_explained_never_raised_blindly(ctx, data):
    kind, req = data.draw(impossible_requests())
    try:
        it = plan(req, ctx, geometry=False)
    except PlanningError as exc:
        text = str(exc)
    else:
        assert not it.feasible, f"{kind}: an impossible request came back feasible"
        text = " ".join(it.problems)
        assert not any("internal" in p or NO_TIMETABLE in p for p in it.problems), it.problems
    assert len(text) > 20, (kind, text)
    named = {"far_must": req.must_visit, "short_day": ["qnam-my-son-sanctuary"], "empty_province": [],
             "capacity": req.must_visit}[kind]
    cat = ctx.catalogue
    for pid in named:  # the explanation names at least one of the places at fault (id or a name)
        if any(x in text for p in named for x in (p, cat.get(p).name_en, cat.get(p).name_vi)):
            break
    else:
        if named:
            pytest.fail(f"{kind}: explanation names none of {named}: {text}")
    if kind == "empty_province":
        assert req.regional.must_cover[0] in text or "province" in text.lower() or "tỉnh" in text.lower(), text
