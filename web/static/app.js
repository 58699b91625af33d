/* touroute: place autocomplete (GET /api/pois?q=), must-visit / exclude chips, copy link, busy state. */
(function () {
  "use strict";
  var cfg = window.TOUROUTE || {};
  function debounce(fn, ms) { var t; return function () { var a = arguments, s = this; clearTimeout(t); t = setTimeout(function () { fn.apply(s, a); }, ms); }; }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }

  function addChip(name, id, label) {
    var box = document.getElementById(name + "-chips");
    if (!box || box.querySelector('input[value="' + CSS.escape(id) + '"]')) return;
    var chip = el("span", "chip", label);
    var hidden = el("input"); hidden.type = "hidden"; hidden.name = name; hidden.value = id;
    var x = el("button", "chip-x", "×"); x.type = "button"; x.setAttribute("aria-label", cfg.removeLabel || "remove");
    chip.appendChild(hidden); chip.appendChild(x); box.appendChild(chip);
  }
  document.addEventListener("click", function (ev) {
    var x = ev.target.closest(".chip-x"); if (x) { x.parentElement.remove(); }
    if (ev.target.closest("[data-print]")) { window.print(); }
    var c = ev.target.closest("[data-copy]");
    if (c) { var inp = document.querySelector(c.getAttribute("data-copy")); inp.select(); try { navigator.clipboard.writeText(inp.value); } catch (e) { document.execCommand("copy"); } }
  });

  // range inputs show their value in the <output> of their label (no inline handlers: the CSP forbids them)
  document.addEventListener("input", function (ev) {
    if (!ev.target.matches || !ev.target.matches("input[data-show-value]")) return;
    var out = ev.target.previousElementSibling && ev.target.previousElementSibling.querySelector("output");
    if (out) out.value = ev.target.value;
  });

  document.querySelectorAll("[data-ac]").forEach(function (box) {
    var input = box.querySelector("[data-ac-input]"), idField = box.querySelector("[data-ac-id]"), list = box.querySelector("[data-ac-list]");
    var multi = box.getAttribute("data-ac-multi"), items = [], active = -1;
    function close() { list.hidden = true; active = -1; }
    function choose(p) {
      if (multi) { addChip(multi, p.id, p.name); input.value = ""; }
      else { input.value = p.name; if (idField) idField.value = p.id; }
      close();
    }
    function render() {
      list.innerHTML = "";
      if (!items.length) { list.appendChild(el("li", "empty", cfg.noResults || "—")); list.hidden = false; return; }
      items.forEach(function (p, i) {
        var li = el("li", i === active ? "active" : ""); li.setAttribute("data-id", p.id);
        li.appendChild(el("span", "", p.name)); li.appendChild(el("small", "", p.province));
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(p); });
        list.appendChild(li);
      });
      list.hidden = false;
    }
    var search = debounce(function () {
      var q = input.value.trim(); if (q.length < 2) { close(); return; }
      fetch(cfg.poisUrl + "?limit=8&q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); }).then(function (d) { items = d.pois || []; active = items.length ? 0 : -1; render(); })
        .catch(close);
    }, 150);
    input.addEventListener("input", function () { if (idField) idField.value = ""; search(); });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { active = Math.min(items.length - 1, active + 1); render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = Math.max(0, active - 1); render(); e.preventDefault(); }
      else if (e.key === "Enter" && active >= 0) { choose(items[active]); e.preventDefault(); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  });

  // a region that scrolls sideways (a wide table on a phone) must be reachable by keyboard to be scrolled
  function focusableScrollers() {
    document.querySelectorAll("main .table-scroll, main table, main .checks, main .plan-checks, main .hub-checks").forEach(function (e) {
      var st = getComputedStyle(e), scrolls = /(auto|scroll)/.test(st.overflowX + st.overflowY) &&
        (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1);
      if (scrolls && !e.hasAttribute("tabindex")) { e.setAttribute("tabindex", "0"); e.setAttribute("data-scroll-focus", ""); }
      else if (!scrolls && e.hasAttribute("data-scroll-focus")) { e.removeAttribute("tabindex"); e.removeAttribute("data-scroll-focus"); }
    });
  }
  focusableScrollers();
  window.addEventListener("resize", debounce(focusableScrollers, 200));

  document.querySelectorAll("#plan-form, form.js-replan").forEach(function (f) {
    f.addEventListener("submit", function () {
      var busy = f.querySelector(".busy") || (f.id === "plan-form" && document.querySelector(".actions .busy"));
      if (busy) busy.hidden = false;
      var days = document.getElementById("days"); if (days) days.classList.add("replanning");
      document.querySelectorAll(".day, #timeline").forEach(function (d) { d.classList.add("replanning"); });
      f.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    });
  });
})();
