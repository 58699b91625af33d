"""Catalogue quality: what each province's data knows, what it is missing, and what may be wrong.

A tourism department opening touroute wants to know what its own province lacks before it trusts a plan: which
places have no published hours or fee, which MICE venues have no seat count, which facts are old, which records
look like duplicates or point at the wrong OSM object. :func:`quality_report` answers that from the catalogue
alone (plus, optionally, the raw OSM POI export to check ``osm_id`` names); ``touroute pois quality`` and the web
app's ``/analytics/quality`` page show the same report. The targets are the ones the catalogue is held to
(``tests/test_quality.py``), so the report and the tests cannot disagree.
"""

from __future__ import annotations

import csv
import difflib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from . import attractiveness as attr
from . import provinces as prov
from .geo import haversine_m
from .messages import CATEGORIES
from .pois import FACTS, STALE_AFTER_YEARS, Catalogue, Poi, is_stale, is_visit
from .resources import data_dir

TIER_BOUNDS: tuple[int, ...] = (attr.HEADLINE, 40, 15)
"""Attractiveness tiers: 1 = must-see (≥ 70), 2 = worth a detour (≥ 40), 3 = worth a stop (≥ 15), 4 = the rest."""

NEAR_METRES = 50.0
"""Two records closer than this are reported as possible duplicates (unless one is part of the other)."""

FIELDS: tuple[str, ...] = ("hours", "fee", "seats", "osm_id", "description")
"""Coverage columns of the report: the dated facts (hours and fee for places to visit, seats for MICE venues), the
OSM object a record was matched to, and a description."""

# Targets of issue 13 (also asserted by tests/test_quality.py).
TARGET_TOP_TIERS = 0.90      # hours and fee, each dated and sourced, for places of tiers 1–2
TARGET_OVERALL = 0.60        # … for all places to visit
TARGET_SEATS = 0.80          # MICE venues with a published seat count
TARGET_PLACES = 600
TARGET_PER_PROVINCE = 30     # every legacy province
TARGET_CRAFT = 3             # craft villages / OCOP places per legacy province
TARGET_MICE = 2              # MICE venues per legacy province (where they exist)
TARGET_BENCHMARK = 0.90      # places named by the published-programme benchmark that the catalogue has


def tier(attractiveness: int) -> int:
    """1 (must-see) … 4 (the rest), by :data:`TIER_BOUNDS`."""
    for k, bound in enumerate(TIER_BOUNDS, start=1):
        if attractiveness >= bound:
            return k
    return len(TIER_BOUNDS) + 1


def is_craft(poi: Poi) -> bool:
    return poi.subcategory == "craft_village" or "craft_village" in poi.tags or "ocop" in poi.tags


def has_fact(poi: Poi, name: str) -> bool:
    """``name`` (a key of :data:`FIELDS`) is known for ``poi`` — a dated fact only with its source and date."""
    if name in FACTS:
        value_f, source_f, as_of_f = FACTS[name]
        return all(getattr(poi, f) is not None for f in (value_f, source_f, as_of_f))
    if name == "osm_id":
        return poi.osm_id is not None
    if name == "description":
        return bool(poi.description_en and poi.description_vi)
    raise KeyError(name)


def _applies(poi: Poi, name: str) -> bool:
    """Which places a field is expected of: hours and fee of places to visit, seats of MICE venues."""
    if name in ("hours", "fee"):
        return is_visit(poi)
    if name == "seats":
        return poi.category == "mice"
    return poi.category != "lodging"


_FIELD_VI = {"hours": "giờ mở cửa", "fee": "giá vé", "seats": "sức chứa", "osm_id": "osm_id", "description": "mô tả"}
"""Column names of the coverage table in Vietnamese."""


@dataclass(frozen=True)
class Target:
    """One coverage target: its measured value against the goal."""

    key: str
    label_en: str
    label_vi: str
    value: float
    goal: float
    share: bool  # value/goal are shares (0–1) rather than counts
    detail: str = ""
    detail_vi: str | None = None  # the detail in Vietnamese where it has words (None: the same as ``detail``)

    @property
    def met(self) -> bool:
        return self.value >= self.goal

    def text(self, lang: str = "en") -> str:
        fmt = (lambda x: f"{x * 100:.0f} %") if self.share else (lambda x: f"{x:.0f}")
        label = self.label_vi if lang == "vi" else self.label_en
        detail = self.detail_vi if lang == "vi" and self.detail_vi is not None else self.detail
        mark = "✓" if self.met else "✗"
        return f"{mark} {label}: {fmt(self.value)} (≥ {fmt(self.goal)})" + (f" — {detail}" if detail else "")


