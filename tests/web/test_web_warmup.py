"""Issue 16: a fresh server warms its caches at start-up in a background thread, without waiting for a request.

Real app, real planning context on a fresh data dir (no cached matrices), no mocks: the test only looks at what the
warm-up left behind — every vehicle's matrix in memory and on disk, the kernels loaded, ``/healthz`` saying so — and
never at timings (BENCHMARKS.md, *Issue 16: first plan on a fresh server*, has those).
"""

from __future__ import annotations

import pytest

from touroute.model import PROFILE_SEATS


@pytest.fixture()
def fresh_ctx(ctx, tmp_path):
    """The shared catalogue, no road network, and an empty data dir: nothing warm yet."""
    from touroute.matrix import TravelTimes
    from touroute.planner import PlanningContext

    return PlanningContext(catalogue=ctx.catalogue, router=TravelTimes([]), data_dir=str(tmp_path / "data"))


def _app(tmp_path, ctx, warmup: bool):
    from touroute.web import create_app

    return create_app({"DB_URL": f"sqlite:///{tmp_path / 'plans.sqlite3'}", "SECRET_KEY": "test", "TILES": None,
                       "JOBS_DIR": str(tmp_path / "jobs"), "WARMUP": warmup}, ctx=ctx)


def test_start_up_fills_the_caches_without_a_request(tmp_path, fresh_ctx):
    assert not any(fresh_ctx.has_matrix(p) for p in PROFILE_SEATS)
    app = _app(tmp_path, fresh_ctx, True)
    # create_app returned while the warm-up still runs in its thread: start-up is not blocked by it
    thread = app.extensions["touroute_warmup_thread"]
    assert thread.name == "touroute-warmup" and thread.daemon
    client = app.test_client()
    health = client.get("/healthz").get_json()  # pages are served during the warm-up
    assert health["ok"] and health["warmup"]["state"] in ("running", "done")
    thread.join(300)
    assert not thread.is_alive()
    assert all(fresh_ctx.has_matrix(p) for p in PROFILE_SEATS)  # every vehicle, no plan requested
    assert len(list((tmp_path / "data").rglob("*.npz"))) >= len(PROFILE_SEATS)  # and on disk for the next start
    from touroute.solve import ils

    assert ils._WARM  # the solver kernels are compiled / loaded
    health = client.get("/healthz").get_json()
    assert health["warm"] is True and health["warmup"]["state"] == "done" and health["warmup"]["seconds"] > 0


def test_warm_up_off_leaves_the_first_plan_to_build(tmp_path, fresh_ctx):
    app = _app(tmp_path, fresh_ctx, False)
    assert "touroute_warmup_thread" not in app.extensions
    health = app.test_client().get("/healthz").get_json()
    assert health["warm"] is True and health["warmup"]["state"] == "off"
    assert not any(fresh_ctx.has_matrix(p) for p in PROFILE_SEATS)
