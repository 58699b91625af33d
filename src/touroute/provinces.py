"""Provinces of the region, before and after the July 2025 merger (63 → 34 provinces).

People still say "Quảng Nam" or "Bình Định" although since 1 July 2025 those are parts of Đà Nẵng and Gia Lai.
Every place in the catalogue therefore carries both names, and every filter accepts either spelling, with or
without diacritics. A name that is both a legacy and a 2025 province ("Đà Nẵng") means the 2025 province unless
the caller asks for the legacy reading (:func:`resolve`, ``legacy:`` prefix, a request's ``province_scheme``). The reference table (`data/reference/provinces.csv`) is kept in the repository so the
package works without `../shared`; a test checks it against the shared province table.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from .resources import data_dir


@dataclass(frozen=True, slots=True)
class Province:
    """One legacy (pre-2025) province and the province it belongs to since 2025."""

    legacy: str
    since_2025: str
    code: str
    region_programme: tuple[str, ...]
    bbox: tuple[float, float, float, float]  # min_lat, min_lon, max_lat, max_lon

    def contains(self, lat: float, lon: float) -> bool:
        """True if (lat, lon) lies in the province's bounding box (islands near the coast included)."""
        min_lat, min_lon, max_lat, max_lon = self.bbox
        return min_lat <= lat <= max_lat and min_lon <= lon <= max_lon


class UnknownProvinceError(ValueError):
    """A province name that matches neither a legacy nor a 2025 province of the region."""


