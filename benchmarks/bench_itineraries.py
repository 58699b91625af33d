"""Expert-itinerary benchmark (issue 12): does touroute plan what published tour programmes of the region visit?

The programmes are in ``data/benchmarks/itineraries.yaml`` (operators' tour pages, tourism news / guide itineraries,
a few travellers' reports of standard tours, each with its source URL and date). For each programme we ask the planner
for the same trip as a traveller would: same start and end hub, same number of days, the stated theme (categories) or
provinces, and the stated vehicle — nothing else (no must-visits: the point is whether the planner *finds* the places).

Reported per programme:
* **headline recall** — share of the programme's main places that the plan visits. A place counts as visited when the
  plan visits it, its ``part_of`` parent (a programme's "Japanese bridge" is seen on a visit of Hội An Ancient Town),
  or a component of it (a plan's Linh Ứng pagoda is on the Marble Mountains), or sees it on an island boat trip
  (the excursion stop's ``includes``). An ``any_of`` entry counts once when any alternative is visited.
* **sights per day** — stops per day (an island day trip counts the island places it includes, at least 1);
* **driving per day** — the plan's driving hours per day.
Means are reported for the ``tune`` and ``holdout`` splits separately. The split is fixed in the data file (first hex
digit of sha1(id) odd → holdout) and was set before anything was evaluated; tune the planner only on ``tune``.

Targets (issue 12): mean recall ≥ 0.80 and ≤ 6 sights a day at normal pace.

Usage:  python benchmarks/bench_itineraries.py [--split tune|holdout|all] [--only ID] [--seconds S] [--seed N]
                                              [--seeds 0,1,2] [--markdown FILE]
Needs ../shared/data/osm/hue.osm.pbf for the cached Huế road network (without it every leg is estimated).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = ROOT / "data" / "benchmarks" / "itineraries.yaml"

START_DATE = date(2027, 4, 5)
"""A Monday in the dry season, so every ferry of data/reference/ferries.csv runs (Cù Lao Chàm boats may stop Sep–Dec)
and no programme is lost to storm-season limits the programmes themselves do not have."""

RECALL_TARGET = 0.80
SIGHTS_PER_DAY_TARGET = 6.0


# ---------------------------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------------------------
def load_programmes(path: Path | str = DATA) -> list[dict[str, Any]]:
    """The programmes of the data file, in file order."""
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    return list(doc["programmes"])


def split_of(pid: str) -> str:
    """``holdout`` when the first hex digit of sha1(id) is odd, else ``tune`` (the rule stated in the data file)."""
    return "holdout" if int(hashlib.sha1(pid.encode("utf-8")).hexdigest()[0], 16) % 2 == 1 else "tune"


def main_places(prog: dict[str, Any]) -> list[tuple[str, ...]]:
    """The programme's main places in order, each as a tuple of acceptable ids (one id, or an ``any_of`` group);
    a place named on several days counts once."""
    out: list[tuple[str, ...]] = []
    for day in prog.get("itinerary") or []:
        for entry in day.get("places") or []:
            alts = tuple(entry["any_of"]) if isinstance(entry, dict) else (entry,)
            if alts not in out:
                out.append(alts)
    return out


def all_ids(prog: dict[str, Any]) -> list[str]:
    """Every catalogue id the record names: start, end and all main-place alternatives."""
    return [prog["start"], prog["end"], *[i for alts in main_places(prog) for i in alts]]


def provinces_of(prog: dict[str, Any], catalogue: Any) -> set[str]:
    """Legacy provinces the programme touches: its start, end and main places, and the provinces it states."""
    return {catalogue.get(i).province_legacy for i in all_ids(prog)} | set(prog.get("provinces") or [])


def is_multi_province(prog: dict[str, Any], catalogue: Any) -> bool:
    return len(provinces_of(prog, catalogue)) >= 2


# ---------------------------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------------------------
def visited_ids(itinerary: Any) -> set[str]:
    """Catalogue ids the plan visits: every stop's place, plus the places an island day trip includes."""
    seen: set[str] = set()
    for day in itinerary.days:
        for stop in day.stops:
            seen.add(stop.place_id)
            seen.update(stop.includes)
    return seen


