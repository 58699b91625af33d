"""Compiled (numba) core of the search: route timetables, insertion evaluation, destroy/repair, SA loop.

Everything that runs millions of times lives here, on plain arrays, so that a 10-second budget buys tens of
thousands of iterations instead of hundreds in pure Python.

Arrays of the problem ("P"):
    T[n,n] travel, svc[n] service, sc[n] search score (real score + mandatory bonus), wo/wc[n,K] window
    open/close, nw[n] number of windows, meal[n] 1 if a visit there includes the route's break when it spans it, cand[n] 1 if the node may be visited, grp[n] group id or -1,
    gmin/gmax[G] group limits, gpen penalty per missing group visit, rs[R,2] start/end node of each route,
    rt[R,8] = t_start, t_end, travel cap, break duration, break earliest, break latest, load cap (sight units),
    cost of a second of travel (in score units; the objective subtracts it × the route's travel),
    sim[n] similarity group or -1, dec[n] the part of sc that similar visits discount (the real score; the
    mandatory bonus is not discounted), decay the discount factor, load[n] sight units of a visit.
Arrays of a solution ("S"):
    seq[R,L] nodes of each route, hotels included, ln[R] their counts, st[R,L] start of service (arrival for
    the end hotel), ar[R,L] arrival, ms[R,L] MaxShift (how much the start at a position may be delayed without
    violating anything downstream — valid for routes without break), trav[R] total travel, bg[R] gap index of
    the break (-1 none), where[n] route of a node or -1.

Insertion feasibility is O(1) with the classic wait/MaxShift bookkeeping (Vansteenwegen et al. 2009) when the
route has no break and only single-window stops; otherwise the route is re-simulated exactly (O(length)).
The break is placed by a deterministic greedy rule: in the first gap where it is free (absorbed by waiting),
else in the last gap where it is still possible.

Why this module is long: it is one numba compilation unit. The jitted functions (timetables, insertion,
destroy/repair, the annealing loop) call each other and are compiled and cached together; split across modules
they would be compiled (and cache-invalidated) separately and the hot loop would lose inlining across the cut.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit, objmode

EPS = 1e-6
NEG = -1e300
NO_LEG = 1.0e6
"""Travel times at least this long mark legs that do not exist (an island reached without its boat, see
``touroute.islands``): the insertion scan's early stop assumes the triangle inequality, which such markers break, so
it skips past them instead. No benchmark instance has a leg this long, so their searches are unchanged."""


@njit(cache=True)
def win_start(wo, wc, nw, i, t):
    """Earliest start of service at node i when arriving at t, or NEG if every window has closed."""
    for k in range(nw[i]):
        if t <= wc[i, k] + EPS:
            if t > wo[i, k]:
                return t
            return wo[i, k]
    return NEG


@njit(cache=True)
def win_close(wo, wc, nw, i, s):
    """Close of the window that contains start time s."""
    for k in range(nw[i]):
        if s <= wc[i, k] + EPS:
            return wc[i, k]
    return wc[i, nw[i] - 1]


@njit(cache=True)
def simulate(buf, L, r, T, svc, wo, wc, nw, meal, rt, out_st, out_ar):
    """Earliest timetable of the node sequence buf[0:L] on route r (greedy break rule).

    Returns (feasible, travel, break gap). out_st/out_ar receive start/arrival per position.
    """
    t0 = rt[r, 0]
    t1 = rt[r, 1]
    bd = rt[r, 3]
    be = rt[r, 4]
    bl = rt[r, 5]
    taken = bd <= 0.0 or t0 > bl + EPS
    out_st[0] = t0
    out_ar[0] = t0
    dep = t0
    trav = 0.0
    gap = -1
    ok = True
    for g in range(L - 1):
        a = buf[g]
        b = buf[g + 1]
        tt = T[a, b]
        trav += tt
        arr = dep + tt
        last = g + 1 == L - 1
        if not taken:
            bs = dep if dep > be else be
            if bs <= bl + EPS:
                rw = (arr if arr > be else be) + bd
                take = False
                if last:
                    take = arr > bl + EPS
                else:
                    s0 = win_start(wo, wc, nw, b, arr)
                    if s0 == NEG:
                        take = True
                    elif meal[b] != 0 and s0 <= bl + EPS and s0 + svc[b] >= be + bd - EPS:
                        take = False  # the visit itself includes the meal
                    else:
                        s1 = win_start(wo, wc, nw, b, rw)
                        if s1 != NEG and s1 <= s0 + EPS:
                            take = True
                        else:
                            d0 = s0 + svc[b]
                            take = (d0 if d0 > be else be) > bl + EPS
                if take:
                    arr = rw
                    taken = True
                    gap = g
        out_ar[g + 1] = arr
        if last:
            out_st[g + 1] = arr
            if arr > t1 + EPS:
                ok = False
        else:
            s = win_start(wo, wc, nw, b, arr)
            if s == NEG:
                ok = False
                s = arr
            out_st[g + 1] = s
            dep = s + svc[b]
            if not taken and meal[b] != 0 and s <= bl + EPS and dep >= be + bd - EPS:
                taken = True  # lunch is part of this visit (an island day trip, a full-day park)
    if not taken and out_ar[L - 1] > bl + EPS:
        ok = False
    if trav > rt[r, 2] + EPS:
        ok = False
    return ok, trav, gap


@njit(cache=True)
def refresh(r, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, bg):
    """Recompute timetable and MaxShift of route r in place; returns feasibility."""
    L = ln[r]
    ok, tv, gap = simulate(seq[r], L, r, T, svc, wo, wc, nw, meal, rt, st[r], ar[r])
    trav[r] = tv
    bg[r] = gap
    ms[r, L - 1] = rt[r, 1] - ar[r, L - 1]
    for k in range(L - 2, 0, -1):
        i = seq[r, k]
        c = win_close(wo, wc, nw, i, st[r, k]) - st[r, k]
        w = st[r, k + 1] - ar[r, k + 1] + ms[r, k + 1]
        ms[r, k] = c if c < w else w
    if L > 1:
        ms[r, 0] = st[r, 1] - ar[r, 1] + ms[r, 1]
    return ok


@njit(cache=True)
def eval_insert(r, p, j, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, exact, buf, sst, sar):
    """Can j go between positions p and p+1 of route r? Returns (feasible, time shift caused)."""
    a = seq[r, p]
    b = seq[r, p + 1]
    dt = T[a, j] + T[j, b] - T[a, b]
    if trav[r] + dt > rt[r, 2] + EPS:
        return False, 0.0
    dep = st[r, p] + (svc[a] if p > 0 else 0.0)
    aj = dep + T[a, j]
    sj = win_start(wo, wc, nw, j, aj)
    if sj == NEG:
        return False, 0.0
    nb = sj + svc[j] + T[j, b]
    shift = nb - ar[r, p + 1]
    if not exact:
        d = nb - st[r, p + 1]
        if d <= ms[r, p + 1] + EPS:
            return True, shift
        return False, 0.0
    # exact: fast accept, else simulate the whole new sequence
    if rt[r, 3] <= 0.0:
        d = nb - st[r, p + 1]
        if d <= ms[r, p + 1] + EPS:
            return True, shift
    L = ln[r]
    for k in range(p + 1):
        buf[k] = seq[r, k]
    buf[p + 1] = j
    for k in range(p + 1, L):
        buf[k + 1] = seq[r, k]
    ok, tv, gap = simulate(buf, L + 1, r, T, svc, wo, wc, nw, meal, rt, sst, sar)
    if not ok:
        return False, 0.0
    if rt[r, 3] > 0.0:
        # with a break the delay at the successor is the simulated one: ``nb`` above leaves the break out, so a
        # short visit in a gap that already holds the lunch looked free (shift ≤ 0) and always won the greedy
        # ratio — filling the day with small stops before a must-visit far away could be inserted
        return True, sar[p + 2] - ar[r, p + 1]
    return True, shift


@njit(cache=True)
def insert_at(r, p, j, seq, ln, where, rver):
    rver[r] += 1
    L = ln[r]
    for k in range(L, p + 1, -1):
        seq[r, k] = seq[r, k - 1]
    seq[r, p + 1] = j
    ln[r] = L + 1
    where[j] = r


@njit(cache=True)
def remove_at(r, k, seq, ln, where, rver):
    rver[r] += 1
    j = seq[r, k]
    L = ln[r]
    for q in range(k, L - 1):
        seq[r, q] = seq[r, q + 1]
    ln[r] = L - 1
    where[j] = -1
    return j


@njit(cache=True)
def remove_random(k, seq, ln, where, rver, grp, gcnt):
    """Remove up to ``k`` visits, each drawn uniformly from all visits left (random removal; the kick)."""
    R = ln.shape[0]
    for q in range(k):
        tot_v = 0
        for r in range(R):
            tot_v += ln[r] - 2
        if tot_v == 0:
            break
        x = int(np.random.random() * tot_v)
        for r in range(R):
            if x < ln[r] - 2:
                j = remove_at(r, x + 1, seq, ln, where, rver)
                if grp[j] >= 0:
                    gcnt[grp[j]] -= 1
                break
            x -= ln[r] - 2


@njit(cache=True)
def route_exact(r, seq, ln, nw, rt):
    """Routes with a break or a multi-window stop need exact simulation for insertion checks."""
    if rt[r, 3] > 0.0:
        return True
    for k in range(1, ln[r] - 1):
        if nw[seq[r, k]] > 1:
            return True
    return False


@njit(cache=True)
def make_feasible(r, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, bg, where, grp, gcnt, rver, load):
    """Drop visits from the end of route r until its timetable is feasible (rare: only non-metric matrices) and
    its load fits the route's cap (a warm start made under another pace)."""
    while route_load(r, seq, ln, load) > rt[r, 6] + EPS and ln[r] > 2:
        j = remove_at(r, ln[r] - 2, seq, ln, where, rver)
        if grp[j] >= 0:
            gcnt[grp[j]] -= 1
    while not refresh(r, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, bg):
        if ln[r] <= 2:
            return False
        j = remove_at(r, ln[r] - 2, seq, ln, where, rver)
        if grp[j] >= 0:
            gcnt[grp[j]] -= 1
    return True


