// Images in the editor: into the body at the cursor (the "Insert an image"
// button, drop and paste, each asking for a description first), and a
// media picker for every field holding a media key (input[data-media-picker]:
// a post's cover, a social image). Loaded with every signed-in page, since
// boosted links open editors without loading a page. Without it the editor
// page's upload form and the plain file-name fields still work.
(function () {
  "use strict";

  // The site's error pages carry their message in #error h1.
  function answerError(xhr) {
    var ans = null;
    try { ans = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
    if (ans && ans.error) return ans.error;
    try {
      var h = new DOMParser().parseFromString(xhr.responseText || "", "text/html").querySelector("#error h1");
      if (h && h.textContent.trim()) return h.textContent.trim();
    } catch (e) { /* not HTML */ }
    if (xhr.status === 413) return "This image is larger than the site accepts.";
    return "The upload failed (error " + xhr.status + ").";
  }

  function csrf(root) {
    var el = root.querySelector("input[name=_csrf]") || document.querySelector("input[name=_csrf]");
    return el ? el.value : "";
  }

  // upload sends data (FormData: file, alt, decorative, _csrf) to url and
  // calls done(error, answer); the bar shows its progress from 0 each time.
  function upload(url, data, bar, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRF-Token", data.get("_csrf") || "");
    if (bar) {
      bar.value = 0;
      bar.hidden = false;
      xhr.upload.addEventListener("progress", function (evt) {
        if (evt.lengthComputable) bar.value = Math.round((evt.loaded / evt.total) * 100);
      });
    }
    function end(err, ans) {
      if (bar) { bar.hidden = true; bar.value = 0; }
      done(err, ans);
    }
    xhr.addEventListener("load", function () {
      if (xhr.status !== 200) return end(answerError(xhr));
      try { end(null, JSON.parse(xhr.responseText)); } catch (e) { end(answerError(xhr)); }
    });
    xhr.addEventListener("error", function () {
      end("The site could not be reached. Check your connection and try again.");
    });
    xhr.addEventListener("timeout", function () { end("The site took too long to answer. Try again."); });
    xhr.timeout = 120000;
    xhr.send(data);
  }

  // An error is shown as one: role=alert, the error style, in box.
  function showError(box, message) {
    var p = box.querySelector("[data-upload-error]");
    if (!p) {
      p = document.createElement("p");
      p.className = "flash error";
      p.setAttribute("role", "alert");
      p.setAttribute("data-upload-error", "");
      p.setAttribute("data-testid", "upload-error");
      box.appendChild(p);
    }
    p.textContent = message;
  }
  function clearError(box) {
    var p = box.querySelector("[data-upload-error]");
    if (p) p.remove();
  }
  function say(box, message) {
    var s = box.querySelector("[data-upload-status]");
    if (s) s.textContent = message;
  }

  function images(files) {
    return Array.prototype.filter.call(files || [], function (f) { return /^image\//.test(f.type); });
  }

  // ---- The body: images at the cursor.

  function toolsOf(textarea) {
    var form = textarea.closest("form[data-editor]");
    return form && form.querySelector("[data-body-images]");
  }

  // askAlt shows the description dialog for file; then(null) when cancelled.
  function askAlt(tools, file, then) {
    var dlg = tools.querySelector("[data-alt-dialog]");
    var text = dlg.querySelector("[data-alt-text]");
    var deco = dlg.querySelector("[data-alt-decorative]");
    var err = dlg.querySelector("[data-alt-error]");
    dlg.querySelector("[data-alt-file]").textContent = file.name || "A pasted image";
    text.value = "";
    deco.checked = false;
    err.hidden = true;
    var answered = false;
    function finish(result) {
      if (answered) return;
      answered = true;
      ok.removeEventListener("click", onOK);
      cancel.removeEventListener("click", onCancel);
      text.removeEventListener("keydown", onKey);
      dlg.removeEventListener("close", onClose);
      if (dlg.open) dlg.close();
      then(result);
    }
    function onOK() {
      var alt = text.value.trim();
      if (alt === "" && !deco.checked) {
        err.textContent = "Describe the image, or mark it as decorative.";
        err.hidden = false;
        text.focus();
        return;
      }
      finish({ alt: alt, decorative: deco.checked });
    }
    function onCancel() { finish(null); }
    function onClose() { finish(null); }
    // Enter in the field would submit the editor's form.
    function onKey(evt) {
      if (evt.key === "Enter") { evt.preventDefault(); onOK(); }
    }
    var ok = dlg.querySelector("[data-alt-ok]");
    var cancel = dlg.querySelector("[data-alt-cancel]");
    ok.addEventListener("click", onOK);
    cancel.addEventListener("click", onCancel);
    text.addEventListener("keydown", onKey);
    dlg.addEventListener("close", onClose);
    dlg.showModal();
    text.focus();
  }

  // around is what makes the inserted text a paragraph of its own.
  function around(before, after) {
    var pre = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var post = after === "" ? "\n" : /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    return [pre, post];
  }

  function replaceIn(textarea, from, to) {
    var at = textarea.value.indexOf(from);
    if (at < 0) return false;
    textarea.setRangeText(to, at, at + from.length, "end");
    // Counts as an edit: the leave guard, the browser's copy and autosave.
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    return true;
  }

  var uploads = 0;

  // insert uploads files one after another into textarea at [start, end):
  // each asks for its description, holds its place with a placeholder
  // while it uploads, and becomes the image's Markdown when stored.
  function insert(textarea, files, start, end) {
    var tools = toolsOf(textarea);
    if (!tools || files.length === 0) return;
    var file = files[0];
    askAlt(tools, file, function (answer) {
      if (!answer) return;
      var mark = "![Uploading " + (file.name || "image").replace(/[\[\]\n]/g, "") + " (" + (++uploads) + ")…]()";
      var v = textarea.value;
      var pad = around(v.slice(0, start), v.slice(end));
      var held = pad[0] + mark + pad[1]; // a failed upload takes it all back out
      textarea.focus();
      textarea.setRangeText(held, start, end, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
      var data = new FormData();
      data.append("_csrf", csrf(textarea.form));
      data.append("file", file, file.name || "pasted.png");
      data.append("alt", answer.alt);
      if (answer.decorative) data.append("decorative", "1");
      clearError(tools);
      say(tools, "Uploading " + (file.name || "the image") + "…");
      upload(tools.getAttribute("data-upload-url"), data, tools.querySelector("[data-upload-progress]"), function (err, ans) {
        if (err) {
          if (!replaceIn(textarea, held, "")) replaceIn(textarea, mark, "");
          say(tools, "");
          showError(tools, err + " Your text is kept; the image was not added.");
        } else {
          if (!replaceIn(textarea, held, pad[0] + ans.markdown + pad[1])) replaceIn(textarea, mark, ans.markdown);
          say(tools, "Added " + (file.name || "the image") + ".");
        }
        var next = textarea.selectionEnd;
        insert(textarea, files.slice(1), next, next);
      });
    });
  }

  function bodyOf(elt) {
    return elt && elt.matches && elt.matches("form[data-editor] textarea[name=body]") ? elt : null;
  }
  function hasFiles(evt) {
    return evt.dataTransfer && Array.prototype.indexOf.call(evt.dataTransfer.types || [], "Files") >= 0;
  }

  document.addEventListener("dragover", function (evt) {
    if (bodyOf(evt.target) && hasFiles(evt)) evt.preventDefault();
  });
  document.addEventListener("drop", function (evt) {
    var ta = bodyOf(evt.target);
    var files = ta && evt.dataTransfer ? images(evt.dataTransfer.files) : [];
    if (files.length === 0) return;
    evt.preventDefault();
    insert(ta, files, ta.selectionStart, ta.selectionEnd);
  });
  document.addEventListener("paste", function (evt) {
    var ta = bodyOf(evt.target);
    var files = ta && evt.clipboardData ? images(evt.clipboardData.files) : [];
    // Text copied from a word processor comes with a picture of itself:
    // what is meant is the text.
    if (files.length === 0 || evt.clipboardData.getData("text/plain") !== "") return;
    evt.preventDefault();
    insert(ta, files, ta.selectionStart, ta.selectionEnd);
  });
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest && evt.target.closest("[data-body-image-choose]");
    if (btn) btn.parentNode.querySelector("[data-body-image-file]").click();
  });
  document.addEventListener("change", function (evt) {
    var input = evt.target;
    if (!input.matches || !input.matches("[data-body-image-file]")) return;
    var ta = input.closest("form[data-editor]").querySelector("textarea[name=body]");
    var files = images(input.files);
    input.value = "";
    if (ta) insert(ta, files, ta.selectionStart, ta.selectionEnd);
  });

  // ---- The media picker, for input[data-media-picker].

  var dialog = null;
  var picking = null; // the input being filled

  function pickerDialog() {
    if (dialog && document.body.contains(dialog)) return dialog;
    dialog = document.createElement("dialog");
    dialog.className = "media-picker-dialog";
    dialog.setAttribute("aria-label", "Choose an image");
    dialog.setAttribute("data-testid", "picker-dialog");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "secondary picker-close";
    close.textContent = "Close";
    close.addEventListener("click", function () { dialog.close(); });
    var body = document.createElement("div");
    body.setAttribute("data-picker-body", "");
    dialog.appendChild(close);
    dialog.appendChild(body);
    document.body.appendChild(dialog);
    dialog.addEventListener("click", onPickerClick);
    dialog.addEventListener("submit", onPickerSubmit);
    return dialog;
  }

  function load(url) {
    var dlg = pickerDialog();
    var body = dlg.querySelector("[data-picker-body]");
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url);
    xhr.setRequestHeader("HX-Request", "true"); // the picker alone, not a page
    xhr.addEventListener("load", function () {
      if (xhr.status !== 200) {
        body.textContent = "";
        showError(body, answerError(xhr));
        return;
      }
      body.innerHTML = xhr.responseText;
      var q = body.querySelector("input[type=search]");
      if (q && document.activeElement === document.body) q.focus();
    });
    xhr.addEventListener("error", function () {
      showError(body, "The site could not be reached. Check your connection and try again.");
    });
    xhr.send();
  }

  function choose(key, src, alt) {
    var input = picking;
    if (!input) return;
    input.value = key;
    var altField = input.getAttribute("data-media-alt") && document.getElementById(input.getAttribute("data-media-alt"));
    if (altField && altField.value.trim() === "" && alt) {
      altField.value = alt;
      altField.dispatchEvent(new Event("input", { bubbles: true }));
    }
    input.dispatchEvent(new Event("input", { bubbles: true }));
    show(input, src);
    if (dialog.open) dialog.close();
    var open = input.parentNode.querySelector("[data-media-open]");
    if (open) open.focus();
  }

  function onPickerClick(evt) {
    var pick = evt.target.closest("[data-pick]");
    if (pick) {
      choose(pick.getAttribute("data-pick"), pick.getAttribute("data-pick-src"), pick.getAttribute("data-pick-alt"));
      return;
    }
    var link = evt.target.closest(".pager a[href]");
    if (link) {
      evt.preventDefault();
      load(link.getAttribute("href"));
    }
  }

  function onPickerSubmit(evt) {
    var form = evt.target;
    if (form.matches("[data-picker-search]")) {
      evt.preventDefault();
      var u = new URL(form.action, location.href);
      u.search = new URLSearchParams(new FormData(form)).toString();
      load(u.pathname + u.search);
      return;
    }
    if (!form.matches("[data-picker-upload]")) return;
    evt.preventDefault();
    var data = new FormData(form);
    var box = form;
    clearError(box);
    if (!form.querySelector("input[type=file]").files.length) {
      showError(box, "Choose an image to upload.");
      return;
    }
    if (String(data.get("alt") || "").trim() === "" && !data.get("decorative")) {
      showError(box, "Describe the image, or mark it as decorative.");
      return;
    }
    say(box, "Uploading…");
    upload(form.action, data, form.querySelector("[data-upload-progress]"), function (err, ans) {
      say(box, "");
      if (err) {
        showError(box, err);
        return;
      }
      choose(ans.key, ans.url, ans.alt);
    });
  }

  // show puts the chosen image (src, "" for none) beside the field.
  function show(input, src) {
    var box = input.parentNode.querySelector("[data-media-choice]");
    var img = box.querySelector("img");
    img.hidden = !src;
    if (src) img.src = src; else img.removeAttribute("src");
    box.querySelector("[data-media-none]").hidden = !!src;
    box.querySelector("[data-media-clear]").hidden = !src;
  }

  function button(text, attr, cls) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = text;
    b.setAttribute(attr, "");
    return b;
  }

  // enhance replaces the field's text box by a preview and two buttons;
  // the input stays (hidden) and is what the form sends.
  function enhance(input) {
    if (input.hasAttribute("data-media-ready")) return;
    input.setAttribute("data-media-ready", "");
    var box = document.createElement("div");
    box.className = "media-choice";
    box.setAttribute("data-media-choice", "");
    var img = document.createElement("img");
    img.alt = "";
    img.width = 160;
    var none = document.createElement("span");
    none.className = "muted";
    none.setAttribute("data-media-none", "");
    none.textContent = "No image chosen.";
    var open = button("Choose an image", "data-media-open", "secondary");
    open.id = input.id + "-choose";
    open.setAttribute("data-testid", "choose-" + input.name);
    var clear = button("Remove", "data-media-clear", "link");
    box.appendChild(img);
    box.appendChild(none);
    box.appendChild(open);
    box.appendChild(clear);
    input.hidden = true;
    var hint = document.getElementById(input.id + "-hint");
    if (hint) hint.hidden = true;
    var label = input.id && input.parentNode.querySelector('label[for="' + input.id + '"]');
    if (label) label.htmlFor = open.id;
    input.insertAdjacentElement("afterend", box);
    show(input, input.value ? input.getAttribute("data-media-src") || "" : "");
    open.addEventListener("click", function () {
      picking = input;
      var dlg = pickerDialog();
      dlg.querySelector("[data-picker-body]").textContent = "Loading…";
      dlg.showModal();
      load(input.getAttribute("data-media-picker"));
    });
    clear.addEventListener("click", function () {
      input.value = "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      show(input, "");
      open.focus();
    });
  }

  function scan(root) {
    if (!root || !root.querySelectorAll) return;
    root.querySelectorAll("input[data-media-picker]").forEach(enhance);
    root.querySelectorAll("[data-body-images]").forEach(function (tools) {
      tools.hidden = false;
      var plain = document.getElementById("upload-form"); // the no-JavaScript way
      if (plain) plain.hidden = true;
    });
  }
  document.addEventListener("htmx:load", function (evt) { scan(evt.detail.elt); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document.body); });
  } else {
    scan(document.body);
  }
})();
