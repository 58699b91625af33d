"""Regional analytics for tourism departments: hub-to-hub travel, reach from a hub, and how fairly a set of
itineraries spreads visitors over the provinces.

Why this exists: the regional-linkage programmes (issue 6) ask whether itineraries sold in the region actually
spread time and overnight stays beyond the two or three famous cities. Departments need three answers they can put
in a report — how far apart the overnight hubs are, what can be reached from one hub in a day trip, and how
concentrated visitor hours are — each with its provenance (road-routed ``osm`` vs. straight-line ``estimate``),
so nobody mistakes an estimate for a measured road time.

Everything returns plain pandas DataFrames (tidy, one row per observation) so results go straight into
spreadsheets. This module computes only; the charts of these results are drawn by :mod:`touroute.render.charts`.

Why this module is long: it is the one analytics API a department's report is built from — hub matrix,
reachability, fairness (visitor-hours, visitor-nights and spend per province, issue 16) and the what-if that plans
twice and compares them — and the what-if needs every one of the others; each part is a function and its result
class, sharing the hub/catalogue helpers at the top. Split it when a fifth analysis arrives.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import provinces as prov
from .errors import TourouteException
from .export._common import vnd as _vnd
from .itinerary import Itinerary
from .matrix import MatrixError, Place, TravelMatrix, TravelTimes
from .messages import OSM_ATTRIBUTION
from .network.scenario import RoadScenario
from .pois import is_access_point

DEFAULT_DAY_HOURS = 10.5
"""A day-trip budget: 07:30 → 18:00, the planner's usual touring day."""


class AnalyticsError(TourouteException):
    """A user-caused analytics problem (unknown hub, empty input …): shown as one line by the CLI."""


# ---------------------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------------------
def _router_and_catalogue(ctx_or_router: Any, catalogue: Any) -> tuple[TravelTimes, Any, Any]:
    """Accept a PlanningContext (uses its router, catalogue and cached matrices) or a bare TravelTimes."""
    ctx = None
    if isinstance(ctx_or_router, TravelTimes):
        router = ctx_or_router
    elif ctx_or_router is None:
        router = TravelTimes()
    else:  # PlanningContext (duck-typed to avoid importing the planner here)
        ctx = ctx_or_router
        router = ctx.router
        if catalogue is None:
            catalogue = ctx.catalogue
    if catalogue is None:
        from .pois import default_catalogue

        catalogue = default_catalogue()
    return router, catalogue, ctx


def _poi(catalogue: Any, pid: str) -> Any:
    try:
        return catalogue.get(pid)
    except KeyError as exc:
        raise AnalyticsError(str(exc.args[0]) if exc.args else f"unknown place {pid!r}") from None


def default_hubs(catalogue: Any) -> list[str]:
    """One hub per legacy province: its most popular lodging hub (ties: catalogue order), north to south.

    Popularity is the catalogue's 1–10 rating, so e.g. Quảng Nam is represented by Tam Kỳ (5) rather than
    Hội An (4) as long as the catalogue rates them so; pass ``hubs=`` explicitly to choose differently.
    """
    best: dict[str, Any] = {}
    for p in catalogue.hubs():
        cur = best.get(p.province_legacy)
        if cur is None or p.popularity > cur.popularity:
            best[p.province_legacy] = p
    return [best[name].id for name in prov.legacy_names() if name in best]


