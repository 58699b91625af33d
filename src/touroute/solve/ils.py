"""Search driver: problem → kernel arrays, hotel-sequence selection, budgets, OR-Tools polish, explanations.

Entry point: ``optimise(problem, stop, params) -> Result`` (typed, see ``params`` and ``result``); ``solve(problem,
seconds, seed, ...) -> Solution`` is the keyword adapter older callers use.

Determinism: the search is bounded by a *work budget* (``MaxWork``: insertion evaluations and bookkeeping),
derived from a time limit by a fixed rate (``WORK_PER_SECOND``), not by the wall clock. The same problem, seed and
budget therefore give the same solution on any machine; wall-clock criteria (``MaxRuntime``, ``Deadline``; checked
every 32 iterations) are stops that break this only when they fire — ``time_budget(seconds)`` puts one as a safety
net at ``2 × seconds + 1``, reached only on a machine much slower than the one the rate was calibrated on, and
``time_budget(seconds, hard=True)`` (the benchmarks) at the limit itself. The optional OR-Tools polish runs on
OR-Tools' own clock and is the other wall-clock-dependent step (off by default).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from . import kernels as K
from .hotels import PairFeasibility, hotel_sequences
from .params import (WORK_PER_SECOND, Deadline, Limits, MaxRuntime, MaxWork, SolveParams, StoppingCriterion,
                     time_budget)
from .problem import OrienteeringProblem
from .result import Result, SolveStats
from .solution import Solution, check, make_solution, repair

DEFAULT_PARAMS = SolveParams().kernel_array()
"""The kernel's parameter vector for the default :class:`.params.SolveParams` (kept for older callers)."""


@dataclass
class Arrays:
    """The problem as plain arrays for the kernels."""

    T: np.ndarray
    svc: np.ndarray
    sc: np.ndarray
    wo: np.ndarray
    wc: np.ndarray
    nw: np.ndarray
    meal: np.ndarray
    cand: np.ndarray
    grp: np.ndarray
    gmin: np.ndarray
    gmax: np.ndarray
    gpen: float
    rt: np.ndarray
    group_ids: list[int]
    bonus: float
    sim: np.ndarray
    dec: np.ndarray
    decay: float
    load: np.ndarray


def to_arrays(problem: OrienteeringProblem) -> Arrays:
    n = problem.n
    wo, wc, nw = problem.window_matrix()
    hotels = problem.hotel_nodes
    real = np.maximum(problem.score, 0.0)
    bonus = float(real.sum()) + 1.0
    sc = real.copy()
    for m in problem.mandatory:
        sc[m] += bonus
    gids: list[int] = []
    grp = np.full(n, -1, dtype=np.int64)
    if problem.groups is not None:
        gids = sorted({int(g) for g in problem.groups if g >= 0})
        pos = {g: k for k, g in enumerate(gids)}
        for i in range(n):
            if problem.groups[i] >= 0:
                grp[i] = pos[int(problem.groups[i])]
    G = max(1, len(gids))
    gmin = np.zeros(G, dtype=np.int64)
    gmax = np.full(G, 1 << 40, dtype=np.int64)
    for g, k in problem.group_min_visits.items():
        if g in gids:
            gmin[gids.index(g)] = k
    for g, k in problem.group_max_visits.items():
        if g in gids:
            gmax[gids.index(g)] = k
    cand = np.zeros(n, dtype=np.int8)
    t_lo = min(r.t_start for r in problem.routes)
    t_hi = max(r.t_end for r in problem.routes)
    for i in range(n):
        if i in hotels or nw[i] == 0:
            continue
        if not any(b >= t_lo - problem.eps and a <= t_hi + problem.eps for a, b in problem.windows[i]):
            continue
        useful = sc[i] > 0 or (grp[i] >= 0 and gmin[grp[i]] > 0)
        if useful:
            cand[i] = 1
    rt = np.zeros((len(problem.routes), 8))
    for d, r in enumerate(problem.routes):
        rt[d, 0] = r.t_start
        rt[d, 1] = r.t_end
        rt[d, 2] = r.max_travel if r.max_travel is not None else math.inf
        if r.break_ is not None and r.break_.duration > 0:
            rt[d, 3:6] = (r.break_.duration, r.break_.earliest, r.break_.latest)
        rt[d, 6] = r.max_load if r.max_load is not None else math.inf
        rt[d, 7] = problem.travel_cost
    meal = np.zeros(n, dtype=np.int8) if problem.meal is None else np.asarray(problem.meal, dtype=np.int8)
    sim = (np.full(n, -1, dtype=np.int64) if problem.similar is None
           else np.ascontiguousarray(problem.similar, dtype=np.int64))
    load = np.ones(n) if problem.load is None else np.ascontiguousarray(problem.load, dtype=np.float64)
    return Arrays(problem.travel, problem.service, sc, wo, wc, nw, meal, cand, grp, gmin, gmax, bonus, rt, gids, bonus,
                  sim, real, float(problem.similar_decay), load)


