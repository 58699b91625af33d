"""Island nights: sleeping on Lý Sơn or Cù Lao Chàm, with the scheduled boat out one day and back on a later one.

Island day trips are one composite node (``plan._Excursion``). A night on the island cannot be: the group crosses on
day *d*, sees island places in the afternoon, sleeps there, sees more in the morning and crosses back on day *d + 1*.
So a stay is modelled with ordinary solver nodes that the independent checker (``solve.solution.check``) verifies:

* a **boat out** node at the mainland port: its visit may only *start* at a check-in time before a published (or
  spread, see ``FerryLink.departures``) departure of day *d* (point windows) and lasts check-in + crossing;
* the **island places** and the **island hub** as ordinary nodes (visits and the night's hotel);
* a **boat back** node at the island port, with the return departures of the last day as point windows;
* a travel matrix in which the two shores are joined *only* through the boats: every leg from a mainland node to an
  island node (or back) is :data:`NO_LEG` long (far beyond any day), except the boat nodes' own sides;
* both boat nodes are **mandatory**, so a plan that skips a crossing fails the checker.

The hotel-pair test of the search (can day *d* go from its start hotel straight to its end hotel) needs a finite
leg between a mainland hotel and the island hub: it is the drive to the port plus the island road from the port,
without the crossing (an optimistic bound; any real route must still pass through the boat node, which the
mandatory rule enforces). Only hotel-to-hotel legs get it: from the island hub to a mainland *place* there is no leg,
so a day that starts and ends on the island (two nights there) cannot visit the mainland.

Seasons: ``FerryLink.suspended`` (storm season, announced closures). A stay whose crossing days fall in it is refused
with the reason in English and Vietnamese; day trips lose the suspended days, and the island places say why when no
day is left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Sequence

import numpy as np

from .matrix import Place
from .network.ferries import FerryLink

DAY = 86_400.0
NO_LEG = 30 * DAY
"""Travel time of a leg that does not exist (mainland ↔ island without the boat): finite, as the solver requires,
but longer than any trip, so no timetable can contain it (≥ ``solve.kernels.NO_LEG``, which the search's insertion
scan treats as a marker rather than a leg)."""


@dataclass
class IslandStay:
    """Consecutive nights on one island hub, with the boat out on the first day and back the day after the last
    night (days 0-based: night *n* follows day *n − 1*)."""

    link: FerryLink
    hub_id: str
    nights: tuple[int, ...]
    out_times: list[float]          # seconds of the day of the outbound departures
    back_times: list[float]         # … and of the return departures
    exact: bool                     # both timetables published (not spread / mirrored)
    out_node: int = -1
    back_node: int = -1
    hub_node: int = -1
    island_nodes: list[int] = field(default_factory=list)

    @property
    def out_day(self) -> int:
        return self.nights[0] - 1

    @property
    def back_day(self) -> int:
        return self.nights[-1]

    @property
    def check_in_s(self) -> float:
        return float(self.link.buffer_min) * 60.0

    @property
    def crossing_s(self) -> float:
        return float(self.link.crossing_max) * 60.0

    @property
    def boat_s(self) -> float:
        """Service of a boat node: check-in before the departure plus the (longest published) crossing."""
        return self.check_in_s + self.crossing_s

    def out_id(self) -> str:
        return f"boat:{self.link.id}:out:{self.nights[0]}"

    def back_id(self) -> str:
        return f"boat:{self.link.id}:back:{self.nights[-1]}"


def link_of(links: Sequence[FerryLink], lat: float, lon: float) -> FerryLink | None:
    """The ferry link whose island holds (lat, lon), or None (mainland)."""
    return next((f for f in links if f.on_island(lat, lon)), None)


def _seconds(t: Any) -> float:
    return t.hour * 3600.0 + t.minute * 60.0


def night_hubs(req: Any) -> dict[int, str]:
    """Night number → hub id as the request fixes it (``fixed`` mode: every night; else the pinned ones)."""
    if req.overnight.mode == "fixed":
        return {k + 1: h for k, h in enumerate(req.overnight.fixed)}
    return dict(req.overnight.pinned)


def suspension_reason(link: FerryLink, days: Sequence[date], what_en: str,
                      what_vi: str) -> tuple[str, str] | None:
    """Why boats of ``link`` do not run on some of ``days`` — (English, Vietnamese) — or None if they all have
    boats."""
    off = [d for d in days if link.suspended_on(d)]
    if not off:
        return None
    en, vi = link.suspension_text()
    dates = ", ".join(f"{d:%d %b %Y}" for d in off)
    dates_vi = ", ".join(f"{d:%d/%m/%Y}" for d in off)
    src = "; ".join(link.suspended_source[:1])
    return (f"{what_en}: boats {link.from_port} – {link.island} do not run on {dates} (storm season {en}: "
            f"{link.suspended_note or 'suspended'} Source: {src}, as of {link.suspended_as_of or 'unknown'})",
            f"{what_vi}: tàu {link.from_port} – {link.island} không chạy ngày {dates_vi} (mùa mưa bão {vi}; "
            f"nguồn: {src})")


def suspension_problem(link: FerryLink, days: Sequence[date], what_en: str, what_vi: str) -> str | None:
    """:func:`suspension_reason` as one sentence in both languages (``Itinerary.problems`` holds plain strings)."""
    r = suspension_reason(link, days, what_en, what_vi)
    return None if r is None else f"{r[0]} / {r[1]}"


def port_proxy(cat: Any, link: FerryLink, within_m: float = 1500.0) -> str | None:
    """The catalogue place nearest the mainland port (within ``within_m``), whose row of the cached catalogue
    matrix the boat nodes use for the drive to and from the port; None → the matrix is computed for the request."""
    from .pois import haversine_m

    best, out = within_m, None
    for q in cat:
        d = haversine_m(q.lat, q.lon, link.from_lat, link.from_lon)
        if d < best:
            best, out = d, q.id
    return out


def plan_stays(req: Any, cat: Any, links: Sequence[FerryLink]) -> tuple[list[IslandStay], list[str], list[str]]:
    """The island stays the request asks for (island hubs as fixed or pinned nights), the reasons they cannot
    happen (``problems``: the plan is then infeasible with them) and warnings (approximate boat times, weather)."""
    fixed = night_hubs(req)
    runs: list[tuple[FerryLink, str, list[int]]] = []
    for n in sorted(fixed):
        hub = cat.get(fixed[n])
        link = link_of(links, hub.lat, hub.lon)
        if link is None:
            continue
        if runs and runs[-1][1] == hub.id and runs[-1][2][-1] == n - 1:
            runs[-1][2].append(n)
        else:
            runs.append((link, hub.id, [n]))
    stays: list[IslandStay] = []
    problems: list[str] = []
    warnings: list[str] = []
    for link, hub_id, nights in runs:
        hub = cat.get(hub_id)
        what_en = f"night {nights[0]} on {link.island} ({hub.name_en})"
        what_vi = f"đêm {nights[0]} trên đảo {link.island} ({hub.name_vi})"
        if not req.use_ferries:
            problems.append(f"{what_en} needs the boat, but ferries are disabled in the request (use_ferries) — "
                            f"{what_vi} cần đi tàu, nhưng yêu cầu đã tắt tàu (use_ferries)")
            continue
        out, exact_out = link.departures("out")
        back, exact_back = link.departures("back")
        if not back:
            back, exact_back = out, False
        if not out:
            problems.append(f"{what_en}: no published boat timetable for {link.name_en} — "
                            f"{what_vi}: chưa có lịch tàu {link.name_vi}")
            continue
        days = [req.start_date + timedelta(days=d) for d in range(nights[0] - 1, nights[-1] + 1)]
        closed = suspension_problem(link, days, what_en, what_vi)
        if closed:
            problems.append(closed)
            continue
        stays.append(IslandStay(link, hub_id, tuple(nights), [_seconds(t) for t in out], [_seconds(t) for t in back],
                                exact_out and exact_back))
        if not (exact_out and exact_back):
            warnings.append(f"boat times {link.from_port} – {link.island} are approximate (no published timetable: "
                            f"{'spread between the first and last boat' if not exact_out else 'return mirrors outbound'})"
                            f" — confirm locally")
        if link.suspended_note:
            warnings.append(f"{link.island}: {link.suspended_note} Check the sea forecast before the crossing "
                            f"(source: {'; '.join(link.suspended_source[:1])}).")
    return stays, problems, warnings


def add_boat_nodes(stays: list[IslandStay], add: Any) -> None:
    """Create the boat nodes (``add(place, poi) -> index``, the planner's node adder): out at the mainland port,
    back at the island port."""
    for s in stays:
        L = s.link
        s.out_node = add(Place(s.out_id(), L.from_lat, L.from_lon, f"{L.from_port} → {L.island}"), None)
        s.back_node = add(Place(s.back_id(), L.to_lat, L.to_lon, f"{L.to_port} → {L.from_port}"), None)


def wire(stays: list[IslandStay], places: Sequence[Place], sec: np.ndarray, met: np.ndarray, router: Any,
         profile: str, hub_index: dict[str, int], hotels: set[int]) -> None:
    """Join the shores only through the boats (in place on ``sec`` / ``met``, see the module docstring).

    Legs between the island port and island nodes come from a small matrix of the router (the port is not a
    catalogue place); legs between island nodes keep the catalogue matrix's values; mainland legs to the boat out
    and from the boat back keep theirs (the boat nodes use the mainland port's row)."""
    if not stays:
        return
    links = {s.link.id: s.link for s in stays}
    n = len(places)
    side_in: list[str | None] = [None] * n
    side_out: list[str | None] = [None] * n
    outs = {s.out_node: s for s in stays}
    backs = {s.back_node: s for s in stays}
    for i, pl in enumerate(places):
        if i in outs:
            side_out[i] = outs[i].link.id
        elif i in backs:
            side_in[i] = backs[i].link.id
        else:
            L = next((l for l in links.values() if l.on_island(pl.lat, pl.lon)), None)
            side_in[i] = side_out[i] = L.id if L else None
    port: dict[str, tuple[dict[int, int], np.ndarray, np.ndarray]] = {}
    for lid, L in links.items():
        members = [i for i in range(n) if side_in[i] == lid and i not in backs]
        pts = [Place(f"port:{lid}", L.to_lat, L.to_lon, L.to_port)] + [places[i] for i in members]
        m = router.matrix(pts, profile)
        port[lid] = ({i: k + 1 for k, i in enumerate(members)}, np.asarray(m.seconds), np.asarray(m.metres))
    rep_out = {s.link.id: s.out_node for s in stays}
    rep_back = {s.link.id: s.back_node for s in stays}
    for s in stays:
        s.hub_node = hub_index[s.hub_id]
        s.island_nodes = [i for i in range(n) if side_in[i] == s.link.id and i not in backs and i != s.hub_node]

    def from_port(lid: str, j: int) -> tuple[float, float]:
        pos, S, Mt = port[lid]
        return (0.0, 0.0) if j in backs else (float(S[0, pos[j]]), float(Mt[0, pos[j]]))

    def to_port(lid: str, i: int) -> tuple[float, float]:
        pos, S, Mt = port[lid]
        return (0.0, 0.0) if i in outs else (float(S[pos[i], 0]), float(Mt[pos[i], 0]))

    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            a, b = side_out[i], side_in[j]
            if a == b:
                if a is None:
                    continue  # mainland road (the boats' mainland sides use the port's catalogue row)
                if i in outs:
                    sec[i, j], met[i, j] = from_port(a, j)
                elif j in backs:
                    sec[i, j], met[i, j] = to_port(a, i)
                continue  # two island nodes: the catalogue matrix's island road
            if i in hotels and j in hotels:
                # hotel-pair bound (a night's hotel on an island): the road to the port, the island road from or to
                # the island port, without the boat — the route itself must still take the boat nodes. Only
                # between two hotels (the search's "can this day join its hotels" test): a visit never gets it
                t = m = 0.0
                k1, k2 = i, j
                if a is not None:
                    t, m = to_port(a, i)
                    k1 = rep_back[a]
                if b is not None:
                    t2, m2 = from_port(b, j)
                    t, m, k2 = t + t2, m + m2, rep_out[b]
                sec[i, j], met[i, j] = t + sec[k1, k2], m + met[k1, k2]
            else:
                sec[i, j] = NO_LEG


def boat_windows(stays: list[IslandStay], windows: list[list[tuple[float, float]]], service: np.ndarray,
                 open_s: float, close_s: float) -> list[str]:
    """Point windows and service of the boat nodes; the reasons a stay's boats do not fit the day's hours."""
    problems = []
    for s in stays:
        for node, day, times, leg in ((s.out_node, s.out_day, s.out_times, "out"),
                                      (s.back_node, s.back_day, s.back_times, "back")):
            service[node] = s.boat_s
            windows[node] = [(day * DAY + o - s.check_in_s, day * DAY + o - s.check_in_s) for o in times
                             if o - s.check_in_s >= open_s and o + s.crossing_s <= close_s]
            if not windows[node]:
                hh = ", ".join(f"{int(o // 3600):02d}:{int(o % 3600 // 60):02d}" for o in times)
                problems.append(
                    f"the boat {leg} to/from {s.link.island} on day {day + 1} (departures {hh}, check in "
                    f"{s.check_in_s / 60:.0f} min before, crossing up to {s.crossing_s / 60:.0f} min) does not fit "
                    f"the day's hours — chuyến tàu {'ra' if leg == 'out' else 'về'} đảo {s.link.island} ngày "
                    f"{day + 1} (giờ tàu {hh}) không nằm trong giờ của ngày")
    return problems


def hhmm(t: float) -> str:
    s = int(round(t)) % int(DAY)
    return f"{s // 3600:02d}:{(s % 3600) // 60:02d}"


def boat_stop(stay: IslandStay, node: int, st: Any, to_dt: Any, hub: Any) -> dict:
    """Fields of the itinerary stop of a boat node (the planner builds the ``ItineraryStop``)."""
    L = stay.link
    out = node == stay.out_node
    dep = st.start + stay.check_in_s
    land = st.departure
    a, b = (L.from_port, L.to_port) if out else (L.to_port, L.from_port)
    approx_en = "" if stay.exact else " (boat times approximate: timetable not published)"
    approx_vi = "" if stay.exact else " (giờ tàu ước lượng: chưa có lịch công bố)"
    return dict(
        place_id=stay.out_id() if out else stay.back_id(),
        name_en=f"Boat {hhmm(dep)} {a} → {b}" + (f" (night on {L.island})" if out else ""),
        name_vi=f"Tàu {hhmm(dep)} {a} → {b}" + (f" (nghỉ đêm trên đảo {L.island})" if out else ""),
        category="coastal", subcategory="ferry_crossing", province_legacy=hub.province_legacy,
        province=hub.province, lat=L.from_lat if out else L.to_lat, lon=L.from_lon if out else L.to_lon,
        arrival=to_dt(st.arrival), start=to_dt(st.start), departure=to_dt(st.departure), fee_vnd=None,
        fee_as_of=None, opening_hours=None, source="; ".join(L.sources), score=0.0, kind="ferry_crossing",
        note_en=f"Check in {stay.check_in_s / 60:.0f} min before the {hhmm(dep)} boat; crossing up to "
                f"{stay.crossing_s / 60:.0f} min, lands {hhmm(land)}{approx_en}",
        note_vi=f"Có mặt trước {stay.check_in_s / 60:.0f} phút; tàu {hhmm(dep)}, đi tối đa "
                f"{stay.crossing_s / 60:.0f} phút, cập bến {hhmm(land)}{approx_vi}",
        ferry_route=[(L.from_lat, L.from_lon), (L.to_lat, L.to_lon)] if out else
        [(L.to_lat, L.to_lon), (L.from_lat, L.from_lon)])


def leg_ends(stays: list[IslandStay], places: Sequence[Place], a: int, b: int) -> tuple[tuple[float, float],
                                                                                         tuple[float, float]] | None:
    """Coordinates of a leg on the island side of a boat (from the island port after the boat out, to it before
    the boat back), or None for any other leg (drawn from the matrix as usual)."""
    for s in stays:
        L = s.link
        if a == s.out_node:
            return (L.to_lat, L.to_lon), (places[b].lat, places[b].lon)
        if b == s.back_node:
            return (places[a].lat, places[a].lon), (L.to_lat, L.to_lon)
    return None


def day_sequence(stays: list[IslandStay], d: int, s: int, i: int, e: int) -> list[int] | None:
    """Day ``d`` from hotel ``s`` to hotel ``e`` visiting only ``i``, with the boats an island night puts on that
    day (back first when ``s`` is an island hub left that day, out last when ``e`` is one reached that day), ``i`` on
    the side of the water it lies on; None when no such day exists (``i`` on an island the day never reaches)."""
    where = next((st.link.id for st in stays if i in st.island_nodes), None)
    start_isl = next((st for st in stays if s == st.hub_node), None)
    end_isl = next((st for st in stays if e == st.hub_node), None)
    back = [start_isl.back_node] if start_isl is not None and d == start_isl.back_day else []
    out = [end_isl.out_node] if end_isl is not None and d == end_isl.out_day else []
    if where is not None:
        if start_isl is not None and start_isl.link.id == where and back:
            return [s, i, *back, *out, e]  # the island morning, then the boat back
        if end_isl is not None and end_isl.link.id == where and out:
            return [s, *back, *out, i, e]  # the boat out, then the island afternoon
        if start_isl is not None and end_isl is not None and start_isl.link.id == where == end_isl.link.id \
                and not back and not out:
            return [s, i, e]  # a day between two nights on the island
        return None
    if (start_isl is not None and not back) or (end_isl is not None and not out):
        return None  # the day is spent on an island
    return [s, *back, i, *out, e]


def unreachable_text(stays: list[IslandStay], i: int, name: str) -> str | None:
    """Why a must-visit on the island of a stay did not fit: it can only be seen between the boats."""
    for st in stays:
        if i in st.island_nodes:
            return (f"must-visit {name} is on {st.link.island}, which the trip reaches only between the boat out on "
                    f"day {st.out_day + 1} and the boat back on day {st.back_day + 1} (nights "
                    f"{', '.join(map(str, st.nights))} on the island): it does not fit there with the day's hours, "
                    f"locks and other must-visits — lock it to one of those days, move the night, or add a night")
    return None


def between_boats(stays: list[IslandStay], problem: Any, node: int) -> tuple[str, str] | None:
    """Why an island place of a stay was not visited (English, Vietnamese): it does not fit alone between the boat
    out and the boat back on any day of the stay — or ``("", "")`` when it does (then other places were worth more);
    None for a node that is not such a place. The solver's own reason codes test the place without the boats."""
    from .solve.solution import route_fits

    for st in stays:
        if node not in st.island_nodes:
            continue
        for d in range(st.out_day, st.back_day + 1):
            r = problem.routes[d]
            for s in r.start_nodes:
                for e in r.end_nodes:
                    seq = day_sequence(stays, d, s, node, e)
                    if seq is not None and route_fits(problem, d, seq)[1]:
                        return ("", "")
        out = ", ".join(hhmm(t) for t in st.out_times)
        back = ", ".join(hhmm(t) for t in st.back_times)
        return (f"only reachable between the boat out on day {st.out_day + 1} (departures {out}) and the boat "
                f"back on day {st.back_day + 1} (departures {back}); the visit does not fit that time",
                f"chỉ đến được giữa chuyến tàu ra ngày {st.out_day + 1} (giờ tàu {out}) và chuyến tàu về ngày "
                f"{st.back_day + 1} (giờ tàu {back}); không đủ thời gian tham quan")
    return None


def missed_boat(stays: list[IslandStay], problem: Any, seq: list[int], stops: Sequence[Any], name: str,
                d: int) -> tuple[float, str] | None:
    """(how late, sentence) when the day ``seq`` reaches one of its boats after the boat's last check-in — the
    reason a must-visit does not fit an island night's day — else None."""
    for q, v in enumerate(seq):
        st = next((x for x in stays if v in (x.out_node, x.back_node)), None)
        if st is None or not problem.windows[v]:
            continue
        last = max(b for _, b in problem.windows[v])
        if stops[q].arrival > last + problem.eps:
            way = "out to" if v == st.out_node else "back from"
            return (stops[q].arrival - last,
                    f"must-visit {name}: on day {d + 1} the group reaches the boat {way} {st.link.island} at "
                    f"{hhmm(stops[q].arrival)}, after the last check-in at {hhmm(last)} (the visit does not fit "
                    f"between the boats; departures {', '.join(hhmm(t) for t in (st.out_times if v == st.out_node else st.back_times))})")
    return None
