"""The printable brochure of a package: a Jinja template (``templates/brochure.html``), its route map (matplotlib)
and the PDF printed by headless Chromium.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from .. import messages
from ..export._common import access_text, closure_text, lunch_on_site
from ..model import LunchBreak
from ..planner import PLANNER_ADVICE_PREFIXES
from ..export._common import vnd as _vnd
from ..itinerary import Itinerary
from .spec import BUDGET_LODGING_VND, PackageTemplate

# ---------------------------------------------------------------------------------------------------------------
# Brochure
_B = messages.BROCHURE


BROCHURE_TEMPLATE = "brochure.html"
"""The brochure's Jinja template, in ``touroute/packages/templates/`` (autoescaped: every value from the catalogue or
the spec is HTML-escaped)."""


def _lunch_after(d) -> int:
    """Index of the stop after which the day's lunch is taken (−1: before the first stop)."""
    k = -1
    for i, s in enumerate(d.stops):
        if s.departure <= d.lunch_start:
            k = i
    return k


def render_brochure(it: Itinerary, tpl: PackageTemplate, lang: str) -> str:
    """A self-contained printable HTML brochure; every value from the catalogue or the spec is HTML-escaped."""
    from jinja2 import Environment, FileSystemLoader

    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True)
    t = _B["vi" if lang == "vi" else "en"]
    req = it.request or {}
    group = max(1, int(req.get("group_size") or tpl.group_size or 1))
    lunch = LunchBreak.model_validate(req["lunch"]) if req.get("lunch") else None
    dates = sorted({t["undated"] if s.fee_as_of == "undated" else s.fee_as_of
                    for d in it.days for s in d.stops if s.fee_as_of and s.fee_vnd is not None})
    return env.get_template(BROCHURE_TEMPLATE).render(
        lang="vi" if lang == "vi" else "en", t=t, it=it, tpl=tpl,
        title=tpl.title_vi if lang == "vi" else tpl.title_en,
        theme=t["themes"][tpl.theme], tier=t["tiers"][tpl.budget_tier],
        vehicle=t["vehicles"].get(it.profile, it.profile), group=group, c=it.totals.costs,
        fee_dates=", ".join(dates), lodging_rate=BUDGET_LODGING_VND[tpl.budget_tier], vnd=_vnd,
        name=(lambda o: o.name_vi) if lang == "vi" else (lambda o: o.name_en),
        note=(lambda s: s.note_vi) if lang == "vi" else (lambda s: s.note_en),
        access=lambda s: access_text(s, lang), closure=lambda s: closure_text(s, lang),
        # what the plan assumed or could not check (a past start date, unknown hours, estimated roads …): a printed
        # programme carries the same caveats as the screen
        # (not the advice to whoever plans — theme weights, free afternoons: the brochure is the customer's)
        notes=[n for n in it.notes("vi" if lang == "vi" else "en") if not n.startswith(PLANNER_ADVICE_PREFIXES)],
        unknown_fees=", ".join(dict.fromkeys(
            (s.name_vi if lang == "vi" else s.name_en) for d in it.days for s in d.stops
            if s.place_id in set(it.totals.costs.fees_unknown))),
        lunch_after=_lunch_after, attribution=it.attribution,
        # a day whose long visit spans the lunch window has no break of its own: lunch is eaten there (as in the text
        # programme and the web timeline), and the brochure says so rather than printing a day without lunch
        on_site=lambda d: lunch_on_site(d, lunch), today=date.today().strftime("%d/%m/%Y"),
        map_png=route_map_png(it) if it.feasible else "")


def route_map_png(it: Itinerary) -> str:
    """A static map of the trip for print (base64 PNG): province boxes, each day's legs in its colour (estimated
    legs dashed), numbered stops. Drawn with matplotlib so the brochure and its PDF need no JavaScript or tiles."""
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .. import provinces as prov
    from ..render.maps import day_colour

    fig, ax = plt.subplots(figsize=(7, 5), dpi=110)
    lats = [s.lat for d in it.days for s in d.stops] + [d.start.lat for d in it.days] + [d.end.lat for d in it.days]
    lons = [s.lon for d in it.days for s in d.stops] + [d.start.lon for d in it.days] + [d.end.lon for d in it.days]
    for p in prov.provinces():
        a, b, c, d = p.bbox
        ax.add_patch(plt.Rectangle((b, a), d - b, c - a, fill=False, lw=0.5, ec="#c8ccd2"))
    k = 0
    for day in it.days:
        col = day_colour(day.day - 1)
        for leg in day.legs:
            pts = leg.geometry or []
            if len(pts) >= 2:
                ax.plot([q[1] for q in pts], [q[0] for q in pts], color=col, lw=1.8,
                        ls="--" if leg.source == "estimate" else "-")
        for s in day.stops:
            k += 1
            ax.plot(s.lon, s.lat, "o", ms=9, color=col, mec="white")
            ax.annotate(str(k), (s.lon, s.lat), ha="center", va="center", fontsize=6, color="white")
        if day.lodging:
            ax.plot(day.lodging.lon, day.lodging.lat, "s", ms=7, color="#333")
    pad = 0.08
    ax.set_xlim(min(lons) - pad, max(lons) + pad)
    ax.set_ylim(min(lats) - pad, max(lats) + pad)
    ax.set_aspect(1 / max(0.2, __import__("math").cos(__import__("math").radians(sum(lats) / len(lats)))))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.99, 0.01, "© OpenStreetMap contributors (ODbL)", transform=ax.transAxes, ha="right", va="bottom",
            fontsize=6, color="#555")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def html_to_pdf(html_path: Path, pdf_path: Path, *, timeout: float = 90.0) -> bool:
    """Print an HTML file to PDF with Debian's headless Chromium; False (and no file) when Chromium is missing.

    Chromium is started with networking features off and a throw-away profile, as everywhere in this project."""
    import subprocess
    import tempfile

    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe is None:
        return False
    with tempfile.TemporaryDirectory() as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={profile}",
               "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}", Path(html_path).resolve().as_uri()]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return False
    return pdf_path.exists() and pdf_path.stat().st_size > 0
