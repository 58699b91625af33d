"""``touroute network build|info|list`` and ``touroute matrix`` — thin shells over the network and matrix APIs."""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

import click

from ..messages import OSM_ATTRIBUTION
from ..errors import TourouteException
from ..geo import VIETNAM_BBOX, in_vietnam
from ..network.profiles import PROFILES, ROAD_CLASSES
from ._error import OutputFile

_PROFILE_CHOICE = click.Choice(list(PROFILES), case_sensitive=False)
_DATA_DIR_HELP = "Cache folder (default: $TOUROUTE_DATA_DIR or the user cache dir)."


def _fail(exc: Exception) -> click.ClickException:
    from ._error import TourouteError

    return TourouteError(str(exc))


def _err(msg: str) -> None:
    click.echo(msg, err=True)


def _human_bytes(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


@click.group("network")
def network_group() -> None:
    """Road networks from OpenStreetMap: build, inspect, list.

    Mạng lưới đường bộ từ OpenStreetMap. Map data © OpenStreetMap contributors (ODbL).
    """


@network_group.command("build")
@click.argument("source", required=False)
@click.option("--place", help='Download through Overpass by place name, e.g. "Thừa Thiên Huế, Vietnam".')
@click.option("--bbox", help="Download through Overpass by bounding box WEST,SOUTH,EAST,NORTH (degrees).")
@click.option("--name", help="Network name in the cache (default: from the file or place name).")
@click.option("--force", is_flag=True, help="Rebuild even when a valid cached network exists.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), help=_DATA_DIR_HELP)
@click.option("--engine", type=click.Choice(["embedded", "osrm"]), default="embedded", show_default=True,
              help="embedded: touroute's own graph (zero set-up, city to province size); osrm: OSRM data for "
                   "large extracts (a country), served by `touroute engine serve` — needs `touroute engine install`.")
@click.option("--profile", "profiles", multiple=True, type=_PROFILE_CHOICE,
              help="With --engine osrm: the vehicle profiles to prepare (default: all). Repeatable.")
@click.option("--memory-limit-mb", type=click.FloatRange(min=1), default=None,
              help="Embedded builds: refuse a file predicted to need more memory, in MB (default: what is available now).")
def build_cmd(source: str | None, place: str | None, bbox: str | None, name: str | None, force: bool,
              data_dir: Path | None, engine: str, profiles: tuple[str, ...], memory_limit_mb: float | None) -> None:
    """Build a routable network from SOURCE (.osm.pbf / .osm / .osm.bz2) or from Overpass (--place / --bbox).

    Dựng mạng lưới đường từ tệp OSM hoặc tải qua Overpass.
    """
    from ..network.build import build_network

    if engine == "osrm":
        from ..network.engine import build_engine

        if not source:
            raise _fail(ValueError("--engine osrm builds from an .osm.pbf file: give SOURCE (download one from "
                                   "Geofabrik, e.g. vietnam-latest.osm.pbf)"))
        try:
            b = build_engine(source, name=name, profiles=profiles or tuple(PROFILES), data_dir=data_dir,
                             force=force, progress=_err)
        except TourouteException as exc:
            raise _fail(exc) from None
        click.echo(f"OSRM data '{b.name}' in {b.directory}")
        if b.shared_profiles:
            click.echo(f"  one extract for {' + '.join(b.shared_profiles)}: "
                       f"{sum(b.shared_step_seconds.values()):7.1f} s   peak {max(b.shared_step_peak_mb.values()):,.0f} MB")
        for p in b.profiles:
            click.echo(f"  {p:<10} {b.seconds.get(p, 0):7.1f} s   peak {b.peak_rss_mb.get(p, 0):,.0f} MB")
        click.echo(f"  in all     {b.total_seconds:7.1f} s")
        click.echo(f"Serve it with: touroute engine serve {b.name}")
        click.echo(OSM_ATTRIBUTION)
        return
    try:
        net = build_network(source, place=place, bbox=bbox, name=name, data_dir=data_dir, force=force,
                            progress=_err, memory_limit_mb=memory_limit_mb)
    except TourouteException as exc:
        raise _fail(exc) from None
    _print_info(net.meta, net.name)


@network_group.command("info")
@click.argument("name", required=False)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), help=_DATA_DIR_HELP)
def info_cmd(name: str | None, data_dir: Path | None) -> None:
    """Show nodes, edges, bounds, road lengths per class and profiles of a cached network (NAME optional if
    only one is cached). Thông tin mạng lưới đường."""
    from ..network.store import list_networks, load

    try:
        if name is None:
            infos = list_networks(data_dir)
            if len(infos) != 1:
                names = ", ".join(i.name for i in infos) or "none"
                raise _fail(ValueError(f"name the network to show (cached: {names})"))
            name = infos[0].name
        net = load(name, data_dir)
    except TourouteException as exc:
        raise _fail(exc) from None
    _print_info(net.meta, net.name)


