"""The result map (folium/Leaflet): routes along the roads, numbered stops, nights, legend, layers per day.

Everything the map needs is served by the app itself (``/vendor/…`` from the xstatic packages, ``/static/…``), so
the map works offline: with no tile server reachable it still shows the routes and stops over the offline base map
of :mod:`.basemap` — Vietnam's land and coastline, its provinces before and since 2025 (Natural Earth shapes) and the
region's main towns — and, when a road network is cached, its main roads. The web app serves the base map as one
cacheable JSON resource the page fetches (``basemap_url``); a stand-alone map file carries it inline. All text from
the catalogue or the user is HTML-escaped (and made safe for the JavaScript template literals folium puts popups and
tooltips in) before it reaches the page; the base map's names are escaped by the page's script (``esc``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import folium
from branca.element import Element, MacroElement
from jinja2 import Template
from markupsafe import Markup, escape

from ..export._common import access_text, closure_text, fee_text, hours_text, seats_text
from ..itinerary import DayPlan, Itinerary, ItineraryStop
from ..messages import text as t

DAY_COLOURS = ("#d1495b", "#00798c", "#edae49", "#30638e", "#8f5fb4", "#3c9d5d", "#e36414", "#5c4d7d",
               "#c0392b", "#2a9d8f", "#b5838d", "#264653", "#f4a261", "#6d597a")
CATEGORY_ICON = {"heritage": "fa-landmark", "coastal": "fa-umbrella-beach", "mice": "fa-people-group",
                 "other": "fa-tree", "lodging": "fa-bed"}
CATEGORY_COLOUR = {"heritage": "#a0522d", "coastal": "#1e88e5", "mice": "#8e24aa", "other": "#2e7d32",
                   "lodging": "#263238"}
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTR_HTML = ('&copy; <a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noopener">'
                 'OpenStreetMap</a> contributors (<a href="https://opendatacommons.org/licenses/odbl/" '
                 'target="_blank" rel="noopener">ODbL</a>)')


def h(value: object) -> Markup:
    """HTML-escape, and also neutralise what would break out of a JavaScript template literal (`` ` ``, ``$``,
    ``\\``) — folium inserts popup and tooltip HTML into `` `…` `` strings."""
    s = str(escape("" if value is None else value))
    return Markup(s.replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;"))


def day_colour(day: int) -> str:
    return DAY_COLOURS[(day - 1) % len(DAY_COLOURS)]


def _name(obj, lang: str) -> str:
    return (obj.name_en if lang == "en" else obj.name_vi) or obj.name_vi or obj.name_en


def _other_name(obj, lang: str) -> str:
    other = obj.name_vi if lang == "en" else obj.name_en
    return other if other and other != _name(obj, lang) else ""


def _hm(dt: datetime) -> str:
    return f"{dt:%H:%M}"


class _Script(MacroElement):
    """A snippet of JavaScript run after the map exists (``{map}`` is replaced by the map's variable)."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "Script"
        self.code = code

    def render(self, **kwargs):
        self.code = self.code.replace("{map}", self._parent.get_name())
        super().render(**kwargs)


def stop_popup(s: ItineraryStop, day: DayPlan, k: int, lang: str) -> str:
    """Popup HTML of a stop (every value escaped)."""
    fee = h(fee_text(s, lang))
    hours = h(hours_text(s, lang))
    seats = seats_text(s, lang)
    access = access_text(s, lang)
    wait = (f"<div>{h(t('wait', lang))}: {s.wait_minutes:.0f} {h(t('min', lang))}</div>"
            if s.wait_minutes >= 1 else "")
    src = s.source or ""
    src_html = source_html(src)
    other = _other_name(s, lang)
    return (f"<div class='tr-popup'><div class='tr-popup-title'>{k}. {h(_name(s, lang))}</div>"
            + (f"<div class='muted'>{h(other)}</div>" if other else "")
            + f"<div class='tr-popup-cat' style='color:{CATEGORY_COLOUR.get(s.category, '#555')}'>"
              f"<i class='fa-solid {CATEGORY_ICON.get(s.category, 'fa-location-dot')}'></i> "
              f"{h(t('cat_' + s.category, lang))} · {h(s.province_legacy)}</div>"
            + f"<div><b>{h(t('day', lang))} {day.day}</b> · {_hm(s.start)}–{_hm(s.departure)}"
              f" <span class='muted'>({h(t('arrive', lang))} {_hm(s.arrival)})</span></div>"
            + wait
            + f"<div>{h(t('fee', lang))}: {fee}</div><div>{h(t('hours', lang))}: {hours}</div>"
            + (f"<div>{h(seats)}</div>" if seats else "")
            + (f"<div>{h(access)}</div>" if access else "")
            + (f"<div class='muted'>{h(closure_text(s, lang))}</div>" if s.closure_note else "")
            + (f"<div class='muted'>{h(t('source', lang))}: {src_html}</div>" if src else "")
            + "</div>")


def source_html(src: str) -> str:
    """A catalogue ``source`` field (URLs and notes separated by ``;``) as escaped links named by their host."""
    from urllib.parse import urlsplit

    parts = []
    for part in (p.strip() for p in src.split(";")):
        if not part:
            continue
        if part.startswith(("http://", "https://")) and " " not in part:
            host = urlsplit(part).hostname or part[:40]
            parts.append(f"<a href=\"{h(part)}\" target=\"_blank\" rel=\"noopener noreferrer\">"
                         f"{h(host.removeprefix('www.'))}</a>")
        else:
            parts.append(str(h(part)))
    return ", ".join(parts)


def _pin(html_inner: str, cls: str, colour: str) -> folium.DivIcon:
    return folium.DivIcon(html=f"<div class='tr-pin {cls}' style='--c:{colour}'>{html_inner}</div>",
                          icon_size=(30, 30), icon_anchor=(15, 15), class_name="tr-pin-wrap")


_BASEMAP_JS = r"""
(function () {
  var map = __MAP__, L10N = __L10N__, LANG = __LANG__, TILES = __TILES__;
  var groups = {land: __LAND__, legacy: __LEGACY__, since_2025: __SINCE__, towns: __TOWNS__};
  [["tr-base", 250], ["tr-base-lines", 260], ["tr-towns", 390]].forEach(function (p) {
    if (!map.getPane(p[0])) { map.createPane(p[0]).style.zIndex = p[1]; }
  });
  // Without tiles (none configured, or the first one fails: offline) the base map is the map: land and provinces
  // are filled and the container shows the sea; while tiles load they stay outlines over the tiles.
  var offline = !TILES, filled = [];
  function fill() {
    map.getContainer().style.background = "#d7e6ef";
    filled.forEach(function (l) { l.setStyle(function (f) { return {fillOpacity: 1}; }); });
  }
  function goOffline() { if (!offline) { offline = true; fill(); } }
  if (offline) { fill(); }
  else { map.eachLayer(function (l) { if (l instanceof L.TileLayer) { l.on("tileerror", goOffline); } }); }
  function esc(v) {  // every name is data: escaped before it becomes HTML
    return String(v == null ? "" : v).replace(/[&<>"'`$\\]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }
  function draw(d) {
    var op = offline ? 1 : 0;
    if (d.neighbours) {
      filled.push(L.geoJSON(d.neighbours, {pane: "tr-base", interactive: false,
        style: {stroke: false, fillColor: "#ebe8e1", fillOpacity: op, className: "tr-neighbours"}}).addTo(groups.land));
    }
    filled.push(L.geoJSON(d.land, {pane: "tr-base", interactive: false,
      style: {color: "#7b8794", weight: 1.2, fillColor: "#f6f1e7", fillOpacity: op, className: "tr-land"}
    }).addTo(groups.land));
    filled.push(L.geoJSON(d.since_2025, {pane: "tr-base",
      style: function (f) { return {color: "#8c96a3", weight: 1.4, fillColor: f.properties.region ? "#efe4cc" : "#f6f1e7",
                                    fillOpacity: op, className: "tr-province tr-province-2025"}; },
      onEachFeature: function (f, layer) {
        layer.bindTooltip("<b>" + esc(f.properties.name) + "</b> <span class='muted'>(" + esc(L10N.since) + ")</span><br>"
          + esc(L10N.formed_from) + ": " + f.properties.legacy.map(esc).join(", "), {sticky: true});
      }}).addTo(groups.since_2025));
    L.geoJSON(d.legacy, {pane: "tr-base-lines",
      style: {color: "#a3acb7", weight: 0.8, dashArray: "3 4", fill: true, fillOpacity: 0,
              className: "tr-province tr-province-legacy"},
      onEachFeature: function (f, layer) {
        layer.bindTooltip("<b>" + esc(f.properties.name) + "</b> <span class='muted'>(" + esc(L10N.before) + ")</span><br>"
          + esc(L10N.part_of) + ": " + esc(f.properties.since_2025), {sticky: true});
      }}).addTo(groups.legacy);
    (d.towns.features || []).forEach(function (f) {
      var p = f.properties, c = f.geometry.coordinates, name = LANG === "en" ? (p.name_en || p.name_vi) : p.name_vi;
      L.marker([c[1], c[0]], {pane: "tr-towns", interactive: false, keyboard: false,
        icon: L.divIcon({className: "tr-town", iconSize: null, iconAnchor: [4, 4],
          html: "<span style='display:inline-block;width:7px;height:7px;border-radius:50%;background:#37474f;"
            + "border:1px solid #fff;vertical-align:middle'></span> <span class='tr-town-name' style='font:600 11px/1.2 "
            + "system-ui,sans-serif;color:#37474f;white-space:nowrap;text-shadow:0 0 3px #fff,0 0 3px #fff'>"
            + esc(name) + "</span>"})}).addTo(groups.towns);
    });
    map.getContainer().setAttribute("data-basemap", "ready");
  }
  var inline = __DATA__;
  if (inline) { draw(inline); }
  else {
    fetch(__URL__, {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(draw)
      .catch(function (e) { map.getContainer().setAttribute("data-basemap", "failed");
                            if (window.console) { console.warn("base map not loaded:", e); } });
  }
})();
"""


def _js_json(value: object) -> str:
    """JSON that is safe inside an inline ``<script>`` (no ``</script>``, no HTML comment opener)."""
    return (json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def basemap_credit_html(lang: str) -> str:
    """The base map's credit (Leaflet attribution and the legend), in ``lang``, with a link to Natural Earth."""
    return (str(h(t("basemap_credit", lang)))
            .replace("Natural Earth", '<a href="https://www.naturalearthdata.com/" target="_blank" rel="noopener">'
                                      'Natural Earth</a>', 1)
            .replace("GeoNames", '<a href="https://www.geonames.org/" target="_blank" rel="noopener">GeoNames</a>', 1))


