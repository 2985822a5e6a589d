/* A widget's controls that want script (served with live.js and player.js, in front of the
   framed page's script and the embed script). Each works without it: a long post's "show
   more" is a <details>. `controls(root)` runs after every rendering of the widget in `root`
   (a document or a shadow root); what listens is added to `root` once. */
function controls(root) {
  fits(root);
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
