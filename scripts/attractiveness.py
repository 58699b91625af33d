#!/usr/bin/env python3
"""Compute data/poi/evidence/attractiveness.csv from the recorded evidence (rule: data/poi/SCHEMA.md).

    PYTHONPATH=src python scripts/attractiveness.py            # rewrite the file
    PYTHONPATH=src python scripts/attractiveness.py --check    # exit 1 if the committed file differs
    PYTHONPATH=src python scripts/attractiveness.py --show hue # the ranking of one city's places, for review

Anyone who adds or removes a catalogue place re-runs this and commits the result: the loader requires a row for
every id, and tests/test_attractiveness.py checks the committed file equals the recomputation.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from touroute import attractiveness as attr  # noqa: E402
from touroute.pois import ATTRACTIVENESS_FILE, validate_files  # noqa: E402


def recompute(catalogue: Path) -> tuple[str, list, list[attr.Score]]:
    """(file text, catalogue records, scores) for the catalogue folder ``catalogue``."""
    records, problems = validate_files(sorted(catalogue.glob("*.csv")))
    if problems:
        raise SystemExit("the catalogue has problems; fix them first (touroute pois validate):\n"
                         + "\n".join(map(str, problems)))
    ev = attr.evidence_dir(catalogue)
    lists = attr.read_lists(ev / "lists.csv")
    signals = attr.read_signals(ev / "signals.csv", lists, ids=[r.id for r in records])
    scores = attr.compute(records, signals, lists)
    return attr.render(scores), records, scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--catalogue", type=Path, default=ROOT / "data" / "poi", help="catalogue folder (default data/poi)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed file differs from a recomputation")
    ap.add_argument("--show", metavar="CITY_OR_PREFIX",
                    help="print the ranking of places whose id starts with this prefix (e.g. hue-, qnam-)")
    args = ap.parse_args(argv)
    try:
        text, records, scores = recompute(args.catalogue)
    except attr.EvidenceError as exc:
        print("evidence problems:\n" + "\n".join(exc.problems), file=sys.stderr)
        return 2
    out = attr.evidence_dir(args.catalogue) / ATTRACTIVENESS_FILE
    if args.show:
        names = {r.id: r.name_en for r in records}
        for s in sorted(scores, key=lambda s: (-s.attractiveness, s.id)):
            if s.id.startswith(args.show):
                print(f"{s.attractiveness:4d}  {s.id:40s} {names[s.id][:40]:40s} {'; '.join(s.basis)}")
        return 0
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current == text:
            print(f"{out}: up to date ({len(scores)} places)")
            return 0
        sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), text.splitlines(True),
                                                   f"{out} (committed)", f"{out} (recomputed)"))
        print(f"\n{out} differs from the recomputation: run scripts/attractiveness.py and commit the result",
              file=sys.stderr)
        return 1
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({len(scores)} places)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
