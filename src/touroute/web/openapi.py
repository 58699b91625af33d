"""The OpenAPI 3.1 document of the REST API; schemas come from the pydantic models themselves.

The document is what ``tests/web/test_api_fuzz.py`` fuzzes (schemathesis), so it must be exact: every route, every
parameter with its real bounds, every status code the route can answer, and response schemas the responses really
match. Two corrections to pydantic's JSON Schema make that true:

* itinerary clock times are *local* times in Vietnam (UTC+7, no daylight saving) written without an offset —
  JSON Schema's ``date-time`` / ``time`` formats demand an offset, so those fields get a pattern instead;
* the create-plan body is a ``PlanRequest`` plus an optional ``title``.
"""

from __future__ import annotations

import copy

from ..export._common import FORMATS, MIMETYPES
from ..itinerary import Itinerary
from ..model import PlanRequest
from ..network.profiles import PROFILE_NAMES
from ..pois import CATEGORIES, TAGS

LOCAL_DATETIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$",
                  "description": "local time in Vietnam (Asia/Ho_Chi_Minh, UTC+7), ISO 8601 without an offset"}
CLOCK_TIME = {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$",
              "description": "local clock time HH:MM or HH:MM:SS"}
SLUG = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}$",
        "description": "random, unguessable slug of a saved plan (its permalink)"}


