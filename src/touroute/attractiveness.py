"""Attractiveness: what a place is worth to a visitor, computed from recorded evidence (issue 12, item 1).

The old ``popularity`` is a hand score 1–10 that is nearly flat (a 30-minute cannon display scored 9, the Huế
Imperial City 10), so many short stops always beat one great long one. Attractiveness (1–100) is instead computed by a
documented rule (``data/poi/SCHEMA.md``, "Attractiveness rule") from published signals, each recorded with its source
and as-of date in ``data/poi/evidence/signals.csv``:

* heritage status — UNESCO World Heritage property / component, special national relic, national relic, provincial
  relic (the highest status counts, they are not added up: a UNESCO site is nearly always a special relic as well);
* how many of a city's independent published "top sights" lists and tour programmes name the place (the lists
  themselves, with their city, are in ``data/poi/evidence/lists.csv``: the denominator must count the lists that do
  *not* name a place too). A "city" may also be one of the region's standard transfer routes (``route-hue-hoian``
  …): sights between two cities, where transfer programmes stop, are named by no city's list;
* published visitor figures (log scale).

MICE venues and lodging hubs are not sights: MICE venues score by published seat capacity (what a MICE planner
chooses on), hubs get a fixed low value (they are overnight stops, never visits). A component (``part_of``) never
scores above its whole.

``scripts/attractiveness.py`` runs :func:`compute` and writes ``data/poi/evidence/attractiveness.csv``, which the
catalogue loader joins (``Poi.attractiveness``). This module imports nothing from the rest of the package, so the
loader can use it without an import cycle; records are duck-typed (``id``, ``category``, ``tags``, ``capacity``,
``part_of``).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

# --------------------------------------------------------------------------------------------------------------
# The rule's constants (documented in data/poi/SCHEMA.md; the SCHEMA test checks the numbers appear there)
# --------------------------------------------------------------------------------------------------------------
STATUS_POINTS: dict[str, int] = {
    "unesco:property": 55,       # the World Heritage property itself or its core (Imperial City, Hội An, Mỹ Sơn …)
    "unesco:component": 30,      # another listed component of a property (a royal tomb, Hổ Quyền …)
    "unesco:minor": 15,          # a small element inside a component (a gate, a pavilion, the cannons)
    "national_special_relic": 25,
    "national_relic": 12,
    "provincial_relic": 5,
    "unesco_biosphere": 15,      # inside a UNESCO biosphere reserve (Cù Lao Chàm, Cần Giờ)
}
LIST_POINTS = 60.0               # × √(share of the city's published lists / programmes that name the place)
MIN_LISTS_PER_CITY = 3           # shrinkage: a city with fewer sources divides by 3, so one list alone is no proof
VISITOR_POINTS = 15.0            # log scale between the two bounds below
VISITORS_LOW = 10_000            # ≤ this many visitors a year: 0 points
VISITORS_HIGH = 3_000_000        # ≥ this many: all the visitor points
MICE_CAPACITY_POINTS: tuple[tuple[int, int], ...] = ((2000, 30), (1000, 25), (500, 20), (200, 15))
MICE_UNPUBLISHED = 10            # capacity unpublished or < 200 seats
HUB_VALUE = 5                    # lodging hubs: overnight stops, never visits
FLOOR, CAP = 1, 100
HEADLINE = 70                    # attractiveness ≥ 70 is the "must-see" tier (Poi.headline)

SIGNALS: tuple[str, ...] = ("unesco", "national_special_relic", "national_relic", "provincial_relic",
                            "unesco_biosphere", "top_list", "tour_programme", "visitors_per_year")
UNESCO_VALUES: tuple[str, ...] = ("property", "component", "minor")
LIST_KINDS: tuple[str, ...] = ("top_list", "tour_programme")
SIGNAL_COLUMNS: tuple[str, ...] = ("id", "signal", "value", "source", "as_of", "note")
LIST_COLUMNS: tuple[str, ...] = ("source", "city", "kind", "title", "as_of", "read", "note")
ROUTE_PREFIX = "route-"
"""A ``city`` key starting with this is a standard transfer route (``route-hue-hoian``: Huế ↔ Hội An / Đà Nẵng over
the Hải Vân pass); its sources are transfer programmes and "what to see on the way" articles between its two ends."""
_CITY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
"""A city key is a lower-case slug (``hue``, ``da-nang``, ``route-hue-hoian``): the same place is never split between
two spellings of one city, which would halve its share."""
ROUTE_ENDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "route-hue-hoian": (("hue-hub-hue-city",), ("dn-city-centre", "qnam-hoi-an")),
    "route-hue-phongnha": (("hue-hub-hue-city",), ("qb-hub-dong-hoi", "qb-hub-phong-nha")),
    "route-quynhon-tuyhoa": (("bd-quy-nhon",), ("py-tuy-hoa",)),
    "route-nhatrang-muine": (("kh-hub-nha-trang",), ("bt-hub-mui-ne", "bt-hub-phan-thiet")),
    "route-hcmc-muine": (("hcm-city-centre-hub",), ("bt-hub-mui-ne", "bt-hub-phan-thiet")),
}
"""The hubs at the two ends of each transfer route (catalogue ids, one tuple per end). A route's sources speak for the
places *between* its ends only (:func:`between_route_ends`): a place at an end is its city's, and only that city's
lists rank it — otherwise one motorbike report starting at a Huế pagoda would outweigh Huế's 46 lists (the route's
small denominator); and a place off the way (Hoàng Đế citadel, inland north-west of Quy Nhơn, on a Quy Nhơn → Tuy
Hòa report that began there) is not a stop of that transfer."""
ROUTE_END_KM = 10.0
"""Within this distance (great circle) of an end hub a place belongs to that end's city, not to the route."""
ROUTE_DETOUR = 1.3
"""A place lies between the ends A and B when going A → place → B is at most this many times A → B (great circle):
the road circuity of the region's trunk roads (≈ 1.3–1.4, BENCHMARKS.md "Offline estimates"), not a fitted value."""
READS: tuple[str, ...] = ("full", "partial", "none")
"""How much of a source was read: ``full`` (every item / stop seen), ``k/n`` (its first k of n items — a search
excerpt whose length is known), ``partial`` (an excerpt of unknown length) or ``none`` (the excerpt stopped before
the first item: recorded so nobody searches it again, it weighs nothing). See :func:`read_fraction`."""
_READ_RE = re.compile(r"^(\d+)/(\d+)$")
OUTPUT_COLUMNS: tuple[str, ...] = ("id", "attractiveness", "status_points", "list_points", "visitor_points", "rule",
                                   "basis")
