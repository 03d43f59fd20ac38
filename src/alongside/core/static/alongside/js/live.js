// Live updates on every signed-in page (notifications/consumers.py has the frames): the header's
// unread count follows new notifications without a reload, and a thread page says when someone
// else's reply arrives ("2 new replies — show"), in a polite live region that never takes focus.
// Only a fast path: without this file, or without a connection, every page is right on reload.
(function () {
  "use strict";
  var SOCKET_PATH = "/ws/live/";
  var REFUSED = 4404; // not signed in, or a staff session before two-factor: do not try again
  var PING_MS = 25000; // keeps idle connections open through proxies that drop silent ones

  var link = document.querySelector("[data-live-unread]");
  var thread = document.querySelector("[data-live-thread]");
  var discreet = document.documentElement.hasAttribute("data-discreet");
  if (!link || !("WebSocket" in window)) return;

  // --- The header's count (and the title's, except in discreet mode: its title names nothing) ---

  var shown = parseInt(link.getAttribute("data-live-unread"), 10) || 0;
  var titlePrefix = link.getAttribute("data-live-title-prefix") || "";
  var titleRest = null; // the title after the prefix and the count, once it is known to be as rendered
  (function () {
    var expected = titlePrefix + (shown > 0 ? "(" + shown + ") " : "");
    if (!discreet && document.title.indexOf(expected) === 0) titleRest = document.title.slice(expected.length);
  })();

  function showUnread(count) {
    if (typeof count !== "number" || count < 0 || count === shown) return;
    shown = count;
    link.setAttribute("data-live-unread", String(count));
    var badge = link.querySelector(".badge");
    if (count === 0) {
      if (badge) {
        var space = badge.previousSibling;
        if (space && space.nodeType === 3 && !space.nodeValue.trim()) space.remove();
        badge.remove();
      }
    } else {
      if (!badge) {
        link.appendChild(document.createTextNode(" "));
        badge = document.createElement("span");
        badge.className = "badge";
        link.appendChild(badge);
      }
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + (link.getAttribute("data-live-unread-label") || "");
      badge.replaceChildren(document.createTextNode(String(count)), hidden);
    }
    if (titleRest !== null && !discreet) {
      document.title = titlePrefix + (count > 0 ? "(" + count + ") " : "") + titleRest;
    }
  }

  // --- New replies in the thread on screen ---

  var threadId = thread ? parseInt(thread.getAttribute("data-live-thread"), 10) : NaN;
  var fresh = {}; // ids of the new replies announced so far
  var freshCount = 0;
  var newestFresh = 0;
  var region = null;

  function newestOnPage() {
    var newest = 0;
    thread.querySelectorAll("article[id^='post-']").forEach(function (article) {
      var id = parseInt(article.id.slice(5), 10);
      if (id > newest) newest = id;
    });
    return newest;
  }
  var newestShown = thread ? newestOnPage() : 0;

  if (thread && threadId > 0) {
    // In the page from the start, empty: screen readers announce what is put into it later.
    region = document.createElement("div");
    region.className = "messages live-replies";
    region.setAttribute("role", "status");
    thread.insertAdjacentElement("afterend", region);
  }

  function sameDocument(url) {
    return url.pathname === window.location.pathname && url.search === window.location.search;
  }

  function showReply(frame) {
    if (!region || frame.thread !== threadId || typeof frame.post !== "number") return;
    if (frame.post <= newestShown || fresh[frame.post]) return; // on the page already, or counted
    fresh[frame.post] = true;
    freshCount += 1;
    newestFresh = Math.max(newestFresh, frame.post);
    var words = freshCount === 1
      ? thread.getAttribute("data-live-one")
      : (thread.getAttribute("data-live-many") || "").replace("{count}", String(freshCount));
    var show = document.createElement("a");
    show.href = thread.getAttribute("data-live-show") || "?page=last#newest";
    if (sameDocument(new URL(show.href, window.location.href))) {
      // Already on the last page (say, after "Jump to the newest reply"), that link would only
      // scroll: go by the newest reply's own address instead, which loads its page at it.
      var byPost = thread.getAttribute("data-live-post") || "";
      if (/\/0\/$/.test(byPost)) show.href = byPost.replace(/\/0\/$/, "/" + newestFresh + "/");
    }
    show.textContent = words;
    var line = document.createElement("p");
    line.className = "message";
    line.appendChild(show);
    region.replaceChildren(line);
  }

  // --- The socket: reconnects with backoff; after a drop, asks again what it may have missed ---

  var socket = null;
  var failures = 0;
  var opened = false;
  var pinger = null;
  var leaving = false;

  function send(frame) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(frame));
  }

  // --- Responders: the header's count of risk events nobody has picked up; the queue page listens ---

  function showRiskQueue(frame) {
    var risk = document.querySelector("[data-live-risk]");
    if (!risk || typeof frame.open !== "number" || frame.open < 0) return;
    risk.setAttribute("data-live-risk", String(frame.open));
    var badge = risk.querySelector(".badge");
    if (frame.open === 0) {
      if (badge) badge.remove();
    } else {
      if (!badge) {
        risk.appendChild(document.createTextNode(" "));
        badge = document.createElement("span");
        badge.className = "badge badge-urgent";
        risk.appendChild(badge);
      }
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + (risk.getAttribute("data-live-risk-label") || "");
      badge.replaceChildren(document.createTextNode(String(frame.open)), hidden);
    }
    document.dispatchEvent(new CustomEvent("alongside:risk-queue", { detail: frame }));
  }

  function onFrame(frame) {
    if (!frame || typeof frame.type !== "string") return;
    if (frame.type === "notifications") showUnread(frame.unread);
    else if (frame.type === "thread_reply") showReply(frame);
    else if (frame.type === "risk_queue") showRiskQueue(frame);
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + window.location.host + SOCKET_PATH);
    } catch (error) {
      return; // blocked here: the page works as it is, and is right on reload
    }
    socket.onopen = function () {
      if (opened) send({ type: "unread" }); // pushes sent while we were away are gone
      opened = true;
      failures = 0;
      if (region) send({ type: "watch", thread: threadId });
      window.clearInterval(pinger);
      pinger = window.setInterval(function () { send({ type: "ping" }); }, PING_MS);
    };
    socket.onmessage = function (event) {
      try { onFrame(JSON.parse(event.data)); } catch (error) { /* not for us */ }
    };
    socket.onclose = function (event) {
      socket = null;
      window.clearInterval(pinger);
      if (leaving || event.code === REFUSED) return;
      failures += 1;
      var wait = Math.min(60000, 1000 * Math.pow(2, Math.min(failures, 6)));
      window.setTimeout(connect, wait / 2 + Math.random() * wait / 2); // spread out after a restart
    };
  }

  // Leaving the page (or quick exit) closes the socket on its own; a page restored from the
  // back/forward cache connects again.
  window.addEventListener("pagehide", function () {
    leaving = true;
    if (socket) socket.close();
  });
  window.addEventListener("pageshow", function (event) {
    leaving = false;
    if (event.persisted && !socket) connect();
  });
  connect();
})();
