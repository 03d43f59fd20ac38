// The responders' queue follows new and changed risk events without a reload: live.js hears the
// push ({"type": "risk_queue"}) and raises "alongside:risk-queue"; this reloads the list in place
// and says so in a polite status line (never moving focus). Without it, a reload shows the same.
(function () {
  "use strict";
  var list = document.getElementById("risk-queue");
  var news = document.getElementById("risk-queue-news");
  if (!list || !window.fetch || !window.DOMParser) return;
  var busy = false;

  document.addEventListener("alongside:risk-queue", function () {
    if (busy) return;
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("risk-queue");
        if (fresh) {
          list.replaceChildren.apply(list, Array.prototype.slice.call(fresh.childNodes));
          if (news) news.textContent = list.getAttribute("data-refresh-text") || "";
        }
      })
      .catch(function () { /* the page is right on reload */ })
      .then(function () { busy = false; });
  });
})();
