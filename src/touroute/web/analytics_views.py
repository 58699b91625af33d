"""Regional analytics in the web app (issue 6): hub matrix, reachability, fair-benefit report, what-if comparison.

HTML pages under ``/analytics/…`` and JSON under ``/api/analytics/…``, both thin layers over
:mod:`touroute.analytics` so the numbers are exactly the library's. Every query parameter is checked here first and
a bad one is a 4xx naming it (JSON under /api, the page with its errors elsewhere). Hub matrices can be expensive on
real road networks, so each result (with its heatmap) is cached in the process per (profile, hubs), and a request
may ask for at most ``ANALYTICS_MAX_HUBS`` hubs. Charts are the library's matplotlib PNGs, inlined as data URIs.

Why this module is long: it is one blueprint of four report pages (hub matrix, reach, fair benefit, what-if)
that share their form parsing, limits, per-process cache and CSV/JSON/HTML answers; the computing is in
:mod:`touroute.analytics` and the charts in :mod:`touroute.render.charts`.
"""

from __future__ import annotations

import base64
import logging
import math
import re
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request, url_for

from ..analytics import (AnalyticsError, FairnessReport, HubMatrix, compare, default_hubs, fairness_report, hub_change, hub_matrix, reachable)
from ..render.charts import compare_chart_png, fairness_chart_png, hub_heatmap_png, quality_chart_png
from ..itinerary import Itinerary
from ..model import Profile
from . import asset_url, map_response, planning_context, store
from .i18n import get_lang, t
from .cache import LRUCache
from .jobs import scenario_choices, visible_jobs
from .service import RequestProblem

log = logging.getLogger("touroute.web")

bp = Blueprint("analytics", __name__, url_prefix="/analytics")
api_bp = Blueprint("analytics_api", __name__, url_prefix="/api/analytics")

PROFILES: tuple[str, ...] = get_args(Profile)
REACH_CATEGORIES = ("heritage", "coastal", "mice", "other")
SLUG = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_MINUTES = 720.0
BANDS = ((30, "#1a9850"), (60, "#91cf60"), (120, "#fee08b"), (180, "#fc8d59"), (math.inf, "#d73027"))
"""Travel-time bands of the reachability map (upper bound in minutes, colour): green near → red far."""

_PLOT_LOCK = threading.Lock()  # pyplot keeps global state: one figure at a time per process


def init_app(app: Flask) -> None:
    """The analytics cache and blueprints (limits ANALYTICS_MAX_HUBS / _PLANS come from :mod:`touroute.settings`)."""
    app.config.setdefault("ANALYTICS_CACHE_SIZE", 32)
    app.extensions["touroute_analytics_cache"] = LRUCache(int(app.config["ANALYTICS_CACHE_SIZE"]))
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)


# ---------------------------------------------------------------------------------------------------------------
# parameter parsing (shared by pages and API): RequestProblem(400) naming the parameter
# ---------------------------------------------------------------------------------------------------------------
def _bad(field: str, message: str, status: int = 400) -> RequestProblem:
    return RequestProblem(f"{field}: {message}", [{"field": field, "message": message}], status)


def _list_arg(name: str) -> list[str]:
    """Repeated and/or comma-separated values of a query parameter, stripped, empties dropped."""
    return [part.strip() for raw in request.args.getlist(name) for part in raw.split(",") if part.strip()]


def _profile_arg() -> str:
    raw = request.args.get("profile", "car") or "car"
    if raw not in PROFILES:
        raise _bad("profile", f"choose one of {', '.join(PROFILES)}")
    return raw


def _float_arg(name: str, default: float | None, lo: float, hi: float) -> float | None:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not lo <= value <= hi:
        raise _bad(name, f"must be a number between {lo:g} and {hi:g}")
    return value


