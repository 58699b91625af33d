"""OSRM as the road engine for networks too large for the embedded path (a country extract).

Why OSRM, and why over HTTP: the embedded path (osmnx → scipy Dijkstra) holds the whole graph in Python and walks
it once per matrix row; BENCHMARKS.md ("Road networks at country scale") shows it growing to tens of GB for
Vietnam's extract. OSRM preprocesses the extract once (multi-level Dijkstra: extract → partition → customize) and
answers a 1000 × 1000 table in about 2 s over HTTP, at any size up to Vietnam's. Its Python wheels (``osrm-bindings``) exist only for
Python ≥ 3.12 while touroute supports 3.11, and OSRM is deployed at scale as ``osrm-routed`` servers behind HTTP —
so the engine lives in **its own environment** (``touroute engine install`` makes a Python ≥ 3.12 venv under
``$TOUROUTE_DATA_DIR/engine/venv`` and installs ``osrm-bindings`` there, which ships OSRM's programs), and touroute
talks to it over HTTP. ``TOUROUTE_OSRM_BIN`` points at an OSRM you installed yourself instead.

The pieces, in pipeline order:

* :func:`profile_lua` — the project's vehicle profiles (:data:`~touroute.network.profiles.PROFILES`: car, van,
  coach, motorbike) as OSRM Lua profiles, generated from the same speed table the embedded path uses, so a
  vehicle is defined once. They reuse OSRM's own car profile for tag handling and override what touroute decides:
  speeds per road class (a class the vehicle may not use is inaccessible: no motorway for motorbikes, no alleys
  for coaches), a posted ``maxspeed`` caps the class speed (motorways: 90 % of the posted limit), the vehicle's
  legal top speed, the access keys, the ferry speed; the weight is the duration (fastest route, as embedded).
* :func:`build_engine` — ``touroute network build SOURCE --engine osrm``: one OSRM dataset per profile under
  ``$TOUROUTE_DATA_DIR/engine/<name>/<profile>/``, with its build time and peak memory recorded.
* :class:`EngineServer` — ``touroute engine serve``: ``osrm-routed`` processes (one or more replicas per
  profile) on loopback, and the ``TOUROUTE_OSRM_URL`` value that reaches them.
* :class:`OsrmClient` — the HTTP client: per profile a list of URLs used in turn (load spread); a URL that fails
  is rested for a while and the next one is tried (fail-over); when every URL of a profile fails the call raises
  :class:`EngineUnavailableError`, which :class:`touroute.matrix.TravelTimes` turns into a warning and the
  embedded or estimated legs.
* :class:`EngineNetwork` — the client seen as one more road network by :class:`touroute.matrix.TravelTimes`
  (``snap_many``, ``travel_matrix``, ``route``), so matrices, leg geometry and snapping go through the engine
  when it is configured and the embedded path stays the zero-setup default.

Map data © OpenStreetMap contributors (ODbL 1.0); OSRM is BSD-2-Clause (Project OSRM contributors).
"""

from __future__ import annotations

from ..errors import EngineError, EngineRefusedError, EngineUnavailableError
from .build import EngineBuild, build_engine, list_engine_builds, load_engine_build
from .client import OsrmClient, parse_engine_urls
from .install import OSRM_REQUIREMENT, engine_bin, engine_root, find_engine_python, install_engine
from .lua import profile_lua
from .network import ENGINE_NAME, EngineNetwork
from .server import EngineServer

__all__ = ["ENGINE_NAME", "OSRM_REQUIREMENT", "EngineBuild", "EngineError", "EngineNetwork", "EngineRefusedError",
           "EngineServer", "EngineUnavailableError", "OsrmClient", "build_engine", "engine_bin", "engine_root",
           "find_engine_python", "install_engine", "list_engine_builds", "load_engine_build", "parse_engine_urls",
           "profile_lua"]