@njit(cache=True)
def route_load(r, seq, ln, load):
    tot = 0.0
    for k in range(1, ln[r] - 1):
        tot += load[seq[r, k]]
    return tot


@njit(cache=True)
def route_value(r, seq, ln, sc, sim, dec, decay):
    """Route r's value: its scores, less the discount of similar visits — the k-th best (by ``dec``, ties by
    node number) of a similarity group keeps ``decay**k`` of its ``dec`` part (``OrienteeringProblem.route_value``)."""
    tot = 0.0
    L = ln[r]
    for k in range(1, L - 1):
        j = seq[r, k]
        tot += sc[j]
        g = sim[j]
        if g >= 0 and decay < 1.0:
            rank = 0
            for q in range(1, L - 1):
                i = seq[r, q]
                if i != j and sim[i] == g and (dec[i] > dec[j] or (dec[i] == dec[j] and i < j)):
                    rank += 1
            if rank > 0:
                tot -= dec[j] * (1.0 - decay ** rank)
    return tot


@njit(cache=True)
def objective(seq, ln, sc, grp, gmin, gcnt, gpen, R, sim, dec, decay, rt, trav):
    tot = 0.0
    for r in range(R):
        tot += route_value(r, seq, ln, sc, sim, dec, decay) - rt[r, 7] * trav[r]
    for g in range(gmin.shape[0]):
        if gcnt[g] < gmin[g]:
            tot -= gpen * (gmin[g] - gcnt[g])
    return tot