def _bool_arg(name: str) -> bool:
    raw = (request.args.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise _bad(name, "must be true or false (1/0)")


def hub_choices() -> list[Any]:
    """Every lodging hub of the catalogue, north → south (the places a matrix may be asked for)."""
    return sorted(planning_context().catalogue.hubs(), key=lambda p: (-p.lat, p.id))


def _hubs_arg(required: bool = False) -> list[str]:
    cat = planning_context().catalogue
    hubs = _list_arg("hub")
    if not hubs:
        if required:
            raise _bad("hub", "choose at least two hubs")
        return default_hubs(cat)
    limit = int(current_app.config["ANALYTICS_MAX_HUBS"])
    if len(hubs) > limit:
        raise _bad("hub", f"at most {limit} hubs per request ({len(hubs)} given)")
    hub_ids = {p.id for p in cat.hubs()}
    for h in hubs:
        if h not in hub_ids:
            raise _bad("hub", f"{h[:80]!r} is not a lodging hub of the catalogue")
    if len(set(hubs)) != len(hubs):
        raise _bad("hub", "a hub is listed twice")
    if len(hubs) < 2:
        raise _bad("hub", "choose at least two hubs")
    return hubs


def _finite(x: float, nd: int = 1) -> float | None:
    x = float(x)
    return round(x, nd) if math.isfinite(x) else None


def _png_data_uri(draw: Callable[[Path], Any]) -> str:
    """Run a library ``*_png(path)`` method into a temp file and return the PNG as a data URI."""
    with _PLOT_LOCK, tempfile.TemporaryDirectory(prefix="touroute-plot-") as tmp:
        path = Path(tmp) / "chart.png"
        draw(path)
        return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def _name(p: Any, lang: str | None = None) -> str:
    lang = lang or get_lang()
    return (p.name_en if lang == "en" else p.name_vi) or p.name_vi or p.name_en


# ---------------------------------------------------------------------------------------------------------------
# 1. hub matrix
# ---------------------------------------------------------------------------------------------------------------
def _scenario_arg() -> str:
    name = (request.args.get("scenario") or "").strip()
    if name and name not in scenario_choices():
        raise _bad("scenario", f"unknown scenario {name[:80]!r}; choose one of: "
                               f"{', '.join(scenario_choices()) or '(none installed)'}")
    return name


def matrix_result(profile: str, hubs: list[str], scenario: str = "") -> dict:
    """The cached matrix of (profile, hubs[, scenario]): ``{"matrix": HubMatrix, "png": data URI}``, plus with a
    scenario ``"change"``: the pairs it makes faster or slower than the baseline (:func:`analytics.hub_change`)."""
    cache: LRUCache = current_app.extensions["touroute_analytics_cache"]
    ctx = planning_context()
    lang = get_lang()  # the heatmap names the hubs in the page's language

    def make() -> dict:
        try:
            hm = hub_matrix(ctx, hubs, profile, scenario=scenario_choices()[scenario] if scenario else None)
        except AnalyticsError as exc:
            raise _bad("hub", str(exc), 422) from None
        out = {"matrix": hm, "png": _png_data_uri(lambda path: hub_heatmap_png(hm, path, lang))}
        if scenario:
            base = matrix_result(profile, hubs)["matrix"]
            change = hub_change(base, hm)
            out["change"] = change[change["change_minutes"].abs() >= 0.05].to_dict(orient="records")
        return out

    return cache.get_or_make(("matrix", profile, tuple(hubs), scenario, lang), make)


def matrix_json(hm: HubMatrix) -> dict:
    cat = planning_context().catalogue
    m = hm.matrix
    hubs = [{"id": i, "name_vi": cat.get(i).name_vi, "name_en": cat.get(i).name_en,
             "province": cat.get(i).province_legacy, "province_2025": cat.get(i).province} for i in hm.ids]
    cells = [{**row, "minutes": _finite(row["minutes"]), "km": _finite(row["km"])}
             for row in hm.to_frame().to_dict(orient="records")]
    n = len(hm.ids)
    return {"profile": hm.profile, "hubs": hubs,
            "minutes": [[_finite(m.seconds[i, j] / 60.0) for j in range(n)] for i in range(n)],
            "km": [[_finite(m.metres[i, j] / 1000.0) for j in range(n)] for i in range(n)],
            "sources": [[str(m.sources[i, j]) for j in range(n)] for i in range(n)],
            "cells": cells, "attribution": "© OpenStreetMap contributors (ODbL)"}


# ---------------------------------------------------------------------------------------------------------------
# 2. reachability
# ---------------------------------------------------------------------------------------------------------------
def reach_params(required: bool) -> dict | None:
    cat = planning_context().catalogue
    hub = (request.args.get("hub") or "").strip()
    if not hub:
        if required:
            raise _bad("hub", "required: the id of the place to start from")
        return None
    if hub not in cat:
        raise _bad("hub", f"no place with id {hub[:80]!r} in the catalogue")
    minutes = _float_arg("minutes", 90.0, 1.0, MAX_MINUTES)
    day_hours = _float_arg("day_hours", 10.5, 1.0, 24.0)
    cats = _list_arg("category")
    for c in cats:
        if c not in REACH_CATEGORIES:
            raise _bad("category", f"choose from {', '.join(REACH_CATEGORIES)}")
    return {"hub": hub, "minutes": minutes, "profile": _profile_arg(), "day_hours": day_hours,
            "categories": list(dict.fromkeys(cats)) or None}


def reach_rows(p: dict) -> list[dict]:
    try:
        df = reachable(planning_context(), p["hub"], p["minutes"], p["profile"], p["categories"],
                       day_hours=p["day_hours"])
    except AnalyticsError as exc:
        raise _bad("hub", str(exc), 422) from None
    rows = df.to_dict(orient="records")
    for r in rows:
        for k in ("minutes", "km", "return_minutes", "round_trip_minutes"):
            r[k] = _finite(r[k])
        r["visit_minutes"] = int(r["visit_minutes"])
        r["day_trip_fits"] = bool(r["day_trip_fits"])
        r["band"] = band_of(r["minutes"])
    return rows


def band_of(minutes: float | None) -> int:
    for k, (hi, _c) in enumerate(BANDS):
        if minutes is not None and minutes <= hi:
            return k
    return len(BANDS) - 1


def band_labels() -> list[tuple[str, str]]:
    out, lo = [], 0
    for hi, colour in BANDS:
        out.append((colour, f"≤ {hi:g} {t('min')}" if math.isfinite(hi) else f"> {lo:g} {t('min')}"))
        lo = hi
    return out


def reach_map_html(p: dict, rows: list[dict], lang: str) -> str:
    """A folium map of the reachable places coloured by travel-time band, with the app's local assets."""
    import folium
    from branca.element import Element

    from ..render.maps import OSM_ATTR_HTML, _Script, add_basemap, basemap_credit_html, credit_js, h
    from .basemap_views import basemap_url

    cat = planning_context().catalogue
    hub = cat.get(p["hub"])
    m = folium.Map(location=(hub.lat, hub.lon), zoom_start=9, tiles=None, control_scale=True)
    m.default_js = [("leaflet", asset_url("leaflet", "leaflet.js")),
                    ("jquery", asset_url("jquery", "jquery.min.js"))]
    m.default_css = [("leaflet_css", asset_url("leaflet", "leaflet.css")),
                     ("font_awesome_css", asset_url("font_awesome", "css/all.min.css")),
                     ("touroute_map_css", asset_url("own", "map.css"))]
    root = m.get_root()
    root.header.add_child(Element('<meta name="referrer" content="no-referrer">'), name="referrer")
    tiles = current_app.config.get("TILES")
    if tiles:
        folium.TileLayer(tiles=tiles, attr=OSM_ATTR_HTML, name=t("map_tiles", lang), max_zoom=19).add_to(m)
    try:  # the real base map (land, provinces before/since 2025, towns) under the places, as on the result map
        add_basemap(m, lang, tiles=bool(tiles), url=basemap_url(), data=None)
    except Exception:  # decoration only: the reachable places are drawn without it
        current_app.logger.exception("offline base map failed")
    pts = [(hub.lat, hub.lon)]
    for r in rows:
        poi = cat.get(r["place_id"])
        colour = BANDS[r["band"]][1]
        name = r["name_en"] if lang == "en" else r["name_vi"]
        fits = t("an_day_trip_yes", lang) if r["day_trip_fits"] else t("an_day_trip_no", lang)
        popup = (f"<div class='tr-popup'><div class='tr-popup-title'>{h(name)}</div>"
                 f"<div class='muted'>{h(r['province_legacy'])} · {h(t('cat_' + r['category'], lang))}</div>"
                 f"<div>{r['minutes']:.0f} {h(t('min', lang))} · {r['km']:.0f} km · "
                 f"{h(t('estimated', lang)) if r['source'] == 'estimate' else 'OSM'}</div>"
                 f"<div>{h(t('an_round_trip', lang))}: {r['round_trip_minutes']:.0f} {h(t('min', lang))} — "
                 f"{h(fits)}</div></div>")
        folium.CircleMarker((poi.lat, poi.lon), radius=7, color="#333", weight=1, fill=True, fill_color=colour,
                            fill_opacity=0.9, class_name=f"tr-reach tr-band-{r['band']}", tooltip=folium.Tooltip(f"{h(name)} — {r['minutes']:.0f} "
                                                                     f"{h(t('min', lang))}"),
                            popup=folium.Popup(popup, max_width=300)).add_to(m)
        pts.append((poi.lat, poi.lon))
    folium.Marker((hub.lat, hub.lon), tooltip=folium.Tooltip(h(_name(hub, lang))),
                  icon=folium.DivIcon(html="<div class='tr-pin tr-start' style='--c:#263238'>"
                                           "<i class='fa-solid fa-bed'></i></div>",
                                      icon_size=(30, 30), icon_anchor=(15, 15), class_name="tr-pin-wrap")).add_to(m)
    lats, lons = [q[0] for q in pts], [q[1] for q in pts]
    m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(24, 24))
    legend = "".join(f"<div><span class='tr-swatch' style='background:{c}'></span> {h(label)}</div>"
                     for c, label in band_labels())
    root.html.add_child(Element(
        f"<div class='tr-legend' id='tr-legend'><div class='tr-legend-title'>{h(t('an_travel_time', lang))}</div>"
        f"{legend}<div class='tr-legend-credit'>{OSM_ATTR_HTML}<br>{basemap_credit_html(lang)}</div></div>"),
        name="tr_legend")
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    m.add_child(_Script(credit_js(lang, tiles=bool(tiles))))
    return root.render()


