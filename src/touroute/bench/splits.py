"""Tuning set vs held-out set of the published benchmark instances.

Search parameters and operators are chosen on the *tuning* split only; the *held-out* split measures whether the
choices generalise (issue 11, item 5). A split never mixes variants of one underlying instance: every TOPTW file is
solved with all its tour counts on the same side, and every OPHS POI set with all its hotel/day variants.

TOPTW (../shared/bench/toptw: Cordeau pr01–pr10 solved for m = 1..4, the 56 Solomon files for m = 1)
    tune      pr01–pr05 (all m) + Solomon c1 (c101–c109) + r1 (r101–r112)
    held-out  pr06–pr10 (all m) + Solomon rc1 (rc101–rc108) + c2 + r2 + rc2
The held-out side has the long-horizon classes (c2/r2/rc2: one tour of ≈ 1000 time units visits 30–100
customers), which the tuning side lacks entirely — the hardest test of generalisation.

OPHS (../shared/bench/ophs, sets SET_1-2 / SET_2-3 / SET_3-4 = 1 extra hotel & 2 trips … 3 hotels & 4 trips of the
same POI sets), split by POI set, the first number of the file name:
    tune      64-*, 100-*, T1-*   (18 files per set)
    held-out  66-*, 102-*, T3-*   (17 files per set)
so no held-out POI set was seen, with any number of hotels, while tuning.
"""

from __future__ import annotations

import re
from typing import Literal

Split = Literal["tune", "holdout"]

TOPTW_TUNE_PR = tuple(f"pr{k:02d}" for k in range(1, 6))
TOPTW_HOLDOUT_PR = tuple(f"pr{k:02d}" for k in range(6, 11))
SOLOMON_TUNE = ("c1", "r1")
SOLOMON_HOLDOUT = ("rc1", "c2", "r2", "rc2")
OPHS_TUNE = ("64", "100", "T1")
OPHS_HOLDOUT = ("66", "102", "T3")

_SOLOMON = re.compile(r"^(rc|c|r)([12])\d\d$")


def solomon_class(name: str) -> str | None:
    """'c1', 'r2', 'rc1', … for a Solomon instance name (``c101`` → ``c1``); ``None`` otherwise."""
    m = _SOLOMON.match(name.lower())
    return f"{m.group(1)}{m.group(2)}" if m else None


def toptw_group(name: str) -> str:
    """Reporting group of a TOPTW instance: 'pr' or its Solomon class."""
    if name.lower().startswith("pr"):
        return "pr"
    cls = solomon_class(name)
    if cls is None:
        raise ValueError(f"not a Cordeau or Solomon TOPTW instance name: {name!r}")
    return cls


def toptw_split(name: str) -> Split:
    """Which side of the split a TOPTW instance (file stem, e.g. ``pr03`` or ``rc204``) is on."""
    low = name.lower()
    if low in TOPTW_TUNE_PR:
        return "tune"
    if low in TOPTW_HOLDOUT_PR:
        return "holdout"
    cls = toptw_group(low)
    if cls in SOLOMON_TUNE:
        return "tune"
    if cls in SOLOMON_HOLDOUT:
        return "holdout"
    raise ValueError(f"TOPTW instance {name!r} is in neither split")


def ophs_family(name: str) -> str:
    """POI set of an OPHS instance: ``SET_2-3/T3-65-2-3`` or ``T3-65-2-3`` → ``T3``."""
    return name.rsplit("/", 1)[-1].split("-", 1)[0]


def ophs_split(name: str) -> Split:
    """Which side of the split an OPHS instance is on (by its POI set, see the module docstring)."""
    fam = ophs_family(name)
    if fam in OPHS_TUNE:
        return "tune"
    if fam in OPHS_HOLDOUT:
        return "holdout"
    raise ValueError(f"OPHS instance {name!r} (POI set {fam!r}) is in neither split")


def split_of(kind: str, name: str) -> Split:
    """Split of an instance of benchmark ``kind`` ('toptw' or 'ophs')."""
    if kind == "toptw":
        return toptw_split(name)
    if kind == "ophs":
        return ophs_split(name)
    raise ValueError(f"unknown benchmark kind {kind!r}")