def _print_info(meta: dict, name: str) -> None:
    src = meta.get("source") or {}
    origin = src.get("path") or (f"Overpass place {src['place']!r}" if src.get("place") else
                                 f"Overpass bbox {src.get('bbox')}")
    b = meta.get("bounds") or [math.nan] * 4
    click.echo(f"Network   {name}  (cache format {meta.get('format_version')}, "
               f"{_human_bytes(int(meta.get('size_bytes', 0)))})")
    click.echo(f"Source    {origin}")
    click.echo(f"          sha256 {str(src.get('sha256', ''))[:16]}…  built {meta.get('built_at')}  "
               f"osmnx {meta.get('versions', {}).get('osmnx', '?')}")
    click.echo(f"Nodes     {meta.get('nodes', 0):,}   Edges {meta.get('edges', 0):,}   "
               f"(unsimplified: {meta.get('raw_nodes', 0):,} nodes, {meta.get('raw_edges', 0):,} edges)")
    click.echo(f"Bounds    S {b[0]:.4f}  W {b[1]:.4f}  N {b[2]:.4f}  E {b[3]:.4f}")
    click.echo("Road length by class (km, two-way roads counted once):")
    lengths = meta.get("class_lengths_km") or {}
    for cls in ROAD_CLASSES:
        if cls in lengths:
            click.echo(f"  {cls:<16}{lengths[cls]:>10,.1f}")
    click.echo(f"  {'total':<16}{sum(lengths.values()):>10,.1f}")
    click.echo("Profiles:")
    for pname, stats in (meta.get("profiles") or {}).items():
        prof = PROFILES.get(pname)
        label = f"{prof.label_en} / {prof.label_vi}" if prof else pname
        click.echo(f"  {pname:<10}{label:<42} routable nodes {stats.get('routable_nodes', 0):>8,}   "
                   f"usable {stats.get('usable_km', 0):>9,.1f} km")
    c = meta.get("circuity") or {}
    if c.get("median") is not None:
        click.echo(f"Circuity  median {c['median']:.3f} (p25 {c['p25']:.3f}, p75 {c['p75']:.3f}) over "
                   f"{c['pairs']:,} node pairs > {c.get('min_km', 2):g} km")
    else:
        click.echo(f"Circuity  not calibrated (too few node pairs > {c.get('min_km', 2):g} km apart)")
    click.echo(f"Map data {OSM_ATTRIBUTION}")


@network_group.command("list")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), help=_DATA_DIR_HELP)
def list_cmd(data_dir: Path | None) -> None:
    """List cached networks. Danh sách mạng lưới đã lưu."""
    from ..network.store import list_networks, networks_dir

    infos = list_networks(data_dir)
    if not infos:
        click.echo(f"No cached networks in {networks_dir(data_dir)}. Build one: touroute network build FILE.osm.pbf")
        return
    click.echo(f"{'name':<20}{'nodes':>10}{'edges':>10}{'size':>10}  {'built':<26}source")
    for i in infos:
        click.echo(f"{i.name:<20}{i.nodes:>10,}{i.edges:>10,}{_human_bytes(i.size_bytes):>10}  {i.built_at:<26}"
                   f"{i.source}")
        if i.problem:
            click.echo(f"  ! {i.problem}")
    click.echo(f"Cache: {networks_dir(data_dir)}   Map data {OSM_ATTRIBUTION}")


