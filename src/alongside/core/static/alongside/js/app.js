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
  var exiting = false; // quick exit: nothing may ask to stay, nothing is kept

  function quickExit(url) {
    document.documentElement.classList.add("exiting");
    document.title = "";
    exiting = true;
    try { forgetDrafts(); } catch (error) { /* leaving matters more */ }
    window.location.replace(url);
  }

  // Drafts: what someone is writing in a form marked data-draft (its text, its content warnings,
  // whether to post anonymously) is kept in this browser as they type, for this person only, and
  // put back if the page is closed or lost before it is sent, or comes back refused. In discreet
  // mode only for as long as the tab is open (sessionStorage). Quick exit and logging out forget
  // every draft; so does anyone else logging in on this browser.
  var DRAFT_PREFIX = "alongside-draft:";
  var owner = document.body.getAttribute("data-draft-owner") || "";

  function draftStores() {
    var stores = [];
    try { stores.push(window.localStorage); } catch (error) { /* storage off */ }
    try { stores.push(window.sessionStorage); } catch (error) { /* storage off */ }
    return stores.filter(Boolean);
  }

  function draftStore() {
    try {
      return document.documentElement.hasAttribute("data-discreet") ? window.sessionStorage : window.localStorage;
    } catch (error) {
      return null;
    }
  }

  // Every draft (keep === undefined), or every draft not written by `keep`.
  function forgetDrafts(keep) {
    draftStores().forEach(function (store) {
      try {
        for (var i = store.length - 1; i >= 0; i--) {
          var key = store.key(i);
          if (!key || key.indexOf(DRAFT_PREFIX) !== 0) continue;
          if (keep === undefined || key.indexOf(DRAFT_PREFIX + keep + ":") !== 0) store.removeItem(key);
        }
      } catch (error) { /* nothing more to do */ }
    });
  }

  function keepDrafts(form) {
    var store = draftStore();
    if (!store || !owner) return;
    var key = DRAFT_PREFIX + owner + ":" + form.getAttribute("data-draft");
    var texts = Array.prototype.slice.call(form.querySelectorAll("textarea, input[type='text']"));
    var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type='checkbox']"));
    var sent = false;
    var timer = null;

    function values() {
      var kept = { text: {}, ticked: [] };
      var any = false;
      texts.forEach(function (field) {
        kept.text[field.name] = field.value;
        if (field.value.trim()) any = true;
      });
      boxes.forEach(function (box) { if (box.checked) kept.ticked.push(box.name + "=" + box.value); });
      return any ? kept : null;
    }
    // A form the server sent back refused holds text that was not posted: it counts as unsent.
    var refused = document.getElementById("error-summary") !== null;
    var initial = refused ? "null" : JSON.stringify(values());

    function save() {
      var now = values();
      try {
        if (now && JSON.stringify(now) !== initial) store.setItem(key, JSON.stringify(now));
        else store.removeItem(key);
      } catch (error) { /* full or refused: the page still works */ }
    }

    var saved = null;
    try { saved = JSON.parse(store.getItem(key) || "null"); } catch (error) { saved = null; }
    if (refused) {
      save();
    } else if (saved && saved.text && JSON.stringify(saved) !== initial) {
      texts.forEach(function (field) {
        if (typeof saved.text[field.name] === "string") field.value = saved.text[field.name];
      });
      boxes.forEach(function (box) {
        box.checked = (saved.ticked || []).indexOf(box.name + "=" + box.value) !== -1;
        var options = box.closest("details");
        if (box.checked && options) options.open = true; // never a hidden "post anonymously"
      });
      var note = document.createElement("p");
      note.className = "notice draft-notice";
      note.setAttribute("role", "status");
      note.textContent = document.body.getAttribute("data-draft-restored") || "";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "link-button";
      discard.textContent = document.body.getAttribute("data-draft-discard") || "";
      discard.addEventListener("click", function () {
        texts.forEach(function (field) { if (field.type !== "hidden") field.value = ""; });
        boxes.forEach(function (box) { box.checked = false; });
        try { store.removeItem(key); } catch (error) { /* nothing kept */ }
        initial = JSON.stringify(values());
        note.remove();
        if (texts[0]) texts[0].focus();
      });
      note.appendChild(document.createTextNode(" "));
      note.appendChild(discard);
      form.parentNode.insertBefore(note, form);
    }

    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(save, 300);
    });
    form.addEventListener("change", save);
    form.addEventListener("submit", function (event) {
      sent = true;
      window.clearTimeout(timer);
      if (event.submitter && event.submitter.name === "preview") {
        save(); // still unsent: the preview page keeps it
        return;
      }
      // Sent: the server has it now (if it refuses it, the page that comes back keeps it again).
      try { store.removeItem(key); } catch (error) { /* nothing kept */ }
    });
    window.addEventListener("beforeunload", function (event) {
      if (exiting || sent || JSON.stringify(values()) === initial) return;
      save();
      event.preventDefault();
      event.returnValue = "";
    });
  }

  if (owner) forgetDrafts(owner); // someone else's drafts, left on this browser
  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), keepDrafts);

  // @mentions: while someone types @ and the start of a name in a form marked data-mentions, the
  // people they can mention there are offered as buttons under the text box (Tab reaches them;
  // pressing one puts the name in). Without this, typing @name works just the same.
  function offerMentions(form) {
    var url = form.getAttribute("data-mentions");
    var box = form.querySelector("textarea");
    if (!url || !box || !window.fetch) return;
    var list = document.createElement("div");
    list.className = "mention-suggestions";
    list.setAttribute("role", "group");
    list.setAttribute("aria-label", document.body.getAttribute("data-mention-label") || "");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    var timer = null;

    function typed() {
      var found = /(?:^|[^\w@-])@([A-Za-z0-9_-]{1,30})$/.exec(box.value.slice(0, box.selectionStart));
      return found ? found[1] : "";
    }
    function clear() {
      list.hidden = true;
      list.textContent = "";
      status.textContent = "";
    }
    function insert(name, shownFor) {
      var prefix = typed() || shownFor; // they may have typed on since the names were shown
      var end = box.selectionStart;
      var start = end - prefix.length;
      box.value = box.value.slice(0, start) + name + " " + box.value.slice(end);
      var caret = start + name.length + 1;
      box.focus();
      box.setSelectionRange(caret, caret);
      clear();
      box.dispatchEvent(new Event("input", { bubbles: true })); // the draft keeps it too
    }
    function show(people, prefix) {
      clear();
      people.forEach(function (person) {
        var choice = document.createElement("button");
        choice.type = "button";
        choice.className = "secondary mention-choice";
        choice.textContent = person.label === person.pseudonym ? "@" + person.pseudonym
          : person.label + " (@" + person.pseudonym + ")";
        choice.addEventListener("click", function () { insert(person.pseudonym, prefix); });
        list.appendChild(choice);
      });
      list.hidden = people.length === 0;
      if (people.length) status.textContent = document.body.getAttribute("data-mention-hint") || "";
    }
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      var prefix = typed();
      if (!prefix) { clear(); return; }
      timer = window.setTimeout(function () {
        fetch(url + "?prefix=" + encodeURIComponent(prefix), {
          credentials: "same-origin", headers: { Accept: "application/json" }
        })
          .then(function (response) { return response.ok ? response.json() : { items: [] }; })
          .then(function (data) { if (typed() === prefix) show(data.items || [], prefix); })
          .catch(function () { /* no suggestions: typing the name still works */ });
      }, 200);
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("form[data-mentions]"), offerMentions);
  document.addEventListener("submit", function (event) {
    if (event.target instanceof Element && event.target.matches("form[action$='/accounts/logout/']")) {
      exiting = true;
      forgetDrafts();
    }
  });

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
  var preview = document.getElementById("preview");
  if (preview && !summary) preview.focus();
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
