"""The touroute web app (Flask + folium): plan, see, edit, save, share and export trips.

``create_app(config=None, ctx=None)`` builds the app; ``touroute serve`` runs it (werkzeug in development,
gunicorn with ``--prod``). Configuration comes from the ``TOUROUTE_*`` environment variables, read once by
:meth:`touroute.settings.Settings.from_env` (the one table: docs/settings.md), overridable by the ``config`` mapping
(tests use it). A bad value stops the start with an error naming the variable.

Security headers (see docs/security.md): every HTML page gets a Content-Security-Policy with a per-request
script nonce — no inline script runs unless the app wrote it — and may only be framed by the app itself.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g, send_from_directory, url_for

from ..resources import VENDOR_PACKAGES, vendor_dir, web_dir
from ..settings import Settings

log = logging.getLogger("touroute.web")







class DatabaseUnavailable(RuntimeError):
    """The saved-plans database cannot be opened (message names the URL with its password masked)."""


_URL_PASSWORD = re.compile(r"(//[^/:@\s]*:)[^@/\s]*@")


def redact_url(url: str) -> str:
    """A database URL safe to print or log: the password is replaced by ``***``."""
    return _URL_PASSWORD.sub(r"\1***@", url)


def redact_secret(text: str, url: str | None) -> str:
    """``text`` with the password of ``url`` (and any URL password in it) masked."""
    text = redact_url(text)
    m = _URL_PASSWORD.search(url or "")
    if m:
        password = url[m.end(1):m.end() - 1]
        if password:
            text = text.replace(password, "***")
    return text




_SCRIPT_TAG = re.compile(r"<script(\s|>)")


def map_response(html: str):
    """A folium map page as a response: folium writes its own ``<script>`` elements, which get this response's
    CSP nonce (user and catalogue text in the maps is escaped, so every ``<script>`` tag in them is folium's)."""
    from flask import Response

    return Response(_SCRIPT_TAG.sub(lambda m: f'<script nonce="{csp_nonce()}"' + m.group(1), html),
                    mimetype="text/html")


def csp_nonce() -> str:
    """This request's script nonce (templates: ``<script nonce="{{ csp_nonce() }}">``)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def tile_origin(tiles: str | None) -> str | None:
    """The origin a tile URL template loads from, for the CSP (``{s}`` sub-domains become ``*``)."""
    if not tiles:
        return None
    parts = urlsplit(tiles.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc
    if "{s}" in tiles.split("//", 1)[-1].split("/", 1)[0]:
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}"


def content_security_policy(nonce: str, tiles: str | None) -> str:
    """The CSP of HTML pages. Scripts: the app's own files and inline scripts carrying this request's nonce (the
    folium map's two inline scripts get it too). Styles allow inline ``style`` attributes (folium and Leaflet
    position everything with them; CSS cannot run code). Images: the app, ``data:`` URIs and the tile server.
    Frames: only the app's own map page, and only the app may frame its pages (clickjacking)."""
    origin = tile_origin(tiles)
    img = "'self' data: blob:" + (f" {origin}" if origin else "")
    return ("default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self' 'unsafe-inline'; "
            f"img-src {img}; "
            "font-src 'self' data:; "
            "connect-src 'self'; "
            "frame-src 'self'; "
            "frame-ancestors 'self'; "
            "object-src 'none'; "
            "base-uri 'self'; "
            "form-action 'self'")


def create_app(config: Mapping[str, Any] | None = None, ctx=None) -> Flask:
    """The Flask app. ``ctx`` is the one :class:`~touroute.planner.PlanningContext` of the app (built lazily)."""
    wd = web_dir()
    app = Flask("touroute.web", template_folder=str(wd / "templates"), static_folder=str(wd / "static"),
                static_url_path="/static")
    app.config.update(
        Settings.from_env().flask_config(),
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        JSON_SORT_KEYS=False,
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as the session: result pages stay open for hours
        WARMUP=False,
    )
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        log.warning("TOUROUTE_SECRET_KEY is not set: using a random key for this process "
                    "(sessions do not survive a restart and differ between workers)")
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from .db import PlanStore

    db_url = app.config.get("DB_URL")
    try:
        app.extensions["touroute_store"] = PlanStore.open(db_url)
    except Exception as exc:  # a wrong URL or an unreachable server: say which, never with its password
        raise DatabaseUnavailable(f"cannot open the saved-plans database {redact_url(db_url or '(default)')}: "
                                  f"{redact_secret(str(exc).splitlines()[0], db_url)}") from None
    app.extensions["touroute_ctx"] = ctx
    app.extensions["touroute_roads"] = {}
    from .cache import init_app as init_read_cache

    init_read_cache(app)

    @app.route("/vendor/<pkg>/<path:filename>")
    def vendor(pkg: str, filename: str):
        from flask import abort

        if pkg not in VENDOR_PACKAGES:
            abort(404)
        return send_from_directory(vendor_dir(pkg), filename, max_age=7 * 86400)

    from . import api, views
    from .errors import register_error_handlers
    from .i18n import get_lang, t

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    # CSRF tokens on every HTML form post (Flask-WTF). The JSON API is exempt: it only reads bodies sent as
    # application/json, which a cross-site form cannot send without a CORS pre-flight this app never grants.
    from flask_wtf.csrf import CSRFProtect

    csrf = CSRFProtect(app)
    csrf.exempt(api.bp)
    app.extensions["touroute_csrf"] = csrf
    # regional analytics and sample-package jobs (issue 6): their settings, blueprints and JSON APIs
    from . import analytics_views, basemap_views, packages_views

    basemap_views.init_app(app)  # the offline base map, one cacheable JSON resource
    analytics_views.init_app(app)
    packages_views.init_app(app, csrf)
    register_error_handlers(app)
    from .limits import init_app as init_limits

    init_limits(app)  # solver slots per worker + the 503 "planner busy" (after the generic handlers)

    @app.before_request
    def _lang() -> None:
        get_lang()

    from .service import display_title

    @app.context_processor
    def _inject() -> dict:
        # plan_title_of(saved): a saved plan's title in the page's language (service.display_title) for any
        # template that lists plans
        from ..messages import dec

        return {"t": t, "lang": get_lang(), "other_lang": "en" if get_lang() == "vi" else "vi",
                # a decimal as the page's language writes it ("4,3 giờ" in Vietnamese, where "." groups thousands)
                "dec": lambda x, digits=1: dec(float(x), digits, get_lang()),
                "csp_nonce": csp_nonce,
                "plan_title_of": lambda saved: display_title(saved, planning_context(), get_lang())}

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if resp.mimetype == "text/html":
            resp.headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce(),
                                                                                       app.config.get("TILES")))
        else:  # JSON, exports, assets: nothing in them may run or be framed as a page
            resp.headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'self'; "
                                                               "sandbox")
        return resp

    app.extensions["touroute_ctx_lock"] = threading.Lock()
    app.extensions["touroute_warmup"] = {"state": "off"}
    if app.config.get("WARMUP"):
        start_warmup(app)
    return app