_AS_OF_RE = re.compile(r"^(?:\d{4}(?:-\d{2}(?:-\d{2})?)?|undated)$")
"""A source's date, or ``undated`` for a page that shows none (its note says so; never an invented year)."""

#: Status tags of the catalogue → signal (what stage-1 provisional evidence and code-built records derive from).
STATUS_TAGS: tuple[str, ...] = ("national_special_relic", "national_relic", "provincial_relic", "unesco_biosphere")


class _Record(Protocol):
    id: str
    category: str
    tags: tuple[str, ...]
    capacity: int | None
    part_of: str | None
    lat: float
    lon: float


@dataclass(frozen=True)
class Signal:
    """One piece of evidence about one place (a row of signals.csv)."""

    id: str
    signal: str
    value: str
    source: str
    as_of: str
    note: str = ""


@dataclass(frozen=True)
class ListSource:
    """One published top-sights list or tour programme (a row of lists.csv); ``city`` is a slug such as ``hue``, or a
    standard transfer route such as ``route-hue-hoian`` (see :data:`ROUTE_PREFIX`)."""

    source: str
    city: str
    kind: str
    title: str
    as_of: str
    read: str = "full"
    note: str = ""


@dataclass
class Score:
    """The computed attractiveness of one place and how it was reached (a row of attractiveness.csv)."""

    id: str
    attractiveness: int
    status_points: float = 0.0
    list_points: float = 0.0
    visitor_points: float = 0.0
    rule: str = "sight"
    basis: list[str] = field(default_factory=list)

    def row(self) -> dict[str, str]:
        return {"id": self.id, "attractiveness": str(self.attractiveness),
                "status_points": _fmt(self.status_points), "list_points": _fmt(self.list_points),
                "visitor_points": _fmt(self.visitor_points), "rule": self.rule, "basis": "; ".join(self.basis)}