@njit(cache=True)
def duration(ar, ln, rt, R):
    d = 0.0
    for r in range(R):
        d += ar[r, ln[r] - 1] - rt[r, 0]
    return d


@njit(cache=True)
def repair(T, svc, sc, wo, wc, nw, meal, cand, grp, gmin, gmax, gpen, rt, seq, ln, st, ar, ms, trav, bg, where, gcnt,
           noise, power, buf, sst, sar, bestS, bestP, stamp, rver, exactR, exactV, sim, dec, decay, load, scnt, rload):
    """Greedy insertion by ratio gain^power / time shift (randomised by ``noise``) until nothing fits.

    The gain of a node in a route is its score discounted as if it ranked last among the route's similar visits
    (a lower bound of the exact gain); routes whose load cap it would exceed are skipped.

    The cheapest position of each (node, route) is cached with the route's version stamp, so only routes that
    changed since (by destroy, insertion or restore) are re-evaluated — also across calls.
    Returns the number of insertion evaluations (the work unit of the budget).
    """
    n = T.shape[0]
    R = ln.shape[0]
    work = 0
    mult = np.ones(n)
    if noise > 0.0:
        for j in range(n):
            mult[j] = 1.0 + noise * np.random.random()
    use_sim = decay < 1.0
    while True:
        bj = -1
        br = -1
        bv = -1.0
        for r in range(R):
            if exactV[r] != rver[r]:
                exactR[r] = route_exact(r, seq, ln, nw, rt)
                exactV[r] = rver[r]
            rload[r] = route_load(r, seq, ln, load)
            if use_sim:
                for g in range(scnt.shape[1]):
                    scnt[r, g] = 0
                for k in range(1, ln[r] - 1):
                    if sim[seq[r, k]] >= 0:
                        scnt[r, sim[seq[r, k]]] += 1
        for j in range(n):
            if cand[j] != 1 or where[j] >= 0:
                continue
            g = grp[j]
            if g >= 0 and gcnt[g] >= gmax[g]:
                continue
            s = sc[j]
            if g >= 0 and gcnt[g] < gmin[g]:
                s += gpen
            if s <= 0.0:
                continue
            num = s ** power * mult[j]
            work += 1 + R // 4  # the selection scan itself
            for r in range(R):
                if rload[r] + load[j] > rt[r, 6] + EPS:
                    continue
                if stamp[j, r] != rver[r]:
                    work += 1  # window bounds and binary search
                    best = 1e300
                    bp = -1
                    lastc = wc[j, nw[j] - 1] + EPS
                    p0 = 0
                    if not exactR[r]:
                        # latest starts st+ms grow along the route; j cannot go before a stop whose latest start
                        # is earlier than j's opening plus its service: binary search the first usable position
                        need = wo[j, 0] + svc[j] - EPS
                        lo = 1
                        hi = ln[r] - 1
                        while lo < hi:
                            mid = (lo + hi) // 2
                            if st[r, mid] + ms[r, mid] >= need:
                                hi = mid
                            else:
                                lo = mid + 1
                        p0 = lo - 1
                    for p in range(p0, ln[r] - 1):
                        # departures grow along the route: once we leave p after j's last window could
                        # still be reached, no later position can work either
                        if st[r, p] + (svc[seq[r, p]] if p > 0 else 0.0) + T[seq[r, p], j] > lastc:
                            if T[seq[r, p], j] >= NO_LEG:
                                continue  # a marker, not a leg: the triangle inequality does not hold here
                            break
                        work += 1
                        ok, sh = eval_insert(r, p, j, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav,
                                             exactR[r], buf, sst, sar)
                        if ok:
                            if sh < 1e-6:
                                sh = 1e-6
                            if sh < best:
                                best = sh
                                bp = p
                    bestS[j, r] = best
                    bestP[j, r] = bp
                    stamp[j, r] = rver[r]
                if bestP[j, r] >= 0:
                    sr = s
                    if use_sim and sim[j] >= 0 and scnt[r, sim[j]] > 0:
                        sr = s - dec[j] * (1.0 - decay ** scnt[r, sim[j]])
                    if rt[r, 7] > 0.0:
                        # a visit must be worth its detour: its gain net of the travel it adds
                        a = seq[r, bestP[j, r]]
                        b = seq[r, bestP[j, r] + 1]
                        sr -= rt[r, 7] * (T[a, j] + T[j, b] - T[a, b])
                    if sr <= 0.0:
                        continue
                    if sr == s:
                        v = num / bestS[j, r]
                    else:
                        v = sr ** power * mult[j] / bestS[j, r]
                    if v > bv:
                        bv = v
                        bj = j
                        br = r
        if bj < 0:
            break
        insert_at(br, bestP[bj, br], bj, seq, ln, where, rver)
        if grp[bj] >= 0:
            gcnt[grp[bj]] += 1
        if not refresh(br, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, bg):
            # should not happen (the insertion was checked); undo defensively
            remove_at(br, bestP[bj, br] + 1, seq, ln, where, rver)
            if grp[bj] >= 0:
                gcnt[grp[bj]] -= 1
            refresh(br, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, bg)
            cand[bj] = 0  # never retry this node in this run
    return work


