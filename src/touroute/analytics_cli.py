"""``touroute analytics …``: the regional analytics of :mod:`touroute.analytics` from the command line.

A thin shell: parse options, call the library, print a table / CSV / JSON. Library errors (unknown hub, bad plan
file) are ``TourouteException``s, which the main group prints as one ``Error: …`` line with exit status 2.
"""

from __future__ import annotations

import json

import click

_FORMAT = click.Choice(["table", "csv", "json"])
_PROFILE = click.Choice(["car", "van", "coach", "motorbike"])


def _emit(df, fmt: str, extra: dict | None = None) -> None:
    if fmt == "csv":
        click.echo(df.to_csv(index=False), nl=False)
    elif fmt == "json":
        body = {"rows": json.loads(df.to_json(orient="records", force_ascii=False))}
        body.update(extra or {})
        click.echo(json.dumps(body, ensure_ascii=False, indent=1))
    else:
        with __import__("pandas").option_context("display.width", 200, "display.max_rows", 500,
                                                 "display.max_columns", 30):
            click.echo(df.to_string(index=False) if len(df) else "(none / không có)")


def register(main: click.Group) -> None:
    @main.group("analytics")
    def analytics() -> None:
        """Regional analytics for tourism departments / Phân tích vùng cho sở du lịch."""

    @analytics.command("hubs")
    @click.option("--hub", "hubs", multiple=True, help="Hub ids (repeat); default: the top hub of each province.")
    @click.option("--profile", type=_PROFILE, default="car", show_default=True)
    @click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
    @click.option("--png", type=click.Path(dir_okay=False), help="Also write a heatmap PNG here.")
    def hubs_cmd(hubs: tuple[str, ...], profile: str, fmt: str, png: str | None) -> None:
        """Travel time and distance between hubs / Thời gian, quãng đường giữa các trung tâm."""
        from .analytics import hub_matrix
        from .matrix import TravelTimes

        hm = hub_matrix(TravelTimes.from_cache(), list(hubs) or None, profile)
        if fmt == "table":
            click.echo(hm.to_markdown())
        else:
            _emit(hm.to_frame(), fmt, {"profile": hm.profile})
        if png:
            hm.heatmap_png(png)
            click.echo(f"written {png}", err=True)

    @analytics.command("reach")
    @click.argument("hub")
    @click.option("--minutes", type=click.FloatRange(min=0, min_open=True), required=True,
                  help="One-way travel limit in minutes.")
    @click.option("--profile", type=_PROFILE, default="car", show_default=True)
    @click.option("--category", "-c", multiple=True, help="Only these categories (heritage, coastal, mice, other).")
    @click.option("--day-hours", type=float, default=10.5, show_default=True, help="Length of a day trip.")
    @click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
    def reach_cmd(hub: str, minutes: float, profile: str, category: tuple[str, ...], day_hours: float,
                  fmt: str) -> None:
        """Places reachable from HUB / Điểm đến trong vòng N phút từ HUB."""
        from .analytics import AnalyticsError, reachable
        from .matrix import TravelTimes

        try:
            df = reachable(TravelTimes.from_cache(), hub, minutes, profile, list(category) or None,
                           day_hours=day_hours)
        except ValueError as exc:  # unknown category from the catalogue filter
            raise AnalyticsError(str(exc)) from None
        if fmt == "table":
            df = df[["place_id", "name_en", "province_legacy", "minutes", "km", "source", "day_trip_fits"]]
        _emit(df, fmt, {"hub": hub, "minutes": minutes, "profile": profile})

    @analytics.command("fairness")
    @click.argument("plans", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
    @click.option("--level", type=click.Choice(["legacy", "2025"]), default="legacy", show_default=True)
    @click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
    @click.option("--png", type=click.Path(dir_okay=False), help="Also write a bar chart PNG here.")
    @click.option("--unused", is_flag=True, help="List catalogue places no plan visits.")
    def fairness_cmd(plans: tuple[str, ...], level: str, fmt: str, png: str | None, unused: bool) -> None:
        """Visit hours and nights per province, Gini and HHI / Mức độ phân bổ theo tỉnh."""
        from .analytics import fairness_report, load_itineraries
        from .pois import default_catalogue

        rep = fairness_report(load_itineraries(plans), default_catalogue() if unused else None)
        if fmt == "json":
            click.echo(json.dumps(rep.to_json_dict(), ensure_ascii=False, indent=1))
        else:
            _emit(rep.to_frame(level).round(3), fmt)
            if fmt == "table":
                click.echo(f"\nGini {rep.gini:.3f} · HHI {rep.hhi:.3f} (12 legacy provinces, zeros included / "
                           f"tính cả tỉnh không có khách) · {rep.total_visit_hours:.1f} h, {rep.total_nights} nights")
                if unused:
                    click.echo(f"Never visited / Chưa được ghé ({len(rep.unused_places)}): "
                               + ", ".join(rep.unused_places))
        if png:
            rep.chart_png(png)
            click.echo(f"written {png}", err=True)

    @analytics.command("compare")
    @click.argument("plans_a", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
    @click.option("--vs", "plans_b", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False),
                  help="Plan JSON of scenario B (repeat for several).")
    @click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
    def compare_cmd(plans_a: tuple[str, ...], plans_b: tuple[str, ...], fmt: str) -> None:
        """What-if: scenario B minus scenario A / So sánh hai kịch bản (B − A)."""
        from .analytics import compare, fairness_report, load_itineraries

        df = compare(fairness_report(load_itineraries(plans_a)), fairness_report(load_itineraries(plans_b)))
        _emit(df.round(4), fmt)
