"""The offline base map as one static, cacheable resource: ``GET /basemap/<version>.json``.

Why a separate resource: the base map (provinces before and since 2025, land, towns; :mod:`touroute.render.basemap`)
is ≈ 0.36 MB of GeoJSON, the same for every plan. Inlined, it would be in every map page (and in the read cache once
per plan and language); fetched, the browser downloads it once and keeps it. The version in the URL is a hash of the
content, so the answer never changes for a URL: ``Cache-Control: public, max-age=1 year, immutable``, and it is
gzipped once (≈ 0.1 MB on the wire) for every client that accepts it.
"""

from __future__ import annotations

import gzip
import hashlib
import threading

from flask import Blueprint, Flask, Response, current_app, jsonify, request, url_for

bp = Blueprint("basemap", __name__)
_LOCK = threading.Lock()
ONE_YEAR = 365 * 86400


def _payload(app: Flask | None = None) -> tuple[bytes, str]:
    """(JSON bytes, version) of this app's base map, built once per process (the geometry itself is cached in the
    data dir, so a new worker only reads it and adds the catalogue's towns)."""
    app = app or current_app
    cache = app.extensions.setdefault("touroute_basemap", {})
    if "body" not in cache:
        with _LOCK:
            if "body" not in cache:
                from ..render.basemap import basemap_json
                from . import planning_context

                ctx = planning_context(app)
                data_dir = getattr(ctx, "data_dir", None)
                body = basemap_json(ctx.catalogue, str(data_dir) if data_dir else None).encode("utf-8")
                cache["version"] = hashlib.sha256(body).hexdigest()[:16]
                cache["gzip"] = gzip.compress(body, compresslevel=9, mtime=0)  # ≈ 0.33 MB → ≈ 0.1 MB, once
                cache["body"] = body
    return cache["body"], cache["version"]


def basemap_url() -> str:
    """The versioned URL of the base map, for the map page to fetch."""
    return url_for("basemap.data", version=_payload()[1])


@bp.get("/basemap/<version>.json")
def data(version: str):
    body, current = _payload()
    if version != current:
        resp = jsonify(error="unknown base-map version (the server's base map changed: reload the map)",
                       fields=[{"field": "version", "message": f"the current version is {current}"}])
        resp.status_code = 404
        resp.headers["Cache-Control"] = "no-store"
        return resp
    zipped = "gzip" in request.headers.get("Accept-Encoding", "")
    resp = Response(current_app.extensions["touroute_basemap"]["gzip"] if zipped else body,
                    mimetype="application/json")
    if zipped:
        resp.headers["Content-Encoding"] = "gzip"
    resp.headers["Vary"] = "Accept-Encoding"
    resp.set_etag(current + ("-gz" if zipped else ""))
    resp.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return resp.make_conditional(request)


def init_app(app: Flask) -> None:
    """Register the route; a production start-up (``WARMUP``) builds the base map before the first request."""
    app.register_blueprint(bp)
    if app.config.get("WARMUP"):
        try:
            _payload(app)
        except Exception:  # the base map is decoration: a broken one must not stop the server
            app.logger.exception("base map could not be built at start-up")
