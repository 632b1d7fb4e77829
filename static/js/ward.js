// Ward's own script: small additions to htmx. No inline scripts anywhere
// (the Content-Security-Policy forbids them).
(function () {
  "use strict";

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }

  // Every htmx request carries the page's CSRF token as a header.
  document.addEventListener("htmx:configRequest", function (e) {
    var t = csrfToken();
    if (t) { e.detail.headers["X-CSRF-Token"] = t; }
  });

  // Errors htmx does not swap (4xx other than 422, 5xx) are shown in the flash
  // region with the request id, instead of failing silently.
  document.addEventListener("htmx:responseError", function (e) {
    var xhr = e.detail.xhr;
    var flash = document.getElementById("flash");
    if (!flash || !xhr) { return; }
    var msg = "Something went wrong (" + xhr.status + ").";
    if (xhr.status === 403) { msg = "You are not allowed to do that."; }
    if (xhr.status === 404) { msg = "That record no longer exists."; }
    if (xhr.status === 409) { msg = "Someone else changed this record. Reload to see their changes."; }
    var id = xhr.getResponseHeader("X-Request-ID");
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("role", "alert");
    p.textContent = msg + (id ? " Request " + id + "." : "");
    flash.replaceChildren(p);
  });

  document.addEventListener("htmx:sendError", function () {
    var flash = document.getElementById("flash");
    if (!flash) { return; }
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("role", "alert");
    p.textContent = "Ward could not be reached. Check the connection and try again.";
    flash.replaceChildren(p);
  });

  // After a form comes back with errors, put the cursor on the first one.
  document.addEventListener("htmx:afterSwap", function (e) {
    var bad = e.detail.target && e.detail.target.querySelector('[aria-invalid="true"]');
    if (bad) { bad.focus(); }
  });
})();

// The menu button (narrow screens) shows and hides the navigation: it sets
// aria-expanded on itself and data-menu-open on the header, which the CSS
// follows. Escape, or a click outside the header, closes it.
function wardMenu() {
  "use strict";
  var button = document.querySelector("[data-menu-button]");
  var header = button && button.closest("[data-menu]");
  if (!header) { return; }
  function isOpen() { return button.getAttribute("aria-expanded") === "true"; }
  function set(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    header.toggleAttribute("data-menu-open", open);
  }
  button.addEventListener("click", function () { set(!isOpen()); });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && isOpen()) {
      set(false);
      button.focus();
    }
  });
  document.addEventListener("click", function (e) {
    if (isOpen() && !header.contains(e.target)) { set(false); }
  });
}

// The header's patient search: "/" focuses it from anywhere but a field;
// the arrow keys move through the results; Enter opens the highlighted
// result, or the first (without results it searches the patient list);
// Escape clears it.
function wardQuickSearch() {
  "use strict";
  var form = document.querySelector("[data-quick-search]");
  var input = form && form.querySelector("input[type=search]");
  if (!input) { return; }
  function results() { return Array.prototype.slice.call(form.querySelectorAll("[data-quick-result]")); }
  function current() { return form.querySelector("[data-quick-result][aria-current=true]"); }
  function highlight(i) {
    var rs = results();
    rs.forEach(function (r, j) { if (j === i) { r.setAttribute("aria-current", "true"); } else { r.removeAttribute("aria-current"); } });
  }
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      input.focus();
      input.select();
      slash = true;
    }
  });
  // The "/" that focused the field is not typed into it (some input paths
  // deliver its character after the focus moved).
  var slash = false;
  input.addEventListener("beforeinput", function (e) {
    if (slash && e.data === "/") { e.preventDefault(); }
    slash = false;
  });
  input.addEventListener("blur", function () { slash = false; });
  // Enter submits the form: with results, it opens the highlighted or the
  // first; with none it searches the patient list.
  form.addEventListener("submit", function (e) {
    var rs = results();
    if (rs.length) {
      e.preventDefault();
      window.location.assign((current() || rs[0]).getAttribute("href"));
    }
  });
  input.addEventListener("keydown", function (e) {
    var rs = results();
    var i = rs.indexOf(current());
    if (e.key === "ArrowDown" && rs.length) { e.preventDefault(); highlight(Math.min(i + 1, rs.length - 1)); }
    if (e.key === "ArrowUp" && rs.length) { e.preventDefault(); highlight(Math.max(i - 1, 0)); }
    if (e.key === "Escape") {
      input.value = "";
      document.getElementById("quick-results").replaceChildren();
    }
  });
}

document.addEventListener("DOMContentLoaded", function () {
  wardMenu();
  wardQuickSearch();

  // A page that came back with errors puts the cursor on the first one.
  var bad = document.querySelector('[aria-invalid="true"]');
  if (bad) { bad.focus(); }

  // Fill an empty time-zone field with the browser's own zone.
  var tz = "";
  try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { tz = ""; }
  document.querySelectorAll("input[data-detect-timezone]").forEach(function (el) {
    if (!el.value && tz) { el.value = tz; }
  });
});
