"""What the result page shows, without a browser (issue 16, item 3): plan titles in the page's language and a
lunch on every day of the timeline. The browser side (phones, axe-core) is ``test_web_mobile.py``.

Real SQLite file, real planner on the shared offline context (every leg estimated), 1-second solver limits.
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

MONDAY = "2026-12-07"


@pytest.fixture(scope="module")
def app(ctx, tmp_path_factory):
    from touroute.web import create_app

    db = tmp_path_factory.mktemp("db") / "plans.sqlite3"
    return create_app({"DB_URL": f"sqlite:///{db}", "SECRET_KEY": "test", "PLAN_SECONDS": 1.0,
                       "REPLAN_SECONDS": 1.0, "TILES": None, "PUBLIC_PLANS": True}, ctx=ctx)


@pytest.fixture(scope="module")
def made_in_english(app):
    """A 2-day Huế → Hội An plan made through the API on an English request: its automatic title is English."""
    res = app.test_client().post("/api/plans?lang=en", json={"start": "hue-hub-hue-city", "end": "qnam-hoi-an",
                                                             "start_date": MONDAY, "days": 2,
                                                             "solver": {"time_limit_s": 1.0}})
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def test_automatic_title_follows_the_page_language(app, made_in_english):
    assert made_in_english["title"] == "Huế City → Hội An · 2 days · 07/12/2026"
    c = app.test_client()
    vi = c.get(f"/p/{made_in_english['id']}?lang=vi").get_data(as_text=True)
    assert '<h1 id="plan-title">Thành phố Huế → Hội An · 2 ngày · 07/12/2026</h1>' in vi
    assert "2 days" not in vi
    assert "2 ngày" in c.get(f"/p/{made_in_english['id']}/print?lang=vi").get_data(as_text=True)
    plans = c.get("/plans?lang=vi").get_data(as_text=True)
    assert "Thành phố Huế → Hội An · 2 ngày" in plans and "2 days" not in plans
    en = c.get(f"/p/{made_in_english['id']}?lang=en").get_data(as_text=True)
    assert '<h1 id="plan-title">Huế City → Hội An · 2 days · 07/12/2026</h1>' in en
    # the stored text, and so the API's answer, is unchanged
    assert c.get(f"/api/plans/{made_in_english['id']}").get_json()["title"] == made_in_english["title"]


def test_typed_and_unreadable_titles_are_kept(app, ctx, made_in_english):
    from touroute.web import store
    from touroute.web.service import display_title

    with app.app_context():
        saved = store().get(made_in_english["id"])
        assert display_title(saved, ctx, "vi").endswith("2 ngày · 07/12/2026")
        typed = SimpleNamespace(title="Tết với gia đình", request=saved.request)
        assert display_title(typed, ctx, "en") == "Tết với gia đình"
        # an old plan whose request no longer validates keeps its stored text
        broken = SimpleNamespace(title=made_in_english["title"], request={"days": "many"})
        assert display_title(broken, ctx, "vi") == made_in_english["title"]
    res = app.test_client().post("/api/plans?lang=en", json={"start": "qnam-hoi-an", "start_date": MONDAY, "days": 1,
                                                             "title": "My own <b>trip</b>",
                                                             "solver": {"time_limit_s": 1.0}})
    page = app.test_client().get(f"/p/{res.get_json()['id']}?lang=vi").get_data(as_text=True)
    assert '<h1 id="plan-title">My own &lt;b&gt;trip&lt;/b&gt;</h1>' in page


def test_one_day_title_in_both_languages(ctx):
    from touroute.model import PlanRequest
    from touroute.web.service import plan_title

    req = PlanRequest.model_validate({"start": "qnam-hoi-an", "start_date": MONDAY, "days": 1})
    assert plan_title(req, None, ctx, "en").endswith("· 1 day · 07/12/2026")
    assert plan_title(req, None, ctx, "vi").endswith("· 1 ngày · 07/12/2026")


def test_every_day_shows_its_lunch(app, made_in_english):
    """The planner records a separate lunch break only when no long visit spans the lunch window; the page shows
    a lunch on every day either way — the break, or 'Lunch at <place>' over the visit where it is eaten."""
    from touroute.itinerary import Itinerary
    from touroute.model import PlanRequest
    from touroute.web import store
    from touroute.web.views import lunch_of

    with app.app_context():
        saved = store().get(made_in_english["id"])
        it = Itinerary.model_validate_json(saved.itinerary_json)
        req = PlanRequest.model_validate(saved.request)
    html = app.test_client().get(f"/p/{made_in_english['id']}?lang=en").get_data(as_text=True)
    rows = html.split('class="tl-row"')[1:]
    assert len(rows) == len(it.days) == 2
    for d, row in zip(it.days, rows):
        meal = lunch_of(d, req, "en")
        assert meal is not None, f"day {d.day} has no lunch"
        assert meal["end"] - meal["start"] == timedelta(minutes=req.lunch.minutes)
        assert req.lunch.earliest <= meal["start"].time() and meal["end"].time() <= req.lunch.latest_end
        if d.lunch_start is None:  # eaten at a long visit: inside that visit
            stop = next(s for s in d.stops if s.name_en == meal["place"])
            assert stop.start <= meal["start"] and meal["end"] <= stop.departure
            assert meal["label"] == f"Lunch at {meal['place']}"
        assert re.search(r'class="tl-block lunch"[^>]*title="[^"]*Lunch', row.split("</div>\n  </div>")[0])
    # the optional evening of each night is a block of its own too
    assert html.count('class="tl-block evening"') == sum(1 for d in it.days if d.evening is not None)
    no_lunch = req.model_copy(update={"lunch": None})
    assert all(lunch_of(d, no_lunch, "en") is None for d in it.days if d.lunch_start is None)


def test_lunch_at_a_long_visit(app, made_in_english):
    """A day without a break of its own whose visit spans the lunch window shows lunch there, at the window's
    start or the visit's start, whichever is later; a day whose visits leave no lunch hour in the window has
    none."""
    from datetime import datetime

    from touroute.itinerary import Itinerary
    from touroute.model import PlanRequest
    from touroute.web import store
    from touroute.web.views import lunch_of

    with app.app_context():
        saved = store().get(made_in_english["id"])
        it = Itinerary.model_validate_json(saved.itinerary_json)
        req = PlanRequest.model_validate(saved.request)
    d = it.days[0]
    at = lambda hh, mm: datetime.combine(d.date, datetime.min.time()).replace(hour=hh, minute=mm)  # noqa: E731
    long_visit = d.stops[0].model_copy(update={"start": at(11, 0), "departure": at(15, 30)})
    day = d.model_copy(update={"lunch_start": None, "lunch_minutes": 0, "stops": [long_visit]})
    meal = lunch_of(day, req, "vi")
    assert meal["start"] == at(11, 30) and meal["end"] == at(12, 30)
    assert meal["label"] == f"Ăn trưa tại {long_visit.name_vi}"
    later = d.model_copy(update={"lunch_start": None, "lunch_minutes": 0,
                                 "stops": [long_visit.model_copy(update={"start": at(12, 15)})]})
    assert lunch_of(later, req, "en")["start"] == at(12, 15)
    assert lunch_of(later, req, "en")["label"] == f"Lunch at {long_visit.name_en}"
    morning = d.model_copy(update={"lunch_start": None, "lunch_minutes": 0,
                                   "stops": [long_visit.model_copy(update={"start": at(8, 0),
                                                                           "departure": at(11, 45)})]})
    assert lunch_of(morning, req, "en") is None
