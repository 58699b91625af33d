"""Package jobs on the Redis queue (issue 16): a real ``redis-server`` on a free loopback port, real ``touroute
worker`` processes, the web app's HTTP endpoints (Flask test client) submitting to them — progress, cancel, retry,
the zip built by a worker and served by the app, and a worker SIGKILLed mid-job whose job another worker finishes.

Everything the machines of a deployment share is shared here too: Redis, one SQLite database file (WAL, several
processes), one jobs folder. Workers run with a 3-second lease so a lost worker is noticed in seconds.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import touroute
from tests.server_process import free_port

pytestmark = pytest.mark.slow

REDIS_SERVER = shutil.which("redis-server")
ROOT = Path(__file__).resolve().parents[2]
LEASE_S = 3

SPEC = """\
start_date: 2026-03-02
languages: [en]
group_size: 8
solver_seconds: 30   # capped by TOUROUTE_JOB_SECONDS=1
packages:
  - id: hue-heritage-2d1n
    title_vi: "Huế – Di sản"
    title_en: "Huế heritage"
    length: 2D1N
    theme: heritage
    start: hue-hub-hue-city
    provinces: [Thừa Thiên Huế]
  - id: danang-coastal-2d1n
    title_vi: "Đà Nẵng biển"
    title_en: "Đà Nẵng coast"
    length: 2D1N
    theme: coastal
    start: dn-city-centre
    provinces: [Đà Nẵng]
"""
THIRD = """\
  - id: hoian-culture-2d1n
    title_vi: "Hội An"
    title_en: "Hội An culture"
    length: 2D1N
    theme: heritage
    start: dn-city-centre
    provinces: [Quảng Nam]