# ---------------------------------------------------------------------------------------------------------------
# 3./4. fair-benefit report and comparison over saved plans and package jobs
# ---------------------------------------------------------------------------------------------------------------
def _itineraries(plan_field: str, job_field: str, all_field: str | None) -> tuple[list[Itinerary], list[str]]:
    """Itineraries of the chosen saved plans (``plan_field`` slugs, or every plan with ``all_field``) and of a
    finished package job (``job_field``); also the labels of what was chosen (for the page)."""
    from .jobs import JOB_ID, itineraries_of_job

    slugs = _list_arg(plan_field)
    use_all = _bool_arg(all_field) if all_field else False
    job_id = (request.args.get(job_field) or "").strip()
    limit = int(current_app.config["ANALYTICS_MAX_PLANS"])
    if len(slugs) > limit:
        raise _bad(plan_field, f"at most {limit} plans per report")
    its: list[Itinerary] = []
    labels: list[str] = []
    st = store()
    if use_all:
        # "all" = every plan this visitor may list: the whole store only when plans are listed publicly
        # (TOUROUTE_PUBLIC_PLANS=1), else this browser's — a report must not reveal other people's trips
        from .views import visible_plans

        rows = visible_plans(limit)
        its += [Itinerary.model_validate_json(p.itinerary_json) for p in rows]
        labels.append(f"{t('an_all_plans')} ({len(rows)})")
    else:
        for slug in dict.fromkeys(slugs):
            saved = st.get(slug) if SLUG.match(slug) else None
            if saved is None:
                raise _bad(plan_field, f"no saved plan {slug[:40]!r}")
            its.append(Itinerary.model_validate_json(saved.itinerary_json))
            labels.append(saved.title)
    if job_id:
        job = st.get_job(job_id) if JOB_ID.match(job_id) else None
        if job is None or (job.kind or "packages") != "packages":  # what-if and plan jobs hold no package set
            raise _bad(job_field, f"no package job {job_id[:40]!r}")
        if job.state != "done":
            raise _bad(job_field, f"package job is {job.state}, not done", 409)
        job_its = itineraries_of_job(current_app, job_id)
        if job_its is None:
            raise _bad(job_field, "the job's files are no longer on the server", 410)
        its += job_its
        labels.append(f"{t('pk_job')} {job.title} ({len(job_its)})")
    return its, labels


