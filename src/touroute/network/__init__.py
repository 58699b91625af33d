"""Road networks from OpenStreetMap: build, cache, snap, route.

    from touroute.network import build_network, load_network
    net = build_network("../shared/data/osm/hue.osm.pbf")      # cold build ≈ 10 s, then cached
    net = load_network("hue")                                  # warm load, well under a second
    a, b = net.snap(16.4672, 107.5789, "car"), net.snap(16.4533, 107.5447, "car")
    seconds, metres = net.travel_matrix([a], [b], "car")

Travel-time matrices over several networks, with estimates where no network covers a place, live in
:mod:`touroute.matrix`. Map data © OpenStreetMap contributors (ODbL 1.0).
"""

from __future__ import annotations

from .build import OsmSource, build_network, overpass_filters, way_is_wanted
from .errors import NetworkCacheError, NetworkError, NetworkNotFoundError, OsmSourceError, UnknownProfileError
from .ferries import FerryLink, load_ferry_links
from .graph import RoadNetwork, Route, Snap, haversine_m
from .profiles import DEFAULT_PROFILE, PROFILES, ROAD_CLASSES, VehicleProfile, get_profile
from .scenario import RoadScenario, ScenarioError, apply_scenario, load_scenario, parse_scenario
from .store import FORMAT_VERSION, NetworkInfo, data_root, list_networks, load as load_network

__all__ = [
    "DEFAULT_PROFILE", "FORMAT_VERSION", "PROFILES", "ROAD_CLASSES", "FerryLink", "NetworkCacheError", "NetworkError",
    "NetworkInfo", "NetworkNotFoundError", "OsmSource", "OsmSourceError", "RoadNetwork", "RoadScenario", "Route",
    "ScenarioError", "Snap", "UnknownProfileError", "VehicleProfile", "apply_scenario", "build_network", "data_root",
    "get_profile", "haversine_m", "list_networks", "load_ferry_links", "load_network", "load_scenario",
    "overpass_filters", "parse_scenario", "way_is_wanted",
]
