/* Profit page and a job's money panel: charts, the figures detail rows and the "set by hand"
   dialog (live sync progress is sync-progress.js's). htmx does the fetching. */
(function () {
  "use strict";

  var SAVED = "figure-saved"; // sent by the server (HX-Trigger) after a figure is set or cleared
  var charts = [];
  var expanded = {}; // detail rows left open survive the table refreshing under them
  var currentResults = null;

  function parseJSON(text, fallback) {
    try { return JSON.parse(text); } catch (e) { return fallback; }
  }

  /* ---------- charts: actual (final jobs) and projected (open jobs), never averaged ---------- */
  var ACTUAL = "#15803d";
  var PROJECTED = "#2563eb";
  var percentAxis = { ticks: { callback: function (value) { return value + "%"; } } };

  function marginTooltip(data, kind, label) {
    return function (item) {
      var jobs = data[kind + "_jobs"] ? data[kind + "_jobs"][item.dataIndex] : null;
      return label + ": " + item.formattedValue + "%" + (jobs ? " (" + jobs + " jobs)" : "");
    };
  }

  function dataset(data, kind, label, colour) {
    return {
      label: label, data: data[kind], backgroundColor: colour, borderColor: colour,
      borderRadius: 4, maxBarThickness: 36, tension: 0.25, pointRadius: 2, spanGaps: true,
      tooltip: { callbacks: { label: marginTooltip(data, kind, label) } }
    };
  }

  function chartConfig(kind, data) {
    var sets = [dataset(data, "actual", "Actual", ACTUAL), dataset(data, "projected", "Projected", PROJECTED)];
    var options = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: true, position: "bottom" } },
      scales: { y: percentAxis }
    };
    if (kind === "count-bar") {
      sets[0].label = "Final jobs"; sets[1].label = "Open jobs";
      sets.forEach(function (set) {
        set.tooltip = { callbacks: { label: function (item) { return set.label + ": " + item.formattedValue; } } };
      });
      options.scales = { y: { beginAtZero: true, ticks: { precision: 0 } } };
    }
    return { type: kind === "margin-line" ? "line" : "bar", data: { labels: data.labels, datasets: sets }, options: options };
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
    if (open) { expanded[row.id] = true; loadFigures(row); } else { delete expanded[row.id]; }
  }

  // The grid is fetched the first time its row opens. Asked for directly, not through an htmx
  // trigger: a row re-rendered by a refresh may open before htmx has wired up its new nodes.
  function loadFigures(row) {
    var cell = row.querySelector("[data-figures]");
    if (!cell || cell.hasAttribute("data-loading") || !window.htmx) { return; }
    cell.setAttribute("data-loading", "");
    window.htmx.ajax("GET", cell.getAttribute("data-figures"), { target: cell, swap: "innerHTML" });
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
    drawCharts();
  });
})();
