// Admin tables: "select all on this page" and the count of selected rows.
// htmx cannot toggle checkboxes without script, and inline handlers are
// forbidden by the CSP, so this file listens on the document: it keeps
// working after every swap. Without it, rows are still selected one by one
// and "apply to all matching" is a plain submit button.
(function () {
  "use strict";

  function rowBoxes(form) {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[type=checkbox][name=id][form="' + form + '"]'));
  }

  function refresh() {
    var all = document.querySelector("[data-select-all]");
    var count = document.querySelector("[data-selected-count]");
    if (!all) return;
    all.hidden = false;
    var boxes = rowBoxes("bulk-form");
    var n = boxes.filter(function (b) { return b.checked; }).length;
    all.checked = boxes.length > 0 && n === boxes.length;
    all.indeterminate = n > 0 && n < boxes.length;
    if (count) count.textContent = n ? n + " selected" : "";
  }

  document.addEventListener("change", function (evt) {
    var t = evt.target;
    if (t.matches && t.matches("[data-select-all]")) {
      rowBoxes("bulk-form").forEach(function (b) { b.checked = t.checked; });
    }
    if (t.matches && t.matches("[data-select-all], input[name=id][form=bulk-form]")) refresh();
  });

  // New table content arrives with every sort, filter, page and action.
  document.addEventListener("htmx:load", refresh);
  document.addEventListener("DOMContentLoaded", refresh);
})();
