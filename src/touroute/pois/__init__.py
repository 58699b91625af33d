"""POI catalogue: load, validate and filter the curated places of the region.

The catalogue is hand-reviewed CSV in ``data/poi/`` (schema in ``data/poi/SCHEMA.md``). One module per job:
:mod:`.record` (the schema and the typed :class:`Poi`), :mod:`.validate` (reading and checking the files, every problem
with file, line, field and value) and :mod:`.catalogue` (the loaded :class:`Catalogue` with attractiveness joined).
"""

from __future__ import annotations

from ..geo import haversine_m  # noqa: F401 — re-exported (catalogue users measure distances with it)
from .record import (ACCESS_COLUMNS, ACCESS_FILE, ACCESS_MODES, ACCESS_SUBCATEGORIES, ACCESS_TAG, Access, CATEGORIES,
                     COLUMNS, DEFAULT_VISIT_MINUTES, FACTS, Poi, SAME_NAME_MIN_METRES, STALE_AFTER_YEARS,
                     SUBCATEGORIES, TAGS, UNDATED, OUTDOOR_SUBCATEGORIES, daylight_only, is_access_point, is_stale,
                     is_visit, known_seats, open_intervals)
from .validate import (CATALOGUE_DIR_ENV, PART_OF_ACCESS_MAX_METRES, PART_OF_ACCESS_TAGS, PART_OF_MAX_METRES,
                       REQUIRED, catalogue_dir, default_paths, validate_files)
from .catalogue import (ATTRACTIVENESS_FILE, Catalogue, attractiveness_file, default_catalogue, join_attractiveness,
                        load_catalogue)


def __getattr__(name: str):
    """Private helpers (``_coerce``, ``_FieldError`` …) stay reachable by their old path for curators' scripts."""
    from . import catalogue, record, validate

    for mod in (record, validate, catalogue):
        if hasattr(mod, name):
            return getattr(mod, name)
    raise AttributeError(f"module 'touroute.pois' has no attribute {name!r}")