def fairness_json(rep: FairnessReport) -> dict:
    out = rep.to_json_dict()
    out["total_visit_hours"] = round(rep.total_visit_hours, 3)
    return out


def _saved_plan_choices() -> list[Any]:
    from .views import visible_plans

    return visible_plans(200)


def _done_jobs() -> list[Any]:

    return [j for j in visible_jobs(50) if j.state == "done" and (j.kind or "packages") == "packages"]


# ---------------------------------------------------------------------------------------------------------------
# HTML pages
# ---------------------------------------------------------------------------------------------------------------
def _page(template: str, status: int = 200, **kw) -> tuple[str, int]:
    return render_template(template, profiles=PROFILES, **kw), status


@bp.get("/")
def index():
    return _page("analytics/index.html")


@bp.get("/matrix")
def matrix_page():
    errors: list[dict] = []
    res, profile, hubs, scenario = None, "car", [], ""
    try:
        profile = _profile_arg()
        hubs = _hubs_arg()
        scenario = _scenario_arg()
        res = matrix_result(profile, hubs, scenario)
    except RequestProblem as exc:
        errors, status = exc.fields, exc.status
    cat = planning_context().catalogue
    hm = res["matrix"] if res else None
    ctx = dict(errors=errors, profile=profile, chosen=set(hubs or []), hubs=hub_choices(), hm=hm,
               png=res["png"] if res else None, name=_name, cat=cat,
               csv_url=url_for("analytics.matrix_csv", profile=profile, hub=hubs, scenario=scenario or None) if hm else None,
               max_hubs=current_app.config["ANALYTICS_MAX_HUBS"], scenarios=scenario_choices(),
               scenario=scenario, change=(res or {}).get("change"))
    return _page("analytics/matrix.html", status if errors else 200, **ctx)


