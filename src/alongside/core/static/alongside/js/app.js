// Alongside: progressive enhancement only. Every page works without this file.
//
// Quick exit: the button, or Escape pressed twice within a second, hides the page at once and
// replaces it with a neutral site. location.replace() swaps the current history entry, so
// Back does not return to the page the person was reading; private pages are also sent with
// Cache-Control: no-store so the browser keeps no copy of them.
(function () {
  "use strict";
  var ESCAPE_WINDOW_MS = 1000;
  var lastEscape = 0;

  function quickExit(url) {
    document.documentElement.classList.add("exiting");
    document.title = "";
    window.location.replace(url);
  }

  function exitUrl() {
    var link = document.getElementById("quick-exit");
    return link ? link.getAttribute("data-quick-exit-url") : "about:blank";
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("#quick-exit") : null;
    if (!link) return;
    event.preventDefault();
    quickExit(exitUrl());
  });

  // A form came back with something to fix: start at the list of what to fix (its links lead to
  // the fields; following one puts the cursor in the field, not just near it).
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target instanceof Element ? event.target.closest("a[href^='#']") : null;
      var field = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
      if (!field) return;
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    if (now - lastEscape <= ESCAPE_WINDOW_MS) {
      quickExit(exitUrl());
    }
    lastEscape = now;
  });
})();
