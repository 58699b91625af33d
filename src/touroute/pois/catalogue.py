"""The loaded :class:`Catalogue` (a pandas DataFrame for fast filtering plus typed :class:`Poi` records) with the
attractiveness computed from the evidence joined in, and the process-wide bundled catalogue.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd

from .. import attractiveness as attr
from .. import provinces as prov
from ..errors import DataError, Problem
from ..geo import parse_latlon
from ..resources import data_dir
from .record import CATEGORIES, COLUMNS, TAGS, Poi
from .validate import catalogue_dir, default_paths, validate_files

_SPELLINGS = {"qui": "quy"}
"""Older spellings still in common use, read as the official one on both sides of a comparison ("Qui Nhơn" is Quy
Nhơn — the French-era spelling on many maps and hotel sites)."""


def _words(text: str) -> list[str]:
    """The words of a name as people type them: diacritics folded, split on anything not a letter or digit, older
    spellings (:data:`_SPELLINGS`) read as today's."""
    return [_SPELLINGS.get(w, w) for w in re.split(r"[^0-9a-z]+", prov.fold(text)) if w]


SUGGEST_MIN_RATIO = 0.8
"""How close a name must be to what was typed to be suggested (difflib ratio: "huee" ~ "hue" 0.86, "nha trng" ~
"nha trang" 0.94, "danag" ~ "danang" 0.91; "da lat" ~ "da nang" 0.77 is not suggested — Đà Lạt is outside the
region, not a typo of Đà Nẵng)."""

ATTRACTIVENESS_FILE = "attractiveness.csv"


def attractiveness_file(files: Sequence[Path]) -> tuple[Path, bool]:
    """The computed attractiveness file for these catalogue files and whether it is authoritative.

    A catalogue folder with an ``evidence/attractiveness.csv`` (the bundled data/poi/ has one) owns its values: every
    id must have a row. Files elsewhere (a test's or a curator's ad-hoc catalogue) borrow the bundled file for the ids
    it knows; the others get the value of their own status tags.
    """
    parents = {Path(f).resolve().parent for f in files}
    if len(parents) == 1:
        own = attr.evidence_dir(next(iter(parents))) / ATTRACTIVENESS_FILE
        if own.exists():
            return own, True
    return attr.evidence_dir(data_dir("poi")) / ATTRACTIVENESS_FILE, False


def join_attractiveness(records: Sequence[Poi], files: Sequence[Path], problems: list[Problem]) -> list[Poi]:
    """``Poi.attractiveness`` from the computed file (see :func:`attractiveness_file`); a place without a row in an
    authoritative file is a Problem naming the file, the id and the fix, and keeps its status-tag value meanwhile."""
    path, authoritative = attractiveness_file(files)
    values: dict[str, int] = {}
    points: dict[str, float] = {}
    if path.exists():
        values, bad = attr.read_values(path)
        points = attr.read_evidence_points(path)
        for line, pid, msg in bad:
            problems.append(Problem(str(path), line, "attractiveness", pid, msg))
    out: list[Poi] = []
    for p in records:
        v = values.get(p.id)
        if v is None:
            if authoritative:
                problems.append(Problem(str(path), None, "id", p.id,
                                        "no attractiveness row for this place — run scripts/attractiveness.py and "
                                        "commit data/poi/evidence/attractiveness.csv"))
            out.append(p)
        else:
            out.append(p.model_copy(update={"attractiveness": v, "evidence_points": points.get(p.id)}))
    return out


def load_catalogue(paths: Sequence[Path | str] | None = None, *, strict: bool = True) -> "Catalogue":
    """Load and validate the catalogue.

    ``strict=True`` (the default) raises :class:`DataError` listing every problem; ``strict=False`` keeps the valid
    rows and exposes the problems on ``Catalogue.problems`` — what a long-running server wants, so one bad row never
    takes the whole catalogue down.
    """
    files = [Path(p) for p in (paths if paths is not None else default_paths())]
    if not files:
        raise DataError([Problem(str(catalogue_dir()), None, None, None, "no catalogue CSV files found")])
    records, problems = validate_files(files)
    records = join_attractiveness(records, files, problems)
    if problems and strict:
        raise DataError(problems, f"catalogue has {len(problems)} problem(s)")
    return Catalogue(records, files=files, problems=problems)


