/* The dispatch board: drag a job (HTML5 drag and drop) onto a crew and day, or open its "Move…"
   dialog; both submit the one move form, so a drop and the keyboard take the same path. The
   server answers an accepted move with the re-rendered board and a refused one with the reasons,
   retargeted to the alert region (HX-Retarget): nothing moved on the page, so the job snaps back.
   Planning progress arrives as `dispatch.progress` SSE events; when a run ends, the body gets a
   `dispatch-planned` event and htmx refetches the board, the plan bar and the difference. */
(function () {
  "use strict";

  var DRAG_TYPE = "application/x-roofops-placement";
  var FINISHED = { done: true, finished: true, failed: true, error: true, succeeded: true };
  var dragged = null;

  function parseJSON(text, fallback) {
    try { return JSON.parse(text); } catch (e) { return fallback; }
  }

  function moveForm() { return document.getElementById("move-form"); }

  function addDays(isoDate, count) {
    var day = new Date(isoDate + "T00:00:00Z");
    day.setUTCDate(day.getUTCDate() + count);
    return day.toISOString().slice(0, 10);
  }

  function fillMove(source, crewId, day) {
    var form = moveForm();
    form.elements.job_id.value = source.getAttribute("data-job-id");
    form.elements.phase.value = source.getAttribute("data-phase");
    if (crewId) { form.elements.crew_id.value = crewId; }
    if (day) { form.elements.start_on.value = day; }
    form.querySelector("[data-move-job]").textContent =
      source.getAttribute("data-job-number") + " (" + source.getAttribute("data-phase") + ")";
    return form;
  }

  /* ---- drag and drop ---- */
  function slotOf(node) { return node && node.closest ? node.closest("td.slot") : null; }

  function dayUnderPointer(slot, evt) {
    // A placement's cell spans its days: the pointer's share of the width says which one.
    var span = Number(slot.getAttribute("colspan") || 1);
    var rect = slot.getBoundingClientRect();
    var index = Math.floor(((evt.clientX - rect.left) / Math.max(rect.width, 1)) * span);
    return addDays(slot.getAttribute("data-day"), Math.max(0, Math.min(span - 1, index)));
  }

  function clearHover() {
    Array.prototype.forEach.call(document.querySelectorAll(".drop-hover"), function (node) {
      node.classList.remove("drop-hover");
    });
  }

  document.addEventListener("dragstart", function (evt) {
    var source = evt.target.closest && evt.target.closest("[data-placement][draggable='true']");
    if (!source || !moveForm()) { return; }
    dragged = source;
    source.classList.add("dragging");
    evt.dataTransfer.effectAllowed = "move";
    evt.dataTransfer.setData(DRAG_TYPE, source.getAttribute("data-job-id"));
    evt.dataTransfer.setData("text/plain", source.getAttribute("data-job-number"));
  });

  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    clearHover();
  });

  document.addEventListener("dragover", function (evt) {
    var slot = slotOf(evt.target);
    if (!slot || !dragged) { return; }
    evt.preventDefault(); // a slot accepts the drop
    evt.dataTransfer.dropEffect = "move";
    if (!slot.classList.contains("drop-hover")) { clearHover(); slot.classList.add("drop-hover"); }
  });

  document.addEventListener("drop", function (evt) {
    var slot = slotOf(evt.target);
    if (!slot || !dragged) { return; }
    evt.preventDefault();
    var form = fillMove(dragged, slot.getAttribute("data-crew-id"), dayUnderPointer(slot, evt));
    form.setAttribute("data-source-key", dragged.getAttribute("data-job-id") + ":" + dragged.getAttribute("data-phase"));
    clearHover();
    form.requestSubmit();
  });

  /* ---- the Move… dialog ---- */
  document.addEventListener("click", function (evt) {
    var opener = evt.target.closest && evt.target.closest("[data-move-open]");
    if (opener) {
      var source = opener.closest("[data-placement]");
      var dialog = document.getElementById("move-dialog");
      var board = document.getElementById("board");
      fillMove(source, source.getAttribute("data-crew-id"),
        source.getAttribute("data-starts-on") || (board && board.getAttribute("data-start")));
      dialog.showModal();
      return;
    }
    if (evt.target.closest && evt.target.closest("[data-move-cancel]")) {
      document.getElementById("move-dialog").close();
    }
  });

  function refused(job) {
    // The dragged job shakes where it stayed: it did not move.
    if (!job) { return; }
    var selector = "[data-placement][data-job-id='" + job.split(":")[0] + "'][data-phase='" + job.split(":")[1] + "']";
    var node = document.querySelector(selector);
    if (!node) { return; }
    node.classList.remove("refused");
    void node.offsetWidth; // restart the animation
    node.classList.add("refused");
  }

  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = moveForm();
    if (!form || evt.detail.elt !== form) { return; }
    var dialog = document.getElementById("move-dialog");
    if (dialog && dialog.open) { dialog.close(); }
    var alertRegion = document.getElementById("board-alert");
    if (evt.detail.xhr.status === 409) {
      refused(form.getAttribute("data-source-key") || form.elements.job_id.value + ":" + form.elements.phase.value);
    } else if (evt.detail.successful && alertRegion) {
      alertRegion.textContent = "";
    }
    form.removeAttribute("data-source-key");
  });

  /* ---- planning progress (SSE) ---- */
  function progressPanel() { return document.querySelector("[data-dispatch-progress]"); }

  function setBusy(busy) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-plan-button]"), function (button) {
      button.disabled = busy;
      if (busy) { button.setAttribute("aria-busy", "true"); } else { button.removeAttribute("aria-busy"); }
    });
  }

  function announce(text) {
    var node = document.getElementById("dispatch-announcer");
    if (node) { node.textContent = text; }
  }

  function isFinished(data) {
    return Boolean(FINISHED[data.phase] || FINISHED[data.status] || data.percent >= 100);
  }

  function showProgress(data) {
    var panel = progressPanel();
    var finished = isFinished(data);
    panel.hidden = false;
    var state = data.phase === "failed" ? "failed" : "finished";
    panel.setAttribute("data-state", finished ? state : "running");
    panel.querySelector("[data-progress-text]").textContent = data.message || data.phase || "";
    var bar = panel.querySelector("[data-progress-bar]");
    if (typeof data.percent === "number") { bar.value = Math.max(0, Math.min(100, data.percent)); }
    else if (finished) { bar.value = 100; }
    else { bar.removeAttribute("value"); }
    return finished;
  }

  document.addEventListener("htmx:sseBeforeMessage", function (evt) {
    if (!evt.target || !evt.target.hasAttribute || !evt.target.hasAttribute("data-dispatch-progress")) { return; }
    evt.preventDefault(); // rendered here, not swapped in as raw JSON
    var data = parseJSON(evt.detail && evt.detail.data, null);
    if (!data) { return; }
    var finished = showProgress(data);
    setBusy(!finished);
    if (finished) {
      announce((data.phase === "failed" ? "Planning failed: " : "Planning finished: ") + (data.message || data.phase));
      document.getElementById("board-notice").textContent = "";
      window.htmx.trigger(document.body, "dispatch-planned");
    }
  });

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-plan-form")) { setBusy(true); }
  });

  document.addEventListener("htmx:afterRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-plan-form")) { return; }
    if (!evt.detail.successful || evt.detail.xhr.status >= 400) { setBusy(false); }
  });

  // Reconnected after a gap: a run may have ended unheard, so refetch what it changes.
  document.addEventListener("htmx:sseOpen", function (evt) {
    var source = evt.target;
    if (!source || !source.setAttribute || !progressPanel()) { return; }
    if (source.hasAttribute("data-sse-opened")) { window.htmx.trigger(document.body, "dispatch-planned"); }
    source.setAttribute("data-sse-opened", "");
  });
})();
