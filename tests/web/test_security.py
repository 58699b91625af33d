"""Security of the web app and the CLI: escaping of hostile text, security headers (CSP, framing), body and query
limits, path traversal, secrets from the environment only, and saved plans not listed to strangers.

Real Flask app over the test client, real SQLite file, real planner (estimates only, short solver budgets).
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
from pathlib import Path

import gpxpy
import icalendar
import pytest
from click.testing import CliRunner

from touroute.matrix import TravelTimes
from touroute.planner import PlanningContext
from touroute.pois import Catalogue, default_catalogue

REPO = Path(__file__).resolve().parents[2]
SCRIPT = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(document.domain)>'
EVIL = f"{SCRIPT}{ATTR}"
EVIL_ID = "qnam-my-son-sanctuary"
PLAN = {"start": "qnam-hoi-an", "end": "dn-city-centre", "start_date": "2026-12-07", "days": 2,
        "must_visit": [EVIL_ID], "solver": {"time_limit_s": 0.5}}


def _app(tmp: Path, ctx, **config):
    from touroute.web import create_app

    base = {"DB_URL": f"sqlite:///{tmp / 'plans.sqlite3'}", "SECRET_KEY": "security-test", "PLAN_SECONDS": 0.5,
            "REPLAN_SECONDS": 0.5, "MAX_PLAN_SECONDS": 5, "TILES": None}
    return create_app({**base, **config}, ctx=ctx)


@pytest.fixture(scope="module")
def app(ctx, tmp_path_factory):
    return _app(tmp_path_factory.mktemp("db"), ctx)


@pytest.fixture(scope="module")
def evil(tmp_path_factory):
    """An app whose catalogue has a place named and described with script and attribute-breaking payloads, and a
    saved plan visiting it with a hostile title."""
    recs = [p.model_copy(update={"name_vi": EVIL, "name_en": EVIL, "description_vi": EVIL, "description_en": EVIL})
            if p.id == EVIL_ID else p for p in default_catalogue()]
    tmp = tmp_path_factory.mktemp("evil")
    ctx = PlanningContext(catalogue=Catalogue(recs), router=TravelTimes([]), data_dir=str(tmp / "data"))
    app = _app(tmp, ctx, PUBLIC_PLANS=True, TILES="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    res = app.test_client().post("/api/plans", json=dict(PLAN, title=f"Trip {EVIL}"))
    assert res.status_code == 201, res.get_json()
    body = res.get_json()
    assert any(s["place_id"] == EVIL_ID for d in body["itinerary"]["days"] for s in d["stops"])
    return app, body["id"]


def _csrf(client, path: str = "/") -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert m
    return m.group(1)


# --------------------------------------------------------------------------------------------- escaping
def _assert_inert(html: str, where: str) -> None:
    assert SCRIPT not in html and "<img src=x" not in html, where
    assert "onerror=alert" not in html.replace("onerror=alert(document.domain)&gt;", ""), where


def test_hostile_names_and_titles_are_escaped_in_every_page(evil):
    app, sid = evil
    c = app.test_client()
    for url in (f"/p/{sid}", f"/p/{sid}?lang=en", f"/p/{sid}/print", f"/p/{sid}/print?lang=en", "/plans",
                f"/p/{sid}/map"):
        html = c.get(url).get_data(as_text=True)
        _assert_inert(html, url)
        # the text is shown, escaped — not dropped
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    # in attributes (timeline block titles, the map's tooltips) the quote is escaped too
    page = c.get(f"/p/{sid}").get_data(as_text=True)
    assert "&#34;&gt;&lt;img src=x" in page or "&quot;&gt;&lt;img src=x" in page
    # the map's popups/tooltips live in JavaScript template literals: the payload cannot close one either
    map_html = c.get(f"/p/{sid}/map").get_data(as_text=True)
    for literal in re.findall(r"`([^`]*)`", map_html):
        assert "<script" not in literal and "<img" not in literal


def test_hostile_names_stay_data_in_exports(evil):
    app, sid = evil
    c = app.test_client()
    gpx = gpxpy.parse(c.get(f"/api/plans/{sid}/export.gpx").get_data(as_text=True))  # still well-formed XML
    assert any(w.name.endswith(EVIL) for w in gpx.waypoints)  # the exact text, as data
    cal = icalendar.Calendar.from_ical(c.get(f"/p/{sid}/export.ics").data)
    assert any(EVIL in str(ev["summary"]) for ev in cal.walk("VEVENT"))
    fc = json.loads(c.get(f"/api/plans/{sid}/export.geojson").data)
    assert any(f["properties"].get("name") == EVIL or f["properties"].get("name_vi") == EVIL
               for f in fc["features"])
    res = c.get(f"/api/plans/{sid}/export.csv")
    assert res.headers["Content-Disposition"] == f'attachment; filename="touroute-{sid}.csv"'
    assert res.headers["X-Content-Type-Options"] == "nosniff"  # never sniffed into HTML by a browser
    # the JSON API returns the text as it is (JSON-escaped, served as JSON, not HTML)
    res = c.get(f"/api/plans/{sid}")
    assert res.mimetype == "application/json" and res.get_json()["title"] == f"Trip {EVIL}"


# --------------------------------------------------------------------------------------------- headers
def _nonce(resp) -> str:
    csp = resp.headers["Content-Security-Policy"]
    m = re.search(r"script-src 'self' 'nonce-([A-Za-z0-9_-]+)'", csp)
    assert m, csp
    return m.group(1)


def _event_handler_attributes(html: str) -> list[str]:
    """``on…=`` attributes of the page's elements (parsed, so escaped text inside an attribute does not count)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class P(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.extend(f"{tag} {k}" for k, _v in attrs if k.lower().startswith("on"))

    P().feed(html)
    return found


