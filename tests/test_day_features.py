"""Pace (load caps per route) and similar-visit discounts in the solver: the kernel, the checker and
``OrienteeringProblem.value`` agree, and the search chooses what the value function prefers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from touroute.solve import MaxWork, OrienteeringProblem, RouteSpec, check, optimise
from touroute.solve.solution import make_solution


def _line_problem(scores, similar=None, decay=1.0, load=None, max_load=None, days=1, span=100.0):
    """A depot at 0 and places on a line 1 unit apart, every place open all day, service 1."""
    n = len(scores) + 1
    xs = np.arange(n, dtype=float)
    T = np.abs(xs[:, None] - xs[None, :]) * 0.1
    score = np.array([0.0, *scores])
    windows = [[(0.0, span * days)] for _ in range(n)]
    routes = [RouteSpec((0,), (0,), d * span, d * span + span - 1, max_load=max_load) for d in range(days)]
    sim = None if similar is None else np.array([-1, *similar])
    ld = None if load is None else np.array([0.0, *load])
    return OrienteeringProblem(T, np.r_[0.0, np.ones(n - 1)], score, windows, routes, chained=days > 1,
                               similar=sim, similar_decay=decay, load=ld)


def test_value_discounts_kth_similar_visit_in_one_route():
    p = _line_problem([10, 8, 6, 5], similar=[0, 0, 0, -1], decay=0.5)
    assert p.value([[1, 2, 3, 4]]) == pytest.approx(10 + 8 * 0.5 + 6 * 0.25 + 5)
    # order of visits does not matter, only the rank by score
    assert p.value([[3, 1, 4, 2]]) == pytest.approx(p.value([[1, 2, 3, 4]]))


def test_similar_visits_are_discounted_per_route_not_per_trip():
    p = _line_problem([10, 10], similar=[0, 0], decay=0.5, days=2)
    assert p.value([[1, 2], []]) == pytest.approx(15.0)
    assert p.value([[1], [2]]) == pytest.approx(20.0)


def test_search_prefers_variety_when_similar_visits_are_discounted():
    # capacity of 2 sights: two tombs (9, 9) or one tomb + one pagoda (9, 6); with decay 0.5 the mix is worth more
    scores, similar = [9, 9, 6], [0, 0, 1]
    plain = _line_problem(scores, similar=similar, decay=1.0, max_load=2)
    mixed = _line_problem(scores, similar=similar, decay=0.5, max_load=2)
    for problem, has_pagoda in ((plain, False), (mixed, True)):
        res = optimise(problem, MaxWork(20_000))
        assert not check(problem, res.solution)
        assert (3 in res.solution.routes[0]) == has_pagoda
        best = max(problem.value([list(c)]) for c in itertools.combinations(range(1, 4), 2))
        assert res.solution.score == pytest.approx(best)


def test_load_cap_is_respected_by_search_and_checker():
    p = _line_problem([5, 5, 5, 5, 5, 5], load=[1, 1, 2, 1, 1, 3], max_load=4)
    res = optimise(p, MaxWork(20_000))
    visits = res.solution.routes[0]
    assert sum(p.load[v] for v in visits) <= 4
    assert len(visits) == 4  # four one-unit sights beat any mix with a long one (equal scores)
    assert not check(p, res.solution)
    over = make_solution(p, [[0, 1, 2, 3, 4, 0]])
    assert any("load" in v for v in check(p, over))
