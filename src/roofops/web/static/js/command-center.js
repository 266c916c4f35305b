/* Command Center: the map of today's work (Leaflet, no tile server: job sites and yards on a
   plain background) and the live refresh. htmx re-reads #ops-live on live events (hx-trigger
   on the element); here the map follows each new fragment, and a reconnected stream refetches
   what it may have missed. */
(function () {
  "use strict";

  var STATE_RING = {
    scheduled: "#64748b", en_route: "#2563eb", on_site: "#16a34a", finished: "#0f172a", blocked: "#dc2626"
  };
  var map = null;
  var layer = null;

  function parseJSON(text, fallback) {
    try { return JSON.parse(text); } catch (e) { return fallback; }
  }

  function tooltip(point) {
    var parts = [point.label];
    if (point.state_label) { parts.push(point.state_label); }
    if (point.crews && point.crews.length) { parts.push(point.crews.join(", ")); }
    return parts.join(" · ");
  }

  function marker(point) {
    var isYard = point.kind === "yard";
    var options = isYard
      ? { radius: 7, color: "#334155", weight: 2, dashArray: "3 3", fillColor: "#ffffff", fillOpacity: 1 }
      : { radius: 9, color: STATE_RING[point.state] || "#64748b", weight: 4,
          fillColor: point.colour || "#2563eb", fillOpacity: 0.95 };
    var shape = window.L.circleMarker([point.lat, point.lon], options);
    shape.bindTooltip(tooltip(point));
    shape.on("click", function () { window.location.assign(point.link); });
    return shape;
  }

  function drawMarkers() {
    var data = document.getElementById("ops-map-data");
    if (!map || !data) { return; }
    var points = parseJSON(data.getAttribute("data-points"), []);
    layer.clearLayers();
    var bounds = [];
    points.forEach(function (point) {
      layer.addLayer(marker(point));
      bounds.push([point.lat, point.lon]);
    });
    if (bounds.length === 1) { map.setView(bounds[0], 12); }
    else if (bounds.length > 1) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 }); }
    var element = document.getElementById("ops-map");
    element.setAttribute("data-markers", String(points.length));
  }

  function setUpMap() {
    var element = document.getElementById("ops-map");
    if (!element || typeof window.L === "undefined") { return; }
    map = window.L.map(element, { attributionControl: false, zoomSnap: 0.5 }).setView([39.74, -104.99], 10);
    layer = window.L.layerGroup().addTo(map);
    drawMarkers();
  }

  function showGenerated() {
    var data = document.getElementById("ops-map-data");
    var shown = document.getElementById("ops-generated");
    if (!data || !shown) { return; }
    var when = new Date(data.getAttribute("data-generated"));
    shown.setAttribute("datetime", data.getAttribute("data-generated"));
    shown.textContent = when.toLocaleTimeString([], { hour: "numeric", minute: "2-digit", second: "2-digit" });
  }

  document.addEventListener("htmx:afterSwap", function (evt) {
    if (!evt.detail || !evt.detail.target || evt.detail.target.id !== "ops-live") { return; }
    drawMarkers();
    showGenerated();
  });

  // Reconnected after a gap: events may have been missed, so re-read the live part once.
  document.addEventListener("htmx:sseOpen", function (evt) {
    var source = evt.target;
    if (!source || source.id !== "ops-stream") { return; }
    if (source.hasAttribute("data-sse-opened")) { window.htmx.trigger("#ops-live", "ops-refresh"); }
    source.setAttribute("data-sse-opened", "");
  });

  document.addEventListener("DOMContentLoaded", setUpMap);
})();