def credit_js(lang: str, *, tiles: bool) -> str:
    """The attribution lines every map adds (``{map}`` placeholder, for :class:`_Script`): OpenStreetMap's when no
    tile layer carries it, and the offline base map's sources always."""
    osm = "" if tiles else f"{{map}}.attributionControl.addAttribution({json.dumps(OSM_ATTR_HTML)});"
    return osm + f"{{map}}.attributionControl.addAttribution({_js_json(basemap_credit_html(lang))});"


def add_basemap(m: folium.Map, lang: str, *, tiles: bool, url: str | None, data: dict | None) -> None:
    """Land, provinces (2025 and before), towns under everything else: Leaflet panes with a lower z-index than
    the routes (overlay pane 400) and stops (marker pane 600), whatever order the layers load in. The layer control
    gets "provinces (2025)", "provinces (before 2025)" and "main towns" (the land has no entry: it is the map)."""
    land = folium.FeatureGroup(name="land", show=True, control=False)
    since = folium.FeatureGroup(name=h(t("layer_provinces_2025", lang)), show=True)
    legacy = folium.FeatureGroup(name=h(t("layer_provinces_legacy", lang)), show=True)
    towns = folium.FeatureGroup(name=h(t("layer_towns", lang)), show=True)
    for g in (land, since, legacy, towns):
        g.add_to(m)
    if url is None and data is None:
        from .basemap import basemap_data

        try:
            data = basemap_data()
        except Exception:  # decoration only: a broken base map must never break the routes' map
            import logging

            logging.getLogger(__name__).exception("offline base map not drawn")
            return
    l10n = {"since": t("province_2025_label", lang), "before": t("province_legacy_label", lang),
            "formed_from": t("province_formed_from", lang), "part_of": t("province_part_of", lang)}
    values = {"MAP": "{map}", "L10N": _js_json(l10n), "LANG": _js_json(lang), "TILES": "true" if tiles else "false",
              "LAND": land.get_name(), "LEGACY": legacy.get_name(), "SINCE": since.get_name(),
              "TOWNS": towns.get_name(), "URL": _js_json(url or ""),
              "DATA": _js_json(data) if url is None else "null"}  # DATA last: its text is never scanned again
    js = _BASEMAP_JS
    for key, value in values.items():
        js = js.replace(f"__{key}__", value)
    m.add_child(_Script(js))


