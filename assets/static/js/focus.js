// Keyboard and focus across htmx swaps. A swap that replaces the focused
// element drops focus to the top of the page; this puts it where the reader
// was working: the editor's title after Edit, the post's heading after Save
// or Cancel, the same sort or pager link after the table changes, the first
// new post after "Load more". Escape closes what has a [data-cancel]
// control (cell editors, confirmations). Lists keep the reader's place on
// Back. Pages work without it.
(function () {
  "use strict";

  var pending = null; // what the request in flight was started from

  function keyOf(el) {
    if (!el || el === document.body) return null;
    if (el.dataset && el.dataset.testid) return "[data-testid=\"" + el.dataset.testid + "\"]";
    if (el.id) return "#" + CSS.escape(el.id);
    return null;
  }

  function focusOn(el) {
    if (!el) return;
    if (!el.matches("a[href], button, input, select, textarea, [tabindex]")) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: false });
  }

  function lost() {
    var a = document.activeElement;
    return !a || a === document.body || !a.isConnected;
  }

  document.addEventListener("htmx:beforeRequest", function (evt) {
    var list = document.querySelector("#posts");
    pending = {
      trigger: evt.detail.elt,
      focused: keyOf(document.activeElement),
      items: list ? list.querySelectorAll("li.post-item").length : 0
    };
  });

  document.addEventListener("htmx:afterSettle", function (evt) {
    var was = pending;
    pending = null;
    var target = evt.detail.target;
    // A boosted page change starts at the top, like a page load.
    if (!was || !target || target === document.body) return;
    // "Load more": the first of the new posts.
    if (was.trigger.matches && was.trigger.matches("[data-testid=load-more]")) {
      var items = document.querySelectorAll("#posts li.post-item");
      if (items[was.items]) focusOn(items[was.items].querySelector("h2 a"));
      return;
    }
    var post = document.querySelector("#post");
    if (post && (target === post || !target.isConnected) && post.contains(document.activeElement) === false) {
      if (post.matches("form[data-editor]")) {
        focusOn(post.querySelector("#f-title"));
        return;
      }
      if (post.matches("article")) {
        focusOn(post.querySelector("h1"));
        return;
      }
    }
    if (!lost()) return;
    // The control that was used, in its new copy; else the swapped region.
    var again = was.focused && document.querySelector(was.focused);
    if (again) {
      focusOn(again);
      return;
    }
    if (target.isConnected) focusOn(target.querySelector(".cell-edit, table, h1, h2") || target);
  });

  // Escape closes the innermost open thing that has a cancel control.
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape" || evt.defaultPrevented) return;
    var from = document.activeElement;
    var box = (from && from.closest && from.closest("[data-escape]")) || null;
    if (!box) {
      var open = document.querySelectorAll("[data-escape]");
      box = open.length ? open[open.length - 1] : null;
    }
    var cancel = box && box.querySelector("[data-cancel]");
    if (cancel) {
      evt.preventDefault();
      cancel.click();
    }
  });

  // Before a reader leaves a list for a post, the list's address is marked
  // with the post's item, so that Back (which loads the list again) shows
  // it at the same place instead of the top of the page.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest("#posts li.post-item a");
    if (!link) return;
    var item = link.closest("li.post-item");
    if (item.id) history.replaceState(history.state, "", "#" + item.id);
  }, true);

  function toMarked() {
    var id = location.hash.slice(1);
    var item = id && document.getElementById(id);
    if (item && item.matches("li.post-item")) {
      item.scrollIntoView({ block: "start" });
      focusOn(item.querySelector("h2 a"));
    }
  }
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";
  document.addEventListener("DOMContentLoaded", toMarked);
})();
