"""``touroute analytics …``: the regional analytics of :mod:`touroute.analytics` from the command line.

A thin shell: parse options, call the library, print a table / CSV / JSON. Library errors (unknown hub, bad plan
file) are ``TourouteException``s, which the main group prints as one ``Error: …`` line with exit status 2.
"""

from __future__ import annotations

import json

import click

from ..network.profiles import PROFILE_NAMES
from ..export._common import vnd as _vnd
from ._error import OutputFile

_FORMAT = click.Choice(["table", "csv", "json"])
_PROFILE = click.Choice(list(PROFILE_NAMES))


ROUTES_LEGEND = ("source: osm = routed on the loaded OpenStreetMap roads; estimate = no loaded network covers the "
                 "leg, offline estimate (docs/network.md) / osm = theo đường OSM đã nạp; estimate = ước tính")
"""What a travel row's ``source`` means, printed under tables of travel times and kept in their JSON."""


def _emit(df, fmt: str, extra: dict | None = None, *, routes: bool = False) -> None:
    """Print ``df`` as a table, CSV or JSON. ``routes``: the rows are travel times — the table and the JSON credit
    OpenStreetMap (ODbL) and say what ``osm`` / ``estimate`` mean; CSV, a bare data file, gets the credit on stderr."""
    from ..messages import OSM_ATTRIBUTION

    if fmt == "csv":
        click.echo(df.to_csv(index=False), nl=False)
        if routes:
            click.echo(f"{OSM_ATTRIBUTION} — {ROUTES_LEGEND}", err=True)
    elif fmt == "json":
        body = {"rows": json.loads(df.to_json(orient="records", force_ascii=False))}
        body.update(extra or {})
        if routes:
            body.update(attribution=OSM_ATTRIBUTION, legend=ROUTES_LEGEND)
        click.echo(json.dumps(body, ensure_ascii=False, indent=1))
    else:
        with __import__("pandas").option_context("display.width", 200, "display.max_rows", 500,
                                                 "display.max_columns", 30):
            click.echo(df.to_string(index=False) if len(df) else "(none / không có)")
        if routes:
            click.echo(f"\n{ROUTES_LEGEND}\n{OSM_ATTRIBUTION}")


