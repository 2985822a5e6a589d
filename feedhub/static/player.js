/* Click-to-load players: a click on a placeholder (figure.fh-player[data-player]) replaces its
   link with the player, sandboxed and without popups. Nothing of the platform loads before the
   click; without this script the link opens the video on its platform. */
function players(root) {
  if (root.fhPlayers) { return; }
  root.fhPlayers = true;
  root.addEventListener("click", function (e) {
    var link = e.target && e.target.closest ? e.target.closest("a.fh-play") : null;
    var box = link && link.parentNode;
    var src = box && box.getAttribute && box.getAttribute("data-player");
    if (!src || !/^https?:\/\//.test(src)) { return; }
    e.preventDefault();
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = box.getAttribute("data-player-title") || "";
    frame.className = "fh-player-frame";
    frame.setAttribute("sandbox", "allow-scripts allow-same-origin allow-presentation");
    frame.setAttribute("allow", "autoplay; encrypted-media; fullscreen; picture-in-picture");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    box.replaceChild(frame, link);
    box.classList.add("fh-playing");
  });
}
