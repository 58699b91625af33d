"""What a visit is worth to a traveller: attractiveness, the convex value, similarity groups, sight units and
the coach drivers' rests (issue 12). Constants are documented where they are defined."""

from __future__ import annotations

import numpy as np

from ..attractiveness import CAP
from ..model import COACH_MAX_CONTINUOUS_MINUTES, DRIVER_REST_MINUTES, SIGHT_UNIT_MINUTES
from ..pois import Poi

DAY = 86_400.0


MEAL_ON_SITE_MIN = 240.0
"""Visits at least this long include lunch on site (theme parks, island trips) instead of a separate break."""


VALUE_EXPONENT = 2.0
"""A place's value is ``theme weight × 100 × (attractiveness / 100) ** VALUE_EXPONENT``: value grows faster than
attractiveness, so one must-see (100 → 100) beats several minor stops (30 → 9 each). Chosen on the tuning
programmes of ``benchmarks/bench_itineraries.py`` (BENCHMARKS.md, "Expert itineraries")."""


SIMILAR_DECAY = 0.65
"""The k-th best visit of one kind of sight (royal tombs, pagodas, beaches …) or of one site cluster in a day keeps
``SIMILAR_DECAY ** k`` of its value: the second tomb of a day is worth 65 %, the fourth about a quarter. Chosen on the
tuning programmes (0.5 → 0.65 lifted tune recall 0.61 → 0.64: at 0.5 a Huế day took a minor temple and the royal
arena over the second royal tomb that Huế programmes visit; 0.65, 0.7 and 0.8 score alike, seeds 0–1)."""


STOP_COST = 3.0
"""Value a traveller gives up for each stop (on the scale where the Imperial City is worth 100), beside its time:
parking, tickets, the walk in, one more thing to take in. A sight must be worth the stop — attractiveness above
about 17 (value 3) — so days are not filled with stops nobody would publish (a memorial worth 3, a town church worth
3). Chosen on the tuning programmes of ``benchmarks/bench_itineraries.py`` (BENCHMARKS.md, "Expert itineraries"):
0 / 3 / 5 gave recall 0.665 / 0.671 / 0.665 and 5.0 / 4.8 / 4.5 sights a day (published programmes: 3–4), 5 at
the price of longer driving (max 6.5 h a day). MICE venues and lodging are business, not sights, and pay none."""


HEADLINE_MIN_ATTRACTIVENESS = 70.0
"""Attractiveness from which a place is a headline site (``Poi.headline``): kept in a plan that passes near it, or its
omission explained with what keeping it would have cost."""


DRIVING_COST_PER_HOUR = 4.0
"""Value a traveller gives up for each hour on the road (on the scale where the Imperial City is worth 100): a far
sight must be worth its drive. 5 h of driving to see one site cost as much as a site of attractiveness 45."""


def attractiveness(poi: Poi) -> float:
    """A place's attractiveness on the value scale: the catalogue's 1–100 score from its evidence, except that a
    place at the cap counts its uncapped evidence points (``Poi.evidence_points``); the legacy 1–10 popularity × 10
    for a catalogue without the evidence file.

    Why the cap is lifted here: it is a display scale, and at the top it hid what the planner most needs to know.
    Hội An Ancient Town (evidence 128) and the Imperial City (127) both showed 100, barely above the Marble Mountains
    (93), so a day in Hội An spent its morning on Đà Nẵng's sights instead of the Ancient Town's half-day walk; with
    their evidence they are worth 164 and 161 against the Marble Mountains' 87. Only the places whose evidence
    exceeds the scale change (three today; data/poi/SCHEMA.md)."""
    value = getattr(poi, "attractiveness", None)
    if value is None:
        return float(poi.popularity) * 10.0
    points = getattr(poi, "evidence_points", None)
    if value >= CAP and points is not None and points > value:
        return float(points)
    return float(value)


def place_value(poi: Poi, weights: dict[str, float]) -> float:
    """What a visit of ``poi`` is worth to this traveller (see :data:`VALUE_EXPONENT`)."""
    return weights.get(poi.category, 0.0) * 100.0 * (attractiveness(poi) / 100.0) ** VALUE_EXPONENT


def net_of_stop(value: float) -> float:
    """A sight stop's value less :data:`STOP_COST`, never below 0 (a stop not worth it is left out and says so)."""
    return max(0.0, value - STOP_COST)


def stop_value(poi: Poi, weights: dict[str, float]) -> float:
    """What a stop at ``poi`` adds to a plan: its :func:`place_value`, :func:`net_of_stop` for a sight (MICE venues
    and lodging pay no stop cost)."""
    value = place_value(poi, weights)
    return net_of_stop(value) if similarity_key(poi) is not None else value


def sight_units(minutes: float) -> int:
    """Sight units of a visit of ``minutes`` (:data:`touroute.model.SIGHT_UNIT_MINUTES`)."""
    return 1 + sum(1 for bound in SIGHT_UNIT_MINUTES if minutes > bound)


def similarity_key(poi: Poi) -> str | None:
    """Visits of one kind in one day give diminishing returns: components of one site share their site's key,
    other sights share their subcategory (royal tombs, pagodas, beaches …). MICE venues are business, not sights."""
    if poi.category in ("mice", "lodging"):
        return None
    return f"site:{poi.part_of}" if poi.part_of else f"kind:{poi.subcategory}"


def with_driver_rests(seconds: np.ndarray, block_minutes: float = COACH_MAX_CONTINUOUS_MINUTES,
                      rest_minutes: float = DRIVER_REST_MINUTES) -> np.ndarray:
    """Legs with the rests on the way: ``rest_minutes`` for every full ``block_minutes`` of driving in one leg (a
    stop on the way, not a sight) — coaches by the drivers' legal 4-hour rule (the defaults), motorbikes every 2 h
    (:data:`~touroute.model.MOTORBIKE_MAX_CONTINUOUS_MINUTES`)."""
    block = block_minutes * 60.0
    return seconds + np.floor(seconds / block) * rest_minutes * 60.0
