/* touroute: poll a package job (GET /api/package-jobs/<id>) and update its progress; without JS the page refreshes. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var url = box.getAttribute("data-status-url"), labels = JSON.parse(box.getAttribute("data-labels") || "{}");
  var state = box.getAttribute("data-state");
  if (state === "done" || state === "failed" || state === "cancelled") return;
  function fmt(s, n, total) { return String(s).replace("{n}", n).replace("{total}", total); }
  function show(j) {
    var st = document.getElementById("job-state");
    st.textContent = labels[j.state] || j.state; st.className = "state state-" + j.state;
    document.getElementById("job-progress-text").textContent = fmt(labels.progress, j.done, j.total);
    var bar = document.getElementById("job-bar");
    bar.setAttribute("aria-valuenow", j.done);
    bar.firstElementChild.style.width = (j.total ? 100 * j.done / j.total : 0) + "%";
    var cur = document.getElementById("job-current");
    cur.textContent = j.current && (j.state === "running" || j.state === "queued") ? " · " + labels.current + ": " + j.current : "";
    var msg = document.getElementById("job-message");
    msg.textContent = j.message || ""; msg.hidden = !j.message;
    if (j.state === "done" || j.state === "failed" || j.state === "cancelled") {
      // reload once for the final table of results (rendered and escaped by the server)
      window.location.reload();
      return true;
    }
    return false;
  }
  function poll() {
    fetch(url, {headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (j) { if (!show(j)) setTimeout(poll, 1500); })
      .catch(function () { setTimeout(poll, 4000); });
  }
  setTimeout(poll, 800);
})();
