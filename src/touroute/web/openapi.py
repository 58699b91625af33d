"""The OpenAPI 3.1 document of the REST API; schemas come from the pydantic models themselves."""

from __future__ import annotations

from ..itinerary import Itinerary
from ..model import PlanRequest


def _schemas() -> dict:
    defs: dict = {}
    out: dict = {}
    from ..packages import PackageSpec

    for model in (PlanRequest, Itinerary, PackageSpec):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        defs.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    out.update(defs)
    out["Error"] = {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "string"},
        "fields": {"type": "array", "items": {"type": "object", "required": ["field", "message"], "properties": {
            "field": {"type": "string", "description": "dotted path of the field at fault, e.g. regional.must_cover.0"},
            "message": {"type": "string"}}}}}}
    out["PlanSummary"] = {"type": "object", "properties": {
        "id": {"type": "string", "description": "random, unguessable slug (the permalink)"},
        "title": {"type": "string"}, "created": {"type": "string", "format": "date-time"},
        "feasible": {"type": "boolean"}, "parent": {"type": ["string", "null"]},
        "url": {"type": "string"}, "exports": {"type": "object", "additionalProperties": {"type": "string"}}}}
    out["SavedPlan"] = {"allOf": [{"$ref": "#/components/schemas/PlanSummary"}, {"type": "object", "properties": {
        "request": {"$ref": "#/components/schemas/PlanRequest"},
        "itinerary": {"$ref": "#/components/schemas/Itinerary"},
        "seconds": {"type": "number", "description": "planning time (create / edit only)"}}}]}
    out["Edit"] = {"type": "object", "required": ["action"], "properties": {
        "action": {"enum": ["remove", "lock", "unlock", "add", "hub"]}, "place_id": {"type": "string"},
        "day": {"type": "integer", "minimum": 1}, "night": {"type": "integer", "minimum": 1},
        "hub": {"type": "string", "description": "hub id; empty to un-pin the night"}}}
    out["Poi"] = {"type": "object", "properties": {k: {"type": v} for k, v in {
        "id": "string", "name": "string", "name_vi": "string", "name_en": "string", "category": "string",
        "subcategory": "string", "province": "string", "province_2025": "string", "lat": "number", "lon": "number",
        "popularity": "integer"}.items()}}
    out.update(_issue6_schemas())
    return out


def _issue6_schemas() -> dict:
    """Schemas of the analytics and package-job responses (issue 6)."""
    num = {"type": ["number", "null"]}
    prov_row = {"type": "object", "properties": {
        "province_legacy": {"type": "string"}, "province": {"type": "string"}, "visit_hours": {"type": "number"},
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
            "attribution": {"type": "string"}}},
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
            "itineraries": {"type": "integer"}, "total_visit_hours": {"type": "number"},
            "total_nights": {"type": "integer"}, "gini": {"type": "number"}, "hhi": {"type": "number"},
            "legacy": {"type": "array", "items": prov_row}, "since_2025": {"type": "array", "items": prov_row},
            "unused_places": {"type": "array", "items": {"type": "string"}}}},
        "Comparison": {"type": "object", "properties": {
            "rows": {"type": "array", "items": {"type": "object", "properties": {
                "item": {"type": "string"}, "kind": {"enum": ["visit_hours", "visit_share", "nights", "index"]},
                "a": num, "b": num, "change": num}}},
            "a": {"$ref": "#/components/schemas/FairnessReport"}, "b": {"$ref": "#/components/schemas/FairnessReport"}}},
        "PackageJob": {"type": "object", "properties": {
            "id": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            "state": {"enum": ["queued", "running", "done", "failed"]}, "title": {"type": "string"},
            "total": {"type": "integer"}, "done": {"type": "integer"}, "current": {"type": ["string", "null"]},
            "message": {"type": ["string", "null"]}, "created": {"type": "string", "format": "date-time"},
            "updated": {"type": "string", "format": "date-time"},
            "results": {"type": "array", "items": {"type": "object"}},
            "status_url": {"type": "string"}, "zip_url": {"type": "string"}, "page_url": {"type": "string"}}},
    }


