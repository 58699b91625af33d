"""The web app in real headless Chromium (Debian ``chromium``) via Playwright, against a real server.

Fill the form with the autocomplete, plan, check the map (one route layer per day) and the timeline, remove a stop
and see the re-plan, switch language, download GPX and ICS and parse them. No request may leave 127.0.0.1 except
map tiles, which are aborted — the map must still show the routes. A screenshot is kept in ``test-artifacts/``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import urlsplit

import gpxpy
import icalendar
import pytest

from ..browser_support import guard_external, launch, needs_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def server(tmp_path_factory, ctx):
    from werkzeug.serving import make_server

    from touroute.web import create_app

    tmp = tmp_path_factory.mktemp("web")
    # tiles left at the production default (OSM): the browser aborts them, as when offline
    app = create_app({"DB_URL": f"sqlite:///{tmp / 'plans.sqlite3'}", "SECRET_KEY": "browser-test",
                      "PLAN_SECONDS": 1.5, "REPLAN_SECONDS": 1.0, "JOBS_DIR": str(tmp / "jobs"),
                      "JOB_SOLVER_SECONDS": 1.0, "JOB_PDF": False}, ctx=ctx)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    th.join(5)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


def test_plan_edit_switch_language_download(server, browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True,
                                  locale="vi-VN")
    external = guard_external(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # the Content-Security-Policy (script nonces, no inline handlers) must not block anything the app itself needs,
    # in the page or in the folium map's iframe
    csp_violations: list[str] = []
    page.on("console", lambda msg: csp_violations.append(msg.text) if "Content Security Policy" in msg.text else None)

    # --- the form: start place by autocomplete (typed without diacritics) ------------------------------------
    page.goto(server + "/?lang=vi")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.fill("#start", "")
    page.type("#start", "thanh pho hue", delay=20)
    option = page.locator("[data-ac] .ac-list li[data-id='hue-hub-hue-city']").first
    option.wait_for(timeout=5000)
    option.click()
    assert page.input_value("#start") == "Thành phố Huế"
    assert page.locator("input[name=start_id]").input_value() == "hue-hub-hue-city"
    page.fill("#end", "")
    page.type("#end", "hoi an", delay=20)  # typed without diacritics
    page.locator("[data-ac] .ac-list li[data-id='qnam-hoi-an']").first.click()
    assert page.input_value("#end") == "Hội An"
    assert page.locator("input[name=end_id]").input_value() == "qnam-hoi-an"
    page.fill("#days", "2")
    page.fill("#start_date", "2026-12-07")
    for box in page.locator("input[name=must_cover]").all():
        box.uncheck()
    # a must-visit chosen from the autocomplete
    page.type("#must_visit-input", "my son", delay=20)
    page.locator("[data-ac-multi=must_visit] li[data-id='qnam-my-son-sanctuary']").click()
    assert page.locator("#must_visit-chips input[value='qnam-my-son-sanctuary']").count() == 1
    page.click("#plan-button")
    page.wait_for_url("**/p/**", timeout=60_000)
    slug = page.url.rsplit("/", 1)[1].split("?")[0]

    # --- the result: map with one route layer per day, stops, timeline -------------------------------------
    frame = page.frame_locator("#map-frame")
    frame.locator("path.tr-route").first.wait_for(timeout=15_000)
    classes = frame.locator("path.tr-route").evaluate_all("els => els.map(e => e.getAttribute('class'))")
    days = {c.split("tr-day-")[1].split()[0] for c in classes}
    assert days == {"1", "2"}, classes
    assert all("tr-estimate" in c for c in classes)
    dashed = frame.locator("path.tr-estimate").first.get_attribute("stroke-dasharray")
    assert dashed and dashed.replace(",", " ").split()[0] == "9"
    overlay_labels = frame.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert sum(1 for lbl in overlay_labels if "Ngày" in lbl) == 2
    n_markers = frame.locator(".tr-stop").count()
    stops = page.locator("tr.stop")
    assert stops.count() == n_markers >= 3
    assert page.locator(".tl-row").count() == 2
    assert page.locator(".tl-block.visit").count() == n_markers
    assert "qnam-my-son-sanctuary" in page.locator("tr.stop").evaluate_all("r => r.map(e => e.dataset.place)")
    assert "OpenStreetMap" in frame.locator(".leaflet-control-attribution").inner_text()
    page.wait_for_timeout(300)  # let the map finish fitting its bounds
    page.screenshot(path=str(ARTIFACTS / "web-result.png"), full_page=False)
    page.screenshot(path=str(ARTIFACTS / "web-result-full.png"), full_page=True)
    # a popup opens with times and fee
    frame.locator(".leaflet-marker-icon:has(.tr-stop)").first.dispatch_event("click")
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    assert "Ngày 1" in popup.inner_text() and "Vé" in popup.inner_text()
    page.locator("#map-frame").screenshot(path=str(ARTIFACTS / "web-popup.png"))

    # --- edit: remove the first stop, the plan is re-optimised ----------------------------------------------
    first = stops.first.get_attribute("data-place")
    assert first != "qnam-my-son-sanctuary" or stops.count() > 1
    target = stops.nth(1) if first == "qnam-my-son-sanctuary" else stops.first
    removed = target.get_attribute("data-place")
    target.locator(".remove-stop").click()
    page.wait_for_selector("#replanned", timeout=60_000)
    assert slug not in page.url
    assert removed not in page.locator("tr.stop").evaluate_all("r => r.map(e => e.dataset.place)")
    page.frame_locator("#map-frame").locator("path.tr-route").first.wait_for(timeout=15_000)

    # --- language switch -------------------------------------------------------------------------------------
    page.click("#lang-en")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Timeline" in page.locator("#timeline h2").inner_text()
    page.frame_locator("#map-frame").locator(".leaflet-control-layers-overlays").wait_for()
    assert "Day 1" in page.frame_locator("#map-frame").locator(".leaflet-control-layers-overlays").inner_text()

    # --- downloads --------------------------------------------------------------------------------------------
    with page.expect_download() as dl:
        page.click("#export-gpx")
    gpx_path = tmp_path / "trip.gpx"
    dl.value.save_as(gpx_path)
    doc = gpxpy.parse(gpx_path.read_text(encoding="utf-8"))
    assert len(doc.tracks) == 2 and doc.tracks[0].name.startswith("Day 1")
    with page.expect_download() as dl:
        page.click("#export-ics")
    ics_path = tmp_path / "trip.ics"
    dl.value.save_as(ics_path)
    events = icalendar.Calendar.from_ical(ics_path.read_bytes()).walk("VEVENT")
    # one event per visit, plus an optional (transparent) one per evening suggestion the page shows
    visits = [e for e in events if "evening" not in [str(c) for c in e.get("categories").cats]]
    assert len(visits) == page.locator("tr.stop").count()
    assert len(events) - len(visits) == page.locator("tr.evening").count()

    # --- nothing left the machine but (aborted) map tiles --------------------------------------------------------
    others = [u for u in external if urlsplit(u).hostname != "tile.openstreetmap.org"]
    assert others == [], others
    assert not errors, errors
    assert not csp_violations, csp_violations
    context.close()


def _guarded_context(browser, **kw):
    """A browser context whose requests may only go to 127.0.0.1 (map tiles are aborted and recorded)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, **kw)
    return context, guard_external(context)


