/* What the framed page's script and the embed script share (each is served with this file
   in front of it, inside one function): relative dates, and live updates that re-check a
   widget with the browser's cached ETag and swap its items in without moving the page. */
var UNITS = [["second", 60], ["minute", 60], ["hour", 24], ["day", 30], ["month", 12],
             ["year", Infinity]];

/* "il y a 3 heures" for each <time> of a widget whose dates are relative; the absolute
   date the server wrote stays as the title. */
function relativeDates(root) {
  var section = root.querySelector ? root.querySelector(".fh") : null;
  if (!section || section.getAttribute("data-fh-dates") !== "relative" || !window.Intl ||
      !Intl.RelativeTimeFormat) { return; }
  var format = new Intl.RelativeTimeFormat(section.getAttribute("lang") || "en",
                                           { numeric: "auto" });
  Array.prototype.forEach.call(section.querySelectorAll("time[datetime]"), function (t) {
    if (!t.hasAttribute("title")) { t.setAttribute("title", t.textContent); }
    var value = (Date.parse(t.getAttribute("datetime")) - Date.now()) / 1000;
    for (var i = 0; i < UNITS.length; i++) {
      if (Math.abs(value) < UNITS[i][1] * 0.9 || i === UNITS.length - 1) {
        t.textContent = format.format(Math.round(value), UNITS[i][0]);
        return;
      }
      value /= UNITS[i][1];
    }
  });
}

/* The seconds between checks the server wrote on the widget, or 0: not live. */
function liveInterval(root) {
  var section = root.querySelector(".fh");
  var s = section ? parseInt(section.getAttribute("data-fh-live"), 10) : 0;
  return s > 0 ? Math.max(s, 60) : 0;
}

/* Calls `check` every `seconds` while the tab is visible, and at once when it comes back
   after a missed turn. */
function every(seconds, check) {
  var due = Date.now() + seconds * 1000;
  function tick() {
    if (document.hidden) { return; }
    if (Date.now() >= due) { due = Date.now() + seconds * 1000; check(); }
  }
  setInterval(tick, 1000);
  document.addEventListener("visibilitychange", tick);
}

/* Re-fetches `href`; the browser revalidates its cached copy (If-None-Match), so an
   unchanged widget costs a 304. `parse` turns the answer into {body, ...}; `swap` gets that
   when the widget's version in it differs from the one shown. */
function recheck(href, init, root, parse, swap) {
  init.cache = "no-cache";
  return fetch(href, init).then(function (r) {
    return r.ok ? r.text() : null;
  }).then(function (text) {
    if (text === null) { return; }
    var now = root.querySelector(".fh");
    var doc = parse(text);
    var next = doc.body.querySelector(".fh");
    if (next && now && next.getAttribute("data-fh-version") !== now.getAttribute("data-fh-version")) {
      keepPlace(root, function () { swap(doc); });
    }
  }, function () { /* offline for now: the next turn tries again */ });
}

/* Runs `change` and, when the visitor has scrolled, scrolls by what it moved the first item
   still in view, so their eyes stay on what they were reading. */
function keepPlace(root, change) {
  var anchor = null;
  var before = 0;
  Array.prototype.some.call(window.scrollY > 0 ? root.querySelectorAll("article[id]") : [],
                            function (a) {
    var r = a.getBoundingClientRect();
    if (r.bottom > 0) { anchor = a.id; before = r.top; return true; }
    return false;
  });
  change();
  relativeDates(root);
  var again = anchor && root.querySelector("#" + CSS.escape(anchor));
  if (again) { window.scrollBy(0, again.getBoundingClientRect().top - before); }
}