@bp.get("/matrix.csv")
def matrix_csv():
    profile, hubs, scenario = _profile_arg(), _hubs_arg(), _scenario_arg()
    hm = matrix_result(profile, hubs, scenario)["matrix"]
    resp = Response(hm.to_csv(), mimetype="text/csv")
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    suffix = f"-{scenario}" if scenario else ""
    resp.headers["Content-Disposition"] = f'attachment; filename="touroute-hub-matrix-{profile}{suffix}.csv"'
    return resp


@bp.get("/reach")
def reach_page():
    errors: list[dict] = []
    p, rows, status = None, [], 200
    try:
        p = reach_params(required=False)
        if p is not None:
            rows = reach_rows(p)
    except RequestProblem as exc:
        errors, status, p = exc.fields, exc.status, None
    map_url = url_for("analytics.reach_map", **{k: v for k, v in request.args.items(multi=True)}) if p else None
    return _page("analytics/reach.html", status, errors=errors, p=p, rows=rows, hubs=hub_choices(),
                 map_url=map_url, bands=band_labels(), args=request.args, categories=REACH_CATEGORIES,
                 hub_name=_name(planning_context().catalogue.get(p["hub"])) if p else "")


@bp.get("/reach/map")
def reach_map():
    p = reach_params(required=True)
    assert p is not None
    rows = reach_rows(p)
    return map_response(reach_map_html(p, rows, get_lang()))