def _fingerprint(files: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


class Catalogue:
    """The validated places: a DataFrame (index ``id``) for filtering, typed ``Poi`` records for planning.

    Filters return a new Catalogue, so they chain: ``cat.filter(category="heritage").filter(province="Quang Nam")``.
    """

    def __init__(self, records: Sequence[Poi], *, files: Sequence[Path] = (), problems: Sequence[Problem] = (),
                 fingerprint: str | None = None) -> None:
        self.records: dict[str, Poi] = {p.id: p for p in records}
        self.files = list(files)
        self.problems = list(problems)
        self.fingerprint = fingerprint or (_fingerprint(self.files) if self.files else
                                           hashlib.sha256("|".join(sorted(self.records)).encode()).hexdigest()[:16])
        rows = []
        for p in records:
            d = p.model_dump()
            d["tags"] = ";".join(p.tags)
            rows.append(d)
        df = pd.DataFrame(rows, columns=[*COLUMNS, "attractiveness"])
        for col in ("visit_minutes", "popularity", "attractiveness"):
            df[col] = df[col].astype("int64")
        for col in ("fee_vnd", "fee_domestic_vnd", "capacity", "capacity_banquet", "capacity_classroom"):
            df[col] = df[col].astype("Int64")
        self.df = df.set_index("id", drop=False)
        self.df.index.name = None

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self):
        return iter(self.records.values())

    def __contains__(self, pid: object) -> bool:
        return pid in self.records

    def get(self, pid: str) -> Poi:
        """The place with id ``pid``; KeyError names close matches."""
        try:
            return self.records[pid]
        except KeyError:
            close = self.search(pid.replace("-", " "), limit=3)
            hint = f"; did you mean {', '.join(close.records)}?" if len(close) else ""
            raise KeyError(f"no place with id {pid!r} in the catalogue{hint}") from None

    def _subset(self, ids: Iterable[str]) -> "Catalogue":
        keep = [self.records[i] for i in ids]
        return Catalogue(keep, files=self.files, problems=self.problems, fingerprint=self.fingerprint)

    def filter(
        self,
        *,
        category: str | Sequence[str] | None = None,
        province: str | Sequence[str] | None = None,
        province_era: Literal["auto", "legacy", "2025"] = "auto",
        tags: str | Sequence[str] | None = None,
        all_tags: bool = False,
        bbox: tuple[float, float, float, float] | None = None,
        text: str | None = None,
        min_popularity: int | None = None,
        min_attractiveness: int | None = None,
    ) -> "Catalogue":
        """Places matching every given criterion.

        ``province`` accepts legacy or 2025 names with or without diacritics ("Quang Nam", "Gia Lai");
        ``bbox`` is (min_lat, min_lon, max_lat, max_lon); ``tags`` matches any tag unless ``all_tags``.
        Unknown category / province / tag names raise ValueError instead of silently matching nothing.
        """
        df = self.df
        mask = pd.Series(True, index=df.index)
        if category:
            cats = [category] if isinstance(category, str) else list(category)
            bad = [c for c in cats if c not in CATEGORIES]
            if bad:
                raise ValueError(f"unknown category {', '.join(bad)}; choose from {', '.join(CATEGORIES)}")
            mask &= df["category"].isin(cats)
        if province:
            names = [province] if isinstance(province, str) else list(province)
            legacy: set[str] = set()
            for n in names:
                legacy |= {p.legacy for p in prov.resolve(n, era=province_era)}
            mask &= df["province_legacy"].isin(legacy)
        if tags:
            wanted = [tags] if isinstance(tags, str) else list(tags)
            bad = [t for t in wanted if t not in TAGS]
            if bad:
                raise ValueError(f"unknown tag {', '.join(bad)}; see data/poi/SCHEMA.md")
            sets = df["tags"].map(lambda s: set(s.split(";")) if s else set())
            if all_tags:
                mask &= sets.map(lambda s: set(wanted) <= s)
            else:
                mask &= sets.map(lambda s: bool(s & set(wanted)))
        if bbox:
            min_lat, min_lon, max_lat, max_lon = bbox
            if min_lat > max_lat or min_lon > max_lon:
                raise ValueError("bbox must be min_lat,min_lon,max_lat,max_lon")
            mask &= df["lat"].between(min_lat, max_lat) & df["lon"].between(min_lon, max_lon)
        if min_popularity is not None:
            mask &= df["popularity"] >= min_popularity
        if min_attractiveness is not None:
            mask &= df["attractiveness"] >= min_attractiveness
        ids = list(df.index[mask])
        sub = self._subset(ids)
        return sub.search(text) if text else sub

    def resolve(self, text: str, *, endpoint: bool = False) -> str | dict | None:
        """What a person typed for a place → a catalogue id (the id itself, else the best name match, diacritics
        ignored), ``{"lat", "lon"}`` for ``"lat,lon"``, or None when nothing matches — the one reading of a typed
        place, shared by the web form and the CLI (a request's own fields are read by ``PlaceRef.parse``).

        ``endpoint``: the text is where a trip starts or ends, and a town's name means the town (:meth:`_endpoint`):
        "Da Nang" is the Đà Nẵng city-centre hub, not the Museum of Cham Sculpture Đà Nẵng, which is ranked higher
        by attractiveness; "Hue" is Huế City, not the Imperial City."""
        v = (text or "").strip()
        if not v:
            return None
        if v in self:
            return v
        point = parse_latlon(v)
        if point is not None:
            return {"lat": point[0], "lon": point[1]}
        if endpoint:
            return self._endpoint(v)
        return next(iter(self.search(v, limit=1).records), None)

    def _endpoint(self, text: str) -> str | None:
        """:meth:`resolve` for a trip's start or end, by whole words of the places' names and ids: a place named
        exactly so; else a lodging hub whose names hold the words, or hold them run together ("Danang", "Hoian",
        "TPHCM" — how the towns are often typed); else any place whose name holds the words in the order typed; else
        None (the caller then suggests close names). Where a trip
        starts or ends is named, not described: "Da Lat" (outside the region) is no place whose description
        mentions the Đà Lạt road."""
        q = _words(text)
        if not q:
            return None
        ranked = list(self.search(text).records)  # exact name, then name, then attractiveness
        recs = self.records
        for pid in ranked:
            if q in (_words(recs[pid].name_vi), _words(recs[pid].name_en)):
                return pid

        def words(pid: str) -> list[str]:
            return _words(f"{recs[pid].name_vi} {recs[pid].name_en}") + _words(pid)

        every_hub = self.hubs().records
        hubs = [pid for pid in ranked if pid in every_hub]
        hubs += sorted(set(every_hub) - set(hubs))
        joined = "".join(q)
        for pid in hubs:
            ws = words(pid)
            if set(q) <= set(ws) or any("".join(ws[i:j]) == joined
                                        for i in range(len(ws)) for j in range(i + 1, len(ws) + 1)):
                return pid
        # any other place only when its name holds the words in the order typed: matching them in any order sent
        # "Phu Bai" (Huế's airport) to Trần Phú beach in Nha Trang ("Bãi biển Trần Phú") and "Vung Tau" to the
        # "Tàu không số" wharf at Vũng Rô — a typed start must never silently become a place hundreds of km away
        n = len(q)
        return next((pid for pid in ranked
                     if any(ws[i:i + n] == q for ws in (_words(recs[pid].name_vi), _words(recs[pid].name_en))
                            for i in range(len(ws) - n + 1))), None)

    def suggest(self, text: str, limit: int = 3, *, endpoint: bool = False) -> list[str]:
        """Ids of places whose names are *close* to ``text`` — for the message when :meth:`resolve` finds nothing
        ("Huee", "Nha Trng"): a typo gets "did you mean …", never a silent guess.

        Each name (Vietnamese and English, diacritics ignored) is compared word-run by word-run with the same number
        of words as ``text`` (difflib's ratio, at least :data:`SUGGEST_MIN_RATIO`); ranked by closeness, then — for a
        trip's ``endpoint`` — lodging hubs first, then attractiveness."""
        q = _words(text)
        if not q:
            return []
        query, n = " ".join(q), len(q)
        scored = []
        for p in self.records.values():
            best = 0.0
            for name in (p.name_vi, p.name_en):
                ws = _words(name or "")
                for k in {n, n + 1}:  # "Danag" is "Da Nang" run together, as towns are often typed
                    for i in range(max(1, len(ws) - k + 1)):
                        gram = ws[i:i + k]
                        for a, b in ((query, " ".join(gram)), (query.replace(" ", ""), "".join(gram))):
                            best = max(best, difflib.SequenceMatcher(None, a, b).ratio())
            if best >= SUGGEST_MIN_RATIO:
                hub = endpoint and p.category == "lodging"
                scored.append((-round(best, 2), not hub, -(p.attractiveness or 0), p.id))
        scored.sort()
        return [s[3] for s in scored[:limit]]

    def no_match_message(self, text: str, what: str, *, endpoint: bool = False, lang: str = "en") -> str:
        """"no place matches 'Huee' (…) — did you mean Huế City (hue-hub-hue-city)?" in English or Vietnamese."""
        near = self.suggest(text, endpoint=endpoint)
        recs = self.records
        if lang == "vi":
            msg = f"không có địa điểm nào khớp với {text.strip()!r} ({what})"
            return msg + (" — có phải: " + ", ".join(f"{recs[i].name_vi} ({i})" for i in near) + "?" if near else "")
        msg = f"no place matches {text.strip()!r} ({what})"
        return msg + (" — did you mean " + ", ".join(f"{recs[i].name_en} ({i})" for i in near) + "?" if near else "")

    def search(self, text: str, limit: int | None = None) -> "Catalogue":
        """Places whose names, id or description contain every word of ``text`` (diacritics ignored).

        Ranked: exact name match, then name match, then attractiveness — what an autocomplete box needs.
        """
        words = prov.fold(text).split()
        if not words:
            return self._subset(list(self.records)[: limit or None])
        scored = []
        for p in self.records.values():
            names = prov.fold(f"{p.name_vi} {p.name_en}")
            hay = f"{names} {prov.fold(p.id)} {prov.fold(p.description_en or '')} {prov.fold(p.description_vi or '')}"
            if all(w in hay for w in words):
                q = " ".join(words)
                rank = 0 if q in (prov.fold(p.name_vi), prov.fold(p.name_en)) else 1 if q in names else 2
                scored.append((rank, -p.attractiveness, p.id))
        scored.sort()
        ids = [s[2] for s in scored][: limit or None]
        return self._subset(ids)

    def hubs(self) -> "Catalogue":
        """Overnight hubs (towns with hotels) usable as a day's start and end."""
        return self.filter(category="lodging")

    def counts(self) -> pd.DataFrame:
        """Places per legacy province × category (with totals) — the coverage table of `pois validate`."""
        tab = pd.crosstab(self.df["province_legacy"], self.df["category"], margins=True, margins_name="total")
        order = [p for p in prov.legacy_names() if p in tab.index] + ["total"]
        cols = [c for c in CATEGORIES if c in tab.columns] + ["total"]
        return tab.loc[order, cols]


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    """The bundled catalogue, loaded once per process (strict: the shipped data must be valid)."""
    return load_catalogue()
