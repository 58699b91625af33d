"""touroute — tourism route and regional travel planner for Central and South-Central Vietnam.

The package is one pipeline, one module per concern::

    pois (catalogue) → network (OSM roads) → matrix (travel times) → model (request)
        → solve (OR-Tools) → itinerary → export / web / cli

The CLI (`touroute.cli`) and the web app (`touroute.web`) are thin shells over this Python API.
"""

__version__ = "0.1.0"

OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL 1.0)"
