// Quire's only script of its own: upload progress for the post editor, and
// what a form says when its request fails. Everything else is htmx
// attributes; pages work without either.
(function () {
  "use strict";
  document.addEventListener("htmx:xhr:progress", function (evt) {
    var form = evt.target.closest && evt.target.closest("#upload-form");
    if (!form || !evt.detail.lengthComputable) return;
    var bar = form.querySelector("#upload-progress");
    bar.hidden = false;
    bar.value = Math.round((evt.detail.loaded / evt.detail.total) * 100);
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.target.closest && evt.target.closest("#upload-form");
    if (!form) return;
    var bar = form.querySelector("#upload-progress");
    bar.value = 100;
    if (evt.detail.successful) form.reset();
  });

  // htmx swaps only answers meant to replace the form (2xx, and 422 and 409,
  // which carry the form back with the author's input). Any other error
  // status, or a request that never reached the site, leaves the form as it
  // is, text included; this says why, at the top of the form, until a later
  // request from the same form succeeds.
  var kept = " What you wrote is still here.";

  function formOf(evt) {
    var elt = evt.detail && evt.detail.elt;
    return elt && elt.closest ? elt.closest("form") : null;
  }

  function show(form, message) {
    var box = form.querySelector("[data-request-error]");
    if (!box) {
      box = document.createElement("p");
      box.className = "flash error";
      box.setAttribute("role", "alert");
      box.setAttribute("data-request-error", "");
      box.setAttribute("data-testid", "request-error");
      form.insertBefore(box, form.firstChild);
    }
    box.textContent = message + kept;
  }

  // The site's error pages carry their message in #error h1.
  function messageOf(xhr) {
    try {
      var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      var h = doc.querySelector("#error h1");
      if (h && h.textContent.trim()) return h.textContent.trim();
    } catch (e) { /* not HTML: fall through */ }
    if (xhr.status === 413) return "This is larger than the site accepts. Nothing was saved.";
    if (xhr.status >= 500) return "Something went wrong on our side. Nothing was saved.";
    return "The site refused this (error " + xhr.status + "). Nothing was saved.";
  }

  document.addEventListener("htmx:responseError", function (evt) {
    var form = formOf(evt);
    if (form) show(form, messageOf(evt.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function (evt) {
    var form = formOf(evt);
    if (form) show(form, "The site could not be reached, so nothing was saved. Check your connection and try again.");
  });
  document.addEventListener("htmx:timeout", function (evt) {
    var form = formOf(evt);
    if (form) show(form, "The site took too long to answer, so this may not have been saved. Try again.");
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var form = formOf(evt);
    var box = form && evt.detail.successful && form.querySelector("[data-request-error]");
    if (box) box.remove();
  });
})();
