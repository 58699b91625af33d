"""Sample tour packages for trade-fair organisers: a spec of package templates → planned, deduplicated packages
with an itinerary JSON, a map and a printable brochure (Vietnamese and English) each.

A spec (YAML or JSON) holds global settings and a list of :class:`PackageTemplate`::

    start_date: 2026-03-02
    languages: [vi, en]
    group_size: 20
    solver_seconds: 4
    packages:
      - id: hue-heritage-2d1n
        title_vi: Huế – Di sản cố đô
        title_en: Huế imperial heritage
        length: 2D1N            # days D, nights N (N = D − 1)
        theme: heritage
        start: hue-hub-hue-city # catalogue lodging hub ids
        end: hue-hub-hue-city
        budget_tier: standard
        provinces: [Thừa Thiên Huế]

Theme → planner settings (:data:`THEMES`). ``categories`` and ``tags`` are candidate *filters* (a tag list keeps
only places with at least one of the tags), ``weights`` multiply each place's popularity in the objective:

============  ===============================  ===================================================  ==========================
theme         categories                       tags                                                 weights (her/mice/coast/other)
============  ===============================  ===================================================  ==========================
heritage      heritage, other                  —                                                    3 / 0.1 / 0.5 / 0.8
coastal       coastal, heritage, other         —                                                    1 / 0.1 / 3 / 0.6
mice_leisure  mice, heritage, coastal, other   —                                                    1.2 / 2 / 1.2 / 0.5
green         other, coastal, heritage         green, national_park, hiking, cave, lagoon,          0.8 / 0 / 1.5 / 3
                                               unesco_biosphere, snorkelling
ocop          heritage, coastal, other         craft_village, fishing_village, seafood              1.5 / 0 / 1.5 / 1.5
============  ===============================  ===================================================  ==========================

(OCOP — "One Commune One Product" — has no catalogue tag of its own; craft and fishing villages and seafood places
are where OCOP products are made and sold.)

Budget tier → lodging cost per night per person in VND (:data:`BUDGET_LODGING_VND`), twin share, breakfast
included. These are **planning assumptions** for a sample price, not quotes: budget 350,000 (2★ / guesthouse),
standard 750,000 (3–4★), premium 2,000,000 (5★ / resort).

This module: the spec's schema and reading it (:func:`load_spec`, :func:`parse_spec`).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import TourouteException
from ..model import Pace, PlanRequest, Profile

Theme = Literal["heritage", "coastal", "mice_leisure", "green", "ocop"]


BudgetTier = Literal["budget", "standard", "premium"]


Lang = Literal["vi", "en"]


THEMES: dict[str, dict[str, Any]] = {
    "heritage": {"categories": ["heritage", "other"], "tags": [],
                 "weights": {"heritage": 3.0, "mice": 0.1, "coastal": 0.5, "other": 0.8}},
    "coastal": {"categories": ["coastal", "heritage", "other"], "tags": [],
                "weights": {"heritage": 1.0, "mice": 0.1, "coastal": 3.0, "other": 0.6}},
    "mice_leisure": {"categories": ["mice", "heritage", "coastal", "other"], "tags": [],
                     "weights": {"heritage": 1.2, "mice": 2.0, "coastal": 1.2, "other": 0.5}},
    "green": {"categories": ["other", "coastal", "heritage"],
              "tags": ["green", "national_park", "hiking", "cave", "lagoon", "unesco_biosphere", "snorkelling"],
              "weights": {"heritage": 0.8, "mice": 0.0, "coastal": 1.5, "other": 3.0}},
    "ocop": {"categories": ["heritage", "coastal", "other"], "tags": ["craft_village", "fishing_village", "seafood"],
             "weights": {"heritage": 1.5, "mice": 0.0, "coastal": 1.5, "other": 1.5}},
}


BUDGET_LODGING_VND: dict[str, int] = {"budget": 350_000, "standard": 750_000, "premium": 2_000_000}


_LENGTH = re.compile(r"^\s*(\d{1,2})\s*D\s*(\d{1,2})\s*N\s*$", re.IGNORECASE)


class SpecError(TourouteException):
    """A package spec that cannot be used; the message names the file and the field.

    ``lines`` keeps each problem as (field, message): the joined message reads "source: field: problem; …", and a
    problem's own text may hold "; " (a list of known names), so callers that need the fields (the web API) read
    ``lines`` rather than splitting the message (a review found a fake field "known" split off a province error)."""

    def __init__(self, message: str, lines: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.lines = list(lines or [])


def parse_length(text: str) -> int:
    """``"3D2N"`` → 3 days. Nights must be days − 1 (a package ends on its last day)."""
    m = _LENGTH.match(str(text))
    if not m:
        raise ValueError("expected like 3D2N (days D, nights N)")
    d, n = int(m.group(1)), int(m.group(2))
    if not 1 <= d <= 14:
        raise ValueError(f"expected 1 to 14 days, got {d}")
    if n != d - 1:
        raise ValueError(f"{d} days need {d - 1} night(s), got {n}N")
    return d


class PackageTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="lower-case slug; the output folder name")
    title_vi: str = Field(min_length=1, max_length=200)
    title_en: str = Field(min_length=1, max_length=200)
    length: str = Field(description="like 2D1N, 3D2N, 4D3N, 5D4N")
    theme: Theme
    start: str = Field(description="catalogue id of a lodging hub")
    end: str | None = Field(default=None, description="catalogue id of a lodging hub; default the start")
    group_size: int | None = Field(default=None, ge=1, le=10_000)
    vehicle: Profile | None = None
    budget_tier: BudgetTier = "standard"
    provinces: list[str] = Field(default_factory=list, description="provinces the package must cover")
    stay_in_provinces: bool = Field(default=True, description="visit and sleep only in `provinces` (when given)")
    pace: Pace = "normal"
    must_visit: list[str] = Field(default_factory=list)
    start_date: date | None = None

    @field_validator("length")
    @classmethod
    def _length(cls, v: str) -> str:
        parse_length(v)
        return v.strip().upper().replace(" ", "")

    @property
    def days(self) -> int:
        return parse_length(self.length)


class PackageSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_date: date
    languages: list[Lang] = Field(default_factory=lambda: ["vi", "en"], min_length=1)
    group_size: int = Field(default=20, ge=1, le=10_000)
    vehicle: Profile | None = None
    solver_seconds: float = Field(default=4.0, gt=0, le=120)
    seed: int = Field(default=0, ge=0)
    province_scheme: Literal["2025", "legacy"] = Field(
        default="2025", description="how the packages' province names that are both a legacy and a 2025 province "
                                    "(Đà Nẵng, Khánh Hòa …) are read — as in a plan request's province_scheme")
    packages: list[PackageTemplate] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> "PackageSpec":
        seen: set[str] = set()
        for k, p in enumerate(self.packages):
            if p.id in seen:
                raise ValueError(f"packages[{k}].id: {p.id!r} is used twice")
            seen.add(p.id)
        return self

    def request(self, tpl: PackageTemplate, catalogue=None) -> PlanRequest:
        """The planning request of one package (theme, budget tier and spec defaults applied).

        ``provinces`` become ``regional.must_cover``; with ``stay_in_provinces`` (the default) they also restrict
        the candidate places and the overnight hubs (start and end hubs always allowed), so a Quy Nhơn → Nha Trang
        package does not detour to Hội An."""
        th = THEMES[tpl.theme]
        extra: dict[str, Any] = {}
        if tpl.provinces and tpl.stay_in_provinces:
            from .. import provinces as prov

            if catalogue is None:
                from ..pois import default_catalogue

                catalogue = default_catalogue()
            era = "legacy" if self.province_scheme == "legacy" else "auto"
            legacy = {p.legacy for name in tpl.provinces for p in prov.resolve(name, era)}
            # island hubs are left out: listed as candidates they would ask for a night on the island
            # (touroute.planner.island_choice), which a package does not ask for
            hubs = [h.id for h in catalogue.hubs() if h.province_legacy in legacy and "island" not in h.tags]
            hubs += [x for x in (tpl.start, tpl.end or tpl.start) if x not in hubs]
            # the legacy provinces resolved above, marked as such: a bare "Đà Nẵng" would be read again under
            # the spec's scheme, and "legacy:Đà Nẵng" (the old city) would widen back to 2025 Đà Nẵng with Hội An
            # and Mỹ Sơn (a review's "old Đà Nẵng" package visited both)
            extra = {"provinces": [f"legacy:{n}" for n in sorted(legacy)],
                     "overnight": {"mode": "choose", "candidates": hubs}}
        return PlanRequest.model_validate({
            **extra,
            "pace": tpl.pace,
            "start_date": (tpl.start_date or self.start_date).isoformat(),
            "days": tpl.days,
            "start": tpl.start,
            "end": tpl.end or tpl.start,
            "categories": th["categories"],
            "tags": th["tags"],
            "themes": th["weights"],
            "regional": {"must_cover": tpl.provinces},
            "province_scheme": self.province_scheme,
            "must_visit": tpl.must_visit,
            "group_size": tpl.group_size or self.group_size,
            "vehicle": tpl.vehicle or self.vehicle,
            "costs": {"lodging_per_night_per_person": BUDGET_LODGING_VND[tpl.budget_tier]},
            "solver": {"time_limit_s": self.solver_seconds, "seed": self.seed},
        })


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "spec"


def _check_catalogue(spec: PackageSpec, catalogue) -> list[str]:
    from .. import provinces as prov

    errors: list[str] = []
    for k, p in enumerate(spec.packages):
        for fname in ("start", "end"):
            pid = getattr(p, fname)
            if pid is None:
                continue
            if pid not in catalogue:
                # a start or end is a lodging hub: suggest hubs by name ("Hue" → Huế City), not sights
                near = [h for h in catalogue.suggest(pid, 5, endpoint=True) if catalogue.get(h).category == "lodging"]
                found = catalogue.resolve(pid, endpoint=True)
                if isinstance(found, str) and catalogue.get(found).category == "lodging" and found not in near:
                    near.insert(0, found)
                hint = f" — did you mean {', '.join(near[:3])}?" if near else " (see `touroute pois list -c lodging`)"
                errors.append(f"packages[{k}].{fname}: no lodging hub with id {pid!r}{hint}")
            elif catalogue.get(pid).category != "lodging":
                errors.append(f"packages[{k}].{fname}: {pid!r} is not a lodging hub (see `touroute pois list -c lodging`)")
        for j, pid in enumerate(p.must_visit):
            if pid not in catalogue:
                errors.append(f"packages[{k}].must_visit[{j}]: no place with id {pid!r} in the catalogue")
        for j, name in enumerate(p.provinces):
            try:
                prov.resolve(name)
            except prov.UnknownProvinceError as exc:
                errors.append(f"packages[{k}].provinces[{j}]: {exc}")
    return errors


def parse_spec(data: Any, source: str = "spec", catalogue=None) -> PackageSpec:
    """Validate a spec (already parsed YAML/JSON); :class:`SpecError` lines read ``source: field: problem``."""
    if not isinstance(data, dict):
        raise SpecError(f"{source}: must hold a mapping (start_date, packages, …)")
    try:
        spec = PackageSpec.model_validate(data)
    except ValidationError as exc:
        lines = []
        pairs: list[tuple[str, str]] = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            loc = _loc(tuple(err.get("loc", ())))
            if loc == "spec" and msg.startswith("packages[") and ": " in msg:
                pairs.append(tuple(msg.split(": ", 1)))  # type: ignore[arg-type]
                lines.append(msg)
            else:
                pairs.append((loc, msg))
                lines.append(f"{loc}: {msg}")
        raise SpecError("; ".join(f"{source}: {line}" for line in lines), pairs) from None
    if catalogue is None:
        from ..pois import default_catalogue

        catalogue = default_catalogue()
    errors = _check_catalogue(spec, catalogue)
    if errors:
        raise SpecError("; ".join(f"{source}: {e}" for e in errors), [tuple(e.split(": ", 1)) for e in errors])
    return spec


def load_spec(path: str | Path, catalogue=None) -> PackageSpec:
    """Load a ``.yaml``/``.yml`` or ``.json`` spec file."""
    from ..resources import read_yaml_or_json

    path = Path(path)
    data = read_yaml_or_json(path, SpecError)
    return parse_spec(data, path.name, catalogue)