@dataclass
class QualityReport:
    """Coverage per province × category × field, the targets, and the records that need a look."""

    today: date
    coverage: pd.DataFrame
    """Rows (province_legacy, category): ``places`` and, per field, ``<field>`` = places that have it and
    ``<field>_of`` = places it is expected of."""
    targets: list[Target]
    stale: list[tuple[str, str, str]] = field(default_factory=list)
    """(id, fact, as_of) of facts older than the stale limit."""
    near: list[tuple[str, str, float]] = field(default_factory=list)
    """(id, id, metres) of records closer than :data:`NEAR_METRES`, neither a part of the other."""
    osm_mismatch: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(id, osm_id, our name, the OSM object's name) where the names share nothing."""
    osm_checked: int = 0
    province: str | None = None
    not_placeable: list["NotPlaceable"] = field(default_factory=list)
    """Places looked for that could not be placed (no position anyone can
    check, closed …): ``evidence/not_placeable.csv`` beside the catalogue — what a province is missing and why."""

    def shares(self) -> pd.DataFrame:
        """Coverage share (0–1, NaN where a field does not apply) per legacy province × field."""
        g = self.coverage.groupby("province_legacy")[[c for c in self.coverage.columns if c != "category"]].sum()
        out = pd.DataFrame(index=g.index)
        for f in FIELDS:
            out[f] = (g[f] / g[f + "_of"]).where(g[f + "_of"] > 0)
        return out

    def _province_names(self) -> str:
        """The province asked for, as the legacy provinces it means ("Quang Ngai" → "Quảng Ngãi"; "Da Nang" →
        "Đà Nẵng, Quảng Nam"), or as typed if it does not resolve."""
        try:
            return ", ".join(dict.fromkeys(p.legacy for p in prov.resolve(str(self.province))))
        except prov.UnknownProvinceError:
            return str(self.province)

    def to_text(self, lang: str = "en") -> str:
        vi = lang == "vi"
        out = [("Chất lượng dữ liệu điểm đến" if vi else "Catalogue quality")
               + (f" — {self._province_names()}" if self.province else "") + f" ({self.today.isoformat()})", ""]
        if self.province:  # the targets are the catalogue's, whatever province the tables are narrowed to
            out.append("Mục tiêu (toàn bộ danh mục):" if vi else "Targets (the whole catalogue):")
        out += [t.text(lang) for t in self.targets]
        sh = self.shares()
        heads = _FIELD_VI if vi else {}
        out += ["", ("Tỷ lệ có dữ liệu theo tỉnh (cũ)" if vi else "Coverage by legacy province"),
                f"{'':16s}" + "".join(f"{heads.get(f, f):>13s}" for f in FIELDS)]
        for provname, row in sh.iterrows():
            out.append(f"{str(provname):16s}" + "".join(
                f"{'—':>13s}" if pd.isna(row[f]) else f"{row[f] * 100:12.0f}%" for f in FIELDS))
        out += ["", ("Theo tỉnh và loại hình: số điểm, rồi có / cần: giờ, giá vé, sức chứa" if vi else
                     "By province and category: places, then have / expected: hours, fee, seats")]
        for r in self.coverage.to_dict(orient="records"):
            cells = [f"{r[f]}/{r[f + '_of']}" if r[f + "_of"] else "—" for f in ("hours", "fee", "seats")]
            cat = CATEGORIES["vi"].get(r["category"], r["category"]) if vi else r["category"]
            out.append(f"{r['province_legacy']:16s} {cat:9s} {r['places']:4d}  " + "  ".join(f"{c:>8s}" for c in cells))
        out += ["", (f"Dữ liệu cũ hơn {STALE_AFTER_YEARS} năm hoặc nguồn không ghi ngày" if vi
                     else f"Facts older than {STALE_AFTER_YEARS} years or from an undated source")
                + f": {len(self.stale)}"]
        fact_vi = {"hours": "giờ", "fee": "giá vé", "seats": "sức chứa"}
        out += [f"  {pid}: {fact_vi.get(fact, fact)} {'không ghi ngày' if as_of == 'undated' else as_of}" if vi
                else f"  {pid}: {fact} {as_of}" for pid, fact, as_of in self.stale[:40]]
        out += ["", ("Điểm cách nhau dưới 50 m" if vi else "Records within 50 m of each other") + f": {len(self.near)}"]
        out += [f"  {a} ↔ {b}: {m:.0f} m" for a, b, m in self.near]
        if self.osm_checked:
            out += ["", ("osm_id có tên khác hẳn" if vi else "osm_id whose OSM name shares nothing with the record")
                    + f": {len(self.osm_mismatch)} / {self.osm_checked}"]
            out += [f"  {pid} {oid}: {ours!r} vs OSM {theirs!r}" for pid, oid, ours, theirs in self.osm_mismatch]
        out += ["", ("Đã tìm nhưng chưa đặt được lên bản đồ" if vi else "Looked for, not placeable")
                + f": {len(self.not_placeable)}"]
        out += [f"  {n.name_in(lang)} ({n.province_legacy}): {n.reason_in(lang)}" for n in self.not_placeable]
        return "\n".join(out)

    def to_json(self) -> dict:
        return {
            "today": self.today.isoformat(), "province": self.province,
            "targets": [{"key": t.key, "label_en": t.label_en, "label_vi": t.label_vi, "value": t.value,
                         "goal": t.goal, "met": t.met, "detail": t.detail} for t in self.targets],
            "coverage": self.coverage.to_dict(orient="records"),
            "stale": [{"id": i, "fact": f, "as_of": a} for i, f, a in self.stale],
            "near": [{"a": a, "b": b, "metres": round(m, 1)} for a, b, m in self.near],
            "osm_mismatch": [{"id": i, "osm_id": o, "name": n, "osm_name": m} for i, o, n, m in self.osm_mismatch],
            "osm_checked": self.osm_checked,
            "not_placeable": [{"name": n.name, "name_vi": n.name_vi, "province_legacy": n.province_legacy,
                               "reason": n.reason, "reason_vi": n.reason_vi} for n in self.not_placeable],
        }


# ---------------------------------------------------------------------------------------------------------------
# The parts of the report
# ---------------------------------------------------------------------------------------------------------------
def coverage_table(pois: Iterable[Poi]) -> pd.DataFrame:
    rows: dict[tuple[str, str], Counter] = {}
    for p in pois:
        c = rows.setdefault((p.province_legacy, p.category), Counter())
        c["places"] += 1
        for f in FIELDS:
            if _applies(p, f):
                c[f + "_of"] += 1
                c[f] += int(has_fact(p, f))
    cols = ["places", *[x for f in FIELDS for x in (f, f + "_of")]]
    data = [{"province_legacy": k[0], "category": k[1], **{c: rows[k][c] for c in cols}} for k in sorted(rows)]
    return pd.DataFrame(data, columns=["province_legacy", "category", *cols])


def stale_facts(pois: Iterable[Poi], today: date) -> list[tuple[str, str, str]]:
    out = []
    for p in pois:
        for fact in FACTS:
            as_of = p.fact_as_of(fact)
            if as_of and is_stale(as_of, today):
                out.append((p.id, fact, as_of))
    return out


def near_pairs(pois: list[Poi], metres: float = NEAR_METRES) -> list[tuple[str, str, float]]:
    """Records closer than ``metres``, except a part and its whole (or two parts of one whole)."""
    if len(pois) < 2:
        return []
    lat = np.array([p.lat for p in pois])
    lon = np.array([p.lon for p in pois])
    out = []
    for i in range(len(pois) - 1):
        d = haversine_m(lat[i], lon[i], lat[i + 1:], lon[i + 1:])
        for j in np.nonzero(d < metres)[0]:
            p, q = pois[i], pois[i + 1 + int(j)]
            if p.part_of == q.id or q.part_of == p.id or (p.part_of and p.part_of == q.part_of):
                continue
            out.append((p.id, q.id, float(d[j])))
    return out


def read_osm_names(path: Path) -> dict[str, tuple[str, ...]]:
    """``node/N`` → the names (name, name:en, name:vi) of the raw OSM POI export (HOT CSV)."""
    out: dict[str, tuple[str, ...]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            oid = f"{row.get('osm_type') or 'node'}/{row.get('osm_id')}"
            names = tuple(n for n in (row.get("name"), row.get("name:en"), row.get("name:vi")) if n)
            if names:
                out[oid.replace("nodes/", "node/").replace("ways/", "way/")] = names
    return out


_STOP_WORDS = frozenset("""chua den lang dinh nha tho bai bien cau thap khu du lich the of and temple pagoda
tomb church beach bridge tower museum village market hotel resort ho song nui dao hon my
bai""".split())


def _words(name: str) -> set[str]:
    return {w for w in prov.fold(name).replace("-", " ").split() if len(w) > 1}


def names_agree(ours: Iterable[str], theirs: Iterable[str]) -> bool:
    """Do two sets of names plausibly name one place? A distinctive word in common (not "pagoda", "beach" …), or
    folded names that are close as strings."""
    a = set().union(*(_words(n) for n in ours))
    b = set().union(*(_words(n) for n in theirs))
    if (a & b) - _STOP_WORDS:
        return True
    if any(difflib.SequenceMatcher(None, prov.fold(x), prov.fold(y)).ratio() >= 0.6 for x in ours for y in theirs):
        return True
    # one distinctive word spelt differently ("Michelia" / "Mishelia")
    return any(difflib.SequenceMatcher(None, x, y).ratio() >= 0.8
               for x in a - _STOP_WORDS if len(x) >= 5 for y in b - _STOP_WORDS if len(y) >= 5)


def osm_mismatches(pois: Iterable[Poi], osm_names: dict[str, tuple[str, ...]]) -> tuple[list, int]:
    out, checked = [], 0
    for p in pois:
        if p.osm_id is None or p.osm_id not in osm_names:
            continue
        checked += 1
        theirs = osm_names[p.osm_id]
        if not names_agree((p.name_vi, p.name_en), theirs):
            out.append((p.id, p.osm_id, p.name_vi, theirs[0]))
    return out, checked


def bundled_programmes() -> Path | None:
    """The published-programme benchmark shipped with touroute (data/benchmarks/itineraries.yaml), if installed."""
    try:
        return data_dir("benchmarks") / "itineraries.yaml"
    except FileNotFoundError:
        return None


def benchmark_coverage(path: Path, cat: Catalogue) -> tuple[int, int]:
    """(places of the published-programme benchmark the catalogue has, places it names). Entries of ``unmapped``
    marked ``not_a_place`` (an activity, a street, a show) do not count."""
    import yaml

    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    have = total = 0
    for prog in doc.get("programmes") or []:
        for day in prog.get("itinerary") or []:
            for entry in day.get("places") or []:
                alts = entry["any_of"] if isinstance(entry, dict) else [entry]
                total += 1
                have += int(any(a in cat for a in alts))
        for u in prog.get("unmapped") or []:
            if not (isinstance(u, dict) and u.get("not_a_place")):
                total += 1
    return have, total


# ---------------------------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------------------------
def quality_report(cat: Catalogue, *, today: date | None = None, province: str | None = None,
                   osm_pois: Path | None = None, programmes: Path | None = None) -> QualityReport:
    """The catalogue's quality report; ``province`` (legacy or 2025 name, diacritics optional) narrows the tables
    and lists to one province, the catalogue-wide targets stay catalogue-wide."""
    today = today or date.today()
    all_pois = list(cat)
    pois = list(cat.filter(province=province)) if province else all_pois
    visits = [p for p in all_pois if is_visit(p)]
    top = [p for p in visits if tier(p.attractiveness) <= 2]

    def share(ps: list[Poi], *facts: str) -> float:
        return sum(all(has_fact(p, f) for f in facts) for p in ps) / len(ps) if ps else 1.0

    mice = [p for p in all_pois if p.category == "mice"]
    per_prov = Counter(p.province_legacy for p in all_pois)
    craft = Counter(p.province_legacy for p in all_pois if is_craft(p))
    mice_n = Counter(p.province_legacy for p in mice)
    legacy = prov.legacy_names()
    short = [f"{n} {per_prov[n]}" for n in legacy if per_prov[n] < TARGET_PER_PROVINCE]
    short_craft = [f"{n} {craft[n]}" for n in legacy if craft[n] < TARGET_CRAFT]
    short_mice = [f"{n} {mice_n[n]}" for n in legacy if mice_n[n] < TARGET_MICE]
    targets = [
        Target("top_tiers", "hours and fee, tiers 1–2", "giờ mở cửa và giá vé, hạng 1–2", share(top, "hours", "fee"),
               TARGET_TOP_TIERS, True, f"{len(top)} places", f"{len(top)} điểm"),
        Target("overall", "hours and fee, all places to visit", "giờ mở cửa và giá vé, mọi điểm tham quan",
               share(visits, "hours", "fee"), TARGET_OVERALL, True, f"{len(visits)} places",
               f"{len(visits)} điểm"),
        Target("seats", "MICE venues with seats", "địa điểm MICE có sức chứa", share(mice, "seats"), TARGET_SEATS,
               True, f"{len(mice)} venues", f"{len(mice)} địa điểm"),
        Target("places", "places in all", "tổng số điểm", float(len(all_pois)), float(TARGET_PLACES), False),
        Target("per_province", "smallest legacy province", "tỉnh (cũ) ít điểm nhất",
               float(min(per_prov[n] for n in legacy)), float(TARGET_PER_PROVINCE), False, "; ".join(short)),
        Target("craft", "fewest craft / OCOP places in a province", "tỉnh ít làng nghề / OCOP nhất",
               float(min(craft[n] for n in legacy)), float(TARGET_CRAFT), False, "; ".join(short_craft)),
        Target("mice", "fewest MICE venues in a province", "tỉnh ít địa điểm MICE nhất",
               float(min(mice_n[n] for n in legacy)), float(TARGET_MICE), False, "; ".join(short_mice)),
    ]
    if programmes is not None and programmes.exists():
        have, total = benchmark_coverage(programmes, cat)
        targets.append(Target("benchmark", "places of published programmes in the catalogue",
                              "điểm của chương trình tour đã công bố có trong danh mục",
                              have / total if total else 1.0, TARGET_BENCHMARK, True, f"{have} of {total}",
                              f"{have} / {total}"))
    mismatch, checked = ([], 0)
    if osm_pois is not None and osm_pois.exists():
        mismatch, checked = osm_mismatches(pois, read_osm_names(osm_pois))
    return QualityReport(today=today, coverage=coverage_table(pois), targets=targets,
                         stale=stale_facts(pois, today), near=near_pairs(pois), osm_mismatch=mismatch,
                         osm_checked=checked, province=province, not_placeable=not_placeable(cat, province))


NOT_PLACEABLE_FILE = "not_placeable.csv"


class NotPlaceable(NamedTuple):
    """A place looked for that could not be placed, and why (English; Vietnamese where the list has it)."""

    name: str
    province_legacy: str
    reason: str
    reason_vi: str = ""
    name_vi: str = ""

    def reason_in(self, lang: str = "en") -> str:
        """The reason in ``lang``; the English one where no Vietnamese is recorded."""
        return self.reason_vi if lang == "vi" and self.reason_vi else self.reason

    def name_in(self, lang: str = "en") -> str:
        """The name in ``lang`` ("Núi lửa Thới Lới" rather than "Thới Lới crater" in a Vietnamese report)."""
        return self.name_vi if lang == "vi" and self.name_vi else self.name


def not_placeable(cat: Catalogue, province: str | None = None) -> list[NotPlaceable]:
    """The places listed as not placeable in ``evidence/not_placeable.csv``
    beside the catalogue's files (rows that name a catalogue id are in the catalogue and are left out), narrowed to
    ``province`` (legacy or 2025 name) when given."""
    wanted = {p.legacy for p in prov.resolve(province)} if province else None
    out: list[tuple[str, str, str]] = []
    for folder in sorted({Path(f).parent for f in getattr(cat, "files", None) or ()}):
        path = folder / "evidence" / NOT_PLACEABLE_FILE
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if (row.get("catalogue_id") or "").strip():
                    continue
                pv = (row.get("province_legacy") or "").strip()
                if wanted is None or pv in wanted:
                    out.append(NotPlaceable((row.get("name") or "").strip(), pv, (row.get("reason") or "").strip(),
                                            (row.get("reason_vi") or "").strip(), (row.get("name_vi") or "").strip()))
    return out


__all__ = ["QualityReport", "Target", "quality_report", "tier", "near_pairs", "names_agree", "benchmark_coverage",
           "not_placeable", "NotPlaceable"]