def _run(A: Arrays, rs: np.ndarray, init: list[list[int]] | None, budget: float, seed: int, params: np.ndarray,
         deadline: float = math.inf):
    R = rs.shape[0]
    maxl = int(A.cand.sum()) + 3
    iseq = np.zeros((R, maxl), dtype=np.int64)
    iln = np.zeros(R, dtype=np.int64)
    for r in range(R):
        full = [int(rs[r, 0]), *(init[r] if init else []), int(rs[r, 1])]
        iseq[r, : len(full)] = full
        iln[r] = len(full)
    bseq, bln, best, it, work = K.search(A.T, A.svc, A.sc, A.wo, A.wc, A.nw, A.meal, A.cand, A.grp, A.gmin, A.gmax,
                                         A.gpen, rs, A.rt, iseq, iln, float(budget), int(seed), params,
                                         float(deadline), A.sim, A.dec, A.decay, A.load)
    routes = [[int(x) for x in bseq[r, : bln[r]]] for r in range(R)]
    return routes, float(best), int(it), int(work)


_WARM = False


def warmup() -> float:
    """Compile (or load from the on-disk cache) the kernels on a toy problem; returns the seconds it took."""
    from .problem import RouteSpec

    t = time.perf_counter()
    xy = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
    T = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    p = OrienteeringProblem(T, np.zeros(4), np.array([0, 1, 2, 3.0]), [[], [(0, 10)], [(0, 10)], [(0, 10)]],
                            [RouteSpec((0,), (0,), 0, 3.5)])
    A = to_arrays(p)
    _run(A, np.array([[0, 0]], dtype=np.int64), None, 200, 0, DEFAULT_PARAMS)
    global _WARM
    _WARM = True
    return time.perf_counter() - t


def _adapt_initial(problem: OrienteeringProblem, initial: list[list[int]]) -> tuple[np.ndarray, list[list[int]]] | None:
    """Hotels and visits of a previous plan, made to fit this problem (e.g. after a night's hub was pinned).

    Each route keeps its start/end if still allowed, else takes the first allowed node (chained problems re-link
    day d+1 to where day d now ends); visits that are hotels or out of range are dropped. ``None`` if the shape
    does not match (different number of days).
    """
    R = len(problem.routes)
    if len(initial) != R or any(len(r) < 2 for r in initial):
        return None
    hotels = problem.hotel_nodes
    fits = PairFeasibility(problem)
    rs = np.zeros((R, 2), dtype=np.int64)
    visits: list[list[int]] = []
    seen: set[int] = set()
    for d, (route, spec) in enumerate(zip(initial, problem.routes)):
        s, e = int(route[0]), int(route[-1])
        if problem.chained and d > 0:
            s = int(rs[d - 1, 1])
        if s not in spec.start_nodes:
            s = spec.start_nodes[0]
        if e not in spec.end_nodes:
            e = spec.end_nodes[0]
        rs[d] = (s, e)
        if not fits(d, s, e):
            return None  # the adapted hotels cannot even be joined: search hotel sequences afresh
        keep = []
        for v in route[1:-1]:
            v = int(v)
            if 0 <= v < problem.n and v not in hotels and v not in seen and problem.windows[v]:
                keep.append(v)
                seen.add(v)
        visits.append(keep)
    return rs, visits


