"""Phones, accessibility and display faults (issue 16, items 3 and 6) in real headless Chromium (Debian
``chromium``) via Playwright, against a real server running offline (no tile layer).

At 1400 px and 390 px: no page is wider than the screen (``document.scrollWidth <= innerWidth``), axe-core
(bundled by the PyPI package ``axe-playwright-python``, read from disk — no network) finds no serious or critical
violation, the map's layer control and legend fold behind buttons (closed on a phone, open on a desktop), the
planning form is reachable with the keyboard alone, every day of the timeline shows its lunch, and a plan made in
English shows a Vietnamese title on the Vietnamese page.

Every request the browser makes must go to 127.0.0.1: anything else is aborted and fails the test.
Screenshots are saved in ``test-artifacts/mobile/`` at the repository root (gitignored), one per page and width.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import pytest

from ..browser_support import guard_external, launch, needs_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "mobile"
WIDTHS = {"desktop": 1400, "phone": 390}
MONDAY = (date.today() + timedelta(days=(7 - date.today().weekday()) % 7 or 7)).isoformat()

pytestmark = [pytest.mark.browser, pytest.mark.slow, needs_chromium]


def _axe_source() -> str:
    """axe-core's ``axe.min.js`` as shipped inside the ``axe-playwright-python`` wheel (the ``test`` extra)."""
    pkg = pytest.importorskip("axe_playwright_python", reason="pip install '.[test]' (axe-playwright-python)")
    return resources.files(pkg).joinpath("axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory, ctx):
    """The app offline (``TILES=None``: no tile server at all), plans listed publicly, one plan made in English."""
    from werkzeug.serving import make_server

    from touroute.web import create_app

    tmp = tmp_path_factory.mktemp("web-mobile")
    app = create_app({"DB_URL": f"sqlite:///{tmp / 'plans.sqlite3'}", "SECRET_KEY": "mobile-test", "TILES": None,
                      "PLAN_SECONDS": 1.0, "REPLAN_SECONDS": 1.0, "JOBS_DIR": str(tmp / "jobs"),
                      "JOB_SOLVER_SECONDS": 1.0, "JOB_PDF": False, "PUBLIC_PLANS": True}, ctx=ctx)
    res = app.test_client().post("/api/plans?lang=en", json={
        "start": "hue-hub-hue-city", "end": "qnam-hoi-an", "start_date": MONDAY, "days": 2,
        "solver": {"time_limit_s": 1.0}})
    assert res.status_code == 201, res.get_json()
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield {"url": f"http://127.0.0.1:{srv.server_port}", "slug": res.get_json()["id"],
           "title_en": res.get_json()["title"]}
    srv.shutdown()
    th.join(5)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture()
def open_page(browser):
    """``open_page(width)`` → a page in a fresh context of that width whose every non-local request is aborted
    and recorded; at the end of the test none may have been made, and no script may have failed."""
    made = []

    def make(width: int):
        context = browser.new_context(viewport={"width": width, "height": 860}, locale="vi-VN",
                                      has_touch=width < 700, is_mobile=False)
        external = guard_external(context, hosts={"127.0.0.1"})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        made.append((context, external, errors))
        return page

    yield make
    for context, external, errors in made:
        context.close()
        assert external == [], f"requests left 127.0.0.1: {external}"
        assert errors == [], errors


def _overflow(page) -> tuple[int, int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


def _axe(target) -> list[str]:
    """Serious and critical axe-core violations of a page or frame, as readable lines."""
    target.evaluate(_axe_source())
    res = target.evaluate("""() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))""")
    return list(res)


SMALL_TARGETS = """() => [...document.querySelectorAll('a[href], button, select, input:not([type=hidden]), summary, textarea')]
    .filter(e => e.checkVisibility() && !e.closest('.leaflet-container'))
    .map(e => { const r = (e.closest('label') || e).getBoundingClientRect();
                return [e.tagName + '#' + (e.id || e.name || e.textContent.trim().slice(0, 20)), r.width, r.height]; })
    .filter(x => x[1] < 44 || x[2] < 44)"""
"""Links, buttons and fields (or the label around them) smaller than a 44 × 44 px tap target."""

PAGES = ["/", "/p/{slug}", "/plans", "/packages/", "/analytics/", "/analytics/matrix", "/analytics/reach",
         "/analytics/fairness", "/analytics/compare", "/analytics/quality", "/p/{slug}/print"]


@pytest.mark.parametrize("device", list(WIDTHS))
def test_pages_fit_the_screen_and_pass_axe(server, open_page, device):
    """Every page, at desktop and phone width: no horizontal overflow, no serious/critical axe violation; on the
    phone every link, button and field is a tap target of at least 44 × 44 px."""
    width = WIDTHS[device]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = open_page(width)
    problems = {}
    for path in PAGES:
        url = server["url"] + path.format(slug=server["slug"]) + "?lang=vi"
        page.goto(url)
        page.wait_for_load_state("load")
        scroll, inner = _overflow(page)
        name = path.strip("/").replace("/", "_").replace("{slug}", "plan") or "index"
        page.screenshot(path=str(ARTIFACTS / f"{device}-{name}.png"), full_page=True)
        if scroll > inner:
            problems[f"{path} overflow"] = f"{scroll} > {inner}"
        if width < 700:
            small = page.evaluate(SMALL_TARGETS)
            if small:
                problems[f"{path} tap targets under 44 px"] = small
        bad = _axe(page)
        if bad:
            problems[f"{path} axe"] = bad
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_no_overflow_on_small_and_large_phones(server, open_page):
    """From 360 px (small Android) to 414 px (large iPhone) no page scrolls sideways."""
    page = open_page(360)
    wide = {}
    for width in (360, 414):
        page.set_viewport_size({"width": width, "height": 800})
        for path in PAGES:
            page.goto(server["url"] + path.format(slug=server["slug"]) + "?lang=en")
            scroll, inner = _overflow(page)
            if scroll > inner:
                wide[f"{path} at {width}"] = scroll
    assert not wide, wide


@pytest.mark.parametrize("device", list(WIDTHS))
def test_map_layer_control_and_legend_fold(server, open_page, device):
    """The map's layer control and legend start closed on a phone (so they do not cover the routes) and open on a
    desktop; each has a button with ``aria-expanded`` that opens and closes it; the map document passes axe."""
    width = WIDTHS[device]
    page = open_page(width)
    page.goto(f"{server['url']}/p/{server['slug']}?lang=vi")
    frame = page.frame_locator("#map-frame")
    frame.locator("path.tr-route").first.wait_for(timeout=15_000)
    phone = width < 700
    for toggle, body in ((".tr-layers-toggle", ".leaflet-control-layers-list"), (".tr-legend-toggle", "#tr-legend-body")):
        button = frame.locator(toggle)
        assert button.get_attribute("aria-expanded") == ("false" if phone else "true")
        assert frame.locator(body).is_visible() is not phone
        box = button.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, box
        button.click()
        assert button.get_attribute("aria-expanded") == ("true" if phone else "false")
        assert frame.locator(body).is_visible() is phone
        button.focus()
        page.keyboard.press("Enter")  # a real <button>: the keyboard opens and closes it too
        assert button.get_attribute("aria-expanded") == ("false" if phone else "true")
    if phone:  # closed, both fit in a corner: together they cover under a fifth of the map
        frame_box = page.locator("#map-frame").bounding_box()
        covered = sum(b["width"] * b["height"] for b in (frame.locator(".leaflet-control-layers").bounding_box(),
                                                         frame.locator("#tr-legend").bounding_box()))
        assert covered < 0.2 * frame_box["width"] * frame_box["height"], covered
    page.locator("#map-frame").screenshot(path=str(ARTIFACTS / f"{device}-map.png"))
    map_frame = next(f for f in page.frames if f.url.endswith("/map") or "/map?" in f.url)
    bad = _axe(map_frame)
    assert bad == [], "\n".join(bad)


def test_form_is_reachable_by_keyboard(server, open_page):
    """At phone width, Tab alone walks from the skip link through every control of the planning form to the plan
    button; the place autocomplete is chosen with the arrow keys and Enter."""
    page = open_page(WIDTHS["phone"])
    page.goto(server["url"] + "/?lang=vi")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    controls = set(page.locator("#plan-form").evaluate(
        """f => [...f.querySelectorAll('input:not([type=hidden]), select, button, textarea, summary')]
               .filter(e => e.checkVisibility()).map(e => e.id || e.name || e.textContent.trim())"""))
    seen: set[str] = set()
    for _ in range(250):
        page.keyboard.press("Tab")
        key = page.evaluate("(e => e.id || e.name || e.textContent.trim())(document.activeElement)")
        seen.add(key)
        if key == "plan-button":
            break
    assert "plan-button" in seen
    assert controls <= seen, controls - seen
    # every visible control has a label (its accessible name is not empty)
    unnamed = page.locator("#plan-form").evaluate(
        """f => [...f.querySelectorAll('input:not([type=hidden]), select, textarea')]
               .filter(e => !e.labels.length && !e.getAttribute('aria-label')).map(e => e.name || e.id)""")
    assert unnamed == []
    # the autocomplete by keyboard
    page.focus("#start")
    page.fill("#start", "")
    page.keyboard.type("hoi an", delay=15)
    page.locator("[data-ac] .ac-list li[data-id]").first.wait_for(timeout=5000)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    assert page.locator("input[name=start_id]").input_value() != ""


def test_timeline_lunch_and_title_in_page_language(server, open_page):
    """Every day of the timeline shows a lunch block (a separate break, or lunch at a long visit); the plan, made
    in English, has a Vietnamese title on the Vietnamese page (result, print, saved list, analytics plan pickers)
    and English on the
    English one."""
    page = open_page(WIDTHS["desktop"])
    base = f"{server['url']}/p/{server['slug']}"
    assert "days" in server["title_en"]
    page.goto(base + "?lang=vi")
    rows = page.locator(".tl-row")
    assert rows.count() == 2
    for k in range(rows.count()):
        assert rows.nth(k).locator(".tl-block.lunch").count() == 1, f"day {k + 1} has no lunch block"
        assert "Ăn trưa" in rows.nth(k).locator(".tl-block.lunch").get_attribute("title")
    assert page.locator(".day-lunch").count() == 2
    title = page.locator("#plan-title").inner_text()
    assert "ngày" in title and "days" not in title and "day" not in title.replace("ngày", ""), title
    assert "days" not in page.title()
    page.goto(base + "/print?lang=vi")
    assert "ngày" in page.locator("h1").inner_text() and "days" not in page.locator("h1").inner_text()
    page.goto(server["url"] + "/plans?lang=vi")
    listed = page.locator("#plans").inner_text()
    assert "ngày" in listed and "days" not in listed
    page.goto(server["url"] + "/analytics/compare?lang=vi")  # the analytics plan pickers too
    picked = page.locator(".plan-checks").first.inner_text()
    assert "ngày" in picked and "days" not in picked
    page.goto(base + "?lang=en")
    assert page.locator("#plan-title").inner_text() == server["title_en"]
    assert page.locator(".tl-block.lunch").count() == 2