# ---------------------------------------------------------------------------------------------------------------
# 1. hub matrix
# ---------------------------------------------------------------------------------------------------------------
@dataclass
class HubMatrix:
    """Minutes, km and source (osm / estimate) between every ordered pair of hubs for one vehicle profile."""

    profile: str
    matrix: TravelMatrix
    names: dict[str, str] = field(default_factory=dict)
    names_vi: dict[str, str] = field(default_factory=dict)

    def label(self, pid: str, lang: str = "en") -> str:
        """A hub's name in ``lang`` (``vi`` or ``en``) for tables and charts; the id only when it has no name."""
        table = self.names_vi if lang == "vi" else self.names
        return table.get(pid) or self.names.get(pid) or self.names_vi.get(pid) or pid

    @property
    def ids(self) -> list[str]:
        return self.matrix.ids

    @property
    def minutes(self) -> pd.DataFrame:
        return pd.DataFrame(self.matrix.seconds / 60.0, index=self.ids, columns=self.ids)

    @property
    def km(self) -> pd.DataFrame:
        return pd.DataFrame(self.matrix.metres / 1000.0, index=self.ids, columns=self.ids)

    @property
    def sources(self) -> pd.DataFrame:
        return pd.DataFrame(self.matrix.sources, index=self.ids, columns=self.ids)

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per ordered pair of different hubs (from, to, minutes, km, source, profile)."""
        rows = []
        m = self.matrix
        for i, a in enumerate(self.ids):
            for j, b in enumerate(self.ids):
                if i == j:
                    continue
                rows.append({"from_id": a, "to_id": b, "from_name": self.names.get(a, a),
                             "to_name": self.names.get(b, b), "minutes": round(float(m.seconds[i, j]) / 60, 1),
                             "km": round(float(m.metres[i, j]) / 1000, 1), "source": str(m.sources[i, j]),
                             "profile": self.profile})
        return pd.DataFrame(rows, columns=["from_id", "to_id", "from_name", "to_name", "minutes", "km", "source",
                                           "profile"])

    def to_csv(self, path: str | Path | None = None) -> str:
        text = self.to_frame().to_csv(index=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def to_markdown(self, lang: str = "en") -> str:
        """A square table of minutes between the hubs, named in ``lang``; cells estimated (not road-routed) carry
        a ``*``.

        Hand-built rather than ``DataFrame.to_markdown`` so it needs no ``tabulate`` dependency."""
        ids = self.ids
        mins, src = self.matrix.seconds / 60.0, self.matrix.sources
        corner = "từ \\ đến (phút)" if lang == "vi" else "from \\ to (min)"
        head = f"| {corner} | " + " | ".join(self.label(i, lang) for i in ids) + " |"
        lines = [head, "|" + "---|" * (len(ids) + 1)]
        for i, a in enumerate(ids):
            cells = ["—" if i == j else f"{mins[i, j]:.0f}{'*' if src[i, j] == 'estimate' else ''}"
                     for j in range(len(ids))]
            lines.append(f"| {self.label(a, lang)} | " + " | ".join(cells) + " |")
        lines.append("")
        if lang == "vi":
            lines.append(f"Phương tiện: {self.profile}. * = ước tính ngoại tuyến, chưa có mạng đường cho chặng đó "
                         "(docs/network.md); các ô khác theo đường OpenStreetMap.")
        else:
            lines.append(f"Profile: {self.profile}. * = offline estimate, no loaded road network covers the pair "
                         "(docs/network.md); other cells routed on OpenStreetMap roads.")
        lines.append(OSM_ATTRIBUTION)
        return "\n".join(lines)


def hub_matrix(ctx_or_router: Any = None, hubs: Sequence[str] | None = None, profile: str = "car",
               catalogue: Any = None, scenario: RoadScenario | None = None) -> HubMatrix:
    """Travel between the region's hubs (default: :func:`default_hubs`), per profile, each cell osm/estimate.

    Any catalogue place may be passed as a "hub" (e.g. a venue) — the matrix is computed for exactly those places
    with the router's coverage rules, not taken from the whole-catalogue cache, so it stays cheap. ``scenario``
    (a road what-if, :mod:`touroute.network.scenario`) computes it on the same networks under that scenario;
    :func:`hub_change` then shows which pairs got faster.
    """
    router, cat, _ = _router_and_catalogue(ctx_or_router, catalogue)
    if scenario is not None:
        router = router.with_scenario(scenario)
    ids = list(hubs) if hubs else default_hubs(cat)
    if not ids:
        raise AnalyticsError("no hubs: the catalogue has no lodging places / danh mục không có điểm lưu trú")
    if len(set(ids)) != len(ids):
        raise AnalyticsError(f"hub list repeats a place: {ids}")
    pois = [_poi(cat, h) for h in ids]
    places = [Place(p.id, p.lat, p.lon, p.name_en) for p in pois]
    try:
        m = router.matrix(places, profile)
    except (MatrixError, KeyError, ValueError) as exc:
        raise AnalyticsError(str(exc)) from None
    return HubMatrix(m.profile, m, {p.id: p.name_en for p in pois}, {p.id: p.name_vi for p in pois})


# ---------------------------------------------------------------------------------------------------------------
# 2. reachability
# ---------------------------------------------------------------------------------------------------------------
def reachable(ctx_or_router: Any, hub_id: str, minutes: float, profile: str = "car",
              categories: Sequence[str] | None = None, catalogue: Any = None,
              day_hours: float = DEFAULT_DAY_HOURS) -> pd.DataFrame:
    """Catalogue places within ``minutes`` one-way travel of ``hub_id`` (an isochrone as a list), nearest first.

    ``day_trip_fits`` says whether out + visit (``visit_minutes``) + back fits in ``day_hours`` — the question a
    department asks when promoting a place as "a day trip from X". Return legs use the matrix's own
    place → hub time (roads may be one-way). Lodging places are left out unless asked for via ``categories``.
    """
    if minutes <= 0:
        raise AnalyticsError("--minutes must be positive")
    router, cat, ctx = _router_and_catalogue(ctx_or_router, catalogue)
    hub = _poi(cat, hub_id)
    cands = cat.filter(category=list(categories)) if categories else cat.filter(
        category=["heritage", "mice", "coastal", "other"])
    # piers, ports and ticket offices are where a visit starts, not what a day trip is for (a review found ferry
    # landings listed as "places reachable in a day trip")
    pois = [p for p in cands if p.id != hub.id and not is_access_point(p)]
    if ctx is not None and catalogue is None:  # whole-catalogue matrix, cached on disk by the context
        m = ctx.matrix(profile)
        hi = m.index(hub.id)
        idx = [m.index(p.id) for p in pois]
    else:
        m = router.matrix([Place(hub.id, hub.lat, hub.lon, hub.name_en)]
                          + [Place(p.id, p.lat, p.lon, p.name_en) for p in pois], profile)
        hi, idx = 0, list(range(1, len(pois) + 1))
    cols = ["place_id", "name_en", "name_vi", "category", "province_legacy", "province", "minutes", "km",
            "source", "return_minutes", "visit_minutes", "round_trip_minutes", "day_trip_fits"]
    rows = []
    srcs = m.sources
    for p, j in zip(pois, idx):
        out_min = float(m.seconds[hi, j]) / 60
        if not math.isfinite(out_min) or out_min > minutes:
            continue
        back = float(m.seconds[j, hi]) / 60
        total = out_min + p.visit_minutes + back
        rows.append({"place_id": p.id, "name_en": p.name_en, "name_vi": p.name_vi, "category": p.category,
                     "province_legacy": p.province_legacy, "province": p.province, "minutes": round(out_min, 1),
                     "km": round(float(m.metres[hi, j]) / 1000, 1), "source": str(srcs[hi, j]),
                     "return_minutes": round(back, 1), "visit_minutes": p.visit_minutes,
                     "round_trip_minutes": round(total, 1), "day_trip_fits": bool(total <= day_hours * 60)})
    df = pd.DataFrame(rows, columns=cols)
    return df.sort_values(["minutes", "place_id"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------------------
# 3. fairness
# ---------------------------------------------------------------------------------------------------------------
def gini(values: Sequence[float]) -> float:
    """Gini coefficient: mean absolute difference ÷ (2 × mean); 0 = equal, (n−1)/n = all in one province.

    Zeros count — a province nobody visits is exactly the inequality this index should show."""
    x = np.asarray(values, dtype=float)
    if x.size == 0 or x.sum() <= 0:
        return 0.0
    return float(np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size ** 2 * x.mean()))


def hhi(values: Sequence[float]) -> float:
    """Herfindahl-Hirschman index on shares (0–1): Σ share²; 1/n = even spread, 1 = one province only."""
    x = np.asarray(values, dtype=float)
    if x.size == 0 or x.sum() <= 0:
        return 0.0
    s = x / x.sum()
    return float((s ** 2).sum())


UNKNOWN_PROVINCE = "?"
"""Where spend goes when it cannot be put in a province (a night or leg end at free coordinates)."""

SPEND_PARTS = ("fees", "lodging", "vehicle")


@dataclass
class FairnessReport:
    """Visitor-hours, visitor-nights and spend per province over a set of itineraries, with concentration indices.

    Why visitors and not plans: a 40-person coach brings twenty times the visitors (and money) of a couple on the
    same stops, so every hour on site and every night is multiplied by the plan's group size (``visitor_hours``,
    ``visitor_nights``); Gini and HHI are computed over visitor-hours. The plain ``visit_hours`` and ``nights``
    (one per plan, whatever its size) stay for comparison.

    Spend per province (VND) comes from each plan's own cost figures (``totals.costs``), never from new guesses:
    entry fees go to the province of the stop that charges them; lodging is split evenly over the plan's nights
    and goes to each night's province; the vehicle cost is split over the legs by length and each leg's share half
    to the province at either end (**an assumption**: a leg's road may cross a third province, and the hire firm
    may be based elsewhere). What cannot be placed (free coordinates) is in ``spend_unplaced``; ``notes`` lists
    what is unknown or assumed (fees not published, fees not included, group size missing), so the spend columns
    add up exactly to the plans' totals.

    ``legacy`` has all 12 legacy provinces, zeros included (Gini/HHI are computed over these 12, so a province
    never visited raises concentration); ``since_2025`` aggregates them to the merged provinces.
    """

    legacy: pd.DataFrame
    since_2025: pd.DataFrame
    gini: float
    hhi: float
    total_visit_hours: float
    total_nights: int
    itineraries: int
    unused_places: list[str] = field(default_factory=list)
    total_visitor_hours: float = 0.0
    total_visitor_nights: int = 0
    visitors: int = 0
    spend_total: float = 0.0
    spend_unplaced: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    gini_2025: float = 0.0
    hhi_2025: float = 0.0
    """Gini and HHI over the 2025 provinces' visitor-hours (the region's 2025 provinces, zeros included): a merged
    province's department reports concentration in its own units — HHI over 12 legacy provinces is not HHI over 7."""

    def concentration(self, level: str = "legacy") -> tuple[float, float]:
        """(Gini, HHI) of visitor-hours at ``level`` (``legacy`` or ``2025``)."""
        return (self.gini, self.hhi) if level == "legacy" else (self.gini_2025, self.hhi_2025)

    def indices(self) -> dict[str, float]:
        return {"gini": self.gini, "hhi": self.hhi, "total_visit_hours": self.total_visit_hours,
                "total_nights": float(self.total_nights), "itineraries": float(self.itineraries),
                "total_visitor_hours": self.total_visitor_hours,
                "total_visitor_nights": float(self.total_visitor_nights), "spend_total": self.spend_total}

    def to_frame(self, level: str = "legacy") -> pd.DataFrame:
        return (self.legacy if level == "legacy" else self.since_2025).copy()

    def to_json_dict(self) -> dict[str, Any]:
        return {"itineraries": self.itineraries, "visitors": self.visitors,
                "total_visit_hours": round(self.total_visit_hours, 3), "total_nights": self.total_nights,
                "total_visitor_hours": round(self.total_visitor_hours, 3),
                "total_visitor_nights": self.total_visitor_nights, "spend_total_vnd": round(self.spend_total),
                "spend_unplaced_vnd": {k: round(v) for k, v in self.spend_unplaced.items()},
                "gini": round(self.gini, 4), "hhi": round(self.hhi, 4),
                "gini_2025": round(self.gini_2025, 4), "hhi_2025": round(self.hhi_2025, 4),
                "legacy": self.legacy.round(4).to_dict(orient="records"),
                "since_2025": self.since_2025.round(4).to_dict(orient="records"),
                "unused_places": self.unused_places, "notes": self.notes}


