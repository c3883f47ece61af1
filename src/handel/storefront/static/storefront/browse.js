// Small enhancements of the browse pages: keyboard support for the header's search suggestions
// (a listbox of links filled by htmx), tidy URLs and in-place errors for the filter form, folded
// filters on phones, and search click tracking. Without this script every form still submits
// and every link still works.
(function () {
  "use strict";
  function box() { return document.getElementById("site-search-suggestions"); }
  function input() { return document.getElementById("site-search-q"); }
  function options() { return Array.prototype.slice.call(box().querySelectorAll("[role=option]")); }
  function close() {
    box().innerHTML = "";
    input().setAttribute("aria-expanded", "false");
  }
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target === box()) {
      input().setAttribute("aria-expanded", options().length ? "true" : "false");
    }
  });
  document.addEventListener("keydown", function (event) {
    var field = input();
    if (!field || !box()) { return; }
    var all = options();
    var index = all.indexOf(document.activeElement);
    if (event.target !== field && index === -1) { return; }
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      all[Math.min(index + 1, all.length - 1)].focus();
    } else if (event.key === "ArrowUp" && index !== -1) {
      event.preventDefault();
      if (index === 0) { field.focus(); } else { all[index - 1].focus(); }
    } else if (event.key === "Escape") {
      close();
      field.focus();
    }
  });
  // The filter form sends every field; empty ones and the default sort only clutter the URL
  // that htmx pushes into the address bar.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.target.closest || !event.target.closest("#browse-form")) { return; }
    var parameters = event.detail.parameters;
    ["price_min", "price_max", "sort"].forEach(function (name) {
      var value = parameters[name];
      if (value === "" || (name === "sort" && value === "relevance")) { delete parameters[name]; }
    });
  });
  // Filters that cannot be applied are answered with 400 and an explanation: show it in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 400 && event.detail.target.id === "browse-results") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // On a phone the filters start folded (results first); once opened they stay open while
  // htmx swaps the results. Without this script they are simply always open.
  var narrow = window.matchMedia("(max-width: 760px)");
  var filtersOpen = false;
  function foldFilters() {
    var panel = document.querySelector(".facets-panel");
    if (panel && narrow.matches && !filtersOpen) { panel.removeAttribute("open"); }
  }
  document.addEventListener("toggle", function (event) {
    if (event.target.classList && event.target.classList.contains("facets-panel")) { filtersOpen = event.target.open; }
  }, true);
  document.addEventListener("DOMContentLoaded", foldFilters);
  document.addEventListener("htmx:afterSwap", foldFilters);
  narrow.addEventListener("change", function () {
    var panel = document.querySelector(".facets-panel");
    if (panel && !narrow.matches) { panel.open = true; } else { foldFilters(); }
  });
  // Which search result was opened, for the click-through figures (a beacon survives the
  // navigation that follows).
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".product-link[data-position]") : null;
    var region = link ? link.closest("[data-search-id]") : null;
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (!region || !token || !navigator.sendBeacon) { return; }
    var data = new FormData();
    data.append("search_id", region.getAttribute("data-search-id"));
    data.append("sku", link.getAttribute("data-sku"));
    data.append("position", link.getAttribute("data-position"));
    data.append("csrfmiddlewaretoken", token.value);
    navigator.sendBeacon(region.getAttribute("data-click-url"), data);
  });
  document.addEventListener("click", function (event) {
    var search = document.querySelector(".site-search");
    if (search && box() && !search.contains(event.target)) { close(); }
  });
})();
