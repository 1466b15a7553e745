// Quire's only script of its own: upload progress for the post editor.
// Everything else is htmx attributes; pages work without either.
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
})();
