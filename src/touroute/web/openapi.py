"""The OpenAPI 3.1 document of the REST API; schemas come from the pydantic models themselves."""

from __future__ import annotations

from ..itinerary import Itinerary
from ..model import PlanRequest


def _schemas() -> dict:
    defs: dict = {}
    out: dict = {}
    for model in (PlanRequest, Itinerary):
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
    return out


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
        },
        "components": {"schemas": _schemas()},
    }
