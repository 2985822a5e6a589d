/* A widget's controls that want script (served with live.js and player.js, in front of the
   framed page's script and the embed script). Each works without it: a long post's "show
   more" is a <details>, a picture a link to it, the next page a link. `controls(root, load)`
   runs after every rendering of the widget in `root` (a document or a shadow root); `load`
   fetches a page of the widget as the root's own script reads one (a promise of the element
   that holds its `.fh`). What listens is added to `root` once. */
function controls(root, load) {
  fits(root);
  carousels(root);
  if (!root.fhControls) {
    root.fhControls = true;
    root.addEventListener("click", zoom);
    root.addEventListener("click", function (e) { more(e, root, load); });
    highlights(root);
  }
}

/* Load more: a click on the widget's next-page link (p.fh-next a) fetches that page and
   appends its posts in place (those already shown left out), the link becoming the new
   page's own, or going at the last page; the focus moves to the first post it added. */
function more(e, root, load) {
  var link = e.target && e.target.closest ? e.target.closest(".fh-next a[href]") : null;
  var section = link && link.closest(".fh");
  var list = section && section.querySelector(".fh-items");
  if (!list || !load || e.button || e.ctrlKey || e.metaKey || e.shiftKey ||
      link.hasAttribute("data-fh-plain")) { return; }
  e.preventDefault();
  if (link.getAttribute("aria-busy") === "true") { return; }
  link.setAttribute("aria-busy", "true");
  list.setAttribute("aria-busy", "true");
  load(link.href).then(function (page) {
    var next = page.querySelector(".fh");
    var first = null;
    Array.prototype.forEach.call(next ? next.querySelectorAll(".fh-items > article[id]") : [],
                                 function (a) {
      if (root.querySelector("#" + CSS.escape(a.id))) { return; }
      var added = document.importNode(a, true);
      list.appendChild(added);
      first = first || added;
    });
    var posts = list.querySelectorAll(":scope > article");
    var pager = next && next.querySelector(".fh-next");
    Array.prototype.forEach.call(posts, function (a, i) {
      a.setAttribute("aria-posinset", i + 1);
      a.setAttribute("aria-setsize", pager ? -1 : posts.length);
    });
    var mine = link.closest(".fh-next");
    if (pager) { mine.replaceWith(document.importNode(pager, true)); } else { mine.remove(); }
    list.setAttribute("aria-busy", "false");
    relativeDates(root);
    fits(root);
    if (first) { first.focus(); }
  }, function () {
    // Offline, or the page went: the link is left to lead there by itself.
    link.removeAttribute("aria-busy");
    link.setAttribute("data-fh-plain", "");
    list.setAttribute("aria-busy", "false");
  });
}

/* A post guessed long whose text fits in its lines after all loses its "show more". */
function fits(root) {
  Array.prototype.forEach.call(root.querySelectorAll(".fh-clamp"), function (box) {
    var text = box.querySelector(".fh-content");
    var toggle = box.querySelector(".fh-toggle");
    if (text && toggle && !toggle.open && text.scrollHeight <= text.clientHeight + 1) {
      box.classList.add("fh-fits");
    }
  });
}

/* The picture viewer: a click on a post's picture (a.fh-zoom, a link to it at full size)
   opens it in the widget's <dialog>, its alt text as caption; the arrow keys and the
   buttons move through the post's pictures; Esc, × or a click beside the picture closes
   it, and the focus goes back to the picture it was opened from. */
