"""Reading and checking the catalogue files: every row against the schema, the province table, duplicates,
``part_of`` and access rows — reporting *all* problems with file, line, field and value, because a curator fixing a
350-row file wants the whole list at once, not one error per run.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from .. import provinces as prov
from ..errors import Problem
from ..geo import haversine_m  # noqa: F401 — re-exported (catalogue users measure distances with it)
from ..resources import data_dir
from ..settings import setting
from .record import ACCESS_COLUMNS, ACCESS_FILE, COLUMNS, SAME_NAME_MIN_METRES, Access, Poi, _FieldError

# ---------------------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------------------
_INT_FIELDS = ("visit_minutes", "fee_vnd", "fee_domestic_vnd", "capacity", "capacity_banquet", "capacity_classroom",
               "popularity")


REQUIRED: tuple[str, ...] = ("id", "name_vi", "name_en", "category", "subcategory", "province_legacy", "province",
                             "lat", "lon", "visit_minutes", "popularity", "source")


_FLOAT_FIELDS = ("lat", "lon")


CATALOGUE_DIR_ENV = "TOUROUTE_CATALOGUE_DIR"


def catalogue_dir() -> Path:
    """Where the catalogue CSVs live: ``$TOUROUTE_CATALOGUE_DIR`` when set (a curated or regional variant),
    else the bundled data/poi/."""
    from_env = setting(CATALOGUE_DIR_ENV)
    return from_env if from_env is not None else data_dir("poi")


def default_paths() -> list[Path]:
    """The catalogue files (every CSV in :func:`catalogue_dir`)."""
    return sorted(catalogue_dir().glob("*.csv"))


def _coerce(row: dict[str, str], fname: str, line: int, problems: list[Problem]) -> dict[str, object] | None:
    """Turn CSV strings into typed values; empty cells become None (unknown)."""
    out: dict[str, object] = {}
    ok = True
    for key in COLUMNS:
        raw = row.get(key)
        raw = raw.strip() if isinstance(raw, str) else raw
        if raw in (None, ""):
            if key in REQUIRED:
                problems.append(Problem(fname, line, key, None, "required field is empty"))
                ok = False
            out[key] = None
            continue
        if key in _INT_FIELDS:
            try:
                num = float(raw.replace("_", ""))
                if not num.is_integer():
                    raise ValueError
                out[key] = int(num)
            except ValueError:
                problems.append(Problem(fname, line, key, raw, "must be a whole number"))
                ok = False
        elif key in _FLOAT_FIELDS:
            try:
                val = float(raw)
                if not math.isfinite(val):
                    raise ValueError
                out[key] = val
            except ValueError:
                problems.append(Problem(fname, line, key, raw, "must be a decimal number"))
                ok = False
        else:
            out[key] = raw
    return out if ok else None


def _validate_file(path: Path, problems: list[Problem]) -> list[tuple[Poi, str, int]]:
    fname = str(path)
    records: list[tuple[Poi, str, int]] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(Problem(fname, None, None, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})"))
        return records
    except OSError as exc:
        problems.append(Problem(fname, None, None, None, f"cannot read file: {exc.strerror}"))
        return records
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS]
    if missing or extra:
        msg = []
        if missing:
            msg.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            msg.append(f"unknown column(s) {', '.join(map(str, extra))}")
        problems.append(Problem(fname, 1, None, None, "; ".join(msg) + " — see data/poi/SCHEMA.md"))
        return records
    line = 1
    for row in reader:
        start = line + 1
        line = reader.line_num
        if None in row:  # more cells than header columns
            problems.append(Problem(fname, start, None, row[None], f"{len(header) + len(row[None])} cells, header has {len(header)}"))
            continue
        if all((v or "").strip() == "" for v in row.values()):
            continue
        typed = _coerce(row, fname, start, problems)
        if typed is None:
            continue
        try:
            poi = Poi(**typed)
        except ValidationError as exc:
            for err in exc.errors():
                ctx_err = (err.get("ctx") or {}).get("error")
                if isinstance(ctx_err, _FieldError):
                    problems.append(Problem(fname, start, ctx_err.field, ctx_err.value, ctx_err.message))
                    continue
                field = str(err["loc"][0]) if err.get("loc") else None
                value = typed.get(field) if field else None
                msg = err["msg"].removeprefix("Value error, ")
                problems.append(Problem(fname, start, field, value, msg))
            continue
        records.append((poi, fname, start))
    return records


def _fold_name(name: str) -> str:
    return prov.fold(name)


def _check_duplicates(records: list[tuple[Poi, str, int]], problems: list[Problem]) -> None:
    seen: dict[str, tuple[str, int]] = {}
    for poi, fname, line in records:
        if poi.id in seen:
            f0, l0 = seen[poi.id]
            problems.append(Problem(fname, line, "id", poi.id, f"duplicate id (first defined in {f0}, line {l0})"))
        else:
            seen[poi.id] = (fname, line)
    by_name: dict[str, list[tuple[Poi, str, int]]] = {}
    for rec in records:
        for key in {_fold_name(rec[0].name_vi), _fold_name(rec[0].name_en)}:
            by_name.setdefault(key, []).append(rec)
    reported: set[tuple[str, str]] = set()
    for group in by_name.values():
        for i, (a, fa, la) in enumerate(group):
            for b, fb, lb in group[i + 1:]:
                if a.id == b.id or (a.id, b.id) in reported:
                    continue
                d = haversine_m(a.lat, a.lon, b.lat, b.lon)
                if d < SAME_NAME_MIN_METRES:
                    reported.add((a.id, b.id))
                    problems.append(Problem(fb, lb, "lat", f"{b.lat},{b.lon}",
                                            f"'{b.id}' has the same name as '{a.id}' ({fa}, line {la}) and lies only "
                                            f"{d:.0f} m from it — a duplicate place"))


PART_OF_MAX_METRES = 2000.0


PART_OF_ACCESS_MAX_METRES = 10_000.0


PART_OF_ACCESS_TAGS = frozenset({"cable_car", "boat"})
"""A component tagged ``cable_car`` or ``boat`` may lie up to :data:`PART_OF_ACCESS_MAX_METRES` from its whole: the
Bà Nà summit (Golden Bridge, Linh Ứng pagoda) is 5 km from the lower station where the place's record stands, and the
visit of the whole — its cable car included (``access.csv``) — is how one gets there."""


def _check_part_of(records: list[tuple[Poi, str, int]], problems: list[Problem]) -> None:
    """``part_of`` names an existing place of the same province, close by (or up the cable car / boat ride of a
    component so tagged), that is not itself a part."""
    by_id = {r[0].id: r[0] for r in records}
    for poi, fname, line in records:
        if poi.part_of is None:
            continue
        parent = by_id.get(poi.part_of)
        if parent is None or parent.id == poi.id:
            problems.append(Problem(fname, line, "part_of", poi.part_of, "must be the id of another catalogue place"))
        elif parent.part_of is not None:
            problems.append(Problem(fname, line, "part_of", poi.part_of, "the parent is itself part of another place"))
        elif parent.province_legacy != poi.province_legacy:
            problems.append(Problem(fname, line, "part_of", poi.part_of, "the parent lies in another province"))
        else:
            ride = bool(PART_OF_ACCESS_TAGS & set(poi.tags))
            limit = PART_OF_ACCESS_MAX_METRES if ride else PART_OF_MAX_METRES
            if haversine_m(poi.lat, poi.lon, parent.lat, parent.lon) > limit:
                problems.append(Problem(fname, line, "part_of", poi.part_of,
                                        f"the parent is more than {limit:.0f} m away"
                                        + ("" if ride else f" ({PART_OF_ACCESS_MAX_METRES:.0f} m for a component "
                                                           f"tagged cable_car or boat)")))


ACCESS_FROM_MAX_METRES = 25_000.0
"""How far the road end of an access (the pier, the cable-car station) may lie from the place it reaches: the
region's boats and cable cars to a catalogue place cross a few kilometres (Lý Sơn → Đảo Bé 5.4 km, Cầu Đá → Hòn Mun
about 5 km); further is a typing error in the position."""


def _validate_access(path: Path, places: dict[str, Poi], problems: list[Problem]) -> dict[str, Access]:
    """Read ``access.csv``: one row per place reached only by cable car / boat / buggy / shuttle.

    Every bad row is reported with file, line, field and value like the catalogue rows, and left out.
    """
    fname = str(path)
    out: dict[str, Access] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(fname, None, None, None, f"cannot read access file: {exc}"))
        return out
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = reader.fieldnames or []
    missing = [c for c in ACCESS_COLUMNS if c not in header]
    extra = [c for c in header if c not in ACCESS_COLUMNS]
    if missing or extra:
        msg = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + \
              ([f"unknown column(s) {', '.join(map(str, extra))}"] if extra else [])
        problems.append(Problem(fname, 1, None, None, "; ".join(msg) + " — see data/poi/SCHEMA.md (access)"))
        return out
    seen: dict[str, int] = {}
    line = 1
    for row in reader:
        start = line + 1
        line = reader.line_num
        if None in row:
            problems.append(Problem(fname, start, None, row[None], f"more cells than the {len(header)} columns"))
            continue
        cells = {k: (v or "").strip() for k, v in row.items()}
        if not any(cells.values()):
            continue
        pid = cells["id"]
        if pid not in places:
            problems.append(Problem(fname, start, "id", pid or None, "not the id of a catalogue place"))
            continue
        if pid in seen:
            problems.append(Problem(fname, start, "id", pid, f"second access row for this place (first on line "
                                                              f"{seen[pid]})"))
            continue
        seen[pid] = start
        typed: dict[str, object] = {}
        ok = True
        for key in ACCESS_COLUMNS[1:]:
            raw = cells[key]
            if raw == "":
                typed[key] = None
            elif key in ("minutes", "fee_vnd"):
                try:
                    typed[key] = int(raw.replace("_", ""))
                except ValueError:
                    problems.append(Problem(fname, start, key, raw, "must be a whole number"))
                    ok = False
            elif key in ("from_lat", "from_lon"):
                try:
                    typed[key] = float(raw)
                except ValueError:
                    problems.append(Problem(fname, start, key, raw, "must be a number (decimal degrees)"))
                    ok = False
            else:
                typed[key] = raw
        if not ok:
            continue
        try:
            acc = Access(**{k: v for k, v in typed.items() if v is not None})
        except ValidationError as exc:
            for err in exc.errors():
                ctx_err = (err.get("ctx") or {}).get("error")
                if isinstance(ctx_err, _FieldError):
                    problems.append(Problem(fname, start, ctx_err.field, ctx_err.value, ctx_err.message))
                    continue
                field = str(err["loc"][0]) if err.get("loc") else None
                field = "from" if field == "from_" else field
                msg = err["msg"].removeprefix("Value error, ")
                if err["type"] == "missing":
                    msg = "required field is empty"
                problems.append(Problem(fname, start, field, typed.get(field or ""), msg))
            continue
        end = acc.road_end
        if end is not None:
            place = places[pid]
            d = haversine_m(place.lat, place.lon, *end)
            if d > ACCESS_FROM_MAX_METRES:
                problems.append(Problem(fname, start, "from_lat", f"{end[0]},{end[1]}",
                                        f"the access starts {d / 1000:.1f} km from the place it reaches (at most "
                                        f"{ACCESS_FROM_MAX_METRES / 1000:.0f} km)"))
                continue
        out[pid] = acc
    return out


def validate_files(paths: Sequence[Path | str]) -> tuple[list[Poi], list[Problem]]:
    """Validate catalogue files; returns the valid records and every problem found (never raises for bad rows).

    A file named ``access.csv`` among ``paths`` is the access table (cable car / boat to a place), not places: its
    rows are checked against the places and attached as :attr:`Poi.access`.
    """
    problems: list[Problem] = []
    records: list[tuple[Poi, str, int]] = []
    access_files = [Path(p) for p in paths if Path(p).name == ACCESS_FILE]
    for p in paths:
        if Path(p).name != ACCESS_FILE:
            records.extend(_validate_file(Path(p), problems))
    _check_duplicates(records, problems)
    _check_part_of(records, problems)
    bad_ids = {p.value for p in problems if p.field == "id" and "duplicate id" in p.message}
    good = [r[0] for r in records if r[0].id not in bad_ids]
    access: dict[str, Access] = {}
    for f in access_files:
        access.update(_validate_access(f, {p.id: p for p in good}, problems))
    good = [p.model_copy(update={"access": access[p.id]}) if p.id in access else p for p in good]
    return good, problems