def _group_size(it: Itinerary) -> int | None:
    """The plan's group size from the request saved in it (None when the itinerary carries no request)."""
    raw = (it.request or {}).get("group_size")
    if raw is None:
        return None if not it.request else 2  # the PlanRequest default
    try:
        return max(1, int(raw))
    except (TypeError, ValueError):
        return None


def _stop_fee(s: Any) -> float:
    """A stop's fee per person as the planner costs it: the place's fee plus a separately sold access ticket."""
    fee = float(s.fee_vnd or 0)
    if s.access is not None and getattr(s.access, "fee_vnd", None):
        fee += float(s.access.fee_vnd)
    return fee


def _plan_spend(it: Itinerary) -> dict[str, dict[str, float]]:
    """Spend of one plan per legacy province (or :data:`UNKNOWN_PROVINCE`) and part (fees / lodging / vehicle),
    summing exactly to its cost figures."""
    costs = it.totals.costs
    out: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(SPEND_PARTS, 0.0))
    # entry fees: by each stop's fee weight (the plan's fees_total is Σ fee × group size when fees are included)
    if costs.fees_total > 0:
        weights = [(s.province_legacy or UNKNOWN_PROVINCE, _stop_fee(s)) for d in it.days for s in d.stops]
        wsum = sum(w for _p, w in weights)
        if wsum > 0:
            for pv, w in weights:
                out[pv]["fees"] += costs.fees_total * w / wsum
        else:
            out[UNKNOWN_PROVINCE]["fees"] += costs.fees_total
    # lodging: the plan's lodging_total evenly over its nights, each in its night's province
    nights = [d.lodging for d in it.days if d.lodging is not None]
    if costs.lodging_total > 0:
        if nights:
            for n in nights:
                out[n.province_legacy or UNKNOWN_PROVINCE]["lodging"] += costs.lodging_total / len(nights)
        else:
            out[UNKNOWN_PROVINCE]["lodging"] += costs.lodging_total
    # vehicle: vehicle_total over the legs by length, each leg half to either end's province
    if costs.vehicle_total > 0:
        legs = []
        for d in it.days:
            where = {d.start.place_id: d.start.province_legacy, d.end.place_id: d.end.province_legacy}
            where.update({s.place_id: s.province_legacy for s in d.stops})
            legs += [(where.get(lg.from_id), where.get(lg.to_id), lg.metres) for lg in d.legs]
        msum = sum(m for *_e, m in legs)
        if msum > 0:
            for a, b, m in legs:
                share = costs.vehicle_total * m / msum
                out[a or UNKNOWN_PROVINCE]["vehicle"] += share / 2
                out[b or UNKNOWN_PROVINCE]["vehicle"] += share / 2
        else:
            out[UNKNOWN_PROVINCE]["vehicle"] += costs.vehicle_total
    return out


