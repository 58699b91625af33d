"""Road scenarios (what-if): faster OSM roads on the real Huế network, estimate corridors, cache separation, the
what-if comparison, and clear errors for bad scenario files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from touroute import analytics as an
from touroute.matrix import Place, TravelTimes, catalogue_matrix
from touroute.network import load_network
from touroute.network.scenario import (RoadScenario, ScenarioError, load_scenario, normalise_name, normalise_ref,
                                       parse_scenario)
from touroute.network.trunk import corridor_model
from touroute.packages import PackageSpec
from touroute.planner import PlanningContext
from touroute.pois import default_catalogue

from ..network_fixtures import IMPERIAL_CITY, THIEN_MU, hue_net, touroute_data_dir  # noqa: F401

pytestmark = pytest.mark.shared

ROOT = Path(__file__).resolve().parents[2]
THUAN_AN = (16.5580, 107.6430)      # Thuận An beach, reached from Huế by QL49
TU_DUC = (16.4330, 107.5660)        # Tự Đức tomb, south-west of the city: Thiên Mụ ↔ Tự Đức avoids QL49
QL49_FAST = {"name": "ql49-fast", "roads": [{"ref": "QL 49", "speed_kmh": 90}]}
COASTAL = ROOT / "data" / "scenarios" / "coastal-road-quang-ngai-binh-dinh.yaml"
HUE_QL49 = ROOT / "data" / "scenarios" / "hue-ql49-upgrade.yaml"


def test_refs_and_names_compare_without_spelling_differences():
    assert normalise_ref("ĐT.603B") == normalise_ref("DT603B") == normalise_ref("dt 603b") == "DT603B"
    assert normalise_ref("QL.49") == normalise_ref("QL49") != normalise_ref("QL49B")
    assert normalise_name("Đường Võ Văn Kiệt") == normalise_name("vo van  kiet") == "vo van kiet"


def _places(*pts) -> list[Place]:
    return [Place(f"p{i}", la, lo) for i, (la, lo) in enumerate(pts)]


def test_faster_ql49_lowers_legs_on_it_and_only_those(hue_net):  # noqa: F811
    base = TravelTimes([hue_net], ferries=[])
    scen = base.with_scenario(parse_scenario(QL49_FAST))
    # precondition: the baseline fastest route Imperial City → Thuận An drives on QL.49; Thiên Mụ ↔ Tự Đức does not
    snaps = {k: hue_net.snap(*v, "car") for k, v in {"imp": IMPERIAL_CITY, "ta": THUAN_AN, "tm": THIEN_MU,
                                                      "td": TU_DUC}.items()}
    refs = lambda a, b: {hue_net.string(int(hue_net.edge_ref[e])) for e in hue_net.route(snaps[a], snaps[b]).edges}  # noqa: E731
    assert any(r and "QL.49" in r for r in refs("imp", "ta"))
    assert not any(r and "49" in r for r in refs("tm", "td") | refs("td", "tm"))
    P = _places(IMPERIAL_CITY, THUAN_AN, THIEN_MU, TU_DUC)
    a, b = base.matrix(P, "car"), scen.matrix(P, "car")
    assert (a.sources == "osm").all() and (b.sources == "osm").all()
    assert b.seconds[0, 1] < a.seconds[0, 1] - 60 and b.seconds[1, 0] < a.seconds[1, 0] - 60
    assert b.seconds[2, 3] == a.seconds[2, 3] and b.seconds[3, 2] == a.seconds[3, 2]
    assert (b.seconds <= a.seconds + 1e-6).all()                  # a faster road never makes a leg slower
    assert any("QL 49" in n and "edges" in n for n in scen.notes)
    # only QL49 edges changed, only their time; forbidden stays forbidden; legal top speed respected
    net_b = scen.networks[0]
    changed = np.flatnonzero(net_b.weights["car"] != hue_net.weights["car"])
    assert changed.size > 50
    assert all("49" in (hue_net.string(int(hue_net.edge_ref[e])) or "") for e in changed)
    for p in ("car", "motorbike", "coach"):
        assert np.array_equal(np.isfinite(net_b.weights[p]), np.isfinite(hue_net.weights[p]))
    kmh = hue_net.edge_length[changed] / net_b.weights["motorbike"][changed] * 3.6
    assert kmh.max() <= 70 + 1e-3                                 # motorbikes: legal 70 km/h, not 90


def test_baseline_network_and_caches_untouched(hue_net, touroute_data_dir, tmp_path):  # noqa: F811
    before = {p: w.copy() for p, w in hue_net.weights.items()}
    base = TravelTimes([hue_net], ferries=[])
    scen = base.with_scenario(parse_scenario(QL49_FAST))
    assert scen.networks[0] is not hue_net and scen.base_networks[0] is hue_net
    assert all(np.array_equal(before[p], hue_net.weights[p]) for p in before)
    assert scen.networks[0].key != hue_net.key and hue_net.key == load_network("hue").key
    assert base.fingerprint() != scen.fingerprint() and base.fingerprint() == base.with_scenario(None).fingerprint()
    # the whole-catalogue matrix: the scenario's is cached apart and never replaces the baseline's file
    cat = default_catalogue().filter(province="Thừa Thiên Huế")
    m_base = catalogue_matrix("car", router=base, catalogue=cat, data_dir=tmp_path)
    files = sorted(p.name for p in (tmp_path / "matrices").glob("*.npz"))
    m_scen = catalogue_matrix("car", router=scen, catalogue=cat, data_dir=tmp_path)
    after = sorted(p.name for p in (tmp_path / "matrices").glob("*.npz"))
    assert set(files) < set(after) and len(after) == 2 and any(n.startswith("scenario-car-") for n in after)
    again = catalogue_matrix("car", router=TravelTimes([load_network("hue")], ferries=[]), catalogue=cat,
                             data_dir=tmp_path)
    assert np.array_equal(again.seconds, m_base.seconds) and (m_scen.seconds <= m_base.seconds + 1e-6).all()
    assert (m_scen.seconds < m_base.seconds - 1).any()


def test_bbox_and_corridor_limit_the_selection(hue_net):  # noqa: F811
    sc = load_scenario(HUE_QL49)
    assert sc.hypothetical
    everywhere = parse_scenario({"name": "x", "roads": [{"ref": "QL49", "speed_factor": 1.5}]})
    all_ql49 = everywhere.road_mask(hue_net, everywhere.roads[0])
    near = sc.road_mask(hue_net, sc.roads[0])
    boxed = parse_scenario({"name": "x", "roads": [{"ref": "QL49", "speed_factor": 1.5,
                                                    "bbox": [107.60, 16.45, 107.70, 16.60]}]})
    in_box = boxed.road_mask(hue_net, boxed.roads[0])
    assert 0 < near.sum() < all_ql49.sum() and 0 < in_box.sum() < all_ql49.sum()
    assert not (near & ~all_ql49).any() and not (in_box & ~all_ql49).any()
    by_name = parse_scenario({"name": "x", "roads": [{"name": "vo van kiet", "speed_kmh": 60}]})
    m = by_name.road_mask(hue_net, by_name.roads[0])
    names = {hue_net.string(int(hue_net.edge_name[e])) for e in np.flatnonzero(m)}
    assert m.sum() > 10 and "Võ Văn Kiệt" in names                 # merged edges: "Võ Văn Kiệt; Cầu vượt …"
    assert all("Võ Văn Kiệt" in [x.strip() for x in n.split(";")] for n in names)
    none = parse_scenario({"name": "x", "roads": [{"ref": "QL99", "speed_kmh": 60}]})
    assert any("matches no edge" in n for n in TravelTimes([hue_net], ferries=[], scenario=none).notes)


def test_estimate_corridor_lowers_estimated_legs_inside_only():
    sc = load_scenario(COASTAL)
    base = TravelTimes([], ferries=[], estimate_model=None)    # flat baseline: the formula below, exactly
    scen = base.with_scenario(sc)
    qng, qn = (15.1206, 108.7923), (13.7765, 109.2237)          # Quảng Ngãi city, Quy Nhơn
    hue, dn = (16.4637, 107.5909), (16.0544, 108.2022)
    inland, coast = (14.45, 108.55), (14.45, 109.10)            # a leg crossing the corridor, not along it
    P = _places(qng, qn, hue, dn, inland, coast)
    a, b = base.matrix(P, "car"), scen.matrix(P, "car")
    assert (a.sources == "estimate").all()
    assert b.seconds[0, 1] < 0.8 * a.seconds[0, 1] and b.metres[0, 1] < a.metres[0, 1]
    assert b.seconds[1, 0] == pytest.approx(b.seconds[0, 1])
    # fully inside: d·c'/v' exactly (c' = 1.2, v' = 1.2 × 50 km/h)
    from touroute.network.graph import haversine_m
    d = float(haversine_m(*qng, *qn))
    assert b.seconds[0, 1] == pytest.approx(d * 1.2 / (60 / 3.6), rel=1e-9)
    assert b.seconds[2, 3] == a.seconds[2, 3]                   # Huế ↔ Đà Nẵng: far from the corridor
    assert b.seconds[4, 5] == a.seconds[4, 5]                   # crosses the corridor: less than half inside
    assert (b.seconds <= a.seconds + 1e-9).all()


def test_estimate_corridor_on_the_corridor_model_baseline():
    """The corridor estimate (opt-in, with the 2026 expressways) stays the baseline a scenario changes: the
    corridor part of a leg runs at 1.2 × the leg's own baseline speed, the rest keeps the baseline's pace."""
    sc = load_scenario(COASTAL)
    base = TravelTimes([], ferries=[], estimate_model=corridor_model())
    assert base.estimate_model is not None
    scen = base.with_scenario(sc)
    assert scen.estimate_model is base.estimate_model and scen.fingerprint() != base.fingerprint()
    qng, qn = (15.1206, 108.7923), (13.7765, 109.2237)
    hue, dn = (16.4637, 107.5909), (16.0544, 108.2022)
    inland, coast = (14.45, 108.55), (14.45, 109.10)
    P = _places(qng, qn, hue, dn, inland, coast)
    for profile in ("car", "motorbike"):
        a, b = base.matrix(P, profile), scen.matrix(P, profile)
        assert b.seconds[0, 1] < 0.95 * a.seconds[0, 1]
        assert b.seconds[2, 3] == a.seconds[2, 3] and b.seconds[4, 5] == a.seconds[4, 5]
        assert (b.seconds <= a.seconds + 1e-6).all()
    slower = parse_scenario({"name": "slow", "estimates": [{"from": [15.12, 108.80], "to": [13.78, 109.22],
                                                            "buffer_km": 15, "speed_factor": 0.5}]})
    s = base.with_scenario(slower).matrix(P, "car")
    assert s.seconds[0, 1] > 1.5 * base.matrix(P, "car").seconds[0, 1]     # a slower road is slower too


def test_bad_scenario_files_name_file_and_field(tmp_path):
    def bad(name: str, text: str) -> str:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        with pytest.raises(ScenarioError) as e:
            load_scenario(p)
        return str(e.value)

    assert "s.yaml: roads[0]: give exactly one of speed_kmh or speed_factor" in bad(
        "s.yaml", "name: a\nroads:\n  - ref: QL1\n")
    assert "s.yaml: roads[0].speed_kmh: Input should be greater than 0" in bad(
        "s.yaml", "name: a\nroads:\n  - {ref: QL1, speed_kmh: -5}\n")
    assert "s.yaml: roads[1]: give the road's `ref`" in bad(
        "s.yaml", "name: a\nroads:\n  - {ref: QL1, speed_kmh: 60}\n  - {speed_kmh: 60}\n")
    msg = bad("s.yaml", "name: a\nroads:\n  - {ref: QL1, speed_kmh: 60, profiles: [tractor]}\n")
    assert "s.yaml: roads[0].profiles" in msg and "tractor" in msg
    assert "s.json: estimates[0].from" in bad(
        "s.json", json.dumps({"name": "a", "estimates": [{"from": [95, 108], "to": [14, 109], "speed_factor": 2}]}))
    assert "s.yaml: roads[0].bbox" in bad("s.yaml", "name: a\nroads:\n  - {ref: QL1, speed_kmh: 60, "
                                                    "bbox: [108, 17, 107, 16]}\n")
    assert "s.yaml: roads[0].speed: Extra inputs are not permitted" in bad(
        "s.yaml", "name: a\nroads:\n  - {ref: QL1, speed: 60}\n")
    assert "s.yaml: a scenario needs at least one entry" in bad("s.yaml", "name: a\n")
    assert "s.yaml: line 1, column 8: not valid YAML" in bad("s.yaml", "name: [")
    assert "s.yaml: must hold a mapping" in bad("s.yaml", "- 1\n")
    assert "estimates[0]: give speed_kmh, speed_factor and/or circuity" in bad(
        "e.yaml", "name: a\nestimates:\n  - {from: [15, 108], to: [14, 109]}\n")


# --- the what-if comparison ------------------------------------------------------------------------------------
GOOD_QN = {"id": "qn", "title_vi": "Quy Nhơn", "title_en": "Quy Nhon", "length": "2D1N", "theme": "coastal",
           "start": "bd-quy-nhon", "provinces": ["Bình Định", "Quảng Ngãi"], "stay_in_provinces": True}
GOOD_HUE = {"id": "hue", "title_vi": "Huế", "title_en": "Hue", "length": "2D1N", "theme": "heritage",
            "start": "hue-hub-hue-city", "provinces": ["Thừa Thiên Huế"]}


@pytest.fixture(scope="module")
def est_ctx(tmp_path_factory):
    return PlanningContext(router=TravelTimes([]), data_dir=str(tmp_path_factory.mktemp("whatif")))


def test_whatif_reports_hub_and_fairness_change(est_ctx):
    spec = PackageSpec.model_validate({"start_date": "2026-03-02", "solver_seconds": 0.2,
                                       "packages": [GOOD_QN, GOOD_HUE]})
    reqs = an.requests_from_spec(spec, est_ctx.catalogue)
    hubs = ["qng-quang-ngai-city", "bd-quy-nhon", "hue-hub-hue-city", "dn-city-centre"]
    w = an.whatif(reqs, load_scenario(COASTAL), ctx=est_ctx, hubs=hubs)
    h = w.hubs.set_index(["from_id", "to_id"])
    # relative to today's estimate, which already has the Quảng Ngãi–Quy Nhơn expressway (corridor model)
    assert h.loc[("qng-quang-ngai-city", "bd-quy-nhon"), "change_minutes"] < -10
    assert h.loc[("hue-hub-hue-city", "dn-city-centre"), "change_minutes"] == 0
    assert w.hubs["change_minutes"].iloc[0] == w.hubs["change_minutes"].min()   # biggest saving first
    assert list(w.plans["plan"]) == ["qn", "hue"] and w.plans["feasible_a"].all() and w.plans["feasible_b"].all()
    hue_row = w.plans.set_index("plan").loc["hue"]
    assert not hue_row["stops_changed"] and hue_row["drive_minutes_a"] == hue_row["drive_minutes_b"]
    assert w.fairness.equals(an.compare(w.report_a, w.report_b))
    assert w.report_a.itineraries == w.report_b.itineraries == 2
    body = w.to_json_dict()
    assert body["scenario"]["estimates"][0]["from"] == [15.12, 108.8] and len(body["hubs"]) == 12


def test_whatif_must_cover_rule(est_ctx):
    spec = PackageSpec.model_validate({"start_date": "2026-03-02", "solver_seconds": 0.2, "packages": [GOOD_HUE]})
    w = an.whatif(an.requests_from_spec(spec, est_ctx.catalogue), None, ctx=est_ctx, must_cover=["Quảng Trị"],
                  hubs=["hue-hub-hue-city", "qt-dong-ha"] if "qt-dong-ha" in est_ctx.catalogue else None)
    f = w.fairness.set_index(["item", "kind"])
    assert f.loc[("Quảng Trị", "visit_hours"), "a"] == 0 and f.loc[("Quảng Trị", "visit_hours"), "b"] > 0
    assert (w.hubs["change_minutes"] == 0).all()                 # a rule changes no travel time
    with pytest.raises(an.AnalyticsError, match="Atlantis"):
        an.whatif([], None, ctx=est_ctx, must_cover=["Atlantis"])
    with pytest.raises(an.AnalyticsError, match="needs a road scenario"):
        an.whatif([], None, ctx=est_ctx)


def test_cli_whatif_and_hubs_scenario(tmp_path, monkeypatch):
    from touroute.cli import main

    monkeypatch.setenv("TOUROUTE_DATA_DIR", str(tmp_path / "empty"))   # estimates only
    runner = CliRunner()
    res = runner.invoke(main, ["analytics", "hubs", "--scenario", str(COASTAL), "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "from_id,to_id,from_name,to_name,minutes_a,minutes_b,change_minutes" in res.output
    res = runner.invoke(main, ["analytics", "whatif", "--scenario", str(COASTAL), "--hub", "qng-quang-ngai-city",
                               "--hub", "bd-quy-nhon"])
    assert res.exit_code == 0, res.output
    assert "Hub pairs that change (2 of 2" in res.output and "hypothetical" in res.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nroads:\n  - {ref: QL1, speed_kmh: 500}\n", encoding="utf-8")
    res = runner.invoke(main, ["analytics", "whatif", "--scenario", str(bad)])
    assert res.exit_code == 2 and "bad.yaml: roads[0].speed_kmh" in res.output and "Traceback" not in res.output
    res = runner.invoke(main, ["analytics", "whatif"])
    assert res.exit_code == 2 and "--scenario" in res.output


def test_example_scenarios_parse_and_hue_one_matches_real_edges(hue_net):  # noqa: F811
    for p in sorted((ROOT / "data" / "scenarios").glob("*.yaml")):
        assert isinstance(load_scenario(p), RoadScenario), p
    sc = load_scenario(HUE_QL49)
    tt = TravelTimes([hue_net], ferries=[], scenario=sc)
    assert all("matches no edge" not in n for n in tt.notes)
    P = _places(IMPERIAL_CITY, THUAN_AN)
    assert tt.matrix(P, "coach").seconds[0, 1] < TravelTimes([hue_net], ferries=[]).matrix(P, "coach").seconds[0, 1]