class EvidenceError(ValueError):
    """Evidence files that break their own rules (unknown signal, list not declared, …); lists every problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def _round(x: float) -> int:
    """Half-up rounding (Python's round() is banker's rounding, which would make 12.5 and 13.5 both even)."""
    return int(math.floor(x + 0.5))


# --------------------------------------------------------------------------------------------------------------
# Reading the evidence
# --------------------------------------------------------------------------------------------------------------
def _read_rows(path: Path, columns: Sequence[str]) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise EvidenceError([f"{path}: missing column(s) {', '.join(missing)}"])
        out = []
        for row in reader:
            if all(not (v or "").strip() for k, v in row.items() if k is not None):
                continue
            out.append((reader.line_num, {k: (row.get(k) or "").strip() for k in columns}))
        return out


def read_lists(path: Path) -> list[ListSource]:
    """The published lists and programmes; every source URL once, kind ``top_list`` or ``tour_programme``."""
    problems: list[str] = []
    out: list[ListSource] = []
    seen: set[str] = set()
    for line, r in _read_rows(path, LIST_COLUMNS):
        where = f"{path}, line {line}"
        if not r["source"] or not r["city"]:
            problems.append(f"{where}: source and city are required")
            continue
        city = r["city"]
        if not _CITY_RE.match(city) or (is_route(city) and "-" not in city[len(ROUTE_PREFIX):]):
            problems.append(f"{where}: city {city!r} must be a lower-case slug (hue, da-nang) or a transfer route "
                            f"named by its two ends ({ROUTE_PREFIX}hue-hoian)")
        elif is_route(city) and city not in ROUTE_ENDS:
            problems.append(f"{where}: route {city!r} has no end hubs in touroute.attractiveness.ROUTE_ENDS (its "
                            f"sources count only between its ends): add them there")
        if r["kind"] not in LIST_KINDS:
            problems.append(f"{where}: kind {r['kind']!r} is not one of {', '.join(LIST_KINDS)}")
        if not _AS_OF_RE.match(r["as_of"]):
            problems.append(f"{where}: as_of {r['as_of']!r} must be YYYY, YYYY-MM, YYYY-MM-DD or undated")
        m = _READ_RE.match(r["read"])
        if r["read"] not in READS and not (m and 0 <= int(m.group(1)) <= int(m.group(2)) and int(m.group(2)) > 0):
            problems.append(f"{where}: read {r['read']!r} is not one of {', '.join(READS)} or k/n (first k of n items)")
        if r["source"] in seen:
            problems.append(f"{where}: source {r['source']!r} listed twice")
        seen.add(r["source"])
        out.append(ListSource(**r))
    if problems:
        raise EvidenceError(problems)
    return out


def read_signals(path: Path, lists: Sequence[ListSource] = (), ids: Iterable[str] | None = None) -> list[Signal]:
    """The signals, checked: known signal names, values of the right kind, a source and an as-of date on every row,
    list signals pointing at a declared list of the same kind, and (when ``ids`` is given) known place ids."""
    problems: list[str] = []
    known_ids = set(ids) if ids is not None else None
    by_source = {ls.source: ls for ls in lists}
    out: list[Signal] = []
    seen: set[tuple[str, str, str]] = set()
    for line, r in _read_rows(path, SIGNAL_COLUMNS):
        where = f"{path}, line {line}"
        sig, val = r["signal"], r["value"]
        if known_ids is not None and r["id"] not in known_ids:
            problems.append(f"{where}: id {r['id']!r} is not a catalogue place")
        if sig not in SIGNALS:
            problems.append(f"{where}: signal {sig!r} is not one of {', '.join(SIGNALS)}")
            continue
        if not r["source"]:
            problems.append(f"{where}: every signal needs a source")
        if not _AS_OF_RE.match(r["as_of"]):
            problems.append(f"{where}: as_of {r['as_of']!r} must be YYYY, YYYY-MM, YYYY-MM-DD or undated")
        if sig == "unesco" and val not in UNESCO_VALUES:
            problems.append(f"{where}: a unesco signal's value is one of {', '.join(UNESCO_VALUES)}")
        if sig in LIST_KINDS:
            ls = by_source.get(r["source"])
            if ls is None:
                problems.append(f"{where}: {sig} source {r['source']!r} is not declared in lists.csv")
            elif ls.kind != sig:
                problems.append(f"{where}: {r['source']!r} is a {ls.kind} in lists.csv, not a {sig}")
            if val and not val.isdigit():
                problems.append(f"{where}: a {sig} value is the rank in the list (a whole number) or empty")
        if sig == "visitors_per_year" and not val.replace("_", "").isdigit():
            problems.append(f"{where}: visitors_per_year needs a whole number")
        key = (r["id"], sig, r["source"])
        if sig in LIST_KINDS and key in seen:
            problems.append(f"{where}: {r['id']} is named twice by the same {sig}")
        seen.add(key)
        out.append(Signal(**r))
    if problems:
        raise EvidenceError(problems)
    return out


# --------------------------------------------------------------------------------------------------------------
# The rule
# --------------------------------------------------------------------------------------------------------------
def status_points(signals: Iterable[Signal]) -> tuple[float, str | None]:
    """The highest heritage status among the signals and its points (statuses are not added up)."""
    best, label = 0.0, None
    for s in signals:
        key = f"unesco:{s.value}" if s.signal == "unesco" else s.signal
        pts = STATUS_POINTS.get(key)
        if pts is not None and pts > best:
            best, label = float(pts), key
    return best, label


def list_points(share: float) -> float:
    """LIST_POINTS × √share: concave, because the first independent mentions say the most (being named by half of
    a city's sources is far stronger evidence than by none, twice as many mentions is not twice the appeal), and
    because lists read only in part (search excerpts) under-count the places further down them."""
    return LIST_POINTS * math.sqrt(max(0.0, min(1.0, share)))


def visitor_points(visitors: int | None) -> float:
    """0 at ≤ VISITORS_LOW a year, VISITOR_POINTS at ≥ VISITORS_HIGH, linear in log10 between."""
    if not visitors or visitors <= VISITORS_LOW:
        return 0.0
    span = math.log10(VISITORS_HIGH) - math.log10(VISITORS_LOW)
    return VISITOR_POINTS * min(1.0, (math.log10(visitors) - math.log10(VISITORS_LOW)) / span)


def mice_value(capacity: int | None) -> int:
    """MICE venues by published seat capacity (largest hall, theatre style)."""
    for seats, pts in MICE_CAPACITY_POINTS:
        if capacity is not None and capacity >= seats:
            return pts
    return MICE_UNPUBLISHED


def status_only(tags: Iterable[str], category: str = "heritage", capacity: int | None = None,
                part_of: str | None = None) -> int:
    """The value a record gets from its own status tags alone — for records built in code or catalogues outside
    the bundled data that have no evidence file. A ``unesco`` tag counts as a component (a part as minor): whether a
    site is the property's core is evidence, not a tag."""
    if category == "lodging":
        return HUB_VALUE
    if category == "mice":
        return mice_value(capacity)
    tags = set(tags)
    pts = 0.0
    if "unesco" in tags:
        pts = STATUS_POINTS["unesco:minor" if part_of else "unesco:component"]
    for t in STATUS_TAGS:
        if t in tags:
            pts = max(pts, STATUS_POINTS[t])
    return max(FLOOR, min(CAP, _round(pts)))


def read_fraction(ls: ListSource) -> float | None:
    """The share of a source's items that was read: 1 for a full read, k/n for its first k of n items, None when an
    excerpt's length is unknown."""
    if ls.read == "full":
        return 1.0
    if ls.read == "none":
        return 0.0
    m = _READ_RE.match(ls.read)
    return int(m.group(1)) / int(m.group(2)) if m else None


def is_route(city: str) -> bool:
    """True for a standard transfer route key (``route-hue-hoian``), False for a city (``hue``)."""
    return city.startswith(ROUTE_PREFIX)


def between_route_ends(rec: _Record, route: str, where: dict[str, tuple[float, float]]) -> bool:
    """True when ``rec`` lies between ``route``'s two ends (:data:`ROUTE_ENDS`): more than :data:`ROUTE_END_KM` from
    every end hub, and on the way from one end to the other within :data:`ROUTE_DETOUR`. A record without a position
    is taken as between (nothing to test)."""
    here = where.get(rec.id)
    if here is None:
        return True
    sides = [[where[h] for h in side if h in where] for side in ROUTE_ENDS.get(route, ((), ()))]
    if any(_km(here, end) < ROUTE_END_KM for side in sides for end in side):
        return False
    return any(_km(a, here) + _km(here, b) <= ROUTE_DETOUR * _km(a, b) for a in sides[0] for b in sides[1])


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km (this module imports nothing from the package, so not ``touroute.geo``)."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def typical_read_fraction(lists: Sequence[ListSource]) -> float:
    """The mean read fraction of the excerpts whose length is known, for excerpts whose length is not (1.0 — every
    source counting in full, the rule before read depth was recorded — when no excerpt says its length)."""
    known = [f for f in (read_fraction(ls) for ls in lists if ls.read not in ("full", "none")) if f is not None]
    return sum(known) / len(known) if known else 1.0


def compute(records: Sequence[_Record], signals: Sequence[Signal], lists: Sequence[ListSource]) -> list[Score]:
    """Attractiveness of every record (sorted by id), by the rule in SCHEMA.md.

    sight = min(100, status + LIST_POINTS × √(list share) + visitor points), floor 1, where list share is, for the city
    whose sources name the place most often, (lists + programmes naming it) / max(MIN_LISTS_PER_CITY, the city's
    read-weighted sources). A source naming the place weighs 1 in its denominator; one that does not weighs the share
    of it that was read (1 in full, k/n for its first k of n items, the mean known share for an excerpt of unknown
    length): an excerpt of a list's first items cannot say a place further down is absent, only that it is not among
    the items read. A part scores at most its whole − 1.
    """
    by_id: dict[str, list[Signal]] = {}
    for s in signals:
        by_id.setdefault(s.id, []).append(s)
    sources_per_city: dict[str, int] = {}
    city_of = {ls.source: ls.city for ls in lists}
    typical = typical_read_fraction(lists)
    reach = {ls.source: (f if (f := read_fraction(ls)) is not None else typical) for ls in lists}
    reach_per_city: dict[str, float] = {}
    for ls in lists:
        sources_per_city[ls.city] = sources_per_city.get(ls.city, 0) + 1
        reach_per_city[ls.city] = reach_per_city.get(ls.city, 0.0) + reach[ls.source]

    # A list or programme that names a component names its site too (the Japanese Bridge is a visit to Hội An
    # Ancient Town); the whole counts each source once.
    whole_of = {r.id: r.part_of for r in records if r.part_of}
    for s in list(signals):
        if s.signal in LIST_KINDS and s.id in whole_of:
            by_id.setdefault(whole_of[s.id], []).append(
                Signal(whole_of[s.id], s.signal, "", s.source, s.as_of, f"via its part {s.id}"))

    where = {r.id: (float(r.lat), float(r.lon)) for r in records
             if getattr(r, "lat", None) is not None and getattr(r, "lon", None) is not None}
    scores: dict[str, Score] = {}
    for rec in records:
        sigs = by_id.get(rec.id, [])
        if rec.category == "lodging":
            scores[rec.id] = Score(rec.id, HUB_VALUE, rule="hub", basis=["lodging hub: overnight stop, never a visit"])
            continue
        st, st_label = status_points(sigs)
        named: dict[str, set[str]] = {}
        for s in sigs:
            if s.signal in LIST_KINDS:
                city = city_of[s.source]
                if is_route(city) and not between_route_ends(rec, city, where):
                    continue
                named.setdefault(city, set()).add(s.source)
        share, share_city, denom = 0.0, None, 0
        for city, srcs in sorted(named.items()):
            # a source that names the place counts 1; one that does not counts by the chance its read reached the
            # place had the source listed it (its read fraction: 1 when read in full)
            d = reach_per_city[city] + sum(1.0 - reach[src] for src in srcs)
            sh = len(srcs) / max(MIN_LISTS_PER_CITY, d)
            if sh > share:
                share, share_city, denom = sh, city, d
        visitors = max((int(s.value.replace("_", "")) for s in sigs if s.signal == "visitors_per_year"), default=None)
        vp = visitor_points(visitors)
        lp = list_points(share)
        basis: list[str] = []
        if rec.category == "mice":
            base, rule = float(mice_value(rec.capacity)), "mice"
            basis.append(f"MICE capacity {rec.capacity if rec.capacity is not None else 'unpublished'} → {base:.0f}")
            st = base
        else:
            rule = "sight"
            if st_label:
                basis.append(f"{st_label} {st:.0f}")
        if share_city:
            basis.append(f"{len(named[share_city])}/{denom:.1f} {share_city} sources (read-weighted, "
                         f"{sources_per_city[share_city]} in all)")
        if visitors:
            basis.append(f"{visitors:,} visitors/yr")
        total = max(FLOOR, min(CAP, _round(st + lp + vp)))
        scores[rec.id] = Score(rec.id, total, st, lp, vp, rule, basis)

    for rec in records:  # a component never outranks its whole
        if rec.part_of and rec.part_of in scores:
            whole = scores[rec.part_of].attractiveness
            sc = scores[rec.id]
            if sc.attractiveness >= whole:
                sc.attractiveness = max(FLOOR, whole - 1)
                sc.rule = "part_capped"
                sc.basis.append(f"capped below its whole {rec.part_of} ({whole})")
    return [scores[k] for k in sorted(scores)]


# --------------------------------------------------------------------------------------------------------------
# The computed file
# --------------------------------------------------------------------------------------------------------------
def render(scores: Sequence[Score]) -> str:
    """attractiveness.csv as text (deterministic: sorted ids, fixed number format, \\n line ends)."""
    import io

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(OUTPUT_COLUMNS), lineterminator="\n")
    w.writeheader()
    for s in scores:
        w.writerow(s.row())
    return buf.getvalue()