def _local_times(node):
    """Replace pydantic's ``date-time`` / ``time`` formats (which require an offset) by local-time patterns."""
    if isinstance(node, dict):
        fmt = node.get("format")
        if node.get("type") == "string" and fmt in ("date-time", "time"):
            keep = {k: v for k, v in node.items() if k in ("title", "default", "examples")}
            return {**(LOCAL_DATETIME if fmt == "date-time" else CLOCK_TIME), **keep}
        return {k: _local_times(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_local_times(v) for v in node]
    return node


# The request's ``Costs`` and the itinerary's ``ItineraryCosts`` have distinct names; a model used both ways is
# still split by pydantic (older: module paths; newer: -Input / -Output by mode), so the names stay stable
_RENAMES = {"touroute__model__Costs": "Costs", "touroute__itinerary__Costs": "ItineraryCosts",
            "Costs-Input": "Costs", "Costs-Output": "ItineraryCosts"}


def _schemas() -> dict:
    import json

    from pydantic.json_schema import models_json_schema

    _, top = models_json_schema([(PlanRequest, "validation"), (Itinerary, "serialization")],
                                ref_template="#/components/schemas/{model}")
    text = json.dumps(top.get("$defs", {}))
    for old, new in _RENAMES.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    out = {_RENAMES.get(k, k): v for k, v in json.loads(text).items()}
    out = _local_times(out)
    new_plan = copy.deepcopy(out["PlanRequest"])
    new_plan["title"] = "NewPlan"
    new_plan["description"] = "A PlanRequest, plus an optional title for the saved plan."
    new_plan["properties"]["title"] = {"type": "string", "maxLength": 200,
                                       "description": "title of the saved plan (default: start → end · days · date)"}
    out["NewPlan"] = new_plan
    out["Error"] = {"type": "object", "required": ["error", "fields"], "properties": {
        "error": {"type": "string", "minLength": 1, "description": "what is wrong, in one sentence"},
        "fields": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["field", "message"], "properties": {
                "field": {"type": "string", "description": "dotted path of the field at fault, e.g. "
                          "regional.must_cover.0; 'request' for the body as a whole"},
                "message": {"type": "string"},
                "message_vi": {"type": "string", "description": "the message in Vietnamese, for the common kinds "
                                                                "of error (a bound, a missing or malformed value)"}}}}}}
    out["PlanSummary"] = {"type": "object", "required": ["id", "title", "created", "feasible", "parent", "url",
                                                         "exports"], "properties": {
        "id": SLUG, "title": {"type": "string", "maxLength": 200},
        "created": {"type": "string", "format": "date-time", "description": "UTC, with offset"},
        "feasible": {"type": "boolean"}, "parent": {"anyOf": [SLUG, {"type": "null"}],
                                                    "description": "the plan this one was edited from"},
        "url": {"type": "string", "description": "the result page"},
        "exports": {"type": "object", "required": list(FORMATS),
                    "properties": {f: {"type": "string"} for f in FORMATS}, "additionalProperties": False}}}
    out["SavedPlan"] = {"allOf": [{"$ref": "#/components/schemas/PlanSummary"}, {
        "type": "object", "required": ["request", "itinerary"], "properties": {
            "request": {"$ref": "#/components/schemas/PlanRequest"},
            "itinerary": {"$ref": "#/components/schemas/Itinerary"},
            "seconds": {"type": "number", "minimum": 0, "description": "planning time (create / edit only)"},
            "time_limit_s": {"type": "number", "description": "solver limit of the re-plan (edit only)"}}}]}
    from .service import PlanEdit

    out["Edit"] = _local_times(PlanEdit.model_json_schema())
    nullable = {"type": ["string", "null"]}
    out["Poi"] = {"type": "object", "required": ["id", "name", "name_vi", "name_en", "category", "lat", "lon"],
                  "properties": {
                      "id": {"type": "string"}, "name": {"type": "string"}, "name_vi": {"type": "string"},
                      "name_en": {"type": "string"}, "category": {"enum": list(CATEGORIES)},
                      "subcategory": {"type": "string"}, "province": {"type": "string"},
                      "province_2025": {"type": "string"}, "lat": {"type": "number"}, "lon": {"type": "number"},
                      "popularity": {"type": "integer", "minimum": 1, "maximum": 10},
                      "tags": {"type": "array", "items": {"type": "string"}},
                      "fee_vnd": {"type": ["integer", "null"], "description": "null when unknown"},
                      "fee_as_of": nullable, "opening_hours": {**nullable, "description": "OSM opening_hours; "
                                                                                          "null when unknown"},
                      "fee_domestic_vnd": {"type": ["integer", "null"], "description": "a different price for "
                                                                                      "Vietnamese visitors"},
                      "fee_source": nullable, "hours_as_of": nullable, "hours_source": nullable,
                      "closure_note": nullable, "closure_note_vi": nullable,
                      "seats": {"type": ["integer", "null"], "description": "MICE: largest published seat count"},
                      "stale": {"type": "array", "items": {"enum": ["hours", "fee", "seats"]},
                                "description": "facts older than 3 years or undated"}}}
    # the package spec (its own models; none shares a name with the plan models — checked here)
    from ..packages import PackageSpec

    spec = PackageSpec.model_json_schema(ref_template="#/components/schemas/{model}")
    spec_defs = spec.pop("$defs", {})
    clash = sorted(set(spec_defs) & set(out))
    assert not clash, f"PackageSpec schema names clash with the plan schemas: {clash}"
    out.update(spec_defs)
    out["PackageSpec"] = spec
    out.update(_issue6_schemas())
    return out


