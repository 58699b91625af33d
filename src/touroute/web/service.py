"""Between the HTTP layer and the planner: request validation with field-named errors, form parsing, planning.

Both the HTML views and the REST API go through here, so a bad value gets the same message — naming the field —
whichever door it came in by.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .. import provinces as prov
from ..itinerary import Itinerary
from ..messages import LANGS, text
from ..model import PlanRequest
from ..planner import PlanningContext, PlanningError, plan
from ..pois import TAGS

TOP_FIELDS = tuple(PlanRequest.model_fields)


@dataclass
class RequestProblem(Exception):
    """A 4xx the user can fix: a message and the fields at fault."""

    message: str
    fields: list[dict[str, str]] = field(default_factory=list)
    status: int = 422

    def __str__(self) -> str:
        return self.message

    def as_json(self) -> dict:
        return {"error": self.message, "fields": self.fields}


_MODEL_HINTS = (  # model-level validator messages → the field they are about
    (r"^day_end", "day_end"), (r"^lunch", "lunch"), (r"^overnight\.fixed", "overnight.fixed"),
    (r"^overnight\.pinned", "overnight.pinned"), (r"^lock of", "locks"), (r"must-visit and excluded", "exclude"),
    (r"^themes|^categories lists", "themes"), (r"^max_driving_minutes_per_day", "max_driving_minutes_per_day"),
    (r"lat and lon|coordinates", None),
)


def _field_of(loc: tuple, msg: str) -> str:
    path = ".".join(str(x) for x in loc)
    if path:
        return path
    for pattern, name in _MODEL_HINTS:
        if name and re.search(pattern, msg):
            return name
    return "request"


_ERROR_KEYS = {"greater_than_equal": "err_greater_than_equal", "less_than_equal": "err_less_than_equal",
               "greater_than": "err_greater_than", "less_than": "err_less_than", "missing": "err_missing",
               "int_parsing": "err_number", "int_type": "err_number", "int_from_float": "err_number",
               "float_parsing": "err_number", "float_type": "err_number", "date_parsing": "err_date",
               "date_from_datetime_parsing": "err_date", "date_type": "err_date", "time_parsing": "err_time",
               "time_type": "err_time", "literal_error": "err_literal", "string_too_long": "err_too_long",
               "extra_forbidden": "err_extra"}
"""pydantic's error types → message keys: the form shows a bound as the request states it, in the page's language
("days: phải nhỏ hơn hoặc bằng 14", not "Input should be less than or equal to 14")."""


def validation_fields(exc: ValidationError) -> list[dict[str, str]]:
    """Every invalid field: ``field`` (dotted path), ``message`` (English) and, for the common kinds of error,
    ``message_vi`` — our own validators' messages are English only."""
    out = []
    for err in exc.errors():
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        loc = tuple(err.get("loc", ()))
        # a nested model's own validator (e.g. PlaceRef) reports at the model's location: keep it
        item = {"field": _field_of(loc, msg), "message": msg}
        key = _ERROR_KEYS.get(str(err.get("type", "")))
        if key is not None:
            ctx = {k: (f"{v:g}" if isinstance(v, float) else str(v)) for k, v in (err.get("ctx") or {}).items()}
            try:
                item["message"] = text(key, "en", **ctx)
                item["message_vi"] = text(key, "vi", **ctx)
            except (KeyError, IndexError):  # a bound the text does not name: keep pydantic's words
                pass
        out.append(item)
    return out


MAX_NESTING = 64  # no request or spec needs more than a handful of levels