function zoom(e) {
  var link = e.target && e.target.closest ? e.target.closest("a.fh-zoom") : null;
  var section = link && link.closest(".fh");
  var box = section && section.querySelector("dialog.fh-lightbox");
  if (!box || !box.showModal || e.button || e.ctrlKey || e.metaKey || e.shiftKey) { return; }
  e.preventDefault();
  var post = link.closest("article") || section;
  var links = Array.prototype.slice.call(post.querySelectorAll("a.fh-zoom"));
  var at = Math.max(0, links.indexOf(link));
  function show(i) {
    at = (i + links.length) % links.length;
    var picture = links[at].querySelector("img");
    var alt = picture ? picture.getAttribute("alt") || "" : "";
    var img = box.querySelector(".fh-lb-img");
    if (!img) {  // made here: a picture without an address would be a broken one
      img = document.createElement("img");
      img.className = "fh-lb-img";
      box.querySelector(".fh-lb-figure").prepend(img);
    }
    img.src = links[at].href;
    img.alt = alt;
    box.querySelector(".fh-lb-caption").textContent = alt;
    box.querySelector(".fh-lb-count").textContent = links.length > 1 ?
      box.getAttribute("data-fh-of").replace("{n}", at + 1).replace("{count}", links.length) : "";
  }
  function key(k) {
    var back = section.getAttribute("dir") === "rtl" ? "ArrowRight" : "ArrowLeft";
    var on = back === "ArrowLeft" ? "ArrowRight" : "ArrowLeft";
    if (k.key === on) { show(at + 1); k.preventDefault(); }
    if (k.key === back) { show(at - 1); k.preventDefault(); }
  }
  function press(c) {
    var b = c.target.closest ? c.target.closest("button") : null;
    if (b && b.classList.contains("fh-lb-next")) { show(at + 1); }
    else if (b && b.classList.contains("fh-lb-prev")) { show(at - 1); }
    else if (b || c.target === box) { box.close(); }
  }
  function closed() {
    box.removeEventListener("keydown", key);
    box.removeEventListener("click", press);
    box.removeEventListener("close", closed);
    link.focus();
  }
  box.classList.toggle("fh-single", links.length < 2);
  show(at);
  box.addEventListener("keydown", key);
  box.addEventListener("click", press);
  box.addEventListener("close", closed);
  box.showModal();
  box.querySelector(".fh-lb-close").focus();
}

/* A carousel's previous / next buttons (hidden without script, which they need) scroll its
   strip by one post; at either end the button that would go nowhere says so (aria-disabled:
   it keeps the focus a keyboard user gave it). */
function carousels(root) {
  Array.prototype.forEach.call(root.querySelectorAll(".fh-carousel"), function (section) {
    var strip = section.querySelector(".fh-items");
    var nav = section.querySelector(".fh-carousel-nav");
    if (!strip || !nav) { return; }
    var prev = nav.querySelector(".fh-slide-prev");
    var next = nav.querySelector(".fh-slide-next");
    var sign = section.getAttribute("dir") === "rtl" ? -1 : 1;
    function ends() {
      var at = Math.abs(strip.scrollLeft);
      prev.setAttribute("aria-disabled", String(at < 2));
      next.setAttribute("aria-disabled", String(at + strip.clientWidth >= strip.scrollWidth - 2));
    }
    function move(by) {
      var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      strip.scrollBy({ left: sign * by * strip.clientWidth, behavior: still ? "instant" : "smooth" });
    }
    prev.addEventListener("click", function () { move(-1); });
    next.addEventListener("click", function () { move(1); });
    strip.addEventListener("scroll", ends, { passive: true });
    nav.hidden = false;
    ends();
  });
}

/* The wall highlights its posts in turn, one every few seconds, from the newest; it holds
   still while the visitor's focus is inside it. A live update keeps the turn going. */
var HIGHLIGHT_SECONDS = 8;
function highlights(root) {
  var at = -1;
  function turn() {
    var wall = root.querySelector(".fh-wall");
    if (!wall || (root.activeElement || document.activeElement) &&
        wall.contains(root.activeElement || document.activeElement)) { return; }
    var posts = wall.querySelectorAll("article");
    if (!posts.length) { return; }
    Array.prototype.forEach.call(posts, function (p) { p.classList.remove("fh-highlight"); });
    at = (at + 1) % posts.length;
    posts[at].classList.add("fh-highlight");
  }
  if (root.querySelector(".fh-wall")) {
    turn();
    setInterval(function () { if (!document.hidden) { turn(); } }, HIGHLIGHT_SECONDS * 1000);
  }
}

/* After a live update: the posts that were not shown before are marked as arrived (the wall
   fades them in). */
function arrived(root, before) {
  Array.prototype.forEach.call(root.querySelectorAll("article[id]"), function (a) {
    if (before.indexOf(a.id) < 0) { a.classList.add("fh-arrived"); }
  });
}

function shownIds(root) {
  return Array.prototype.map.call(root.querySelectorAll("article[id]"), function (a) { return a.id; });
}