def _issue6_paths(lang: dict) -> dict:
    """Operations of the regional analytics and the package jobs (issue 6)."""
    profile = {"name": "profile", "in": "query", "schema": {"enum": ["car", "van", "coach", "motorbike"]},
               "description": "vehicle profile (default car)"}

    def ids(name: str, desc: str) -> dict:
        return {"name": name, "in": "query", "style": "form", "explode": True, "description": desc,
                "schema": {"type": "array", "items": {"type": "string"}}}

    def job(name: str, desc: str) -> dict:
        return {"name": name, "in": "query", "schema": {"type": "string"}, "description": desc}

    job_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
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
            "get": {"summary": "Recent package jobs", "responses": {"200": {"description": "jobs", "content": {
                "application/json": {"schema": {"type": "object", "properties": {"jobs": {
                    "type": "array", "items": {"$ref": "#/components/schemas/PackageJob"}}}}}}}}}},
        "/api/package-jobs/{id}": {"get": {
            "summary": "State and progress of a package job", "parameters": [job_id],
            "responses": {"200": _ok("PackageJob"), "404": _err("no such job")}}},
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


def document(server: str = "") -> dict:
    slug = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    lang = {"name": "lang", "in": "query", "schema": {"enum": ["vi", "en"]}, "description": "language (default vi)"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "touroute API", "version": "1", "description":
                 "Multi-province tourism routes for Central and South-Central Vietnam. Map data © OpenStreetMap "
                 "contributors (ODbL 1.0). Validation errors are 4xx JSON naming the field."},
        "servers": [{"url": server}] if server else [],
        "paths": {
            "/api/plans": {
                "post": {"summary": "Plan a trip and save it", "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/PlanRequest"}}}},
                         "responses": {"201": _ok("SavedPlan", "the saved plan with its itinerary"),
                                       "400": _err("not JSON"), "413": _err("body too large"),
                                       "422": _err("invalid field or unknown place id")}},
                "get": {"summary": "List saved plans", "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}}],
                        "responses": {"200": {"description": "plans", "content": {"application/json": {"schema": {
                            "type": "object", "properties": {"plans": {"type": "array", "items": {
                                "$ref": "#/components/schemas/PlanSummary"}}, "total": {"type": "integer"}}}}}}}}},
            "/api/plans/{id}": {"get": {"summary": "A saved plan", "parameters": [slug],
                                        "responses": {"200": _ok("SavedPlan"), "404": _err("no such plan")}}},
            "/api/plans/{id}/edits": {"post": {
                "summary": "Edit and re-plan (lock / remove / add a place, change a night's hub) → a new plan",
                "parameters": [slug], "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Edit"}}}},
                "responses": {"201": _ok("SavedPlan"), "400": _err("bad edit"), "404": _err("no such plan"),
                              "422": _err("the edited request is invalid")}}},
            "/api/plans/{id}/export.{fmt}": {"get": {
                "summary": "Export a plan (GeoJSON, GPX, iCalendar, CSV)",
                "parameters": [slug, {"name": "fmt", "in": "path", "required": True,
                                      "schema": {"enum": ["geojson", "gpx", "ics", "csv"]}}, lang],
                "responses": {"200": {"description": "the file", "content": {
                    "application/geo+json": {}, "application/gpx+xml": {}, "text/calendar": {}, "text/csv": {}}},
                    "404": _err("no such plan or format"), "409": _err("infeasible plan")}}},
            "/api/pois": {"get": {"summary": "Search the catalogue (diacritics-insensitive)", "parameters": [
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100}},
                {"name": "category", "in": "query", "schema": {"type": "string"}},
                {"name": "province", "in": "query", "schema": {"type": "string"}},
                {"name": "tag", "in": "query", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}}, lang],
                "responses": {"200": {"description": "matching places", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"pois": {"type": "array", "items": {
                        "$ref": "#/components/schemas/Poi"}}, "count": {"type": "integer"}}}}}},
                    "400": _err("unknown category, province or tag")}}},
            "/api/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OK"}}}},
            **_issue6_paths(lang),
        },
        "components": {"schemas": _schemas()},
    }
