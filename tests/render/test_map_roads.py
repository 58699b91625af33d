"""With a road network loaded, the map draws road geometry for every leg — the day's legs and the evening outing's
way from the night's hub (issue 16, item 2.4) — on the real Huế extract from ../shared."""

from __future__ import annotations

import re

import pytest

from touroute.matrix import TravelTimes
from touroute.planner import PlanningContext

from ..network_fixtures import hue_net, touroute_data_dir  # noqa: F401  (session fixtures)

pytestmark = [pytest.mark.shared, pytest.mark.slow]  # builds the Huế road network from the real extract


@pytest.fixture(scope="module")
def app(hue_net, tmp_path_factory):  # noqa: F811
    from touroute.web import create_app

    ctx = PlanningContext(router=TravelTimes([hue_net]), data_dir=str(tmp_path_factory.mktemp("data")))
    db = tmp_path_factory.mktemp("db") / "plans.sqlite3"
    return create_app({"DB_URL": f"sqlite:///{db}", "SECRET_KEY": "test", "PLAN_SECONDS": 1.0, "TILES": None},
                      ctx=ctx)


def test_every_leg_and_evening_is_drawn_along_the_roads(app):
    client = app.test_client()
    body = {"start_date": "2026-03-02", "days": 2, "start": "hue-hub-hue-city", "end": "hue-hub-hue-city",
            "provinces": ["Thừa Thiên Huế"], "overnight": {"mode": "fixed", "fixed": ["hue-hub-hue-city"]},
            "solver": {"time_limit_s": 1}}  # the night in Huế: every leg stays inside the extract
    res = client.post("/api/plans", json=body)
    assert res.status_code == 201, res.get_json()
    plan = res.get_json()
    days = plan["itinerary"]["days"]
    legs = [leg for d in days for leg in d["legs"]]
    assert legs and all(leg["source"] == "osm" for leg in legs), [(leg["to_id"], leg["source"]) for leg in legs]
    assert all(len(leg["geometry"]) > 2 for leg in legs), "every road leg carries its road polyline"
    evenings = [d["evening"] for d in days if d.get("evening")]
    assert evenings, "Huế has evening outings (Ca Huế on the Perfume River, the night market)"
    for ev in evenings:
        assert ev["travel_source"] == "osm" and len(ev["geometry"]) > 2, ev["place_id"]
        assert ev["geometry"][0] == pytest.approx([16.4619, 107.59546], abs=1e-3)  # leaves from the hub
    html = client.get(f"/p/{plan['id']}/map").get_data(as_text=True)
    drawn = re.findall(r'"className": "(tr-(?:route|evening-route) [^"]*)"', html)
    assert len(drawn) == len(legs) + len(evenings), drawn
    assert all(c.endswith("tr-osm") for c in drawn), "no leg falls back to a dashed straight line"