def fairness_report(itineraries: Sequence[Itinerary], catalogue: Any = None) -> FairnessReport:
    """Aggregate ``itineraries`` (e.g. a season's sold tours, or one scenario's plans) by province.

    Visit time is each stop's start → departure (waiting excluded), read from the days themselves rather than
    ``totals`` so hand-edited plans count too; nights are days with a ``lodging`` endpoint. Visitor-hours and
    visitor-nights multiply them by the plan's group size (from its saved request); spend per province splits the
    plan's cost figures (see :class:`FairnessReport`). Infeasible plans (no days) simply add nothing. With
    ``catalogue``, places never visited (stop ids and island-trip ``includes``) are listed — lodging hubs excluded
    since they are not visits.
    """
    minutes: dict[str, float] = defaultdict(float)
    vminutes: dict[str, float] = defaultdict(float)
    nights: dict[str, int] = defaultdict(int)
    vnights: dict[str, int] = defaultdict(int)
    spend: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(SPEND_PARTS, 0.0))
    used: set[str] = set()
    names = prov.legacy_names()
    no_group: list[int] = []
    no_fees: list[int] = []
    unknown_fees: dict[str, tuple[str, str]] = {}  # place id → (English, Vietnamese name): notes name places
    visitors = 0
    spend_total = 0.0
    for k, it in enumerate(itineraries, 1):
        size = _group_size(it)
        if size is None:
            no_group.append(k)
            size = 1
        if it.days:
            visitors += size
        for day in it.days:
            for s in day.stops:
                if s.kind == "ferry_crossing":  # an island night's boat: travel, not a visit
                    continue
                minutes[s.province_legacy] += s.visit_minutes
                vminutes[s.province_legacy] += s.visit_minutes * size
                used.add(s.place_id)
                used.update(s.includes)
            if day.lodging is not None and day.lodging.province_legacy:
                nights[day.lodging.province_legacy] += 1
                vnights[day.lodging.province_legacy] += size
        if it.days:
            costs = it.totals.costs
            spend_total += costs.fees_total + costs.lodging_total + costs.vehicle_total
            named = {s.place_id: (s.name_en or s.place_id, s.name_vi or s.name_en or s.place_id)
                     for d in it.days for s in d.stops}
            unknown_fees.update({pid: named.get(pid, (pid, pid)) for pid in costs.fees_unknown})
            if costs.fees_total == 0 and any(_stop_fee(s) > 0 for d in it.days for s in d.stops):
                no_fees.append(k)
            per = _plan_spend(it)
            for pv, parts in per.items():
                for part, v in parts.items():
                    spend[pv][part] += v
    extra = [p for p in list(minutes) + list(nights) if p not in names]
    extra += [p for p in spend if p not in names and p != UNKNOWN_PROVINCE]
    if extra:
        raise AnalyticsError(f"itinerary names provinces outside the region: {sorted(set(extra))}")
    hours = np.array([minutes.get(n, 0.0) / 60 for n in names])
    vhours = np.array([vminutes.get(n, 0.0) / 60 for n in names])
    nts = np.array([nights.get(n, 0) for n in names])
    vnts = np.array([vnights.get(n, 0) for n in names])
    tot_h, tot_n = float(hours.sum()), int(nts.sum())
    tot_vh, tot_vn = float(vhours.sum()), int(vnts.sum())
    cols = {part: np.array([spend[n][part] if n in spend else 0.0 for n in names]) for part in SPEND_PARTS}
    sp = cols["fees"] + cols["lodging"] + cols["vehicle"]

    def share(x: np.ndarray, tot: float) -> np.ndarray:
        return x / tot if tot else np.zeros(len(names))

    legacy = pd.DataFrame({
        "province_legacy": names, "province": [prov.since_2025_of(n) for n in names],
        "visitor_hours": vhours, "visitor_hours_share": share(vhours, tot_vh),
        "visitor_nights": vnts, "visitor_nights_share": share(vnts, tot_vn),
        "spend_fees_vnd": cols["fees"], "spend_lodging_vnd": cols["lodging"], "spend_vehicle_vnd": cols["vehicle"],
        "spend_vnd": sp, "spend_share": share(sp, spend_total),
        "visit_hours": hours, "visit_share": share(hours, tot_h), "nights": nts, "nights_share": share(nts, tot_n)})
    sums = ["visitor_hours", "visitor_nights", "spend_fees_vnd", "spend_lodging_vnd", "spend_vehicle_vnd",
            "spend_vnd", "visit_hours", "nights"]
    new = legacy.groupby("province", sort=False)[sums].sum().reset_index()
    new["visitor_hours_share"] = new["visitor_hours"] / tot_vh if tot_vh else 0.0
    new["visitor_nights_share"] = new["visitor_nights"] / tot_vn if tot_vn else 0.0
    new["spend_share"] = new["spend_vnd"] / spend_total if spend_total else 0.0
    new["visit_share"] = new["visit_hours"] / tot_h if tot_h else 0.0
    new["nights_share"] = new["nights"] / tot_n if tot_n else 0.0
    new = new[["province", "visitor_hours", "visitor_hours_share", "visitor_nights", "visitor_nights_share",
               "spend_fees_vnd", "spend_lodging_vnd", "spend_vehicle_vnd", "spend_vnd", "spend_share",
               "visit_hours", "visit_share", "nights", "nights_share"]]
    unused: list[str] = []
    if catalogue is not None:
        unused = sorted(p.id for p in catalogue if p.category != "lodging" and p.id not in used)
    unplaced = {part: float(v) for part, v in spend.get(UNKNOWN_PROVINCE, {}).items() if v}
    notes = ["spend_vehicle: each leg's share of the plan's vehicle cost is split half-half between the provinces "
             "at its two ends (assumed; the road may cross another province) / chi phí xe chia đôi cho tỉnh ở hai "
             "đầu mỗi chặng (giả định)"]
    if unknown_fees:
        en = ", ".join(sorted(n for n, _v in unknown_fees.values()))
        vi = ", ".join(sorted(v for _n, v in unknown_fees.values()))
        notes.append(f"spend_fees: the entry fee of {len(unknown_fees)} visited place(s) is not published and "
                     f"counts as 0: {en} / chưa công bố giá vé, tính 0: {vi}")
    if no_fees:
        notes.append(f"spend_fees: plan(s) {', '.join(map(str, no_fees))} did not include entry fees in their costs "
                     "(costs.include_fees off): their fees are not counted / kế hoạch không tính giá vé")
    if no_group:
        notes.append(f"plan(s) {', '.join(map(str, no_group))} carry no request, so their group size is unknown: "
                     "counted as 1 visitor / không rõ số khách: tính 1")
    if unplaced:
        notes.append("spend at free coordinates (no province) is listed apart: "
                     + ", ".join(f"{k} {_vnd(v)}" for k, v in unplaced.items()))
    vh25 = new["visitor_hours"].to_numpy(dtype=float)
    return FairnessReport(legacy, new, gini(vhours), hhi(vhours), tot_h, tot_n, len(itineraries), unused,
                          tot_vh, tot_vn, visitors, spend_total, unplaced, notes, gini(vh25), hhi(vh25))


