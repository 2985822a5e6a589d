/* The framed page's one script (allowed by its hash; served after live.js and player.js):
   posts the page's height to the embedding page, writes relative dates, keeps the widget
   live, and loads a video's player when its placeholder is clicked. */
/* A page of this widget, read as a document (load more). */
function loadPage(href) {
  return fetch(href, { credentials: "same-origin" }).then(function (r) {
    if (!r.ok) { throw new Error("feedhub: " + href + " answered " + r.status); }
    return r.text();
  }).then(function (text) { return new DOMParser().parseFromString(text, "text/html"); });
}
relativeDates(document);
players(document);
controls(document, loadPage);
var seconds = liveInterval(document);
if (seconds) {
  every(seconds, function () {
    recheck(location.href, { credentials: "same-origin" }, document, function (text) {
      return new DOMParser().parseFromString(text, "text/html");
    }, function (doc) {
      var before = shownIds(document);
      document.querySelector(".fh").replaceWith(document.importNode(doc.body.querySelector(".fh"), true));
      controls(document, loadPage);
      arrived(document, before);
    });
  });
}
if (document.querySelector('.fh[data-fh-dates="relative"]')) {
  every(60, function () { relativeDates(document); });
}
if (parent !== window) {
  var last = -1;
  var post = function (again) {
    var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h !== last || again) { last = h; parent.postMessage({ feedhub: "height", height: h }, "*"); }
  };
  new ResizeObserver(function () { post(false); }).observe(document.documentElement);
  addEventListener("message", function (e) {
    if (e.source === parent && e.data && e.data.feedhub === "ping") { post(true); }
  });
  post(false);
}
