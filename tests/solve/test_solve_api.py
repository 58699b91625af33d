"""The typed solver interface (``optimise(problem, stop, params) -> Result``) and the benchmark's tuning / held-out
split."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest

from touroute.bench import splits
from touroute.solve import (WORK_PER_SECOND, Deadline, MaxRuntime, MaxWork, OrienteeringProblem, Result, RouteSpec,
                            SolveParams, SolveStats, check, optimise, seconds_to_work, solve, time_budget)
from touroute.solve.ils import DEFAULT_PARAMS

BENCH = Path(__file__).resolve().parents[3] / "shared" / "bench"


def random_problem(seed: int = 3, n: int = 40, routes: int = 2) -> OrienteeringProblem:
    """A random TOPTW-like problem: more customers than the routes can serve, windows, service times."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 50, (n, 2))
    T = np.floor(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) * 10) / 10
    sc = np.r_[0, rng.integers(1, 20, n - 1)].astype(float)
    w = [[]] + [[(float(a), float(a) + 60)] for a in rng.uniform(0, 100, n - 1)]
    return OrienteeringProblem(T, np.r_[0, np.full(n - 1, 5.0)], sc, w, [RouteSpec((0,), (0,), 0, 160)] * routes)


# ------------------------------------------------------------------------------------------------ typed interface
def test_params_round_trip_into_result_stats() -> None:
    p = random_problem()
    params = SolveParams(power=1.5, noise=0.2, restart_after=200, seed=7)
    budget = seconds_to_work(0.3)
    res = optimise(p, MaxWork(budget), params)
    assert isinstance(res, Result) and isinstance(res.stats, SolveStats)
    assert res.params is params
    assert check(p, res.solution) == []
    st = res.stats
    assert st.iterations > 0 and 0 < st.work
    # the work budget is checked once per iteration: it is exceeded by at most one iteration's work
    assert st.work <= budget + st.work / st.iterations * 50
    assert st.hotel_sequences == 1 and st.hotels is None
    assert st.objective == pytest.approx(res.score)  # no mandatory bonus, no group penalty
    assert st.stopped_by_clock is False and st.repaired == [] and st.ortools_gain is None
    assert st.seconds >= st.seconds_search > 0
    # Solution.stats is the dict view of the typed statistics
    assert res.solution.stats == st.as_dict()
    assert res.solution.stats["seconds_own"] == st.seconds_search
    # the kernel sees exactly the typed parameters
    assert SolveParams.from_kernel_array(params.kernel_array(), seed=7) == params
    assert np.array_equal(SolveParams().kernel_array(), DEFAULT_PARAMS)


def test_same_seed_and_work_give_the_same_result_and_other_params_are_used() -> None:
    p = random_problem(seed=11, n=60, routes=3)
    stop = MaxWork(seconds_to_work(0.2))
    a = optimise(p, stop, SolveParams(seed=4))
    b = optimise(p, stop, SolveParams(seed=4))
    assert a.routes == b.routes and a.score == b.score
    assert (a.stats.iterations, a.stats.work) == (b.stats.iterations, b.stats.work)
    # the parameters reach the kernel: a search that never uses the tabu pass and never compresses routes takes a
    # different path (iteration count) through the same budget
    c = optimise(p, stop, SolveParams(seed=4, tabu_prob=0.0, two_opt_prob=0.0))
    assert c.stats.iterations != a.stats.iterations


@pytest.mark.parametrize("options", [dict(related_removal=True), dict(adaptive=True, related_removal=True, kick=True)])
def test_search_options_are_deterministic_and_feasible(options: dict) -> None:
    p = random_problem(seed=12, n=60, routes=3)
    stop = MaxWork(seconds_to_work(0.2))
    a = optimise(p, stop, SolveParams(seed=1, restart_after=50, **options))
    b = optimise(p, stop, SolveParams(seed=1, restart_after=50, **options))
    assert a.routes == b.routes and a.stats.iterations == b.stats.iterations
    assert check(p, a.solution) == [] and a.stats.repaired == []
    base = optimise(p, stop, SolveParams(seed=1, restart_after=50, adaptive=False, related_removal=False, kick=False))
    assert a.stats.iterations != base.stats.iterations  # the options change the search path


def test_legacy_solve_is_the_typed_call_with_a_time_budget() -> None:
    p = random_problem(seed=5)
    old = solve(p, 0.2, seed=2)
    new = optimise(p, time_budget(0.2), SolveParams(seed=2))
    assert old.routes == new.routes and old.score == new.score
    assert old.stats["work"] == new.stats.work


