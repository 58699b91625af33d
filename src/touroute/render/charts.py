"""Charts (matplotlib, non-interactive Agg backend, so they work on servers without a display): the hub travel-time
heat map, the fair-benefit bars, the what-if change bars and the catalogue-coverage heat map. The data they draw is
computed in :mod:`touroute.analytics` and :mod:`touroute.quality`, which hold no drawing code."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analytics import AnalyticsError, FairnessReport, HubMatrix
from ..quality import QualityReport


def _save_figure(plt: Any, fig: Any, path: str | Path) -> Path:
    """Lay out, write (PNG at 110 dpi) and close a chart — every chart of this module ends this way."""
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _pyplot():
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - optional dependency
        raise AnalyticsError("charts need matplotlib: pip install matplotlib") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def hub_heatmap_png(hm: HubMatrix, path: str | Path) -> Path:
    """A heatmap of minutes (estimated cells hatched) written with matplotlib's Agg backend."""
    plt = _pyplot()
    ids = hm.ids
    mins = hm.matrix.seconds / 60.0
    n = len(ids)
    fig, ax = plt.subplots(figsize=(max(4.0, 0.6 * n + 2), max(3.5, 0.55 * n + 1.5)))
    im = ax.imshow(mins, cmap="viridis_r")
    ax.set_xticks(range(n), ids, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(n), ids, fontsize=7)
    src = hm.matrix.sources
    for i in range(n):
        for j in range(n):
            if i != j:
                mark = "*" if src[i, j] == "estimate" else ""
                ax.text(j, i, f"{mins[i, j]:.0f}{mark}", ha="center", va="center", fontsize=6, color="white")
    fig.colorbar(im, ax=ax, label="minutes / phút")
    if (src == "osm").any():  # routed on OpenStreetMap roads: credit them on the image itself
        fig.text(0.01, 0.005, "Road data © OpenStreetMap contributors (ODbL)", fontsize=6, color="#555")
    ax.set_title(f"Hub travel time ({hm.profile}) / Thời gian di chuyển giữa các trung tâm\n* = estimate / ước tính",
                 fontsize=8)
    return _save_figure(plt, fig, path)


def fairness_chart_png(rep: FairnessReport, path: str | Path) -> Path:
    """Bar chart: visit hours and nights per legacy province (matplotlib, Agg backend)."""
    plt = _pyplot()
    df = rep.legacy
    x = np.arange(len(df))
    fig, ax = plt.subplots(figsize=(9, 4.2))
    ax.bar(x - 0.2, df["visit_hours"], 0.4, label="visit hours / giờ tham quan")
    ax.bar(x + 0.2, df["nights"], 0.4, label="nights / đêm lưu trú")
    ax.set_xticks(x, df["province_legacy"], rotation=45, ha="right", fontsize=8)
    ax.set_title(f"Visitor time by province / Thời gian theo tỉnh — Gini {rep.gini:.2f}, HHI {rep.hhi:.2f}",
                 fontsize=9)
    ax.legend(fontsize=8)
    return _save_figure(plt, fig, path)


def compare_chart_png(change: pd.DataFrame, path: str | Path) -> Path:
    """Bars of the change in each province's share of visit hours (B − A, percentage points) from
    :func:`compare`'s frame, with the Gini/HHI change in the title: which provinces a scenario helps."""
    plt = _pyplot()
    rows = change[change["kind"] == "visit_share"]
    idx = change[change["kind"] == "index"].set_index("item")["change"]
    pts = rows["change"].to_numpy() * 100.0
    fig, ax = plt.subplots(figsize=(6.5, max(2.5, 0.32 * len(rows) + 1.2)))
    ax.barh(list(rows["item"]), pts, color=["#2e7d32" if v > 0 else "#c62828" for v in pts])
    ax.axvline(0, color="#555", lw=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("change in share of visit hours, points (B − A) / thay đổi tỷ trọng giờ tham quan, điểm %")
    ax.set_title(f"B − A: Gini {idx.get('gini', 0):+.3f}, HHI {idx.get('hhi', 0):+.3f}", fontsize=9)
    ax.tick_params(labelsize=7)
    return _save_figure(plt, fig, path)


def quality_chart_png(report: QualityReport) -> bytes:
    """A heat map of :meth:`shares` (provinces × fields), as PNG bytes."""
    plt = _pyplot()
    sh = report.shares()
    fig, ax = plt.subplots(figsize=(7.5, 0.42 * len(sh) + 1.6), dpi=110)
    data = np.ma.masked_invalid(sh.to_numpy(dtype=float))
    im = ax.imshow(data, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(sh.columns)), labels=list(sh.columns))
    ax.set_yticks(range(len(sh.index)), labels=list(sh.index))
    for (i, j), v in np.ndenumerate(sh.to_numpy(dtype=float)):
        ax.text(j, i, "—" if np.isnan(v) else f"{v * 100:.0f}%", ha="center", va="center", fontsize=8)
    ax.set_title("Catalogue coverage by legacy province (share of places with the fact)", fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.03)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
