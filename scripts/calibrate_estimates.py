"""Calibrate the offline travel estimate from published road distances and driving times (issue 15, item 4).

Reads ``data/reference/road_times.csv`` — published figures between the region's hubs, each with its source, date
and the quoted phrase — and the catalogue's coordinates of each row's two places. Fits, on the **tuning** pairs only:

* circuity (published road km ÷ great-circle km) per great-circle distance band — from every row with a km figure,
  car or bus alike (a road is as long for both); a "road distance" shorter than the straight line between the two
  catalogue points (ratio < 1) cannot be one for those points — the source measured between other points or gave a
  straight-line "cách X km" — and is left out, counted in the report;
* the car's door-to-door speed per band, from car rows with a time: great-circle × the band's circuity ÷ the
  published minutes (bus times include stops and pick-ups: left out of the fit, reported apart).

Between band centres both are interpolated linearly in the great-circle distance (no jumps for the optimiser). The
**held-out** pairs (a third of the pair names, by hash: every source of one pair stays on one side) are only
evaluated. Writes ``data/reference/estimate_model.json`` and prints the error table (before = the flat model,
great-circle × 1.35 ÷ 50 km/h; after = this one), which BENCHMARKS.md quotes.

    python scripts/calibrate_estimates.py [--write]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "data" / "reference" / "road_times.csv"
OUT = ROOT / "data" / "reference" / "estimate_model.json"
BAND_EDGES_KM = (15.0, 60.0, 150.0)
"""Great-circle distance bands: in town, a day-trip, between neighbouring provinces, along the coast."""
FLAT = {"circuity": 1.35, "car_kmh": 50.0}


def pairs() -> pd.DataFrame:
    from touroute.geo import haversine_m
    from touroute.pois import load_catalogue

    df = load_catalogue().df
    d = pd.read_csv(TABLE)
    known = d.from_id.isin(df.index) & d.to_id.isin(df.index)
    d = d[known].copy()
    d["gc_km"] = [float(haversine_m(df.loc[a, "lat"], df.loc[a, "lon"], df.loc[b, "lat"], df.loc[b, "lon"])) / 1000
                  for a, b in zip(d.from_id, d.to_id)]
    d["pair"] = d.pair_id.str.replace(r"-\d+$", "", regex=True)
    d["split"] = ["holdout" if int(hashlib.sha1(p.encode()).hexdigest(), 16) % 3 == 0 else "tune" for p in d["pair"]]
    d["circuity"] = d.km / d.gc_km
    return d


def band_of(gc_km: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.asarray(BAND_EDGES_KM), gc_km, side="right")


def fit(tune: pd.DataFrame) -> dict:
    km = tune[tune.km.notna() & (tune.circuity >= 1.0)]
    nb = len(BAND_EDGES_KM) + 1
    centres, circ = [], []
    for b in range(nb):
        rows = km[band_of(km.gc_km.to_numpy()) == b]
        if len(rows):
            centres.append(float(rows.gc_km.median()))
            circ.append(float(rows.circuity.median()))
    model = {"circuity_at_km": [[round(c, 1), round(v, 4)] for c, v in zip(centres, circ)]}
    t = tune[tune.minutes.notna() & (tune["mode"] == "car")]
    road_km = t.gc_km.to_numpy() * circuity_at(model, t.gc_km.to_numpy())
    kmh = road_km / (t.minutes.to_numpy() / 60.0)
    centres, speeds = [], []
    bands = band_of(t.gc_km.to_numpy())
    for b in range(nb):
        sel = bands == b
        if sel.any():
            centres.append(float(np.median(t.gc_km.to_numpy()[sel])))
            speeds.append(float(np.median(kmh[sel])))
    model["car_kmh_at_km"] = [[round(c, 1), round(v, 2)] for c, v in zip(centres, speeds)]
    model["fitted_on"] = {"km_rows": int(len(km)), "time_rows": int(len(t)),
                          "km_rows_left_out_shorter_than_straight_line": int(
                              (tune.km.notna() & (tune.circuity < 1.0)).sum())}
    return model


def circuity_at(model: dict, gc_km: np.ndarray) -> np.ndarray:
    xs, ys = zip(*model["circuity_at_km"])
    return np.interp(gc_km, xs, ys)


def car_kmh_at(model: dict, gc_km: np.ndarray) -> np.ndarray:
    xs, ys = zip(*model["car_kmh_at_km"])
    return np.interp(gc_km, xs, ys)


def errors(d: pd.DataFrame, model: dict | None) -> dict:
    """Relative errors of distance (rows with km) and car time (car rows with minutes)."""
    out = {}
    k = d[d.km.notna()]
    circ = circuity_at(model, k.gc_km.to_numpy()) if model else FLAT["circuity"]
    e = np.abs(k.gc_km.to_numpy() * circ / k.km.to_numpy() - 1)
    out["km"] = e
    t = d[d.minutes.notna()]
    gc = t.gc_km.to_numpy()
    if model:
        minutes = gc * circuity_at(model, gc) / car_kmh_at(model, gc) * 60
    else:
        minutes = gc * FLAT["circuity"] / FLAT["car_kmh"] * 60
    out["min_car"] = np.abs(minutes / t.minutes.to_numpy() - 1)[(t["mode"] == "car").to_numpy()]
    out["min_bus"] = np.abs(minutes / t.minutes.to_numpy() - 1)[(t["mode"] != "car").to_numpy()]
    return out


def table(d: pd.DataFrame, model: dict) -> str:
    rows = ["| split | quantity | rows | before: median / p90 abs. error | after: median / p90 abs. error |",
            "| --- | --- | --- | --- | --- |"]
    for split in ("tune", "holdout"):
        part = d[d.split == split]
        b, a = errors(part, None), errors(part, model)
        for q, label in (("km", "road distance (all rows with km)"), ("min_car", "car driving time"),
                         ("min_bus", "bus time (not fitted)")):
            if len(a[q]) == 0:
                continue
            rows.append(f"| {split} | {label} | {len(a[q])} | {np.median(b[q]):.0%} / {np.percentile(b[q], 90):.0%} "
                        f"| {np.median(a[q]):.0%} / {np.percentile(a[q], 90):.0%} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(ROOT)}")
    args = ap.parse_args(argv)
    d = pairs()
    model = fit(d[d.split == "tune"])
    model["source"] = str(TABLE.relative_to(ROOT))
    model["holdout_pairs"] = sorted(d[d.split == "holdout"]["pair"].unique().tolist())
    print(json.dumps({k: v for k, v in model.items() if k != "holdout_pairs"}, ensure_ascii=False))
    print(table(d, model))
    if args.write:
        OUT.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n")
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