def _serves_requirements(problem: OrienteeringProblem, routes: list[list[int]]) -> bool:
    """True when full ``routes`` visit every mandatory node and every group's minimum."""
    seen = {v for r in routes for v in r[1:-1]}
    if not problem.mandatory <= seen:
        return False
    if problem.groups is not None and problem.group_min_visits:
        counts: dict[int, int] = {}
        for v in seen:
            counts[int(problem.groups[v])] = counts.get(int(problem.groups[v]), 0) + 1
        return all(counts.get(g, 0) >= k for g, k in problem.group_min_visits.items())
    return True


FIRST_ROUND_SHARE = 0.5
"""Most of the work budget the first round of successive halving (one short search per hub sequence) may take."""


PROMISE_STOPS_PER_DAY = 6
"""Places per day the cheap estimate of a hub sequence's value counts (a normal pace is 4–6 sights a day)."""


def _promising_order(problem: OrienteeringProblem, A: Arrays, pool: list) -> list:
    """Hub sequences, most promising first, by a cheap estimate of what each lets the days collect.

    Day by day, the best-scoring places not yet taken are packed into the time the day leaves after its
    hub-to-hub drive and its break: each costs its visit plus half its detour from the hub-to-hub drive (visits of a
    day share their drives), at most :data:`PROMISE_STOPS_PER_DAY` a day. Ties: less hub-to-hub driving."""
    T = problem.travel
    svc = A.svc
    useful = np.flatnonzero(A.cand == 1)
    order_by_score = useful[np.argsort(-A.sc[useful], kind="stable")]
    cache: dict[tuple[int, int, int], tuple[float, np.ndarray, np.ndarray]] = {}

    def fitting(d: int, a: int, b: int) -> tuple[float, np.ndarray, np.ndarray]:
        key = (d, a, b)
        if key not in cache:
            r = problem.routes[d]
            free = r.t_end - r.t_start - (r.break_.duration if r.break_ is not None else 0.0) - float(T[a, b])
            p = order_by_score
            detour = T[a, p] + T[p, b] - T[a, b]
            cost = svc[p] + 0.5 * np.maximum(detour, 0.0)
            ok = (cost <= free) & (A.wc[p].max(axis=1) >= r.t_start) & (A.wo[p].min(axis=1) <= r.t_end)
            cache[key] = (free, p[ok], cost[ok])
        return cache[key]

    scored = []
    need0 = {g: int(k) for g, k in enumerate(A.gmin) if k > 0}
    for item in pool:
        taken: set[int] = set()
        need = dict(need0)  # provinces still short of their minimum: their places count the search's group bonus
        value = 0.0
        for d, (a, b) in enumerate(item[0]):
            free, places, costs = fitting(d, a, b)
            if need:  # short provinces first, as the search's repair inserts them first
                short = np.array([need.get(int(g), 0) > 0 for g in A.grp[places]], dtype=bool)
                first = np.concatenate([np.flatnonzero(short), np.flatnonzero(~short)])
                places, costs = places[first], costs[first]
            k = 0
            for v, c in zip(places.tolist(), costs.tolist()):
                if v in taken or c > free:
                    continue
                taken.add(v)
                free -= c
                value += float(A.sc[v])
                g = int(A.grp[v])
                if need.get(g, 0) > 0:
                    value += A.gpen
                    need[g] -= 1
                k += 1
                if k >= PROMISE_STOPS_PER_DAY:
                    break
        drive = sum(float(T[a, b]) for a, b in item[0])
        scored.append((-value, drive, len(scored), item))
    scored.sort(key=lambda x: x[:3])
    return [x[3] for x in scored]


