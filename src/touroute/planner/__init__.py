"""From a request to an itinerary: the planning model on top of the catalogue, the travel matrix and the solver.

The mapping (documented in docs/planner.md):

* one **route per day** on one absolute clock (seconds since 00:00 of the first day), ``[day_start, day_end]``;
* **lodging**: day 1 starts at the start place, the last day ends at the end place, every other day ends at one of
  the candidate hubs and the next day starts there (``chained``) — the optimiser chooses the nights unless the
  request fixes or pins them;
* **opening hours** become start-of-visit windows per day (the visit must end before closing); places whose hours
  are unknown are treated as open during the day and flagged;
* **lunch** is the route break; the **driving cap** is the route's travel limit;
* **ferries**: island places can only be visited between the first boat out (+ crossing) and the last boat back;
  a night pinned to an island hub is an island stay with mandatory boat nodes (``touroute.islands``);
* **regional rules** are province groups with minimum visits; the rules that are not counts (minimum hours,
  maximum share) are exact constraints of the CP-SAT master problem (``solve.master``), with re-solving under
  tightened counts as the fallback when it finds nothing; all are verified after solving;
* **long trips** (and share / hour rules) take their overnight hubs from the master problem instead of enumerating
  every chain of hubs (:func:`use_master`);
* **locks** restrict a place's windows to its day and make it mandatory.

The package follows those steps, one module each:

=============  =====================================================================================
``value``      what a visit is worth: attractiveness, the convex value, similarity, sight units
``context``    :class:`PlanningContext`: catalogue, matrices and caches reused between plans
``model``      request + catalogue + travel times → the orienteering problem (:func:`build_model`)
``rules``      solving with the regional rules (search, CP-SAT master, re-solves, rescue)
``assemble``   solution → :class:`~touroute.itinerary.Itinerary`
``explain``    why a place is not in the plan (headline sites with the cost of keeping them)
``plan``       :func:`plan` and :class:`Planner`, end to end
=============  =====================================================================================
"""

from __future__ import annotations

from ..pois import is_access_point  # noqa: F401 — re-exported: planning treats access points specially
from .assemble import PLANNER_ADVICE_PREFIXES, THEME_NOTE_PREFIX
from .context import PlanningContext, PlanningError
from .explain import NO_TIMETABLE
from .model import build_model
from .plan import Planner, plan
from .rules import MASTER_MIN_DAYS, use_master
from .value import (
    DRIVING_COST_PER_HOUR,
    HEADLINE_MIN_ATTRACTIVENESS,
    SIMILAR_DECAY,
    STOP_COST,
    VALUE_EXPONENT,
    attractiveness,
    place_value,
    sight_units,
    similarity_key,
    stop_value,
)

__all__ = ["PlanningContext", "PlanningError", "Planner", "plan", "build_model", "use_master", "attractiveness",
           "place_value", "sight_units", "similarity_key", "NO_TIMETABLE", "MASTER_MIN_DAYS", "VALUE_EXPONENT",
           "SIMILAR_DECAY", "STOP_COST", "stop_value", "HEADLINE_MIN_ATTRACTIVENESS", "DRIVING_COST_PER_HOUR",
           "THEME_NOTE_PREFIX", "PLANNER_ADVICE_PREFIXES"]


def __getattr__(name: str):
    """Private helpers some tests and benchmarks reach (``_solve_with_rules``) stay reachable by their old path."""
    from . import assemble, explain, model, rules, value

    for mod in (rules, model, explain, assemble, value):
        if hasattr(mod, name):
            return getattr(mod, name)
    raise AttributeError(f"module 'touroute.planner' has no attribute {name!r}")
