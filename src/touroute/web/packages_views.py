"""Sample packages from the web (issue 6): upload or edit a spec, validate it, build it as a background job with
visible progress, download the results as a zip. HTML pages under ``/packages`` and JSON under
``/api/package-jobs``; the job machinery is :mod:`touroute.web.jobs`.
"""

from __future__ import annotations

import json

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request, send_file, url_for

from ..resources import data_dir
from . import planning_context, store
from .jobs import (default_jobs_dir, get_job_or_404, load_spec_text, remember_job, scenario_choices, validate_spec,
                   visible_jobs, zip_path)
from .queue import runner
from .service import RequestProblem, check_nesting

bp = Blueprint("packages", __name__, url_prefix="/packages")
api_bp = Blueprint("packages_api", __name__, url_prefix="/api/package-jobs")
kinds_bp = Blueprint("jobs_api", __name__, url_prefix="/api")
"""``POST /api/whatif-jobs`` and ``POST /api/plan-jobs``: the other job kinds; once created, every job is read,
cancelled, retried and downloaded under ``/api/package-jobs/<id>`` like a package job."""

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


def init_app(app: Flask, csrf) -> None:
    """Job folder, blueprints, and orphaned jobs failed (job limits come from :mod:`touroute.settings`)."""
    from .db import process_owner
    from .jobs import STALE_SECONDS, purge_expired_job_files

    app.config.setdefault("JOBS_DIR", str(default_jobs_dir()))
    app.config.setdefault("JOB_PDF", True)
    app.config["JOB_WORKERS"] = max(1, min(2, int(app.config["JOB_WORKERS"])))
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(kinds_bp)
    csrf.exempt(api_bp)
    csrf.exempt(kinds_bp)
    n = app.extensions["touroute_store"].fail_orphaned_jobs(STALE_SECONDS, alive_owner=process_owner())
    if n:
        app.logger.warning("marked %d package job(s) interrupted by a restart as failed", n)
    purge_expired_job_files(app)


def example_spec() -> str:
    try:
        return data_dir("packages", "example.yaml").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):  # pragma: no cover - the example ships with the package
        return ""


def _spec_from_text(text: str, field: str):
    cfg = current_app.config
    data = load_spec_text(text, field=field, max_bytes=int(cfg["MAX_SPEC_BYTES"]))
    return validate_spec(data, planning_context().catalogue, max_packages=int(cfg["MAX_JOB_PACKAGES"]),
                         max_seconds=float(cfg["JOB_SOLVER_SECONDS"]))


def _job_urls(job_id: str) -> dict:
    return {"status_url": url_for("packages_api.job_status", job_id=job_id, _external=True),
            "zip_url": url_for("packages_api.job_zip", job_id=job_id, _external=True),
            "page_url": url_for("packages.job_page", job_id=job_id, _external=True)}


def _title(spec) -> str:
    first = spec.packages[0]
    more = f" (+{len(spec.packages) - 1})" if len(spec.packages) > 1 else ""
    return f"{first.title_vi}{more}"


# ---------------------------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------------------------
def _form(text: str, *, errors=None, spec=None, status: int = 200):
    cfg = current_app.config
    return render_template("packages/index.html", text=text, errors=errors or [], spec=spec,
                           jobs=visible_jobs(20), max_bytes=cfg["MAX_SPEC_BYTES"],
                           max_packages=cfg["MAX_JOB_PACKAGES"], max_seconds=cfg["JOB_SOLVER_SECONDS"]), status


@bp.get("/")
def index():
    return _form(example_spec())


@bp.post("/")
def submit():
    action = request.form.get("action", "validate")
    upload = request.files.get("spec_file")
    text, field = request.form.get("spec_text", ""), "spec_text"
    try:
        if upload is not None and upload.filename:
            limit = int(current_app.config["MAX_SPEC_BYTES"])
            raw = upload.stream.read(limit + 1)
            if len(raw) > limit:
                raise RequestProblem(f"spec_file: larger than {limit} bytes",
                                     [{"field": "spec_file", "message": f"larger than {limit} bytes"}], 413)
            try:
                text, field = raw.decode("utf-8-sig"), "spec_file"
            except UnicodeDecodeError:
                raise RequestProblem("spec_file: not UTF-8 text",
                                     [{"field": "spec_file", "message": "not UTF-8 text"}], 422) from None
        if action not in ("validate", "build"):
            raise RequestProblem("action: choose validate or build",
                                 [{"field": "action", "message": "choose validate or build"}], 400)
        spec = _spec_from_text(text, field)
    except RequestProblem as exc:
        return _form(text if len(text) <= 4 * int(current_app.config["MAX_SPEC_BYTES"]) else "",
                     errors=exc.fields, status=exc.status)
    if action == "validate":
        return _form(text, spec=spec)
    try:
        job_id = runner().submit(spec, _title(spec))
    except RequestProblem as exc:
        return _form(text, errors=exc.fields, status=exc.status)
    remember_job(job_id)
    return redirect(url_for("packages.job_page", job_id=job_id), code=303)