@bp.get("/fairness")
def fairness_page():
    errors: list[dict] = []
    rep, labels, png, status = None, [], None, 200
    try:
        its, labels = _itineraries("plan", "job", "all")
        if labels:
            rep = fairness_report(its, planning_context().catalogue)
            png = _png_data_uri(lambda path: fairness_chart_png(rep, path, get_lang()))
    except (RequestProblem, AnalyticsError) as exc:
        if isinstance(exc, AnalyticsError):
            exc = _bad("plan", str(exc), 422)
        errors, status = exc.fields, exc.status
    cat = planning_context().catalogue
    unused = [(pid, _name(cat.get(pid))) for pid in (rep.unused_places if rep else []) if pid in cat]
    return _page("analytics/fairness.html", status, errors=errors, rep=rep, labels=labels, png=png,
                 plans=_saved_plan_choices(), jobs=_done_jobs(), chosen=set(_list_arg("plan")),
                 chosen_job=request.args.get("job", ""), all_checked=request.args.get("all") in ("1", "true", "on"),
                 unused=unused)


_QUALITY: dict[tuple[str, str], Any] = {}


def _quality(province: str | None):
    """The catalogue quality report for ``province`` (cached per catalogue fingerprint: the data only changes with
    a new catalogue)."""
    from ..quality import bundled_programmes, quality_report

    cat = planning_context().catalogue
    key = (cat.fingerprint, province or "", get_lang())
    rep = _QUALITY.get(key)
    if rep is None:
        osm = current_app.config.get("OSM_POIS")
        rep = quality_report(cat, province=province, osm_pois=Path(osm) if osm else None,
                             programmes=bundled_programmes())
        with _PLOT_LOCK:
            png = "data:image/png;base64," + base64.b64encode(quality_chart_png(rep, get_lang())).decode()
        rep = (rep, png)
        if len(_QUALITY) > 64:
            _QUALITY.clear()
        _QUALITY[key] = rep
    return rep


@bp.get("/quality")
def quality_page():
    """What the catalogue knows and lacks, per province: a tourism department's view of its own data."""
    from .. import provinces as prov

    errors: list[dict] = []
    province = (request.args.get("province") or "").strip() or None
    status = 200
    if province is not None:
        try:
            prov.resolve(province)
        except prov.UnknownProvinceError as exc:
            errors, status, province = [{"field": "province", "message": str(exc)}], 400, None
    rep, png = _quality(province)
    cat = planning_context().catalogue
    names = {pid: _name(cat.get(pid)) for pid in
             {i for i, _f, _a in rep.stale} | {x for a, b, _m in rep.near for x in (a, b)}
             | {i for i, *_r in rep.osm_mismatch} if pid in cat}
    return _page("analytics/quality.html", status, errors=errors, rep=rep, png=png, province=province or "",
                 provinces=prov.legacy_names() + [n for n in prov.new_names() if n not in prov.legacy_names()],
                 shares=rep.shares(), names=names, lang=get_lang(),
                 osm_configured=bool(current_app.config.get("OSM_POIS")))


