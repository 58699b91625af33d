"""Vehicle vocabulary has one definition: touroute.network.profiles.PROFILES (issue 14, item 5)."""

from __future__ import annotations

import re
import typing
from dataclasses import replace
from pathlib import Path

from touroute import model
from touroute.network import profiles

ROOT = Path(__file__).resolve().parents[1]


def test_the_request_model_names_the_profiles():
    assert typing.get_args(model.Profile) == profiles.PROFILE_NAMES


def test_seats_costs_and_driving_caps_come_from_the_profiles():
    for name, p in profiles.PROFILES.items():
        assert model.PROFILE_SEATS[name] == p.seats and model.DEFAULT_VEHICLE_COST_PER_KM[name] == p.cost_per_km_vnd
        for pace in ("relaxed", "normal", "packed"):
            assert model.DEFAULT_DRIVING_MINUTES[pace][name] == p.driving_minutes[pace]
    assert list(model.PROFILE_SEATS.values()) == sorted(model.PROFILE_SEATS.values())  # smallest vehicle first


def test_planner_fields_do_not_invalidate_built_networks(monkeypatch):
    """Seats and costs are not routing: changing them keeps the network cache key; a speed change does not."""
    before = profiles.profiles_fingerprint()
    car = profiles.PROFILES["car"]
    monkeypatch.setitem(profiles.PROFILES, "car", replace(car, seats=5, cost_per_km_vnd=1.0))
    assert profiles.profiles_fingerprint() == before
    monkeypatch.setitem(profiles.PROFILES, "car", replace(car, max_kmh=100))
    assert profiles.profiles_fingerprint() != before


def test_no_module_spells_out_the_vehicle_list():
    """The list "car", "van", "coach", "motorbike" is written once (the profiles) — plus the type checkers' Literal."""
    pattern = re.compile(r'"car",\s*"van",\s*"coach",\s*"motorbike"')
    owners = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "src" / "touroute").rglob("*.py")
                    if pattern.search(p.read_text(encoding="utf-8")))
    assert owners == ["src/touroute/model.py"], owners
