"""Choosing island nights: whether a trip sleeps on Lý Sơn or Cù Lao Chàm when the request lets the planner decide.

:mod:`touroute.islands` models a stay that the request pins (the boats, the island places, the checker's rules).
Which nights to pin, when the user listed an island hub among the candidates or named an island's province, is a
choice between whole plans: this module plans the variants through the planner (``plan_one``) and keeps the best.
It lives in the planner package because it calls the planner; the stay model below it does not.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..islands import link_of
from ..network.ferries import FerryLink
from ..pois import haversine_m
from .context import PlanningError

MAX_ISLAND_NIGHTS_TRIED = 3
"""Nights tried per island hub listed among the candidates (``choose_island_night``)."""
AUTO_SINGLE_NIGHTS = 2
"""One-night stays tried per island hub when the planner tries the island by itself (``overnight.islands``)."""
AUTO_DOUBLE_NIGHTS = 1
"""Two-night stays (nights *n*, *n* + 1) tried per island hub likewise: Lý Sơn's 3D2N programmes sleep twice there
(the big island one day, the small island by boat the next)."""
MIN_VARIANT_SECONDS = 0.2
"""Least solver time of one island-night variant when an island hub is a candidate (``choose_island_night``)."""


def _nearest_port_first(free: list[int], base: Any, link: FerryLink) -> list[int]:
    """The free nights, those whose hub in ``base`` (the plan without the island) sleeps closest to the island's port
    first; in night order when there is no feasible plan without the island."""
    if base is None or not base.feasible:
        return sorted(free)

    def distance(n: int) -> float:
        h = base.days[n - 1].end
        return haversine_m(h.lat, h.lon, link.from_lat, link.from_lon)

    return sorted(free, key=distance)


def auto_island_hubs(req: Any, cat: Any, links: Sequence[FerryLink]) -> list[str]:
    """Island hubs the planner tries nights on by itself (``overnight.islands``, default on): the request lets the
    optimiser choose among all hubs (no candidates listed, not fixed), names provinces, and one of those provinces
    holds an island hub with boats. Why: a trip of two or more days in Quảng Ngãi is, in the region's published
    programmes, a 2D1N or 3D2N on Lý Sơn (the big island one day, the small island by boat the next) at least as
    often as a day trip to it, and a day trip cannot reach the small island at all. Only with a provinces filter: a
    request without one (a journey along the coast) would pay the extra solves on every plan for an island it never
    asked about. Excluded hubs and hubs already pinned are not tried."""
    if (not getattr(req.overnight, "islands", False) or req.overnight.mode == "fixed" or req.overnight.candidates
            or not req.provinces or req.days < 2):
        return []
    era = "legacy" if req.province_scheme == "legacy" else "auto"
    try:
        hubs = cat.filter(category="lodging", province=list(req.provinces), province_era=era)
    except ValueError:  # an unknown province name: the model building reports it, naming the field
        return []
    taken = set(req.overnight.pinned.values()) | set(req.exclude)
    return [h for h in hubs.records if h not in taken
            and link_of(links, cat.get(h).lat, cat.get(h).lon) is not None]


def _try_island_nights(req: Any, cat: Any, links: Sequence[FerryLink], hubs: list[str], plan_one: Any) -> Any | None:
    """The plan without island nights (with its full time limit, so it is the plan the request got before this
    rule), then one- and two-night stays on each of ``hubs``; the highest score wins, the mainland plan on ties.
    The island's boats, season and weather rule apply as for a pinned night; a stay that cannot be planned (no
    boat fits the day, storm season) is simply not chosen — the user did not ask for it."""
    free = [n for n in range(1, req.days) if n not in req.overnight.pinned]
    if not free:
        return None

    def variant(pinned: dict[int, str], seconds: float | None) -> Any:
        r = req.model_copy(deep=True)
        r.overnight = r.overnight.model_copy(update={"pinned": pinned, "islands": False})
        if seconds is not None:
            r.solver = r.solver.model_copy(update={"time_limit_s": seconds})
        return plan_one(r)

    # A must-visit that no day trip can hold (Đảo Bé's canoes run 08:00–15:00, the day trip is ashore 08:30–13:54;
    # several must-visits longer than the time ashore) makes the plan without the island refuse; a night there may
    # hold it, so that refusal is kept and raised only when no island night works either.
    base_error: PlanningError | None = None
    try:
        base = variant(dict(req.overnight.pinned), None)
    except PlanningError as exc:
        base, base_error = None, exc
    tries: list[tuple[str, dict[int, str]]] = []
    for hub in hubs:
        link = link_of(links, cat.get(hub).lat, cat.get(hub).lon)
        assert link is not None
        order = _nearest_port_first(free, base, link)
        tries += [(hub, {**req.overnight.pinned, n: hub}) for n in sorted(order[:AUTO_SINGLE_NIGHTS])]
        pairs = [n for n in order if n + 1 in free]
        tries += [(hub, {**req.overnight.pinned, n: hub, n + 1: hub}) for n in pairs[:AUTO_DOUBLE_NIGHTS]]
    if not tries:
        if base_error is not None:
            raise base_error
        return None
    limit = max(MIN_VARIANT_SECONDS, float(req.solver.time_limit_s) / len(tries))
    best: tuple[str, Any] | None = None
    for hub, pinned in tries:
        try:
            it = variant(pinned, limit)
        except PlanningError:
            if base_error is None:
                raise
            continue  # the same must-visit refused again: the base's refusal says it
        if not it.feasible:
            continue
        top = best[1].totals.score if best is not None else (
            base.totals.score if base is not None and base.feasible else -1.0)
        if it.totals.score > top + 1e-9:
            best = (hub, it)
    if best is None:
        if base_error is not None:
            raise base_error
        return _as_asked(base, req)
    hub, it = best
    _as_asked(it, req)
    _reachable_without_the_island(it, base, cat, cat.get(hub))
    nights_used = [d.day for d in it.days[:-1] if d.end.place_id == hub]
    gain = it.totals.score - (base.totals.score if base is not None and base.feasible else 0.0)
    nights = ", ".join(map(str, nights_used))
    return it.with_note(
        f"night(s) {nights} on {cat.get(hub).name_en}: a stay on the island is worth more than the plan without it "
        f"(+{gain:.1f} points; {len(tries)} island stays tried; overnight.islands = false plans without)",
        f"đêm {nights} ở {cat.get(hub).name_vi}: nghỉ trên đảo đáng giá hơn lịch trình không có nó (+{gain:.1f} "
        f"điểm; đã thử {len(tries)} phương án nghỉ trên đảo; overnight.islands = false để lập lịch không có đảo)")


def _reachable_without_the_island(it: Any, base: Any, cat: Any, hub: Any) -> None:
    """In place: a place the island plan calls too far (its nights on the island left no day that reaches it) but
    the plan without the island reaches — visits it, or leaves it out for value — is said to be left out because the
    island stay used the days, not "too far to reach from any possible start of day" (a review: Sa Huỳnh beach,
    visited by the mainland plan, was "too far" in the Lý Sơn plan)."""
    from .model import _exclusion

    if base is None or not getattr(base, "feasible", False):
        return
    reached = {s.place_id for d in base.days for s in d.stops} | {
        e.place_id for e in base.excluded if e.reason not in ("too_far", "outside_stay", "closed", "unreachable")}
    for k, e in enumerate(it.excluded):
        if e.reason == "too_far" and e.place_id in reached and e.place_id in cat:
            it.excluded[k] = _exclusion(
                cat.get(e.place_id), "low_score",
                f"the nights on {hub.name_en} used the days that would reach it (the plan without the island "
                f"reaches it: overnight.islands = false)",
                f"các đêm ở {hub.name_vi} đã dùng những ngày có thể đến đó (lịch trình không nghỉ trên đảo đến được: "
                f"overnight.islands = false)")


def _as_asked(it: Any, req: Any) -> Any:
    """The itinerary's record of its request keeps the user's ``overnight.islands`` (the variants were planned with
    it off so they would not try the island again); the nights it pinned stay, so the record replans as shown."""
    over = it.request.get("overnight") if isinstance(getattr(it, "request", None), dict) else None
    if isinstance(over, dict):
        over["islands"] = req.overnight.islands
    return it


def choose_island_night(req: Any, cat: Any, links: Sequence[FerryLink], plan_one: Any) -> Any | None:
    """An island hub among ``overnight.candidates`` (choose mode): plan nights on it — each as a pinned island night,
    the other nights chosen among the mainland candidates — and return the best feasible plan (highest score; the
    earlier night on ties). The user listed the island, so a feasible island night is preferred to none; when none
    is feasible the plan without it comes back with the reasons as warnings. Without such a candidate, the island
    hubs of the request's provinces are tried by themselves (:func:`auto_island_hubs`). None when there is nothing
    to try (the caller plans as usual).

    At most :data:`MAX_ISLAND_NIGHTS_TRIED` nights per island hub are tried: those whose night in the plan without
    the island sleeps closest to the island's port. Every plan gets an equal share of the solver's time limit (at
    least :data:`MIN_VARIANT_SECONDS`), so the whole choice takes about the time of one plan; ``plan_one(request)``
    plans one of them (it has no island candidate left: no recursion)."""
    if req.overnight.mode == "fixed" or req.days < 2:
        return None
    on_island = [h for h in dict.fromkeys(req.overnight.candidates)
                 if h in cat and link_of(links, cat.get(h).lat, cat.get(h).lon) is not None]
    isl = [h for h in on_island if h not in req.overnight.pinned.values()]  # a pinned one has its night(s)
    if not isl:
        auto = auto_island_hubs(req, cat, links)
        return _try_island_nights(req, cat, links, auto, plan_one) if auto else None
    mainland = [h for h in req.overnight.candidates if h not in on_island]
    free = [n for n in range(1, req.days) if n not in req.overnight.pinned]
    tries = min(len(free), MAX_ISLAND_NIGHTS_TRIED) * len(isl) if mainland else len(isl)
    limit = max(MIN_VARIANT_SECONDS, float(req.solver.time_limit_s) / (tries + (1 if mainland else 0)))

    def variant(pinned: dict[int, str], candidates: list[str]) -> Any:
        r = req.model_copy(deep=True)
        r.overnight = r.overnight.model_copy(update={"pinned": pinned, "candidates": candidates})
        r.solver = r.solver.model_copy(update={"time_limit_s": limit})
        return plan_one(r)

    base = variant(dict(req.overnight.pinned), mainland) if mainland else None
    variants: list[tuple[str, dict[int, str]]] = []
    for hub in isl:
        if not mainland:  # the island is the only candidate: every free night there
            if free:
                variants.append((hub, {**req.overnight.pinned, **{n: hub for n in free}}))
            continue
        link = link_of(links, cat.get(hub).lat, cat.get(hub).lon)
        assert link is not None
        nights = sorted(_nearest_port_first(free, base, link)[:MAX_ISLAND_NIGHTS_TRIED])
        variants += [(hub, {**req.overnight.pinned, n: hub}) for n in nights]
    best, reasons = None, []
    for hub, pinned in variants:
        it = variant(pinned, mainland)
        if it.feasible and (best is None or it.totals.score > best[1].totals.score + 1e-9):
            best = (hub, it)
        elif not it.feasible:
            reasons.extend(p for p in it.problems if p not in reasons)
    if best is not None:
        hub, it = best
        nights_used = [d.day for d in it.days[:-1] if d.end.place_id == hub]
        nights = ", ".join(map(str, nights_used))
        return it.with_note(f"{cat.get(hub).name_en} (a candidate on an island) is used for night(s) {nights}: the "
                            f"best of {len(variants)} island night(s) tried",
                            f"{cat.get(hub).name_vi} (nơi nghỉ trên đảo được đề xuất) được dùng cho đêm {nights}: "
                            f"tốt nhất trong {len(variants)} phương án nghỉ trên đảo đã thử")
    if base is None:
        return None
    for hub in isl:
        why = "; ".join(reasons[:3])
        base = base.with_note(f"no night on {cat.get(hub).name_en} (a candidate on an island) is possible: "
                              + (why or "no plan with it was found"),
                              f"không thể nghỉ đêm ở {cat.get(hub).name_vi} (nơi nghỉ trên đảo được đề xuất): "
                              + (why or "không tìm được lịch trình nào có nó"))
    return base
