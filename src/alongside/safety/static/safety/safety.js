// The crisis page and the safety plan: send the browser's time zone (so the page can tell the
// country when nothing else does), and a Print button on the printable plan. Both pages work
// without this script: the country can be chosen, and the browser's own Print works.
(function () {
  "use strict";
  var COOKIE = "tz";

  function readCookie() {
    var found = document.cookie.match(new RegExp("(?:^|; )" + COOKIE + "=([^;]*)"));
    return found ? found[1] : null;
  }

  function sendTimeZone() {
    var zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return;
    }
    if (!zone || zone.length > 64) return;
    var value = encodeURIComponent(zone);
    if (readCookie() === value) return;
    document.cookie = COOKIE + "=" + value + "; path=/; max-age=31536000; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
    // The page could not tell the country; now it may. Only once: the cookie is set now (and never
    // when cookies are refused, so this cannot loop).
    if (readCookie() === value && document.querySelector("[data-country-unknown]")) location.reload();
  }

  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  sendTimeZone();
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", printButtons);
  else printButtons();
})();
