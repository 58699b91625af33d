"""Saved plans on a real PostgreSQL server (``TOUROUTE_DB_URL``), started by the test on loopback.

Skips with a reason when Debian's PostgreSQL server binaries or the psycopg driver are not installed
(`.ci/apt-packages.txt` lists `postgresql`; the `test` extra installs psycopg).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

pytestmark = pytest.mark.server


def _pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return os.path.dirname(found[-1]) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url():
    pytest.importorskip("psycopg", reason="psycopg (PostgreSQL driver) not installed")
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not installed (Debian package postgresql)")
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: use the postgres system user
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    tmp = tempfile.mkdtemp(prefix="touroute-pg-")
    os.chmod(tmp, 0o777)
    data = os.path.join(tmp, "data")
    port = _free_port()
    run = lambda *cmd: subprocess.run([*as_postgres, *cmd], check=True, capture_output=True, text=True)  # noqa: E731
    run(f"{bindir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
    run(f"{bindir}/pg_ctl", "-D", data, "-l", os.path.join(tmp, "log"), "-w", "-o",
        f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1", "start")
    try:
        for _ in range(50):
            try:
                run(f"{bindir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "touroute")
                break
            except subprocess.CalledProcessError:
                time.sleep(0.2)
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/touroute"
    finally:
        subprocess.run([*as_postgres, f"{bindir}/pg_ctl", "-D", data, "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def test_plans_saved_and_shared_through_postgresql(pg_url, ctx, monkeypatch):
    from touroute.web import create_app

    monkeypatch.setenv("TOUROUTE_DB_URL", pg_url)  # the documented switch
    app = create_app({"SECRET_KEY": "test", "PLAN_SECONDS": 1.0, "TILES": None}, ctx=ctx)
    client = app.test_client()
    res = client.post("/api/plans", json={"start_date": "2026-12-07", "days": 1, "start": "qnam-hoi-an",
                                          "title": "Hội An <b>phố cổ</b>", "solver": {"time_limit_s": 1}})
    assert res.status_code == 201, res.get_json()
    slug = res.get_json()["id"]
    # a second app (another worker / a restart) reads it back from the same PostgreSQL database
    app2 = create_app({"SECRET_KEY": "test", "TILES": None, "PUBLIC_PLANS": True}, ctx=ctx)  # listing on
    got = app2.test_client().get(f"/api/plans/{slug}")
    assert got.status_code == 200 and got.get_json()["itinerary"]["feasible"]
    assert got.get_json()["title"] == "Hội An <b>phố cổ</b>"
    listing = app2.test_client().get("/api/plans").get_json()
    assert any(p["id"] == slug for p in (listing["plans"] if isinstance(listing, dict) else listing))
    import sqlalchemy

    eng = sqlalchemy.create_engine(pg_url)
    with eng.connect() as conn:
        assert conn.execute(sqlalchemy.text("select version()")).scalar().startswith("PostgreSQL")
    eng.dispose()