def check_nesting(raw: bytes | str, field: str, limit: int = MAX_NESTING) -> None:
    """Refuse bodies nested deeper than ``limit`` brackets (``[[[[…`` / ``{"a":{"a":…``) before parsing: the JSON
    and YAML parsers recurse per level, and ten kilobytes of brackets would exhaust the interpreter's stack (a 500).
    Brackets inside strings are not counted."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    depth, in_str, esc, quote = 0, False, False, ""
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == quote:
                in_str = False
        elif ch in "\"'":
            in_str, quote = True, ch
        elif ch in "[{":
            depth += 1
            if depth > limit:
                raise RequestProblem(f"{field}: nested more than {limit} levels deep",
                                     [{"field": field, "message": f"nested more than {limit} levels"}], 400)
        elif ch in "]}":
            depth = max(0, depth - 1)


def _validated(model: Any, data: Any, what: str, not_object: str) -> Any:
    """``model`` validated from a JSON body, or :class:`RequestProblem`: 400 when the body is not an object, 422
    naming every bad field otherwise."""
    if not isinstance(data, dict):
        raise RequestProblem(not_object, [{"field": "request", "message": "expected a JSON object"}], 400)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        fields = validation_fields(exc)
        raise RequestProblem(f"invalid {what}: " + "; ".join(f"{f['field']}: {f['message']}" for f in fields),
                             fields) from None


def parse_request(data: Any, *, max_seconds: float | None = None) -> PlanRequest:
    """A validated PlanRequest or :class:`RequestProblem` naming every bad field."""
    req = _validated(PlanRequest, data, "plan request", "the request body must be a JSON object (the fields of "
                                                       "PlanRequest)")
    problems: list[dict[str, str]] = []
    if max_seconds is not None and req.solver.time_limit_s > max_seconds:
        problems.append({"field": "solver.time_limit_s",
                         "message": f"must be ≤ {max_seconds:g} seconds on this server"})
    for fname, names in (("provinces", req.provinces), ("regional.must_cover", req.regional.must_cover)):
        for i, name in enumerate(names):
            try:
                if not prov.resolve(name):
                    raise ValueError(f"unknown province {name!r}")
            except ValueError as exc:
                problems.append({"field": f"{fname}.{i}", "message": str(exc).split("; known:")[0]})
    for i, tag in enumerate(req.tags):
        if tag not in TAGS:
            problems.append({"field": f"tags.{i}", "message": f"unknown tag {tag!r}"})
    if problems:
        raise RequestProblem("invalid plan request: " + "; ".join(f"{f['field']}: {f['message']}" for f in problems),
                             problems)
    return req


def run_plan(req: PlanRequest, ctx: PlanningContext, *, seconds: float | None = None,
             previous: Itinerary | None = None) -> tuple[Itinerary, float]:
    """Plan (optionally with another solver time limit, warm-started from ``previous`` after an edit); unknown ids
    etc. become :class:`RequestProblem`.

    The solve holds one of the worker's solver slots (:mod:`touroute.web.limits`; none free in time →
    :class:`~touroute.web.limits.PlannerBusy`, a 503) and runs under a hard deadline — the request's
    ``solver.time_limit_s`` + ``PLAN_GRACE_SECONDS`` from the moment it got the slot, re-solves for the regional
    rules included; the model building and the itinerary add a few tenths of a second. It runs in one of the
    worker's low-priority solver threads, so pages are served first when the CPUs are busy. Returns the
    itinerary and the seconds it took."""
    from .limits import in_solver_thread, plan_deadline, plan_slot

    if seconds is not None:
        req = req.model_copy(update={"solver": req.solver.model_copy(update={"time_limit_s": seconds})})
    t0 = time.perf_counter()
    try:
        with plan_slot():
            t0 = time.perf_counter()
            it = in_solver_thread(plan, req, ctx, geometry=True, previous=previous, deadline=plan_deadline(t0, req))
    except PlanningError as exc:
        msg = str(exc)
        fieldname = exc.field or "request"
        raise RequestProblem(msg, [{"field": fieldname, "message": msg.split(":", 1)[-1].strip()}]) from None
    except ValueError as exc:  # unknown category/province/tag reaching the catalogue filter
        msg = str(exc)
        fieldname = "categories" if "category" in msg else "tags" if "tag" in msg else "provinces"
        raise RequestProblem(msg, [{"field": fieldname, "message": msg}]) from None
    return it, time.perf_counter() - t0


def plan_title(req: PlanRequest, it: Itinerary | None, ctx: PlanningContext, lang: str = "vi") -> str:
    """The automatic title of a plan — start → end · days · start date — in ``lang``, from the catalogue's names
    and the words of :mod:`touroute.messages`. Built from the request's parts alone, so it can be rebuilt in any
    language when the plan is shown (:func:`display_title`)."""
    def nm(ref) -> str:
        if ref is None:
            return nm(req.start)
        if ref.id and ref.id in ctx.catalogue:
            p = ctx.catalogue.get(ref.id)
            return p.name_en if lang == "en" else p.name_vi
        return ref.name or f"{ref.lat:.3f},{ref.lon:.3f}"

    days = text("one_day", lang) if req.days == 1 else text("n_days", lang, n=req.days)
    return text("plan_title", lang, start=nm(req.start), end=nm(req.end), days=days,
                date=f"{req.start_date:%d/%m/%Y}")


def display_title(saved, ctx: PlanningContext, lang: str) -> str:
    """The title of a saved plan as shown in ``lang``.

    A saved plan stores its title as text in the language it was made in (and the API returns that text). When
    the stored text is the automatic title in any language — for old plans too — it is rebuilt from the saved
    request in the page's language, so a Vietnamese page never shows "2 days"; a title the user typed is shown
    as typed. An unreadable old request keeps the stored text."""
    try:
        req = PlanRequest.model_validate(saved.request)
        if any(saved.title == plan_title(req, None, ctx, other) for other in LANGS):
            return plan_title(req, None, ctx, lang)
    except (ValueError, TypeError, KeyError):
        pass
    return saved.title


# ---------------------------------------------------------------------------------------------------------------
# The HTML form → request JSON
# ---------------------------------------------------------------------------------------------------------------
def resolve_place(value: str, ctx: PlanningContext, *, endpoint: bool = False) -> str | dict | None:
    """A form's place text → catalogue id, coordinates or None (:meth:`touroute.pois.Catalogue.resolve`; the start
    and end are ``endpoint``: a town's name means its hub)."""
    return ctx.catalogue.resolve(value, endpoint=endpoint)