# ---------------------------------------------------------------------------------------------------------------
# 4. what-if comparison
# ---------------------------------------------------------------------------------------------------------------
def compare(report_a: FairnessReport, report_b: FairnessReport) -> pd.DataFrame:
    """B − A per legacy province (hours, share, nights) followed by rows for the indices.

    One tidy frame (``item``, ``kind``, ``a``, ``b``, ``change``) so a department sees at a glance whether a
    scenario (new route, promotion) moves time towards the less-visited provinces and lowers Gini/HHI.
    """
    rows = []
    a, b = report_a.legacy.set_index("province_legacy"), report_b.legacy.set_index("province_legacy")
    for name in a.index:
        for col in ("visitor_hours", "visitor_hours_share", "visitor_nights", "spend_vnd", "visit_hours",
                    "visit_share", "nights"):
            va, vb = float(a.at[name, col]), float(b.at[name, col])
            rows.append({"item": name, "kind": col, "a": va, "b": vb, "change": vb - va})
    ia, ib = report_a.indices(), report_b.indices()
    for k in ("gini", "hhi", "total_visitor_hours", "total_visitor_nights", "spend_total", "total_visit_hours",
              "total_nights"):
        rows.append({"item": k, "kind": "index", "a": ia[k], "b": ib[k], "change": ib[k] - ia[k]})
    return pd.DataFrame(rows, columns=["item", "kind", "a", "b", "change"])


