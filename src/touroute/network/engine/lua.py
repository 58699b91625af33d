"""The project's vehicle profiles as OSRM Lua profiles, generated from the one speed table
(:mod:`touroute.network.profiles`) so a vehicle is defined once for both routing paths.

Two shapes of the same Lua:

* :func:`profile_lua` — one vehicle, one extract (what ``osrm-extract -p`` reads for that vehicle alone);
* :func:`shared_profile_lua` — vehicles that drive on the same graph (the same access keys and road classes: the
  car and the van) in one extract. Why: ``osrm-extract`` is about four fifths of an OSRM build (BENCHMARKS.md,
  "OSRM build parameters"), and one extract per vehicle makes a Vietnam-size build of the four profiles take
  26 min on 2 cores. The shared profile runs each vehicle's rules on every way, keeps the first vehicle's reading
  (the carrier's: the graph, its turn restrictions and barriers are the same for all of them), and writes, per other
  vehicle, the node pairs whose speed differs as an OSRM segment-speed file. Each vehicle's dataset is then the
  shared graph customized with its own file (``osrm-customize --segment-speed-file``), which OSRM turns into
  durations and weights with the extract's own formula (distance ÷ speed in m/s, in deciseconds;
  ``src/updater/updater.cpp`` and ``src/extractor/extraction_containers.cpp``) — the file carries the exact speed and
  rate for that. One difference remains: OSRM's updater gives an updated edge at least one decisecond per node and the
  extract does not, so tables differ by up to 0.2 s (BENCHMARKS.md).

  Vehicles on different graphs (the coach: no alleys, living streets or tracks; the motorbike: no motorways) are not
  shared: closing their roads with speed 0 in one graph was measured to change their answers — points snapped to
  pieces connected only by closed roads (unreachable), no U-turn at what is their dead end, turn costs of roads they
  cannot take (BENCHMARKS.md, "One extract for several vehicles").
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..profiles import ROAD_CLASSES, VehicleProfile, get_profile

_KEYS_NOT_BLACKLISTED = ("bus", "psv", "minibus", "coach", "tourist_bus", "motorcycle")
"""OSRM's car profile refuses these access values; a vehicle whose own access key is one of them may use them."""


_FOOTER = """return {
  setup = setup,
  process_way = process_way,
  process_node = base.process_node,
  process_turn = base.process_turn
}
"""
"""The module table every generated profile returns (OSRM calls these four functions)."""


def _lua_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _vehicle_table(prof: VehicleProfile) -> str:
    """One vehicle's rules as a Lua table literal (what :func:`_VEHICLE_LUA`'s functions read)."""
    speeds = {c: v for c, v in prof.speeds_kmh.items() if c not in ("alley", "ferry")}
    alley = prof.speeds_kmh.get("alley")
    lua_speeds = ",\n".join(f"    {c} = {v:g}" for c, v in speeds.items())
    return f"""{{
  name = {_lua_str(prof.name)},
  speeds = {{
{lua_speeds}
  }},
  alley = {f"{alley:g}" if alley is not None else "nil"},
  keys = {{ {", ".join(_lua_str(k) for k in prof.access_keys)} }},
  max_kmh = {prof.max_kmh:g},
  ferry_kmh = {prof.ferry_kmh:g}
}}"""


GUIDANCE_HANDLERS = ("destinations", "penalties", "classes", "turn_lanes", "way_classification_for_turn")
"""OSRM car way handlers the generated profiles skip, because nothing touroute asks OSRM for depends on them:
destination signs and turn lanes feed turn-by-turn guidance only, ``penalties`` changes the rate only when
``weight_name`` is ``routability`` (ours is ``duration``), ``classes`` only feeds exclude flags (none are declared)
and the turn classification only the turn function of other profiles. Each reads tags through the Lua bridge for
every way, and the profile's Lua was about 70 % of an extract (BENCHMARKS.md, "One extract for the car and the
van"). Kept on purpose although they look like guidance: ``names`` and ``classification`` — OSRM's intersection
analysis uses the names (segregated roads) and the lane counts (where along a road a turn angle is measured), and
the angles set the turn costs: without either, only 44–63 % of a Huế table stayed identical. Without the five above,
every table is identical cell for cell (BENCHMARKS.md, "Lean way handlers")."""