def test_html_pages_have_a_nonce_csp_and_no_inline_handlers(evil):
    app, sid = evil
    c = app.test_client()
    nonces = set()
    for url in ("/", "/plans", f"/p/{sid}", f"/p/{sid}/print", f"/p/{sid}/map", "/p/nope"):
        res = c.get(url)
        csp = res.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0], url
        assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp and "base-uri 'self'" in csp
        assert res.headers["X-Frame-Options"] == "SAMEORIGIN" and res.headers["X-Content-Type-Options"] == "nosniff"
        html = res.get_data(as_text=True)
        nonce = _nonce(res)
        nonces.add(nonce)
        # every inline script carries this response's nonce; external scripts are the app's own files
        for tag in re.findall(r"<script[^>]*>", html):
            assert f'nonce="{nonce}"' in tag or re.search(r'src="/(static|vendor)/', tag), (url, tag)
        assert not _event_handler_attributes(html), f"inline event handler in {url}"
    assert len(nonces) == 6  # a fresh nonce per response
    # the map may load tiles from the configured tile server, and nothing else from outside
    csp = c.get(f"/p/{sid}/map").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://tile.openstreetmap.org;" in csp


def test_json_and_files_cannot_run_or_be_framed(app):
    c = app.test_client()
    for url in ("/api/pois?q=hue", "/api/openapi.json", "/api/plans/nope", "/static/app.css"):
        res = c.get(url)
        assert res.headers["Content-Security-Policy"].startswith("default-src 'none'"), url
        assert res.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_tile_origin_for_the_csp():
    from touroute.web import tile_origin

    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert tile_origin(None) is None and tile_origin("javascript:alert(1)") is None


# --------------------------------------------------------------------------------------------- limits
def test_body_limits_api_and_form(app):
    c = app.test_client()
    limit = app.config["MAX_CONTENT_LENGTH"]
    res = c.post("/api/plans", data=json.dumps(dict(PLAN, title="x" * limit)), content_type="application/json")
    assert res.status_code == 413 and res.get_json()["fields"][0]["field"] == "request"
    sid = c.post("/api/plans", json=PLAN).get_json()["id"]
    res = c.post(f"/api/plans/{sid}/edits", data=json.dumps({"action": "add", "place_id": "y" * limit}),
                 content_type="application/json")
    assert res.status_code == 413 and res.is_json
    token = _csrf(c)
    res = c.post("/plan", data={"csrf_token": token, "start": "qnam-hoi-an", "title": "x" * limit})
    assert res.status_code == 413 and res.mimetype == "text/html"
    page = res.get_data(as_text=True)
    assert str(limit) in page and "Traceback" not in page


