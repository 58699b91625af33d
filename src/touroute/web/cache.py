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


class LRUCache:
    """A small thread-safe LRU of computed values.

    The value is computed outside the lock: a slow computation (a hub matrix, a folium map) must not block reads
    of other keys; two threads missing the same key at once both compute it, which is harmless for pure values."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self.data: OrderedDict[tuple, Any] = OrderedDict()
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
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)
        return value


def init_app(app: Flask) -> None:
    app.extensions["touroute_read_cache"] = LRUCache(int(app.config.get("READ_CACHE_SIZE", 512)))


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
