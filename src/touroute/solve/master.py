"""CP-SAT master problem of a multi-day (chained) trip: the hub of every night and the places of every day.

Why: the compiled search builds exact timetables but cannot choose among thousands of hub chains (a 14-day open-jaw
trip has far more than the 5,000 that :func:`.hotels.hotel_sequences` samples, each left with a few thousand
evaluations), and it only knows regional rules that are counts. The master problem is a coarse but global model:

* **hubs × days** — one hub pair ``(start, end)`` per day, chained (day d+1 starts where day d ended), each pair
  judged by the checker's own timetable (:class:`.hotels.PairFeasibility`: the hub-to-hub drive plus lunch fits the
  day and the driving cap); singleton start/end sets are fixed or pinned nights;
* **places × days** — every candidate place may be served on a day where it has an opening window, attached to one
  of the day's two hubs among its ``hubs_per_place`` nearest; its *time cost* is its service plus a detour estimate
  ``detour_factor × (drive hub → place + place → hub)``; a day's costs plus its hub-to-hub drive must fit
  ``capacity_factor`` of the day (minus lunch);
* **rules** as exact linear constraints on the chosen places: mandatory places (and locks, whose windows are on
  their day only), per-group minimum and maximum counts, a maximum share of visit time in any one group, and a
  minimum visit time per group;
* **objective**: the total score, then the least hub-to-hub driving.

Its solution — hub sequences (the best and the improving ones found on the way) and each day's places — feeds the
compiled search (:func:`.ils.search_routes`), which builds and improves the exact timetables. The master is
deterministic: it runs one CP-SAT worker bounded by *deterministic* time (plus a wall-clock safety stop).

Why this module is long: it is one CP-SAT model. Its variables (hub of each night, place of each day), the
constraints built on them (counts, shares, minimum hours, driving, hub chains) and the decoding of a solution share
the same index maps; split apart, each part would need those maps passed around or rebuilt.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace, dataclass, field

import numpy as np

from .hotels import PairFeasibility
from .problem import OrienteeringProblem

Seq = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class MasterParams:
    """Knobs of the master model (chosen on the tuning half of ``benchmarks/bench_master.py``)."""

    deterministic_time: float = 1.0
    """CP-SAT's deterministic time limit (≈ seconds of one core on a fast machine)."""
    wall_time: float = 8.0
    """Wall-clock safety stop of CP-SAT. The deterministic limit binds on an idle machine (about 1–1.5 s of wall
    time); 3 s was reached on a machine slowed 2–3 fold (CI next to the CPU-saturation test), which made the
    master's answer — and the plan — depend on the load. Under a caller's deadline the deadline caps it."""
    capacity_factor: float = 0.85
    """Share of a day (minus lunch) that the estimated time costs may fill."""
    detour_factor: float = 0.5
    """Weight of the hub → place → hub round trip in a place's time cost (visits of a day share their drives)."""
    hubs_per_place: int = 3
    """A place can be attached to one of its this-many nearest hubs of the day."""
    fill_share: float = 0.35
    """With the candidate restriction (share / hour rules): share of the search budget for the fill over all places
    under safe per-province caps (:func:`_fill_problem`)."""
    max_sequences: int = 4
    """Hub sequences handed to the search: the final one and the latest improving ones before it."""
    workers: int = 1
    """CP-SAT workers. One: deterministic, and OR-Tools 9.15 aborted the process ("Check failed:
    heuristics.fixed_search") on an infeasible model with several interleaved workers and a hint."""


DEFAULT_PARAMS = MasterParams()
"""What :func:`solve_with_master` uses when given no parameters (the benchmark swaps it while tuning)."""


@dataclass(frozen=True)
class MasterRules:
    """Regional rules that are not counts, in the problem's time unit (counts are in the problem itself)."""

    max_share: float | None = None
    """No group may hold more than this share of the total visit (service) time."""
    min_service: dict[int, float] = field(default_factory=dict)
    """group → minimum total service time of its visits."""


@dataclass
class MasterResult:
    """What the master found (``status`` "OPTIMAL"/"FEASIBLE"), or why not ("INFEASIBLE", "UNKNOWN", "NO_PAIRS")."""

    status: str
    sequences: list[Seq] = field(default_factory=list)
    """Hub pair of every day; best first."""
    days: list[list[int]] = field(default_factory=list)
    """Places of each day in the best solution, ordered along the day (start hub → end hub)."""
    objective: float = 0.0
    """Estimated score of the best solution."""
    wall: float = 0.0
    stats: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE") and bool(self.sequences)


