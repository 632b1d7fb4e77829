// The appointments pages' script: picking the patient of the booking form
// from the keyboard. The patient field asks the patients' quick search (in
// its pick mode, htmx) as one types; the arrow keys move through the
// results, Enter or a click picks one into the hidden patientId, Escape
// closes the list. Listeners are on the document, so they keep working
// after htmx swaps part of a page. No inline scripts: the
// Content-Security-Policy forbids them.
(function () {
  "use strict";
  if (window.wardAppointments) { return; } // the page may include it twice
  window.wardAppointments = true;

  function pickOf(el) { return el && el.closest ? el.closest("[data-patient-pick]") : null; }
  function options(pick) { return Array.prototype.slice.call(pick.querySelectorAll("[data-pick-patient]")); }
  function field(pick) { return pick.querySelector("input[type=search]"); }
  function current(pick) { return pick.querySelector("[data-pick-patient][aria-selected=true]"); }

  function highlight(pick, i) {
    options(pick).forEach(function (o, j) { o.setAttribute("aria-selected", j === i ? "true" : "false"); });
    var o = options(pick)[i];
    var input = field(pick);
    if (o && input) { input.setAttribute("aria-activedescendant", o.id || ""); }
  }

  function close(pick) {
    var list = pick.querySelector(".pick-results");
    if (list) { list.replaceChildren(); }
    var input = field(pick);
    if (input) { input.setAttribute("aria-expanded", "false"); input.removeAttribute("aria-activedescendant"); }
  }

  function choose(pick, o) {
    var input = field(pick);
    var hidden = pick.querySelector("input[name=patientId]");
    if (!o || !input || !hidden) { return; }
    hidden.value = o.getAttribute("data-pick-patient");
    input.value = o.getAttribute("data-pick-label");
    close(pick);
    input.setCustomValidity("");
    // On to the next field: the provider.
    var form = input.form;
    var next = form && form.querySelector("select[name=providerId]");
    if (next) { next.focus(); }
  }

  document.addEventListener("click", function (e) {
    var o = e.target.closest && e.target.closest("[data-pick-patient]");
    var pick = pickOf(o);
    if (o && pick) {
      e.preventDefault();
      choose(pick, o);
    }
  });

  document.addEventListener("keydown", function (e) {
    var pick = pickOf(e.target);
    if (!pick || e.target !== field(pick)) { return; }
    var os = options(pick);
    var i = os.indexOf(current(pick));
    if (e.key === "ArrowDown" && os.length) { e.preventDefault(); highlight(pick, Math.min(i + 1, os.length - 1)); }
    if (e.key === "ArrowUp" && os.length) { e.preventDefault(); highlight(pick, Math.max(i - 1, 0)); }
    if (e.key === "Enter" && os.length) {
      // Enter picks the highlighted patient, or the first: it does not
      // send the form half filled.
      e.preventDefault();
      choose(pick, current(pick) || os[0]);
    }
    if (e.key === "Escape") { close(pick); }
  });

  // Typing again forgets the patient picked before.
  document.addEventListener("input", function (e) {
    var pick = pickOf(e.target);
    if (!pick || e.target !== field(pick)) { return; }
    var hidden = pick.querySelector("input[name=patientId]");
    if (hidden) { hidden.value = ""; }
  });

  // New results: the list is open, nothing highlighted yet.
  document.addEventListener("htmx:afterSwap", function (e) {
    var pick = pickOf(e.detail.target);
    if (!pick) { return; }
    var input = field(pick);
    if (input) { input.setAttribute("aria-expanded", options(pick).length ? "true" : "false"); }
  });
})();