def main_roads_geojson(router, max_points: int = 60_000) -> dict | None:
    """Trunk/primary (and motorway) roads of the loaded networks as one light MultiLineString, or None."""
    nets = list(getattr(router, "networks", []) or [])
    if not nets:
        return None
    from ..network.profiles import CLASS_CODE

    wanted = {CLASS_CODE[c] for c in ("motorway", "trunk", "primary") if c in CLASS_CODE}
    lines: list[list[list[float]]] = []
    for net in nets:
        import numpy as np

        edges = np.flatnonzero(np.isin(net.edge_class, list(wanted)))
        # each two-way road is stored in both directions: keep one (u < v) to halve the payload
        edges = edges[(net.edge_u[edges] < net.edge_v[edges]) | net.edge_oneway[edges]]
        total = int(sum(net.geom_ptr[e + 1] - net.geom_ptr[e] for e in edges)) or 1
        step = max(1, total // max_points)
        for e in edges:
            c = net.edge_coords(int(e))
            if len(c) > 2 and step > 1:
                c = np.vstack([c[:-1:step], c[-1:]])
            lines.append([[round(float(lon), 5), round(float(lat), 5)] for lat, lon in c])
    if not lines:
        return None
    return {"type": "Feature", "properties": {"name": "main roads"},
            "geometry": {"type": "MultiLineString", "coordinates": lines}}


def build_map(it: Itinerary, lang: str, asset: Callable[[str, str], str], *, tiles: str | None = OSM_TILES,
              roads: dict | None = None, basemap_url: str | None = None, basemap: dict | None = None) -> folium.Map:
    """The folium map of an itinerary. ``asset(package, path)`` gives the local URL of a vendor file
    (package ``leaflet``, ``jquery``, ``font_awesome`` or ``own`` for the app's static folder).

    The offline base map comes from ``basemap_url`` (fetched by the page: one cacheable resource instead of
    ≈ 0.3 MB in every map), else from ``basemap`` (its :func:`.basemap.basemap_data`), else it is built here and
    inlined (a map file opened from disk cannot fetch)."""
    pts = [(s.lat, s.lon) for d in it.days for s in d.stops]
    pts += [(d.start.lat, d.start.lon) for d in it.days] + [(d.end.lat, d.end.lon) for d in it.days]
    pts += [(d.evening.lat, d.evening.lon) for d in it.days if d.evening is not None]
    for d in it.days:
        for leg in d.legs:
            pts.extend(leg.geometry)
    if not pts:
        pts = [(16.0, 108.0)]
    lat0 = sum(p[0] for p in pts) / len(pts)
    lon0 = sum(p[1] for p in pts) / len(pts)
    m = folium.Map(location=(lat0, lon0), zoom_start=8, tiles=None, control_scale=True, prefer_canvas=False)
    # every asset folium would load from a CDN comes from our own routes (an instance-level copy of the lists)
    m.default_js = [("leaflet", asset("leaflet", "leaflet.js")), ("jquery", asset("jquery", "jquery.min.js"))]
    m.default_css = [("leaflet_css", asset("leaflet", "leaflet.css")),
                     ("font_awesome_css", asset("font_awesome", "css/all.min.css")),
                     ("touroute_map_css", asset("own", "map.css"))]
    root = m.get_root()
    root.header.add_child(Element('<meta name="referrer" content="no-referrer">'), name="referrer")

    if tiles:
        folium.TileLayer(tiles=tiles, attr=OSM_ATTR_HTML, name=t("map_tiles", lang), max_zoom=19,
                         overlay=False, control=True).add_to(m)
    add_basemap(m, lang, tiles=bool(tiles), url=basemap_url, data=basemap)
    if roads:
        rg = folium.FeatureGroup(name=t("main_roads", lang), show=True)
        folium.GeoJson(roads, style_function=lambda f: {"color": "#8a8f98", "weight": 1, "opacity": 0.7,
                                                        "className": "tr-mainroad"}).add_to(rg)
        rg.add_to(m)

    for d in it.days:
        c = day_colour(d.day)
        label = (f"<span class='tr-swatch' style='background:{c}'></span> {h(t('day', lang))} {d.day} · "
                 f"{d.date:%d/%m}")
        fg = folium.FeatureGroup(name=label, show=True)
        for leg in d.legs:
            if len(leg.geometry) < 2:
                continue
            est = leg.source == "estimate"
            tip = (f"{h(t('day', lang))} {d.day}: {leg.seconds / 60:.0f} {h(t('min', lang))}, "
                   f"{leg.metres / 1000:.1f} km — "
                   + (h(t("estimated_long", lang)) if est else h(t("osm_road", lang))))
            folium.PolyLine(leg.geometry, color="#ffffff", weight=8, opacity=0.85,
                            class_name="tr-casing").add_to(fg)
            folium.PolyLine(leg.geometry, color=c, weight=5, opacity=0.95, dash_array="9 9" if est else None,
                            class_name=f"tr-route tr-day-{d.day} tr-{leg.source}",
                            tooltip=folium.Tooltip(tip, sticky=True)).add_to(fg)
        for k, s in enumerate(d.stops, 1):
            icon = CATEGORY_ICON.get(s.category, "fa-location-dot")
            inner = (f"<b>{k}</b><i class='fa-solid {icon} tr-badge' "
                     f"style='background:{CATEGORY_COLOUR.get(s.category, '#555')}'></i>")
            folium.Marker((s.lat, s.lon), icon=_pin(inner, f"tr-stop tr-stop-day-{d.day}", c),
                          tooltip=folium.Tooltip(f"{h(t('day', lang))} {d.day}.{k} — {h(_name(s, lang))}"),
                          popup=folium.Popup(stop_popup(s, d, k, lang), max_width=320)).add_to(fg)
        if d.lodging is not None:
            lo = d.lodging
            folium.Marker((lo.lat, lo.lon), icon=_pin("<i class='fa-solid fa-bed'></i>", "tr-lodging", "#263238"),
                          tooltip=folium.Tooltip(f"{h(t('night_at', lang))} {h(_name(lo, lang))}"),
                          popup=folium.Popup(f"<div class='tr-popup'><div class='tr-popup-title'>"
                                             f"<i class='fa-solid fa-bed'></i> {h(_name(lo, lang))}</div>"
                                             f"<div>{h(t('night_at', lang))} · {h(t('day', lang))} {d.day} "
                                             f"({d.date:%d/%m}) · {h(t('arrive', lang))} {_hm(d.arrive)}</div>"
                                             f"<div class='muted'>{h(lo.province_legacy or '')}</div></div>",
                                             max_width=300)).add_to(fg)
        if d.evening is not None and len(d.evening.geometry) >= 2:
            ev = d.evening  # its way from the night's hub: along the roads like the day's legs when routed on OSM
            est = ev.travel_source == "estimate"
            tip = (f"{h(t('evening', lang))} — {h(_name(ev, lang))}: {ev.travel_seconds / 60:.0f} {h(t('min', lang))}, "
                   f"{ev.travel_metres / 1000:.1f} km — "
                   + (h(t("estimated_long", lang)) if est else h(t("osm_road", lang))))
            folium.PolyLine(ev.geometry, color="#ffffff", weight=6, opacity=0.8, class_name="tr-casing").add_to(fg)
            folium.PolyLine(ev.geometry, color="#3d348b", weight=3, opacity=0.9, dash_array="9 9" if est else None,
                            class_name=f"tr-evening-route tr-day-{d.day} tr-{ev.travel_source}",
                            tooltip=folium.Tooltip(tip, sticky=True)).add_to(fg)
        if d.evening is not None:
            ev = d.evening
            folium.Marker((ev.lat, ev.lon), icon=_pin("<i class='fa-solid fa-moon'></i>", "tr-evening", "#3d348b"),
                          tooltip=folium.Tooltip(f"{h(t('evening', lang))} — {h(_name(ev, lang))}"),
                          popup=folium.Popup(f"<div class='tr-popup'><div class='tr-popup-title'>"
                                             f"<i class='fa-solid fa-moon'></i> {h(_name(ev, lang))}</div>"
                                             f"<div>{h(t('evening', lang))} · {h(t('day', lang))} {d.day} "
                                             f"({d.date:%d/%m}) · {_hm(ev.start)}–{_hm(ev.end)}</div>"
                                             f"<div class='muted'>{h(ev.note_en if lang == 'en' else ev.note_vi)}"
                                             f"</div></div>", max_width=300)).add_to(fg)
        fg.add_to(m)
    if it.days:
        first, last = it.days[0].start, it.days[-1].end
        se = folium.FeatureGroup(name=h(t("start_end", lang)), show=True)
        folium.Marker((first.lat, first.lon), icon=_pin("<i class='fa-solid fa-flag'></i>", "tr-start", "#1b5e20"),
                      tooltip=folium.Tooltip(f"{h(t('start_place', lang))}: {h(_name(first, lang))}")).add_to(se)
        if (last.lat, last.lon) != (first.lat, first.lon):
            folium.Marker((last.lat, last.lon),
                          icon=_pin("<i class='fa-solid fa-flag-checkered'></i>", "tr-end", "#111"),
                          tooltip=folium.Tooltip(f"{h(t('end_place', lang))}: {h(_name(last, lang))}")).add_to(se)
        se.add_to(m)
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]], padding=(24, 24))
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    m.add_child(_Script("{map}.attributionControl.setPrefix('<a href=\"https://leafletjs.com\" target=\"_blank\">"
                        "Leaflet</a>');"
                        + credit_js(lang, tiles=bool(tiles))
                        + "document.getElementById('{map}').classList.add('tr-map');"
                        + _COLLAPSIBLE_JS % (json.dumps(t("map_layers", lang)), json.dumps(t("legend", lang)))
                        + _A11Y_JS % (json.dumps(lang), json.dumps(t("trip_map", lang)))))
    root.html.add_child(Element(_legend_html(it, lang)), name="tr_legend")
    return m


