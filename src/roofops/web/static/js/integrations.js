/* Settings > Integrations: live sync progress from `sync.progress` SSE events. The run history
   is htmx's job: this file only announces "a run started or finished" and htmx refetches it. */
(function () {
  "use strict";

  var PROVIDER = "jobnimbus";
  var CHANGED = "sync-changed"; // #sync-runs has hx-trigger="sync-changed from:body"
  var seenRuns = {};
  // Events can overtake the response to the click (the run may even finish first): the
  // "queued" state is shown only when no event arrived since the click.
  var heardSinceClick = true;
  var finishedSinceClick = false;
  var sseOpenedBefore = false;

  function parseJSON(text, fallback) {
    try { return JSON.parse(text); } catch (e) { return fallback; }
  }

  function panel() { return document.getElementById("sync-progress"); }

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
    var buttons = document.querySelectorAll("[data-sync-button]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.disabled = busy;
      if (busy) { button.setAttribute("aria-busy", "true"); } else { button.removeAttribute("aria-busy"); }
    });
  }

  function announce(text) {
    var announcer = document.getElementById("sync-announcer");
    if (announcer) { announcer.textContent = text; }
  }

  function show(data) {
    var node = panel();
    if (!node) { return; }
    node.hidden = false;
    node.setAttribute("data-state", data.status);
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

  function runsChanged() {
    if (window.htmx) { window.htmx.trigger(document.body, CHANGED); }
  }

  function onProgress(evt) {
    if (!evt.target || evt.target.id !== "sync-progress") { return; }
    // We render the JSON ourselves instead of letting htmx swap raw text into the page.
    evt.preventDefault();
    var data = parseJSON(evt.detail && evt.detail.data, null);
    if (!data || data.provider !== PROVIDER) { return; }
    heardSinceClick = true;
    var running = data.status === "running";
    if (!running) { finishedSinceClick = true; clearNotice(); }
    var isNew = !seenRuns[data.run_id];
    seenRuns[data.run_id] = true;
    show(data);
    setBusy(running);
    if (isNew && running) { announce("JobNimbus sync started."); }
    if (!running) { announce("JobNimbus sync " + describe(data).toLowerCase() + "."); }
    // Refetch the history when a run appears and when it ends, not on every progress step.
    if (isNew || !running) { runsChanged(); }
  }

  function clearNotice() {
    var notice = document.getElementById("sync-notice");
    if (notice) { notice.textContent = ""; }
  }

  function isSyncForm(elt) { return elt && elt.hasAttribute && elt.hasAttribute("data-sync-form"); }

  document.addEventListener("htmx:sseBeforeMessage", onProgress);

  document.addEventListener("htmx:sseOpen", function () {
    // After a reconnect, events may have been missed: catch up with the stored history.
    if (sseOpenedBefore && panel()) { runsChanged(); }
    sseOpenedBefore = true;
  });

  document.addEventListener("htmx:beforeRequest", function (evt) {
    if (!isSyncForm(evt.detail.elt)) { return; }
    heardSinceClick = false;
    finishedSinceClick = false;
    setBusy(true);
  });

  document.addEventListener("htmx:afterRequest", function (evt) {
    if (!isSyncForm(evt.detail.elt)) { return; }
    if (!evt.detail.successful) { setBusy(false); return; }
    // The run finished before this response came back: "queued" would be stale news.
    if (finishedSinceClick) { clearNotice(); return; }
    if (!heardSinceClick) {
      show({ status: "running", phase: "queued", done: 0, total: null });
      setBusy(true);
    }
  });

  /* ---- QuickBooks: a refused Connect swaps the card back in; move focus to why ---- */
  document.addEventListener("htmx:afterSwap", function (evt) {
    var path = evt.detail.pathInfo && evt.detail.pathInfo.requestPath;
    if (!path || path.indexOf("/quickbooks/connect") < 0) { return; }
    var error = document.getElementById("quickbooks-error");
    if (error) { error.focus(); }
  });

  /* ---- run history: the errors row a run expands into can be closed again ---- */
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-hide-row]");
    if (!button) { return; }
    var row = button.closest("tr");
    if (row) { row.hidden = true; }
  });
})();