@njit(cache=True)
def two_opt(r, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, bg, buf, sst, sar, rver):
    """Segment reversal and relocation inside route r, accepted when the route gets shorter in time
    (earlier return; ties broken by less travel). Returns work done."""
    L = ln[r]
    work = 0
    if L < 4:
        return work
    improved = True
    rounds = 0
    while improved and rounds < 5:
        improved = False
        rounds += 1
        L = ln[r]
        cur_end = ar[r, L - 1]
        cur_tr = trav[r]
        for i in range(1, L - 2):
            for k in range(i + 1, L - 1):
                # reversal of i..k (quick travel filter for the common symmetric case)
                a = seq[r, i - 1]
                b = seq[r, i]
                c = seq[r, k]
                d = seq[r, k + 1]
                if T[a, c] + T[b, d] < T[a, b] + T[c, d] - EPS:
                    for q in range(L):
                        buf[q] = seq[r, q]
                    for q in range(k - i + 1):
                        buf[i + q] = seq[r, k - q]
                    work += L
                    ok, tv, gp = simulate(buf, L, r, T, svc, wo, wc, nw, meal, rt, sst, sar)
                    if ok and (sar[L - 1] < cur_end - EPS or (sar[L - 1] <= cur_end + EPS and tv < cur_tr - EPS)):
                        for q in range(L):
                            seq[r, q] = buf[q]
                        rver[r] += 1
                        refresh(r, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, bg)
                        cur_end = ar[r, L - 1]
                        cur_tr = trav[r]
                        improved = True
        # or-opt: move one node elsewhere in the route
        for i in range(1, L - 1):
            x = seq[r, i]
            a = seq[r, i - 1]
            b = seq[r, i + 1]
            gain = T[a, x] + T[x, b] - T[a, b]
            for p in range(0, L - 1):
                if p == i or p == i - 1:
                    continue
                u = seq[r, p]
                v = seq[r, p + 1]
                if T[u, x] + T[x, v] - T[u, v] >= gain - EPS:
                    continue
                m = 0
                for q in range(L):
                    if q == i:
                        continue
                    buf[m] = seq[r, q]
                    m += 1
                    if q == p:
                        buf[m] = x
                        m += 1
                work += L
                ok, tv, gp = simulate(buf, L, r, T, svc, wo, wc, nw, meal, rt, sst, sar)
                if ok and (sar[L - 1] < cur_end - EPS or (sar[L - 1] <= cur_end + EPS and tv < cur_tr - EPS)):
                    for q in range(L):
                        seq[r, q] = buf[q]
                    rver[r] += 1
                    refresh(r, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, bg)
                    cur_end = ar[r, L - 1]
                    cur_tr = trav[r]
                    improved = True
                    break
            if improved:
                break
    return work