def register(main: click.Group) -> None:
    @main.group("analytics")
    def analytics() -> None:
        """Regional analytics for tourism departments / Phân tích vùng cho sở du lịch."""

    @analytics.command("hubs")
    @click.option("--hub", "hubs", multiple=True, help="Hub ids (repeat); default: the top hub of each province.")
    @click.option("--profile", type=_PROFILE, default="car", show_default=True)
    @click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
    @click.option("--png", type=OutputFile(), help="Also write a heatmap PNG here.")
    @click.option("--scenario", "scenario_file", type=click.Path(exists=True, dir_okay=False),
                  help="Road scenario file (YAML/JSON): show each pair's change against the baseline.")
    @click.option("--lang", type=click.Choice(["en", "vi"]), default="en", show_default=True,
                  help="Language of the hub names in the table and the heatmap.")
    def hubs_cmd(hubs: tuple[str, ...], profile: str, fmt: str, png: str | None, scenario_file: str | None,
                 lang: str) -> None:
        """Travel time and distance between hubs / Thời gian, quãng đường giữa các trung tâm."""
        from ..analytics import hub_change, hub_matrix
        from ..matrix import TravelTimes
        from ..network.scenario import load_scenario

        scenario = load_scenario(scenario_file) if scenario_file else None
        router = TravelTimes.from_cache()
        hm = hub_matrix(router, list(hubs) or None, profile, scenario=scenario)
        if scenario is not None:
            change = hub_change(hub_matrix(router, list(hubs) or None, profile), hm)
            click.echo(scenario.describe(), err=True)
            if fmt == "table":
                changed = change[change["change_minutes"] != 0]
                changed = changed.assign(from_name=[hm.label(i, lang) for i in changed["from_id"]],
                                         to_name=[hm.label(i, lang) for i in changed["to_id"]])
                _emit(changed[["from_name", "to_name", "minutes_a", "minutes_b", "change_minutes", "change_pct",
                               "source_a"]], fmt, routes=True)
                click.echo(f"\n{len(changed)} of {len(change)} hub pairs change / cặp trung tâm thay đổi "
                           "(B = scenario / kịch bản; minutes / phút)")
            else:
                _emit(change, fmt, {"profile": hm.profile, "scenario": scenario.name}, routes=True)
        elif fmt == "table":
            click.echo(hm.to_markdown(lang))
        else:
            _emit(hm.to_frame(), fmt, {"profile": hm.profile}, routes=True)
        if png:
            from ..render.charts import hub_heatmap_png

            hub_heatmap_png(hm, png, lang)
            click.echo(f"written {png}", err=True)

    @analytics.command("reach")
    @click.argument("hub")
    @click.option("--minutes", type=click.FloatRange(min=0, min_open=True), required=True,
                  help="One-way travel limit in minutes.")
    @click.option("--profile", type=_PROFILE, default="car", show_default=True)
    @click.option("--category", "-c", multiple=True, help="Only these categories (heritage, coastal, mice, other).")
    @click.option("--day-hours", type=click.FloatRange(min=0, min_open=True, max=24), default=10.5, show_default=True,
                  help="Length of a day trip in hours (more than 0, at most 24).")
    @click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
    def reach_cmd(hub: str, minutes: float, profile: str, category: tuple[str, ...], day_hours: float,
                  fmt: str) -> None:
        """Places reachable from HUB (an id or a name, as `plan --start` reads it) / Điểm đến trong vòng N phút từ
        HUB."""
        from ..analytics import AnalyticsError, reachable
        from ..matrix import TravelTimes
        from ..pois import default_catalogue

        cat = default_catalogue()
        if hub.strip() not in cat:  # a typed town's name means its hub, as for a trip's start
            found = cat.resolve(hub, endpoint=True)
            if not isinstance(found, str):
                raise click.BadParameter(cat.no_match_message(hub, "a catalogue id or a name", endpoint=True),
                                         param_hint="HUB")
            click.echo(f"HUB {hub!r} → {found}", err=True)
            hub = found
        try:
            df = reachable(TravelTimes.from_cache(), hub, minutes, profile, list(category) or None,
                           day_hours=day_hours)
        except ValueError as exc:  # unknown category from the catalogue filter
            raise AnalyticsError(str(exc)) from None
        if fmt == "table":
            df = df[["place_id", "name_en", "province_legacy", "minutes", "km", "source", "day_trip_fits"]]
        _emit(df, fmt, {"hub": hub, "minutes": minutes, "profile": profile}, routes=True)

    @analytics.command("fairness")
    @click.argument("plans", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
    @click.option("--level", type=click.Choice(["legacy", "2025"]), default="legacy", show_default=True)
    @click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
    @click.option("--png", type=OutputFile(), help="Also write a bar chart PNG here.")
    @click.option("--unused", is_flag=True, help="List catalogue places no plan visits.")
    @click.option("--lang", type=click.Choice(["en", "vi"]), default="en", show_default=True,
                  help="Language of the chart.")
    def fairness_cmd(plans: tuple[str, ...], level: str, fmt: str, png: str | None, unused: bool, lang: str) -> None:
        """Visitor-hours, visitor-nights and spend per province, Gini and HHI / Khách × giờ, khách × đêm, chi
        tiêu theo tỉnh.

        Each plan counts with its group size (a 40-person coach weighs 20 times a couple); spend splits each
        plan's own cost figures by province (fees where charged, lodging where slept, vehicle by leg — assumed
        half to either end); what is unknown or assumed is listed under the table."""
        from ..analytics import fairness_report, load_itineraries
        from ..pois import default_catalogue

        rep = fairness_report(load_itineraries(plans), default_catalogue() if unused else None)
        if fmt == "json":
            click.echo(json.dumps(rep.to_json_dict(), ensure_ascii=False, indent=1))
        else:
            frame = rep.to_frame(level)
            if fmt == "table":  # the columns a department acts on; csv has them all
                key = "province_legacy" if level == "legacy" else "province"
                frame = frame[[key, "visitor_hours", "visitor_hours_share", "visitor_nights", "visitor_nights_share",
                               "spend_fees_vnd", "spend_lodging_vnd", "spend_vehicle_vnd", "spend_vnd",
                               "spend_share"]].copy()
                for col in ("spend_fees_vnd", "spend_lodging_vnd", "spend_vehicle_vnd", "spend_vnd"):
                    frame[col] = frame[col].round(0).astype("int64")
            _emit(frame.round(3), fmt)
            if fmt == "table":
                g, h = rep.concentration(level)
                units = (f"{len(rep.legacy)} legacy provinces / {len(rep.legacy)} tỉnh cũ" if level == "legacy" else
                         f"{len(rep.since_2025)} provinces since 2025 / {len(rep.since_2025)} tỉnh từ 2025")
                click.echo(f"\nGini {g:.3f} · HHI {h:.3f} over visitor-hours ({units}, zeros included / tính trên "
                           f"khách × giờ, cả tỉnh không có khách)")
                click.echo(f"{rep.itineraries} plans, {rep.visitors} visitors / khách: {rep.total_visitor_hours:,.1f} "
                           f"visitor-hours, {rep.total_visitor_nights} visitor-nights, spend / chi tiêu "
                           f"{_vnd(rep.spend_total)} (per plan, group size not counted: "
                           f"{rep.total_visit_hours:.1f} h, {rep.total_nights} nights)")
                if rep.spend_unplaced:
                    click.echo("Spend with no province / không xác định tỉnh: "
                               + ", ".join(f"{k} {_vnd(v)}" for k, v in rep.spend_unplaced.items()))
                for note in rep.notes:
                    click.echo(f"Note / Ghi chú: {note}")
                if unused:
                    click.echo(f"Never visited / Chưa được ghé ({len(rep.unused_places)}): "
                               + ", ".join(rep.unused_places))
        if png:
            from ..render.charts import fairness_chart_png

            fairness_chart_png(rep, png, lang, level=level)
            click.echo(f"written {png}", err=True)

    @analytics.command("compare")
    @click.argument("plans_a", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
    @click.option("--vs", "plans_b", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False),
                  help="Plan JSON of scenario B (repeat for several).")
    @click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
    def compare_cmd(plans_a: tuple[str, ...], plans_b: tuple[str, ...], fmt: str) -> None:
        """What-if: scenario B minus scenario A / So sánh hai kịch bản (B − A)."""
        from ..analytics import compare, fairness_report, load_itineraries

        df = compare(fairness_report(load_itineraries(plans_a)), fairness_report(load_itineraries(plans_b)))
        _emit(df.round(4), fmt)

    @analytics.command("whatif")
    @click.argument("plans", nargs=-1, type=click.Path(exists=True, dir_okay=False))
    @click.option("--scenario", "scenario_file", type=click.Path(exists=True, dir_okay=False),
                  help="Road scenario file (YAML/JSON, see docs/network.md).")
    @click.option("--spec", "spec_file", type=click.Path(exists=True, dir_okay=False),
                  help="Package spec whose packages are planned in both scenarios (instead of, or with, PLANS).")
    @click.option("--must-cover", multiple=True, help="Province every plan must also cover in scenario B (repeat).")
    @click.option("--hub", "hubs", multiple=True, help="Hub ids for the matrix (repeat); default one per province.")
    @click.option("--profile", type=_PROFILE, default="car", show_default=True, help="Profile of the hub matrix.")
    @click.option("--seconds", type=click.FloatRange(min=0, min_open=True, max=120),
                  help="Solver seconds per plan (default: each request's own).")
    @click.option("--format", "fmt", type=_FORMAT, default="table", show_default=True)
    def whatif_cmd(plans: tuple[str, ...], scenario_file: str | None, spec_file: str | None,
                   must_cover: tuple[str, ...], hubs: tuple[str, ...], profile: str, seconds: float | None,
                   fmt: str) -> None:
        """What-if: re-plan under a road scenario or rule (B) vs today (A) / Kịch bản giả định so với hiện trạng.

        PLANS are itinerary JSON files (their saved requests are re-planned); --spec plans a package spec.
        Example: touroute analytics whatif --scenario data/scenarios/hue-ql49-upgrade.yaml --spec
        data/packages/example.yaml --seconds 2
        """
        from ..analytics import AnalyticsError, load_itineraries, requests_from_itineraries, requests_from_spec, whatif
        from ..network.scenario import load_scenario
        from ..planner import PlanningContext

        if not scenario_file and not must_cover:
            raise AnalyticsError("give --scenario FILE and/or --must-cover PROVINCE / cần --scenario hoặc --must-cover")
        scenario = load_scenario(scenario_file) if scenario_file else None
        ctx = PlanningContext()
        requests = []
        if spec_file:
            from ..packages import load_spec

            requests += requests_from_spec(load_spec(spec_file, ctx.catalogue), ctx.catalogue)
        if plans:
            requests += requests_from_itineraries(load_itineraries(plans), [str(p) for p in plans])
        click.echo(f"Planning {len(requests)} plan(s) twice (A: baseline, B: scenario)… / Đang lập kế hoạch hai lần…",
                   err=True)
        w = whatif(requests, scenario, ctx=ctx, must_cover=list(must_cover), hubs=list(hubs) or None,
                   profile=profile, seconds=seconds)
        if fmt == "json":
            click.echo(json.dumps(w.to_json_dict(), ensure_ascii=False, indent=1))
            return
        if fmt == "csv":
            frames = [("hubs", w.hubs), ("plans", w.plans), ("fairness", w.fairness)]
            for name, df in frames:
                click.echo(f"# {name}")
                _emit(df.round(4), "csv")
            return
        if scenario is not None:
            click.echo(f"Scenario / Kịch bản: {scenario.describe()}")
        if must_cover:
            click.echo(f"Rule / Quy tắc: must cover / phải qua {', '.join(must_cover)}")
        for note in w.notes:
            click.echo(f"  note: {note}")
        changed = w.hubs[w.hubs["change_minutes"] != 0]
        click.echo(f"\n== Hub pairs that change ({len(changed)} of {len(w.hubs)}, {profile}, minutes) / "
                   "Cặp trung tâm thay đổi ==")
        _emit(changed[["from_name", "to_name", "minutes_a", "minutes_b", "change_minutes", "change_pct",
                       "source_a"]], "table")
        if len(w.plans):
            click.echo("\n== Plans / Kế hoạch ==")
            _emit(w.plans.drop(columns=["problems_b"]), "table")
            f = w.fairness
            moved = f[(f["kind"] == "index") | (f["change"].abs() > 1e-9)]
            click.echo("\n== Fairness change (B − A) / Thay đổi phân bổ theo tỉnh ==")
            _emit(moved.round(4), "table")