"""
IDS = ["hue-heritage-2d1n", "danang-coastal-2d1n"]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A throw-away redis-server (no persistence) on 127.0.0.1, stopped after the module."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (Debian package redis-server, listed in .ci/apt-packages.txt)")
    pytest.importorskip("rq", reason="rq is not installed (pip install 'touroute[queue]')")
    from redis import Redis

    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    log = open(folder / "redis.log", "wb")
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", str(folder)], stdout=log, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            Redis.from_url(url).ping()
            break
        except Exception:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise AssertionError("redis-server did not start: " + (folder / "redis.log").read_text())
            time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(10)
    log.close()


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """The database, jobs folder and data folder every process of this module shares."""
    d = tmp_path_factory.mktemp("queue")
    return {"db": f"sqlite:///{d / 'plans.sqlite3'}", "jobs": d / "jobs", "data": d / "data", "logs": d}


def worker_env(redis_url: str, shared: dict, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOUROUTE_")}
    env.update({"TOUROUTE_REDIS_URL": redis_url, "TOUROUTE_DB_URL": shared["db"],
                "TOUROUTE_JOBS_DIR": str(shared["jobs"]), "TOUROUTE_DATA_DIR": str(shared["data"]),
                "TOUROUTE_JOB_SECONDS": "1", "TOUROUTE_JOB_LEASE_SECONDS": str(LEASE_S), "TOUROUTE_JOB_PDF": "0",
                "TOUROUTE_TILES": "none", "TOUROUTE_SECRET_KEY": "test", "TOUROUTE_MAX_JOB_PACKAGES": "3",
                # the workers run the very touroute this test imports (installed, or a source tree on PYTHONPATH)
                "PYTHONPATH": os.pathsep.join([str(Path(touroute.__file__).resolve().parents[1]),
                                               env.get("PYTHONPATH", "")])})
    env.update(extra)
    return env


class Workers:
    """``touroute worker`` processes by name (each in its own session, so a kill reaches nothing else)."""

    def __init__(self, redis_url: str, shared: dict) -> None:
        self.redis_url, self.shared = redis_url, shared
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, *names: str) -> None:
        for name in names:
            log = open(self.shared["logs"] / f"worker-{name}.log", "ab")
            self.procs[name] = subprocess.Popen(
                [sys.executable, "-m", "touroute", "worker", "--name", name],
                env=worker_env(self.redis_url, self.shared), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=str(ROOT))
        from redis import Redis
        from rq import Worker

        conn = Redis.from_url(self.redis_url)
        deadline = time.monotonic() + 60
        while {w.name for w in Worker.all(connection=conn)} < set(names):
            for name in names:
                assert self.procs[name].poll() is None, self.log(name)
            assert time.monotonic() < deadline, "workers did not register with Redis"
            time.sleep(0.2)

    def log(self, name: str) -> str:
        return (self.shared["logs"] / f"worker-{name}.log").read_text(errors="replace")[-3000:]

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(10)

    def stop_all(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                p.terminate()
        for p in self.procs.values():
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)


@pytest.fixture(scope="module")
def workers(redis_url, shared):
    w = Workers(redis_url, shared)
    w.start("w1", "w2")
    yield w
    w.stop_all()


@pytest.fixture(scope="module")
def app(ctx, redis_url, shared):
    from touroute.web import create_app

    return create_app({"DB_URL": shared["db"], "SECRET_KEY": "test", "TILES": None, "JOBS_DIR": str(shared["jobs"]),
                       "JOB_SOLVER_SECONDS": 1.0, "MAX_JOB_PACKAGES": 3, "JOB_PDF": False, "REDIS_URL": redis_url,
                       "JOB_LEASE_SECONDS": LEASE_S}, ctx=ctx)


@pytest.fixture()
def client(app):
    return app.test_client()


def post_spec(client, text: str = SPEC) -> str:
    res = client.post("/api/package-jobs", data=text.encode(), content_type="application/yaml")
    assert res.status_code == 202, res.get_json()
    return res.get_json()["id"]


def wait_for(client, job_id: str, until, timeout: float = 25.0) -> tuple[dict, list[dict]]:
    seen: list[dict] = []
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        body = client.get(f"/api/package-jobs/{job_id}").get_json()
        seen.append(body)
        if until(body):
            return body, seen
        time.sleep(0.1)
    raise AssertionError(f"job {job_id}: condition not met after {timeout} s; last {seen[-1]}")


def owner(app, job_id: str) -> str:
    return app.extensions["touroute_store"].get_job(job_id).owner


def spec_json() -> dict:
    import yaml

    return json.loads(json.dumps(yaml.safe_load(SPEC), default=str))  # the date as ISO text, as JSON clients send it


def check_zip(data: bytes, ids: list[str]) -> None:
    zf = zipfile.ZipFile(io.BytesIO(data))
    index = json.loads(zf.read("index.json"))
    assert [p["id"] for p in index["packages"]] == ids
    for pid in ids:
        it = json.loads(zf.read(f"{pid}/itinerary.json"))
        assert it["feasible"] and len(it["days"]) == 2
        assert it["request"]["solver"]["time_limit_s"] == 1.0  # the worker applied the server's cap


# --------------------------------------------------------------------------------------------------------------
def test_web_submits_worker_builds_zip_downloads(client, app, workers):
    """The HTML flow end to end: form post → 303 to the job page → a worker builds it with progress → the page's
    download link serves the worker's zip."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/packages/").get_data(as_text=True))
    res = client.post("/packages/", data={"csrf_token": m.group(1), "spec_text": SPEC, "action": "build"})
    assert res.status_code == 303
    jid = res.headers["Location"].rsplit("/", 1)[1]
    final, seen = wait_for(client, jid, lambda b: b["state"] in ("done", "failed", "cancelled"))
    assert final["state"] == "done", final["message"]
    assert re.match(r"queue:w[12]#1\.", owner(app, jid))  # built by a worker, not by the web process
    states = [b["state"] for b in seen]
    assert "running" in states and states[-1] == "done"
    dones = [b["done"] for b in seen]
    assert dones == sorted(dones) and dones[-1] == 2 and final["total"] == 2
    assert [r["id"] for r in final["results"]] == IDS and all(r["feasible"] for r in final["results"])
    page = client.get(f"/packages/jobs/{jid}").get_data(as_text=True)
    link = re.search(r'id="job-zip" href="([^"]+)"', page).group(1)
    res = client.get(link)
    assert res.status_code == 200 and res.mimetype == "application/zip"
    check_zip(res.data, IDS)


