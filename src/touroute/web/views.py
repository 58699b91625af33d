"""HTML pages: the planning form, the result (map + timeline + editor), saved plans, print view, downloads."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, session, url_for
from markupsafe import escape

from .. import provinces as prov
from ..export._common import (FORMATS, MIMETYPES, access_text, closure_text, fee_text, hours_in, hours_text,
                              left_out_lines, lunch_on_site, render_bytes, seats_text)
from ..itinerary import DayPlan, Itinerary
from ..model import DEFAULT_TRIP, PlanRequest, next_monday
from ..render.maps import CATEGORY_COLOUR, CATEGORY_ICON, day_colour, main_roads_geojson, render_map
from . import asset_url, map_response, planning_context, store
from .basemap_views import basemap_url
from .cache import immutable, read_cache
from .i18n import get_lang, t
from .service import (RequestProblem, apply_edit, display_title, form_to_request, parse_request, plan_title,
                      run_plan)

bp = Blueprint("views", __name__)

DEFAULT_FORM = {
    "start": DEFAULT_TRIP["start"], "end": DEFAULT_TRIP["end"], "days": str(DEFAULT_TRIP["days"]),
    "day_start": "08:00", "day_end": "18:30",
    "theme_heritage": "1", "theme_coastal": "1", "theme_other": "0.6", "theme_mice": "0", "pace": "normal",
    "group_size": "2", "vehicle": "", "lodging_cost": "600000", "vehicle_per_km": "", "include_fees": "1",
    "lunch": "1", "evenings": "1", "along_the_way": "1", "islands": "1", "min_stops": "1", "max_share": "", "min_hours": "", "max_driving_minutes_per_day": "",
    "must_cover": list(DEFAULT_TRIP["regional"]["must_cover"]),
}


def _place_label(pid: str | None, lang: str) -> str:
    if not pid:
        return ""
    cat = planning_context().catalogue
    if pid in cat:
        p = cat.get(pid)
        return p.name_en if lang == "en" else p.name_vi
    return pid


def _form_context(values: dict, errors: list | None = None):
    lang = get_lang()
    cat = planning_context().catalogue
    chips = {}
    for key in ("must_visit", "exclude"):
        raw = values.get(key) or []
        ids = raw if isinstance(raw, list) else [raw]
        chips[key] = [(pid, _place_label(pid, lang)) for pid in ids if pid in cat]
    return dict(values=values, errors=errors or [], error_fields={e["field"].split(".")[0] for e in errors or []},
                provinces=prov.legacy_names(), chips=chips,
                start_label=_place_label(values.get("start_id") or values.get("start"), lang) or values.get("start", ""),
                end_label=_place_label(values.get("end_id") or values.get("end"), lang) or values.get("end", ""),
                plan_seconds=current_app.config["PLAN_SECONDS"])


@bp.get("/")
def index():
    values = dict(DEFAULT_FORM, start_date=next_monday().isoformat(),
                  seconds=f"{current_app.config['PLAN_SECONDS']:g}" if current_app.config["PLAN_SECONDS"] else "")
    return render_template("index.html", **_form_context(values))


def _form_values(form) -> dict:
    out: dict = {}
    for key in form.keys():
        vals = form.getlist(key)
        out[key] = vals if key in ("must_visit", "exclude", "provinces", "must_cover") else vals[-1]
    return out


@bp.post("/plan")
def plan_post():
    ctx = planning_context()
    lang = get_lang()
    values = _form_values(request.form)
    try:
        data = form_to_request(request.form, ctx)
        data.setdefault("solver", {"time_limit_s": current_app.config["PLAN_SECONDS"]})
        req = parse_request(data, max_seconds=current_app.config["MAX_PLAN_SECONDS"])
        it, _secs = run_plan(req, ctx)
    except RequestProblem as exc:
        return render_template("index.html", **_form_context(values, exc.fields)), exc.status
    title = (request.form.get("title") or "").strip() or plan_title(req, it, ctx, lang)
    saved = store().save(title, req.model_dump_json(), it.model_dump_json(), feasible=it.feasible)
    _remember(saved.slug)
    return redirect(url_for("views.result", slug=saved.slug))


MY_PLANS_KEPT = 50


def _remember(slug: str) -> None:
    """Keep the plans made in this browser in its (signed) session, newest first, for the /plans page when the
    server does not list every plan publicly."""
    mine = [s for s in session.get("my_plans", []) if isinstance(s, str) and s != slug]
    session["my_plans"] = [slug, *mine][:MY_PLANS_KEPT]


def load_plan(slug: str):
    """(saved plan, its itinerary) or a 404 — parsed once per process (saved plans are immutable)."""
    def make():
        saved = store().get(slug)
        if saved is None:
            abort(404, description=t("not_found"))
        return saved, Itinerary.model_validate_json(saved.itinerary_json)

    # saved plans are immutable: the parsed plan is kept (a miss — unknown slug — raises and is not kept)
    return read_cache().get_or_make(("load", slug), make)


def _minutes(dt: datetime, day0: datetime) -> float:
    return (dt - day0).total_seconds() / 60.0


def lunch_of(d: DayPlan, req: PlanRequest, lang: str) -> dict | None:
    """A day's lunch as the timeline and the day card show it: ``{start, end, label, place}`` or None.

    The planner records a separate lunch break in ``DayPlan.lunch_start``. When a visit of four hours or more or a
    boat day trip spans the lunch window, lunch is eaten there (``planner.value.MEAL_ON_SITE_MIN``) and the day has
    no break of its own — the block is then drawn over that visit, named after the place, so every day with lunch
    asked for shows one (a day that ends before the lunch window has none)."""
    if d.lunch_start and d.lunch_minutes:
        return {"start": d.lunch_start, "end": d.lunch_start + timedelta(minutes=d.lunch_minutes),
                "label": t("lunch_block", lang), "place": None}
    found = lunch_on_site(d, req.lunch)
    if found is None:
        return None
    start, s = found
    place = s.name_en if lang == "en" else s.name_vi
    return {"start": start, "end": start + timedelta(minutes=req.lunch.minutes),
            "label": t("lunch_on_site", lang, place=place), "place": place}


def timeline(it: Itinerary, req: PlanRequest) -> list[dict]:
    """Per day: the blocks (drive / visit / lunch / wait / optional evening) positioned in % of the day's hours
    (the axis stretches to the evening's end when there is one)."""
    out = []
    lang = get_lang()
    lo = req.day_start.hour * 60 + req.day_start.minute
    hi = req.day_end.hour * 60 + req.day_end.minute
    for d in it.days:
        day0 = datetime.combine(d.date, datetime.min.time())
        start = min(lo, _minutes(d.depart, day0))
        end = max(hi, _minutes(d.arrive, day0), _minutes(d.evening.end, day0) if d.evening else 0.0)
        span = max(1.0, end - start)
        blocks = []

        def add(kind: str, a: datetime, b: datetime, label: str, num: int | None = None) -> None:
            x0, x1 = _minutes(a, day0), _minutes(b, day0)
            if x1 - x0 < 0.5:
                return
            blocks.append({"kind": kind, "left": (x0 - start) / span * 100, "width": (x1 - x0) / span * 100,
                           "label": f"{a:%H:%M}–{b:%H:%M} {label}", "num": num})

        for leg in d.legs:
            add("drive" if leg.source == "osm" else "drive est", leg.depart, leg.arrive,
                f"{t('drive')} {leg.seconds / 60:.0f} {t('min')}, {leg.metres / 1000:.0f} km"
                + ("" if leg.source == "osm" else f" ({t('estimated')})"))
        for k, s in enumerate(d.stops, 1):
            add("wait", s.arrival, s.start, t("wait"))
            add("visit", s.start, s.departure, f"{k}. {s.name_en if get_lang() == 'en' else s.name_vi}",
                k)
        meal = lunch_of(d, req, lang)
        if meal is not None:
            add("lunch", meal["start"], meal["end"], meal["label"])
        if d.evening is not None:
            ev = d.evening
            add("evening", ev.start, ev.end, f"{t('evening')}: {ev.name_en if get_lang() == 'en' else ev.name_vi}")
        hours = list(range(int(start // 60) + (1 if start % 60 else 0), int(end // 60) + 1))
        ticks = [{"left": (hh * 60 - start) / span * 100, "label": f"{hh:02d}h"} for hh in hours]
        out.append({"day": d.day, "blocks": blocks, "ticks": ticks})
    return out


def _hub_options(lang: str) -> list[tuple[str, str]]:
    hubs = planning_context().catalogue.hubs()
    opts = [(p.id, p.name_en if lang == "en" else p.name_vi) for p in hubs]
    return sorted(opts, key=lambda x: x[1])


@bp.get("/p/<slug>")
def result(slug: str):
    saved, it = load_plan(slug)
    lang = get_lang()
    req = PlanRequest.model_validate(saved.request)
    replanned = request.args.get("replanned", type=float)
    prov_minutes = sorted(it.totals.visit_minutes_by_province.items(), key=lambda kv: -kv[1])
    theme_minutes = sorted(it.totals.visit_minutes_by_theme.items(), key=lambda kv: -kv[1])
    return render_template(
        "result.html", saved=saved, title=display_title(saved, planning_context(), lang), it=it, req=req, timeline=timeline(it, req) if it.feasible else [],
        day_colour=day_colour, cat_icon=CATEGORY_ICON, cat_colour=CATEGORY_COLOUR, hubs=_hub_options(lang),
        prov_minutes=prov_minutes, theme_minutes=theme_minutes,
        formats=FORMATS, replanned=replanned,
        replan_limit=current_app.config["REPLAN_SECONDS"],
        permalink=url_for("views.result", slug=slug, _external=True),
        name=lambda o: (o.name_en if lang == "en" else o.name_vi),
        fee_text=lambda s: fee_text(s, lang), hours_text=lambda s: hours_text(s, lang),
        hours_in=lambda h: hours_in(h, lang),
        seats_text=lambda s: seats_text(s, lang), access_text=lambda s: access_text(s, lang), closure_text=lambda s: closure_text(s, lang),
        lunch_of=lambda d: lunch_of(d, req, lang),
        locked={lk.place_id: lk.day for lk in req.locks},
        shown_excluded=left_out_lines(it, lang, 12))


def _roads():
    cache = current_app.extensions["touroute_roads"]
    if "main" not in cache:
        try:
            cache["main"] = main_roads_geojson(planning_context().router)
        except Exception:  # a background layer must never break the map
            current_app.logger.exception("main roads layer failed")
            cache["main"] = None
    return cache["main"]


@bp.get("/p/<slug>/map")
def result_map(slug: str):
    lang, tiles = get_lang(), current_app.config["TILES"]

    try:
        base = basemap_url()
    except Exception:  # the base map is decoration: the routes are drawn without it
        current_app.logger.exception("offline base map failed")
        base = None

    def make() -> str:
        _saved, it = load_plan(slug)
        return render_map(it, lang, asset_url, tiles=tiles, roads=_roads(), basemap_url=base)

    # a saved plan never changes: its folium map (≈ 0.1 s to render) is kept; the CSP nonce is added per response
    return map_response(read_cache().get_or_make(("map", slug, lang, tiles, base), make))


@bp.post("/p/<slug>/edit")
def edit(slug: str):
    saved, before = load_plan(slug)
    ctx = planning_context()
    data = apply_edit(saved.request, request.form, ctx.catalogue)
    req = parse_request(data)
    seconds = min(req.solver.time_limit_s, current_app.config["REPLAN_SECONDS"])
    it, secs = run_plan(req, ctx, seconds=seconds, previous=before)
    new = store().save(saved.title, req.model_dump_json(), it.model_dump_json(), feasible=it.feasible,
                       parent=saved.slug)
    _remember(new.slug)
    return redirect(url_for("views.result", slug=new.slug, replanned=f"{secs:.1f}"))


@bp.get("/p/<slug>/print")
def print_view(slug: str):
    saved, it = load_plan(slug)
    lang = get_lang()
    req = PlanRequest.model_validate(saved.request)
    return render_template("print.html", saved=saved, title=display_title(saved, planning_context(), lang), it=it,
                           req=req, day_colour=day_colour,
                           name=lambda o: (o.name_en if lang == "en" else o.name_vi),
                           fee_text=lambda s: fee_text(s, lang), hours_text=lambda s: hours_text(s, lang),
                           hours_in=lambda h: hours_in(h, lang), closure_text=lambda s: closure_text(s, lang),
                           lunch_of=lambda d: lunch_of(d, req, lang),
                           timeline=timeline(it, req) if it.feasible else [])


@bp.get("/p/<slug>/export.<fmt>")
def download(slug: str, fmt: str):
    saved, it = load_plan(slug)
    return export_response(it, fmt, slug)


def export_response(it: Itinerary, fmt: str, slug: str) -> Response:
    if fmt not in FORMATS:
        raise RequestProblem(f"unknown export format {fmt!r}",
                             [{"field": "format", "message": f"choose one of {', '.join(FORMATS)}"}], 404)
    if not it.feasible:
        raise RequestProblem("this plan is infeasible: nothing to export",
                             [{"field": "plan", "message": "; ".join(it.problems)[:300]}], 409)
    lang = get_lang()
    data = read_cache().get_or_make(("export", slug, fmt, lang), lambda: render_bytes(it, fmt, lang))
    resp = Response(data, mimetype=MIMETYPES[fmt])
    if fmt == "csv":
        resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="touroute-{escape(slug)}.{fmt}"'
    return immutable(resp)


@bp.get("/plans")
def plans():
    """Every saved plan when the server lists them publicly (TOUROUTE_PUBLIC_PLANS=1), else the plans made in this
    browser — a plan's unguessable link is what shares it, so listing them all to anyone would leak them."""
    return render_template("plans.html", plans=visible_plans(200), public=bool(current_app.config["PUBLIC_PLANS"]))


def visible_plans(limit: int = 200) -> list:
    """The saved plans this visitor may see listed (the /plans page, the analytics pickers): all of them when the
    server lists plans publicly (TOUROUTE_PUBLIC_PLANS=1), else the ones made in this browser."""
    if current_app.config["PUBLIC_PLANS"]:
        return store().list(limit)
    return [p for p in (store().get(s) for s in session.get("my_plans", [])[:min(limit, MY_PLANS_KEPT)]
                        if isinstance(s, str)) if p is not None]


@bp.get("/healthz")
def healthz():
    from . import warm_status

    # "warm": this worker's start-up warm-up has finished (or was not asked for) — a first plan now costs what
    # any later one does; a load balancer may wait for it
    warmup = warm_status()
    return {"ok": True, "plans": store().count(), "warm": warmup["state"] in ("done", "off", "failed"),
            "warmup": warmup}
