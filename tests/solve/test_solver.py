"""The optimisation core: independent checker, reproducibility, every model feature on tiny problems whose optimum
is found by brute force here, explanations, and real benchmark instances (short runs, no timing assertions)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from touroute.solve import (BreakSpec, InfeasibleProblem, MaxWork, OrienteeringProblem, RouteSpec, Solution,
                            SolveParams, check, make_solution, optimise, seconds_to_work, solve)
from touroute.solve.hotels import hotel_sequences
from touroute.solve.solution import BreakPlacement, RouteSchedule

pytestmark = pytest.mark.shared

SHARED = Path(__file__).resolve().parents[3] / "shared"
BENCH = SHARED / "bench"
INF = math.inf


def bench_file(*parts: str) -> Path:
    p = BENCH.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} not present (../shared/bench holds the published benchmark instances)")
    return p


# ------------------------------------------------------------------------------------------------ helpers
def line_problem(xs, scores, windows, routes, service=None, **kw) -> OrienteeringProblem:
    """Nodes on a line: travel = |x_i - x_j| (metric, symmetric)."""
    x = np.asarray(xs, dtype=float)
    T = np.abs(x[:, None] - x[None, :])
    n = len(x)
    return OrienteeringProblem(T, np.zeros(n) if service is None else np.asarray(service, float),
                               np.asarray(scores, float), windows, routes, **kw)


def brute_force(p: OrienteeringProblem) -> float:
    """Optimum by enumerating hotel sequences × assignments of visits to routes × orders; feasibility by ``check``
    (``make_solution`` tries every break position when the greedy one fails)."""
    hotels = p.hotel_nodes
    visits = [i for i in range(p.n) if i not in hotels and p.windows[i]]
    R = len(p.routes)
    seqs = hotel_sequences(p, limit=10**6)
    best = -INF
    for hs in seqs:
        for assign in itertools.product(range(-1, R), repeat=len(visits)):
            groups = [[v for v, a in zip(visits, assign) if a == r] for r in range(R)]
            score = sum(p.score[v] for v, a in zip(visits, assign) if a >= 0)
            if score <= best:
                continue
            orders = [list(itertools.permutations(g)) for g in groups]
            for combo in itertools.product(*orders):
                full = [[hs[r][0], *combo[r], hs[r][1]] for r in range(R)]
                if not check(p, make_solution(p, full)):
                    best = max(best, score)
                    break
    return best


def assert_optimal(p: OrienteeringProblem, seconds: float = 0.3) -> Solution:
    sol = solve(p, seconds, seed=1)
    assert check(p, sol) == []
    assert sol.score == pytest.approx(brute_force(p))
    return sol


# ------------------------------------------------------------------------------------------------ checker
def test_checker_detects_violations() -> None:
    p = line_problem([0, 1, 2, 3], [0, 5, 6, 7], [[], [(0, 10)], [(0, 1.5)], [(0, 100)]],
                     [RouteSpec((0,), (0,), 0, 10)])
    ok = make_solution(p, [[0, 1, 3, 0]])
    assert check(p, ok) == [] and ok.score == 12
    late = make_solution(p, [[0, 1, 3, 2, 0]])  # reaches node 2 at t=5 > 1.5
    assert any("node 2" in v and "no window" in v for v in check(p, late))
    too_long = make_solution(p, [[0, 3, 1, 3, 0]])
    msgs = check(p, too_long)
    assert any("visited twice" in v for v in msgs)
    bad_score = make_solution(p, [[0, 1, 0]])
    bad_score.score = 99
    assert any("recomputed" in v for v in check(p, bad_score))
    over = line_problem([0, 1, 2, 3], [0, 5, 6, 7], [[], [(0, 10)], [(0, 10)], [(0, 100)]],
                        [RouteSpec((0,), (0,), 0, 5)])
    assert any("t_end" in v for v in check(over, make_solution(over, [[0, 3, 0]])))
    hotel_stop = make_solution(p, [[0, 0, 0]])
    assert any("hotel" in v for v in check(p, hotel_stop))


def test_checker_chaining_and_hotel_sets() -> None:
    p = line_problem([0, 10, 5, 6], [0, 0, 3, 4], [[], [], [(0, 100)], [(0, 100)]],
                     [RouteSpec((0,), (0, 1), 0, 20), RouteSpec((0, 1), (1,), 0, 20)], chained=True)
    good = make_solution(p, [[0, 2, 1], [1, 3, 1]])
    assert check(p, good) == []
    broken = make_solution(p, [[0, 2, 0], [1, 3, 1]])
    assert any("route 0 ended" in v for v in check(p, broken))
    wrong_end = make_solution(p, [[0, 2, 1], [1, 3, 0]])
    assert any("ends at 0" in v for v in check(p, wrong_end))


# ------------------------------------------------------------------------------------------------ features
def test_multiple_windows_museum_closed_at_lunch() -> None:
    # node 1 open [0,2] ∪ [10,12]: all three fit only if node 1 is served in its afternoon interval
    p = line_problem([0, 1, 4, 5], [0, 10, 4, 4], [[], [(0, 2), (10, 12)], [(3, 4)], [(0, 7)]],
                     [RouteSpec((0,), (0,), 0, 14)], service=[0, 1, 1, 1])
    sol = assert_optimal(p)
    assert sol.score == 18
    s1 = next(s for s in sol.schedule[0].stops if s.node == 1)
    assert 10 <= s1.start <= 12


def test_point_windows_ferry() -> None:
    # ferry departures at 3 and 7 (point windows); waiting allowed
    p = line_problem([0, 2, 4], [0, 10, 3], [[], [(3, 3), (7, 7)], [(0, 20)]], [RouteSpec((0,), (0,), 0, 12)],
                     service=[0, 1, 1])
    sol = assert_optimal(p)
    starts = {s.node: s.start for s in sol.schedule[0].stops}
    assert starts[1] in (3.0, 7.0)


def test_break_lunch() -> None:
    # 1-hour lunch starting in [11.5, 12.5]; the day (11:00–18:00) has room for two stops without lunch, one with it
    w = [[], [(9, 20)], [(9, 20)], [(9, 20)]]
    p = line_problem([0, 1, 2, 3], [0, 5, 5, 5], w,
                     [RouteSpec((0,), (0,), 11, 18, break_=BreakSpec(1.0, 11.5, 12.5))], service=[0, 1.5, 1.5, 1.5])
    sol = assert_optimal(p)
    assert sol.score == 5
    b = sol.schedule[0].break_
    assert b is not None and 11.5 - 1e-9 <= b.start <= 12.5 + 1e-9
    q = line_problem([0, 1, 2, 3], [0, 5, 5, 5], w, [RouteSpec((0,), (0,), 11, 18)], service=[0, 1.5, 1.5, 1.5])
    assert solve(q, 0.2, seed=0).score == 10


def test_break_missing_is_a_violation() -> None:
    p = line_problem([0, 1], [0, 5], [[], [(0, 20)]], [RouteSpec((0,), (0,), 9, 16, break_=BreakSpec(1, 11, 12))],
                     service=[0, 2])
    sol = make_solution(p, [[0, 1, 0]])
    assert check(p, sol) == []
    stripped = Solution(sol.routes, sol.route_starts, sol.route_ends,
                        [RouteSchedule(sol.schedule[0].stops, None)], sol.score)
    assert any("without a break" in v for v in check(p, stripped))
    late = Solution(sol.routes, sol.route_starts, sol.route_ends,
                    [RouteSchedule(sol.schedule[0].stops, BreakPlacement(1, 13.0, 1))], sol.score)
    assert any("latest start" in v for v in check(p, late))


def test_driving_cap() -> None:
    p = line_problem([0, 3, -3, 1], [0, 10, 9, 2], [[], [(0, 50)], [(0, 50)], [(0, 50)]],
                     [RouteSpec((0,), (0,), 0, 50, max_travel=7)])
    sol = assert_optimal(p)
    assert sol.score == 12  # 0→3→1→0 = 6; both far nodes would need 12
    drive = sum(p.travel[a, b] for a, b in zip(sol.full_route(0), sol.full_route(0)[1:]))
    assert drive <= 7 + 1e-9


def test_chained_hotel_selection_two_days() -> None:
    # hotels 0 (start), 1 (end), 2 (extra, far right); day limits force sleeping at the right hotel
    xs = [0, 2, 10, 4, 6, 8, 11, 12]
    sc = [0, 0, 0, 3, 3, 3, 10, 10]
    w = [[], [], []] + [[(0, 100)]] * 5
    routes = [RouteSpec((0,), (0, 1, 2), 0, 12), RouteSpec((0, 1, 2), (1,), 0, 12)]
    p = line_problem(xs, sc, w, routes, chained=True)
    sol = assert_optimal(p, 0.5)
    assert sol.route_ends[0] == sol.route_starts[1]


def test_a_journeys_hotels_move_towards_its_end() -> None:
    """``hotel_remaining``: no night further from the end than the night before. Start 0 at x=0, end 1 at x=10; the
    hotel behind the start (2, x=−4) opens the best visit (node 4, x=−6), the one on the way (3, x=5) does not."""
    xs = [0, 10, -4, 5, -6, 6]
    sc = [0, 0, 0, 0, 10, 1]
    w = [[], [], [], []] + [[(0, 100)]] * 2
    routes = [RouteSpec((0,), (2, 3), 0, 12), RouteSpec((2, 3), (1,), 0, 16)]
    free = line_problem(xs, sc, w, routes, chained=True)
    sol = solve(free, 0.3, seed=0)
    assert check(free, sol) == [] and sol.route_ends[0] == 2 and sol.score == 11
    rem = np.abs(np.asarray(xs, float) - 10)
    one_way = line_problem(xs, sc, w, routes, chained=True, hotel_remaining=rem, hotel_backtrack=0.5)
    sol = solve(one_way, 0.3, seed=0)
    assert check(one_way, sol) == [] and sol.route_ends[0] == 3 and sol.score == 1
    backwards = make_solution(one_way, [[0, 4, 2], [2, 5, 1]])
    assert any("further from the trip's end" in v for v in check(one_way, backwards))


def test_mandatory_served_even_if_low_score() -> None:
    p = line_problem([0, 5, -5, -4], [0, 0, 6, 6], [[], [(0, 30)], [(0, 30)], [(0, 30)]],
                     [RouteSpec((0,), (0,), 0, 12)], mandatory=frozenset({1}))
    sol = solve(p, 0.2, seed=0)
    assert check(p, sol) == [] and 1 in sol.visited() and not sol.unserved_mandatory


def test_mandatory_infeasible_is_explained() -> None:
    p = line_problem([0, 5, 50], [0, 4, 1], [[], [(0, 30)], [(0, 10)]], [RouteSpec((0,), (0,), 0, 200)],
                     mandatory=frozenset({2}))
    sol = solve(p, 0.2, seed=0)
    assert 2 in sol.unserved_mandatory
    msg = sol.unserved_mandatory[2]
    assert msg.startswith("unreachable") and "50.00" in msg and "10.00" in msg  # earliest arrival vs close
    assert sol.unvisited_reasons[2] == "unreachable"
    with pytest.raises(InfeasibleProblem) as exc:
        solve(p, 0.2, seed=0, strict=True)
    assert "node 2" in str(exc.value)


def test_mandatory_conflict_and_reason_codes() -> None:
    # two mandatory nodes each feasible alone but not together; node 4 has no window that day
    p = line_problem([0, 5, -5, 1, 2], [0, 1, 1, 2, 9],
                     [[], [(5, 5)], [(5, 5)], [(0, 30)], [(100, 110)]],
                     [RouteSpec((0,), (0,), 0, 30)], mandatory=frozenset({1, 2}))
    sol = solve(p, 0.2, seed=0)
    assert check(p, sol)  # one mandatory missing → the checker reports it
    missing = set(sol.unserved_mandatory)
    assert len(missing) == 1 and "cannot all be fitted together" in sol.unserved_mandatory[missing.pop()]
    assert sol.unvisited_reasons[4] == "no_window"


def test_group_min_and_max() -> None:
    # group 0 = {1,2,3} (near, valuable), group 1 = {4,5} (far); at most 2 from group 0, at least 1 from group 1
    xs = [0, 1, 2, 3, 7, 8]
    sc = [0, 10, 10, 10, 1, 1]
    w = [[]] + [[(0, 100)]] * 5
    groups = np.array([-1, 0, 0, 0, 1, 1])
    p = line_problem(xs, sc, w, [RouteSpec((0,), (0,), 0, 20)], groups=groups,
                     group_max_visits={0: 2}, group_min_visits={1: 1})
    sol = assert_optimal(p)
    vis = sol.visited()
    assert len(vis & {1, 2, 3}) == 2 and len(vis & {4, 5}) >= 1
    reasons = {i: sol.unvisited_reasons[i] for i in {1, 2, 3} - vis}
    assert set(reasons.values()) == {"group_full"}


@pytest.mark.parametrize("seed", [0, 7])
def test_random_tiny_problems_reach_brute_force_optimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 7
    xy = rng.uniform(0, 10, (n, 2))
    T = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    sc = np.r_[0, rng.integers(1, 10, n - 1)].astype(float)
    w = [[]]
    for _ in range(n - 1):
        a = float(rng.uniform(0, 20))
        w.append([(a, a + float(rng.uniform(2, 10)))])
    p = OrienteeringProblem(T, np.r_[0, np.ones(n - 1)], sc, w,
                            [RouteSpec((0,), (0,), 0, 25), RouteSpec((0,), (0,), 0, 25)])
    assert_optimal(p)


def test_same_seed_same_result_and_ortools_cross_check() -> None:
    from touroute.solve.ortools_backend import polish, solve_ortools

    rng = np.random.default_rng(3)
    n = 30
    xy = rng.uniform(0, 50, (n, 2))
    T = np.floor(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) * 10) / 10
    sc = np.r_[0, rng.integers(1, 20, n - 1)].astype(float)
    w = [[]] + [[(float(a), float(a) + 60)] for a in rng.uniform(0, 100, n - 1)]
    p = OrienteeringProblem(T, np.r_[0, np.full(n - 1, 5.0)], sc, w, [RouteSpec((0,), (0,), 0, 160)] * 2)
    a = solve(p, 0.3, seed=5)
    b = solve(p, 0.3, seed=5)
    assert a.routes == b.routes and a.score == b.score
    assert check(p, a) == []
    o = solve_ortools(p, 0.5)
    assert o is not None and check(p, o) == []
    assert a.score >= o.score - 1e-9 or a.score >= 0.95 * o.score
    pol = polish(p, a, 0.3)
    assert pol is None or check(p, pol) == []


def test_ortools_backend_features_feasible() -> None:
    from touroute.solve.ortools_backend import solve_ortools

    p = line_problem([0, 1, 2, 3, -2], [0, 5, 5, 5, 4], [[], [(9, 10), (13, 17)], [(9, 17)], [(9, 17)], [(9, 17)]],
                     [RouteSpec((0,), (0,), 9, 16, max_travel=8, break_=BreakSpec(1.0, 11.5, 12.5))],
                     service=[0, 1.5, 1.5, 1.5, 1])
    o = solve_ortools(p, 0.5)
    assert o is not None and check(p, o) == []
    assert solve(p, 0.3, seed=0).score >= o.score


# ------------------------------------------------------------------------------------------------ real instances
@pytest.mark.parametrize("name,m", [("c101", 1), ("rc101", 1), ("pr01", 2)])
def test_toptw_instances_feasible(name: str, m: int) -> None:
    from touroute.bench.formats import load_best_known, read_toptw

    sub = "cordeau" if name.startswith("pr") else "solomon"
    p = read_toptw(bench_file("toptw", sub, f"{name}.txt")).problem(m)
    sol = optimise(p, MaxWork(seconds_to_work(1.0)), SolveParams(seed=0)).solution
    assert check(p, sol) == []
    bk = load_best_known(bench_file("toptw", "best_known.csv"))[(name, m)]
    assert sol.score <= bk + 1e-9 or name.startswith("pr")  # Solomon m=1 optima are proven
    assert sol.score >= 0.85 * bk


@pytest.mark.parametrize("name", ["SET_1-2/100-30-1-2", "SET_3-4/66-60-3-4"])
def test_ophs_instances_feasible(name: str) -> None:
    from touroute.bench.formats import load_best_known, read_ophs

    s, inst = name.split("/")
    p = read_ophs(bench_file("ophs", s, f"{inst}.ophs")).problem()
    res = optimise(p, MaxWork(seconds_to_work(1.0)), SolveParams(seed=0))
    assert res.stats.hotel_sequences > 1 and res.stats.hotels is not None
    sol = res.solution
    assert check(p, sol) == []
    bk = load_best_known(bench_file("ophs", "best_known.csv"))[(s, inst)]
    assert 0.85 * bk <= sol.score <= bk + 1e-6


def test_ortools_never_uses_an_unchosen_hotel_as_stop() -> None:
    from touroute.solve.ortools_backend import solve_ortools

    xs = [0, 2, 10, 4, 6, 8, 11, 12]
    sc = [0, 0, 0, 3, 3, 3, 10, 10]
    w = [[], [], []] + [[(0, 100)]] * 5
    p = line_problem(xs, sc, w, [RouteSpec((0,), (0, 1, 2), 0, 12), RouteSpec((0, 1, 2), (1,), 0, 12)], chained=True)
    o = solve_ortools(p, 0.3, hotels=[(0, 1), (1, 1)])
    assert o is not None and check(p, o) == [] and 2 not in o.visited()


def _lunch_problem(direct: float) -> OrienteeringProblem:
    """Two hotels ``direct`` apart, a 10-hour day 8–18 with a 1-hour lunch starting 11–12, one optional stop."""
    T = np.array([[0.0, direct, 1.0], [direct, 0.0, 1.0], [1.0, 1.0, 0.0]])
    return OrienteeringProblem(T, np.array([0.0, 0.0, 0.5]), np.array([0.0, 0.0, 1.0]),
                               [[], [], [(8.0, 18.0)]],
                               [RouteSpec((0,), (0, 1), 8.0, 18.0, None, BreakSpec(1.0, 11.0, 12.0)),
                                RouteSpec((0, 1), (1,), 32.0, 42.0)],  # no lunch on day 2
                               chained=True)


def test_hotel_pair_must_fit_the_day_with_its_lunch():
    """The root cause of issue 11: a 9.5-hour drive fits a 10-hour day only without the 1-hour lunch."""
    from touroute.solve.hotels import PairFeasibility

    fits = PairFeasibility(_lunch_problem(9.5))
    assert not fits(0, 0, 1)          # 8:00 + 9.5 h drive + 1 h lunch = 18:30 > 18:00
    assert fits(0, 0, 0)
    assert PairFeasibility(_lunch_problem(8.9))(0, 0, 1)  # 8:00 + 8.9 + 1 = 17:54
    seqs = hotel_sequences(_lunch_problem(9.5), limit=100)
    assert seqs == [((0, 0), (0, 1))]  # the long drive moves to the day without lunch
    sol = solve(_lunch_problem(9.5), seconds=0.2, seed=0)
    assert check(_lunch_problem(9.5), sol) == []


def test_repair_turns_a_late_route_into_a_feasible_one():
    from touroute.solve.solution import repair

    T = np.full((5, 5), 2.0)
    np.fill_diagonal(T, 0.0)
    p = OrienteeringProblem(T, np.array([0.0, 1.0, 1.0, 1.0, 0.0]), np.array([0.0, 3.0, 1.0, 2.0, 0.0]),
                            [[], [(0.0, 20.0)], [(0.0, 20.0)], [(0.0, 20.0)], []],
                            [RouteSpec((0,), (4,), 0.0, 10.0)])
    late = [[0, 1, 2, 3, 4]]   # 4 drives of 2 + 3 visits of 1 = 11 > 10
    assert check(p, make_solution(p, late))
    fixed, notes = repair(p, late)
    assert fixed == [[0, 1, 3, 4]] and notes      # the lowest-score visit goes
    assert check(p, make_solution(p, fixed)) == []
    assert repair(p, [[0, 4]]) == ([[0, 4]], [])


def test_hotel_enumeration_stops_at_a_deadline_with_a_valid_chain():
    """A long trip with many hubs has 10⁵ hotel sequences — a second of enumeration, several on a loaded machine —
    so under a hard deadline the enumeration stops once one chain is known (the web server's 0.8-s deadline took
    4.7 s under load before): what it returns are still valid chains."""
    import time

    hubs = 6
    T = np.abs(np.arange(hubs, dtype=float)[:, None] - np.arange(hubs, dtype=float)[None, :]) * 0.5
    days = 8
    routes = [RouteSpec(tuple(range(hubs)) if d else (0,), tuple(range(hubs)) if d < days - 1 else (hubs - 1,),
                        24.0 * d + 8.0, 24.0 * d + 18.0) for d in range(days)]
    p = OrienteeringProblem(T, np.zeros(hubs), np.zeros(hubs), [[] for _ in range(hubs)], routes, chained=True)
    full = hotel_sequences(p, limit=10**6)
    cut = hotel_sequences(p, limit=10**6, deadline=time.perf_counter() - 1.0)
    assert len(full) == hubs ** (days - 1)
    assert 1 <= len(cut) < len(full)
    for seq in cut:
        assert seq[0][0] == 0 and seq[-1][1] == hubs - 1
        assert all(a[1] == b[0] for a, b in zip(seq, seq[1:]))