def planning_context(app: Flask | None = None):
    """The app's PlanningContext (catalogue + cached road networks), created on first use."""
    from flask import current_app

    app = app or current_app
    ctx = app.extensions.get("touroute_ctx")
    if ctx is not None:
        return ctx
    # one context per app even when the start-up warm-up and the first requests ask for it at once
    with app.extensions.get("touroute_ctx_lock") or threading.Lock():
        ctx = app.extensions.get("touroute_ctx")
        if ctx is None:
            from ..planner import PlanningContext

            folder = app.config.get("CATALOGUE_DIR")
            if folder:
                ctx = PlanningContext(catalogue=load_catalogue_dir(folder))
            else:
                ctx = PlanningContext()
            app.extensions["touroute_ctx"] = ctx
    return ctx


def load_catalogue_dir(folder: str):
    """The catalogue CSVs of ``folder``, loaded leniently: a server keeps serving the valid rows, and every bad
    row is logged as a warning naming its file, line and field (``touroute pois validate`` lists them too)."""
    from pathlib import Path

    from ..errors import DataError, Problem
    from ..pois import load_catalogue

    files = sorted(Path(folder).glob("*.csv"))
    if not files:
        raise DataError([Problem(str(folder), None, None, None, "no catalogue CSV files (*.csv) in this folder "
                                                                  "(TOUROUTE_CATALOGUE_DIR)")])
    cat = load_catalogue(files, strict=False)
    for problem in cat.problems:
        log.warning("catalogue: %s — row left out", problem)
    if cat.problems:
        log.warning("catalogue %s: %d place(s) loaded, %d problem(s) (see above)", folder, len(cat), len(cat.problems))
    return cat


