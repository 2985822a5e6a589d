"use strict";
(function () {
  var csrf = document.body.getAttribute("data-csrf");
  var posts = Array.prototype.slice.call(document.querySelectorAll("article.post"));
  var current = -1;
  var last = null; // {widget, ids, timer}
  var bar = document.getElementById("undo-bar");
  var barText = document.getElementById("undo-text");

  function focus(i) {
    if (!posts.length) return;
    current = Math.max(0, Math.min(posts.length - 1, i));
    posts.forEach(function (p) { p.classList.remove("focused"); });
    var post = posts[current];
    post.classList.add("focused");
    post.focus({preventScroll: true});
    post.scrollIntoView({block: "nearest"});
  }

  function widgetOf(post) {
    return post.closest("section.widget").getAttribute("data-widget");
  }

  function targets() {
    var picked = posts.filter(function (p) { return p.classList.contains("selected"); });
    if (picked.length) return picked;
    return current >= 0 ? [posts[current]] : [];
  }

  function send(widget, action, ids) {
    var body = new URLSearchParams();
    body.append("csrf", csrf);
    body.append("widget", widget);
    body.append("action", action);
    ids.forEach(function (id) { body.append("item", id); });
    return fetch("/admin/moderation", {
      method: "POST",
      headers: {"Accept": "application/json"},
      body: body,
      credentials: "same-origin"
    }).then(function (resp) {
      if (!resp.ok) throw new Error("the server answered " + resp.status);
      return resp.json();
    });
  }

  function act(action) {
    var chosen = targets();
    if (!chosen.length) return;
    var widget = widgetOf(chosen[0]);
    chosen = chosen.filter(function (p) { return widgetOf(p) === widget; });
    if (action === "pin" && chosen.every(function (p) { return p.hasAttribute("data-pinned"); })) {
      action = "unpin";
    }
    var ids = chosen.map(function (p) { return p.getAttribute("data-id"); });
    send(widget, action, ids).then(function () {
      chosen.forEach(function (p) {
        p.setAttribute("data-state", action === "reject" ? "rejected" : "shown");
        if (action === "pin") p.setAttribute("data-pinned", "1");
        if (action === "unpin") p.removeAttribute("data-pinned");
        p.classList.remove("selected");
        var box = p.querySelector("input[type=checkbox]");
        if (box) box.checked = false;
        var note = p.querySelector(".decided") || document.createElement("p");
        note.className = "decided";
        note.textContent = action + " by you, just now";
        p.appendChild(note);
      });
      offerUndo(widget, ids, action);
      focus(current + 1);
    }).catch(function (err) { barText.textContent = String(err); bar.hidden = false; });
  }

  function offerUndo(widget, ids, action) {
    if (last) clearTimeout(last.timer);
    barText.textContent = action + ": " + ids.length + " post" + (ids.length > 1 ? "s" : "");
    bar.hidden = false;
    last = {widget: widget, ids: ids, timer: setTimeout(function () {
      bar.hidden = true; last = null;
    }, 30000)};
  }

  function undo() {
    if (!last) return;
    var done = last;
    clearTimeout(done.timer);
    last = null;
    send(done.widget, "undo", done.ids).then(function () {
      barText.textContent = "undone";
      done.ids.forEach(function (id) {
        var p = document.getElementById("post-" + done.widget + "-" + id);
        if (p) { p.setAttribute("data-state", "undone"); }
      });
      setTimeout(function () { bar.hidden = true; }, 2000);
    });
  }

  document.getElementById("undo").addEventListener("click", undo);
  posts.forEach(function (p, i) {
    var box = p.querySelector("input[type=checkbox]");
    if (box) box.addEventListener("change", function () {
      p.classList.toggle("selected", box.checked);
    });
    p.addEventListener("click", function () { focus(i); });
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = (e.target && e.target.tagName) || "";
    if (tag === "INPUT" && e.target.type !== "checkbox") return;
    if (tag === "TEXTAREA") return;
    var keys = {
      j: function () { focus(current + 1); },
      k: function () { focus(current - 1); },
      a: function () { act("approve"); },
      r: function () { act("reject"); },
      p: function () { act("pin"); },
      u: undo,
      x: function () {
        if (current < 0) return;
        var p = posts[current], box = p.querySelector("input[type=checkbox]");
        box.checked = !box.checked;
        p.classList.toggle("selected", box.checked);
      }
    };
    if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
  });
})();
