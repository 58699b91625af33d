"""The soundness benchmark's CI share: 200 of ``benchmarks/bench_soundness.py``'s own random requests.

In a file of its own so that ``pytest -n 2 --dist loadfile`` runs it beside the other corner tests
(``test_plan_corners.py``) instead of after them on the same worker: together they were one worker's last seven
minutes of the suite.
"""

from __future__ import annotations

import json

import pytest

from .test_plan_corners import bench_module


@pytest.mark.slow
def test_soundness_benchmark_ci_share():
    """A few hundred of the benchmark's own requests (short limits; a fifth the web's way, the tail under load):
    zero failures, and enough of them feasible that the plans — not only the explanations — are exercised."""
    bench = bench_module()
    rows = bench.run(seed=11, count=200, limits="quick", deadline_share=0.2, load_share=0.05, verbose=False)
    bad = [r for r in rows if r["kind"] in ("internal", "verify", "check", "exception", "unexplained")]
    assert not bad, "\n".join(f"#{r['k']} {r['kind']}: {r['reason']} {json.dumps(r['body'], ensure_ascii=False)}"
                              for r in bad)
    assert sum(r["kind"] == "feasible" for r in rows) >= 60
