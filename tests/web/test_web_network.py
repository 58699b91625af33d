"""The web app on a real road network: legs routed on OSM roads are drawn solid, and the map's offline background
shows the loaded network's main roads (the Huế extract from ../shared)."""

from __future__ import annotations

import pytest

from touroute.matrix import TravelTimes
from touroute.planner import PlanningContext

from ..network_fixtures import hue_net, touroute_data_dir  # noqa: F401  (session fixtures)

pytestmark = [pytest.mark.shared, pytest.mark.slow]  # builds road networks from the real extracts


@pytest.fixture(scope="module")
def app(hue_net, tmp_path_factory):  # noqa: F811
    from touroute.web import create_app

    ctx = PlanningContext(router=TravelTimes([hue_net]), data_dir=str(tmp_path_factory.mktemp("data")))
    db = tmp_path_factory.mktemp("db") / "plans.sqlite3"
    return create_app({"DB_URL": f"sqlite:///{db}", "SECRET_KEY": "test", "PLAN_SECONDS": 1.0,
                       "REPLAN_SECONDS": 1.0, "MAX_PLAN_SECONDS": 10, "TILES": None}, ctx=ctx)


def test_hue_plan_uses_osm_legs_and_map_shows_main_roads(app):
    client = app.test_client()
    body = {"start_date": "2026-12-08", "days": 1, "start": "hue-hub-hue-city", "provinces": ["Thừa Thiên Huế"],
            "solver": {"time_limit_s": 1}}
    res = client.post("/api/plans", json=body)
    assert res.status_code == 201, res.get_json()
    plan = res.get_json()
    legs = [leg for d in plan["itinerary"]["days"] for leg in d["legs"]]
    osm = [leg for leg in legs if leg["source"] == "osm"]
    assert osm, "legs inside the Huế extract are routed on OSM roads"
    assert any(len(leg["geometry"]) > 2 for leg in osm), "road legs carry the road polyline"
    html = client.get(f"/p/{plan['id']}/map").get_data(as_text=True)
    assert "MultiLineString" in html and "main roads" in html
    assert "OpenStreetMap" in html