def hub_change(a: HubMatrix, b: HubMatrix) -> pd.DataFrame:
    """Per ordered pair of hubs: minutes and km in A and B, the change (B − A; negative = faster in B) in minutes
    and percent, and both sources; biggest saving first. Both matrices must cover the same hubs and profile."""
    if a.ids != b.ids or a.profile != b.profile:
        raise AnalyticsError("hub matrices to compare must have the same hubs and profile")
    ma, mb = a.matrix, b.matrix
    rows = []
    for i, x in enumerate(a.ids):
        for j, y in enumerate(a.ids):
            if i == j:
                continue
            sa, sb = float(ma.seconds[i, j]) / 60, float(mb.seconds[i, j]) / 60
            rows.append({"from_id": x, "to_id": y, "from_name": a.names.get(x, x), "to_name": a.names.get(y, y),
                         "minutes_a": round(sa, 1), "minutes_b": round(sb, 1), "change_minutes": round(sb - sa, 1),
                         "change_pct": round(100 * (sb - sa) / sa, 1) if sa > 0 else 0.0,
                         "km_a": round(float(ma.metres[i, j]) / 1000, 1), "km_b": round(float(mb.metres[i, j]) / 1000, 1),
                         "source_a": str(ma.sources[i, j]), "source_b": str(mb.sources[i, j]), "profile": a.profile})
    cols = ["from_id", "to_id", "from_name", "to_name", "minutes_a", "minutes_b", "change_minutes", "change_pct",
            "km_a", "km_b", "source_a", "source_b", "profile"]
    df = pd.DataFrame(rows, columns=cols)
    return df.sort_values(["change_minutes", "from_id", "to_id"], kind="stable").reset_index(drop=True)