def _issue6_schemas() -> dict:
    """Schemas of the analytics and package-job responses (issue 6)."""
    num = {"type": ["number", "null"]}
    prov_row = {"type": "object", "properties": {
        "province_legacy": {"type": "string"}, "province": {"type": "string"},
        "visitor_hours": {"type": "number", "description": "hours on site × group size"},
        "visitor_hours_share": {"type": "number"},
        "visitor_nights": {"type": "integer", "description": "nights × group size"},
        "visitor_nights_share": {"type": "number"},
        "spend_fees_vnd": {"type": "number"}, "spend_lodging_vnd": {"type": "number"},
        "spend_vehicle_vnd": {"type": "number", "description": "assumed: each leg half to either end's province"},
        "spend_vnd": {"type": "number"}, "spend_share": {"type": "number"},
        "visit_hours": {"type": "number", "description": "per plan, group size not counted"},
        "visit_share": {"type": "number"}, "nights": {"type": "integer"}, "nights_share": {"type": "number"}}}
    return {
        "HubMatrix": {"type": "object", "properties": {
            "profile": {"type": "string"},
            "hubs": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string"}, "name_vi": {"type": "string"}, "name_en": {"type": "string"},
                "province": {"type": "string"}, "province_2025": {"type": "string"}}}},
            "minutes": {"type": "array", "items": {"type": "array", "items": num}},
            "km": {"type": "array", "items": {"type": "array", "items": num}},
            "sources": {"type": "array", "items": {"type": "array", "items": {"enum": ["osm", "estimate"]}}},
            "cells": {"type": "array", "items": {"type": "object", "properties": {
                "from_id": {"type": "string"}, "to_id": {"type": "string"}, "minutes": num, "km": num,
                "source": {"enum": ["osm", "estimate"]}, "profile": {"type": "string"}}}},
            "attribution": {"type": "string"},
            "scenario": {"type": "object", "description": "with ?scenario=: the road what-if and its change",
                         "properties": {"name": {"type": "string"}, "description": {"type": "string"},
                                        "change": {"type": "array", "items": {"type": "object"}}}}}},
        "Reach": {"type": "object", "properties": {
            "hub": {"type": "string"}, "minutes": {"type": "number"}, "profile": {"type": "string"},
            "day_hours": {"type": "number"}, "count": {"type": "integer"},
            "bands": {"type": "array", "items": num, "description": "upper bounds (minutes) of the map's colour bands"},
            "places": {"type": "array", "items": {"type": "object", "properties": {
                "place_id": {"type": "string"}, "name_vi": {"type": "string"}, "name_en": {"type": "string"},
                "category": {"type": "string"}, "province_legacy": {"type": "string"}, "province": {"type": "string"},
                "minutes": num, "km": num, "source": {"enum": ["osm", "estimate"]}, "return_minutes": num,
                "visit_minutes": {"type": "integer"}, "round_trip_minutes": num, "day_trip_fits": {"type": "boolean"},
                "band": {"type": "integer"}}}}}},
        "FairnessReport": {"type": "object", "properties": {
            "itineraries": {"type": "integer"}, "visitors": {"type": "integer"},
            "total_visit_hours": {"type": "number"}, "total_nights": {"type": "integer"},
            "total_visitor_hours": {"type": "number"}, "total_visitor_nights": {"type": "integer"},
            "spend_total_vnd": {"type": "number", "description": "fees + lodging + vehicle of the plans' costs"},
            "spend_unplaced_vnd": {"type": "object", "additionalProperties": {"type": "number"},
                                   "description": "spend at free coordinates, by part (not in any province)"},
            "notes": {"type": "array", "items": {"type": "string"}, "description": "what is unknown or assumed"},
            "gini": {"type": "number", "description": "over visitor-hours"}, "hhi": {"type": "number"},
            "legacy": {"type": "array", "items": prov_row}, "since_2025": {"type": "array", "items": prov_row},
            "unused_places": {"type": "array", "items": {"type": "string"}}}},
        "Comparison": {"type": "object", "properties": {
            "rows": {"type": "array", "items": {"type": "object", "properties": {
                "item": {"type": "string"}, "kind": {"enum": ["visitor_hours", "visitor_hours_share", "visitor_nights", "spend_vnd",
                                                     "visit_hours", "visit_share", "nights", "index"]},
                "a": num, "b": num, "change": num}}},
            "a": {"$ref": "#/components/schemas/FairnessReport"}, "b": {"$ref": "#/components/schemas/FairnessReport"}}},
        "PackageJob": {"type": "object", "properties": {
            "id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "kind": {"enum": ["packages", "whatif", "plan"]},
            "state": {"enum": ["queued", "running", "done", "failed", "cancelled"]}, "title": {"type": "string"},
            "total": {"type": "integer"}, "done": {"type": "integer"}, "current": {"type": ["string", "null"]},
            "message": {"type": ["string", "null"]}, "created": {"type": "string", "format": "date-time"},
            "updated": {"type": "string", "format": "date-time"},
            "results": {"type": "array", "items": {"type": "object"}},
            "status_url": {"type": "string"}, "zip_url": {"type": "string"}, "page_url": {"type": "string"},
            "plan_url": {"type": "string", "description": "a done plan job: its saved plan"}}},
    }