def test_progress_is_visible_while_running(client, app, workers):
    jid = post_spec(client, SPEC + THIRD)
    mid, _ = wait_for(client, jid, lambda b: b["state"] == "running" and b["done"] >= 1)
    assert 1 <= mid["done"] < 3 and mid["current"] in ("danang-coastal-2d1n", "hoian-culture-2d1n")
    assert [r["id"] for r in mid["results"]][:1] == ["hue-heritage-2d1n"]
    final, _ = wait_for(client, jid, lambda b: b["state"] in ("done", "failed"))
    assert final["state"] == "done" and final["done"] == 3


def test_cancel_then_retry(client, app, workers):
    jid = post_spec(client, SPEC + THIRD)
    wait_for(client, jid, lambda b: b["state"] == "running")
    res = client.post(f"/api/package-jobs/{jid}/cancel")
    assert res.status_code == 200 and res.get_json()["state"] == "cancelled"
    time.sleep(4)  # the worker stops at its next package boundary and must not overwrite the cancel
    body = client.get(f"/api/package-jobs/{jid}").get_json()
    assert body["state"] == "cancelled" and body["done"] < 3, body
    assert client.get(f"/api/package-jobs/{jid}/zip").status_code == 409
    assert client.post(f"/api/package-jobs/{jid}/cancel").status_code == 409  # already over
    # both workers are free again and a retry runs the whole job from scratch
    res = client.post(f"/api/package-jobs/{jid}/retry")
    # a free worker may take it before the answer is written: queued or already running, but from the start
    assert res.status_code == 202 and res.get_json()["state"] in ("queued", "running"), res.get_json()
    assert res.get_json()["done"] == 0, res.get_json()
    final, _ = wait_for(client, jid, lambda b: b["state"] in ("done", "failed", "cancelled"))
    assert final["state"] == "done" and final["done"] == 3 and final["message"] is None
    check_zip(client.get(f"/api/package-jobs/{jid}/zip").data, [*IDS, "hoian-culture-2d1n"])
    res = client.post(f"/api/package-jobs/{jid}/retry")  # a done job does not run again
    assert res.status_code == 409 and res.get_json()["fields"][0]["field"] == "id"


def test_cancel_a_queued_job_takes_it_off_the_queue(client, app, workers):
    """Three jobs for two workers: the third waits; cancelling it means no worker ever starts it."""
    first, second = post_spec(client), post_spec(client)
    third = post_spec(client)
    assert client.post(f"/api/package-jobs/{third}/cancel").status_code == 200
    from redis import Redis
    from rq.job import Job

    assert Job.fetch(third, connection=Redis.from_url(app.config["REDIS_URL"])).get_status() == "canceled"
    for jid in (first, second):
        assert wait_for(client, jid, lambda b: b["state"] in ("done", "failed"))[0]["state"] == "done"
    time.sleep(1)
    job = app.extensions["touroute_store"].get_job(third)
    assert job.state == "cancelled" and job.n_done == 0 and not job.owner.startswith("queue:w")


def test_batch_whatif_runs_on_a_worker(client, app, workers):
    """A batch what-if (every package planned today and under a bundled road scenario) as a queue job: progress
    per package, and the zip's report agrees with the job's rows."""

    body = {"spec": spec_json(), "scenario": "hue-ql49-upgrade", "must_cover": []}
    res = client.post("/api/whatif-jobs", json=body)
    assert res.status_code == 202, res.get_json()
    jid = res.get_json()["id"]
    assert res.get_json()["kind"] == "whatif"
    final, seen = wait_for(client, jid, lambda b: b["state"] in ("done", "failed", "cancelled"))
    assert final["state"] == "done", final["message"]
    assert re.match(r"queue:w[12]#1\.", owner(app, jid))
    assert final["done"] == 2 and [r["plan"] for r in final["results"]] == IDS
    zf = zipfile.ZipFile(io.BytesIO(client.get(f"/api/package-jobs/{jid}/zip").data))
    assert {"whatif.json", "hubs.csv", "plans.csv", "fairness.csv"} <= set(zf.namelist())
    report = json.loads(zf.read("whatif.json"))
    assert report["scenario"]["name"] and [p["plan"] for p in report["plans"]] == IDS
    assert report["plans"] == final["results"]
    html = client.get(f"/packages/jobs/{jid}?lang=en").get_data(as_text=True)
    assert "A: today, B: the scenario" in html and "hue-heritage-2d1n" in html


