"""Locust users of the touroute web app, for ``benchmarks/bench_load.py`` (which starts the server and seeds plans).

A user browses the catalogue (place search as they type, the form page), reads saved plans (API JSON, result page,
map, exports) and now and then plans a trip (~6 % of requests, short solver limits). The ids of the seeded saved
plans come in ``TOUROUTE_LOAD_SLUGS`` (a JSON file). A 503 "planner busy" answer to a plan is the server's load
shedding working as designed: it is reported as its own request class, not as a failure.
"""

from __future__ import annotations

import json
import os
import random
import re

from locust import HttpUser, between, task

SLUGS: list[str] = json.loads(open(os.environ["TOUROUTE_LOAD_SLUGS"]).read()) if os.environ.get(
    "TOUROUTE_LOAD_SLUGS") else []
PLAN_SECONDS = float(os.environ.get("TOUROUTE_LOAD_PLAN_SECONDS", "0.5"))
QUERIES = ["hoi an", "hội an", "hue", "huế", "da nang", "my son", "quy nhon", "nha trang", "bien", "chua", "thap",
           "cham", "bai", "dao", "pho co", "cau", "ba na", "lang", "song", "nui"]
STARTS = ["qnam-hoi-an", "hue-hub-hue-city", "dn-city-centre", "kh-hub-nha-trang"]
ENDS = ["dn-city-centre", "qnam-hoi-an", "hue-hub-hue-city", None]
FORMATS = ["geojson", "gpx", "ics", "csv"]
_BASEMAP_URL = re.compile(r"/basemap/[^\"\\/]+\.json")


class Visitor(HttpUser):
    wait_time = between(0.5, 1.5)

    def _slug(self) -> str:
        return random.choice(SLUGS)

    @task(30)
    def search_places(self) -> None:
        q = random.choice(QUERIES)
        self.client.get(f"/api/pois?q={q[: random.randint(2, len(q))]}&limit=10", name="GET /api/pois?q=")

    @task(6)
    def form_page(self) -> None:
        self.client.get("/", name="GET /")

    @task(20)
    def plan_json(self) -> None:
        self.client.get(f"/api/plans/{self._slug()}", name="GET /api/plans/<id>")

    @task(15)
    def result_page(self) -> None:
        self.client.get(f"/p/{self._slug()}", name="GET /p/<id>")

    @task(8)
    def result_map(self) -> None:
        r = self.client.get(f"/p/{self._slug()}/map", name="GET /p/<id>/map")
        # a first-time visitor's browser then fetches the offline base map (one immutable resource, cached after)
        m = _BASEMAP_URL.search(r.text or "")
        if m and random.random() < 0.25:
            self.client.get(m.group(0), name="GET /basemap/<version>.json",
                            headers={"Accept-Encoding": "gzip"})

    @task(8)
    def export(self) -> None:
        self.client.get(f"/api/plans/{self._slug()}/export.{random.choice(FORMATS)}", name="GET /api/plans/<id>/export")

    @task(3)
    def list_plans(self) -> None:
        self.client.get("/api/plans?limit=20", name="GET /api/plans")

    @task(6)
    def new_plan(self) -> None:
        k = random.randrange(len(STARTS))
        body = {"start": STARTS[k], "start_date": "2026-12-07", "days": random.choice([1, 2, 2, 3]),
                "solver": {"time_limit_s": PLAN_SECONDS, "seed": random.randint(0, 99)}}
        if ENDS[k]:
            body["end"] = ENDS[k]
        with self.client.post("/api/plans", json=body, name="POST /api/plans", catch_response=True) as res:
            if res.status_code == 201:
                res.success()
            elif res.status_code == 503 and res.headers.get("Retry-After"):
                res.success()
                self.environment.events.request.fire(
                    request_type="SHED", name="POST /api/plans (503 busy)", response_time=res.elapsed.total_seconds() * 1000,
                    response_length=0, exception=None, context={})
            else:
                res.failure(f"{res.status_code}: {res.text[:200]}")
