"""`touroute pois …` — list, show and validate catalogue places (table, JSON or CSV output)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import click
import pandas as pd

from ..errors import DataError
from ..pois import CATEGORIES, STALE_AFTER_YEARS, Catalogue, load_catalogue
from ..provinces import UnknownProvinceError
from ._error import OutputFile


def _width(s: str) -> int:
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _clip(s: str, n: int) -> str:
    s = unicodedata.normalize("NFC", s)
    return s if _width(s) <= n else s[: n - 1] + "…"


def render_table(df: pd.DataFrame, columns: list[str], max_width: int = 34) -> str:
    """Plain-text table that aligns Vietnamese text correctly (pandas' to_string miscounts combining marks)."""
    cells = [[_clip("" if pd.isna(v) else str(v), max_width) for v in row] for row in df[columns].itertuples(index=False)]
    widths = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]
    def fmt(row: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(row, widths)).rstrip()
    lines = [fmt(columns), fmt(["-" * w for w in widths])] + [fmt(r) for r in cells]
    return "\n".join(lines)


def _records(df: pd.DataFrame) -> list[dict]:
    out = []
    for rec in df.to_dict(orient="records"):
        clean = {k: (None if (not isinstance(v, (list, tuple)) and pd.isna(v)) else v) for k, v in rec.items()}
        clean["tags"] = [t for t in (clean.get("tags") or "").split(";") if t]
        for k in ("fee_vnd", "capacity", "visit_minutes", "popularity", "attractiveness"):
            if clean.get(k) is not None:
                clean[k] = int(clean[k])
        out.append(clean)
    return out


def _load(files: tuple[str, ...]) -> Catalogue:
    try:
        return load_catalogue(list(files) if files else None)
    except DataError as exc:
        raise click.ClickException(str(exc)) from None


