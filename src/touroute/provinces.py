"""Provinces of the region, before and after the July 2025 merger (63 → 34 provinces).

People still say "Quảng Nam" or "Bình Định" although since 1 July 2025 those are parts of Đà Nẵng and Gia Lai.
Every place in the catalogue therefore carries both names, and every filter accepts either spelling, with or
without diacritics. The reference table (`data/reference/provinces.csv`) is kept in the repository so the
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


def resolve(name: str, era: Literal["auto", "legacy", "2025"] = "auto") -> list[Province]:
    """Legacy provinces meant by ``name``.

    ``era="auto"`` prefers the legacy reading where a name is both (e.g. "Đà Nẵng" = the old city only), and uses
    the 2025 reading for names that only exist since 2025 ("Gia Lai" → Bình Định, "Lâm Đồng" → Bình Thuận).
    ``era="2025"`` forces the new reading ("Đà Nẵng" → Đà Nẵng + Quảng Nam).
    """
    legacy, new = _indexes()
    k = _key(name)
    k = _key(_ALIASES[k]) if k in _ALIASES else k
    if era in ("auto", "legacy") and k in legacy:
        return [legacy[k]]
    if era in ("auto", "2025") and k in new:
        return list(new[k])
    if era == "2025" and k in legacy:
        # A legacy name given where a 2025 province is expected: the province it belongs to now.
        return list(new[_key(legacy[k].since_2025)])
    known = sorted({p.legacy for p in provinces()} | {p.since_2025 for p in provinces()})
    raise UnknownProvinceError(f"unknown province {name!r}; known: {', '.join(known)}")