@bp.get("/jobs/<job_id>")
def job_page(job_id: str):
    job = get_job_or_404(job_id)
    return render_template("packages/job.html", job=job, urls=_job_urls(job.id))


@bp.post("/jobs/<job_id>/cancel")
def job_cancel_page(job_id: str):
    job = get_job_or_404(job_id)
    runner().cancel(job.id)
    return redirect(url_for("packages.job_page", job_id=job.id), code=303)


@bp.post("/jobs/<job_id>/retry")
def job_retry_page(job_id: str):
    job = get_job_or_404(job_id)
    runner().retry(job.id)
    return redirect(url_for("packages.job_page", job_id=job.id), code=303)


@bp.get("/jobs/<job_id>/zip")
def job_zip_page(job_id: str):
    job = get_job_or_404(job_id)
    return send_file(zip_path(job), mimetype="application/zip", as_attachment=True,
                     download_name=f"touroute-packages-{job.id[:8]}.zip")


# ---------------------------------------------------------------------------------------------------------------
# JSON API
# ---------------------------------------------------------------------------------------------------------------
def _job_json(job) -> dict:
    body = {**job.summary(), **_job_urls(job.id)}
    if job.kind == "plan" and job.state == "done" and job.results:
        body["plan_url"] = url_for("views.result", slug=job.results[0]["plan"], _external=True)
    return body


def _accepted(job_id: str):
    remember_job(job_id)
    resp = jsonify(_job_json(store().get_job(job_id)))
    resp.status_code = 202
    resp.headers["Location"] = url_for("packages_api.job_status", job_id=job_id)
    return resp


def _json_object(what: str) -> dict:
    if request.mimetype != "application/json":
        raise RequestProblem(f"send the {what} as application/json",
                             [{"field": "Content-Type", "message": f"unsupported media type {request.mimetype!r}"}],
                             415)
    check_nesting(request.get_data(cache=True), "request")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise RequestProblem(f"the body must be a JSON object ({what})",
                             [{"field": "request", "message": "expected a JSON object"}], 400)
    return data


@kinds_bp.post("/whatif-jobs")
def create_whatif_job():
    """A batch what-if as a background job. Body: ``{"spec": <package spec>, "scenario": <bundled scenario name>,
    "must_cover": [<province>, …]}`` (scenario and/or must_cover) → 202 with the job. Every package of the spec is
    planned today (A) and under the scenario (B); the zip holds ``whatif.json`` and hubs/plans/fairness CSVs."""
    from .. import provinces as prov

    cfg = current_app.config
    data = _json_object("what-if")
    unknown = sorted(set(data) - {"spec", "scenario", "must_cover"})
    if unknown:
        raise RequestProblem(f"{unknown[0]}: unknown field (expected spec, scenario, must_cover)",
                             [{"field": k, "message": "unknown field"} for k in unknown], 422)
    try:
        spec = validate_spec(data.get("spec"), planning_context().catalogue,
                             max_packages=int(cfg["MAX_JOB_PACKAGES"]), max_seconds=float(cfg["JOB_SOLVER_SECONDS"]))
    except RequestProblem as exc:
        fields = [{**f, "field": f"spec.{f['field']}" if f["field"] != "spec" else "spec"} for f in exc.fields]
        raise RequestProblem("spec: " + str(exc), fields, exc.status) from None
    scenario = data.get("scenario")
    if scenario is not None and (not isinstance(scenario, str) or scenario not in scenario_choices()):
        raise RequestProblem(f"scenario: unknown scenario; choose one of {', '.join(scenario_choices())}",
                             [{"field": "scenario", "message": "unknown scenario"}], 422)
    cover = data.get("must_cover") or []
    if not isinstance(cover, list) or not all(isinstance(c, str) for c in cover):
        raise RequestProblem("must_cover: a list of province names",
                             [{"field": "must_cover", "message": "expected a list of province names"}], 422)
    for i, name in enumerate(cover):
        try:
            if not prov.resolve(name):
                raise ValueError(f"unknown province {name!r}")
        except ValueError as exc:
            msg = str(exc).split("; known:")[0]
            raise RequestProblem(f"must_cover.{i}: {msg}", [{"field": f"must_cover.{i}", "message": msg}], 422) \
                from None
    if not scenario and not cover:
        raise RequestProblem("scenario: a what-if needs a scenario and/or must_cover provinces",
                             [{"field": "scenario", "message": "give a scenario and/or must_cover"}], 422)
    title = f"What-if {scenario or ''}{' + ' if scenario and cover else ''}{', '.join(cover)}: {_title(spec)}"
    body = json.dumps({"spec": json.loads(spec.model_dump_json()), "scenario": scenario, "must_cover": cover},
                      ensure_ascii=False)
    return _accepted(runner().submit_job("whatif", body, title, len(spec.packages)))


