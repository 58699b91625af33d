#!/usr/bin/env python3
"""Apply researched facts to the catalogue CSVs, each with its source and date.

    python scripts/apply_facts.py facts.csv [more.csv …]            # fill empty fields only
    python scripts/apply_facts.py --new places.csv                   # append new records to their province's file
    python scripts/apply_facts.py --dry-run facts.csv                # say what would change

Why a script: a curator (or a research session) collects facts as one row per fact — ``id, field, value, source,
as_of`` (further columns such as the quote that states the fact are read for review and ignored here) — and the
catalogue stores them as a value plus a shared ``*_source`` / ``*_as_of`` pair per fact family (hours, fee, seats).
Doing that by hand in a 31-column CSV loses sources and dates; this keeps them together and never overwrites a
value already in the catalogue (a differing value is reported for review instead). Afterwards run
``touroute pois validate`` (syntax of hours, ranges) and ``scripts/attractiveness.py`` (new places need a row), and
record the batch in data/poi/CHANGES.md.

The files are rewritten with Python's csv module in the form they are committed in (minimal quoting, ``\\n``), so
a diff shows only the changed rows.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "data" / "poi"

FAMILY = {
    "opening_hours": ("hours_source", "hours_as_of"),
    "fee_vnd": ("fee_source", "fee_as_of"),
    "fee_domestic_vnd": ("fee_source", "fee_as_of"),
    "capacity": ("seats_source", "seats_as_of"),
    "capacity_banquet": ("seats_source", "seats_as_of"),
    "capacity_classroom": ("seats_source", "seats_as_of"),
}
"""Fact field → its source and as-of columns (shared within a family)."""


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _older(a: str, b: str) -> str:
    """The older of two as-of dates (``undated`` counts as oldest): a record citing two pages is as old as the older."""
    if "undated" in (a, b):
        return "undated"
    return min(a, b)


def _merge_source(row: dict[str, str], src_f: str, date_f: str, source: str, as_of: str) -> None:
    have = [s for s in row[src_f].split(";") if s]
    if source not in have:
        row[src_f] = ";".join(have + [source])
        row[date_f] = _older(row[date_f], as_of) if row[date_f] else as_of


def apply_facts(files: list[Path], facts: list[Path], *, dry_run: bool = False) -> list[str]:
    """Fill empty fact fields of ``files`` from ``facts``; returns one message per change or conflict."""
    tables = {f: _read(f) for f in files}
    where = {row["id"]: row for _, rows in tables.values() for row in rows}
    log: list[str] = []
    for fpath in facts:
        _, rows = _read(fpath)
        for line, fact in enumerate(rows, start=2):
            pid, field = fact["id"].strip(), fact["field"].strip()
            value, source, as_of = fact["value"].strip(), fact["source"].strip(), fact["as_of"].strip()
            if field not in FAMILY:
                log.append(f"{fpath.name}:{line}: field {field!r} is not a fact field ({', '.join(FAMILY)})")
                continue
            if pid not in where:
                log.append(f"{fpath.name}:{line}: id {pid!r} is not in the catalogue")
                continue
            if not (value and source and as_of):
                log.append(f"{fpath.name}:{line}: {pid} {field}: value, source and as_of are all required")
                continue
            row = where[pid]
            if row[field]:
                if row[field] != value:
                    log.append(f"{fpath.name}:{line}: {pid} {field}: catalogue has {row[field]!r}, fact says "
                               f"{value!r} ({source}) — kept, review by hand")
                continue
            row[field] = value
            _merge_source(row, *FAMILY[field], source, as_of)
            log.append(f"{pid} {field} = {value} ({source}, {as_of})")
    if not dry_run:
        for f, (header, rows) in tables.items():
            _write(f, header, rows)
    return log


def append_new(files: list[Path], new: Path, *, dry_run: bool = False) -> list[str]:
    """Append the records of ``new`` to the file that holds their legacy province's places."""
    tables = {f: _read(f) for f in files}
    home: dict[str, Path] = {}
    for f, (_, rows) in tables.items():
        for row in rows:
            home.setdefault(row["province_legacy"], f)
    ids = {row["id"] for _, rows in tables.values() for row in rows}
    log: list[str] = []
    _, rows = _read(new)
    for line, row in enumerate(rows, start=2):
        target = home.get(row.get("province_legacy", ""))
        if target is None:
            log.append(f"{new.name}:{line}: province_legacy {row.get('province_legacy')!r} has no catalogue file")
            continue
        if row["id"] in ids:
            log.append(f"{new.name}:{line}: id {row['id']!r} already exists — skipped")
            continue
        header, target_rows = tables[target]
        extra = set(row) - set(header)
        if extra:
            log.append(f"{new.name}:{line}: unknown columns {sorted(extra)} — skipped")
            continue
        target_rows.append({k: row.get(k, "") or "" for k in header})
        ids.add(row["id"])
        log.append(f"+ {row['id']} → {target.name}")
    if not dry_run:
        for f, (header, rows_) in tables.items():
            _write(f, header, rows_)
    return log


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("facts", nargs="*", type=Path, help="facts CSVs (id, field, value, source, as_of, …)")
    ap.add_argument("--new", type=Path, action="append", default=[], help="CSV of new records (catalogue columns)")
    ap.add_argument("--catalogue", type=Path, default=CATALOGUE)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    files = sorted(p for p in args.catalogue.glob("*.csv") if p.name != "access.csv")
    log: list[str] = []
    for new in args.new:
        log += append_new(files, new, dry_run=args.dry_run)
    if args.facts:
        log += apply_facts(files, args.facts, dry_run=args.dry_run)
    counts: dict[str, int] = defaultdict(int)
    for msg in log:
        counts["problem" if ":" in msg.split(" ")[0] else "change"] += 1
        print(msg)
    print(f"{counts['change']} changes, {counts['problem']} problems{' (dry run)' if args.dry_run else ''}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
