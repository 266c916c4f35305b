/* Profit page and a job's money panel: charts, live QuickBooks sync progress (SSE), the
   figures detail rows and the "set by hand" dialog. htmx does the fetching: this file only
   draws, shows progress, and announces "a sync finished" so htmx refetches the tables. */
(function () {
  "use strict";

  var PROVIDER = "quickbooks";
  var SYNCED = "profit-synced"; // refreshers have hx-trigger="profit-synced from:body"
  var SAVED = "figure-saved"; // sent by the server (HX-Trigger) after a figure is set or cleared
  var charts = [];
  var expanded = {}; // detail rows left open survive the table refreshing under them
  var seenRuns = {};
  var syncRunning = false;
  var currentResults = null;
  // Events can overtake the response to the click (a short run may even finish first): the
  // "queued" state is shown only when no event arrived since the click.
  var heardSinceClick = true;
  var finishedSinceClick = false;

  function parseJSON(text, fallback) {
    try { return JSON.parse(text); } catch (e) { return fallback; }
  }

  /* ---------- charts ---------- */
  var BLUE = "#2563eb";
  var percentAxis = { ticks: { callback: function (value) { return value + "%"; } } };

  function marginTooltip(data) {
    return function (item) {
      var jobs = data.jobs ? data.jobs[item.dataIndex] : null;
      return item.formattedValue + "% gross margin" + (jobs ? " (" + jobs + " jobs)" : "");
    };
  }

  function chartConfig(kind, data) {
    var dataset = { data: data.values, backgroundColor: BLUE, borderColor: BLUE, borderRadius: 4, maxBarThickness: 44 };
    var options = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: marginTooltip(data) } } },
      scales: { y: percentAxis }
    };
    if (kind === "margin-line") {
      dataset.tension = 0.25; dataset.pointRadius = 2; dataset.spanGaps = true;
      return { type: "line", data: { labels: data.labels, datasets: [dataset] }, options: options };
    }
    if (kind === "count-bar") {
      dataset.backgroundColor = ["#dc2626", "#f59e0b", "#facc15", "#84cc16", "#22c55e", "#15803d"];
      options.plugins.tooltip.callbacks.label = function (item) { return item.formattedValue + " jobs"; };
      options.scales = { y: { beginAtZero: true, ticks: { precision: 0 } } };
    }
    return { type: "bar", data: { labels: data.labels, datasets: [dataset] }, options: options };
  }

  function drawCharts() {
    charts.forEach(function (chart) { chart.destroy(); });
    charts = [];
    if (typeof window.Chart === "undefined") { return; }
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), function (canvas) {
      var data = parseJSON(canvas.getAttribute("data-chart-data"), null);
      if (data) { charts.push(new window.Chart(canvas, chartConfig(canvas.getAttribute("data-chart"), data))); }
    });
  }

  /* ---------- figures detail rows ---------- */
  function setExpanded(button, open) {
    var row = document.getElementById(button.getAttribute("aria-controls"));
    if (!row) { return; }
    row.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) { expanded[row.id] = true; } else { delete expanded[row.id]; }
  }

  function restoreExpanded() {
    Object.keys(expanded).forEach(function (id) {
      var button = document.querySelector('[data-toggle-row][aria-controls="' + id + '"]');
      if (button) { setExpanded(button, true); } else { delete expanded[id]; }
    });
  }

  /* ---------- the "set by hand" dialog ---------- */
  function dialog() { return document.getElementById("figure-dialog"); }

  function openDialog() {
    var box = dialog();
    if (!box) { return; }
    if (!box.open) { box.showModal(); }
    var focus = box.querySelector("#figure-error") || box.querySelector("[aria-invalid='true']") ||
      box.querySelector("input:not([type=hidden]), textarea");
    if (focus) {
      if (focus.id === "figure-error") { focus.setAttribute("tabindex", "-1"); }
      focus.focus();
    }
  }

  function closeDialog() {
    var box = dialog();
    if (box && box.open) { box.close(); }
  }

  /* ---------- live sync progress ---------- */
  function panel() { return document.getElementById("profit-sync-progress"); }

  function labels(name) {
    var node = panel();
    return node ? parseJSON(node.getAttribute(name), {}) : {};
  }

  function count(value) { return Number(value || 0).toLocaleString("en-US"); }

  function describe(data) {
    if (data.status !== "running") {
      return "Finished: " + (labels("data-status-labels")[data.status] || data.status);
    }
    var phase = labels("data-phase-labels")[data.phase] || data.phase;
    if (data.total) { return phase + ": " + count(data.done) + " of " + count(data.total); }
    return data.done ? phase + ": " + count(data.done) : phase + "…";
  }

  function setBusy(busy) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-sync-button]"), function (button) {
      button.disabled = busy;
      if (busy) { button.setAttribute("aria-busy", "true"); } else { button.removeAttribute("aria-busy"); }
    });
  }

  function announce(text) {
    var node = document.getElementById("profit-sync-announcer");
    if (node) { node.textContent = text; }
  }

  function show(data) {
    var node = panel();
    if (!node) { return; }
    node.hidden = false;
    node.setAttribute("data-state", data.status);
    node.setAttribute("data-phase", data.phase || "");
    node.querySelector("[data-progress-text]").textContent = describe(data);
    var bar = node.querySelector("[data-progress-bar]");
    if (data.status !== "running") {
      bar.max = 1;
      bar.value = 1;
    } else if (data.total) {
      bar.max = data.total;
      bar.value = Math.min(data.done || 0, data.total);
    } else {
      bar.removeAttribute("value"); // indeterminate until the phase knows its total
    }
  }

  function clearNotice() {
    var notice = document.getElementById("profit-sync-notice");
    if (notice) { notice.textContent = ""; }
  }

  function onProgress(evt) {
    if (!evt.target || evt.target.id !== "profit-sync-progress") { return; }
    // We render the JSON ourselves instead of letting htmx swap raw text into the page.
    evt.preventDefault();
    var data = parseJSON(evt.detail && evt.detail.data, null);
    if (!data || data.provider !== PROVIDER) { return; }
    heardSinceClick = true;
    var running = data.status === "running";
    syncRunning = running;
    var isNew = !seenRuns[data.run_id];
    seenRuns[data.run_id] = true;
    show(data);
    setBusy(running);
    if (isNew && running) { announce("QuickBooks sync started."); }
    if (!running) {
      finishedSinceClick = true;
      clearNotice();
      announce("QuickBooks sync " + describe(data).toLowerCase() + ". The figures are refreshed.");
      if (window.htmx) { window.htmx.trigger(document.body, SYNCED); }
    }
  }

  function isSyncForm(elt) { return elt && elt.hasAttribute && elt.hasAttribute("data-sync-form"); }

  document.addEventListener("htmx:sseBeforeMessage", onProgress);

  document.addEventListener("htmx:sseOpen", function (evt) {
    // Reconnected after a gap: a run may have finished unheard, so refetch the figures.
    var source = evt.target;
    if (source && source.hasAttribute("data-sse-opened") && window.htmx) {
      window.htmx.trigger(document.body, SYNCED);
    }
    if (source && source.setAttribute) { source.setAttribute("data-sse-opened", ""); }
  });

  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (!isSyncForm(evt.detail.elt)) { return; }
    heardSinceClick = false;
    finishedSinceClick = false;
    setBusy(true);
  });

  document.addEventListener("htmx:afterRequest", function (evt) {
    if (!isSyncForm(evt.detail.elt)) { return; }
    if (!evt.detail.successful || evt.detail.xhr.status >= 400) { setBusy(false); return; }
    if (finishedSinceClick) { clearNotice(); return; }
    if (!heardSinceClick) {
      show({ status: "running", phase: "queued", done: 0, total: null });
      setBusy(true);
    }
  });

  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    if (target && target.id === "figure-dialog-body" && target.querySelector("form")) { openDialog(); }
  });

  // The results swap themselves out whole (outerHTML): notice a new node, not an event target.
  document.addEventListener("htmx:afterSettle", function () {
    var results = document.getElementById("profit-results");
    if (!results || results === currentResults) { return; }
    currentResults = results;
    restoreExpanded();
    drawCharts();
    if (syncRunning) { setBusy(true); }
  });

  document.addEventListener(SAVED, closeDialog);

  document.addEventListener("click", function (evt) {
    var toggle = evt.target.closest && evt.target.closest("[data-toggle-row]");
    if (toggle) {
      setExpanded(toggle, toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    if (evt.target.closest && evt.target.closest("[data-close-dialog]")) { closeDialog(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    currentResults = document.getElementById("profit-results");
    var node = panel();
    syncRunning = Boolean(node && node.getAttribute("data-state") === "running");
    drawCharts();
  });
})();