_CAR_WAY_HANDLERS = ("default_mode", "blocked_ways", "avoid_ways", "handle_height", "handle_width", "handle_length",
                     "handle_weight", "access", "oneway", "destinations", "ferries", "movables", "service", "hov",
                     "speed", "maxspeed", "surface", "vehicle_speed_cap", "penalties", "classes", "turn_lanes",
                     "classification", "roundabouts", "startpoint", "driving_side", "names", "weights",
                     "way_classification_for_turn")
"""The handler sequence of OSRM's ``car.lua`` ``process_way`` (osrm-bindings 6.0), in its order."""


def _header(names: str, osrm_profiles: Path, lean: bool = True) -> str:
    known = [c for c in ROAD_CLASSES if c not in ("alley", "ferry")]
    kept = [h for h in _CAR_WAY_HANDLERS if not (lean and h in GUIDANCE_HANDLERS)]
    handlers = ",\n".join(f"  WayHandlers.{h}" for h in kept)
    return f"""-- touroute vehicle profile {names} for OSRM.
-- Generated by touroute.network.engine.lua from touroute.network.profiles: do not edit, rebuild.
-- Builds on OSRM's car profile ({_lua_str(str(osrm_profiles))}) for tag handling.
package.path = {_lua_str(str(osrm_profiles) + "/?.lua")} .. ";" .. package.path
local base = require("car")

-- OSRM's car way handlers{" without those no duration depends on (touroute.network.engine.lua.GUIDANCE_HANDLERS)" if lean else ""}
local WAY_HANDLERS = Sequence {{
{handlers}
}}

-- car.lua's process_way with WAY_HANDLERS
local function car_way(profile, way, result, relations)
  local data = {{
    highway = way:get_value_by_key("highway"),
    bridge = way:get_value_by_key("bridge"),
    route = way:get_value_by_key("route")
  }}
  if (not data.highway or data.highway == "") and (not data.route or data.route == "") then return end
  WayHandlers.run(profile, way, result, data, WAY_HANDLERS, relations)
end

local KNOWN = Set {{ {", ".join(_lua_str(c) for c in known)} }}
local NOT_BLACKLISTED = {{ {", ".join(_lua_str(k) for k in _KEYS_NOT_BLACKLISTED)} }}

-- One vehicle's OSRM profile table: OSRM's car profile with the vehicle's speeds, top speed, ferry speed and keys.
local function vehicle_setup(v)
  local p = base.setup()
  p.properties.weight_name = "duration"
  p.speeds = Sequence {{ highway = v.speeds }}
  p.vehicle_max_speed = v.max_kmh
  p.speed_reduction = 0.9
  p.route_speeds = {{ ferry = v.ferry_kmh }}
  p.access_tags_hierarchy = Sequence(v.keys)
  local restrictions = {{}}
  for _, k in ipairs(v.keys) do
    if k ~= "access" then table.insert(restrictions, k) end
    p.access_tag_whitelist[k] = true
  end
  p.restrictions = Sequence(restrictions)
  for _, k in ipairs(NOT_BLACKLISTED) do
    for _, mine in ipairs(v.keys) do
      if mine == k then p.access_tag_blacklist[k] = nil end
    end
  end
  p.restricted_highway_whitelist["road"] = true
  p.restricted_highway_whitelist["track"] = true
  -- no exclude flags: touroute never asks OSRM to avoid tolls, motorways or ferries (a vehicle's classes decide),
  -- and each excludable set is one more metric osrm-customize computes and osrm-routed loads
  p.excludable = Sequence {{}}
  return p
end

local function cap(result, limit)
  if result.forward_speed > limit then result.forward_speed = limit end
  if result.backward_speed > limit then result.backward_speed = limit end
end

-- One vehicle's reading of a way: OSRM's car rules, then the vehicle's classes and speed caps.
local function vehicle_way(p, v, way, result, relations)
  car_way(p, way, result, relations)
  local hw = way:get_value_by_key("highway")
  if not hw or hw == "" then return end
  if KNOWN[hw] and not v.speeds[hw] then
    result.forward_mode = mode.inaccessible
    result.backward_mode = mode.inaccessible
    return
  end
  local limit = v.speeds[hw]
  if hw == "service" and way:get_value_by_key("service") == "alley" then
    if not v.alley then
      result.forward_mode = mode.inaccessible
      result.backward_mode = mode.inaccessible
      return
    end
    limit = v.alley
  end
  -- a posted maxspeed lowers the class speed but never raises it (motorways: 90 % of the posted limit)
  if limit and hw ~= "motorway" then cap(result, limit) end
end
"""


