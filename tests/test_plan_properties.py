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

from touroute.matrix import TravelTimes
from touroute.model import PlanRequest
from touroute.plan import PlanningContext, PlanningError, plan

from .test_plan import verify

# Provinces with enough variety (heritage, coast, MICE, islands with boats) to exercise every rule.
PROVINCE_SETS = [["Thừa Thiên Huế"], ["Đà Nẵng", "Quảng Nam"], ["Quảng Ngãi"], ["Khánh Hòa"], ["Bình Thuận"],
                 ["Bình Định", "Phú Yên"]]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    return PlanningContext(router=TravelTimes([]), data_dir=str(tmp_path_factory.mktemp("data")))


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
        pace=draw(st.sampled_from(["relaxed", "normal", "intense"])),
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
        assert str(exc)
        return
    if it.feasible:
        verify(it, req, ctx)
        again = plan(req, ctx, geometry=False)
        assert again.stop_ids() == it.stop_ids(), "same input and seed must give the same plan"
    else:
        assert it.problems and all(isinstance(p, str) and len(p) > 20 for p in it.problems)
        assert not any("internal check failed" in p for p in it.problems), it.problems