def read_evidence_points(path: Path) -> dict[str, float]:
    """id → status + list + visitor points of a computed file's place rows before the cap of 100 (above it only for
    the few places whose evidence exceeds the scale; the planner's value uses them: ``planner.value.attractiveness``).
    A curator's file with id and attractiveness only has none; rows that do not parse are left out (read_values)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("rule") == "sight"]
    points: dict[str, float] = {}
    for r in rows:
        try:
            points[r["id"]] = sum(float(r[c]) for c in ("status_points", "list_points", "visitor_points"))
        except (KeyError, TypeError, ValueError):
            continue
    return points


def read_values(path: Path) -> tuple[dict[str, int], list[tuple[int, str, str]]]:
    """id → attractiveness from a computed file, plus (line, id, message) for rows whose value is not an int 1–100."""
    values: dict[str, int] = {}
    bad: list[tuple[int, str, str]] = []
    for line, r in _read_rows(path, ("id", "attractiveness")):
        try:
            v = int(r["attractiveness"])
            if not FLOOR <= v <= CAP:
                raise ValueError
        except ValueError:
            bad.append((line, r["id"], f"attractiveness {r['attractiveness']!r} must be a whole number {FLOOR}–{CAP}"))
            continue
        values[r["id"]] = v
    return values, bad


def evidence_dir(catalogue_dir: Path) -> Path:
    """Where a catalogue folder keeps its evidence (``<folder>/evidence``)."""
    return Path(catalogue_dir) / "evidence"

