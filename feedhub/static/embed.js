/* feedhub embed script: fills every <div data-feedhub="NAME"> on the page with that widget,
   inside a shadow root, and sizes feedhub iframes to the height their page posts.
   One global: window.feedhub = {scan(), version}. Works under a strict host CSP: the host
   allows this origin in script-src and connect-src; styles travel as constructed
   stylesheets, which style-src does not govern. Served after live.js, inside one function. */
// Only our own earlier copy counts: an element with id="feedhub" (or a form with a "scan"
// field) also shows up as window.feedhub, and must neither stop nor break this script.
var prior = Object.prototype.hasOwnProperty.call(window, "feedhub") ? window.feedhub : null;
if (prior && typeof prior.scan === "function" && !(prior instanceof Node)) {
  prior.scan();
  return;
}
var script = document.currentScript;
if (!script || !script.src) { return; }
var base = script.src.replace(/\/w\/[^\/?#]+\.js(?:[?#].*)?$/, "");
var origin = new URL(base, location.href).origin;
var PARAMS = ["limit", "locale", "theme", "scheme"];
// The host's inherited styles stop at the shadow root; the widget sets its own from there.
var HOST_CSS = ":host{all:initial;display:block}";
var loads = {};
var sheets = {};
var lives = {};
var sources = new WeakMap();
// A host that enforces Trusted Types lets this script in by allowing the policy "feedhub";
// the HTML it passes was sanitized by the server.
var policy = null;
if (window.trustedTypes && window.trustedTypes.createPolicy) {
  try {
    policy = window.trustedTypes.createPolicy("feedhub", { createHTML: function (s) { return s; } });
  } catch (e) { policy = null; }
}

function sourceOf(el) {
  var url = new URL(base + "/w/" + encodeURIComponent(el.getAttribute("data-feedhub")) + ".html");
  PARAMS.forEach(function (p) {
    var v = el.getAttribute("data-" + p);
    if (v) { url.searchParams.set(p, v); }
  });
  return url.href;
}

// The fragment's leading <style> is cut off as text, never parsed as an element (the
// host's style-src would refuse it): it becomes a constructed stylesheet instead.
function parse(text) {
  var m = /^\s*<style>([\s\S]*?)<\/style>/.exec(text);
  var html = m ? text.slice(m[0].length) : text;
  html = "<!doctype html><body>" + html;
  var doc = new DOMParser().parseFromString(policy ? policy.createHTML(html) : html, "text/html");
  return { css: m ? m[1] : "", body: doc.body };
}

function load(href) {
  if (!loads[href]) {
    loads[href] = fetch(href, { mode: "cors", credentials: "omit" }).then(function (r) {
      if (!r.ok) { throw new Error("feedhub: " + href + " answered " + r.status); }
      return r.text();
    }).then(parse);
  }
  return loads[href];
}

function sheet(css) {
  if (!sheets[css]) {
    sheets[css] = new CSSStyleSheet();
    sheets[css].replaceSync(HOST_CSS + "\n" + css);
  }
  return sheets[css];
}

function mount(el, part) {
  var root = el.shadowRoot || el.attachShadow({ mode: "open" });
  players(root);
  root.adoptedStyleSheets = [sheet(part.css)];
  var nodes = document.createDocumentFragment();
  Array.prototype.forEach.call(part.body.childNodes, function (n) {
    nodes.appendChild(document.importNode(n, true));
  });
  var before = shownIds(root);
  root.replaceChildren(nodes);
  relativeDates(root);
  controls(root, function (href) {
    return fetch(href, { mode: "cors", credentials: "omit" }).then(function (r) {
      if (!r.ok) { throw new Error("feedhub: " + href + " answered " + r.status); }
      return r.text();
    }).then(function (text) { return parse(text).body; });
  });
  if (before.length) { arrived(root, before); }
  el.setAttribute("data-feedhub-state", "ready");
}

// Each live widget re-checks its fragment on its own interval; every element showing
// that fragment is refreshed from the one answer.
function live(href, root) {
  var seconds = liveInterval(root);
  if (!seconds || lives[href]) { return; }
  lives[href] = true;
  every(seconds, function () {
    var first = mounted(href)[0];
    if (!first) { return; }
    recheck(href, { mode: "cors", credentials: "omit" }, first.shadowRoot, parse, function (part) {
      loads[href] = Promise.resolve(part);
      mounted(href).forEach(function (el) {
        keepPlace(el.shadowRoot, function () { mount(el, part); });
      });
    });
  });
}

function mounted(href) {
  var els = document.querySelectorAll('[data-feedhub-state="ready"]');
  return Array.prototype.filter.call(els, function (el) { return sources.get(el) === href; });
}

function scan() {
  var els = document.querySelectorAll("[data-feedhub]:not([data-feedhub-state])");
  Array.prototype.forEach.call(els, function (el) {
    el.setAttribute("data-feedhub-state", "loading");
    var href = sourceOf(el);
    sources.set(el, href);
    load(href).then(function (part) { mount(el, part); live(href, el.shadowRoot); }, function (err) {
      // The element's own content (a plain link) stays as the fallback.
      el.setAttribute("data-feedhub-state", "error");
      if (window.console) { console.warn(String(err)); }
    });
  });
}

window.addEventListener("message", function (e) {
  var d = e.data;
  if (e.origin !== origin || !d || d.feedhub !== "height" || !isFinite(d.height)) { return; }
  Array.prototype.forEach.call(document.getElementsByTagName("iframe"), function (f) {
    if (f.contentWindow === e.source) {
      f.style.boxSizing = "content-box";
      f.style.height = Math.max(0, Math.min(Math.ceil(d.height), 100000)) + "px";
    }
  });
});

// Frames that reported their height before this script ran report it again.
Array.prototype.forEach.call(document.getElementsByTagName("iframe"), function (f) {
  // "*": a frame still loading is about:blank; the ping carries nothing to protect.
  if (f.contentWindow) { f.contentWindow.postMessage({ feedhub: "ping" }, "*"); }
});

every(60, function () {
  Array.prototype.forEach.call(document.querySelectorAll('[data-feedhub-state="ready"]'),
                               function (el) { relativeDates(el.shadowRoot); });
});

window.feedhub = { scan: scan, version: 2 };
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", scan);
} else {
  scan();
}
