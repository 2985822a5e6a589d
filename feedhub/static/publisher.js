document.addEventListener("click", function (e) {
  var b = e.target.closest("button[data-copy]");
  if (!b) return;
  var text = document.getElementById(b.getAttribute("data-copy")).textContent;
  navigator.clipboard.writeText(text).then(function () { b.textContent = "Copied"; },
    function () { b.textContent = "Select and copy"; });
  setTimeout(function () { b.textContent = "Copy"; }, 2000);
});
addEventListener("message", function (e) {
  if (e.origin !== location.origin || !e.data || e.data.feedhub !== "height") return;
  document.querySelectorAll("iframe").forEach(function (f) {
    if (f.contentWindow === e.source) f.style.height = Math.min(e.data.height, 2000) + "px";
  });
});
