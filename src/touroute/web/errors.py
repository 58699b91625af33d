"""Error handlers: every error is a clear 4xx (JSON under /api, a page elsewhere), never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .i18n import t
from .service import RequestProblem

log = logging.getLogger("touroute.web")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(RequestProblem)
    def _problem(exc: RequestProblem):
        if _wants_json():
            return jsonify(exc.as_json()), exc.status
        return render_template("error.html", code=exc.status, message=exc.message, fields=exc.fields), exc.status

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        msg = f"{t('csrf_failed')} ({exc.description})"
        if _wants_json():
            return jsonify({"error": msg, "fields": [{"field": "csrf_token", "message": exc.description}]}), 400
        return render_template("error.html", code=400, message=msg,
                               fields=[{"field": "csrf_token", "message": exc.description}]), 400

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = exc.code or 500
        if code == 413:
            msg = f"request body larger than {app.config['MAX_CONTENT_LENGTH']} bytes"
            field = "request"
        else:
            msg = exc.description or exc.name
            # what the client got wrong: the address (no such route), the method, or the request as a whole
            field = {404: "path", 405: "method", 414: "path", 431: "headers"}.get(code, "request")
        if _wants_json():
            body = {"error": msg, "fields": [{"field": field, "message": exc.name if code != 413 else msg}]}
            resp = jsonify(body)
            if code == 405 and exc.get_response().headers.get("Allow"):
                resp.headers["Allow"] = exc.get_response().headers["Allow"]
            return resp, code
        title = {404: t("page_not_found"), 413: t("request_too_large")}.get(code, t("bad_request"))
        return render_template("error.html", code=code, message=f"{title}: {msg}", fields=[]), code

    @app.errorhandler(RecursionError)
    def _too_deep(exc: RecursionError):
        # a body nested deeper than check_nesting's scan caught (e.g. YAML block nesting): the input's fault
        msg = "the body is nested too deeply to read"
        log.warning("%s on %s %s", msg, request.method, request.path)
        if _wants_json():
            return jsonify({"error": msg, "fields": [{"field": "request", "message": msg}]}), 400
        return render_template("error.html", code=400, message=msg,
                               fields=[{"field": "request", "message": msg}]), 400

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        if _wants_json():
            return jsonify({"error": "internal error; the request was logged"}), 500
        return render_template("error.html", code=500, message=t("server_error"), fields=[]), 500
