/* Recovery-support chat widget. Vanilla JS, no dependencies, served by the bot's "web" channel.
 * Embed: <script src="https://bot.example.org/webhooks/web/widget.js" defer
 *          data-title="Talk to us" data-color="#0b5cad" data-position="right"
 *          data-greeting="Hi, how can I help?"></script>
 * Every message text goes into the page with textContent; links are built as elements. */
(function () {
  "use strict";
  var CONFIG = /*CONFIG*/{};
  var script = document.currentScript;
  if (!script || window.__rsbWidget) return;
  window.__rsbWidget = true;

  var base = script.src.replace(/[^/]*([?#].*)?$/, "");
  var data = script.dataset;
  var title = data.title || "Chat with us";
  var greeting = data.greeting || "";
  var position = data.position === "left" ? "left" : "right";
  var accent = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(data.color || "") ? data.color : "#0b5cad";
  var maxText = CONFIG.maxText || 4000;
  var crisis = CONFIG.crisis || { label: "In an emergency, call your local emergency number", href: "" };

  // sessionStorage: a reload keeps the conversation, closing the tab forgets the token, which
  // suits a shared family computer. Falls back to memory where storage is blocked.
  var memory = {};
  var KEY = "rsb-chat:" + base + ":";
  function load(name) {
    try { return JSON.parse(window.sessionStorage.getItem(KEY + name)); } catch (e) { return memory[name]; }
  }
  function save(name, value) {
    memory[name] = value;
    try { window.sessionStorage.setItem(KEY + name, JSON.stringify(value)); } catch (e) { /* memory only */ }
  }

  // ---- elements -------------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs.text;
      else if (name === "hidden") node.hidden = attrs.hidden;
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function luminance(hex) {
    var h = hex.slice(1);
    if (h.length === 3) h = h.replace(/./g, "$&$&");
    return [0, 2, 4].reduce(function (sum, i, k) {
      var c = parseInt(h.substr(i, 2), 16) / 255;
      c = c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
      return sum + c * [0.2126, 0.7152, 0.0722][k];
    }, 0);
  }
  // White or near-black text on the operator's colour, whichever contrasts more.
  var L = luminance(accent);
  var onAccent = (1.05 / (L + 0.05)) >= ((L + 0.05) / (luminance("#111111") + 0.05)) ? "#ffffff" : "#111111";

  var host = el("div", { id: "rsb-chat-widget" });
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("link", { rel: "stylesheet", href: base + "widget.css" }));

  var launcherLabel = el("span", { text: title });
  var badge = el("span", { class: "badge", text: "New message", hidden: true });
  var launcher = el("button", { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "rsb-panel" }, [launcherLabel, badge]);
  var heading = el("h2", { id: "rsb-title", text: title });
  var newButton = el("button", { type: "button", class: "tool", "aria-label": "New conversation", text: "New" });
  var forgetButton = el("button", { type: "button", class: "tool", "aria-label": "Delete conversation", text: "Delete" });
  var closeButton = el("button", { type: "button", class: "tool close", "aria-label": "Close chat", text: "\u00d7" });
  var crisisLink = el("a", { class: "crisis", href: crisis.href || "#", text: crisis.label });
  var confirmYes = el("button", { type: "button", class: "danger", text: "Delete" });
  var confirmNo = el("button", { type: "button", text: "Cancel" });
  var confirmText = el("p", { id: "rsb-confirm-text", text: "Delete this conversation from our records? This cannot be undone." });
  var confirmBox = el("div", { class: "confirm", role: "group", "aria-labelledby": "rsb-confirm-text", hidden: true }, [confirmText, confirmYes, confirmNo]);
  var log = el("div", { class: "log", role: "log", "aria-label": "Conversation", tabindex: "0" });
  var typing = el("div", { class: "typing", role: "status" });
  var errorText = el("p", { text: "" });
  var retryButton = el("button", { type: "button", text: "Try again" });
  var errorBox = el("div", { class: "error", role: "alert", hidden: true }, [errorText, retryButton]);
  var input = el("textarea", { id: "rsb-input", rows: "2", maxlength: String(maxText), autocomplete: "off", placeholder: "Type your message" });
  var sendButton = el("button", { type: "submit", class: "send", text: "Send" });
  var form = el("form", { class: "composer" }, [el("label", { for: "rsb-input", class: "sr", text: "Your message" }), input, sendButton]);
  var panel = el("section", { id: "rsb-panel", class: "panel", role: "dialog", "aria-labelledby": "rsb-title", hidden: true }, [
    el("header", {}, [heading, newButton, forgetButton, closeButton]),
    crisisLink, confirmBox, log, typing, errorBox, form,
  ]);
  var frame = el("div", { class: "rsb " + position }, [panel, launcher]);
  frame.style.setProperty("--accent", accent);
  frame.style.setProperty("--on-accent", onAccent);
  root.appendChild(frame);

  // ---- links ----------------------------------------------------------------------------
  // 1 URL, 2 bare domain, 3 long phone number, 4 a verb then a short number ("call 911",
  // "text HOME to 741741", "call 13 11 14"), 5 "or 999" right after a number.
  var LINKS = /(https?:\/\/[^\s<>"']+)|((?:[a-z0-9-]+\.)+(?:org|com|net|gov|edu|uk|ca|au|ie|info|help)(?:\/[^\s<>"']*)?)\b|(\+?\b\d[\d ().-]{5,}\d\b)|\b((?:call(?: or text)?|text(?: [A-Z0-9]+ to)?|dial|ring|phone|or) )(\d{2,6}(?: \d{2,4}){0,3})\b/gi;

  function linkify(text) {
    var out = document.createDocumentFragment();
    var last = 0, lastPhoneEnd = -1, m;
    LINKS.lastIndex = 0;
    while ((m = LINKS.exec(text))) {
      var start = m.index, raw = m[0], href = null, shown = raw, lead = "";
      if (m[1] || m[2]) {
        shown = raw.replace(/[.,;:!?)]+$/, "");
        if (text.charAt(start - 1) === "@") shown = "";
        else href = m[1] ? shown : "https://" + shown;
      } else if (m[3]) {
        if (raw.replace(/\D/g, "").length >= 7) href = "tel:" + raw.replace(/[^\d+]/g, "");
      } else if (m[5] && (m[4].toLowerCase() !== "or " || lastPhoneEnd === start - 1)) {
        lead = m[4];
        shown = m[5];
        var sms = /^text /i.test(lead) && !/^text or/i.test(lead);
        href = (sms ? "sms:" : "tel:") + shown.replace(/\D/g, "");
      }
      if (!href) continue;
      out.appendChild(document.createTextNode(text.slice(last, start) + lead));
      var a = el("a", { href: href, text: shown });
      if (/^https?:/.test(href)) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
      out.appendChild(a);
      last = start + lead.length + shown.length;
      if (!/^https?:/.test(href)) lastPhoneEnd = last;
      LINKS.lastIndex = last;
    }
    out.appendChild(document.createTextNode(text.slice(last)));
    return out;
  }

  // ---- messages -------------------------------------------------------------------------
  var WHO = { user: "You", bot: "Assistant", staff: "Staff", greeting: "Assistant" };

  function clearReplies() {
    var old = log.querySelectorAll(".replies");
    for (var i = 0; i < old.length; i++) old[i].remove();
  }

  function addMessage(role, text, buttons) {
    var body = el("p", { class: "text" });
    if (role === "user") body.textContent = text; else body.appendChild(linkify(text));
    var node = el("div", { class: "msg " + role }, [el("span", { class: "sr", text: WHO[role] + ": " }), body]);
    if (role === "staff") node.insertBefore(el("span", { class: "who", "aria-hidden": "true", text: "Staff" }), body);
    log.appendChild(node);
    if (buttons && buttons.length) {
      clearReplies();
      log.appendChild(el("div", { class: "replies", role: "group", "aria-label": "Suggested replies" },
        buttons.map(function (b) {
          var button = el("button", { type: "button", text: b.title });
          button.addEventListener("click", function () { clearReplies(); send(b.payload, b.title); });
          return button;
        })));
    }
    log.scrollTop = log.scrollHeight;
    if (role !== "user" && panel.hidden) badge.hidden = false;
    return node;
  }

  function showGreeting() {
    if (greeting && !log.querySelector(".msg")) addMessage("greeting", greeting);
  }

  // ---- transport ------------------------------------------------------------------------
  var token = load("token");
  var cursor = load("cursor") || 0;
  var queue = load("queue") || []; // {text, display}: typed but not yet answered
  var sending = false;
  var pollAbort = null;

  // Every call is a POST with a text/plain JSON body carrying the token: a "simple" request,
  // so a widget on another origin needs no CORS preflight, and the token stays out of URLs.
  function api(path, body, signal) {
    var payload = Object.assign({ token: token }, body || {});
    return fetch(base + path, { method: "POST", headers: { "Content-Type": "text/plain;charset=UTF-8" }, body: JSON.stringify(payload), signal: signal, credentials: "omit" })
      .then(function (res) {
        return res.json().catch(function () { return {}; }).then(function (json) {
          if (!res.ok) { var err = new Error(json.error || "HTTP " + res.status); err.status = res.status; throw err; }
          return json;
        });
      });
  }

  function ensureSession() {
    if (token) return Promise.resolve();
    return api("session").then(function (r) {
      token = r.token; cursor = r.cursor || 0;
      save("token", token); save("cursor", cursor);
      poll();
    });
  }

  function setError(message) {
    errorText.textContent = message || "";
    errorBox.hidden = !message;
  }

  function setTyping(on) {
    typing.textContent = "";
    if (on) typing.appendChild(el("span", { class: "dots", text: "Assistant is typing" }));
  }

  function send(text, display) {
    var item = { text: text, display: display || "" };
    item.node = addMessage("user", display || text);
    queue.push(item);
    save("queue", queue.map(strip));
    flush();
  }

  function strip(item) { return { text: item.text, display: item.display }; }

  // Sends queued messages one at a time, in order. A failure leaves the rest queued and visible.
  function flush() {
    if (sending || !queue.length) return;
    sending = true;
    setError("");
    var item = queue[0];
    if (item.node) item.node.classList.remove("failed");
    setTyping(true);
    ensureSession()
      .then(function () { return api("message", { text: item.text, display: item.display }); })
      .catch(function (err) {
        if (err.status !== 401) throw err;
        token = null; // our token is no longer valid (e.g. the key changed): start again
        return ensureSession().then(function () { return api("message", { text: item.text, display: item.display }); });
      })
      .then(function (r) {
        queue.shift();
        save("queue", queue.map(strip));
        sending = false;
        setTyping(false);
        (r.messages || []).forEach(function (m) { addMessage("bot", m.text, m.buttons); });
        flush();
      }, function (err) {
        sending = false;
        setTyping(false);
        if (err.status === 413 || err.status === 400) {
          queue.shift();
          save("queue", queue.map(strip));
          if (item.node) item.node.remove();
          input.value = item.text;
          setError(err.status === 413 ? "That message is too long (up to " + maxText + " characters). Please shorten it." : "That message could not be sent.");
          return;
        }
        queue.forEach(function (q) { if (q.node) q.node.classList.add("failed"); });
        setError("We can't reach the chat right now. Your message is saved and has not been sent yet.");
      });
  }

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  // Long-poll for messages that arrive later: staff replies during a takeover, check-ins.
  function poll() {
    if (pollAbort || !token) return;
    var controller = new AbortController();
    var mine = token, failures = 0;
    pollAbort = controller;
    (function next() {
      if (controller.signal.aborted || token !== mine) { if (pollAbort === controller) pollAbort = null; return; }
      api("updates", { after: cursor }, controller.signal).then(function (r) {
        failures = 0;
        cursor = r.cursor; save("cursor", cursor);
        (r.messages || []).forEach(function (m) { addMessage(m.role === "staff" ? "staff" : "bot", m.text); });
        next();
      }, function (err) {
        if (controller.signal.aborted || err.status === 401) { if (pollAbort === controller) pollAbort = null; return; }
        failures += 1;
        sleep(Math.min(30000, 1000 * Math.pow(2, failures))).then(next);
      });
    })();
  }

  function stopPolling() {
    if (pollAbort) pollAbort.abort();
    pollAbort = null;
  }

  var loaded = false;
  function loadHistory() {
    if (!token) { loaded = true; showGreeting(); restoreQueue(); return; }
    setError("");
    api("history").then(function (r) {
      loaded = true;
      log.textContent = "";
      var messages = r.messages || [];
      messages.forEach(function (m) { addMessage(m.role, m.text, m.buttons); });
      cursor = r.cursor || 0; save("cursor", cursor);
      if (!messages.length) showGreeting();
      restoreQueue();
      poll();
    }, function (err) {
      if (err.status === 401) { token = null; save("token", null); loadHistory(); return; }
      setError("We can't load your conversation right now.");
    });
  }

  // Messages typed before a reload that never got through come back, still waiting to send.
  function restoreQueue() {
    if (!queue.length) return;
    queue.forEach(function (q) { q.node = addMessage("user", q.display || q.text); q.node.classList.add("failed"); });
    setError("Some messages have not been sent yet.");
  }

  function reset() {
    stopPolling();
    token = null; cursor = 0; queue = []; sending = false;
    save("token", null); save("cursor", 0); save("queue", []);
    log.textContent = "";
    setError("");
    setTyping(false);
    showGreeting();
  }

  // ---- behaviour ------------------------------------------------------------------------
  function open(moveFocus) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    badge.hidden = true;
    save("open", true);
    if (!loaded) loadHistory();
    if (moveFocus) input.focus();
  }

  function close() {
    panel.hidden = true;
    confirmBox.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    save("open", false);
    launcher.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hidden) open(true); else close(); });
  closeButton.addEventListener("click", close);
  frame.addEventListener("keydown", function (e) { if (e.key === "Escape" && !panel.hidden) { e.preventDefault(); close(); } });
  retryButton.addEventListener("click", function () { if (!loaded) loadHistory(); else flush(); });
  newButton.addEventListener("click", function () { reset(); input.focus(); });
  forgetButton.addEventListener("click", function () { confirmBox.hidden = false; confirmNo.focus(); });
  confirmNo.addEventListener("click", function () { confirmBox.hidden = true; forgetButton.focus(); });
  confirmYes.addEventListener("click", function () {
    if (!token) { confirmBox.hidden = true; reset(); input.focus(); return; }
    api("forget").then(function () {
      confirmBox.hidden = true;
      reset();
      addMessage("bot", "This conversation has been deleted.");
      input.focus();
    }, function () { setError("We couldn't delete the conversation right now. Please try again."); });
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    clearReplies();
    input.value = "";
    save("draft", "");
    send(text);
    input.focus();
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : sendButton.click(); }
  });
  input.addEventListener("input", function () { save("draft", input.value); });
  input.value = load("draft") || "";

  function mount() {
    document.body.appendChild(host);
    if (load("open")) open(false);
    else if (token) { loadHistory(); }
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
