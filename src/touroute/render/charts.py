"""Charts (matplotlib, non-interactive Agg backend, so they work on servers without a display): the hub travel-time
heat map, the fair-benefit bars, the what-if change bars and the catalogue-coverage heat map. The data they draw is
computed in :mod:`touroute.analytics` and :mod:`touroute.quality`, which hold no drawing code.

Every chart takes the reader's language (``lang``: ``vi`` or ``en``) and labels places and fields by their names in
it, from the one message catalogue (:mod:`touroute.messages`) — a department reads "Hội An", not
``qnam-hoi-an``."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analytics import AnalyticsError, FairnessReport, HubMatrix
from ..messages import text
from ..quality import FIELDS, QualityReport


def axis_labels(fig: Any) -> list[str]:
    """The tick labels of every axis of ``fig`` (x then y, per axes), in drawing order."""
    out: list[str] = []
    for ax in fig.axes:
        for tick in (*ax.get_xticklabels(), *ax.get_yticklabels()):
            label = tick.get_text()
            if label and label not in out:
                out.append(label)
    return out


def _metadata(fig: Any) -> dict[str, str]:
    """PNG text chunks: the chart's title and its axis labels (``Description``), so a screen reader, a search or
    a test can read what the image names without OCR."""
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    return {"Title": " | ".join(titles), "Description": "; ".join(axis_labels(fig)), "Software": "touroute"}


def _save_figure(plt: Any, fig: Any, path: str | Path) -> Path:
    """Lay out, write (PNG at 110 dpi, with :func:`_metadata`) and close a chart — every chart of this module
    ends this way."""
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110, metadata=_metadata(fig))
    plt.close(fig)
    return out


def png_text(data: bytes | str | Path) -> dict[str, str]:
    """The text chunks of a PNG written here (``Title``, ``Description`` …): bytes or a file path."""
    from PIL import Image

    src = io.BytesIO(data) if isinstance(data, bytes) else Path(data)
    with Image.open(src) as img:
        img.load()
        return {str(k): str(v) for k, v in (getattr(img, "text", None) or img.info).items() if isinstance(v, str)}


def _pyplot():
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - optional dependency
        raise AnalyticsError("charts need matplotlib: pip install matplotlib") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def hub_heatmap_png(hm: HubMatrix, path: str | Path, lang: str = "en") -> Path:
    """A heatmap of minutes between the hubs, axes named in ``lang`` (estimated cells marked ``*``), written with
    matplotlib's Agg backend."""
    plt = _pyplot()
    ids = hm.ids
    labels = [hm.label(i, lang) for i in ids]
    mins = hm.matrix.seconds / 60.0
    n = len(ids)
    fig, ax = plt.subplots(figsize=(max(4.5, 0.7 * n + 2.5), max(3.8, 0.6 * n + 2)))
    im = ax.imshow(mins, cmap="viridis_r")
    ax.set_xticks(range(n), labels, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(n), labels, fontsize=7)
    src = hm.matrix.sources
    for i in range(n):
        for j in range(n):
            if i != j:
                mark = "*" if src[i, j] == "estimate" else ""
                ax.text(j, i, f"{mins[i, j]:.0f}{mark}", ha="center", va="center", fontsize=6, color="white")
    fig.colorbar(im, ax=ax, label=text("an_chart_minutes", lang))
    if (src == "osm").any():  # routed on OpenStreetMap roads: credit them on the image itself
        fig.text(0.01, 0.005, "Road data © OpenStreetMap contributors (ODbL)", fontsize=6, color="#555")
    ax.set_title(text("an_chart_heatmap_title", lang, profile=text("v_" + hm.profile, lang)), fontsize=8)
    return _save_figure(plt, fig, path)