@bp.get("/compare")
def compare_page():
    errors: list[dict] = []
    rows, status, la, lb, ia, ib, png = [], 200, [], [], None, None, None
    try:
        its_a, la = _itineraries("a", "a_job", None)
        its_b, lb = _itineraries("b", "b_job", None)
        if la and lb:
            ra, rb = fairness_report(its_a), fairness_report(its_b)
            frame = compare(ra, rb)
            rows = frame.to_dict(orient="records")
            ia, ib = ra, rb
            png = _png_data_uri(lambda path: compare_chart_png(frame, path, get_lang()))
        elif la or lb:
            missing = "b" if la else "a"
            raise _bad(missing, "choose at least one plan or package job for each side")
    except (RequestProblem, AnalyticsError) as exc:
        if isinstance(exc, AnalyticsError):
            exc = _bad("a", str(exc), 422)
        errors, status = exc.fields, exc.status
    return _page("analytics/compare.html", status, errors=errors, rows=rows, la=la, lb=lb, ra=ia, rb=ib, png=png,
                 plans=_saved_plan_choices(), jobs=_done_jobs(), chosen_a=set(_list_arg("a")),
                 chosen_b=set(_list_arg("b")), a_job=request.args.get("a_job", ""),
                 b_job=request.args.get("b_job", ""))


# ---------------------------------------------------------------------------------------------------------------
# JSON API
# ---------------------------------------------------------------------------------------------------------------
@api_bp.get("/hubs")
def api_hubs():
    cat = planning_context().catalogue
    defaults = default_hubs(cat)
    return jsonify({"hubs": [{"id": p.id, "name_vi": p.name_vi, "name_en": p.name_en, "province": p.province_legacy,
                              "province_2025": p.province, "default": p.id in defaults} for p in hub_choices()],
                    "defaults": defaults, "max_hubs": current_app.config["ANALYTICS_MAX_HUBS"]})


@api_bp.get("/matrix")
def api_matrix():
    scenario = _scenario_arg()
    res = matrix_result(_profile_arg(), _hubs_arg(), scenario)
    body = matrix_json(res["matrix"])
    if scenario:
        body["scenario"] = {"name": scenario, "description": scenario_choices()[scenario].description,
                            "change": [{k: (_finite(v) if isinstance(v, float) else v) for k, v in row.items()}
                                       for row in res["change"]]}
    return jsonify(body)


@api_bp.get("/reach")
def api_reach():
    p = reach_params(required=True)
    assert p is not None
    rows = reach_rows(p)
    return jsonify({"hub": p["hub"], "minutes": p["minutes"], "profile": p["profile"], "day_hours": p["day_hours"],
                    "places": rows, "count": len(rows), "bands": [b if math.isfinite(b) else None
                                                                  for b, _c in BANDS]})


@api_bp.get("/fairness")
def api_fairness():
    its, labels = _itineraries("plan", "job", "all")
    if not labels:
        raise _bad("plan", "choose saved plans (plan=…), all=1 or a finished package job (job=…)")
    try:
        rep = fairness_report(its, planning_context().catalogue)
    except AnalyticsError as exc:
        raise _bad("plan", str(exc), 422) from None
    return jsonify(fairness_json(rep))


@api_bp.get("/compare")
def api_compare():
    its_a, la = _itineraries("a", "a_job", None)
    its_b, lb = _itineraries("b", "b_job", None)
    for side, labels in (("a", la), ("b", lb)):
        if not labels:
            raise _bad(side, "choose at least one saved plan or a finished package job for this side")
    try:
        ra, rb = fairness_report(its_a), fairness_report(its_b)
    except AnalyticsError as exc:
        raise _bad("a", str(exc), 422) from None
    rows = compare(ra, rb).to_dict(orient="records")
    return jsonify({"rows": [{**r, "a": _finite(r["a"], 6), "b": _finite(r["b"], 6),
                              "change": _finite(r["change"], 6)} for r in rows],
                    "a": fairness_json(ra), "b": fairness_json(rb)})