def search_routes(problem: OrienteeringProblem, seconds: float = 5.0, seed: int | None = None,
                  work: float | None = None, params: np.ndarray | None = None,
                  deadline: float | None = None,
                  initial: list[list[int]] | None = None,
                  sequences: list[tuple[tuple[int, int], ...]] | None = None,
                  seed_visits: list[list[int]] | None = None,
                  candidates: np.ndarray | None = None) -> tuple[list[list[int]], dict]:
    """Our metaheuristic alone: best full routes (hotels included) and statistics.

    Hotel selection: every feasible hotel sequence (:func:`.hotels.hotel_sequences`) gets a short search; the budget
    is then concentrated by successive halving on the most promising sequences (each round keeps the better half
    and continues its search from its best routes with a doubled budget).

    The CP-SAT master problem (:mod:`.master`) narrows this down: ``sequences`` replaces the enumeration by its hub
    sequences (best first), ``seed_visits`` (visits per day) starts the search of every sequence from the master's
    choice of places, and ``candidates`` (a boolean mask over the nodes) restricts which nodes may be visited at
    all — how the planner keeps the master's exact regional shares.
    """
    seed = problem.seed if seed is None else seed
    params = DEFAULT_PARAMS if params is None else params
    budget = work if work is not None else seconds * WORK_PER_SECOND
    A = to_arrays(problem)
    if candidates is not None:
        A.cand = (A.cand.astype(bool) & np.asarray(candidates, dtype=bool)).astype(np.int8)
    dl = math.inf if deadline is None else deadline
    seqs = hotel_sequences(problem, deadline=dl) if sequences is None else list(sequences)
    stats: dict = {"hotel_sequences": len(seqs), "iterations": 0, "work": 0}
    if not seqs:
        stats["infeasible_hotels"] = True
        return [], stats
    warm = _adapt_initial(problem, initial) if initial else None
    if warm is not None:
        # Re-planning after an edit: continue from the previous plan on its (adapted) hotels — the search repairs
        # what the edit broke and improves from there instead of starting from scratch.
        # Half the budget goes to the warm start. If that serves every must-visit and province minimum, the nights
        # still suit the edit and the other half improves on it too (the plan stays close to what the user was
        # looking at); otherwise the other half goes to the usual search over hotel sequences, in case the edit
        # (a new must-visit far away, say) needs other nights. The better objective wins.
        rs, visits = warm
        routes, obj, it, wk = _run(A, rs, visits, budget / 2, seed, params, dl)
        stats.update(iterations=it, work=wk, objective=obj, warm_start=True, warm_start_kept=True,
                     hotels=[[int(a), int(b)] for a, b in rs])
        if _serves_requirements(problem, routes):
            more, obj2, it2, wk2 = _run(A, rs, [r[1:-1] for r in routes], budget / 2, seed + 1, params, dl)
            stats["iterations"] += it2
            stats["work"] += wk2
            if obj2 >= obj - 1e-9:
                routes = more
                stats["objective"] = obj2
            return routes, stats
        if len(seqs) > 1 or seqs[0] != tuple((int(a), int(b)) for a, b in rs):
            other, ostats = search_routes(problem, seconds / 2, seed, None if work is None else work / 2, params,
                                          deadline)
            stats["iterations"] += ostats.get("iterations", 0)
            stats["work"] += ostats.get("work", 0)
            if other and ostats.get("objective", -math.inf) > obj + 1e-9:
                stats.update(objective=ostats["objective"], hotels=ostats.get("hotels"), warm_start_kept=False)
                return other, stats
        return routes, stats
    if len(seqs) == 1:
        rs = np.array(seqs[0], dtype=np.int64)
        routes, obj, it, wk = _run(A, rs, seed_visits, budget, seed, params, dl)
        stats.update(iterations=it, work=wk, objective=obj)
        return routes, stats
    # successive halving over hotel sequences
    pool = [(s, None, -math.inf) for s in seqs]
    if seed_visits is not None:
        pool = [(s, [[a, *v, b] for (a, b), v in zip(s, seed_visits)], -math.inf) for s in seqs]
    rounds = max(1, math.ceil(math.log2(len(seqs))))
    per_round = budget / (rounds + 1)
    spent = 0.0
    rnd = 0
    while True:
        share = max(2000.0, per_round / len(pool))
        new_pool = []
        for k, (s, init, _) in enumerate(pool):
            rs = np.array(s, dtype=np.int64)
            init_visits = [r[1:-1] for r in init] if init else None
            routes, obj, it, wk = _run(A, rs, init_visits, share, seed + 7919 * rnd + k, params, dl)
            spent += wk
            stats["iterations"] += it
            stats["work"] += wk
            new_pool.append((s, routes, obj))
            if deadline is not None and time.perf_counter() > deadline:
                break
            if rnd == 0 and k == 0 and sequences is None and len(pool) * wk > FIRST_ROUND_SHARE * budget:
                # Even one construction per sequence would overrun the budget (thousands of hub chains on a
                # 5-day round trip): try them in a promising order and end the first round at its share of the
                # budget — the limit stays a limit instead of being cut by the wall-clock safety stop.
                pool[1:] = _promising_order(problem, A, pool[1:])  # in place: the loop goes on over it
                stats["hotel_sequences_ordered"] = True
            if rnd == 0 and k >= 3 and spent > FIRST_ROUND_SHARE * budget and k + 1 < len(pool):
                stats["hotel_sequences_tried"] = k + 1
                break
        new_pool.sort(key=lambda x: -x[2])
        rnd += 1
        if len(new_pool) == 1 or (deadline is not None and time.perf_counter() > deadline):
            pool = new_pool[:1]
            break
        pool = new_pool[: max(1, len(new_pool) // 2)]
        if len(pool) == 1:
            rest = budget - spent
            if rest > 1000:
                s, init, _ = pool[0]
                routes, obj, it, wk = _run(A, np.array(s, dtype=np.int64), [r[1:-1] for r in init], rest,
                                           seed + 104729, params, dl)
                stats["iterations"] += it
                stats["work"] += wk
                if obj >= pool[0][2]:
                    pool = [(s, routes, obj)]
            break
    s, routes, obj = pool[0]
    stats["objective"] = obj
    stats["hotels"] = [list(x) for x in s]
    return routes, stats


def wrap_up_seconds(n: int) -> float:
    """Time kept after the search for ``make_solution`` and ``explain`` on an ``n``-node problem (measured: ~20 ms
    at 360 nodes on the 2-core development machine; 10× that, so a loaded machine still makes it)."""
    return 0.05 + 0.0005 * n


def _search_clock_stop(limits: Limits, t0: float, n: int, share: float) -> float:
    """Absolute wall-clock stop of our search, leaving room for the wrap-up (and the polish share) before the
    caller's clock limits; ``inf`` if there are none."""
    stop = math.inf
    if math.isfinite(limits.runtime):
        s = limits.runtime * (1.0 - share)
        stop = t0 + max(0.5 * s, s - 0.3 - 0.002 * n)
    if math.isfinite(limits.deadline):
        stop = min(stop, limits.deadline - wrap_up_seconds(n))
    return stop


def optimise(problem: OrienteeringProblem, stop: StoppingCriterion, params: SolveParams | None = None, *,
             initial: list[list[int]] | None = None, strict: bool = False) -> Result:
    """Best solution found before ``stop``, with typed statistics — the solver's primary entry point.

    ``stop`` combines a deterministic :class:`.params.MaxWork` budget with optional wall-clock stops
    (:class:`.params.MaxRuntime`, :class:`.params.Deadline`); with ``MaxWork`` alone (and
    ``params.ortools_share == 0``) the same problem and seed give the same result on any machine.
    ``params.ortools_share`` of the budget goes to an OR-Tools guided-local-search polish warm-started from our best
    routes (kept only if it improves and passes ``check``): our search gets ``1 − ortools_share`` of the work budget
    (and of ``MaxRuntime``), the polish ``ortools_share × work / WORK_PER_SECOND`` seconds, cut short by the clock
    limits minus a wrap-up margin.

    ``initial`` (full routes, hotels included, e.g. the previous plan before an edit) warm-starts the search on
    those hotels. Whatever the search returns is verified by the independent checker and repaired (visits dropped)
    if it fails, so the solution always passes ``check``. With ``strict=True`` an ``InfeasibleProblem`` is raised
    when some mandatory node is not served; otherwise the solution lists them in ``unserved_mandatory``.
    """
    from .explain import explain

    params = SolveParams() if params is None else params
    limits = stop.limits()
    if math.isinf(limits.work) and math.isinf(limits.runtime) and math.isinf(limits.deadline):
        raise ValueError("the stopping criterion has no limit (give MaxWork, MaxRuntime or Deadline)")
    if not _WARM:  # compile / load the kernels before the clock starts: the first solve of a process is not shorter
        warmup()
    t0 = time.perf_counter()
    share = params.ortools_share
    search_stop = _search_clock_stop(limits, t0, problem.n, share)
    # a pure clock limit still needs a work budget for the kernel: the calibrated rate for that many seconds
    work = limits.work if math.isfinite(limits.work) else \
        WORK_PER_SECOND * max(0.0, min(limits.runtime, limits.deadline - t0))
    routes, raw = search_routes(problem, work * (1.0 - share) / WORK_PER_SECOND, params.seed,
                                work=work * (1.0 - share), params=params.kernel_array(),
                                deadline=None if math.isinf(search_stop) else search_stop, initial=initial)
    stats = SolveStats.from_search(raw)
    stats.stopped_by_clock = time.perf_counter() >= search_stop
    if routes:
        # the checker's verdict on what the search returned; anything it rejects is repaired by dropping visits
        fixed, notes = repair(problem, routes)
        if fixed != routes:
            stats.repaired = list(notes)
        routes = fixed or []
    stats.seconds_search = time.perf_counter() - t0
    if not routes:
        sol = Solution([[] for _ in problem.routes], [r.start_nodes[0] for r in problem.routes],
                       [r.end_nodes[0] for r in problem.routes], [], 0.0)
        stats.violations = ["no feasible hotel sequence"]
    else:
        sol = make_solution(problem, routes)
    if share > 0 and routes:
        # keep ~0.4 s for OR-Tools' model construction and our own wrap-up
        left = share * work / WORK_PER_SECOND
        clock = limits.clock_stop(t0)
        if math.isfinite(clock):
            left = min(left, clock - time.perf_counter() - 0.4 - 0.002 * problem.n
                       - (wrap_up_seconds(problem.n) if math.isfinite(limits.deadline) else 0.0))
        if left >= 0.1:
            from .ortools_backend import polish

            t1 = time.perf_counter()
            better = polish(problem, sol, left)
            stats.ortools_gain = 0.0
            if better is not None and better.score > sol.score + 1e-9 and not check(problem, better):
                stats.ortools_gain = better.score - sol.score
                sol = better
            stats.seconds_ortools = time.perf_counter() - t1
    explain(problem, sol)
    stats.seconds = time.perf_counter() - t0
    sol.stats = stats.as_dict()
    result = Result(sol, stats, params)
    if strict and sol.unserved_mandatory:
        from .explain import InfeasibleProblem

        raise InfeasibleProblem(sol.unserved_mandatory)
    return result


def solve(problem: OrienteeringProblem, seconds: float = 5.0, seed: int | None = None, *,
          work: float | None = None, ortools_share: float = 0.0, strict: bool = False,
          hard_time_limit: bool = False, initial: list[list[int]] | None = None,
          deadline: float | None = None) -> Solution:
    """Keyword adapter over :func:`optimise` for older callers: the solution only (statistics as a dict in
    ``Solution.stats``; the typed ones are in ``optimise(...).stats``).

    ``seconds`` becomes :func:`.params.time_budget` (``work`` replaces its work budget; ``hard_time_limit`` makes the
    clock stop ``seconds`` instead of the ``2 × seconds + 1`` safety net), ``deadline`` a :class:`.params.Deadline`.
    """
    stop: StoppingCriterion = time_budget(seconds, hard=hard_time_limit)
    if work is not None:
        stop = MaxWork(work) | MaxRuntime(seconds if hard_time_limit else 2.0 * seconds + 1.0)
    if deadline is not None:
        stop = stop | Deadline(deadline)
    params = SolveParams(seed=seed, ortools_share=ortools_share)
    return optimise(problem, stop, params, initial=initial, strict=strict).solution