@lru_cache(maxsize=32768)
def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics (including đ) and collapse spaces/punctuation.

    Used for every name comparison so that "Quang Nam", "quảng nam" and "QUẢNG NAM" are the same key.
    Memoised: the catalogue search folds every place's names and descriptions on each keystroke of the
    autocomplete (≈ 2 000 strings, 80 % of a search's time under load); the cache is bounded.
    """
    text = text.replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = re.sub(r"[^a-z0-9]+", " ", text.lower())
    return " ".join(text.split())


_PREFIXES = ("tinh ", "thanh pho ", "tp ", "province of ", "city of ")
_SUFFIXES = (" province", " city")

# Common informal names that are not derivable by folding.
_ALIASES = {
    "hcm": "Hồ Chí Minh",
    "hcmc": "Hồ Chí Minh",
    "tphcm": "Hồ Chí Minh",
    "sai gon": "Hồ Chí Minh",
    "saigon": "Hồ Chí Minh",
    "ho chi minh city": "Hồ Chí Minh",
    "tt hue": "Thừa Thiên Huế",
    "danang": "Đà Nẵng",
}


def _key(name: str) -> str:
    k = fold(name)
    for p in _PREFIXES:
        if k.startswith(p):
            k = k[len(p):]
    for s in _SUFFIXES:
        if k.endswith(s) and k != s.strip():
            k = k[: -len(s)]
    return k.strip()


@lru_cache(maxsize=1)
def provinces() -> tuple[Province, ...]:
    """All legacy provinces of the region, in north-to-south order."""
    path = data_dir("reference", "provinces.csv")
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append(
                Province(
                    legacy=row["province_legacy"],
                    since_2025=row["province_since_2025"],
                    code=row["code"],
                    region_programme=tuple(p.strip() for p in row["region_programme"].split(";")),
                    bbox=(float(row["min_lat"]), float(row["min_lon"]), float(row["max_lat"]), float(row["max_lon"])),
                )
            )
    return tuple(out)


@lru_cache(maxsize=1)
def _indexes() -> tuple[dict[str, Province], dict[str, list[Province]]]:
    legacy: dict[str, Province] = {}
    new: dict[str, list[Province]] = {}
    for p in provinces():
        legacy[_key(p.legacy)] = p
        new.setdefault(_key(p.since_2025), []).append(p)
    return legacy, new


def legacy_names() -> list[str]:
    return [p.legacy for p in provinces()]


def new_names() -> list[str]:
    """Provinces since 2025 that cover the region, in order of first appearance."""
    return list(dict.fromkeys(p.since_2025 for p in provinces()))


def by_legacy(name: str) -> Province:
    """The legacy province called ``name`` (any spelling); raises UnknownProvinceError."""
    legacy, _ = _indexes()
    k = _key(_ALIASES.get(_key(name), name))
    if k in legacy:
        return legacy[k]
    raise UnknownProvinceError(f"unknown legacy province {name!r}; known: {', '.join(legacy_names())}")


def since_2025_of(legacy_name: str) -> str:
    """The 2025 province that a legacy province became part of."""
    return by_legacy(legacy_name).since_2025


Scheme = Literal["2025", "legacy"]
"""How a name that is both a legacy and a 2025 province is read, and which provinces the regional rules count
in. "2025" (the default of a request) because the merger is the law since 1 July 2025."""

_SCHEME_PREFIXES: dict[str, str] = {"legacy": "legacy", "cu": "legacy", "old": "legacy",
                                    "2025": "2025", "moi": "2025", "new": "2025"}
"""``legacy:Đà Nẵng`` / ``2025:Đà Nẵng`` (also ``cũ:`` / ``mới:``) pick the reading of one name explicitly."""


def split_prefix(name: str) -> tuple[str | None, str]:
    """``"legacy:Đà Nẵng"`` → ``("legacy", "Đà Nẵng")``; a name without a known prefix → ``(None, name)``."""
    head, sep, rest = name.partition(":")
    if sep and fold(head) in _SCHEME_PREFIXES:
        return _SCHEME_PREFIXES[fold(head)], rest.strip()
    return None, name


def is_ambiguous(name: str) -> bool:
    """True when ``name`` (without prefix) is both a legacy and a 2025 province covering different areas, so the
    reading matters ("Đà Nẵng", "Quảng Trị", "Khánh Hòa"); "Huế" / "Quảng Ngãi" name the same area either way."""
    legacy, new = _indexes()
    k = _key(split_prefix(name)[1])
    k = _key(_ALIASES[k]) if k in _ALIASES else k
    return k in legacy and k in new and [p.legacy for p in new[k]] != [legacy[k].legacy]


OUTSIDE_THE_REGION: dict[str, str] = {
    "Kon Tum": "Quảng Ngãi", "Gia Lai": "Gia Lai", "Đắk Lắk": "Đắk Lắk", "Lâm Đồng": "Lâm Đồng",
    "Đắk Nông": "Lâm Đồng", "Bình Dương": "Hồ Chí Minh", "Bà Rịa – Vũng Tàu": "Hồ Chí Minh",
}
"""Legacy provinces outside touroute's region that merged into a 2025 province of it (National Assembly Resolution
202/2025/QH15 on the arrangement of provincial-level units, in force 1 July 2025) → that 2025 province. They hold no
catalogue places; naming one gets an answer that says so and what to name instead, not "unknown province" (a
review: "Kon Tum", a real province now part of Quảng Ngãi, was unknown, and "legacy:Gia Lai" was "not a legacy
province")."""

_OUTSIDE_ALIASES = {"ba ria vung tau": "Bà Rịa – Vũng Tàu", "brvt": "Bà Rịa – Vũng Tàu", "dak lak": "Đắk Lắk",
                    "dac lac": "Đắk Lắk", "dak nong": "Đắk Nông", "kontum": "Kon Tum"}


def _outside(k: str, name: str, legacy_reading: bool) -> str | None:
    """The message for a legacy province outside the region (``k`` a folded key), or None."""
    keys = {_key(n): n for n in OUTSIDE_THE_REGION} | {_key(a): n for a, n in _OUTSIDE_ALIASES.items()}
    hit = keys.get(k)
    if hit is None:
        return None
    now = OUTSIDE_THE_REGION[hit]
    inside = [p.legacy for p in provinces() if p.since_2025 == now]
    if hit == now and not legacy_reading:
        return None  # the 2025 province itself ("Gia Lai"): resolved as the region's part of it
    return (f"{name!r}: legacy {hit} lies outside touroute's region (since 1 July 2025 part of {now}) and the "
            f"catalogue has no places there — name {now} (2025) for its part in the region"
            + (f" (legacy {', '.join(inside)})" if inside and inside != [now] else ""))


def resolve(name: str, era: Literal["auto", "legacy", "2025"] = "auto") -> list[Province]:
    """Legacy provinces meant by ``name`` — the area it names, in north-to-south order.

    A name that is only a legacy province ("Quảng Nam", "Bình Định", "Thừa Thiên Huế") means that legacy province,
    and a name that is only a 2025 province ("Gia Lai", "Lâm Đồng", "Huế") means the legacy provinces it absorbed
    (within the region). A name that is both ("Đà Nẵng", "Quảng Trị", "Khánh Hòa" …) is read

    * ``era="auto"`` (default) or ``"2025"``: as the 2025 province — "Đà Nẵng" = Đà Nẵng + Quảng Nam (Hội An,
      Mỹ Sơn), because that is the province since 1 July 2025;
    * ``era="legacy"``: as the legacy province — "Đà Nẵng" = the old city only.

    A prefix overrides ``era`` for one name: ``legacy:Đà Nẵng`` (also ``cũ:``/``old:``), ``2025:Đà Nẵng`` (also
    ``mới:``/``new:``); ``2025:Quảng Nam`` is the 2025 province Quảng Nam belongs to (Đà Nẵng). ``era="2025"``
    (strict, used by ``pois list --since-2025``) widens every legacy-only name the same way. Case, diacritics,
    "Tỉnh"/"TP." and common short forms ("HCMC", "Danang", "TT Huế") do not matter.
    """
    legacy, new = _indexes()
    prefix, bare = split_prefix(name)
    k = _key(bare)
    k = _key(_ALIASES[k]) if k in _ALIASES else k
    reading = prefix or ("legacy" if era == "legacy" else "2025")
    widen = prefix == "2025" or (prefix is None and era == "2025")
    if prefix == "legacy" and k not in legacy:
        raise UnknownProvinceError(_outside(k, name, True)
                                   or f"{name!r}: not a legacy province of the region; known: "
                                      f"{', '.join(legacy_names())}")
    if reading == "2025" and k in new:
        return list(new[k])
    if k in legacy:
        if widen:  # a legacy name where a 2025 province is asked for: the province it belongs to now
            return list(new[_key(legacy[k].since_2025)])
        return [legacy[k]]
    if k in new:
        return list(new[k])
    outside = _outside(k, name, False)
    if outside:
        raise UnknownProvinceError(outside)
    known = sorted({p.legacy for p in provinces()} | {p.since_2025 for p in provinces()})
    raise UnknownProvinceError(f"unknown province {name!r}; known: {', '.join(known)}")


@dataclass(frozen=True)
class RuleGroups:
    """The provinces the regional rules count in, for one request (see :func:`rule_groups`)."""

    group_of: dict[str, str]
    """legacy province → label of the group it counts in"""
    labels: tuple[str, ...]
    """every group label, north to south"""
    covered: dict[str, str]
    """each must-cover label → the name as the request gave it (an area implied by a smaller named one is left
    out: its minimum holds whenever the smaller area's does)"""

    def members(self, label: str) -> list[str]:
        return [lg for lg, lb in self.group_of.items() if lb == label]


def _label(members: list[Province]) -> str:
    return members[0].legacy if len(members) == 1 else f"{members[0].since_2025} (2025)"


def rule_groups(must_cover: list[str], scheme: Scheme = "2025") -> RuleGroups:
    """Group the legacy provinces the way the regional rules of a request count them.

    * every must-cover name is one group: the area it means (:func:`resolve` read with ``scheme``), so "Đà Nẵng"
      under the 2025 scheme is one group Đà Nẵng + Quảng Nam whose stops and hours count together, and
      "Quảng Nam" is Quảng Nam alone;
    * a name that is both a legacy and a 2025 province, given without prefix next to a legacy part of its 2025
      province (["Đà Nẵng", "Quảng Nam"]), is read as the legacy province: whoever names the part beside it means
      the old city; an area that still contains another named area ("2025:Đà Nẵng" and "Quảng Nam") adds no rule
      of its own, since the smaller area's minimum already meets it;
    * every province not named counts on its own, as a legacy province (the finest unit: a share cap on it also
      holds for any larger area it is part of).

    ``scheme`` only decides how names are read. ``max_share_one_province`` counts per group. Raises
    UnknownProvinceError for an unknown name.
    """
    era: Literal["auto", "legacy"] = "legacy" if scheme == "legacy" else "auto"
    read = [(name, frozenset(p.legacy for p in resolve(name, era))) for name in must_cover]
    areas: list[tuple[str, frozenset[str]]] = []
    for name, area in read:
        if (split_prefix(name)[0] is None and is_ambiguous(name)
                and any(other < area for _, other in read)):
            # "Đà Nẵng" next to "Quảng Nam": whoever names a part of the 2025 province beside it means the old city
            area = frozenset(p.legacy for p in resolve(name, "legacy"))
        if all(area != a for _, a in areas):
            areas.append((name, area))
    kept = [(n, a) for n, a in areas if not any(b < a for _, b in areas)]
    order = {p.legacy: k for k, p in enumerate(provinces())}
    by_legacy = {p.legacy: p for p in provinces()}
    group_of: dict[str, str] = {}
    covered: dict[str, str] = {}
    for name, area in kept:
        label = _label([by_legacy[lg] for lg in sorted(area, key=order.__getitem__)])
        covered[label] = name
        for lg in area:
            group_of[lg] = label
    for p in provinces():
        group_of.setdefault(p.legacy, p.legacy)
    labels = tuple(dict.fromkeys(group_of[p.legacy] for p in provinces()))
    return RuleGroups(group_of, labels, covered)
