"""Benchmark readers (TOPTW Solomon / Cordeau, OPHS), best-known tables and the ``bench`` CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from touroute.bench.formats import load_best_known, read_ophs, read_toptw
from touroute.solve import check, make_solution

pytestmark = pytest.mark.shared

SHARED = Path(__file__).resolve().parents[3] / "shared"
BENCH = SHARED / "bench"


def bench_file(*parts: str) -> Path:
    p = BENCH.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} not present (../shared/bench holds the published benchmark instances)")
    return p


TOPTW_TXT = """\
1 2 3 4
0 200
 0 0.00 0.00 0 0 0 0 0 100
 1 3.00 4.00 5 10 0 1 7 0 50
 2 1.00 1.00 1 20 4 2 1 1 10 60
 3 -2.00 0.37 0 5 0 0 20 30
"""

OPHS_TXT = """\
5\t1\t2
30
16.5\t13.5\t

0\t-7\t0
0\t7\t0
-3\t2\t0
-1\t-6\t6
1\t-6\t6
3\t-5\t12
---------------------------------------------------
"""


def test_toptw_reader_fields_and_truncation(tmp_path: Path) -> None:
    f = tmp_path / "x101.txt"
    f.write_text(TOPTW_TXT)
    inst = read_toptw(f)
    assert inst.n_customers == 3 and inst.tmax == 100
    assert inst.service.tolist() == [0, 5, 1, 0]
    assert inst.score.tolist() == [0, 10, 20, 5]
    # O, C are the last two tokens whatever the number of unused integers in between
    assert inst.open_.tolist() == [0, 0, 10, 20] and inst.close.tolist() == [100, 50, 60, 30]
    T = inst.travel()
    assert T[0, 1] == 5.0
    assert T[0, 2] == 1.4  # sqrt(2) = 1.414… truncated to 1 decimal (Solomon)
    assert T[0, 3] == 2.0  # sqrt(4.1369) = 2.0339 truncated
    pr = tmp_path / "pr99.txt"
    pr.write_text(TOPTW_TXT)
    assert read_toptw(pr).travel()[0, 2] == 1.41  # 2 decimals for Cordeau pr files


def test_ophs_reader_negative_coordinates_and_dash_line(tmp_path: Path) -> None:
    f = tmp_path / "t.ophs"
    f.write_text(OPHS_TXT)
    inst = read_ophs(f)
    assert inst.n_hotels == 3 and len(inst.score) == 6 and inst.trip_limits == [16.5, 13.5] and inst.tmax == 30
    assert inst.xy[3].tolist() == [-1, -6]
    p = inst.problem()
    assert p.chained and p.routes[0].start_nodes == (0,) and p.routes[-1].end_nodes == (1,)
    assert p.routes[0].end_nodes == (0, 1, 2) and p.windows[0] == [] and p.windows[3] == [(0.0, math.inf)]
    assert p.travel[0, 1] == 14.0 and abs(p.travel[2, 3] - math.sqrt(4 + 64)) < 1e-12  # not rounded


def test_real_files_and_best_known() -> None:
    c101 = read_toptw(bench_file("toptw", "solomon", "c101.txt"))
    assert c101.n_customers == 100 and c101.tmax == 1236 and c101.decimals == 1
    pr01 = read_toptw(bench_file("toptw", "cordeau", "pr01.txt"))
    assert pr01.n_customers == 48 and pr01.decimals == 2 and pr01.tmax == 1000
    bk = load_best_known(bench_file("toptw", "best_known.csv"))
    assert bk[("pr01", 2)] == 502 and bk[("c101", 1)] == 320
    o = read_ophs(bench_file("ophs", "SET_1-2", "64-45-1-2.ophs"))
    assert o.n_hotels == 3 and len(o.trip_limits) == 2 and len(o.score) == 65
    bko = load_best_known(bench_file("ophs", "best_known.csv"))
    assert bko[("SET_1-2", "64-45-1-2")] == 816
    for f in sorted(BENCH.glob("ophs/SET_*/*.ophs")):
        inst = read_ophs(f)
        assert sum(inst.trip_limits) <= inst.tmax + 1e-6, f  # so the per-trip limits imply the total one


def _cli():
    import click

    from touroute.cli.bench import register

    @click.group()
    def root() -> None:
        pass

    register(root)
    return root


def test_cli_toptw_json_is_feasible() -> None:
    path = bench_file("toptw", "solomon", "c101.txt")
    r = CliRunner().invoke(_cli(), ["bench", "toptw", str(path), "--tours", "2", "--seconds", "0.5"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert set(out) == {"instance", "tours", "score", "routes", "seconds"}
    assert out["instance"] == "c101" and out["tours"] == 2 and len(out["routes"]) == 2
    prob = read_toptw(path).problem(2)
    sol = make_solution(prob, [[0, *r, 0] for r in out["routes"]])
    assert check(prob, sol) == [] and sol.score == out["score"]


def test_cli_ophs_trips_hotel_to_hotel() -> None:
    path = bench_file("ophs", "SET_2-3", "64-45-2-3.ophs")
    r = CliRunner().invoke(_cli(), ["bench", "ophs", str(path), "--seconds", "0.5", "--seed", "3"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert set(out) == {"instance", "score", "trips", "seconds"}
    trips = out["trips"]
    assert len(trips) == 3 and trips[0][0] == 0 and trips[-1][-1] == 1
    assert all(a[-1] == b[0] for a, b in zip(trips, trips[1:]))
    inst = read_ophs(path)
    assert all(t[0] < inst.n_hotels and t[-1] < inst.n_hotels for t in trips)
    prob = inst.problem()
    sol = make_solution(prob, trips)
    assert check(prob, sol) == [] and sol.score == out["score"]
    lengths = [sum(prob.travel[a, b] for a, b in zip(t, t[1:])) for t in trips]
    assert all(L <= lim + 1e-6 for L, lim in zip(lengths, inst.trip_limits))
    assert np.isclose(sum(inst.score[v] for t in trips for v in t), out["score"])