def _num(form, key: str, cast=float):
    raw = (form.get(key) or "").strip().replace(" ", "")
    if raw == "":
        return None
    try:
        return cast(raw)
    except ValueError:
        return raw  # pydantic names the field and says what is wrong


def form_to_request(form, ctx: PlanningContext) -> dict:
    """The planning form (a MultiDict) as PlanRequest JSON; place names are resolved, ids kept."""
    problems: list[dict[str, str]] = []
    data: dict[str, Any] = {}
    for key in ("start", "end"):
        raw = form.get(f"{key}_id") or form.get(key) or ""
        if not raw.strip():
            if key == "start":
                problems.append({"field": "start", "message": "required"})
            continue
        ref = resolve_place(raw, ctx, endpoint=True)
        if ref is None:
            problems.append({"field": key, "message": ctx.catalogue.no_match_message(raw, "in the catalogue",
                                                                                     endpoint=True)})
        else:
            data[key] = ref
    data["start_date"] = (form.get("start_date") or "").strip() or date.today().isoformat()
    for key, cast in (("days", int), ("group_size", int), ("max_driving_minutes_per_day", int)):
        v = _num(form, key, cast)
        if v is not None:
            data[key] = v
    for key in ("day_start", "day_end", "pace"):
        if form.get(key):
            data[key] = form.get(key)
    if form.get("vehicle"):
        data["vehicle"] = form.get("vehicle")
    themes = {}
    for c in ("heritage", "coastal", "mice", "other"):
        v = _num(form, f"theme_{c}")
        if v is not None:
            themes[c] = v
    data["themes"] = themes
    cats = [c for c, w in themes.items() if isinstance(w, (int, float)) and w > 0]
    data["categories"] = cats or ["heritage", "coastal", "other"]
    for key in ("must_visit", "exclude"):
        ids = []
        for raw in form.getlist(key):
            for part in raw.split(","):
                part = part.strip()
                if not part:
                    continue
                ref = part if part in ctx.catalogue else resolve_place(part, ctx)
                if not isinstance(ref, str):
                    problems.append({"field": key, "message": ctx.catalogue.no_match_message(part, "in the catalogue")})
                else:
                    ids.append(ref)
        data[key] = list(dict.fromkeys(ids))
    data["provinces"] = [p for p in form.getlist("provinces") if p]
    # the form offers the legacy provinces side by side (Đà Nẵng and Quảng Nam), so its names mean those
    data["province_scheme"] = form.get("province_scheme") or "legacy"
    regional: dict[str, Any] = {"must_cover": [p for p in form.getlist("must_cover") if p]}
    for key, fkey, cast in (("min_stops_per_province", "min_stops", int),
                            ("min_visit_hours_per_province", "min_hours", float)):
        v = _num(form, fkey, cast)
        if v is not None:
            regional[key] = v
    share = _num(form, "max_share")
    if isinstance(share, float) and not 0 < share <= 100:  # the form asks for a percentage, the request a share
        problems.append({"field": "max_share", "message": f"a percentage above 0 and at most 100, got {share:g}"})
    elif share is not None:
        regional["max_share_one_province"] = share / 100.0 if isinstance(share, float) else share
    data["regional"] = regional
    costs: dict[str, Any] = {"include_fees": bool(form.get("include_fees"))}
    for key, fkey in (("vehicle_per_km", "vehicle_per_km"), ("lodging_per_night_per_person", "lodging_cost")):
        v = _num(form, fkey)
        if v is not None:
            costs[key] = v
    data["costs"] = costs
    if not form.get("lunch"):
        data["lunch"] = None
    data["evenings"] = bool(form.get("evenings"))
    data["overnight"] = {"along_the_way": bool(form.get("along_the_way")), "islands": bool(form.get("islands"))}
    secs = _num(form, "seconds")
    if secs is not None:
        data["solver"] = {"time_limit_s": secs}
    if problems:
        raise RequestProblem("; ".join(f"{p['field']}: {p['message']}" for p in problems), problems)
    return data


