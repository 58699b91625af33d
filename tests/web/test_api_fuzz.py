"""Fuzz every operation of ``/api/openapi.json`` with schemathesis (hypothesis underneath).

The real Flask app, a real SQLite file and the real planner (no road network: every leg estimated, 0.3-second solver
budgets) are called in-process through WSGI. For every generated request — valid and invalid — the response must:

* never be a 5xx;
* use a status code, content type and body that the document declares for that operation;
* when it is a 4xx, be JSON ``{"error": "...", "fields": [{"field": ..., "message": ...}, ...]}`` naming the problem.

Operations taking a plan ``{id}`` get the id of a real saved plan in half of their examples, so fuzzing reaches the
exports and the editor instead of only ever seeing 404s. Examples are bounded (``FUZZ_EXAMPLES``) to keep CI fast.
"""

from __future__ import annotations

import os
import re

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="pip install schemathesis (the test extra)")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)


pytestmark = pytest.mark.slow  # schema-driven API fuzzing: outside the fast subset (pytest -m "not slow")

FUZZ_EXAMPLES = int(os.environ.get("TOUROUTE_FUZZ_EXAMPLES", "25"))
VALID_PLAN = {"start": "qnam-hoi-an", "end": "dn-city-centre", "start_date": "2026-12-07", "days": 2,
              "solver": {"time_limit_s": 0.2}}


def error_body_names_the_problem(ctx, response, case) -> None:
    """Every 4xx is JSON with an ``error`` message and a non-empty ``fields`` list of {field, message}."""
    if not 400 <= response.status_code < 500:
        return
    ctype = next((v for k, v in response.headers.items() if k.lower() == "content-type"), "")
    ctype = ctype[0] if isinstance(ctype, list) else ctype
    assert ctype.startswith("application/json"), f"{response.status_code} is not JSON but {ctype!r}"
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body["error"].strip(), body
    fields = body.get("fields")
    assert isinstance(fields, list) and fields, f"4xx without a 'fields' list naming the problem: {body}"
    for f in fields:
        assert isinstance(f, dict) and isinstance(f.get("field"), str) and f["field"], body
        assert isinstance(f.get("message"), str) and f["message"], body
    assert "Traceback" not in response.text


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          error_body_names_the_problem]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, ctx):
    from touroute.web import create_app

    tmp = tmp_path_factory.mktemp("fuzz")
    app = create_app({"DB_URL": f"sqlite:///{tmp / 'plans.sqlite3'}", "SECRET_KEY": "fuzz", "PLAN_SECONDS": 0.2,
                      "REPLAN_SECONDS": 0.2, "MAX_PLAN_SECONDS": 0.3, "TILES": None, "PUBLIC_PLANS": True,
                      "MAX_JOB_PLAN_SECONDS": 0.3, "JOB_PDF": False},
                     ctx=ctx)
    res = app.test_client().post("/api/plans", json=VALID_PLAN)
    assert res.status_code == 201, res.get_json()
    app.config["FUZZ_SLUG"] = res.get_json()["id"]
    return app


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)


def _operations() -> list[tuple[str, str, bool]]:
    """(METHOD, path, takes input) of every operation the document lists — read from the document itself, so
    operations added later are fuzzed without touching this test."""
    from touroute.web.openapi import document

    return [(m.upper(), p, bool(op.get("parameters") or op.get("requestBody")))
            for p, ops in document()["paths"].items() for m, op in ops.items()]


def _variants() -> list:
    out = []
    for method, path, has_input in _operations():
        # invalid (negative) input needs some input to break: an operation without parameters has none
        for mode in ("positive", "negative") if has_input else ("positive",):
            out.append(pytest.param(method, path, mode, False, id=f"{method} {path} {mode}"))
        if "{id}" in path:  # the same operation on a plan that exists, to get past the 404
            out.append(pytest.param(method, path, "positive", True, id=f"{method} {path} saved-plan"))
    # random valid requests between real places, so the planner itself (not only validation) is fuzzed
    out.append(pytest.param("POST", "/api/plans", "positive", False, id="POST /api/plans real-places"))
    return out


REAL_PLACES = ["qnam-hoi-an", "dn-city-centre", "hue-hub-hue-city", "qnam-my-son-sanctuary", "kh-hub-nha-trang"]


def _between_real_places(case, seed: int):
    """The generated request, with start/end set to catalogue places and a solver budget the server accepts."""
    if isinstance(case.body, dict):
        case.body["start"] = REAL_PLACES[seed % len(REAL_PLACES)]
        case.body["end"] = REAL_PLACES[(seed // 7) % len(REAL_PLACES)]
        case.body["solver"] = {"time_limit_s": 0.1, "seed": seed % 1000}
        for key in ("must_visit", "exclude", "locks", "provinces", "tags"):
            case.body.pop(key, None)
        if isinstance(case.body.get("regional"), dict):
            case.body["regional"].pop("must_cover", None)
        if isinstance(case.body.get("overnight"), dict):
            case.body["overnight"] = {"mode": "choose"}
    return case


@pytest.mark.parametrize("method, path, mode, saved_plan", _variants())
def test_api_fuzz(api_schema, fuzz_app, method, path, mode, saved_plan, request):
    from hypothesis import given
    from hypothesis import strategies as st
    from schemathesis.generation.modes import GenerationMode

    op = api_schema[path][method]
    fixed = {"id": fuzz_app.config["FUZZ_SLUG"]} if saved_plan else None
    strategy = op.as_strategy(GenerationMode(mode), path_parameters=fixed)
    real_places = request.node.callspec.id.endswith("real-places")
    statuses: list[int] = []

    @given(case=strategy, seed=st.integers(0, 10**6))
    # each real-places example plans a trip: fewer of them
    @settings(max_examples=max(5, FUZZ_EXAMPLES // 3) if real_places else FUZZ_EXAMPLES, deadline=None,
              derandomize=True, database=None, suppress_health_check=list(HealthCheck))
    def run(case, seed):
        if real_places:
            case = _between_real_places(case, seed)
        statuses.append(case.call_and_validate(checks=CHECKS).status_code)

    run()
    if real_places:  # the point of this variant: plans are really made (and checked against the schema)
        assert statuses.count(201) >= max(1, len(statuses) // 10), statuses


def test_document_lists_every_api_route(fuzz_app):
    """The fuzzer can only reach what the document lists: every /api route of the app must be in it."""
    doc = fuzz_app.test_client().get("/api/openapi.json").get_json()
    def shape(path: str) -> str:  # parameter names may differ (<job_id> in Flask, {id} in the document)
        return re.sub(r"\{[^}]*\}|<[^>]*>", "{}", path)

    documented = {(shape(path), method.upper()) for path, ops in doc["paths"].items() for method in ops}
    missing = []
    for rule in fuzz_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = shape(rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (path, method) not in documented:
                missing.append(f"{method} {path}")
    assert not missing, f"API routes missing from /api/openapi.json: {missing}"
