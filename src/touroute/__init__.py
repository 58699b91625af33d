"""touroute — tourism route and regional travel planner for Central and South-Central Vietnam.

The package is one pipeline, one module per concern::

    pois (catalogue) → network (OSM roads) → matrix (travel times) → model (request)
        → plan / solve (OR-Tools + our search) → itinerary → export / web / cli

The public API is this namespace (``import touroute as tr``; docs/api.md)::

    cat = tr.load_catalogue()                      # the curated places (data/poi)
    planner = tr.Planner(cat)                      # roads, matrices and caches, reused between plans
    it = planner.plan({"start_date": "2026-12-07", "days": 2,
                       "start": "hue-hub-hue-city", "end": "dn-city-centre"})
    it.feasible, it.days[0].stops, it.warnings

The CLI (`touroute.cli`) and the web app (`touroute.web`) are thin shells over this API. Names are loaded on first
use (PEP 562), so ``import touroute`` stays cheap for a tool that only needs the catalogue.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

from .messages import OSM_ATTRIBUTION  # noqa: E402,F401 — the credit lives with the other user-facing texts

# public name → module that defines it
_API: dict[str, str] = {
    # catalogue
    "load_catalogue": "pois", "Catalogue": "pois", "Poi": "pois", "Access": "pois",
    "quality_report": "quality", "QualityReport": "quality",
    # road networks and travel times
    "build_network": "network", "load_network": "network", "list_networks": "network", "RoadNetwork": "network",
    "OsmSource": "network", "PROFILES": "network", "TravelTimes": "matrix", "TravelMatrix": "matrix",
    # request → plan → itinerary
    "PlanRequest": "model", "Planner": "planner", "PlanningContext": "planner", "Itinerary": "itinerary",
    "DayPlan": "itinerary", "ItineraryStop": "itinerary", "Exclusion": "itinerary",
    # errors (one base class)
    "TourouteException": "errors", "DataError": "errors", "Problem": "errors", "PlanningError": "planner",
    "MatrixError": "matrix", "NetworkError": "network", "SettingsError": "settings",
    # configuration (the TOUROUTE_* environment variables; docs/settings.md)
    "Settings": "settings",
}

__all__ = ["__version__", "OSM_ATTRIBUTION", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'touroute' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # resolved once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # static tools see the real names
    from .errors import DataError, Problem, TourouteException
    from .itinerary import DayPlan, Exclusion, Itinerary, ItineraryStop
    from .matrix import MatrixError, TravelMatrix, TravelTimes
    from .model import PlanRequest
    from .network import PROFILES, NetworkError, OsmSource, RoadNetwork, build_network, list_networks, load_network
    from .planner import PlanningContext, PlanningError, Planner
    from .pois import Access, Catalogue, Poi, load_catalogue
    from .quality import QualityReport, quality_report
    from .settings import Settings, SettingsError
