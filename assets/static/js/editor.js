// What a form says when its request fails. Everything else is htmx
// attributes (images: media.js); pages work without either.
(function () {
  "use strict";
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

// The editor never loses a word on the author's side: while an editor
// (form[data-editor]) holds changes not yet saved, leaving the page asks
// first, and what is typed is kept in this browser's localStorage until a
// save succeeds, to be offered back when the editor opens again after a
// crash, a closed tab or a lost connection.
(function () {
  "use strict";
  var leaveQuestion = "You have changes that are not saved yet. Leave this page and lose them?";
  var prefix = "quire:editor:";
  // Per backup key: how many edits were made, and how many of them the last
  // successful save carried. Dirty while they differ.
  var edits = {};
  var saved = {};
  var sent = new WeakMap(); // xhr -> edit count when it was sent
  var timers = {};

  function keyOf(form) { return form && form.getAttribute("data-backup-key"); }
  function isDirty(key) { return (edits[key] || 0) !== (saved[key] || 0); }
  function editorOf(elt) {
    return elt && elt.closest ? elt.closest("form[data-editor]") : null;
  }
  function versionOf(form) {
    var v = form.querySelector("#post-version");
    return v ? v.value : "";
  }
  // The fields a backup keeps: what the author types, not tokens or versions.
  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type === "text"));
    });
  }
  function dirtyEditors() {
    return Array.prototype.filter.call(document.querySelectorAll("form[data-editor]"), function (f) {
      return isDirty(keyOf(f));
    });
  }

  function readBackup(key) {
    try { return JSON.parse(localStorage.getItem(prefix + key) || "null"); } catch (e) { return null; }
  }
  function removeBackup(key) {
    try { localStorage.removeItem(prefix + key); } catch (e) { /* storage off: nothing kept */ }
  }
  function writeBackup(form) {
    var key = keyOf(form);
    if (!key) return;
    var values = {};
    fieldsOf(form).forEach(function (el) { values[el.name] = el.value; });
    try {
      localStorage.setItem(prefix + key, JSON.stringify({ version: versionOf(form), time: Date.now(), fields: values }));
    } catch (e) { /* full or off: the leave guard still protects the text */ }
  }

  function edited(form) {
    var key = keyOf(form);
    if (!key) return;
    edits[key] = (edits[key] || 0) + 1;
    // Written a moment after typing pauses: a long body is costly to copy
    // on every key.
    clearTimeout(timers[key]);
    timers[key] = setTimeout(function () { writeBackup(form); }, 300);
  }

  // The author's changes are saved: nothing left to warn about or offer.
  function clean(key) {
    saved[key] = edits[key] || 0;
    clearTimeout(timers[key]);
    removeBackup(key);
  }

  document.addEventListener("input", function (evt) {
    var form = editorOf(evt.target);
    if (form) edited(form);
  });

  // Requests that carry the form (save, autosave) are saves; the edit count
  // at sending says which changes a success covers.
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var form = editorOf(evt.detail.elt);
    if (form && evt.detail.requestConfig.verb === "post" && isSave(evt.detail.elt, form)) {
      sent.set(evt.detail.xhr, { key: keyOf(form), count: edits[keyOf(form)] || 0 });
    }
  });
  // The form's own submit saves; the body field's requests autosave.
  // (Preview is a button; images upload outside htmx, media.js.)
  function isSave(elt, form) {
    return elt === form || elt.name === "body";
  }
  // Runs before htmx follows an HX-Redirect, which would otherwise meet the
  // leave guard.
  document.addEventListener("htmx:beforeOnLoad", function (evt) {
    var s = sent.get(evt.detail.xhr);
    var status = evt.detail.xhr.status;
    if (!s || status < 200 || status >= 300) return;
    s.key = rekey(s.key, evt.detail.xhr);
    if ((edits[s.key] || 0) === s.count) {
      clean(s.key);
      return;
    }
    // Typed on while the save was under way: those words still need keeping,
    // now against the version the save made.
    saved[s.key] = s.count;
    var form = document.querySelector('form[data-editor][data-backup-key="' + s.key + '"]');
    if (form) setTimeout(function () { writeBackup(form); }, 0);
  });

  // A new post's first autosave makes its draft and moves the address bar
  // to the draft's editor (HX-Push-Url, /posts/{id}/editor): from then on
  // the editor and its copy in this browser are the draft's, under its id,
  // so the next new post is not offered them.
  var movedTo = {};
  function rekey(key, xhr) {
    if (movedTo[key]) return movedTo[key];
    var m = /\/posts\/(\d+)\/editor$/.exec(xhr.getResponseHeader("HX-Push-Url") || "");
    var form = m && m[1] !== key && document.querySelector('form[data-editor][data-backup-key="' + key + '"]');
    if (!form) return key;
    var to = m[1];
    form.setAttribute("data-backup-key", to);
    edits[to] = edits[key];
    saved[to] = saved[key];
    delete edits[key];
    delete saved[key];
    var b = readBackup(key);
    removeBackup(key);
    try {
      if (b) localStorage.setItem(prefix + to, JSON.stringify(b));
    } catch (e) { /* storage off: nothing kept */ }
    movedTo[key] = to; // autosaves of the same form still in flight
    return to;
  }

  // Cancel (and any [data-editor-discard]) gives the changes up on purpose.
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest && evt.target.closest("[data-testid=cancel], [data-editor-discard]");
    var form = btn && editorOf(btn);
    if (form) clean(keyOf(form));
  }, true);

  // Reloads, closing the tab, links that are not boosted, typed addresses.
  window.addEventListener("beforeunload", function (evt) {
    if (dirtyEditors().length === 0) return;
    evt.preventDefault();
    evt.returnValue = leaveQuestion;
    return leaveQuestion;
  });

  // Boosted links and forms, and any request from outside an editor whose
  // answer would replace it.
  document.addEventListener("htmx:confirm", function (evt) {
    var target = evt.detail.target;
    var away = dirtyEditors().filter(function (form) {
      return !form.contains(evt.detail.elt) && target && target.contains(form);
    });
    if (away.length === 0) return;
    if (!window.confirm(leaveQuestion)) {
      evt.preventDefault();
      return;
    }
    // The author chose to leave: the backup stays, to be offered back.
    away.forEach(function (form) { saved[keyOf(form)] = edits[keyOf(form)] || 0; });
  });

  // Back and Forward between pages htmx put in the history are popstate
  // events, handled by htmx's window.onpopstate (a reload, as the history
  // cache is off). Asked first; staying puts the editor's address back.
  var here = location.href;
  function moved() { here = location.href; }
  document.addEventListener("htmx:pushedIntoHistory", moved);
  document.addEventListener("htmx:replacedInHistory", moved);
  function guardHistory() {
    var htmxPop = window.onpopstate;
    if (typeof htmxPop !== "function") return;
    window.onpopstate = function (evt) {
      var away = evt.state && evt.state.htmx ? dirtyEditors() : [];
      if (away.length > 0) {
        if (!window.confirm(leaveQuestion)) {
          history.pushState({ htmx: true }, "", here);
          return;
        }
        away.forEach(function (form) { saved[keyOf(form)] = edits[keyOf(form)] || 0; });
      }
      moved();
      return htmxPop.call(window, evt);
    };
  }

  function clock(t) {
    var d = new Date(t);
    var hm = ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
    if (d.toDateString() === new Date().toDateString()) return hm;
    return d.toLocaleDateString(undefined, { day: "numeric", month: "long" }) + " " + hm;
  }

  // A backup of the version this editor starts from, holding other text, is
  // words the server never got: offer them back.
  function offer(form) {
    var key = keyOf(form);
    var b = key && readBackup(key);
    if (!b || !b.fields || form.querySelector("[data-restore-offer]")) return;
    if (String(b.version) !== versionOf(form)) return;
    var fields = fieldsOf(form);
    var differs = fields.some(function (el) {
      return Object.prototype.hasOwnProperty.call(b.fields, el.name) && b.fields[el.name] !== el.value;
    });
    if (!differs) return;
    var box = document.createElement("div");
    box.className = "flash";
    box.setAttribute("role", "status");
    box.setAttribute("data-restore-offer", "");
    box.setAttribute("data-testid", "restore-offer");
    var p = document.createElement("p");
    p.textContent = "This browser kept text you typed here at " + clock(b.time) + " that was never saved.";
    var restore = document.createElement("button");
    restore.type = "button";
    restore.setAttribute("data-testid", "restore");
    restore.textContent = "Restore what you typed at " + clock(b.time);
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "secondary";
    discard.setAttribute("data-testid", "restore-discard");
    discard.textContent = "Discard";
    box.appendChild(p);
    box.appendChild(restore);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(discard);
    form.insertBefore(box, form.firstChild);

    restore.addEventListener("click", function () {
      var body = null;
      fields.forEach(function (el) {
        if (!Object.prototype.hasOwnProperty.call(b.fields, el.name)) return;
        el.value = b.fields[el.name];
        if (el.name === "body") body = el;
      });
      box.remove();
      edited(form);
      // Lets autosave, where the editor has it, save the restored text.
      if (body) body.dispatchEvent(new Event("input", { bubbles: true }));
      (body || form).focus();
    });
    discard.addEventListener("click", function () {
      box.remove();
      removeBackup(key);
    });
  }

  function scan(root) {
    if (!root || !root.querySelectorAll) return;
    if (root.matches && root.matches("form[data-editor]")) offer(root);
    root.querySelectorAll("form[data-editor]").forEach(offer);
    document.querySelectorAll("form[data-editor]").forEach(function (f) { delete movedTo[keyOf(f)]; });
  }
  document.addEventListener("htmx:load", function (evt) { scan(evt.detail.elt); });
  // htmx (a deferred script before this one) sets its onpopstate on
  // DOMContentLoaded; "load" comes later still, should that have passed.
  var started = false;
  function start() {
    if (started) return;
    started = true;
    scan(document.body);
    guardHistory();
  }
  if (document.readyState === "complete") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
    window.addEventListener("load", start);
  }
})();