NARROW_MAP_PX = 700
"""Below this width (phones, a narrow iframe) the layer control and the legend start collapsed, so they do not
cover the map; each keeps a button to open it."""

_COLLAPSIBLE_JS = ("(function () {function wide() {return window.innerWidth >= " + str(NARROW_MAP_PX) + ";}"
                   "function toggler(box, body, label, cls) {"
                   "var b = document.createElement('button'), chosen = false; b.type = 'button';"
                   "b.className = 'tr-toggle ' + cls;"
                   "b.textContent = label; b.setAttribute('aria-controls', body.id);"
                   "function set(open) {box.classList.toggle('tr-collapsed', !open);"
                   "b.setAttribute('aria-expanded', open ? 'true' : 'false');}"
                   "b.addEventListener('click', function (e) {e.stopPropagation(); e.preventDefault(); chosen = true;"
                   "set(box.classList.contains('tr-collapsed'));});"
                   "window.addEventListener('resize', function () {if (!chosen) {set(wide());}});"
                   "box.insertBefore(b, box.firstChild); set(wide());}"
                   "var lc = document.querySelector('.leaflet-control-layers'),"
                   " list = lc && lc.querySelector('.leaflet-control-layers-list');"
                   "if (list) {list.id = 'tr-layers-list'; toggler(lc, list, %s, 'tr-layers-toggle');}"
                   "var lg = document.getElementById('tr-legend'), lb = document.getElementById('tr-legend-body');"
                   "if (lg && lb) {toggler(lg, lb, %s, 'tr-legend-toggle');}})();")