def _issue6_paths(lang: dict) -> dict:
    """Operations of the regional analytics and the package jobs (issue 6)."""
    profile = {"name": "profile", "in": "query", "schema": {"enum": list(PROFILE_NAMES)},
               "description": "vehicle profile (default car)"}

    def ids(name: str, desc: str) -> dict:
        return {"name": name, "in": "query", "style": "form", "explode": True, "description": desc,
                "schema": {"type": "array", "items": {"type": "string"}}}

    def job(name: str, desc: str) -> dict:
        return {"name": name, "in": "query", "schema": {"type": "string"}, "description": desc}

    job_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
              "description": "job id (32 hex characters)"}
    bad = _err("a bad parameter (named in fields)")
    return {
        "/api/analytics/hubs": {"get": {
            "summary": "Lodging hubs a matrix may use, and the default one-per-province set", "parameters": [lang],
            "responses": {"200": {"description": "hubs"}}}},
        "/api/analytics/matrix": {"get": {
            "summary": "Hub-to-hub travel time and distance per profile, each cell osm/estimate",
            "parameters": [profile, ids("hub", "lodging hub ids (repeat or comma-separate; 2 up to the server's "
                                               "limit, default 30); default: one hub per province"),
                           {"name": "scenario", "in": "query", "schema": {"type": "string", "maxLength": 64},
                            "description": "name of a bundled road what-if scenario (data/scenarios); the reply "
                                           "then has the scenario's matrix and its change against the baseline"}],
            "responses": {"200": _ok("HubMatrix"), "400": bad, "422": _err("matrix cannot be computed")}}},
        "/api/analytics/reach": {"get": {
            "summary": "Places within a one-way travel-time budget of a place, nearest first",
            "parameters": [
                {"name": "hub", "in": "query", "required": True, "schema": {"type": "string"},
                 "description": "catalogue id of the place to start from"},
                {"name": "minutes", "in": "query", "schema": {"type": "number", "minimum": 1, "maximum": 720},
                 "description": "one-way budget in minutes (default 90)"},
                profile,
                {"name": "day_hours", "in": "query", "schema": {"type": "number", "minimum": 1, "maximum": 24},
                 "description": "length of a day trip (default 10.5)"},
                {"name": "category", "in": "query", "style": "form", "explode": True,
                 "schema": {"type": "array", "items": {"enum": ["heritage", "coastal", "mice", "other"]}}}],
            "responses": {"200": _ok("Reach"), "400": bad, "422": _err("cannot be computed")}}},
        "/api/analytics/fairness": {"get": {
            "summary": "Fair-benefit report (visit hours and nights per province, Gini, HHI) of saved plans "
                       "and/or a finished package job",
            "parameters": [ids("plan", "saved plan ids"),
                           {"name": "all", "in": "query", "schema": {"type": "boolean"},
                            "description": "every saved plan (newest first, up to the server's limit)"},
                           job("job", "id of a finished package job")],
            "responses": {"200": _ok("FairnessReport"), "400": bad, "409": _err("the job is not done"),
                          "410": _err("the job's files are gone"), "422": _err("report cannot be computed")}}},
        "/api/analytics/compare": {"get": {
            "summary": "What-if: report B minus report A per province and index",
            "parameters": [ids("a", "saved plan ids of scenario A"), job("a_job", "package job of scenario A"),
                           ids("b", "saved plan ids of scenario B"), job("b_job", "package job of scenario B")],
            "responses": {"200": _ok("Comparison"), "400": bad, "409": _err("a job is not done"),
                          "410": _err("a job's files are gone"), "422": _err("cannot be computed")}}},
        "/api/package-jobs": {
            "post": {"summary": "Build sample packages from a spec in the background → 202 with the job",
                     "requestBody": {"required": True, "content": {
                         "application/json": {"schema": {"$ref": "#/components/schemas/PackageSpec"}},
                         "application/yaml": {"schema": {"type": "string"}}}},
                     "responses": {"202": _ok("PackageJob", "the queued job"), "400": _err("not JSON"),
                                   "413": _err("spec too large"), "415": _err("unsupported Content-Type"),
                                   "422": _err("invalid spec (fields named)"), "429": _err("job queue full")}},
            "get": {"summary": "Recent package jobs: all when the server lists publicly (TOUROUTE_PUBLIC_PLANS=1), else the ones this client (session cookie) started", "responses": {"200": {"description": "jobs", "content": {
                "application/json": {"schema": {"type": "object", "properties": {"jobs": {
                    "type": "array", "items": {"$ref": "#/components/schemas/PackageJob"}}}}}}}}}},
        "/api/package-jobs/{id}": {"get": {
            "summary": "State and progress of a package job", "parameters": [job_id],
            "responses": {"200": _ok("PackageJob"), "404": _err("no such job")}}},
        "/api/package-jobs/{id}/cancel": {"post": {
            "summary": "Cancel a queued or running job (a running one stops after its current package or plan)",
            "parameters": [job_id],
            "responses": {"200": _ok("PackageJob", "the cancelled job"), "404": _err("no such job"),
                          "409": _err("the job had already ended")}}},
        "/api/package-jobs/{id}/retry": {"post": {
            "summary": "Run a failed or cancelled job again, from scratch",
            "parameters": [job_id],
            "responses": {"202": _ok("PackageJob", "the queued job"), "404": _err("no such job"),
                          "409": _err("the job is not failed or cancelled"),
                          "503": _err("the job queue (Redis) is not reachable")}}},
        "/api/whatif-jobs": {"post": {
            "summary": "A batch what-if as a background job: every package of a spec planned today (A) and under a "
                       "bundled road scenario and/or extra must-cover provinces (B) → 202 with the job; read it at "
                       "/api/package-jobs/{id}, its zip holds whatif.json and hubs/plans/fairness CSVs",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["spec"], "additionalProperties": False, "properties": {
                    "spec": {"$ref": "#/components/schemas/PackageSpec"},
                    "scenario": {"type": "string", "description": "name of a bundled road scenario (data/scenarios)"},
                    "must_cover": {"type": "array", "items": {"type": "string"},
                                   "description": "provinces every plan must also cover in B"}}}}}},
            "responses": {"202": _ok("PackageJob", "the queued job"), "400": _err("not a JSON object"),
                          "415": _err("not application/json"), "422": _err("invalid input (fields named)"),
                          "429": _err("job queue full"), "503": _err("the job queue (Redis) is not reachable")}}},
        "/api/plan-jobs": {"post": {
            "summary": "A long plan as a background job: a plan request whose solver.time_limit_s may go up to "
                       "TOUROUTE_MAX_JOB_PLAN_SECONDS → 202 with the job; when done the plan is saved (plan_url)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "$ref": "#/components/schemas/PlanRequest"}}}},
            "responses": {"202": _ok("PackageJob", "the queued job"), "400": _err("not a JSON object"),
                          "415": _err("not application/json"), "422": _err("invalid request (fields named)"),
                          "429": _err("job queue full"), "503": _err("the job queue (Redis) is not reachable")}}},
        "/api/package-jobs/{id}/zip": {"get": {
            "summary": "The results of a finished job as a zip (itinerary JSON, maps, brochures, index.json)",
            "parameters": [job_id],
            "responses": {"200": {"description": "zip", "content": {"application/zip": {}}},
                          "404": _err("no such job"), "409": _err("the job is not done"),
                          "410": _err("the job's files are gone")}}},
    }