def _day_span(problem: OrienteeringProblem, d: int) -> float:
    """Usable time of route ``d``: its span minus the break when the route runs through the break's window."""
    r = problem.routes[d]
    span = r.t_end - r.t_start
    if r.break_ is not None and r.break_.latest >= r.t_start:
        span -= r.break_.duration
    return span


def candidate_places(problem: OrienteeringProblem) -> list[int]:
    """Places the master may choose: visitable, not a hotel, and worth something (score, mandatory or a group
    minimum)."""
    hotels = problem.hotel_nodes
    t_lo = min(r.t_start for r in problem.routes)
    t_hi = max(r.t_end for r in problem.routes)
    out = []
    for i in range(problem.n):
        if i in hotels or not problem.windows[i]:
            continue
        if not any(b >= t_lo and a <= t_hi for a, b in problem.windows[i]):
            continue
        g = int(problem.groups[i]) if problem.groups is not None else -1
        if problem.score[i] > 0 or i in problem.mandatory or (g >= 0 and problem.group_min_visits.get(g, 0) > 0):
            out.append(i)
    return out


def _open_on(problem: OrienteeringProblem, i: int, d: int) -> bool:
    r = problem.routes[d]
    return any(b >= r.t_start and a <= r.t_end for a, b in problem.windows[i])