def test_whatif_bad_input_names_the_field(client):
    spec = spec_json()
    cases = [({"spec": spec, "scenario": "../../etc/passwd"}, "scenario"),
             ({"spec": spec}, "scenario"),
             ({"spec": spec, "must_cover": ["Atlantis"]}, "must_cover.0"),
             ({"spec": {**spec, "packages": [{**spec["packages"][0], "theme": "x"}]}, "scenario": "hue-ql49-upgrade"},
              "spec.packages[0].theme"),
             ({"spec": spec, "scenario": "hue-ql49-upgrade", "extra": 1}, "extra")]
    for body, field in cases:
        res = client.post("/api/whatif-jobs", json=body)
        assert res.status_code == 422, (body, res.get_json())
        assert field in [f["field"] for f in res.get_json()["fields"]], res.get_json()
    assert client.post("/api/whatif-jobs", data="x", content_type="text/plain").status_code == 415


def test_long_plan_runs_on_a_worker_and_is_saved(client, app, workers):
    req = {"start": "qnam-hoi-an", "end": "dn-city-centre", "start_date": "2026-12-07", "days": 2,
           "solver": {"time_limit_s": 2.0}, "title": "Hội An <dài>"}
    assert client.post("/api/plan-jobs", json={**req, "solver": {"time_limit_s": 121}}).get_json()["fields"][0][
        "field"] == "solver.time_limit_s"
    res = client.post("/api/plan-jobs", json=req)
    assert res.status_code == 202 and res.get_json()["kind"] == "plan"
    jid = res.get_json()["id"]
    final, _ = wait_for(client, jid, lambda b: b["state"] in ("done", "failed", "cancelled"))
    assert final["state"] == "done", final["message"]
    assert re.match(r"queue:w[12]#1\.", owner(app, jid))
    slug = final["results"][0]["plan"]
    assert final["plan_url"].endswith(f"/p/{slug}")
    assert client.get(final["plan_url"]).status_code == 200
    saved = client.get(f"/api/plans/{slug}").get_json()
    assert saved["title"] == "Hội An <dài>" and saved["itinerary"]["feasible"]
    assert saved["request"]["solver"]["time_limit_s"] == 2.0
    it = json.loads(zipfile.ZipFile(io.BytesIO(client.get(f"/api/package-jobs/{jid}/zip").data))
                    .read("itinerary.json"))
    assert it == saved["itinerary"]
    html = client.get(f"/packages/jobs/{jid}").get_data(as_text=True)
    assert f'id="job-plan" href="/p/{slug}"' in html and "Hội An &lt;dài&gt;" in html