@pytest.mark.parametrize("query, field", [
    ("q=" + "a" * 20_000, "q"),
    ("limit=-1", "limit"), ("limit=0", "limit"), ("limit=" + "9" * 40, "limit"), ("limit=1e3", "limit"),
    ("limit=NaN", "limit"), ("category=" + ",".join(["heritage"] * 2000) + ",bogus", "category"),
    ("tag=%00", "tag"), ("province=" + "x" * 5000, "province"),
])
def test_query_string_abuse_is_a_400_naming_the_parameter(app, query, field):
    res = app.test_client().get("/api/pois?" + query)
    assert res.status_code == 400, res.get_data(as_text=True)[:300]
    assert res.get_json()["fields"][0]["field"] == field


def test_listing_limits(tmp_path, ctx):
    c = _app(tmp_path, ctx, PUBLIC_PLANS=True).test_client()
    for query, field in (("limit=-5", "limit"), ("limit=501", "limit"), ("offset=-1", "offset"),
                         ("offset=" + "9" * 30, "offset")):
        res = c.get("/api/plans?" + query)
        assert res.status_code == 400 and res.get_json()["fields"][0]["field"] == field, query


# --------------------------------------------------------------------------------------------- path traversal
TRAVERSALS = ["../../../../etc/passwd", "..%2f..%2f..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
              "..%252f..%252f..%252fetc%252fpasswd", "%252e%252e%252f%252e%252e%252fetc%252fpasswd",
              "....//....//etc/passwd", "..\\..\\..\\etc\\passwd", "%2e%2e%5c%2e%2e%5cetc%5cpasswd",
              "/etc/passwd", "%2fetc%2fpasswd", "..%c0%af..%c0%afetc%c0%afpasswd",
              "../../../../pyproject.toml", "..%2f..%2f..%2fpyproject.toml"]


def _no_file_content(res) -> None:
    body = res.get_data()
    assert b"root:" not in body and b"[project]" not in body and b"SECRET" not in body


@pytest.mark.parametrize("evil_path", TRAVERSALS)
def test_no_path_traversal(app, evil_path):
    c = app.test_client()
    sid = c.post("/api/plans", json=PLAN).get_json()["id"] if evil_path == TRAVERSALS[0] else "x"
    urls = [f"/vendor/leaflet/{evil_path}", f"/vendor/{evil_path}", f"/static/{evil_path}",
            f"/p/{evil_path}/export.gpx", f"/p/{sid}/export.{evil_path}", f"/api/plans/{evil_path}/export.csv",
            f"/api/plans/{sid}/export.{evil_path}", f"/api/plans/{evil_path}/export/csv", f"/p/{evil_path}",
            f"/api/plans/{evil_path}"]
    for url in urls:
        res = c.get(url, follow_redirects=True)  # werkzeug may first redirect '//' to '/' (308, same app)
        assert res.status_code in (400, 404), (url, res.status_code)
        _no_file_content(res)
        if url.startswith("/api/"):
            assert res.is_json and res.get_json()["fields"], url