def graph_family(profile: VehicleProfile | str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What decides a vehicle's OSRM graph: its access keys and the road classes it may use (speeds aside).
    Vehicles of one family share an extract (:func:`shared_profile_lua`)."""
    prof = get_profile(profile) if isinstance(profile, str) else profile
    return tuple(prof.access_keys), tuple(sorted(prof.speeds_kmh))


def profile_lua(profile: VehicleProfile | str, osrm_profiles: Path, *, lean: bool = True) -> str:
    """OSRM Lua for ``profile`` alone, generated from its speed table (see the module docstring for the rules);
    ``lean=False`` keeps every car way handler (:data:`GUIDANCE_HANDLERS`, for the benchmark's comparison)."""
    prof = get_profile(profile) if isinstance(profile, str) else profile
    return _header(f"'{prof.name}' ({prof.label_en})", osrm_profiles, lean) + f"""
local VEHICLE = {_vehicle_table(prof)}

local function setup()
  return vehicle_setup(VEHICLE)
end

local function process_way(profile, way, result, relations)
  vehicle_way(profile, VEHICLE, way, result, relations)
end

""" + _FOOTER


def shared_profile_lua(profiles: Iterable[VehicleProfile | str], osrm_profiles: Path, speeds_dir: Path, *,
                       lean: bool = True) -> str:
    """OSRM Lua for several vehicles of one graph family (:func:`graph_family`) in one extract, writing each later
    vehicle's segment-speed file into ``speeds_dir``.

    The first vehicle carries the graph; every other vehicle gets the node pairs (``from,to,km/h,m/s``) where its
    speed differs from the first's (0 where it may not pass). Files are named ``<vehicle>-<hex>.csv``, one per
    extract thread (each thread has its own Lua state).
    """
    profs = [get_profile(p) if isinstance(p, str) else p for p in profiles]
    if not profs:
        raise ValueError("shared_profile_lua needs at least one vehicle")
    if len({graph_family(p) for p in profs}) > 1:
        raise ValueError(f"vehicles on different graphs cannot share an extract: {[p.name for p in profs]}")
    vehicles = ",\n".join(_vehicle_table(p) for p in profs)
    return _header("for " + ", ".join(f"'{p.name}'" for p in profs) + " in one extract", osrm_profiles, lean) + f"""
local VEHICLES = {{
{vehicles}
}}
local SPEEDS_DIR = {_lua_str(str(speeds_dir))}
local TAG = tostring(VEHICLES):match("0x(%x+)") or tostring(os.time())
local OUT = {{}}

local function setup()
  local shared = vehicle_setup(VEHICLES[1])
  shared.touroute_vehicles = {{}}
  for i, v in ipairs(VEHICLES) do shared.touroute_vehicles[i] = vehicle_setup(v) end
  return shared
end

-- ExtractionWay's defaults (include/extractor/extraction_way.hpp, clear()) for the fields OSRM's handlers read back
local function reset(result)
  result.forward_speed = -1
  result.backward_speed = -1
  result.forward_rate = -1
  result.backward_rate = -1
  result.duration = -1
  result.weight = -1
  result.forward_restricted = false
  result.backward_restricted = false
  result.roundabout = false
  result.circular = false
  result.is_startpoint = true
  result.forward_mode = mode.inaccessible
  result.backward_mode = mode.inaccessible
end

local function read(i, profile, way, result, relations)
  reset(result)
  vehicle_way(profile.touroute_vehicles[i], VEHICLES[i], way, result, relations)
  local r = {{ f = result.forward_mode ~= mode.inaccessible, b = result.backward_mode ~= mode.inaccessible,
              fs = result.forward_speed, bs = result.backward_speed, d = result.duration }}
  return r
end

local function out(i)
  local f = OUT[i]
  if not f then
    -- append: a later Lua state whose table happened to get a freed address must not truncate an earlier file
    f = assert(io.open(SPEEDS_DIR .. "/" .. VEHICLES[i].name .. "-" .. TAG .. ".csv", "a"))
    OUT[i] = f
  end
  return f
end

-- The speed and rate to write so that OSRM's updater reproduces the extract's duration and weight bit for bit: the
-- extract keeps a way's speed as a float in m/s (InternalExtractorEdge's ByEdgeOrByMeterValue) and divides the
-- distance by it, for the duration and (weight = duration) the weight; the updater divides the distance by
-- (km/h ÷ 3.6) in double for the duration and by the rate column for the weight. So write the double whose ÷ 3.6 is
-- exactly that float, and the float itself as the rate.
local EXACT = {{}}
local function exact(kmh)
  if kmh <= 0 then return "0" end
  local hit = EXACT[kmh]
  if hit then return hit end
  local t = string.unpack("f", string.pack("f", kmh / 3.6))
  local best = t * 3.6
  if best / 3.6 ~= t then
    local bits = string.unpack("<i8", string.pack("<d", best))
    for d = 1, 8 do
      local up = string.unpack("<d", string.pack("<i8", bits + d))
      local down = string.unpack("<d", string.pack("<i8", bits - d))
      if up / 3.6 == t then best = up break end
      if down / 3.6 == t then best = down break end
    end
  end
  hit = string.format("%.17g,%.17g", best, t)
  EXACT[kmh] = hit
  return hit
end

local function write_pairs(i, nodes, forward, speed)
  local s = exact(speed)
  local lines = {{}}
  for k = 1, #nodes - 1 do
    local a, b = nodes[k]:id(), nodes[k + 1]:id()
    if not forward then a, b = b, a end
    lines[#lines + 1] = a .. "," .. b .. "," .. s .. "\\n"
  end
  local f = out(i)
  f:write(table.concat(lines))
  f:flush()
end

local function process_way(profile, way, result, relations)
  local hw = way:get_value_by_key("highway")
  local route = way:get_value_by_key("route")
  if (not hw or hw == "") and (not route or route == "") then return end
  -- every vehicle after the first, then the first (the carrier): its reading is what the extract keeps
  local reads = {{}}
  for i = 2, #VEHICLES do reads[i] = read(i, profile, way, result, relations) end
  local c = read(1, profile, way, result, relations)
  if not c.f and not c.b then return end
  -- a way with one duration (a ferry) is the same for every vehicle that may use it; the others get speed 0
  local by_way = c.d and c.d > 0
  local nodes = nil
  for i = 2, #VEHICLES do
    local r = reads[i]
    local want_f = c.f and (r.f and r.fs or 0) or nil
    local want_b = c.b and (r.b and r.bs or 0) or nil
    if want_f and want_f ~= c.fs and (want_f == 0 or not by_way) then
      nodes = nodes or way:get_nodes()
      write_pairs(i, nodes, true, want_f)
    end
    if want_b and want_b ~= c.bs and (want_b == 0 or not by_way) then
      nodes = nodes or way:get_nodes()
      write_pairs(i, nodes, false, want_b)
    end
  end
end

""" + _FOOTER
