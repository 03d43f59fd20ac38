// Live chat (docs/chat-protocol.md). The page already shows the history and sends with a plain form
// post; this makes it live: a WebSocket that resumes from the last sequence number it saw, or, when
// WebSockets are blocked, HTTP (POST to send, long-poll to receive) with the same numbers. Messages
// not yet acknowledged wait in an outbox (kept for this tab) and are sent again with the same
// client id, which the server stores once.
(function () {
  "use strict";

  function clientId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function text(root, name, values) {
    var t = root.dataset[name] || "";
    Object.keys(values || {}).forEach(function (k) { t = t.replace("{" + k + "}", values[k]); });
    return t;
  }

  function initChat(root) {
    var id = root.dataset.conversation;
    var me = root.dataset.me;
    var lastSeq = parseInt(root.dataset.lastSeq, 10) || 0;
    var list = document.getElementById("messages");
    var form = document.getElementById("compose");
    var box = form ? form.querySelector("textarea") : null;
    var csrf = form ? form.querySelector("[name=csrfmiddlewaretoken]").value : "";
    var statusLine = document.getElementById("connection");
    var typingLine = document.getElementById("latest");
    var receipt = document.getElementById("receipt");
    var storeKey = "alongside-outbox:" + id;
    var outbox = [];
    try { outbox = JSON.parse(window.sessionStorage.getItem(storeKey) || "[]"); } catch (e) { outbox = []; }
    var socket = null, everOpened = false, failures = 0, mode = "ws", stopped = false, typingTimer = null, lastTyping = 0;
    var mySeqs = [];
    var myRole = root.dataset.role || "";

    function saveOutbox() {
      try { window.sessionStorage.setItem(storeKey, JSON.stringify(outbox)); } catch (e) { /* private mode */ }
    }

    function setStatus(message) { if (statusLine) statusLine.textContent = message; }

    function line(who, body, cls) {
      var li = document.createElement("li");
      li.className = "chat-message " + (cls || "");
      if (who) {
        var w = document.createElement("span");
        w.className = "who";
        w.textContent = who;
        li.appendChild(w);
      }
      var b = document.createElement("span");
      b.className = "body";
      b.textContent = body;
      li.appendChild(b);
      return li;
    }

    // A live room's "Moderate" and "Report" links, as the server draws them beside older messages.
    function messageLink(pattern, label, seq) {
      var a = document.createElement("a");
      a.className = "moderate-link";
      a.href = pattern.replace(/\/0\/$/, "/" + seq + "/");
      a.textContent = label;
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + text(root, "textMessage", { seq: seq });
      a.appendChild(hidden);
      return a;
    }

    function pendingItem(cid) { return list.querySelector('[data-client-id="' + cid + '"]'); }

    function showPending(item) {
      if (pendingItem(item.client_id)) return;
      var li = line(text(root, "textYou") + " (" + text(root, "textSending") + ")", item.body, "mine pending");
      li.dataset.clientId = item.client_id;
      list.appendChild(li);
    }

    function deliver(frame) {
      if (frame.seq <= lastSeq) return; // already shown
      lastSeq = frame.seq;
      var mine = me && String(frame.from) === me;
      var li = line(frame.kind === "event" ? "" : (mine ? text(root, "textYou") : frame.name),
                    frame.deleted ? "(removed)" : frame.body,
                    frame.kind === "event" ? "chat-event" : (mine ? "mine" : ""));
      li.dataset.seq = frame.seq;
      if (frame.kind === "text" && !frame.deleted) {
        if (root.dataset.moderateUrl) li.appendChild(messageLink(root.dataset.moderateUrl, text(root, "textModerate"), frame.seq));
        if (root.dataset.reportUrl && !mine && frame.from) li.appendChild(messageLink(root.dataset.reportUrl, text(root, "textReport"), frame.seq));
      }
      var pending = mine && frame.client_id ? pendingItem(frame.client_id) : null;
      if (pending) pending.remove();
      if (mine && frame.client_id) {
        outbox = outbox.filter(function (m) { return m.client_id !== frame.client_id; });
        saveOutbox();
      }
      list.appendChild(li);
      if (mine) { mySeqs.push(frame.seq); receipt.textContent = ""; }
      else if (frame.kind !== "event") { typingLine.textContent = ""; markRead(); }
    }

    function markRead() {
      if (document.hidden) return;
      if (mode === "ws" && socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "read", seq: lastSeq }));
      else if (mode === "http") post(root.dataset.readUrl, { seq: String(lastSeq) });
    }

    function onState(frame) {
      if (frame.status === "ended") {
        if (!stopped && !document.getElementById("ended")) window.location.reload();
        stopped = true;
        return;
      }
      if (frame.escalated) { var panel = document.getElementById("crisis-panel"); if (panel) panel.hidden = false; }
      if (frame.listener) {  // a listener joined: the page is now a chat with them
        var heading = document.getElementById("chat-heading");
        if (heading) heading.textContent = text(root, "textChatWith", { name: frame.listener });
      }
      if (frame.status === "active") {
        var q = document.getElementById("queue-status"); if (q) q.hidden = true;
        var s = document.getElementById("still-waiting"); if (s) s.hidden = true;
      }
      if (typeof frame.other_read_seq === "number") onRead({ seq: frame.other_read_seq });
      if (frame.position) {
        var p = document.getElementById("queue-position");
        if (p) p.textContent = text(root, "textPosition", { position: frame.position, minutes: Math.ceil(frame.estimated_wait_seconds / 60) });
      }
      if (frame.still_waiting) { var sw = document.getElementById("still-waiting"); if (sw) sw.hidden = false; }
    }

    function showPresence(role, here) {
      var line = document.getElementById("presence");
      if (!line || !role) return;
      var name = (here ? "textBack" : "textAway") + (role === "listener" ? "Listener" : "Member");
      line.textContent = root.dataset[name] || "";
    }

    function onRead(frame) {
      if (mySeqs.length && frame.seq >= mySeqs[mySeqs.length - 1]) receipt.textContent = text(root, "textRead");
    }

    // Words that read as high risk: the calm support panel (rendered hidden in the page) appears
    // beside the chat, once, and takes focus so a screen reader hears it; the message was sent.
    function showSupport() {
      var holder = document.getElementById("support-offer");
      if (!holder || !holder.hidden) return;
      holder.hidden = false;
      var region = holder.querySelector("[tabindex]") || holder;
      if (region.focus) region.focus();
    }

    function onFrame(frame) {
      if (frame.support === true) showSupport();
      switch (frame.type) {
        case "support": showSupport(); break;
        case "message": deliver(frame); break;
        case "ack": case "held":
          outbox = outbox.filter(function (m) { return m.client_id !== frame.client_id; });
          saveOutbox();
          if (frame.type === "held") {
            var li = pendingItem(frame.client_id);
            if (li) { li.classList.add("held"); li.querySelector(".who").textContent = frame.detail; }
          }
          break;
        case "error":
          if (frame.client_id) {
            outbox = outbox.filter(function (m) { return m.client_id !== frame.client_id; });
            saveOutbox();
            var failed = pendingItem(frame.client_id);
            if (failed) failed.remove();
            if (box && !box.value) box.value = failed ? failed.querySelector(".body").textContent : "";
          }
          setStatus(frame.detail);
          break;
        case "typing":
          typingLine.textContent = text(root, "textTyping");
          window.clearTimeout(typingTimer);
          typingTimer = window.setTimeout(function () { typingLine.textContent = ""; }, 4000);
          break;
        case "read": if (frame.role && String(frame.role) !== myRole) onRead(frame); break;
        case "ready": case "state": case "queue": onState(frame); break;
        case "still_waiting": onState({ still_waiting: true }); break;
        case "presence": showPresence(frame.role, frame.state === "here"); break;
        case "deleted":
          var gone = list.querySelector('[data-seq="' + frame.seq + '"] .body');
          if (gone) gone.textContent = root.dataset.textRemoved;
          break;
      }
    }

    function flushOutbox() { outbox.forEach(flushOutboxOne); }

    function connect() {
      if (stopped) return;
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      try { socket = new WebSocket(scheme + window.location.host + root.dataset.wsUrl); } catch (e) { return fallBack(); }
      socket.onopen = function () {
        everOpened = true; failures = 0;
        setStatus(text(root, "textOnline"));
        socket.send(JSON.stringify({ type: "hello", after: lastSeq }));
        flushOutbox();
      };
      socket.onmessage = function (event) { onFrame(JSON.parse(event.data)); };
      socket.onclose = function () {
        socket = null;
        if (stopped) return;
        failures += 1;
        if (!everOpened && failures >= 2) return fallBack();
        setStatus(text(root, "textOffline"));
        window.setTimeout(connect, Math.min(10000, 500 * Math.pow(2, failures)));
      };
    }

    function post(url, fields) {
      var body = new URLSearchParams(fields);
      return window.fetch(url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
      }).then(function (r) {
        return r.json().then(function (data) {
          if (!r.ok) return { type: "error", client_id: fields.client_id, detail: data.detail };
          return data;
        });
      }).catch(function () { setStatus(text(root, "textOffline")); return null; });
    }

    function fallBack() {
      mode = "http";
      setStatus(text(root, "textFallback"));
      flushOutbox();
      poll();
    }

    function poll() {
      if (stopped) return;
      window.fetch(root.dataset.pollUrl + "?after=" + lastSeq, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          (data.messages || []).forEach(deliver);
          if (data.state) onState(data.state);
          if (outbox.length) flushOutbox();
          window.setTimeout(poll, 50);
        })
        .catch(function () { setStatus(text(root, "textOffline")); window.setTimeout(poll, 3000); });
    }

    if (form && box) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var body = box.value.trim();
        if (!body) { box.focus(); return; }
        var item = { client_id: clientId(), body: body };
        outbox.push(item);
        saveOutbox();
        box.value = "";
        box.focus();
        flushOutboxOne(item);
      });
      box.addEventListener("input", function () {
        var now = Date.now();
        if (mode === "ws" && socket && socket.readyState === 1 && now - lastTyping > 3000) {
          lastTyping = now;
          socket.send(JSON.stringify({ type: "typing" }));
        }
      });
    }

    function flushOutboxOne(item) {
      showPending(item);
      if (mode === "ws" && socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "send", client_id: item.client_id, body: item.body }));
      else if (mode === "http") post(root.dataset.sendUrl, { client_id: item.client_id, body: item.body }).then(function (answer) { if (answer) onFrame(answer); });
    }

    document.addEventListener("visibilitychange", function () { if (!document.hidden) markRead(); });
    window.addEventListener("pagehide", function () { stopped = true; });
    document.addEventListener("submit", function (event) { if (event.target !== form) stopped = true; });
    outbox.forEach(showPending);
    connect();
  }

  function initDesk(root) {
    var news = document.getElementById("desk-news");
    var failures = 0;
    function connect() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      var socket = new WebSocket(scheme + window.location.host + root.dataset.wsUrl);
      socket.onopen = function () { failures = 0; };
      socket.onmessage = function (event) {
        var frame = JSON.parse(event.data);
        if (frame.type === "assigned") {
          news.textContent = root.dataset.textNewChat + " ";
          var a = document.createElement("a");
          a.href = frame.url;
          a.textContent = root.dataset.textOpen;
          news.appendChild(a);
        }
      };
      socket.onclose = function () { failures += 1; window.setTimeout(connect, Math.min(10000, 500 * Math.pow(2, failures))); };
      current = socket;
    }
    var current = null;
    window.setInterval(function () { if (current && current.readyState === 1) current.send(JSON.stringify({ type: "ping" })); }, 30000);
    connect();
  }

  var chat = document.getElementById("chat");
  if (chat) initChat(chat);
  var desk = document.getElementById("desk");
  if (desk) initDesk(desk);
})();
