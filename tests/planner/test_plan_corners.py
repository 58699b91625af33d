"""Property tests that reach the planner's corners (issue 11): the whole region, every vehicle, up to 14 days.

The requests come from ``tests/corner_requests.py`` — the generator ``benchmarks/bench_soundness.py`` runs by the
thousand — driven here by hypothesis, so a failure shrinks to a small request. Every result must be a plan that
passes ``tests/test_plan.py::verify`` and ``touroute.solve.check`` (on the plan rebuilt from the itinerary), an
explained infeasibility (never "internal"), or a ``PlanningError`` naming the field or place at fault. One test
runs with the CPU saturated by other processes: the search's wall-clock safety stop and the web's ``deadline=``
path must still give sound plans.
"""

from __future__ import annotations

import importlib.util
import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from touroute.model import PlanRequest
from touroute.planner import plan

from ..corner_requests import (LIMITS_QUICK, LIMITS_SPREAD, HypothesisDraw, SeededDraw, corner_request, cpu_load,
                              island_night_request, judge)
from .test_plan import verify

pytestmark = pytest.mark.slow  # property grids over random corner requests: outside the fast subset (pytest -m "not slow")

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _sound(body: dict, ctx, *, record: bool = True, **kw):
    o = judge(body, ctx, **kw)
    if record:  # outcome statistics: pytest --hypothesis-show-statistics
        event(f"{o.kind}: {o.reason}")
    assert not o.failed, f"{o.kind}: {o.reason}\nrequest: {json.dumps(body, ensure_ascii=False)}\n{o.detail}"
    return o


@settings(max_examples=30, **SETTINGS)
@given(data=st.data())
def test_corner_requests_are_verified_or_explained(ctx, data):
    _sound(corner_request(HypothesisDraw(data.draw), LIMITS_QUICK), ctx)


@settings(max_examples=6, **SETTINGS)
@given(data=st.data())
def test_long_open_jaw_trips_across_the_region(ctx, data):
    _sound(corner_request(HypothesisDraw(data.draw), [0.3], focus="long"), ctx)


@settings(max_examples=8, **SETTINGS)
@given(data=st.data())
def test_island_day_trips_the_web_way(ctx, data):
    _sound(corner_request(HypothesisDraw(data.draw), LIMITS_QUICK, focus="island"), ctx, deadline_grace=1.0)


@settings(max_examples=8, **SETTINGS)
@given(data=st.data())
def test_island_nights_pinned_anywhere_in_the_year(ctx, data):
    _sound(island_night_request(HypothesisDraw(data.draw), LIMITS_QUICK), ctx)


@pytest.mark.slow
@settings(max_examples=40, **SETTINGS)
@given(data=st.data())
def test_corner_requests_with_limits_up_to_ten_seconds(ctx, data):
    _sound(corner_request(HypothesisDraw(data.draw), LIMITS_SPREAD), ctx,
           deadline_grace=data.draw(st.sampled_from([None, 1.0])))


@pytest.mark.slow
@settings(max_examples=15, **SETTINGS)
@given(data=st.data())
def test_long_trips_with_longer_limits(ctx, data):
    _sound(corner_request(HypothesisDraw(data.draw), [1.0, 2.0, 4.0], focus="long"), ctx)


def test_plans_stay_sound_with_the_cpu_saturated(ctx):
    """Busy processes on every core while planning: the CLI path (work budget, wall-clock safety stop at
    3 × limit + 2 s), the web path (deadline = limit + 1 s) and deadlines far shorter than the limit (a starved
    worker) must all give verified plans or explanations — and the clock must actually have stopped some."""
    plan(PlanRequest(start_date="2026-12-07", days=1, start="dn-city-centre", solver={"time_limit_s": 0.2}), ctx,
         geometry=False)  # kernels compiled / loaded before the load starts
    bodies = [corner_request(SeededDraw(f"load:{k}"), [0.3, 1.0]) for k in range(6)]
    bodies.append({"start_date": "2026-12-07", "days": 10, "start": "hcm-city-centre-hub", "end": "qb-hub-dong-hoi",
                   "vehicle": "car", "group_size": 2, "solver": {"time_limit_s": 1.0, "seed": 1}})
    outcomes = []
    with cpu_load(seconds=150):
        for k, body in enumerate(bodies):
            outcomes.append(_sound(body, ctx, record=False, deadline_grace=None if k % 2 else 1.0))
        # a deadline well inside the time limit: the solver is stopped by the clock mid-search
        req = PlanRequest.model_validate(dict(bodies[-1], solver={"time_limit_s": 4.0, "seed": 2}))
        t = time.perf_counter()
        it = plan(req, ctx, geometry=False, deadline=t + 0.8)
        took = time.perf_counter() - t
    assert it.solver.get("stopped_by_clock") if it.feasible else True
    if it.feasible:
        verify(it, req, ctx)
    else:
        assert it.problems and not any("internal" in p for p in it.problems), it.problems
    assert took < 4.0, f"a 0.8-s deadline took {took:.1f} s under load"
    assert any(o.kind == "feasible" for o in outcomes), [o.reason for o in outcomes]


def test_the_verification_catches_a_broken_plan(ctx):
    """The independent verification is not a rubber stamp: a plan whose drive is squeezed, whose lock moved day or
    whose must-cover province is dropped is rejected."""
    req = PlanRequest(start_date="2026-12-07", days=2, start="hue-hub-hue-city", end="dn-city-centre",
                      locks=[{"place_id": "hue-thien-mu-pagoda", "day": 2}],
                      regional={"must_cover": ["Huế", "Đà Nẵng"], "min_stops_per_province": 1},
                      solver={"time_limit_s": 0.5, "seed": 0})
    it = plan(req, ctx, geometry=False)
    verify(it, req, ctx)
    day = it.days[0]
    first = day.legs[0]
    assert first.seconds > 60
    late = day.stops[0].arrival - timedelta(seconds=first.seconds / 2)  # leave the hotel half a drive too late
    squeezed = it.model_copy(update={"days": [day.model_copy(update={"depart": late}), *it.days[1:]]})
    with pytest.raises(AssertionError, match="drive"):
        verify(squeezed, req, ctx)
    unlocked = req.model_copy(update={"locks": [req.locks[0].model_copy(update={"day": 1})]})
    with pytest.raises(AssertionError, match="locked to day 1"):
        verify(it, unlocked, ctx)
    more = req.model_copy(update={"regional": req.regional.model_copy(update={"must_cover": ["Bình Thuận"]})})
    with pytest.raises(AssertionError, match="must cover Bình Thuận"):
        verify(it, more, ctx)


def bench_module():
    """benchmarks/bench_soundness.py as a module (its request generator and runner)."""
    spec = importlib.util.spec_from_file_location("bench_soundness", ROOT / "benchmarks" / "bench_soundness.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


def test_benchmark_generator_is_reproducible():
    bench = bench_module()
    a = [corner_request(SeededDraw(bench.request_seed(7, k))) for k in range(20)]
    b = [corner_request(SeededDraw(bench.request_seed(7, k))) for k in range(20)]
    assert a == b and len({json.dumps(x, sort_keys=True) for x in a}) == 20
    assert {x.get("vehicle") for x in a} >= {"car", "coach"} and max(x["days"] for x in a) >= 7
