/* Live progress of a vendor sync from `sync.progress` SSE events, for every page that has a
   progress panel: <div data-sync-progress data-provider="quickbooks" data-label="QuickBooks"
   data-refresh-event="profit-synced" data-refresh-on="finish" data-notice="profit-sync-notice"
   data-announcer="profit-sync-announcer" sse-swap="sync.progress" ...>. htmx does the fetching:
   this file shows progress and triggers the panel's refresh event on <body> so that htmx
   refetches what a run changed (on a run's start and finish, or only its finish). */
(function () {
  "use strict";

  // Events can overtake the response to the click (a short run may even finish first): the
  // "queued" state is shown only when no event arrived since the click.
  var heardSinceClick = true;
  var finishedSinceClick = false;
  var seenRuns = {};

  function parseJSON(text, fallback) {
    try { return JSON.parse(text); } catch (e) { return fallback; }
  }

  function panel() { return document.querySelector("[data-sync-progress]"); }

  function setting(name) {
    var node = panel();
    return node ? node.getAttribute(name) || "" : "";
  }

  function labels(name) { return parseJSON(setting(name), {}); }

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

  function byId(name) {
    var id = setting(name);
    return id ? document.getElementById(id) : null;
  }

  function announce(text) {
    var node = byId("data-announcer");
    if (node) { node.textContent = text; }
  }

  function clearNotice() {
    var node = byId("data-notice");
    if (node) { node.textContent = ""; }
  }

  function refresh() {
    var name = setting("data-refresh-event");
    if (name && window.htmx) { window.htmx.trigger(document.body, name); }
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

  function onProgress(evt) {
    if (!evt.target || !evt.target.hasAttribute || !evt.target.hasAttribute("data-sync-progress")) { return; }
    // We render the JSON ourselves instead of letting htmx swap raw text into the page.
    evt.preventDefault();
    var data = parseJSON(evt.detail && evt.detail.data, null);
    if (!data || data.provider !== setting("data-provider")) { return; }
    heardSinceClick = true;
    var running = data.status === "running";
    var isNew = !seenRuns[data.run_id];
    seenRuns[data.run_id] = true;
    show(data);
    setBusy(running);
    var label = setting("data-label");
    if (isNew && running) { announce(label + " sync started."); }
    if (!running) {
      finishedSinceClick = true;
      clearNotice();
      announce(label + " sync " + describe(data).toLowerCase() + ".");
    }
    // Refetch what a run changed when it appears (if asked) and when it ends, not every step.
    if (!running || (isNew && setting("data-refresh-on").indexOf("start") >= 0)) { refresh(); }
  }

  function isSyncForm(elt) { return elt && elt.hasAttribute && elt.hasAttribute("data-sync-form"); }

  document.addEventListener("htmx:sseBeforeMessage", onProgress);

  document.addEventListener("htmx:sseOpen", function (evt) {
    // Reconnected after a gap: a run may have finished unheard, so refetch what it changed.
    var source = evt.target;
    if (source && source.hasAttribute && source.hasAttribute("data-sse-opened") && panel()) { refresh(); }
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
    // The run finished before this response came back: "queued" would be stale news.
    if (finishedSinceClick) { clearNotice(); return; }
    if (!heardSinceClick) {
      show({ status: "running", phase: "queued", done: 0, total: null });
      setBusy(true);
    }
  });

  // Buttons re-rendered while a run works (a refreshed table) stay busy.
  document.addEventListener("htmx:afterSettle", function () {
    var node = panel();
    if (node && node.getAttribute("data-state") === "running") { setBusy(true); }
  });
})();