class PlanEdit(BaseModel):
    """One edit of a saved plan through the API (the HTML editor posts the same fields as a form)."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["remove", "lock", "unlock", "add", "hub"]
    place_id: str | None = Field(default=None, max_length=200, description="the place (remove, lock, unlock, add)")
    day: int | None = Field(default=None, ge=1, le=14, description="the day to lock the place to (lock)")
    night: int | None = Field(default=None, ge=1, le=13, description="night number, 1 = after day 1 (hub)")
    hub: str | None = Field(default=None, max_length=200, description="hub id (hub); empty to un-pin the night")


def parse_edit(data: Any) -> dict[str, str]:
    """A validated API edit as the string fields :func:`apply_edit` reads, or :class:`RequestProblem`."""
    edit = _validated(PlanEdit, data, "edit", "the body must be a JSON object")
    return {k: str(v) for k, v in edit.model_dump(exclude_none=True).items()}


def apply_edit(request_json: dict, form, catalogue=None) -> dict:
    """The editor's actions on a saved request: lock a stop to a day, remove a stop, add a place, pin a night.

    ``add`` takes the place the autocomplete picked (``place_id``) or, when the user typed a name and pressed the
    button without picking (a review: "place_id: required for add", a field nobody can see), the name in
    ``place_query`` read as the planning form reads typed places (``catalogue.resolve``)."""
    data = json.loads(json.dumps(request_json))
    action = form.get("action", "")
    pid = (form.get("place_id") or "").strip()
    typed = (form.get("place_query") or "").strip()
    if action == "add" and not pid and typed and catalogue is not None:
        found = catalogue.resolve(typed)
        if not isinstance(found, str):
            raise RequestProblem(catalogue.no_match_message(typed, "in the catalogue"),
                                 [{"field": "place_query",
                                   "message": catalogue.no_match_message(typed, "in the catalogue")}], 400)
        pid = found
    if action in ("remove", "lock", "unlock", "add") and not pid:
        raise RequestProblem(f"the {action} edit needs a place",
                             [{"field": "place_id", "message": f"required for {action}"}], 400)
    if action == "lock" and not isinstance(_num(form, "day", int), int):
        raise RequestProblem("the lock edit needs a day", [{"field": "day", "message": "required for lock: a day "
                                                                                        "number 1–14"}], 400)
    if action == "hub" and not isinstance(_num(form, "night", int), int):
        raise RequestProblem("the hub edit needs a night", [{"field": "night", "message": "required for hub: a "
                                                                                          "night number"}], 400)
    if action == "remove" and pid:
        data["must_visit"] = [p for p in data.get("must_visit", []) if p != pid]
        data["locks"] = [lk for lk in data.get("locks", []) if lk.get("place_id") != pid]
        data["exclude"] = list(dict.fromkeys(list(data.get("exclude", [])) + [pid]))
    elif action == "lock" and pid:
        day = _num(form, "day", int)
        data["locks"] = [lk for lk in data.get("locks", []) if lk.get("place_id") != pid] + [
            {"place_id": pid, "day": day}]
        data["exclude"] = [p for p in data.get("exclude", []) if p != pid]
    elif action == "unlock" and pid:
        data["locks"] = [lk for lk in data.get("locks", []) if lk.get("place_id") != pid]
    elif action == "add" and pid:
        data["must_visit"] = list(dict.fromkeys(list(data.get("must_visit", [])) + [pid]))
        data["exclude"] = [p for p in data.get("exclude", []) if p != pid]
    elif action == "hub":
        night = _num(form, "night", int)
        hub = (form.get("hub") or "").strip()
        ov = dict(data.get("overnight") or {})
        pinned = {str(k): v for k, v in (ov.get("pinned") or {}).items()}
        if hub:
            pinned[str(night)] = hub
        else:
            pinned.pop(str(night), None)
        if ov.get("mode") == "fixed" and isinstance(night, int) and 1 <= night <= len(ov.get("fixed", [])) and hub:
            fixed = list(ov["fixed"])
            fixed[night - 1] = hub
            ov["fixed"] = fixed
        else:
            ov["pinned"] = pinned
        data["overnight"] = ov
    else:
        raise RequestProblem(f"unknown edit action {action!r} or missing place",
                             [{"field": "action", "message": "choose remove, lock, unlock, add or hub"}], 400)
    return data
