"""REST JSON API: plans (create, read, list, edit, export), places, and the OpenAPI 3 document."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.exceptions import NotFound

from ..itinerary import Itinerary
from ..pois import CATEGORIES, TAGS, known_seats
from . import planning_context, store
from .cache import immutable, read_cache
from .i18n import get_lang
from .service import (RequestProblem, apply_edit, check_nesting, parse_edit, parse_request, plan_title,
                      run_plan)

bp = Blueprint("api", __name__, url_prefix="/api")


def _int_arg(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        raise RequestProblem(f"{name} must be an integer {lo}–{hi}",
                             [{"field": name, "message": f"must be an integer between {lo} and {hi}"}], 400)
    return value


def _plan_json(saved, *, with_itinerary: bool = True) -> dict:
    out = saved.summary()
    created = saved.created_at
    if created.tzinfo is None:  # SQLite drops the offset of the UTC time the plan was saved with
        from datetime import timezone

        out["created"] = created.replace(tzinfo=timezone.utc).isoformat()
    out["url"] = url_for("views.result", slug=saved.slug, _external=True)
    out["exports"] = {f: url_for("api.plan_export", slug=saved.slug, fmt=f, _external=True)
                      for f in ("geojson", "gpx", "ics", "csv")}
    if with_itinerary:
        out["request"] = json.loads(saved.request_json)
        out["itinerary"] = json.loads(saved.itinerary_json)
    return out


def _json_body() -> dict:
    check_nesting(request.get_data(cache=True), "request")
    data = request.get_json(silent=True)
    if data is None:
        if request.is_json:  # the type is right, the text is not: say where it breaks
            try:
                json.loads(request.get_data(as_text=True))
            except ValueError as exc:
                where = (f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
                         if isinstance(exc, json.JSONDecodeError) else str(exc))
                raise RequestProblem(f"the body is not valid JSON ({where})",
                                     [{"field": "request", "message": f"not valid JSON ({where})"}], 400) from None
        raise RequestProblem("the body must be JSON (Content-Type: application/json)",
                             [{"field": "request", "message": "not valid JSON"}], 400)
    return data


@bp.post("/plans")
def create_plan():
    data = _json_body()
    title = None
    if isinstance(data, dict) and isinstance(data.get("title"), str):
        data = dict(data)
        title = data.pop("title")[:200]
    if isinstance(data, dict) and current_app.config["PLAN_SECONDS"]:
        data.setdefault("solver", {"time_limit_s": current_app.config["PLAN_SECONDS"]})
    req = parse_request(data, max_seconds=current_app.config["MAX_PLAN_SECONDS"])
    ctx = planning_context()
    it, secs = run_plan(req, ctx)
    saved = store().save(title or plan_title(req, it, ctx, get_lang()), req.model_dump_json(),
                         it.model_dump_json(), feasible=it.feasible)
    body = _plan_json(saved)
    body["seconds"] = round(secs, 2)
    return jsonify(body), 201


@bp.get("/plans")
def list_plans():
    if not current_app.config["PUBLIC_PLANS"]:
        raise RequestProblem("this server does not list saved plans (set TOUROUTE_PUBLIC_PLANS=1 to allow it); "
                             "a plan is reached by its id",
                             [{"field": "plans", "message": "listing is off on this server"}], 403)
    limit = _int_arg("limit", 50, 1, 500)
    offset = _int_arg("offset", 0, 0, 10**9)
    rows = store().list(limit, offset)
    return jsonify({"plans": [_plan_json(p, with_itinerary=False) for p in rows], "total": store().count()})


def _no_plan(slug: str) -> RequestProblem:
    return RequestProblem(f"no saved plan {slug!r}", [{"field": "id", "message": "not found"}], 404)


def _get(slug: str):
    saved = store().get(slug)
    if saved is None:
        raise _no_plan(slug)
    return saved


@bp.get("/plans/<slug>")
def get_plan(slug: str):
    # immutable once saved: the serialised answer is kept (per host, as it carries absolute links)
    body = read_cache().get_or_make(("plan", slug, request.host_url),
                                    lambda: jsonify(_plan_json(_get(slug))).get_data())
    return immutable(current_app.response_class(body, mimetype="application/json"))


@bp.post("/plans/<slug>/edits")
def edit_plan(slug: str):
    """Body: {"action": "remove"|"lock"|"unlock"|"add"|"hub", "place_id", "day", "night", "hub"} → a new plan."""
    saved = _get(slug)
    data = apply_edit(saved.request, parse_edit(_json_body()))
    req = parse_request(data)
    seconds = min(req.solver.time_limit_s, current_app.config["REPLAN_SECONDS"])
    before = Itinerary.model_validate_json(saved.itinerary_json)
    it, secs = run_plan(req, planning_context(), seconds=seconds, previous=before)
    new = store().save(saved.title, req.model_dump_json(), it.model_dump_json(), feasible=it.feasible,
                       parent=saved.slug)
    out = _plan_json(new)
    out["seconds"] = round(secs, 2)
    out["time_limit_s"] = seconds
    return jsonify(out), 201


@bp.get("/plans/<slug>/export.<fmt>")
def plan_export(slug: str, fmt: str):
    from .views import export_response, load_plan

    try:
        _saved, it = load_plan(slug)
    except NotFound:
        raise _no_plan(slug) from None
    return export_response(it, fmt, slug)


@bp.get("/pois")
def pois():
    cat = planning_context().catalogue
    a = request.args
    limit = _int_arg("limit", 20, 1, 500)
    category = [c for c in a.getlist("category") for c in c.split(",") if c]
    for c in category:
        if c not in CATEGORIES:
            raise RequestProblem(f"unknown category {c!r}",
                                 [{"field": "category", "message": f"choose from {', '.join(CATEGORIES)}"}], 400)
    tags = [x for x in a.getlist("tag") for x in x.split(",") if x]
    for x in tags:
        if x not in TAGS:
            raise RequestProblem(f"unknown tag {x!r}", [{"field": "tag", "message": f"unknown tag {x!r}"}], 400)
    province = [p for p in a.getlist("province") if p]
    q = (a.get("q") or "").strip()
    if len(q) > 100:
        raise RequestProblem("q is too long", [{"field": "q", "message": "at most 100 characters"}], 400)
    lang = get_lang()

    def make() -> bytes:  # the catalogue is fixed for the process's life: answers are kept per query
        try:
            sub = cat.filter(category=category or None, province=province or None, tags=tags or None)
        except ValueError as exc:
            raise RequestProblem(str(exc), [{"field": "province", "message": str(exc)}], 400) from None
        res = sub.search(q, limit=limit)
        items = [{"id": p.id, "name": p.name_en if lang == "en" else p.name_vi, "name_vi": p.name_vi,
                  "name_en": p.name_en, "category": p.category, "subcategory": p.subcategory,
                  "province": p.province_legacy, "province_2025": p.province, "lat": p.lat, "lon": p.lon,
                  "popularity": p.popularity, "attractiveness": p.attractiveness,
                  "headline": p.headline, "tags": list(p.tags), "fee_vnd": p.fee_vnd,
                  "fee_as_of": p.fee_as_of, "fee_domestic_vnd": p.fee_domestic_vnd, "fee_source": p.fee_source,
                  "opening_hours": p.opening_hours, "hours_as_of": p.hours_as_of, "hours_source": p.hours_source,
                  "closure_note": p.closure_note, "closure_note_vi": p.closure_note_vi, "seats": known_seats(p) if p.category == "mice" else None,
                  "stale": p.stale_facts()} for p in res]
        return jsonify({"pois": items, "count": len(items)}).get_data()

    key = ("pois", q.casefold(), tuple(sorted(category)), tuple(sorted(province)), tuple(sorted(tags)), limit, lang)
    return current_app.response_class(read_cache().get_or_make(key, make), mimetype="application/json")


@bp.get("/openapi.json")
def openapi():
    from .openapi import document

    return jsonify(document(url_for("views.index", _external=True).rstrip("/")))
