/* roofops dashboard behaviour. No inline scripts anywhere: pages pass data in data-* attributes. */
(function () {
  "use strict";

  var MAX_FEED_ITEMS = 50;

  function parseJSON(text, fallback) {
    try { return JSON.parse(text); } catch (e) { return fallback; }
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function stageBadge(stage, labels) {
    return el("span", "badge badge-" + stage, labels[stage] || stage);
  }

  /* ---- Command Center live feed (htmx SSE extension) ---- */
  function feedItem(data, labels) {
    var item = el("li", "is-new");
    var link = el("a", "job-number", data.number || "Job");
    if (data.job_id) { link.href = "/jobs/" + encodeURIComponent(data.job_id); }
    item.appendChild(link);
    if (data.from) {
      item.appendChild(stageBadge(data.from, labels));
      item.appendChild(el("span", "", "→"));
    }
    if (data.to) { item.appendChild(stageBadge(data.to, labels)); }
    var when = el("time", "when", new Date().toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }));
    item.appendChild(when);
    return item;
  }

  function onStageChanged(evt) {
    var feed = evt.target;
    if (!feed || feed.id !== "live-feed") { return; }
    // We render the JSON ourselves instead of letting htmx swap raw text into the page.
    evt.preventDefault();
    var data = parseJSON(evt.detail && evt.detail.data, null);
    if (!data) { return; }
    var labels = parseJSON(feed.getAttribute("data-stage-labels"), {});
    var placeholder = feed.querySelector("[data-placeholder]");
    if (placeholder) { placeholder.remove(); }
    feed.insertBefore(feedItem(data, labels), feed.firstChild);
    while (feed.children.length > MAX_FEED_ITEMS) { feed.removeChild(feed.lastChild); }
  }

  function setLiveStatus(state, text) {
    var status = document.getElementById("live-status");
    if (!status) { return; }
    status.setAttribute("data-state", state);
    status.textContent = text;
  }

  document.addEventListener("htmx:sseBeforeMessage", onStageChanged);
  document.addEventListener("htmx:sseOpen", function () { setLiveStatus("open", "Live"); });
  document.addEventListener("htmx:sseError", function () {
    setLiveStatus("error", "Live updates unavailable, retrying…");
  });

  /* ---- Command Center chart (Chart.js, loaded only on that page) ---- */
  function drawStageChart() {
    var canvas = document.getElementById("stage-chart");
    if (!canvas || typeof window.Chart === "undefined") { return; }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: parseJSON(canvas.getAttribute("data-labels"), []),
        datasets: [{
          label: "Open jobs",
          data: parseJSON(canvas.getAttribute("data-values"), []),
          backgroundColor: "#3b82f6",
          borderRadius: 4,
          maxBarThickness: 48
        }]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  /* ---- Forms: after htmx swaps in a refusal, move focus to it so it is read out ---- */
  document.addEventListener("htmx:afterSwap", function () {
    var error = document.getElementById("move-error");
    if (error) { error.setAttribute("tabindex", "-1"); error.focus(); }
  });

  /* ---- Forms with data-confirm ask first (no inline onsubmit: the CSP forbids it) ---- */
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { evt.preventDefault(); }
  });

  document.addEventListener("DOMContentLoaded", drawStageChart);
})();