@kinds_bp.post("/plan-jobs")
def create_plan_job():
    """A long plan as a background job. Body: a plan request (as ``POST /api/plans``, optional ``title``) whose
    ``solver.time_limit_s`` may go up to ``TOUROUTE_MAX_JOB_PLAN_SECONDS`` → 202 with the job; when done the plan is
    saved (``plan_url``) and the zip holds its ``itinerary.json``."""
    from .i18n import get_lang
    from .service import parse_request, plan_title

    data = dict(_json_object("plan request"))
    title = data.pop("title", None)
    req = parse_request(data, max_seconds=float(current_app.config["MAX_JOB_PLAN_SECONDS"]))
    if not isinstance(title, str) or not title.strip():
        title = plan_title(req, None, planning_context(), get_lang())
    body = json.dumps({"request": json.loads(req.model_dump_json())}, ensure_ascii=False)
    return _accepted(runner().submit_job("plan", body, title[:200], 1))


@api_bp.post("")
def create_job():
    """Body: the spec as JSON (``application/json``) or YAML text (``application/yaml``) → 202 with the job."""
    mt = request.mimetype
    cfg = current_app.config
    if mt == "application/json":
        limit = int(cfg["MAX_SPEC_BYTES"])
        if (request.content_length or 0) > limit or len(request.get_data()) > limit:
            raise RequestProblem(f"spec: larger than {limit} bytes",
                                 [{"field": "spec", "message": f"larger than {limit} bytes"}], 413)
        check_nesting(request.get_data(cache=True), "spec")
        data = request.get_json(silent=True)
        if data is None:
            raise RequestProblem("the body must be JSON (or YAML with Content-Type: application/yaml)",
                                 [{"field": "request", "message": "not valid JSON"}], 400)
        spec = validate_spec(data, planning_context().catalogue, max_packages=int(cfg["MAX_JOB_PACKAGES"]),
                             max_seconds=float(cfg["JOB_SOLVER_SECONDS"]))
    elif mt in YAML_TYPES:
        try:
            text = request.get_data().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RequestProblem("the YAML body is not UTF-8", [{"field": "spec", "message": "not UTF-8"}],
                                 400) from None
        spec = _spec_from_text(text, "spec")
    else:
        raise RequestProblem("send the spec as application/json or application/yaml",
                             [{"field": "Content-Type", "message": f"unsupported media type {mt or 'none'!r}"}], 415)
    job_id = runner().submit(spec, _title(spec))
    remember_job(job_id)
    job = store().get_job(job_id)
    resp = jsonify(_job_json(job))
    resp.status_code = 202
    resp.headers["Location"] = url_for("packages_api.job_status", job_id=job_id)
    return resp


@api_bp.get("")
def list_jobs():
    """The jobs listed to this client (see :func:`visible_jobs`: all only when the server lists publicly)."""
    return jsonify({"jobs": [_job_json(j) for j in visible_jobs(50)]})


@api_bp.get("/<job_id>")
def job_status(job_id: str):
    return jsonify(_job_json(get_job_or_404(job_id)))


@api_bp.post("/<job_id>/cancel")
def job_cancel(job_id: str):
    """Cancel a queued or running job (a running build stops after its current package); 409 if it had ended."""
    job = get_job_or_404(job_id)
    if not runner().cancel(job.id):
        job = store().get_job(job.id)
        raise RequestProblem(f"the job is {job.state}: only a queued or running job can be cancelled",
                             [{"field": "id", "message": f"job state is {job.state}"}], 409)
    return jsonify(_job_json(store().get_job(job.id)))


@api_bp.post("/<job_id>/retry")
def job_retry(job_id: str):
    """Run a failed or cancelled job again from scratch → 202; 409 for a job in any other state."""
    job = get_job_or_404(job_id)
    runner().retry(job.id)
    resp = jsonify(_job_json(store().get_job(job.id)))
    resp.status_code = 202
    return resp


@api_bp.get("/<job_id>/zip")
def job_zip(job_id: str):
    job = get_job_or_404(job_id)
    return send_file(zip_path(job), mimetype="application/zip", as_attachment=True,
                     download_name=f"touroute-packages-{job.id[:8]}.zip")
