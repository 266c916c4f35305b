/* Settings > Integrations: focus and run-history details (live sync progress is
   sync-progress.js's; the run history refetches on its "sync-changed" event). */
(function () {
  "use strict";

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
