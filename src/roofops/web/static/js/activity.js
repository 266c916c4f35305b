/* A job's activity feed and the header bell, kept current over SSE without a reload.
   Events carry ids only: on one that concerns this job (or this person), the page asks the
   server for the fresh fragment, so what is shown is always what the server renders. */
(function () {
  "use strict";

  function parseJSON(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  function refreshFeed(section) {
    window.htmx.ajax("GET", section.getAttribute("data-feed-url"), {
      target: "#activity-entries", swap: "innerHTML"
    });
  }

  function refreshBell() {
    window.htmx.ajax("GET", "/notifications/bell", {
      target: "#notification-bell", swap: "outerHTML"
    });
  }

  function setFeedStatus(state, text) {
    var status = document.getElementById("activity-live");
    if (!status) { return; }
    status.setAttribute("data-state", state);
    status.textContent = text;
  }

  document.addEventListener("htmx:sseBeforeMessage", function (evt) {
    var target = evt.target;
    if (!target || !target.hasAttribute) { return; }
    var isFeed = target.hasAttribute("data-activity-events");
    var isBell = target.hasAttribute("data-bell-events");
    if (!isFeed && !isBell) { return; }
    evt.preventDefault(); // the JSON is a signal, not markup to swap in
    var data = parseJSON(evt.detail && evt.detail.data) || {};
    if (isFeed) {
      var section = document.getElementById("activity");
      if (section && data.job_id === section.getAttribute("data-job-id")) { refreshFeed(section); }
      return;
    }
    var holder = target.closest("[data-user-id]");
    if (holder && data.user_id === holder.getAttribute("data-user-id")) { refreshBell(); }
  });

  function inFeed(evt) {
    var section = document.getElementById("activity");
    return section && evt.target && section.contains(evt.target);
  }

  /* The bell's stream is its own business: its opening or failing must not flip another
     card's live status (app.js reads every sseOpen that reaches the document). */
  function keepBellStreamToItself() {
    var bell = document.querySelector(".bell-live");
    if (!bell) { return; }
    ["htmx:sseOpen", "htmx:sseError", "htmx:sseClose"].forEach(function (name) {
      bell.addEventListener(name, function (evt) { evt.stopPropagation(); });
    });
  }
  keepBellStreamToItself();

  document.addEventListener("htmx:sseOpen", function (evt) {
    if (inFeed(evt)) { setFeedStatus("open", "Live"); }
  });
  document.addEventListener("htmx:sseError", function (evt) {
    if (inFeed(evt)) { setFeedStatus("error", "Live updates unavailable, retrying…"); }
  });
})();