def solve_master(problem: OrienteeringProblem, rules: MasterRules | None = None,
                 params: MasterParams | None = None, *, capacity_cut: dict[int, float] | None = None,
                 deadline: float | None = None) -> MasterResult:
    """Solve the master problem of a chained ``problem`` (see the module docstring).

    ``capacity_cut`` (day → time) lowers a day's capacity: the planner's answer when the exact timetable could not
    fit what the master put on that day. ``deadline`` (``time.perf_counter()``) caps CP-SAT's wall clock.
    """
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    rules = rules or MasterRules()
    params = params or DEFAULT_PARAMS
    capacity_cut = capacity_cut or {}
    P = problem
    R = len(P.routes)
    if not P.chained:
        return MasterResult("NOT_CHAINED", wall=time.perf_counter() - t0)
    fits = PairFeasibility(P)

    # --- hub pairs per day, pruned by forward and backward reachability ---------------------------------------
    fwd: list[set[int]] = [set(P.routes[0].start_nodes)]
    pairs: list[list[tuple[int, int]]] = []
    for d in range(R):
        r = P.routes[d]
        nxt = set(P.routes[d + 1].start_nodes) if d + 1 < R else None
        pd = [(s, e) for s in r.start_nodes if s in fwd[d] for e in r.end_nodes
              if (nxt is None or e in nxt) and fits(d, s, e)]
        pairs.append(pd)
        fwd.append({e for _, e in pd})
    back: set[int] = set(P.routes[R - 1].end_nodes)
    for d in range(R - 1, -1, -1):
        pairs[d] = [(s, e) for s, e in pairs[d] if e in back]
        back = {s for s, _ in pairs[d]}
    if any(not p for p in pairs):
        return MasterResult("NO_PAIRS", wall=time.perf_counter() - t0)

    m = cp_model.CpModel()
    y: list[dict[tuple[int, int], cp_model.IntVar]] = []
    for d in range(R):
        y.append({(s, e): m.NewBoolVar(f"y{d}_{s}_{e}") for s, e in pairs[d]})
        m.AddExactlyOne(y[d].values())
    for d in range(R - 1):  # chaining: where day d ends, day d+1 starts
        for h in {e for _, e in pairs[d]} | {s for s, _ in pairs[d + 1]}:
            m.Add(sum(v for (s, e), v in y[d].items() if e == h) == sum(v for (s, e), v in y[d + 1].items() if s == h))
    # hub h is the start / end of day d
    starts = [{h: sum(v for (s, _), v in y[d].items() if s == h) for h in {s for s, _ in pairs[d]}} for d in range(R)]
    ends = [{h: sum(v for (_, e), v in y[d].items() if e == h) for h in {e for _, e in pairs[d]}} for d in range(R)]

    # --- places ----------------------------------------------------------------------------------------------
    cands = candidate_places(P)
    T = P.travel
    u: dict[tuple[int, int, int], cp_model.IntVar] = {}   # (day, place, hub) → place served on day from hub
    cost: dict[tuple[int, int, int], int] = {}
    by_place: dict[int, list] = {i: [] for i in cands}
    by_day: list[list] = [[] for _ in range(R)]
    # touch[d][h]: day d starts or ends at hub h (a small literal the place variables imply)
    touch: list[dict[int, cp_model.IntVar]] = []
    for d in range(R):
        td = {}
        for h in sorted(set(starts[d]) | set(ends[d])):
            td[h] = m.NewBoolVar(f"t{d}_{h}")
            m.Add(td[h] <= starts[d].get(h, 0) + ends[d].get(h, 0))
        touch.append(td)
    for d in range(R):
        day_hubs = sorted(touch[d])
        span = _day_span(P, d)
        for i in cands:
            if not _open_on(P, i, d):
                continue
            near = sorted(day_hubs, key=lambda h: T[h, i] + T[i, h])[: params.hubs_per_place]
            for h in near:
                c = P.service[i] + params.detour_factor * (T[h, i] + T[i, h])
                if T[h, i] + P.service[i] + T[i, h] > span + P.eps:
                    continue
                v = m.NewBoolVar(f"u{d}_{i}_{h}")
                m.AddImplication(v, touch[d][h])
                u[d, i, h] = v
                cost[d, i, h] = int(math.ceil(c))
                by_place[i].append(v)
                by_day[d].append((i, h, v))
    served = {}
    for i in cands:
        if not by_place[i]:
            if i in P.mandatory:
                return MasterResult("INFEASIBLE", wall=time.perf_counter() - t0,
                                    stats={"reason": f"mandatory node {i} cannot be attached to any day"})
            continue
        s = sum(by_place[i])
        if i in P.mandatory:
            m.Add(s == 1)
        else:
            m.Add(s <= 1)
        served[i] = s
    # day capacity: estimated place costs + hub-to-hub drive ≤ capacity_factor × usable day
    for d in range(R):
        # costs ≤ capacity_factor × (usable day − hub-to-hub drive); the pair itself fits (PairFeasibility)
        cap = params.capacity_factor * _day_span(P, d) - capacity_cut.get(d, 0.0)
        drive = sum(int(math.ceil(params.capacity_factor * T[s, e])) * v for (s, e), v in y[d].items())
        m.Add(sum(cost[d, i, h] * v for i, h, v in by_day[d]) + drive <= max(0, int(cap)))
        if P.routes[d].max_travel is not None:
            m.Add(sum(int(math.ceil(params.detour_factor * (T[h, i] + T[i, h]))) * v for i, h, v in by_day[d])
                  + sum(int(math.ceil(T[s, e])) * v for (s, e), v in y[d].items())
                  <= int(P.routes[d].max_travel))
        if P.routes[d].max_load is not None:  # the day's pace: sight units, in tenths to stay integral
            m.Add(sum(int(round(10 * P.node_load(i))) * v for i, h, v in by_day[d])
                  <= int(math.floor(10 * P.routes[d].max_load + 1e-6)))

    # --- rules -------------------------------------------------------------------------------------------------
    svc = {i: int(round(P.service[i])) for i in served}
    if P.groups is not None:
        members: dict[int, list[int]] = {}
        for i in served:
            g = int(P.groups[i])
            if g >= 0:
                members.setdefault(g, []).append(i)
        for g, k in P.group_min_visits.items():
            if k > 0:
                m.Add(sum(served[i] for i in members.get(g, [])) >= k)
        for g, k in P.group_max_visits.items():
            m.Add(sum(served[i] for i in members.get(g, [])) <= k)
        if rules.max_share is not None and rules.max_share < 1.0:
            # 1000·T_g ≤ ⌊1000·share⌋·T: implies T_g / T ≤ share exactly (integer service seconds)
            num = int(math.floor(1000 * rules.max_share + 1e-9))
            total = sum(svc[i] * served[i] for i in served)
            for g, mem in members.items():
                m.Add(1000 * sum(svc[i] * served[i] for i in mem) <= num * total)
        for g, need in rules.min_service.items():
            if need > 0:
                m.Add(sum(svc[i] * served[i] for i in members.get(g, [])) >= int(math.ceil(need)))

    # --- objective: score first, then the least hub-to-hub driving (minutes) ----------------------------------
    sc = {i: int(round(100 * max(0.0, float(P.score[i])))) for i in served}
    drive_min = sum(int(math.ceil(T[s, e] / 60.0)) * v for d in range(R) for (s, e), v in y[d].items())
    m.Maximize(1000 * sum(sc[i] * served[i] for i in served) - drive_min)

    # hint: the better (by the greedy fill below) of two hub chains — the least total driving (a DP over days) and
    # a forward greedy that picks each night's hub by the value it opens up for that day, places already taken
    # excluded; then places by score per estimated time into that chain's days (mandatory first)
    options_by_dh: dict[tuple[int, int], list[int]] = {}
    for (d, i, h) in u:
        options_by_dh.setdefault((d, h), []).append(i)

    def fill(chain: list[tuple[int, int]], taken: set[int] | None = None,
             days: range | None = None) -> tuple[set[tuple[int, int, int]], float]:
        taken = set() if taken is None else set(taken)
        days = range(R) if days is None else days
        left = {d: params.capacity_factor * (_day_span(P, d) - T[chain[d][0], chain[d][1]]) - capacity_cut.get(d, 0.0)
                for d in days}
        opts: dict[int, list[tuple[int, int]]] = {}
        for d in days:
            for h in set(chain[d]):
                for i in options_by_dh.get((d, h), ()):
                    if i not in taken:
                        opts.setdefault(i, []).append((d, h))
        chosen: set[tuple[int, int, int]] = set()
        gtime: dict[int, float] = {}
        gcount: dict[int, int] = {}

        def grp(i: int) -> int:
            return int(P.groups[i]) if P.groups is not None else -1

        def short(i: int) -> bool:
            """``i``'s group still lacks visits or visit time by the rules."""
            g = grp(i)
            return g >= 0 and (gcount.get(g, 0) < P.group_min_visits.get(g, 0)
                               or gtime.get(g, 0.0) < rules.min_service.get(g, 0.0))

        ratio = {i: float(P.score[i]) / (min(cost[d, i, h] for d, h in opts[i]) + 1.0) for i in opts}
        # mandatory first, then places of groups short of their minimum count / time, then by score per time
        for phase in (0, 1, 2):
            for i in sorted(opts, key=lambda i: (-ratio[i], i)):
                if i in taken or (phase == 0 and i not in P.mandatory) or (phase == 1 and not short(i)):
                    continue
                g = grp(i)
                if g >= 0 and gcount.get(g, 0) >= P.group_max_visits.get(g, 1 << 30):
                    continue
                for d, h in sorted(opts[i], key=lambda dh: cost[dh[0], i, dh[1]]):
                    if cost[d, i, h] <= left[d]:
                        left[d] -= cost[d, i, h]
                        chosen.add((d, i, h))
                        taken.add(i)
                        gcount[g] = gcount.get(g, 0) + 1
                        gtime[g] = gtime.get(g, 0.0) + float(P.service[i])
                        break
        if rules.max_share is not None and P.groups is not None:
            # share cap: drop the least valuable visits of the group over the cap until no group is over it
            while chosen:
                total = sum(gtime.values())
                over = [g for g, t in gtime.items() if g >= 0 and t > rules.max_share * total + 1e-6]
                if not over:
                    break
                g = max(over, key=lambda g: gtime[g])
                k = min((x for x in chosen if grp(x[1]) == g), key=lambda x: (ratio[x[1]], x[1]))
                chosen.discard(k)
                gtime[g] -= float(P.service[k[1]])
                gcount[g] -= 1
        value = sum(float(P.score[i]) for _, i, _ in chosen)
        return chosen, value

    chains = [_least_drive_chain(P, pairs)]
    greedy: list[tuple[int, int]] = []
    taken: set[int] = set()
    here = None
    for d in range(R):
        best_pair, best_val, best_set = None, -1.0, set()
        for s_, e_ in pairs[d]:
            if here is not None and s_ != here:
                continue
            ch = {d: (s_, e_)}
            sel, val = fill(ch, taken, range(d, d + 1))  # type: ignore[arg-type]
            val -= 1e-6 * T[s_, e_]
            if val > best_val:
                best_pair, best_val, best_set = (s_, e_), val, sel
        if best_pair is None:
            greedy = []
            break
        greedy.append(best_pair)
        taken |= {i for _, i, _ in best_set}
        here = best_pair[1]
    if greedy:
        chains.append(greedy)
    scored = [(fill(c), c) for c in chains]
    (chosen, _), chain = max(scored, key=lambda x: x[0][1])
    heuristic_chains = [tuple(c) for c in chains]
    for d in range(R):
        for k, v in y[d].items():
            m.AddHint(v, int(k == chain[d]))
    for d in range(R):
        for h, v in touch[d].items():
            m.AddHint(v, int(h in chain[d]))
    for k, v in u.items():
        m.AddHint(v, int(k in chosen))

    solver = cp_model.CpSolver()
    solver.parameters.num_search_workers = params.workers
    if params.workers > 1:
        solver.parameters.interleave_search = True   # deterministic with several workers
    solver.parameters.cp_model_probing_level = 0      # probing alone ate the whole slice on 14-day trips
    solver.parameters.symmetry_level = 0
    solver.parameters.max_presolve_iterations = 1
    solver.parameters.max_deterministic_time = params.deterministic_time
    wall = params.wall_time
    if deadline is not None:
        wall = max(0.05, min(wall, deadline - time.perf_counter()))
    solver.parameters.max_time_in_seconds = wall
    solver.parameters.random_seed = int(P.seed) % (2 ** 31)

    seqs: list[Seq] = []

    class _Collect(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:  # noqa: N802 (OR-Tools API)
            seq = tuple(next(k for k, v in y[d].items() if self.Value(v)) for d in range(R))
            if seq in seqs:
                seqs.remove(seq)
            seqs.append(seq)

    build = time.perf_counter() - t0
    status = solver.Solve(m, _Collect())
    name = solver.StatusName(status)
    res = MasterResult(name, wall=time.perf_counter() - t0,
                       stats={"build_s": build, "pairs": sum(len(p) for p in pairs), "place_vars": len(u),
                              "det_time": solver.deterministic_time, "candidates": len(cands)})
    if name not in ("OPTIMAL", "FEASIBLE"):
        return res
    best = tuple(next(k for k, v in y[d].items() if solver.Value(v)) for d in range(R))
    res.sequences = [best] + [s for s in reversed(seqs) if s != best][: params.max_sequences - 1]
    res.sequences += [c for c in heuristic_chains if c not in res.sequences]
    days: list[list[int]] = [[] for _ in range(R)]
    for (d, i, h), v in u.items():
        if solver.Value(v):
            days[d].append(i)
    for d, (s, e) in enumerate(best):
        # along the day: from the start hub towards the end hub (the search re-orders and repairs anyway)
        days[d].sort(key=lambda i: (T[s, i] - T[i, e], i))
    res.days = days
    res.objective = sum(float(P.score[i]) for dd in days for i in dd)
    return res


def _least_drive_chain(P: OrienteeringProblem, pairs: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """The chain of hub pairs with the least total hub-to-hub drive (dynamic programme over days)."""
    R = len(pairs)
    best: dict[int, tuple[float, list[tuple[int, int]]]] = {}
    for s, e in pairs[0]:
        c = float(P.travel[s, e])
        if e not in best or c < best[e][0]:
            best[e] = (c, [(s, e)])
    for d in range(1, R):
        nb: dict[int, tuple[float, list[tuple[int, int]]]] = {}
        for s, e in pairs[d]:
            if s in best:
                c = best[s][0] + float(P.travel[s, e])
                if e not in nb or c < nb[e][0]:
                    nb[e] = (c, best[s][1] + [(s, e)])
        best = nb
    return min(best.values(), key=lambda x: x[0])[1]


def rule_violations(problem: OrienteeringProblem, routes: list[list[int]], rules: MasterRules) -> list[str]:
    """The non-count rules that visits ``routes`` (visits only) break, as sentences (empty = all met)."""
    if problem.groups is None:
        return []
    per: dict[int, float] = {}
    for r in routes:
        for v in r:
            g = int(problem.groups[v])
            per[g] = per.get(g, 0.0) + float(problem.service[v])
    total = sum(per.values()) or 1.0
    out = []
    if rules.max_share is not None:
        out += [f"group {g}: {t / total:.3f} of visit time > {rules.max_share:.3f}" for g, t in sorted(per.items())
                if t / total > rules.max_share + 1e-9]
    out += [f"group {g}: {per.get(g, 0.0):.0f} of visit time < {need:.0f}" for g, need in sorted(rules.min_service.items())
            if per.get(g, 0.0) < need - 1e-6]
    return out


def solve_with_master(problem: OrienteeringProblem, seconds: float, seed: int | None = None, *,
                      work: float | None = None, rules: MasterRules | None = None,
                      params: MasterParams | None = None, restrict: bool | None = None,
                      deadline: float | None = None, rounds: int = 3):
    """Master problem → compiled search on its hub sequences → the checker's verdict; ``None`` if the master finds
    nothing (the caller then takes the usual path, :func:`.ils.solve`).

    ``restrict`` (default: when ``rules`` has a share cap or minimum times) lets the search visit only the places
    the master chose: its exact shares then hold unless the real timetable has to drop a place. When it does and
    a rule breaks, the days that lost places get less capacity in the master and the pair is solved again (up to
    ``rounds`` times, each search with half the previous budget) — a cut, not a blind re-solve with tighter counts.
    The best plan that meets the rules wins, else the best plan.
    """
    from . import ils
    from .explain import explain
    from .solution import make_solution, repair

    if not ils._WARM:
        ils.warmup()
    WORK_PER_SECOND, search_routes, wrap_up_seconds = ils.WORK_PER_SECOND, ils.search_routes, ils.wrap_up_seconds
    t0 = time.perf_counter()
    rules = rules or MasterRules()
    params = params or DEFAULT_PARAMS
    if restrict is None:
        restrict = rules.max_share is not None or any(v > 0 for v in rules.min_service.values())
    budget = work if work is not None else seconds * WORK_PER_SECOND
    # the wall-clock safety stop of the search (3 × limit + 2 s) plus the master's own wall allowance: CP-SAT is
    # bounded by deterministic time, which a 1-s limit's master can spend in more than a second of wall time, and a
    # safety stop that close to the normal run time made the CLI's plans depend on the machine's load
    stop = t0 + 3.0 * seconds + 2.0 + params.wall_time
    if deadline is not None:
        stop = min(stop, deadline - wrap_up_seconds(problem.n))
    seed = problem.seed if seed is None else seed
    cut: dict[int, float] = {}
    best: tuple[tuple[int, float], list[list[int]], dict] | None = None
    # the master's exact shares need every place it chose: a travel cost would let the restricted search drop a
    # cheap place not worth its detour and break a share, so the restricted search values places without it
    searched = replace(problem, travel_cost=0.0) if restrict and problem.travel_cost > 0 else problem
    masters = []
    for rnd in range(rounds):
        res = solve_master(problem, rules, params, capacity_cut=cut, deadline=stop)
        # what the master spent, for the search's budget: its deterministic time (the same on every run and
        # machine), not its wall time — a budget from the wall clock gave the same request different plans
        spent = float(res.stats.get("det_time", 0.0)) if res.stats else 0.0
        masters.append({"status": res.status, "wall": round(res.wall, 3), "estimate": res.objective,
                        "det_time": round(spent, 4)})
        if not res.ok or (not any(res.days) and candidate_places(problem)):
            # nothing found, or only the empty plan (a tight share cap whose hint CP-SAT could not repair in its
            # slice): the caller's usual path does better than an empty trip
            masters[-1]["empty"] = res.ok
            break
        mask = None
        if restrict:
            mask = np.zeros(problem.n, dtype=bool)
            for dd in res.days:
                mask[dd] = True
            mask[list(problem.mandatory)] = True
        # the master's (deterministic) time comes out of the search's budget, so the whole stays near
        # ``seconds``; with the candidate restriction a share of it is kept for the fill below
        share = max(0.25, 1.0 - spent / seconds) if seconds > 0 else 1.0
        if restrict:
            share *= 1.0 - params.fill_share
        routes, stats = search_routes(searched, seconds, seed + rnd, work=share * budget / (2 ** rnd), deadline=stop,
                                      sequences=res.sequences, seed_visits=res.days, candidates=mask)
        if routes:
            fixed, _notes = repair(problem, routes)
            routes = fixed or []
        if routes:
            visits = [r[1:-1] for r in routes]
            bad = rule_violations(problem, visits, rules)
            served_all = problem.mandatory <= {v for r in visits for v in r}
            score = problem.value(visits, [r[0] for r in routes], [r[-1] for r in routes])
            key = (int(not bad and served_all), score)
            if best is None or key > best[0]:
                best = (key, routes, stats)
            if not bad or not restrict:
                break
            # cut: the days whose exact timetable dropped places the master put there get that much less room
            kept = {v for r in visits for v in r}
            new_cut = False
            for d, dd in enumerate(res.days):
                lost = sum(float(problem.service[v]) for v in dd if v not in kept)
                if lost > 0:
                    cut[d] = cut.get(d, 0.0) + lost
                    new_cut = True
            if not new_cut:
                break
        if time.perf_counter() > stop:
            break
    if best is None:
        return None
    key, routes, stats = best
    filled = 0.0
    if restrict and key[0] == 1 and params.fill_share > 0 and time.perf_counter() < stop:
        # fill: the restricted plan meets the rules but the master's time estimates are conservative; continue
        # from it over ALL places with per-province caps under which the share cap cannot break, and keep the
        # result only if the final verification (rules, mandatory, checker) accepts it and it scores more
        visits = [r[1:-1] for r in routes]
        Pf = _fill_problem(problem, visits, rules)
        seq = tuple((r[0], r[-1]) for r in routes)
        lost = max(0.25, 1.0 - masters[0]["det_time"] / seconds) if seconds > 0 else 1.0
        froutes, fstats = search_routes(Pf, seconds, seed + 7, work=lost * params.fill_share * budget, deadline=stop,
                                        sequences=[seq], seed_visits=visits)
        if froutes:
            fixed, _notes = repair(problem, froutes)
            if fixed:
                fv = [r[1:-1] for r in fixed]
                fscore = problem.value(fv, [r[0] for r in fixed], [r[-1] for r in fixed])
                if (fscore > key[1] + 1e-9 and not rule_violations(problem, fv, rules)
                        and problem.mandatory <= {v for r in fv for v in r}):
                    filled = fscore - key[1]
                    routes = fixed
                    stats = dict(stats, iterations=stats.get("iterations", 0) + fstats.get("iterations", 0),
                                 work=stats.get("work", 0) + fstats.get("work", 0))
    stats = dict(stats, master=masters, master_rounds=len(masters), master_fill_gain=filled,
                 stopped_by_clock=time.perf_counter() >= stop)
    sol = make_solution(problem, routes, stats)
    explain(problem, sol)
    sol.stats["seconds"] = time.perf_counter() - t0
    return sol


def _fill_problem(problem: OrienteeringProblem, visits: list[list[int]], rules: MasterRules) -> OrienteeringProblem:
    """A copy of ``problem`` whose group counts let a search add places to a plan that meets ``rules`` without
    breaking the share cap: with ``T`` the total and ``T_g`` group g's visit time, adding ``Δ_g`` to every group
    keeps each share ≤ s when ``Δ_g·(1 − s) ≤ s·T − T_g`` (``(T_g + Δ_g) / (T + ΣΔ) ≤ (T_g + Δ_g) / (T + Δ_g) ≤ s``),
    so g may gain ``⌊(s·T − T_g) / ((1 − s)·longest visit of g)⌋`` visits. The plan's visits are mandatory in the
    copy, so the search only adds (minimum times cannot fall); the caller still verifies the result."""
    from dataclasses import replace

    if problem.groups is None:
        return problem
    count: dict[int, int] = {}
    svc: dict[int, float] = {}
    for r in visits:
        for v in r:
            g = int(problem.groups[v])
            count[g] = count.get(g, 0) + 1
            svc[g] = svc.get(g, 0.0) + float(problem.service[v])
    total = sum(svc.values())
    gmax = dict(problem.group_max_visits)
    gmin = dict(problem.group_min_visits)
    if rules.max_share is not None and rules.max_share < 1.0:
        s = rules.max_share
        longest: dict[int, float] = {}
        for i in range(problem.n):
            g = int(problem.groups[i])
            if g >= 0 and problem.windows[i]:
                longest[g] = max(longest.get(g, 0.0), float(problem.service[i]))
        for g, lg in longest.items():
            room = s * total - svc.get(g, 0.0)
            extra = int(max(0.0, room) // ((1.0 - s) * lg)) if lg > 0 else 1 << 20
            cap = count.get(g, 0) + extra
            gmax[g] = min(gmax.get(g, cap), cap)
    # the plan's own visits stay (mandatory in the copy): the fill only adds, so minimum times cannot fall
    keep = problem.mandatory | {v for r in visits for v in r}
    return replace(problem, group_min_visits=gmin, group_max_visits=gmax, mandatory=frozenset(keep))