def fairness_chart_png(rep: FairnessReport, path: str | Path, lang: str = "en", level: str = "legacy") -> Path:
    """Two panels per province of ``level`` (legacy or 2025; matplotlib, Agg backend): visitor-hours and
    visitor-nights (group size counted), then spend stacked by entry fees, lodging and vehicle (million VND); the
    title's Gini and HHI are those of the same provinces."""
    plt = _pyplot()
    df = rep.to_frame(level)
    key = "province_legacy" if level == "legacy" else "province"
    gini, hhi = rep.concentration(level)
    x = np.arange(len(df))
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(9, 7.2), sharex=True)
    ax.bar(x - 0.2, df["visitor_hours"], 0.4, label=text("an_chart_visitor_hours", lang))
    axn = ax.twinx()  # nights on their own scale: a night is not an hour
    axn.bar(x + 0.2, df["visitor_nights"], 0.4, color="#ef6c00", label=text("an_chart_visitor_nights", lang))
    ax.set_ylabel(text("an_visitor_hours", lang), fontsize=8)
    axn.set_ylabel(text("an_visitor_nights", lang), fontsize=8)
    handles = ax.get_legend_handles_labels()[0] + axn.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="upper right")
    ax.set_title(text("an_chart_fairness_title", lang, gini=gini, hhi=hhi), fontsize=9)
    bottom = np.zeros(len(df))
    for part, colour in (("fees", "#2e7d32"), ("lodging", "#1565c0"), ("vehicle", "#9e9e9e")):
        vals = df[f"spend_{part}_vnd"].to_numpy(dtype=float) / 1e6
        ax2.bar(x, vals, 0.6, bottom=bottom, color=colour, label=text(f"an_spend_{part}", lang))
        bottom += vals
    ax2.set_title(text("an_chart_spend_title", lang), fontsize=9)
    ax2.legend(fontsize=8)
    ax2.set_xticks(x, df[key], rotation=45, ha="right", fontsize=8)
    return _save_figure(plt, fig, path)


def compare_chart_png(change: pd.DataFrame, path: str | Path, lang: str = "en") -> Path:
    """Bars of the change in each province's share of visitor-hours (B − A, percentage points) from
    :func:`compare`'s frame, with the Gini/HHI change in the title: which provinces a scenario helps."""
    plt = _pyplot()
    rows = change[change["kind"] == "visitor_hours_share"]
    idx = change[change["kind"] == "index"].set_index("item")["change"]
    pts = rows["change"].to_numpy() * 100.0
    fig, ax = plt.subplots(figsize=(6.5, max(2.5, 0.32 * len(rows) + 1.2)))
    ax.barh(list(rows["item"]), pts, color=["#2e7d32" if v > 0 else "#c62828" for v in pts])
    ax.axvline(0, color="#555", lw=0.8)
    ax.invert_yaxis()
    ax.set_xlabel(text("an_chart_compare_x", lang))
    ax.set_title(f"B − A: Gini {idx.get('gini', 0):+.3f}, HHI {idx.get('hhi', 0):+.3f}", fontsize=9)
    ax.tick_params(labelsize=7)
    return _save_figure(plt, fig, path)


def quality_chart_png(report: QualityReport, lang: str = "en") -> bytes:
    """A heat map of :meth:`shares` (provinces × fields, the fields named in ``lang``), as PNG bytes."""
    plt = _pyplot()
    sh = report.shares()
    fig, ax = plt.subplots(figsize=(7.5, 0.42 * len(sh) + 1.6), dpi=110)
    data = np.ma.masked_invalid(sh.to_numpy(dtype=float))
    im = ax.imshow(data, cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(sh.columns)), labels=[text(f"an_field_{c}", lang) if c in FIELDS else str(c)
                                                  for c in sh.columns])
    ax.set_yticks(range(len(sh.index)), labels=list(sh.index))
    for (i, j), v in np.ndenumerate(sh.to_numpy(dtype=float)):
        ax.text(j, i, "—" if np.isnan(v) else f"{v * 100:.0f}%", ha="center", va="center", fontsize=8)
    ax.set_title(text("an_chart_quality_title", lang), fontsize=9)
    fig.colorbar(im, ax=ax, fraction=0.03)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata=_metadata(fig))
    plt.close(fig)
    return buf.getvalue()