def test_export_cli_writes_only_where_told(tmp_path, app):
    from touroute.cli import main

    c = app.test_client()
    plan = c.post("/api/plans", json=PLAN).get_json()
    src = tmp_path / "in" / "plan.json"
    src.parent.mkdir()
    src.write_text(json.dumps(plan), encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "sub" / ".." / "trip.gpx"  # resolves inside out/
    (out_dir / "sub").mkdir()
    before = {p for p in tmp_path.rglob("*")}
    res = CliRunner().invoke(main, ["export", str(src), "-f", "gpx", "-o", str(target)])
    assert res.exit_code == 0, res.output
    assert {p for p in tmp_path.rglob("*")} - before == {out_dir / "trip.gpx"}
    gpxpy.parse((out_dir / "trip.gpx").read_text(encoding="utf-8"))
    # a folder that does not exist is a clear error, not a traceback, and creates nothing
    res = CliRunner().invoke(main, ["export", str(src), "-f", "gpx", "-o", str(tmp_path / "nope" / "x.gpx")])
    assert res.exit_code != 0 and "does not exist" in res.output and "nope" in res.output
    assert not (tmp_path / "nope").exists() and not isinstance(res.exception, OSError)


def test_package_ids_cannot_escape_the_output_folder():
    from pydantic import ValidationError

    from touroute.packages import PackageTemplate

    for bad in ("../evil", "..", "a/b", "/etc", "a\\b", "A"):
        with pytest.raises(ValidationError, match="id"):
            PackageTemplate.model_validate({"id": bad})


# --------------------------------------------------------------------------------------------- secrets
def test_serve_prod_refuses_to_start_without_the_secret_key(monkeypatch):
    from touroute.cli import main

    monkeypatch.delenv("TOUROUTE_SECRET_KEY", raising=False)
    res = CliRunner().invoke(main, ["serve", "--prod", "--port", "1"])
    assert res.exit_code == 1, res.output
    assert "TOUROUTE_SECRET_KEY is not set" in res.output and "secrets.token_hex(32)" in res.output
    monkeypatch.setenv("TOUROUTE_SECRET_KEY", "   ")
    assert CliRunner().invoke(main, ["serve", "--prod", "--port", "1"]).exit_code == 1


def test_secret_key_comes_from_the_environment(monkeypatch, tmp_path, ctx, caplog):
    from touroute.web import create_app

    monkeypatch.setenv("TOUROUTE_SECRET_KEY", "k" * 40)
    assert create_app({"DB_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}"}, ctx=ctx).config["SECRET_KEY"] == "k" * 40
    monkeypatch.delenv("TOUROUTE_SECRET_KEY")
    with caplog.at_level(logging.WARNING, logger="touroute.web"):
        a = create_app({"DB_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}"}, ctx=ctx)
        b = create_app({"DB_URL": f"sqlite:///{tmp_path / 'b.sqlite3'}"}, ctx=ctx)
    assert a.config["SECRET_KEY"] != b.config["SECRET_KEY"] and len(a.config["SECRET_KEY"]) == 64
    assert "TOUROUTE_SECRET_KEY is not set" in caplog.text


def test_database_password_is_never_shown(monkeypatch, tmp_path, ctx, caplog):
    from touroute.cli import main
    from touroute.web import DatabaseUnavailable, create_app

    pytest.importorskip("psycopg")
    url = "postgresql+psycopg://touroute:Sup3r-S3cret-pw@127.0.0.1:1/touroute"
    with caplog.at_level(logging.DEBUG), pytest.raises(DatabaseUnavailable) as exc:
        create_app({"DB_URL": url, "SECRET_KEY": "k"}, ctx=ctx)
    assert "Sup3r-S3cret-pw" not in str(exc.value) and "touroute:***@127.0.0.1:1" in str(exc.value)
    assert exc.value.__suppress_context__  # the driver's exception (which may quote the URL) is not chained
    assert "Sup3r-S3cret-pw" not in caplog.text
    monkeypatch.setenv("TOUROUTE_DB_URL", url)
    res = CliRunner().invoke(main, ["serve", "--port", "1"])
    assert res.exit_code == 1 and "cannot open the saved-plans database" in res.output
    assert "Sup3r-S3cret-pw" not in res.output
    monkeypatch.setenv("TOUROUTE_DB_URL", "nonsense://user:Sup3r-S3cret-pw@")
    res = CliRunner().invoke(main, ["serve", "--port", "1"])
    assert res.exit_code == 1 and "Sup3r-S3cret-pw" not in res.output


SECRET_PATTERNS = [
    (r"-----BEGIN [A-Z ]*PRIVATE KEY-----", "private key"),
    (r"AKIA[0-9A-Z]{16}", "AWS access key id"),
    (r"gh[pousr]_[A-Za-z0-9]{36}", "GitHub token"),
    (r"(?i)(secret_key|api_key|password|passwd|token)\s*[=:]\s*['\"][A-Za-z0-9+/_\-]{16,}['\"]", "hard-coded secret"),
    (r"://[A-Za-z0-9_.%-]+:(?!\*\*\*@)[^@/\s'\"<>]{6,}@[A-Za-z0-9.-]+", "URL with a password"),
]


def test_no_secrets_are_committed():
    try:
        files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    hits = []
    this_file = Path(__file__).resolve().relative_to(REPO).as_posix()  # holds the patterns themselves
    for name in files.splitlines():
        path = REPO / name
        if name == this_file or not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for pattern, what in SECRET_PATTERNS:
            for m in re.finditer(pattern, text):
                hits.append(f"{name}: {what}: {m.group(0)[:60]}")
    assert not hits, "\n".join(hits)


# --------------------------------------------------------------------------------------------- saved plans privacy
def test_saved_plans_are_not_listed_to_strangers_by_default(tmp_path, ctx):
    app = _app(tmp_path, ctx)
    assert app.config["PUBLIC_PLANS"] is False
    alice, bob = app.test_client(), app.test_client()
    res = alice.post("/plan", data={"csrf_token": _csrf(alice), "start": "qnam-hoi-an", "end": "dn-city-centre",
                                    "start_date": "2026-12-07", "days": "2", "title": "Alice's secret trip"})
    assert res.status_code == 302
    slug = res.headers["Location"].rsplit("/", 1)[1]
    assert "Alice&#39;s secret trip" in alice.get("/plans").get_data(as_text=True)  # her own browser
    page = bob.get("/plans").get_data(as_text=True)
    assert "secret trip" not in page and slug not in page and 'id="plans-private"' in page
    res = bob.get("/api/plans")
    assert res.status_code == 403 and res.get_json()["fields"][0]["field"] == "plans"
    # the link still works for whoever has it
    assert bob.get(f"/p/{slug}").status_code == 200 and bob.get(f"/api/plans/{slug}").status_code == 200
    public = _app(tmp_path, ctx, PUBLIC_PLANS=True).test_client()
    assert "secret trip" in public.get("/plans").get_data(as_text=True)
    assert public.get("/api/plans").get_json()["total"] >= 1


def test_public_plans_flag_from_the_environment(monkeypatch, tmp_path, ctx):
    from touroute.web import create_app

    for value, expected in (("1", True), ("true", True), ("0", False), ("", False)):
        monkeypatch.setenv("TOUROUTE_PUBLIC_PLANS", value)
        app = create_app({"DB_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}", "SECRET_KEY": "k"}, ctx=ctx)
        assert app.config["PUBLIC_PLANS"] is expected, value


def test_plan_slugs_are_unguessable(app):
    from touroute.web import store

    slugs = [store(app).save("t", "{}", "{}").slug for _ in range(200)]
    assert len(set(slugs)) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{16}", s) for s in slugs)  # token_urlsafe(12): 96 random bits
    # no shared prefixes or counters: the first characters vary as much as the last
    assert len({s[:3] for s in slugs}) > 150


def test_deeply_nested_bodies_are_a_400_not_a_crash(app, tmp_path):
    """Ten kilobytes of brackets would exhaust the parsers' recursion (a 500 with a traceback): every door that
    reads a body answers 400 naming the field instead; a plain deep-but-sane body still works."""
    c = app.test_client()
    deep_json = "[" * 5000 + "]" * 5000
    deep_obj = '{"a":' * 3000 + "1" + "}" * 3000
    sid = c.post("/api/plans", json=PLAN).get_json()["id"]
    for path, body, ctype, field in [("/api/plans", deep_json, "application/json", "request"),
                                     ("/api/plans", deep_obj, "application/json", "request"),
                                     (f"/api/plans/{sid}/edits", deep_json, "application/json", "request"),
                                     ("/api/package-jobs", deep_json, "application/json", "spec"),
                                     ("/api/package-jobs", deep_json, "application/yaml", "spec")]:
        res = c.post(path, data=body, content_type=ctype)
        assert res.status_code == 400, (path, ctype, res.status_code, res.get_data(as_text=True)[:300])
        assert res.get_json()["fields"][0]["field"] == field
    res = c.post("/packages/", data={"csrf_token": _csrf(c, "/packages/"), "spec_text": deep_json,
                                     "action": "validate"})
    assert res.status_code == 400 and "<code>spec_text</code>" in res.get_data(as_text=True)
    # brackets inside strings do not count: a title full of them is just a title
    res = c.post("/api/plans", json=dict(PLAN, title="[" * 300 + "{" * 300))
    assert res.status_code == 201, res.get_json()


def test_read_cache_is_bounded_by_bytes():
    """Clients can vary queries at will; the per-process cache stays within its byte budget, evicting the oldest,
    and an answer larger than a quarter of the budget is served but not kept."""
    from touroute.web.cache import LRUCache

    cache = LRUCache(size=1000, max_bytes=10_000)
    for k in range(50):
        assert cache.get_or_make(("q", k), lambda k=k: b"x" * 1000) == b"x" * 1000
        assert cache.bytes <= 10_000
    assert ("q", 49) in cache.data and ("q", 0) not in cache.data and len(cache.data) <= 10
    big = cache.get_or_make(("big",), lambda: b"y" * 5000)
    assert big == b"y" * 5000 and ("big",) not in cache.data