def parse_places(values: tuple[str, ...] | list[str]):
    """Turn ``--places`` values into Place objects.

    Items are separated by commas (or semicolons); two consecutive numbers form a ``lat,lon`` pair, anything else
    is a catalogue id.
    """
    from ..matrix import MatrixError, Place

    tokens: list[str] = []
    for v in values:
        tokens.extend(t.strip() for t in v.replace(";", ",").split(",") if t.strip())
    if not tokens:
        raise MatrixError("no places given: --places id1,id2 or --places LAT,LON,LAT,LON")
    places: list[Place] = []
    catalogue = None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        num = _float(tok)
        if num is not None:
            nxt = _float(tokens[i + 1]) if i + 1 < len(tokens) else None
            if nxt is None:
                raise MatrixError(f"--places: {tok!r} looks like a latitude but no longitude follows it")
            if not (-90 <= num <= 90 and -180 <= nxt <= 180):
                raise MatrixError(f"--places: ({tok}, {tokens[i + 1]}) is not a valid lat,lon pair")
            if not in_vietnam(num, nxt):
                raise MatrixError(f"--places: ({tok}, {tokens[i + 1]}) is outside Vietnam (latitude "
                                  f"{VIETNAM_BBOX[0]:g}–{VIETNAM_BBOX[2]:g}, longitude {VIETNAM_BBOX[1]:g}–"
                                  f"{VIETNAM_BBOX[3]:g}): is it lat,lon in that order?")
            places.append(Place(f"{num:.5f},{nxt:.5f}", num, nxt))
            i += 2
            continue
        if catalogue is None:
            try:
                from ..pois import load_catalogue

                catalogue = load_catalogue(strict=False)
            except ImportError:
                raise MatrixError(f"--places: {tok!r} is not a lat,lon pair and the catalogue is not available") \
                    from None
        try:
            poi = catalogue.get(tok)
        except KeyError as exc:
            raise MatrixError(f"--places: {exc.args[0]}") from None
        places.append(Place(poi.id, float(poi.lat), float(poi.lon), str(getattr(poi, "name_vi", "") or "")))
        i += 1
    return places


def _float(text: str) -> float | None:
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


@click.command("matrix")
@click.option("--places", "places_opt", multiple=True, required=True,
              help="Catalogue ids and/or LAT,LON pairs, comma separated (repeatable).")
@click.option("--profile", type=_PROFILE_CHOICE, default="car", show_default=True, help="Vehicle profile.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--network", "networks", multiple=True,
              help="Cached network(s) to route on (default: every cached network). Repeatable.")
@click.option("--no-network", is_flag=True, help="Ignore cached networks: estimate every leg.")
@click.option("--geometry", is_flag=True, help="JSON only: include each leg's polyline.")
@click.option("--output", "-o", type=OutputFile(path_type=Path), help="Write to a file.")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), help=_DATA_DIR_HELP)
def matrix_cmd(places_opt: tuple[str, ...], profile: str, fmt: str, networks: tuple[str, ...], no_network: bool,
               geometry: bool, output: Path | None, data_dir: Path | None) -> None:
    """Travel-time and distance matrix between places (on OSM roads where a network covers them, estimated
    elsewhere). Ma trận thời gian và quãng đường di chuyển."""
    from ..matrix import TravelTimes

    try:
        places = parse_places(places_opt)
        router = TravelTimes() if no_network else TravelTimes.from_cache(list(networks) or None, data_dir)
        m = router.matrix(places, profile)
    except TourouteException as exc:
        raise _fail(exc) from None
    for note in router.notes:
        _err(f"Note: {note}")
    for w in m.warnings:
        _err(f"Warning: {w}")
    counts = m.counts()
    used = sorted({m.networks[k] for k in m.network_index.ravel() if k >= 0})
    _err(f"{len(m)} place{'' if len(m) == 1 else 's'}, profile {m.profile}: {counts['osm']} legs on OSM roads"
         f"{' (' + ', '.join(used) + ')' if used else ''}, {counts['estimate']} estimated "
         f"by the {m.estimate_model} (flat-model circuity {m.circuity.describe()})")
    if counts["osm"]:
        _err(f"Road data {OSM_ATTRIBUTION}")
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "json":
            json.dump(m.to_json_dict(geometry=geometry), out, ensure_ascii=False, indent=1)
            out.write("\n")
        else:
            w = csv.writer(out, lineterminator="\n")
            w.writerow(["from_id", "to_id", "from_name", "to_name", "seconds", "minutes", "metres", "km", "source",
                        "network", "ferry"])
            for leg in m.legs():
                w.writerow([leg.from_id, leg.to_id, leg.origin.name, leg.destination.name, f"{leg.seconds:.1f}",
                            f"{leg.minutes:.2f}", f"{leg.metres:.1f}", f"{leg.km:.3f}", leg.source,
                            leg.network or "", leg.ferry or ""])
    finally:
        if output:
            out.close()