def test_packages_job_progress_and_zip(server, browser, tmp_path):
    """Packages page: submit the example spec trimmed to one package, watch the JS-polled progress reach done,
    download the zip. Then the analytics pages: matrix heatmap, reachability map in its iframe."""
    import json
    import zipfile

    ARTIFACTS.mkdir(exist_ok=True)
    context, external = _guarded_context(browser, accept_downloads=True, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + "/packages/?lang=en")
    example = page.input_value("#spec_text")
    assert "hue-heritage-2d1n" in example
    one = example.split("  - id: danang")[0].replace("languages: [vi, en]", "languages: [en]")
    page.fill("#spec_text", one)
    page.click("#btn-validate")
    page.locator("#spec-valid").wait_for(timeout=10_000)
    assert "1 package" in page.locator("#spec-valid").inner_text()
    page.click("#btn-build")
    page.wait_for_url("**/packages/jobs/**", timeout=10_000)
    # the small script polls the JSON status and reloads once the job is done
    page.locator("#job-zip").wait_for(state="visible", timeout=90_000)
    assert page.locator("#job-state").inner_text() == "done"
    assert "1 of 1 packages done" in page.locator("#job-progress-text").inner_text()
    page.screenshot(path=str(ARTIFACTS / "web-package-job.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#job-zip")
    path = tmp_path / "packages.zip"
    dl.value.save_as(path)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert {"index.json", "hue-heritage-2d1n/itinerary.json", "hue-heritage-2d1n/map.html",
                "hue-heritage-2d1n/brochure.en.html"} <= names
        assert json.loads(zf.read("index.json"))["packages"][0]["feasible"]

    # --- analytics: matrix with its heatmap, reachability with its map ---------------------------------------
    page.goto(server + "/analytics/matrix?lang=en")
    assert page.locator("#matrix-table td.estimate").count() >= 12 * 11
    assert page.locator("#matrix-heatmap").evaluate("img => img.naturalWidth") > 100
    page.goto(server + "/analytics/reach?hub=hue-hub-hue-city&minutes=60")
    frame = page.frame_locator("#reach-frame")
    frame.locator("path.tr-reach").first.wait_for(timeout=15_000)
    assert frame.locator("path.tr-reach").count() == page.locator("#reach-table tbody tr").count() > 0
    assert "OpenStreetMap" in frame.locator(".leaflet-control-attribution").inner_text()
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "web-reach.png"), full_page=False)
    others = [u for u in external if urlsplit(u).hostname != "tile.openstreetmap.org"]
    assert others == [] and not errors, (others, errors)
    context.close()