def store(app: Flask | None = None):
    from flask import current_app

    return (app or current_app).extensions["touroute_store"]


def asset_url(pkg: str, path: str) -> str:
    if pkg == "own":
        return url_for("static", filename=path)
    return url_for("vendor", pkg=pkg, filename=path)


def start_warmup(app: Flask) -> threading.Thread:
    """Warm the app's caches in a background thread (``WARMUP``; ``touroute serve`` turns it on, see
    ``TOUROUTE_WARMUP``) and return the thread.

    Why in the background: a fresh server otherwise makes its first plan request pay for loading the catalogue,
    compiling (or loading) the solver kernels and building every vehicle's whole-catalogue matrix — 20-odd seconds
    on a new install against a few for a warm plan (BENCHMARKS.md, *Issue 16: first plan on a fresh server*).
    Doing it before the worker accepts connections would hold up the start (and gunicorn's boot timeout) and
    every page; in a thread the pages are served at once, and a plan that comes in while it runs waits for the
    one build of what it needs (:meth:`~touroute.planner.PlanningContext.matrix` is locked per profile) instead
    of building a second copy. ``/healthz`` says ``"warm": true`` when it has finished."""
    status = app.extensions["touroute_warmup"] = {"state": "running", "seconds": None, "error": None}

    def run() -> None:
        from .limits import _lower_priority

        _lower_priority(int(app.config.get("SOLVER_NICE") or 0))  # pages before the warm-up on a busy CPU
        t0 = time.perf_counter()
        try:
            warm(app)
            status["state"] = "done"
        except Exception as exc:  # pragma: no cover - a failed warm-up only means the first plan pays for it
            status.update(state="failed", error=str(exc))
            log.warning("touroute web warm-up failed (the first plans build what they need): %s", exc)
        status["seconds"] = round(time.perf_counter() - t0, 2)

    thread = threading.Thread(target=run, name="touroute-warmup", daemon=True)
    app.extensions["touroute_warmup_thread"] = thread
    thread.start()
    return thread


def warm_status(app: Flask | None = None) -> dict:
    """The start-up warm-up's state: ``off`` (not asked for), ``running``, ``done`` or ``failed``, and seconds."""
    from flask import current_app

    return dict((app or current_app).extensions.get("touroute_warmup") or {"state": "off"})


def warm(app: Flask) -> None:
    """Load the context, compile the solver kernels, build every vehicle's matrix and make one tiny plan (which
    imports and primes whatever else a plan touches), so the first real plan costs what any later one does."""
    from ..solve import warmup

    t0 = time.perf_counter()
    ctx = planning_context(app)
    secs = warmup()
    from ..model import PROFILE_SEATS

    for profile in ("car", *(p for p in PROFILE_SEATS if p != "car")):
        # every vehicle's matrix now, so no plan request pays for building one (it would not count against the
        # request's solver deadline); disk-cached after the first start
        try:
            ctx.matrix(profile)
        except Exception as exc:  # pragma: no cover - a broken cache must not stop the server
            log.warning("could not prepare the %s matrix at start-up: %s", profile, exc)
    t_plan = time.perf_counter()
    hub = next(iter(ctx.catalogue.hubs()), None)
    if hub is not None:
        from ..model import PlanRequest
        from ..planner import plan

        try:
            plan(PlanRequest.model_validate({"start": hub.id, "start_date": "2026-01-05", "days": 1,
                                             "solver": {"time_limit_s": 0.2, "seed": 0}}), ctx, geometry=True)
        except Exception as exc:  # pragma: no cover - the warm-up plan is only a primer
            log.warning("the start-up warm-up plan failed: %s", exc)
    log.info("touroute web warm-up done: kernels %.1f s, toy plan %.1f s, total %.1f s", secs,
             time.perf_counter() - t_plan, time.perf_counter() - t0)