def test_stopping_criteria_combine_to_the_earliest_limit() -> None:
    t = time.perf_counter() + 100.0
    lim = (MaxWork(5e6) | MaxRuntime(3.0) | MaxWork(1e6) | Deadline(t) | MaxRuntime(9.0)).limits()
    assert (lim.work, lim.runtime, lim.deadline) == (1e6, 3.0, t)
    assert MaxWork(1).deterministic and not (MaxWork(1) | MaxRuntime(1)).deterministic
    b = time_budget(4.0).limits()
    assert b.work == 4.0 * WORK_PER_SECOND and b.runtime == 9.0
    assert time_budget(4.0, hard=True).limits().runtime == 4.0


def test_clock_criteria_stop_the_search() -> None:
    p = random_problem(seed=8, n=120, routes=4)
    t0 = time.perf_counter()
    res = optimise(p, MaxWork(1e12) | MaxRuntime(0.4), SolveParams(seed=0))
    assert time.perf_counter() - t0 < 0.4 + 1.0  # generous slack for a loaded CI machine
    assert res.stats.stopped_by_clock and check(p, res.solution) == []
    res = optimise(p, MaxWork(1e12) | Deadline(time.perf_counter() + 0.3), SolveParams(seed=0))
    assert res.stats.stopped_by_clock and check(p, res.solution) == []


def test_ortools_share_runs_the_polish_and_reports_its_gain() -> None:
    p = random_problem(seed=9)
    res = optimise(p, MaxWork(seconds_to_work(0.3)), SolveParams(seed=0, ortools_share=0.5))
    assert res.stats.ortools_gain is not None and res.stats.ortools_gain >= 0
    assert res.stats.seconds_ortools > 0
    assert check(p, res.solution) == []


@pytest.mark.parametrize("bad", [dict(noise=-1), dict(two_opt_prob=1.5), dict(ortools_share=1.0), dict(power=0),
                                 dict(restart_after=0), dict(temperature=math.nan)])
def test_invalid_params_are_rejected(bad: dict) -> None:
    with pytest.raises(ValueError):
        SolveParams(**bad)


def test_a_criterion_without_any_limit_is_rejected() -> None:
    with pytest.raises(ValueError):
        optimise(random_problem(), MaxWork(math.inf))


# ------------------------------------------------------------------------------------------------ splits
def test_split_rules_by_name() -> None:
    assert [splits.toptw_split(f"pr{k:02d}") for k in range(1, 11)] == ["tune"] * 5 + ["holdout"] * 5
    assert splits.toptw_split("c105") == splits.toptw_split("r112") == "tune"
    for name in ("rc101", "c201", "r211", "rc208"):
        assert splits.toptw_split(name) == "holdout"
    assert splits.solomon_class("rc204") == "rc2" and splits.solomon_class("pr01") is None
    assert splits.ophs_split("SET_3-4/64-45-3-4") == "tune" and splits.ophs_split("SET_1-2/T3-65-1-2") == "holdout"
    with pytest.raises(ValueError):
        splits.toptw_split("x101")
    with pytest.raises(ValueError):
        splits.ophs_split("SET_1-2/99-10-1-2")


def test_splits_are_disjoint_and_cover_every_published_instance() -> None:
    if not BENCH.exists():
        pytest.skip("../shared/bench not present (published benchmark instances)")
    toptw = [f.stem for f in sorted((BENCH / "toptw").glob("*/*.txt"))]
    ophs = [f"{f.parent.name}/{f.stem}" for f in sorted((BENCH / "ophs").glob("SET_*/*.ophs"))]
    assert len(toptw) == 66 and len(ophs) == 105
    side = {("toptw", x): splits.toptw_split(x) for x in toptw} | {("ophs", x): splits.ophs_split(x) for x in ophs}
    tune = {k for k, v in side.items() if v == "tune"}
    hold = {k for k, v in side.items() if v == "holdout"}
    assert tune and hold and not tune & hold and tune | hold == set(side)
    # no underlying instance on both sides: a TOPTW file carries all its tour counts, an OPHS POI set all its sets
    fam = {}
    for (kind, x), v in side.items():
        key = (kind, splits.ophs_family(x) if kind == "ophs" else x)
        assert fam.setdefault(key, v) == v
    # the long-horizon Solomon classes are all held out
    assert {splits.solomon_class(x) for (k, x) in hold if k == "toptw" and not x.startswith("pr")} == \
        {"rc1", "c2", "r2", "rc2"}