@dataclass
class WhatIf:
    """Baseline (A) against a scenario (B): the hub matrix change, each plan's change, and the fairness change.

    B differs from A by a road scenario (faster roads / estimate corridors) and/or extra must-cover provinces added
    to every request; everything else (requests, seeds, solver budgets, catalogue) is the same, so a difference is
    the scenario's effect (the solver's budget is deterministic)."""

    scenario: RoadScenario | None
    must_cover: list[str]
    hubs: pd.DataFrame
    plans: pd.DataFrame
    fairness: pd.DataFrame
    report_a: FairnessReport
    report_b: FairnessReport
    itineraries_a: list[Itinerary] = field(default_factory=list, repr=False)
    itineraries_b: list[Itinerary] = field(default_factory=list, repr=False)
    notes: list[str] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        import json

        def records(df: pd.DataFrame) -> list[dict]:
            return json.loads(df.to_json(orient="records", force_ascii=False))

        return {"scenario": self.scenario.model_dump(mode="json", by_alias=True) if self.scenario else None,
                "must_cover": self.must_cover, "hubs": records(self.hubs), "plans": records(self.plans),
                "fairness": records(self.fairness), "report_a": self.report_a.to_json_dict(),
                "report_b": self.report_b.to_json_dict(), "notes": self.notes}


def requests_from_spec(spec: Any, catalogue: Any = None) -> list[tuple[str, Any]]:
    """(package id, PlanRequest) of every package of a package spec (:mod:`touroute.packages`)."""
    return [(t.id, spec.request(t, catalogue)) for t in spec.packages]


