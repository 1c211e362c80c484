// The Messages pages, live. The page works without this file (history rendered by the server, a plain form
// sends); with it, the open conversation follows /ws/chat/<id>/ — new messages, typing, "Seen", presence — and
// falls back to polling the REST messages route when the socket cannot connect. All text goes in through
// textContent: nothing a member wrote is ever parsed as HTML.

import { csrfToken, el } from "./dom.js";

const PING_MS = 25000;
const SOCKET_TIMEOUT_MS = 8000; // a send not echoed by then goes again over REST (same client_id: stored once)
const POLL_MS = 4000;
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 5000;
const MAX_BACKOFF_MS = 30000;
const GIVE_UP_AFTER = 3; // sockets in a row that never opened: poll instead (and keep trying, slowly)
const CLOSED_FOR_GOOD = { 4401: "You were signed out. Reload the page to sign in again.",
  4403: "You are no longer in this conversation.", 4404: "This conversation is no longer available." };

// --- Small helpers ----------------------------------------------------------------------------------------
async function api(url, { method = "GET", body } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body) });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error((data && data.error && data.error.message) || "Something went wrong. Please try again.");
    error.status = response.status;
    throw error;
  }
  return data;
}

function newClientId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function humanSize(bytes) {
  if (bytes < 1024) return bytes + " bytes";
  if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1).replace(/\.0$/, "") + " KB";
  return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "") + " MB";
}

function ago(iso) {
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return "just now";
  const [value, unit] = seconds < 3600 ? [Math.floor(seconds / 60), "minute"]
    : seconds < 86400 ? [Math.floor(seconds / 3600), "hour"] : [Math.floor(seconds / 86400), "day"];
  return value + " " + unit + (value === 1 ? "" : "s") + " ago";
}

// --- The conversation list (both pages): unread badges from the notification socket ------------------------
function listRow(conversationId) {
  return document.querySelector('[data-chat-list] [data-conversation="' + conversationId + '"]');
}

function setRowUnread(conversationId, count) {
  const row = listRow(conversationId);
  if (!row) return;
  const badge = row.querySelector("[data-unread]");
  badge.firstChild.textContent = String(count);
  badge.hidden = !count;
  row.classList.toggle("unread", count > 0);
}

let watching = null; // the conversation open and visible on this page: its row stays read

document.addEventListener("influmojo:unread", (event) => {
  const frame = event.detail;
  if (frame.kind !== "chat" || !frame.conversation_id) return;
  const count = frame.conversation_id === watching && document.visibilityState === "visible" ? 0 : frame.conversation_unread_count;
  setRowUnread(frame.conversation_id, count || 0);
});

// --- The open conversation -------------------------------------------------------------------------------
const pane = document.querySelector("[data-chat]");
if (pane) openConversation(pane);