def counts_as_visited(pid: str, visited: set[str], parent_of: dict[str, str | None],
                      children_of: dict[str, list[str]]) -> bool:
    """``pid`` itself, its ``part_of`` parent, or one of its components is visited."""
    if pid in visited:
        return True
    parent = parent_of.get(pid)
    if parent is not None and parent in visited:
        return True
    return any(c in visited for c in children_of.get(pid, ()))


def part_of_maps(catalogue: Any) -> tuple[dict[str, str | None], dict[str, list[str]]]:
    """(id → parent id, parent id → component ids) of the catalogue."""
    parent_of: dict[str, str | None] = {}
    children_of: dict[str, list[str]] = {}
    for poi in catalogue:
        parent_of[poi.id] = poi.part_of
        if poi.part_of:
            children_of.setdefault(poi.part_of, []).append(poi.id)
    return parent_of, children_of


def headline_recall(mains: Iterable[tuple[str, ...]], visited: set[str], parent_of: dict[str, str | None],
                    children_of: dict[str, list[str]]) -> tuple[int, int, list[tuple[str, ...]]]:
    """(hits, total, missed) of the programme's main places against the plan's visited ids."""
    mains = list(mains)
    missed = [alts for alts in mains
              if not any(counts_as_visited(a, visited, parent_of, children_of) for a in alts)]
    return len(mains) - len(missed), len(mains), missed


def sights_per_day(itinerary: Any) -> list[int]:
    """Stops per day; an island day trip counts the island places it includes (at least one)."""
    return [sum(max(1, len(s.includes)) if s.kind == "ferry_excursion" else 1 for s in d.stops)
            for d in itinerary.days]


# ---------------------------------------------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------------------------------------------
def request_for(prog: dict[str, Any], *, seed: int = 0, seconds: float | None = None) -> Any:
    """The request a traveller would make for this programme: its hubs, days, stated theme / provinces and vehicle;
    the solver's default time limit unless ``seconds`` is given."""
    from touroute.model import PlanRequest

    body: dict[str, Any] = {"start_date": START_DATE.isoformat(), "days": prog["days"], "start": prog["start"],
                            "end": prog["end"]}
    if prog.get("categories"):
        body["categories"] = list(prog["categories"])
    if prog.get("provinces"):
        body["provinces"] = list(prog["provinces"])
        # the programmes record legacy provinces side by side ("Đà Nẵng", "Quảng Nam"): read them so
        body["province_scheme"] = "legacy"
    if prog.get("vehicle"):
        body["vehicle"] = prog["vehicle"]
    body["solver"] = {"seed": seed, **({"time_limit_s": seconds} if seconds else {})}
    return PlanRequest.model_validate(body)


@dataclass
class Row:
    split: str
    pid: str
    days: int
    multi: bool
    feasible: bool
    hits: int
    total: int
    missed: list[tuple[str, ...]]
    sights: list[int]
    drive_h: list[float]
    seconds: float
    problems: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.hits / self.total if self.total else 1.0

    @property
    def sights_mean(self) -> float:
        return statistics.fmean(self.sights) if self.sights else 0.0

    @property
    def drive_mean(self) -> float:
        return statistics.fmean(self.drive_h) if self.drive_h else 0.0


def evaluate(progs: list[dict[str, Any]], ctx: Any, *, seed: int, seconds: float | None) -> list[Row]:
    from touroute.planner import plan

    parent_of, children_of = part_of_maps(ctx.catalogue)
    rows: list[Row] = []
    for prog in progs:
        req = request_for(prog, seed=seed, seconds=seconds)
        t = time.perf_counter()
        it = plan(req, ctx, geometry=False)
        el = time.perf_counter() - t
        visited = visited_ids(it) if it.feasible else set()
        hits, total, missed = headline_recall(main_places(prog), visited, parent_of, children_of)
        row = Row(split=split_of(prog["id"]), pid=prog["id"], days=prog["days"],
                  multi=is_multi_province(prog, ctx.catalogue), feasible=it.feasible, hits=hits, total=total,
                  missed=missed, sights=sights_per_day(it) if it.feasible else [],
                  drive_h=[d.driving_seconds / 3600 for d in it.days] if it.feasible else [], seconds=el,
                  problems=list(it.problems))
        rows.append(row)
        print(f"{row.split:7s} {row.pid:42s} recall {row.hits}/{row.total} = {row.recall:.2f}  sights/day "
              f"{row.sights}  drive h/day {[round(h, 1) for h in row.drive_h]}  {el:.1f} s"
              + ("" if it.feasible else f"  INFEASIBLE: {'; '.join(it.problems)[:200]}"), flush=True)
    return rows


# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------
def summary(rows: list[Row], split: str) -> dict[str, float]:
    sel = [r for r in rows if r.split == split]
    if not sel:
        return {}
    days = [s for r in sel for s in r.sights]
    return {"n": len(sel), "recall": statistics.fmean(r.recall for r in sel),
            "recall_multi": statistics.fmean([r.recall for r in sel if r.multi]) if any(r.multi for r in sel)
            else float("nan"),
            "sights": statistics.fmean(days) if days else 0.0, "sights_max": max(days) if days else 0,
            "drive": statistics.fmean(h for r in sel for h in r.drive_h) if days else 0.0,
            "drive_max": max((h for r in sel for h in r.drive_h), default=0.0),
            "infeasible": sum(not r.feasible for r in sel)}


def markdown(rows: list[Row], cmd: str, commit: str, note: str) -> str:
    lines = [
        "| split | programme | days | multi-province | recall | sights/day | driving h/day (mean / max) | missed |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in sorted(rows, key=lambda r: (r.split, r.pid)):
        missed = ", ".join(" or ".join(a) for a in r.missed) or "—"
        lines.append(f"| {r.split} | {r.pid} | {r.days} | {'yes' if r.multi else ''} | {r.hits}/{r.total} "
                     f"({r.recall:.2f}) | {' '.join(map(str, r.sights)) if r.feasible else 'infeasible'} | "
                     f"{r.drive_mean:.1f} / {max(r.drive_h, default=0):.1f} | {missed} |")
    lines += ["", "| split | programmes | mean recall (target ≥ 0.80) | mean recall, multi-province | "
                  "sights/day mean / max (target ≤ 6) | driving h/day mean / max | infeasible |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for split in ("tune", "holdout"):
        s = summary(rows, split)
        if s:
            lines.append(f"| {split} | {s['n']} | **{s['recall']:.2f}** | {s['recall_multi']:.2f} | "
                         f"{s['sights']:.1f} / {s['sights_max']} | {s['drive']:.1f} / {s['drive_max']:.1f} | "
                         f"{s['infeasible']} |")
    head = [f"Command: `{cmd}` on commit `{commit}` {note}".rstrip(), ""]
    return "\n".join(head + lines) + "\n"


def seeds_markdown(by_seed: dict[int, list[Row]], cmd: str, commit: str, note: str) -> str:
    """Per programme, its recall under each seed and the mean; per split, each seed's mean recall and their mean and
    range. The search's seed moves a programme between plans of nearly equal value (BENCHMARKS.md, "the seed
    spread"), so a change is judged on the mean over seeds, not on one seed's table."""
    seeds = sorted(by_seed)
    pids = [r.pid for r in by_seed[seeds[0]]]
    rows_of = {sd: {r.pid: r for r in rows} for sd, rows in by_seed.items()}
    lines = [f"| split | programme | days | {' | '.join(f'seed {sd}' for sd in seeds)} | mean recall |",
             "| --- | --- | --- | " + " | ".join("---" for _ in seeds) + " | --- |"]
    for pid in sorted(pids, key=lambda x: (rows_of[seeds[0]][x].split, x)):
        rs = [rows_of[sd][pid] for sd in seeds]
        lines.append(f"| {rs[0].split} | {pid} | {rs[0].days} | "
                     + " | ".join(f"{r.hits}/{r.total}" if r.feasible else "infeasible" for r in rs)
                     + f" | {statistics.fmean(r.recall for r in rs):.2f} |")
    lines += ["", "| split | programmes | " + " | ".join(f"seed {sd}" for sd in seeds)
              + " | mean over seeds (range) | sights/day mean |", "| --- | --- | " + " | ".join("---" for _ in seeds)
              + " | --- | --- |"]
    for split in ("tune", "holdout"):
        per = [summary(by_seed[sd], split) for sd in seeds]
        if per and per[0]:
            rec = [x["recall"] for x in per]
            lines.append(f"| {split} | {per[0]['n']} | " + " | ".join(f"{x:.3f}" for x in rec)
                         + f" | **{statistics.fmean(rec):.3f}** ({min(rec):.3f}–{max(rec):.3f}) | "
                         f"{statistics.fmean(x['sights'] for x in per):.2f} |")
    head = [f"Command: `{cmd}` on commit `{commit}` {note}".rstrip(), ""]
    return "\n".join(head + lines) + "\n"


def _commit() -> str:
    import subprocess

    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["tune", "holdout", "all"], default="all")
    ap.add_argument("--only", default=None, help="one programme id")
    ap.add_argument("--seconds", type=float, default=None, help="solver time limit (default: the request default)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seeds", default=None,
                    help="comma-separated seeds (e.g. 0,1,2): plan every programme once per seed and report the "
                         "mean over seeds — one seed's table moves by a programme or two between plans of equal value")
    ap.add_argument("--markdown", type=Path, default=None, help="write the per-programme table to this file")
    a = ap.parse_args()

    progs = load_programmes()
    if a.only:
        progs = [p for p in progs if p["id"] == a.only]
        if not progs:
            print(f"no programme {a.only!r} in {DATA}", file=sys.stderr)
            return 2
    elif a.split != "all":
        progs = [p for p in progs if split_of(p["id"]) == a.split]

    from touroute.planner import PlanningContext
    from touroute.solve import warmup

    data = Path(os.environ.get("TOUROUTE_DATA_DIR") or tempfile.mkdtemp(prefix="touroute-bench-"))
    os.environ["TOUROUTE_DATA_DIR"] = str(data)
    pbf = SHARED / "data" / "osm" / "hue.osm.pbf"
    note = ""
    if pbf.exists():
        from touroute.network import build_network

        build_network(str(pbf), name="hue", data_dir=str(data))
    else:
        note = "(../shared absent: no road network cached — every leg estimated)"
    warmup()
    ctx = PlanningContext(data_dir=str(data))
    if a.seeds:
        try:
            seeds = [int(x) for x in a.seeds.split(",") if x.strip()]
        except ValueError:
            print(f"--seeds: not a comma-separated list of whole numbers: {a.seeds!r}", file=sys.stderr)
            return 2
        by_seed = {sd: evaluate(progs, ctx, seed=sd, seconds=a.seconds) for sd in seeds}
        for split in ("tune", "holdout"):
            per = [summary(by_seed[sd], split) for sd in seeds]
            if per and per[0]:
                rec = [x["recall"] for x in per]
                print(f"{split}: {per[0]['n']} programmes, mean recall over seeds {seeds}: {statistics.fmean(rec):.3f} "
                      f"(per seed {', '.join(f'{x:.3f}' for x in rec)}), sights/day "
                      f"{statistics.fmean(x['sights'] for x in per):.2f}")
        if a.markdown:
            cmd = "python benchmarks/bench_itineraries.py" + (f" --split {a.split}" if a.split != "all" else "") \
                + f" --seeds {a.seeds}" + (f" --seconds {a.seconds}" if a.seconds else "")
            a.markdown.write_text(seeds_markdown(by_seed, cmd, _commit(), note), encoding="utf-8")
        return 0
    rows = evaluate(progs, ctx, seed=a.seed, seconds=a.seconds)

    for split in ("tune", "holdout"):
        s = summary(rows, split)
        if s:
            print(f"{split}: {s['n']} programmes, mean recall {s['recall']:.3f} (multi-province {s['recall_multi']:.3f}),"
                  f" sights/day {s['sights']:.2f} (max {s['sights_max']}), driving {s['drive']:.2f} h/day "
                  f"(max {s['drive_max']:.1f}), infeasible {s['infeasible']}")
    if a.markdown:
        cmd = "python benchmarks/bench_itineraries.py" + "".join(
            f" {k} {v}" for k, v in (("--split", a.split if a.split != "all" else None), ("--only", a.only),
                                     ("--seconds", a.seconds), ("--seed", a.seed or None)) if v is not None)
        a.markdown.write_text(markdown(rows, cmd, _commit(), note), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