def test_the_reaper_requeues_lost_jobs_once_and_gives_up_after_the_last_attempt(ctx, redis_url, tmp_path):
    """The lease rules on their own (real Redis, real SQLite): a running job with no lease and no write for a lease
    period is re-queued as its next attempt — by exactly one of two reapers racing — or failed after the last
    attempt; a job whose lease is alive, or that wrote recently, is left alone; a queued row Redis forgot is
    enqueued again."""
    import threading
    from datetime import datetime, timedelta, timezone

    from redis import Redis
    from rq.job import Job
    from sqlalchemy import update

    from touroute.web import create_app
    from touroute.web.db import PackageJob
    from touroute.web.queue import LEASE_KEY, reap_lost_jobs

    app = create_app({"DB_URL": f"sqlite:///{tmp_path / 'r.sqlite3'}", "SECRET_KEY": "t", "TILES": None,
                      "JOBS_DIR": str(tmp_path / "jobs"), "REDIS_URL": redis_url, "JOB_LEASE_SECONDS": LEASE_S,
                      "JOB_ATTEMPTS": 2}, ctx=ctx)
    st = app.extensions["touroute_store"]
    conn = Redis.from_url(redis_url)
    rows = {name: st.create_job(name, "{}", 1, owner).id for name, owner in [
        ("lost", "queue:gone#1.aaaaaa"), ("last", "queue:gone#2.bbbbbb"), ("alive", "queue:busy#1.cccccc"),
        ("fresh", "queue:new#1.dddddd"), ("forgotten", "queue:queued#1")]}
    old = datetime.now(timezone.utc) - timedelta(hours=1)
    with st.sessions() as s, s.begin():
        for name, jid in rows.items():
            s.execute(update(PackageJob).where(PackageJob.id == jid).values(
                state="queued" if name == "forgotten" else "running", updated_at=old if name != "fresh" else
                datetime.now(timezone.utc)))
    conn.set(LEASE_KEY.format(rows["alive"]), "busy", ex=60)
    acted: list[str] = []
    racers = [threading.Thread(target=lambda: acted.extend(reap_lost_jobs(app, conn))) for _ in range(2)]
    for t in racers:
        t.start()
    for t in racers:
        t.join()
    assert sorted(acted) == sorted([rows["lost"], rows["last"], rows["forgotten"]])  # each exactly once
    lost = st.get_job(rows["lost"])
    assert lost.state == "queued" and lost.owner == "queue:queued#2" and "re-queued: worker gone" in lost.message
    assert Job.fetch(rows["lost"], connection=conn).args == (rows["lost"], 2)
    last = st.get_job(rows["last"])
    assert last.state == "failed" and "stopped 2 times" in last.message
    assert Job.fetch(rows["forgotten"], connection=conn).args == (rows["forgotten"], 1)
    assert st.get_job(rows["alive"]).state == "running" and st.get_job(rows["fresh"]).state == "running"
    for jid in rows.values():  # tidy: the module's workers share this Redis
        st.update_job(jid, state="cancelled")
        conn.delete(LEASE_KEY.format(jid))


def test_unreachable_redis_is_a_503_naming_the_queue(ctx, shared):
    from touroute.web import create_app

    app = create_app({"DB_URL": shared["db"], "SECRET_KEY": "t", "TILES": None, "JOBS_DIR": str(shared["jobs"]),
                      "JOB_SOLVER_SECONDS": 1.0, "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}, ctx=ctx)
    res = app.test_client().post("/api/package-jobs", data=SPEC.encode(), content_type="application/yaml")
    assert res.status_code == 503 and res.get_json()["fields"][0]["field"] == "queue"
    assert "Traceback" not in res.get_data(as_text=True)


def test_worker_without_redis_stops_with_a_clear_error(shared, tmp_path):
    env = worker_env("", shared)
    env.pop("TOUROUTE_REDIS_URL")
    out = subprocess.run([sys.executable, "-m", "touroute", "worker"], env=env, capture_output=True, text=True,
                         timeout=60, cwd=str(ROOT))
    assert out.returncode == 2 and "TOUROUTE_REDIS_URL" in out.stderr and "Traceback" not in out.stderr


def test_a_killed_worker_s_job_finishes_on_another(client, app, workers):
    """SIGKILL the worker running a job: its lease runs out, another worker re-queues the job and builds it
    from scratch; the result is complete and correct. (Last in the module: it kills one of the shared workers.)"""
    jid = post_spec(client, SPEC + THIRD)
    wait_for(client, jid, lambda b: b["state"] == "running")
    first = owner(app, jid)
    victim = re.match(r"queue:(w[12])#1\.", first).group(1)
    survivor = {"w1": "w2", "w2": "w1"}[victim]
    workers.kill(victim)
    t_kill = time.monotonic()
    final, _ = wait_for(client, jid, lambda b: b["state"] in ("done", "failed", "cancelled"), timeout=28)
    assert final["state"] == "done", (final, workers.log(survivor))
    assert re.match(rf"queue:{survivor}#2\.", owner(app, jid))  # attempt 2, on the other worker
    assert f"re-queued: worker {victim} stopped (attempt 2 of 3)" in final["message"]  # the job says what happened
    assert final["done"] == 3 and [r["id"] for r in final["results"]] == [*IDS, "hoian-culture-2d1n"]
    check_zip(client.get(f"/api/package-jobs/{jid}/zip").data, [*IDS, "hoian-culture-2d1n"])
    assert time.monotonic() - t_kill < 28