def register(main: click.Group) -> None:
    """Add ``network`` and ``matrix`` to the main CLI."""
    main.add_command(network_group)
    main.add_command(matrix_cmd)
    main.add_command(engine_group)


@click.group("engine")
def engine_group() -> None:
    """The OSRM road engine for large extracts: install it, list its data, serve it.

    Bộ định tuyến OSRM cho dữ liệu lớn (cả nước). OSRM © Project OSRM contributors (BSD-2); map data ©
    OpenStreetMap contributors (ODbL).
    """


@engine_group.command("install")
@click.option("--python", "python", type=click.Path(dir_okay=False, path_type=Path),
              help="A Python ≥ 3.12 for the engine's own environment (default: $TOUROUTE_ENGINE_PYTHON, "
                   "python3.13/python3.12 on PATH, pyenv).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), help=_DATA_DIR_HELP)
def engine_install_cmd(python: Path | None, data_dir: Path | None) -> None:
    """Install OSRM (PyPI's osrm-bindings) in its own environment under the data folder."""
    from ..network.engine import install_engine

    try:
        where = install_engine(data_dir, python=python, progress=_err)
    except TourouteException as exc:
        raise _fail(exc) from None
    click.echo(f"OSRM's programs: {where}")


@engine_group.command("list")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), help=_DATA_DIR_HELP)
def engine_list_cmd(data_dir: Path | None) -> None:
    """The OSRM datasets built so far."""
    from ..network.engine import list_engine_builds

    builds = list_engine_builds(data_dir)
    if not builds:
        click.echo("No OSRM data yet: touroute network build EXTRACT.osm.pbf --engine osrm")
    for b in builds:
        click.echo(f"{b.name:<16} {', '.join(b.profiles)}   from {b.source}")


@engine_group.command("serve")
@click.argument("name")
@click.option("--profile", "profiles", multiple=True, type=_PROFILE_CHOICE, help="Profiles to serve (default: all built).")
@click.option("--replicas", type=click.IntRange(1, 16), default=1, show_default=True,
              help="osrm-routed processes per profile (the app spreads its load over them and fails over).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=5000, show_default=True,
              help="First port; each further server takes the next one (0: free ports).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), help=_DATA_DIR_HELP)
def engine_serve_cmd(name: str, profiles: tuple[str, ...], replicas: int, host: str, port: int,
                     data_dir: Path | None) -> None:
    """Start osrm-routed for the dataset NAME and wait (Ctrl-C stops it). Prints the TOUROUTE_OSRM_URL to use."""
    import time

    from ..network.engine import EngineServer, load_engine_build

    try:
        build = load_engine_build(name, data_dir)
        server = EngineServer(build, profiles=profiles or None, replicas=replicas, host=host, port=port,
                              data_dir=data_dir)
    except TourouteException as exc:
        raise _fail(exc) from None
    click.echo(f'export TOUROUTE_OSRM_URL="{server.url_setting}"')
    import signal

    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))  # stop the servers too
    try:
        while all(rp.process.poll() is None for rp in server.processes):
            time.sleep(1.0)
        dead = [rp for rp in server.processes if rp.process.poll() is not None]
        raise _fail(RuntimeError(f"osrm-routed for {dead[0].profile} at {dead[0].url} stopped "
                                 f"(exit {dead[0].process.returncode})"))
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