"""The layer control and the legend fold behind a real button each (keyboard-reachable, ``aria-expanded``):
open on a wide map, closed below :data:`NARROW_MAP_PX`. Until the user presses the button the default follows the
map's width: an iframe can run this script before the page's CSS has given it its size (300 px), which left a
desktop map with both folded. Leaflet's own collapsed mode opens on hover, which a
phone does not have, and has no state a screen reader can read."""

_A11Y_JS = ("(function (m) {document.documentElement.lang = %s; if (!document.title) {document.title = %s;}"
            "m.eachLayer(function (l) {var tip = l.getTooltip && l.getTooltip(), icon = l._icon;"
            "if (tip && icon && !icon.getAttribute('aria-label')) {var d = document.createElement('div');"
            "d.innerHTML = String(tip.getContent()); icon.setAttribute('aria-label', d.textContent.trim());}});"
            "})({map});")
"""The map document's language and title, and each marker's accessible name (its tooltip's text): Leaflet gives a
marker ``role=button`` and no name, which screen readers announce as an unnamed button (axe-core:
``aria-command-name``)."""


def _legend_html(it: Itinerary, lang: str) -> str:
    cats = sorted({s.category for d in it.days for s in d.stops})
    cat_rows = "".join(f"<div><i class='fa-solid {CATEGORY_ICON.get(c, 'fa-location-dot')}' "
                       f"style='color:{CATEGORY_COLOUR.get(c, '#555')}'></i> {h(t('cat_' + c, lang))}</div>"
                       for c in cats)
    est = any(leg.source == "estimate" for d in it.days for leg in d.legs)
    osm = any(leg.source == "osm" for d in it.days for leg in d.legs)
    return (f"<div class='tr-legend' id='tr-legend' role='region' aria-label='{h(t('legend', lang))}'>"
            "<div class='tr-legend-body' id='tr-legend-body'>"
            + (f"<div><span class='tr-line'></span> {h(t('osm_road', lang))}</div>" if osm or not est else "")
            + (f"<div><span class='tr-line tr-dashed'></span> {h(t('estimated_long', lang))}</div>" if est else "")
            + f"{cat_rows}<div><i class='fa-solid fa-bed'></i> {h(t('lodging', lang))}</div>"
            f"<div class='tr-legend-credit'>{OSM_ATTR_HTML}<br>{basemap_credit_html(lang)}</div></div></div>")


def render_map(it: Itinerary, lang: str, asset: Callable[[str, str], str], **kw) -> str:
    """The map as a complete HTML document (served to the result page's iframe)."""
    return build_map(it, lang, asset, **kw).get_root().render()