def _err(desc: str) -> dict:
    return {"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(ref: str, desc: str = "OK") -> dict:
    return {"description": desc, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def _json(schema: dict, desc: str = "OK") -> dict:
    return {"description": desc, "content": {"application/json": {"schema": schema}}}


def _body(ref: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def document(server: str = "") -> dict:
    """The whole document; ``server`` is the app's base URL (empty: relative to wherever it is served)."""
    slug = {"name": "id", "in": "path", "required": True, "schema": SLUG}
    lang = {"name": "lang", "in": "query", "schema": {"enum": ["vi", "en"]},
            "description": "language of names and messages (default: the session's, else vi)"}
    limit = {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}
    too_large = _err("body larger than TOUROUTE_MAX_BODY (field 'request')")
    return {
        "openapi": "3.1.0",
        "info": {"title": "touroute API", "version": "1", "description":
                 "Multi-province tourism routes for Central and South-Central Vietnam. Map data © OpenStreetMap "
                 "contributors (ODbL 1.0). Every 4xx is JSON {error, fields: [{field, message}]} naming the field "
                 "at fault."},
        "servers": [{"url": server}] if server else [],
        "paths": {
            "/api/plans": {
                "post": {"summary": "Plan a trip and save it", "parameters": [lang], "requestBody": _body("NewPlan"),
                         "responses": {"201": _ok("SavedPlan", "the saved plan with its itinerary"),
                                       "400": _err("not a JSON object"), "413": too_large,
                                       "422": _err("invalid field or unknown place id")}},
                "get": {"summary": "List saved plans (only when the server lists plans publicly: "
                                   "TOUROUTE_PUBLIC_PLANS=1)", "parameters": [
                    limit, {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0,
                                                                         "maximum": 10**9}}],
                        "responses": {"200": _json({"type": "object", "required": ["plans", "total"], "properties": {
                            "plans": {"type": "array", "items": {"$ref": "#/components/schemas/PlanSummary"}},
                            "total": {"type": "integer", "minimum": 0}}}, "plans, newest first"),
                            "400": _err("limit or offset out of range"),
                            "403": _err("listing is off on this server (field 'plans')")}}},
            "/api/plans/{id}": {"get": {"summary": "A saved plan", "parameters": [slug, lang],
                                        "responses": {"200": _ok("SavedPlan"), "404": _err("no such plan")}}},
            "/api/plans/{id}/edits": {"post": {
                "summary": "Edit and re-plan (lock / remove / add a place, change a night's hub) → a new plan",
                "parameters": [slug, lang], "requestBody": _body("Edit"),
                "responses": {"201": _ok("SavedPlan", "the new plan (the edited one is kept unchanged)"),
                              "400": _err("not a JSON object, or an edit that misses its place"),
                              "404": _err("no such plan"), "413": too_large,
                              "422": _err("invalid edit field, or the edited request is invalid")}}},
            "/api/plans/{id}/export.{fmt}": {"get": {
                "summary": "Export a plan (GeoJSON, GPX, iCalendar, CSV)",
                "parameters": [slug, {"name": "fmt", "in": "path", "required": True,
                                      "schema": {"enum": list(FORMATS)}}, lang],
                "responses": {"200": {"description": "the file (an attachment)", "content": {
                    MIMETYPES[f]: {"schema": {"type": "object"} if f == "geojson" else {"type": "string"}}
                    for f in FORMATS}},
                    "404": _err("no such plan or format"), "409": _err("infeasible plan: nothing to export")}}},
            "/api/pois": {"get": {"summary": "Search the catalogue (diacritics-insensitive)", "parameters": [
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100}},
                {"name": "category", "in": "query", "style": "form", "explode": True,
                 "schema": {"type": "array", "items": {"enum": list(CATEGORIES)}},
                 "description": "repeat or comma-separate"},
                {"name": "province", "in": "query", "style": "form", "explode": True,
                 "schema": {"type": "array", "items": {"type": "string"}},
                 "description": "legacy or 2025 province name, with or without diacritics"},
                {"name": "tag", "in": "query", "style": "form", "explode": True,
                 "schema": {"type": "array", "items": {"enum": sorted(TAGS)}}},
                limit, lang],
                "responses": {"200": _json({"type": "object", "required": ["pois", "count"], "properties": {
                    "pois": {"type": "array", "items": {"$ref": "#/components/schemas/Poi"}},
                    "count": {"type": "integer", "minimum": 0}}}, "matching places"),
                    "400": _err("unknown category, province or tag; q too long; limit out of range")}}},
            "/api/openapi.json": {"get": {"summary": "This document",
                                          "responses": {"200": _json({"type": "object",
                                                                      "required": ["openapi", "paths"]})}}},
            **_issue6_paths(lang),
        },
        "components": {"schemas": _schemas()},
    }
