// Orders pages: small enhancements; every form works without this file.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    // Cart quantities apply as soon as they change (the Update button is the no-JS fallback).
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      var button = form.querySelector("[data-autosubmit-button]");
      if (button) button.hidden = true;
      form.querySelector("select").addEventListener("change", function () { form.submit(); });
    });

    // Checkout: the earliest deadline follows the lines ticked (the longest delivery time among them).
    var deadline = document.querySelector("input[data-earliest-base]");
    var note = document.querySelector("[data-earliest-note]");
    var picks = document.querySelectorAll("input[name=item_ids][data-days]");
    function refresh() {
      var days = 1;
      picks.forEach(function (pick) { if (pick.checked) days = Math.max(days, parseInt(pick.dataset.days, 10) || 1); });
      var earliest = new Date(Date.now() + days * 86400000);
      var iso = earliest.getFullYear() + "-" + String(earliest.getMonth() + 1).padStart(2, "0") + "-" +
        String(earliest.getDate()).padStart(2, "0");
      deadline.min = iso;
      if (note) {
        note.textContent = earliest.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short", year: "numeric" }) +
          " (" + days + " day" + (days === 1 ? "" : "s") + " for delivery)";
      }
    }
    if (deadline && picks.length) picks.forEach(function (pick) { pick.addEventListener("change", refresh); });

    // Opening a move's panel closes the others, so one form shows at a time.
    var panels = document.querySelectorAll("details.om-action");
    panels.forEach(function (panel) {
      panel.addEventListener("toggle", function () {
        if (!panel.open) return;
        panels.forEach(function (other) { if (other !== panel) other.open = false; });
      });
    });
  });
})();