@njit(cache=True)
def copy_rows(seq, ln, src, sln, rver):
    """Restore a saved solution, bumping the version of every route that actually changes."""
    for r in range(ln.shape[0]):
        same = ln[r] == sln[r]
        if same:
            for k in range(ln[r]):
                if seq[r, k] != src[r, k]:
                    same = False
                    break
        if not same:
            for k in range(sln[r]):
                seq[r, k] = src[r, k]
            ln[r] = sln[r]
            rver[r] += 1


@njit(cache=True)
def _now():
    with objmode(t="float64"):
        t = time.perf_counter()
    return t


@njit(cache=True, nogil=True)
def search(T, svc, sc, wo, wc, nw, meal, cand0, grp, gmin, gmax, gpen, rs, rt, init_seq, init_ln,
           budget, seed, params, deadline, sim, dec, decay, load):
    """Simulated-annealing / iterated-local-search over destroy-and-repair moves.

    params = [power, noise, temperature factor, max segment fraction, restart after k non-improving iterations,
    2-opt probability, tabu probability, adaptive operator choice (0/1), related removal (0/1), kick after restart
    (0/1)]. Stops when ``budget`` work units are spent (deterministic for a given
    seed), or — safety stop only — when the wall clock (perf_counter) passes ``deadline``.
    Returns best seq, ln, best objective, iterations, work.

    Compiled with ``nogil=True``: the whole search runs without Python's GIL (the clock check re-takes it for a
    moment every 32 iterations), so the web server's other threads keep serving pages while a plan is solved.
    """
    np.random.seed(seed)
    n = T.shape[0]
    R = rs.shape[0]
    MAXL = init_seq.shape[1]
    power = params[0]
    noise = params[1]
    tfac = params[2]
    segfrac = params[3]
    restart_k = int(params[4])
    p2opt = params[5]
    cand = cand0.copy()
    seq = np.zeros((R, MAXL), dtype=np.int64)
    ln = np.zeros(R, dtype=np.int64)
    st = np.zeros((R, MAXL))
    ar = np.zeros((R, MAXL))
    ms = np.zeros((R, MAXL))
    trav = np.zeros(R)
    bg = np.full(R, -1, dtype=np.int64)
    where = np.full(n, -1, dtype=np.int64)
    gcnt = np.zeros(gmin.shape[0], dtype=np.int64)
    buf = np.zeros(MAXL + 2, dtype=np.int64)
    sst = np.zeros(MAXL + 2)
    sar = np.zeros(MAXL + 2)
    bestS = np.zeros((n, R))
    bestP = np.zeros((n, R), dtype=np.int64)
    stamp = np.full((n, R), -1, dtype=np.int64)
    rver = np.zeros(R, dtype=np.int64)
    exactR = np.zeros(R, dtype=np.bool_)
    exactV = np.full(R, -1, dtype=np.int64)
    S = 1
    for j in range(n):
        if sim[j] + 1 > S:
            S = sim[j] + 1
    scnt = np.zeros((R, S), dtype=np.int64)
    rload = np.zeros(R)
    # start from the given routes (or empty ones)
    for r in range(R):
        L = init_ln[r]
        for k in range(L):
            seq[r, k] = init_seq[r, k]
        ln[r] = L
        for k in range(1, L - 1):
            where[seq[r, k]] = r
            if grp[seq[r, k]] >= 0:
                gcnt[grp[seq[r, k]]] += 1
        make_feasible(r, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, bg, where, grp, gcnt, rver, load)
    work = repair(T, svc, sc, wo, wc, nw, meal, cand, grp, gmin, gmax, gpen, rt, seq, ln, st, ar, ms, trav, bg, where,
                  gcnt, 0.0, power, buf, sst, sar, bestS, bestP, stamp, rver, exactR, exactV, sim, dec, decay, load, scnt, rload)
    for r in range(R):
        work += two_opt(r, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, bg, buf, sst, sar, rver)
    work += repair(T, svc, sc, wo, wc, nw, meal, cand, grp, gmin, gmax, gpen, rt, seq, ln, st, ar, ms, trav, bg, where,
                   gcnt, 0.0, power, buf, sst, sar, bestS, bestP, stamp, rver, exactR, exactV, sim, dec, decay, load, scnt, rload)
    cur = objective(seq, ln, sc, grp, gmin, gcnt, gpen, R, sim, dec, decay, rt, trav)
    cur_d = duration(ar, ln, rt, R)
    best = cur
    best_d = cur_d
    bseq = seq.copy()
    bln = ln.copy()
    cseq = seq.copy()
    cln = ln.copy()
    # average score of a visit sets the temperature scale
    tot = 0.0
    cnt = 0
    for j in range(n):
        if cand[j] == 1 and sc[j] > 0:
            tot += sc[j]
            cnt += 1
    avg = tot / cnt if cnt > 0 else 1.0
    it = 0
    since = 0
    seg_s = 1
    seg_r = 0
    removed = np.zeros(n + 1, dtype=np.int64)
    ptabu = params[6] if params.shape[0] > 6 else 0.5
    adaptive = params.shape[0] > 7 and params[7] > 0.5
    related = params.shape[0] > 8 and params[8] > 0.5
    wop = np.array([4.5, 3.5, 2.0, 3.5 if related else 0.0])  # operator weights (adaptive)
    sop = np.zeros(4)  # scores collected in the current segment
    nop = np.zeros(4)  # uses in the current segment
    rel = np.zeros(n)
    kick_on = params.shape[0] > 9 and params[9] > 0.5
    kick = False
    while work < budget:
        it += 1
        if (it & 31) == 0 and _now() > deadline:
            break  # safety stop only (a machine much slower than the calibration one): breaks determinism
        work += 20 + 2 * R + n // 2  # fixed cost of an iteration (bookkeeping), so small problems stop in time too
        nrem = 0
        for r in range(R):
            for kk in range(1, ln[r] - 1):
                removed[seq[r, kk]] = 1
            
        frac = work / budget
        temp = tfac * avg * (1.0 - frac)
        nvis = 0
        for r in range(R):
            nvis += ln[r] - 2
        # ---- destroy: operator by adaptive roulette (ALNS weights) or fixed probabilities
        if adaptive:
            u = np.random.random() * (wop[0] + wop[1] + wop[2] + wop[3])
            opi = 0
            acc = wop[0]
            while u >= acc and opi < 3:
                opi += 1
                acc += wop[opi]
        else:
            op = np.random.random()
            if related:
                opi = 0 if op < 0.35 else (1 if op < 0.6 else (2 if op < 0.75 else 3))
            else:
                opi = 0 if op < 0.45 else (1 if op < 0.8 else 2)
        kicked = kick
        if kick:
            # after a restart: one large random removal, accepted whatever its result (escape the basin of the best)
            kick = False
            opi = 4
            k = 1 + int(min(0.6, 2.0 * segfrac) * nvis)
            remove_random(k, seq, ln, where, rver, grp, gcnt)
        else:
            nop[opi] += 1
        if opi == 4:
            pass
        elif opi == 3:
            # related (Shaw) removal: the visits closest in space and time to a seed — a random visit, or a random
            # unvisited candidate (then "close in time" = near one of its windows), so the repair can re-plan a
            # whole neighbourhood, e.g. swap a cluster of cheap visits for a valuable one that did not fit
            k = 1 + int(np.random.random() * max(2.0, segfrac * nvis))
            sd = -1
            sd_vis = False
            sd_t = 0.0
            if np.random.random() < 0.5:
                cntu = 0
                for j in range(n):
                    if cand[j] == 1 and where[j] < 0 and sc[j] > 0.0:
                        cntu += 1
                if cntu > 0:
                    x = int(np.random.random() * cntu)
                    for j in range(n):
                        if cand[j] == 1 and where[j] < 0 and sc[j] > 0.0:
                            if x == 0:
                                sd = j
                                break
                            x -= 1
            if sd < 0 and nvis > 0:
                x = int(np.random.random() * nvis)
                for r in range(R):
                    if x < ln[r] - 2:
                        sd = seq[r, x + 1]
                        sd_t = st[r, x + 1]
                        sd_vis = True
                        break
                    x -= ln[r] - 2
            if sd >= 0:
                work += nvis
                for r in range(R):
                    for kk in range(1, ln[r] - 1):
                        j = seq[r, kk]
                        s_j = st[r, kk]
                        if sd_vis:
                            tgap = abs(s_j - sd_t)
                        else:
                            tgap = 1e300
                            for q in range(nw[sd]):
                                if s_j < wo[sd, q]:
                                    g = wo[sd, q] - s_j
                                elif s_j > wc[sd, q]:
                                    g = s_j - wc[sd, q]
                                else:
                                    g = 0.0
                                if g < tgap:
                                    tgap = g
                            if tgap > 1e299:
                                tgap = 0.0
                        rel[j] = (0.5 * (T[sd, j] + T[j, sd]) + tgap) * (0.75 + 0.5 * np.random.random())
                for q in range(k):
                    wr = -1
                    wk = -1
                    wv = 1e300
                    for r in range(R):
                        for kk in range(1, ln[r] - 1):
                            if rel[seq[r, kk]] < wv:
                                wv = rel[seq[r, kk]]
                                wr = r
                                wk = kk
                    if wr < 0:
                        break
                    j = remove_at(wr, wk, seq, ln, where, rver)
                    if grp[j] >= 0:
                        gcnt[grp[j]] -= 1
        elif opi == 0:
            # Vansteenwegen shake: remove seg_s consecutive visits from position seg_r in every route
            for r in range(R):
                L = ln[r]
                if L <= 2:
                    continue
                k0 = 1 + (seg_r % (L - 2))
                for q in range(seg_s):
                    if k0 >= ln[r] - 1:
                        break
                    j = remove_at(r, k0, seq, ln, where, rver)
                    if grp[j] >= 0:
                        gcnt[grp[j]] -= 1
            seg_r += seg_s
            seg_s += 1
            if seg_s > max(2, int(segfrac * nvis / max(R, 1))):
                seg_s = 1
        elif opi == 1:
            k = 1 + int(np.random.random() * max(2.0, segfrac * nvis))
            remove_random(k, seq, ln, where, rver, grp, gcnt)
        else:
            # worst removal: lowest score per detour, randomised
            k = 1 + int(np.random.random() * max(2.0, 0.5 * segfrac * nvis))
            for q in range(k):
                wr = -1
                wk = -1
                wv = 1e300
                for r in range(R):
                    for kk in range(1, ln[r] - 1):
                        a = seq[r, kk - 1]
                        x = seq[r, kk]
                        b = seq[r, kk + 1]
                        det = T[a, x] + svc[x] + T[x, b] - T[a, b]
                        v = sc[x] / (det if det > 1e-6 else 1e-6) * (0.5 + np.random.random())
                        if v < wv:
                            wv = v
                            wr = r
                            wk = kk
                if wr < 0:
                    break
                j = remove_at(wr, wk, seq, ln, where, rver)
                if grp[j] >= 0:
                    gcnt[grp[j]] -= 1
        for r in range(R):
            make_feasible(r, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, bg, where, grp, gcnt, rver, load)
        # nodes just removed may not come back in the first repair pass (forces the search to move)
        use_tabu = np.random.random() < ptabu
        for j in range(n):
            if removed[j] == 1 and where[j] < 0 and use_tabu and cand[j] == 1:
                cand[j] = 2
                nrem += 1
            removed[j] = 0
        if nrem > 0:
            for j in range(n):
                if cand[j] == 2:
                    cand[j] = 0
            work += repair(T, svc, sc, wo, wc, nw, meal, cand, grp, gmin, gmax, gpen, rt, seq, ln, st, ar, ms, trav, bg,
                           where, gcnt, noise, power, buf, sst, sar, bestS, bestP, stamp, rver, exactR, exactV, sim, dec, decay, load, scnt, rload)
            for j in range(n):
                if cand[j] == 0 and cand0[j] == 1 and where[j] < 0:
                    cand[j] = 1
        # ---- repair (+ occasional route compression and a second repair)
        work += repair(T, svc, sc, wo, wc, nw, meal, cand, grp, gmin, gmax, gpen, rt, seq, ln, st, ar, ms, trav, bg,
                       where, gcnt, noise, power, buf, sst, sar, bestS, bestP, stamp, rver, exactR, exactV, sim, dec, decay, load, scnt, rload)
        if np.random.random() < p2opt:
            for r in range(R):
                work += two_opt(r, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, bg, buf, sst, sar, rver)
            work += repair(T, svc, sc, wo, wc, nw, meal, cand, grp, gmin, gmax, gpen, rt, seq, ln, st, ar, ms, trav, bg,
                           where, gcnt, 0.0, power, buf, sst, sar, bestS, bestP, stamp, rver, exactR, exactV, sim, dec, decay, load, scnt, rload)
        new = objective(seq, ln, sc, grp, gmin, gcnt, gpen, R, sim, dec, decay, rt, trav)
        new_d = duration(ar, ln, rt, R)
        accept = False
        if new > cur + EPS or (new >= cur - EPS and new_d <= cur_d + EPS):
            accept = True
        elif temp > 0.0 and np.random.random() < np.exp((new - cur) / temp):
            accept = True
        if kicked:
            accept = True
        elif adaptive:
            # ALNS scores (Ropke & Pisinger 2006): new best > better than current > accepted worse
            if new > best + EPS:
                sop[opi] += 33.0
            elif accept and new > cur + EPS:
                sop[opi] += 9.0
            elif accept and new < cur - EPS:
                sop[opi] += 3.0
            if it % 50 == 0:
                for q in range(4):
                    if nop[q] > 0 and wop[q] > 0.0:
                        wop[q] = 0.8 * wop[q] + 0.2 * sop[q] / nop[q]
                        if wop[q] < 0.5:
                            wop[q] = 0.5
                    sop[q] = 0.0
                    nop[q] = 0.0
        if new > best + EPS or (new >= best - EPS and new_d < best_d - EPS):
            if new > best + EPS:
                since = 0
                seg_s = 1
            best = new
            best_d = new_d
            bseq[:, :] = seq
            bln[:] = ln
        else:
            since += 1
        if accept:
            cur = new
            cur_d = new_d
            cseq[:, :] = seq
            cln[:] = ln
        else:
            copy_rows(seq, ln, cseq, cln, rver)
        if since > restart_k:
            since = 0
            kick = kick_on
            copy_rows(seq, ln, bseq, bln, rver)
            cur = best
            cur_d = best_d
            cseq[:, :] = seq
            cln[:] = ln
        if not accept or since == 0:
            # rebuild derived state (where, gcnt, timetables) of the restored solution
            for j in range(n):
                where[j] = -1
            for g in range(gcnt.shape[0]):
                gcnt[g] = 0
            for r in range(R):
                for kk in range(1, ln[r] - 1):
                    where[seq[r, kk]] = r
                    if grp[seq[r, kk]] >= 0:
                        gcnt[grp[seq[r, kk]]] += 1
                refresh(r, T, svc, wo, wc, nw, meal, rt, seq, ln, st, ar, ms, trav, bg)
    return bseq, bln, best, it, work