function openConversation(pane) {
  const cfg = pane.dataset;
  const me = Number(cfg.user);
  const counterpart = Number(cfg.counterpart);
  const conversationId = Number(cfg.conversation);
  if (cfg.live === "1") watching = conversationId;
  const labels = JSON.parse((document.getElementById("chat-offer-labels") || {}).textContent || "{}");
  const list = pane.querySelector("[data-messages]");
  const scroller = pane.querySelector("[data-scroll]");
  const typingNote = pane.querySelector("[data-typing]");
  const statusNote = pane.querySelector("[data-status]");
  const composer = pane.querySelector("[data-composer]");
  const textarea = composer.querySelector("textarea");
  const fileInput = composer.querySelector("[data-files]");
  const fileNames = composer.querySelector("[data-file-names]");
  const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: cfg.timezone });  // 24-hour, as the server renders the history
  const dayOf = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: cfg.timezone });
  const dateKey = new Intl.DateTimeFormat("en-CA", { timeZone: cfg.timezone });

  const state = {
    lastId: Number(cfg.lastId) || 0, theirRead: Number(cfg.theirRead) || 0, readSent: Number(cfg.myRead) || 0,
    socket: null, attempts: 0, neverOpened: 0, pingTimer: null, pollTimer: null, polls: 0, retryTimer: null,
    pending: new Map(), lastTypingSent: 0, typingTimer: null, presence: null, stopped: false,
  };

  pane.classList.add("chat-js");
  composer.querySelector("#chat-hint").hidden = false;
  scrollToBottom();
  // Images keep their place (width/height), but one still loading can push the end down: stay at the end.
  list.addEventListener("load", (event) => { if (event.target.tagName === "IMG" && nearBottom(240)) scrollToBottom(); }, true);

  // --- Rendering (mirrors templates/chat/_message.html) ----------------------------------------------------
  function when(iso) {
    const date = new Date(iso);
    const time = clock.format(date);
    return dateKey.format(date) === dateKey.format(new Date()) ? time : dayOf.format(date) + ", " + time;
  }

  function timeNode(iso) {
    const node = el("time", "msg-time", when(iso));
    node.dateTime = iso;
    return node;
  }

  function link(href, text) {
    const a = el("a", "", text);
    a.href = href;
    return a;
  }

  function eventLink(message) {
    const data = message.data || {};
    if (data.event === "offer.accepted" && cfg.brand) return link(cfg.cartUrl, "Go to cart");
    if (data.order_id && cfg.orderUrl) return link(cfg.orderUrl, "View order");
    return null;
  }

  function offerStatus(offer) {
    const p = el("p", "offer-status");
    p.dataset.offerStatus = "";
    p.append(el("span", "badge status offer-" + offer.status, labels[offer.status] || offer.status));
    return p;
  }

  function offerCard(message) {
    const offer = message.offer;
    const card = el("article", "msg-bubble offer-card");
    card.append(el("p", "offer-eyebrow", "Custom offer"), el("h3", "offer-title", (offer && offer.title) || message.body));
    if (!offer) return card;
    card.dataset.offer = offer.id;
    if (offer.description) card.append(el("p", "offer-desc", offer.description));
    const price = Number(offer.price).toLocaleString(undefined, { style: "currency", currency: offer.currency });
    card.append(el("p", "offer-price", price));
    const days = offer.duration_days ? " · " + offer.duration_days + " day" + (offer.duration_days === 1 ? "" : "s") + " to deliver" : "";
    card.append(el("p", "offer-terms", offer.quantity + " × " + offer.content_type + " on " + offer.platform + days +
      " · " + offer.revisions + " revision" + (offer.revisions === 1 ? "" : "s")));
    card.append(offerStatus(offer));
    if (cfg.brand && offer.status === "pending") {
      const actions = el("div", "offer-actions");
      actions.dataset.offerActions = "";
      for (const [move, label, style] of [["accept", "Accept", "btn-primary"], ["decline", "Decline", "btn-secondary"]]) {
        const form = el("form");
        form.method = "post";
        form.action = "/messages/" + conversationId + "/offers/" + offer.id + "/" + move + "/";
        form.dataset.offerMove = move;
        const button = el("button", "btn btn-sm " + style, label);
        button.type = "submit";
        form.append(button);
        actions.append(form);
      }
      card.append(actions);
    }
    return card;
  }

  function attachmentsNode(files) {
    const ul = el("ul", "msg-files");
    for (const file of files) {
      const li = el("li");
      if (file.content_type.startsWith("image/") && file.width && file.height) {
        const a = link(file.url, "");
        a.className = "msg-image";
        const img = el("img");
        Object.assign(img, { src: file.url, alt: file.name, width: file.width, height: file.height, loading: "lazy" });
        a.append(img);
        li.append(a);
      } else {
        const a = link(file.url, "");
        a.className = "msg-file";
        a.download = file.name;
        a.append(el("span", "msg-file-name", file.name), " ", el("span", "muted small", humanSize(file.size)));
        li.append(a);
      }
      ul.append(li);
    }
    return ul;
  }

  function render(message) {
    const li = el("li", "msg");
    li.id = "m" + message.id;
    li.dataset.id = message.id;
    if (message.kind === "system") {
      li.classList.add("msg-event");
      const body = el("p", "msg-event-body", message.body);
      const target = eventLink(message);
      if (target) body.append(" ", target);
      li.append(body, timeNode(message.created_at));
      return li;
    }
    const senderId = message.sender ? message.sender.id : null;
    const mine = senderId === me;
    li.classList.add(mine ? "msg-me" : "msg-them");
    li.dataset.sender = senderId || "";
    if (!mine) li.append(el("p", "msg-sender", message.sender ? message.sender.name : "Influmojo"));
    if (message.kind === "offer") {
      li.classList.add("msg-offer");
      li.append(offerCard(message));
    } else {
      const bubble = el("div", "msg-bubble");
      if (message.body) bubble.append(el("p", "msg-body", message.body));
      if (message.attachments && message.attachments.length) bubble.append(attachmentsNode(message.attachments));
      li.append(bubble);
    }
    const meta = el("p", "msg-meta");
    meta.append(timeNode(message.created_at));
    if (mine) {
      const seen = el("span", "msg-seen", " · Seen");
      seen.dataset.seen = "";
      seen.hidden = true;
      meta.append(seen);
    }
    li.append(meta);
    return li;
  }

  // The sender's name shows once above each run of their messages.
  function fixRun(li) {
    const name = li.querySelector(":scope > .msg-sender");
    if (!name) return;
    const previous = li.previousElementSibling;
    name.hidden = Boolean(previous && !previous.classList.contains("msg-event") && previous.dataset.sender === li.dataset.sender);
  }

  // --- Adding messages ---------------------------------------------------------------------------------------
  function nearBottom(margin = 120) {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < margin;
  }

  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight;
  }

  function addMessage(message) {
    if (message.conversation_id && message.conversation_id !== conversationId) return;
    const stick = nearBottom() || (message.sender && message.sender.id === me);
    const node = render(message);
    const pending = message.client_id && state.pending.get(message.client_id);
    const existing = document.getElementById("m" + message.id);
    if (existing) {
      if (pending) { pending.node.remove(); state.pending.delete(message.client_id); }
      return;
    }
    if (pending) {
      clearTimeout(pending.timer);
      pending.node.replaceWith(node);
      state.pending.delete(message.client_id);
    } else {
      const later = Array.from(list.querySelectorAll(":scope > li[data-id]")).find((li) => Number(li.dataset.id) > message.id);
      const firstPending = list.querySelector(":scope > li.msg-pending, :scope > li.msg-failed");
      list.insertBefore(node, later || firstPending || null);
    }
    fixRun(node);
    if (node.nextElementSibling) fixRun(node.nextElementSibling);
    const start = pane.querySelector("[data-start]");
    if (start) start.remove();
    state.lastId = Math.max(state.lastId, message.id);
    if (message.sender && message.sender.id !== me) hideTyping();
    if (message.kind === "system" && message.data && message.data.offer_id) offerSettled(message.data.offer_id, message.data.event);
    updateSeen();
    updateRow(message);
    if (stick) scrollToBottom();
    markRead();
  }

  function updateRow(message) {
    const row = listRow(conversationId);
    if (!row) return;
    const preview = row.querySelector("[data-preview]");
    let text = message.kind === "offer" ? "Custom offer: " + message.body : (message.body || "Sent an attachment");
    if (message.sender && message.sender.id === me) text = "You: " + text;
    preview.textContent = text.replace(/\s+/g, " ");
    const time = row.querySelector("time");
    time.dateTime = message.created_at;
    time.textContent = clock.format(new Date(message.created_at));
    row.parentElement.prepend(row);
  }

  function offerSettled(offerId, event) {
    const card = pane.querySelector('[data-offer="' + offerId + '"]');
    if (!card) return;
    const status = event === "offer.accepted" ? "accepted" : event === "offer.declined" ? "declined" : null;
    if (!status) return;
    const actions = card.querySelector("[data-offer-actions]");
    if (actions) actions.remove();
    card.querySelector("[data-offer-status]").replaceWith(offerStatus({ status }));
  }

  // --- Seen, typing, presence ----------------------------------------------------------------------------------
  function updateSeen() {
    let target = null;
    for (const li of list.querySelectorAll(":scope > li.msg-me[data-id]")) {
      if (Number(li.dataset.id) <= state.theirRead) target = li;
    }
    for (const mark of list.querySelectorAll("[data-seen]")) mark.hidden = !target || !target.contains(mark);
  }

  function showTyping(name) {
    typingNote.textContent = name + " is typing…";
    typingNote.hidden = false;
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(hideTyping, TYPING_SHOWN_MS);
  }

  function hideTyping() {
    clearTimeout(state.typingTimer);
    typingNote.hidden = true;
    typingNote.textContent = "";
  }

  function showPresence() {
    const presence = state.presence;
    if (!presence) return;
    const dot = pane.querySelector(".chat-head [data-presence-dot]");
    if (dot) dot.classList.toggle("online", presence.online);
    pane.querySelector("[data-presence]").textContent = presence.online ? "Online"
      : presence.last_seen ? "Last seen " + ago(presence.last_seen) : "Offline";
  }
  setInterval(showPresence, 60000);

  function setStatus(text) {
    statusNote.textContent = text || "";
    statusNote.hidden = !text;
  }

  // --- Frames from the socket ------------------------------------------------------------------------------
  function handle(frame) {
    switch (frame.type) {
      case "message.new":
        addMessage(frame.message);
        break;
      case "resync":
        frame.messages.forEach(addMessage);
        if (frame.has_more) sendFrame({ type: "resync", after: state.lastId });
        break;
      case "typing":
        if (frame.user_id !== me) showTyping(frame.name);
        break;
      case "read":
        if (frame.user_id === counterpart) {
          state.theirRead = Math.max(state.theirRead, frame.up_to);
          updateSeen();
        }
        break;
      case "presence":
        if (frame.user_id === counterpart) {
          state.presence = frame;
          showPresence();
        }
        break;
      case "error":
        socketRefused(frame);
        break;
    }
  }

  // A refused message.send (too long, too fast …): the oldest send waiting on the socket failed.
  function socketRefused(frame) {
    const waiting = Array.from(state.pending.values()).find((item) => item.via === "socket");
    if (waiting) failed(waiting, frame.message);
  }

  function sendFrame(frame) {
    if (!state.socket || state.socket.readyState !== WebSocket.OPEN) return false;
    state.socket.send(JSON.stringify(frame));
    return true;
  }

  // --- The socket, its reconnects and the polling fallback ------------------------------------------------------
  function connect() {
    if (state.stopped || cfg.live !== "1") return;
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    let socket;
    try {
      socket = new WebSocket(scheme + location.host + cfg.socket);
    } catch (error) {
      return closed({ code: 1006 }, false);
    }
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      state.socket = socket;
      state.attempts = 0;
      state.neverOpened = 0;
      stopPolling();
      setStatus("");
      sendFrame({ type: "resync", after: state.lastId });
      state.pingTimer = setInterval(() => sendFrame({ type: "ping" }), PING_MS);
      for (const item of state.pending.values()) if (!item.files.length && !item.failed) deliver(item);
      markRead();
    });
    socket.addEventListener("message", (event) => {
      try { handle(JSON.parse(event.data)); } catch (error) { /* a frame we cannot read is skipped */ }
    });
    socket.addEventListener("close", (event) => closed(event, opened));
  }

  function closed(event, opened) {
    clearInterval(state.pingTimer);
    state.socket = null;
    if (CLOSED_FOR_GOOD[event.code]) {
      state.stopped = true;
      stopPolling();
      setStatus(CLOSED_FOR_GOOD[event.code]);
      return;
    }
    state.attempts += 1;
    if (!opened) state.neverOpened += 1;
    for (const item of state.pending.values()) if (item.via === "socket" && !item.failed) deliver(item);
    if (state.neverOpened >= GIVE_UP_AFTER || state.attempts >= GIVE_UP_AFTER * 2) startPolling();
    else setStatus("Reconnecting…");
    const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(state.attempts - 1, 5));
    const delay = (state.pollTimer ? MAX_BACKOFF_MS : backoff) * (0.75 + Math.random() / 2);
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(connect, delay);
  }

  function startPolling() {
    setStatus("Live updates are unavailable right now; new messages are checked every few seconds.");
    pane.dataset.mode = "polling";
    if (state.pollTimer) return;
    state.pollTimer = setInterval(poll, POLL_MS);
    poll();
  }

  function stopPolling() {
    clearInterval(state.pollTimer);
    state.pollTimer = null;
    pane.dataset.mode = "live";
  }

  async function poll() {
    if (document.visibilityState === "hidden") return;
    state.polls += 1;
    try {
      let page;
      do {
        page = await api(cfg.messagesUrl + "?after=" + state.lastId);
        page.results.forEach(addMessage);
      } while (page.has_more && page.results.length);
      if (state.polls % 3 === 1) await pollMembers();
    } catch (error) {
      if (error.status === 404 || error.status === 401 || error.status === 403) {
        state.stopped = true;
        stopPolling();
        setStatus(error.status === 404 ? CLOSED_FOR_GOOD[4404] : CLOSED_FOR_GOOD[4401]);
      }
    }
  }

  async function pollMembers() {
    const detail = await api(cfg.detailUrl);
    for (const member of detail.members) {
      if (member.id !== counterpart) continue;
      state.theirRead = Math.max(state.theirRead, member.last_read_message_id);
      state.presence = { online: member.online, last_seen: member.last_seen };
    }
    updateSeen();
    showPresence();
  }

  // --- Sending ------------------------------------------------------------------------------------------
  function pendingNode(item) {
    const li = el("li", "msg msg-me msg-pending");
    li.dataset.sender = me;
    const bubble = el("div", "msg-bubble");
    if (item.body) bubble.append(el("p", "msg-body", item.body));
    if (item.files.length) {
      bubble.append(el("p", "msg-file-name small", item.files.map((file) => file.name).join(", ")));
      const bar = el("span", "msg-progress");
      bar.append(el("span"));
      bubble.append(bar);
    }
    const meta = el("p", "msg-meta", "Sending…");
    meta.dataset.state = "";
    li.append(bubble, meta);
    return li;
  }

  function failed(item, reason) {
    clearTimeout(item.timer);
    item.failed = true;
    item.node.classList.remove("msg-pending");
    item.node.classList.add("msg-failed");
    const meta = item.node.querySelector("[data-state]");
    meta.textContent = (reason || "Not sent.") + " ";
    const retry = el("button", "msg-retry", "Retry");
    retry.type = "button";
    retry.addEventListener("click", () => {
      item.failed = false;
      item.node.classList.remove("msg-failed");
      item.node.classList.add("msg-pending");
      meta.textContent = "Sending…";
      deliver(item);
    });
    meta.append(retry);
  }

  function deliver(item) {
    clearTimeout(item.timer);
    if (!item.files.length && sendFrame({ type: "message.send", body: item.body, client_id: item.clientId })) {
      item.via = "socket";
      item.timer = setTimeout(() => { if (state.pending.has(item.clientId)) deliverOverRest(item); }, SOCKET_TIMEOUT_MS);
      return;
    }
    deliverOverRest(item);
  }

  // REST (and multipart with a progress bar for files); a retry carries the same client_id, so it is stored once.
  function deliverOverRest(item) {
    item.via = "rest";
    const form = new FormData();
    form.append("body", item.body);
    form.append("client_id", item.clientId);
    item.files.forEach((file) => form.append("files", file));
    const request = new XMLHttpRequest();
    request.open("POST", cfg.messagesUrl);
    request.setRequestHeader("X-CSRFToken", csrfToken());
    request.setRequestHeader("Accept", "application/json");
    const bar = item.node.querySelector(".msg-progress > span");
    if (bar) {
      request.upload.addEventListener("progress", (event) => {
        if (event.lengthComputable) bar.style.width = Math.round((event.loaded / event.total) * 100) + "%";
      });
    }
    request.addEventListener("load", () => {
      let data = null;
      try { data = JSON.parse(request.responseText); } catch (error) { /* not JSON: reported below */ }
      if (request.status === 201 && data) addMessage(data);
      else failed(item, (data && data.error && data.error.message) || "Not sent.");
    });
    request.addEventListener("error", () => failed(item, "Not sent: you seem to be offline."));
    request.send(form);
  }

  function send() {
    const body = textarea.value.trim();
    const files = Array.from(fileInput.files || []);
    if (!body && !files.length) return;
    const item = { clientId: newClientId(), body, files, failed: false, via: null, timer: null };
    item.node = pendingNode(item);
    state.pending.set(item.clientId, item);
    list.append(item.node);
    const start = pane.querySelector("[data-start]");
    if (start) start.remove();
    scrollToBottom();
    textarea.value = "";
    fileInput.value = "";
    fileNames.textContent = "";
    deliver(item);
  }

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
    textarea.focus();
  });

  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      send();
    }
  });

  textarea.addEventListener("input", () => {
    const now = Date.now();
    if (textarea.value.trim() && now - state.lastTypingSent > TYPING_EVERY_MS && sendFrame({ type: "typing" })) {
      state.lastTypingSent = now;
    }
  });

  fileInput.addEventListener("change", () => {
    const files = Array.from(fileInput.files || []);
    fileNames.textContent = files.map((file) => file.name + " (" + humanSize(file.size) + ")").join(", ");
  });

  // --- Reading ----------------------------------------------------------------------------------------------
  function markRead() {
    if (document.visibilityState !== "visible" || state.lastId <= state.readSent) return;
    state.readSent = state.lastId;
    setRowUnread(conversationId, 0);
    if (!sendFrame({ type: "read", up_to: state.lastId })) {
      api(cfg.readUrl, { method: "POST", body: { up_to: state.lastId } }).catch(() => { state.readSent = 0; });
    }
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      markRead();
      if (state.pollTimer) poll();
    }
  });

  // --- Earlier messages and offers, in place ----------------------------------------------------------------
  pane.addEventListener("click", async (event) => {
    const earlier = event.target.closest("[data-earlier]");
    if (!earlier) return;
    event.preventDefault();
    const first = list.querySelector(":scope > li[data-id]");
    if (!first) return;
    try {
      const page = await api(cfg.messagesUrl + "?before=" + first.dataset.id);
      const height = scroller.scrollHeight;
      const nodes = page.results.filter((message) => !document.getElementById("m" + message.id)).map(render);
      list.prepend(...nodes);
      nodes.forEach(fixRun);
      fixRun(first);
      scroller.scrollTop += scroller.scrollHeight - height;
      if (!page.has_more) earlier.parentElement.remove();
      else earlier.href = "?before=" + list.querySelector(":scope > li[data-id]").dataset.id + "#latest";
      updateSeen();
    } catch (error) {
      window.location.href = earlier.href;
    }
  });

  pane.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-offer-move]");
    if (!form) return;
    event.preventDefault();
    const card = form.closest("[data-offer]");
    const buttons = card.querySelectorAll("button");
    buttons.forEach((button) => { button.disabled = true; });
    try {
      const message = await api(cfg.offersUrl + "/" + card.dataset.offer + "/" + form.dataset.offerMove, { method: "POST" });
      addMessage(message);
    } catch (error) {
      buttons.forEach((button) => { button.disabled = false; });
      const note = card.querySelector(".offer-error") || card.appendChild(el("p", "offer-error field-error"));
      note.setAttribute("role", "alert");
      note.textContent = error.message;
    }
  });

  // Rendered ones carry the server's times in the user's timezone already; live ones are added by render().
  updateSeen();
  markRead();
  connect();
}