def requests_from_itineraries(itineraries: Sequence[Itinerary], labels: Sequence[str]) -> list[tuple[str, Any]]:
    """The requests saved inside itinerary JSON files (``touroute plan --format json``), to re-plan them."""
    from pydantic import ValidationError

    from .model import PlanRequest

    out = []
    for label, it in zip(labels, itineraries):
        if not it.request:
            raise AnalyticsError(f"{label}: the itinerary carries no request to re-plan")
        try:
            out.append((label, PlanRequest.model_validate(it.request)))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise AnalyticsError(f"{label}: request.{'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    return out


def _with_must_cover(req: Any, provinces: Sequence[str]) -> Any:
    """``req`` with extra must-cover provinces (and, when the request limits its places to some provinces, those
    provinces allowed too — otherwise the rule could never be met)."""
    if not provinces:
        return req
    cover = list(dict.fromkeys([*req.regional.must_cover, *provinces]))
    update: dict[str, Any] = {"regional": req.regional.model_copy(update={"must_cover": cover})}
    if req.provinces:
        era = "legacy" if getattr(req, "province_scheme", "2025") == "legacy" else "auto"
        legacy = [p.legacy for name in provinces for p in prov.resolve(name, era)]
        update["provinces"] = list(dict.fromkeys([*req.provinces, *legacy]))
    return req.model_copy(update=update)


def whatif(requests: Sequence[tuple[str, Any]], scenario: RoadScenario | None = None, *, ctx: Any = None,
           must_cover: Sequence[str] = (), hubs: Sequence[str] | None = None, profile: str = "car",
           seconds: float | None = None,
           progress: Callable[[dict[str, Any], int, int], None] | None = None) -> WhatIf:
    """Plan ``requests`` under the baseline (A) and under ``scenario`` / ``must_cover`` (B) and report the change:
    hub-to-hub minutes (:func:`hub_change`), per plan (feasible, stops, driving minutes, km, stops changed) and
    fairness per province (:func:`compare`). ``seconds`` overrides every request's solver budget.
    ``progress(row, n_done, total)`` is called after each request's pair of plans (a batch what-if runs as a
    background job that shows its progress and may be cancelled there: an exception raised by it stops the run)."""
    from .planner import PlanningContext, plan

    if scenario is None and not must_cover:
        raise AnalyticsError("a what-if needs a road scenario and/or must-cover provinces to compare against")
    for name in must_cover:
        try:
            prov.resolve(name)
        except prov.UnknownProvinceError as exc:
            raise AnalyticsError(f"--must-cover: {exc}") from None
    ctx_a = ctx or PlanningContext()
    router_b = ctx_a.router.with_scenario(scenario) if scenario is not None else ctx_a.router
    ctx_b = PlanningContext(catalogue=ctx_a.catalogue, router=router_b, data_dir=ctx_a.data_dir)
    hm_a = hub_matrix(ctx_a.router, hubs, profile, ctx_a.catalogue)
    hm_b = hub_matrix(router_b, hubs, profile, ctx_a.catalogue)
    its_a: list[Itinerary] = []
    its_b: list[Itinerary] = []
    rows = []
    for label, req in requests:
        if seconds is not None:
            req = req.model_copy(update={"solver": req.solver.model_copy(update={"time_limit_s": seconds})})
        pair = []
        for c, r in ((ctx_a, req), (ctx_b, _with_must_cover(req, must_cover))):
            try:
                pair.append(plan(r, c, geometry=False))
            except TourouteException as exc:
                pair.append(Itinerary(feasible=False, problems=[f"{label}: {exc}"]))
        a, b = pair
        its_a.append(a)
        its_b.append(b)
        rows.append({"plan": label, "feasible_a": a.feasible, "feasible_b": b.feasible,
                     "stops_a": a.totals.stops, "stops_b": b.totals.stops,
                     "drive_minutes_a": round(a.totals.driving_seconds / 60, 1),
                     "drive_minutes_b": round(b.totals.driving_seconds / 60, 1),
                     "km_a": round(a.totals.metres / 1000, 1), "km_b": round(b.totals.metres / 1000, 1),
                     "stops_changed": a.stop_ids() != b.stop_ids(),
                     "problems_b": "; ".join(b.problems)})
        if progress is not None:
            progress(rows[-1], len(rows), len(requests))
    rep_a = fairness_report(its_a, ctx_a.catalogue)
    rep_b = fairness_report(its_b, ctx_a.catalogue)
    return WhatIf(scenario, list(must_cover), hub_change(hm_a, hm_b), pd.DataFrame(rows), compare(rep_a, rep_b),
                  rep_a, rep_b, its_a, its_b, list(router_b.notes))


def load_itineraries(paths: Sequence[str | Path]) -> list[Itinerary]:
    """Read itinerary JSON files as written by ``touroute plan --format json -o``; clear error per bad file."""
    from pydantic import ValidationError

    out = []
    for p in paths:
        try:
            out.append(Itinerary.model_validate_json(Path(p).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise AnalyticsError(f"{p}: cannot read ({exc})") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            raise AnalyticsError(f"{p}: not an itinerary JSON ({'.'.join(map(str, first['loc']))}: "
                                 f"{first['msg']})") from None
    return out
