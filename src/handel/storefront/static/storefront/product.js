// Product page enhancements: picture zoom, thumbnails and the 360° spin. Without JavaScript the
// pictures are links to their large versions and the spin shows its first frame.
(function () {
  "use strict";

  function setUpGallery(gallery) {
    var link = gallery.querySelector("[data-zoom-link]");
    var picture = gallery.querySelector("[data-zoom-picture]");
    var largeLink = gallery.querySelector("[data-large-link]");
    if (!link || !picture || gallery.dataset.ready) return;
    gallery.dataset.ready = "1";
    var stage = link.parentElement;
    var origin = { x: 50, y: 50 };

    link.setAttribute("role", "button");
    link.setAttribute("aria-pressed", "false");
    link.setAttribute("aria-label", picture.alt + " – " + link.dataset.zoomLabel);

    function place() {
      picture.style.transformOrigin = origin.x + "% " + origin.y + "%";
    }
    function zoom(on) {
      stage.classList.toggle("is-zoomed", on);
      link.setAttribute("aria-pressed", on ? "true" : "false");
      if (on && picture.src !== link.href) picture.src = link.href;
      place();
    }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      zoom(!stage.classList.contains("is-zoomed"));
    });
    link.addEventListener("mousemove", function (event) {
      if (!stage.classList.contains("is-zoomed")) return;
      var box = link.getBoundingClientRect();
      origin.x = Math.round(((event.clientX - box.left) / box.width) * 100);
      origin.y = Math.round(((event.clientY - box.top) / box.height) * 100);
      place();
    });
    link.addEventListener("keydown", function (event) {
      var moves = { ArrowLeft: [-10, 0], ArrowRight: [10, 0], ArrowUp: [0, -10], ArrowDown: [0, 10] };
      if (event.key === "Escape") { zoom(false); return; }
      if (event.key === " ") { event.preventDefault(); zoom(!stage.classList.contains("is-zoomed")); return; }
      if (!stage.classList.contains("is-zoomed") || !moves[event.key]) return;
      event.preventDefault();
      origin.x = Math.min(100, Math.max(0, origin.x + moves[event.key][0]));
      origin.y = Math.min(100, Math.max(0, origin.y + moves[event.key][1]));
      place();
    });

    gallery.querySelectorAll("[data-medium]").forEach(function (thumb) {
      thumb.addEventListener("click", function (event) {
        event.preventDefault();
        zoom(false);
        var image = thumb.querySelector("img");
        picture.src = thumb.dataset.medium;
        picture.alt = image ? image.alt : picture.alt;
        link.setAttribute("aria-label", picture.alt + " – " + link.dataset.zoomLabel);
        link.href = thumb.dataset.large;
        if (largeLink) largeLink.href = thumb.dataset.large;
        gallery.querySelectorAll("[data-medium]").forEach(function (other) { other.removeAttribute("aria-current"); });
        thumb.setAttribute("aria-current", "true");
      });
    });
  }

  function setUpSpin(spin) {
    var frames = (spin.dataset.frames || "").split(" ").filter(Boolean);
    var picture = spin.querySelector("[data-spin-picture]");
    var range = spin.querySelector("[data-spin-range]");
    var control = spin.querySelector("[data-spin-control]");
    if (frames.length < 2 || !picture || !range || spin.dataset.ready) return;
    spin.dataset.ready = "1";
    control.hidden = false;
    frames.forEach(function (url) { new Image().src = url; });
    function show(index) {
      var frame = ((index % frames.length) + frames.length) % frames.length;
      range.value = String(frame);
      range.setAttribute("aria-valuetext", (frame + 1) + " / " + frames.length);
      picture.src = frames[frame];
    }
    range.addEventListener("input", function () { show(Number(range.value)); });
    var dragFrom = null;
    picture.addEventListener("pointerdown", function (event) {
      dragFrom = { x: event.clientX, frame: Number(range.value) };
      picture.setPointerCapture(event.pointerId);
    });
    picture.addEventListener("pointermove", function (event) {
      if (!dragFrom) return;
      var step = Math.max(4, picture.clientWidth / frames.length);
      show(dragFrom.frame + Math.round((event.clientX - dragFrom.x) / step));
    });
    ["pointerup", "pointercancel"].forEach(function (name) {
      picture.addEventListener(name, function () { dragFrom = null; });
    });
  }

  function setUp(root) {
    root.querySelectorAll("[data-gallery]").forEach(setUpGallery);
    root.querySelectorAll("[data-spin]").forEach(setUpSpin);
  }

  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  // A chosen variant swaps the gallery in with htmx; set-up skips what is already set up.
  document.addEventListener("htmx:afterSettle", function () { setUp(document); });
})();
