/* Financial reports page: its two charts, drawn from the data the server put on each canvas
   (no inline script: the CSP refuses them). */
(function () {
  "use strict";

  var INVOICED = "#2563eb";
  var COLLECTED = "#15803d";
  var COMPARED = "#94a3b8";
  var AGES = ["#15803d", "#84cc16", "#f59e0b", "#f97316", "#dc2626"];
  var dollars = { ticks: { callback: function (value) { return "$" + Number(value).toLocaleString(); } } };

  function parseJSON(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  function revenueChart(data) {
    var sets = [
      { type: "bar", label: "Invoiced", data: data.invoiced, backgroundColor: INVOICED },
      { type: "bar", label: "Collected", data: data.collected, backgroundColor: COLLECTED }
    ];
    if (data.compared.some(function (value) { return value !== null; })) {
      sets.push({ type: "line", label: "Invoiced, compared period", data: data.compared,
                  borderColor: COMPARED, backgroundColor: COMPARED, tension: 0.25 });
    }
    return { type: "bar", data: { labels: data.labels, datasets: sets },
             options: { responsive: true, maintainAspectRatio: false, animation: false,
                        plugins: { legend: { position: "bottom" } }, scales: { y: dollars } } };
  }

  function agingChart(data) {
    var sets = data.buckets.map(function (bucket, index) {
      return { label: bucket.label, data: bucket.data, backgroundColor: AGES[index % AGES.length] };
    });
    return { type: "bar", data: { labels: data.labels, datasets: sets },
             options: { responsive: true, maintainAspectRatio: false, animation: false,
                        plugins: { legend: { position: "bottom" } },
                        scales: { x: { stacked: true }, y: Object.assign({ stacked: true }, dollars) } } };
  }

  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-finance-chart]"), function (canvas) {
      var data = parseJSON(canvas.getAttribute("data-chart-data"));
      if (!data) { return; }
      var kind = canvas.getAttribute("data-finance-chart");
      new window.Chart(canvas, kind === "aging" ? agingChart(data) : revenueChart(data));
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
}());