def register(main: click.Group) -> None:
    @main.group("pois")
    def pois() -> None:
        """Browse the curated places (heritage, MICE, coastal, lodging hubs). / Tra cứu điểm đến."""

    catalogue_opt = click.option("--catalogue", "files", multiple=True, type=click.Path(dir_okay=False),
                                 help="Catalogue CSV file(s) instead of the bundled data/poi/*.csv.")

    @pois.command("list")
    @click.option("--category", "-c", multiple=True, type=click.Choice(CATEGORIES), help="Category (repeatable).")
    @click.option("--province", "-p", multiple=True,
                  help="Legacy or 2025 province, with or without diacritics, e.g. 'Quang Nam' or 'Gia Lai' (repeatable).")
    @click.option("--since-2025", is_flag=True, help="Read province names as 2025 provinces ('Đà Nẵng' = Đà Nẵng + Quảng Nam).")
    @click.option("--tag", "-t", multiple=True, help="Tag such as unesco, island, ferry (repeatable; any matches).")
    @click.option("--all-tags", is_flag=True, help="Require every --tag instead of any.")
    @click.option("--bbox", help="min_lat,min_lon,max_lat,max_lon")
    @click.option("--search", "-s", "text", help="Text search in names and descriptions (diacritics optional).")
    @click.option("--min-popularity", type=click.IntRange(1, 10), help="Legacy editorial tier 1–10.")
    @click.option("--min-attractiveness", type=click.IntRange(1, 100),
                  help="Evidence-based 1–100 (data/poi/SCHEMA.md); 70 = the must-see tier.")
    @click.option("--limit", "-n", type=click.IntRange(min=1), help="Show at most N places.")
    @click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
    @catalogue_opt
    def list_cmd(category, province, since_2025, tag, all_tags, bbox, text, min_popularity, min_attractiveness, limit,
                 fmt, files):
        """List places matching the filters. / Liệt kê điểm theo bộ lọc."""
        cat = _load(files)
        box = None
        if bbox:
            try:
                box = tuple(float(x) for x in bbox.split(","))
                if len(box) != 4:
                    raise ValueError
            except ValueError:
                raise click.BadParameter("expected four numbers min_lat,min_lon,max_lat,max_lon", param_hint="--bbox") from None
        try:
            sub = cat.filter(category=list(category) or None, province=list(province) or None,
                             province_era="2025" if since_2025 else "auto", tags=list(tag) or None,
                             all_tags=all_tags, bbox=box, text=text, min_popularity=min_popularity,
                             min_attractiveness=min_attractiveness)
        except (ValueError, UnknownProvinceError) as exc:
            raise click.UsageError(str(exc)) from None
        df = sub.df if text else sub.df.sort_values(["province_legacy", "category", "attractiveness", "id"],
                                                    ascending=[True, True, False, True], key=_province_order)
        if limit:
            df = df.head(limit)
        if fmt == "json":
            click.echo(json.dumps(_records(df), ensure_ascii=False, indent=1))
        elif fmt == "csv":
            click.echo(df.to_csv(index=False), nl=False)
        else:
            click.echo(render_table(df, ["id", "name_vi", "category", "province_legacy", "attractiveness"]))
            click.echo(f"\n{len(df)} place(s). Sources: curated; OSM data © OpenStreetMap contributors (ODbL).")

    @pois.command("show")
    @click.argument("place_id")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @catalogue_opt
    def show_cmd(place_id, fmt, files):
        """Show every field of one place. / Xem chi tiết một điểm."""
        cat = _load(files)
        try:
            poi = cat.get(place_id)
        except KeyError as exc:
            raise click.ClickException(exc.args[0]) from None
        data = poi.model_dump()
        data["tags"] = list(poi.tags)
        if fmt == "json":
            click.echo(json.dumps(data, ensure_ascii=False, indent=1))
            return
        data["stale"] = poi.stale_facts()
        if fmt == "json":
            click.echo(json.dumps(data, ensure_ascii=False, indent=1))
            return
        for k, v in data.items():
            if k in ("tags", "stale"):
                v = ", ".join(v)
            click.echo(f"{k:>18}: {'' if v is None else v}")
        for fact in poi.stale_facts():
            when = poi.fact_as_of(fact)
            age = ("comes from a source that shows no date" if when == "undated"
                   else f"dates from {when}, more than {STALE_AFTER_YEARS} years ago")
            click.echo(f"warning: the {fact} {age} — it may have changed / dữ liệu đã cũ hoặc không ghi ngày, có thể "
                       f"đã thay đổi", err=True)

    @pois.command("quality")
    @click.option("--province", "-p", help="Narrow the tables and lists to one province (legacy or 2025 name).")
    @click.option("--osm-pois", type=click.Path(dir_okay=False, exists=True),
                  help="The raw OSM POI export (HOT CSV) to check that each osm_id names the same place.")
    @click.option("--programmes", type=click.Path(dir_okay=False, exists=True),
                  help="Published-programme benchmark file (default: the bundled data/benchmarks/itineraries.yaml).")
    @click.option("--chart", type=OutputFile(),
                  help="Also write the coverage heat map (PNG) here.")
    @click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True)
    @click.option("--lang", type=click.Choice(["en", "vi"]), default="en", show_default=True)
    @catalogue_opt
    def quality_cmd(province, osm_pois, programmes, chart, fmt, lang, files):
        """What the catalogue knows and lacks, per province × category × field; stale facts, near-duplicates and
        osm_id name mismatches; the coverage targets. / Chất lượng dữ liệu: tỉnh nào còn thiếu gì."""
        from ..quality import bundled_programmes, quality_report
        from ..render.charts import quality_chart_png

        cat = _load(files)
        if programmes is None:
            programmes = bundled_programmes()
        try:
            rep = quality_report(cat, province=province, osm_pois=Path(osm_pois) if osm_pois else None,
                                 programmes=Path(programmes) if programmes else None)
        except UnknownProvinceError as exc:
            raise click.BadParameter(str(exc), param_hint="--province") from None
        if chart:
            Path(chart).write_bytes(quality_chart_png(rep, lang))
        if fmt == "json":
            click.echo(json.dumps(rep.to_json(), ensure_ascii=False, indent=1))
        elif fmt == "csv":
            click.echo(rep.coverage.to_csv(index=False), nl=False)
        else:
            click.echo(rep.to_text(lang))

    @pois.command("validate")
    @click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
    def validate_cmd(files):
        """Check catalogue files against data/poi/SCHEMA.md; print coverage per province and category.

        Exit status 2 and one line per problem (file, line, field, value) when anything is wrong.
        """
        paths = [Path(f) for f in files] if files else None
        try:
            cat = load_catalogue(paths)
        except DataError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(cat.counts().to_string())
        click.echo(f"\nOK: {len(cat)} places in {len(cat.files)} file(s), no problems.")


def _province_order(col: pd.Series) -> pd.Series:
    from ..provinces import legacy_names

    if col.name == "province_legacy":
        order = {n: i for i, n in enumerate(legacy_names())}
        return col.map(order)
    return col
