"""Per-process caches of computed read responses.

Why caching is safe here: a saved plan never changes (an edit saves a *new* plan with a new slug), the catalogue
and the road networks are loaded once per process, so a rendered map, an export or a catalogue search answer is a
pure function of its URL and language. Under load (see BENCHMARKS.md, *Load*) the CPU goes to solves; answering
repeated reads from memory keeps their latency low. Each worker process has its own cache (nothing to invalidate
across processes, since nothing cached can change).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request


def weigh(value: Any) -> int:
    """Approximate bytes a cached value holds (answers are bytes/str; a parsed saved plan is weighed by its JSON,
    about a third of what the parsed objects take)."""
    if isinstance(value, (bytes, str)):
        return len(value)
    if isinstance(value, (tuple, list)):
        return sum(weigh(v) for v in value) + 64
    text = getattr(value, "itinerary_json", None)
    if isinstance(text, str):
        return 3 * (len(text) + len(getattr(value, "request_json", "") or ""))
    if isinstance(value, dict):
        return sum(weigh(v) for v in value.values()) + 64
    return 4096


class LRUCache:
    """A small thread-safe LRU of computed values, bounded by entries and by (approximate) bytes.

    The value is computed outside the lock: a slow computation (a hub matrix, a folium map) must not block reads
    of other keys; two threads missing the same key at once both compute it, which is harmless for pure values.
    The byte bound keeps a worker's memory in check when clients vary queries at will (``q``, ``limit`` …)."""

    def __init__(self, size: int, max_bytes: int | None = None) -> None:
        self.size = max(1, size)
        self.max_bytes = max_bytes
        self.data: OrderedDict[tuple, Any] = OrderedDict()
        self.weights: dict[tuple, int] = {}
        self.bytes = 0
        self.lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_make(self, key: tuple, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                self.hits += 1
                return self.data[key]
            self.misses += 1
        value = make()
        w = weigh(value) if self.max_bytes else 0
        if self.max_bytes and w > self.max_bytes // 4:
            return value  # one huge answer must not flush the cache: serve it uncached
        with self.lock:
            if key in self.data:
                self.bytes -= self.weights.get(key, 0)
            self.data[key] = value
            self.weights[key] = w
            self.bytes += w
            self.data.move_to_end(key)
            while len(self.data) > self.size or (self.max_bytes and self.bytes > self.max_bytes):
                old, _ = self.data.popitem(last=False)
                self.bytes -= self.weights.pop(old, 0)
        return value


def init_app(app: Flask) -> None:
    app.extensions["touroute_read_cache"] = LRUCache(int(app.config.get("READ_CACHE_SIZE", 512)),
                                                     int(float(app.config.get("READ_CACHE_MB", 64)) * 1024 * 1024))


def read_cache(app: Flask | None = None) -> LRUCache:
    return (app or current_app).extensions["touroute_read_cache"]


def immutable(resp: Response, *, max_age: int = 3600) -> Response:
    """Mark the answer of an immutable resource cacheable by the browser, with an ETag so a revalidation is a
    304 without a body. ``private``: a plan's link is its only secret, so shared caches should not keep it."""
    if resp.status_code == 200:
        resp.set_etag(hashlib.sha1(resp.get_data()).hexdigest()[:20])
        resp.headers["Cache-Control"] = f"private, max-age={max_age}"
        resp.make_conditional(request)
    return resp
