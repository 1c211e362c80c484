// Every signed-in page: the bell (unread count, the latest few, "Mark all read") and the unread count next to
// "Messages", kept live by /ws/notifications/ (which is also what keeps the user "online"). Without this file
// the bell is a link to /notifications/. Text goes in through textContent only.
//
// Other scripts hear what the socket says as DOM events: "influmojo:unread" (every unread.changed frame, e.g.
// kind "chat" with conversation_id) and "influmojo:notification" (notification.new).

import { csrfToken, el } from "./dom.js";

const PING_MS = 25000;
const MAX_BACKOFF_MS = 60000;
const COUNTS_EVERY_MS = 60000; // while the socket is down, the counts come from the REST routes
const LATEST = 6;

async function api(url, method = "GET") {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken();
  const response = await fetch(url, { method, headers, credentials: "same-origin", keepalive: method !== "GET" });
  if (!response.ok) throw new Error("HTTP " + response.status);
  return response.status === 204 ? null : response.json();
}

function ago(iso) {
  const seconds = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 60) return "just now";
  const [value, unit] = seconds < 3600 ? [Math.floor(seconds / 60), "min"]
    : seconds < 86400 ? [Math.floor(seconds / 3600), "h"] : [Math.floor(seconds / 86400), "d"];
  return value + " " + unit + " ago";
}

// Only paths on this site and http(s) URLs become links (the same rule as the page's safe_href).
function safeHref(url) {
  url = String(url || "").trim();
  if (url.startsWith("/") && !url.startsWith("//")) return url;
  return /^https?:\/\//i.test(url) ? url : "";
}

const bell = document.querySelector("[data-bell]");
if (bell) start(bell);

function start(bell) {
  const cfg = bell.dataset;
  const button = bell.querySelector("[data-bell-button]");
  const count = bell.querySelector("[data-bell-count]");
  const panel = bell.querySelector("[data-bell-panel]");
  const list = bell.querySelector("[data-bell-list]");
  const empty = bell.querySelector("[data-bell-empty]");
  const state = { socket: null, attempts: 0, pingTimer: null, countsTimer: null, loaded: false, unread: 0 };

  // The Messages count: next to the navigation's "Messages" and wherever a page asks for it ([data-chat-count]).
  const chatBadges = Array.from(document.querySelectorAll("[data-chat-count]"));
  const navLink = document.querySelector('.nav a[href="' + cfg.messagesUrl + '"]');
  if (navLink) {
    const badge = el("span", "nav-count");
    badge.dataset.chatCount = "";
    badge.hidden = true;
    navLink.append(badge);
    chatBadges.push(badge);
  }

  function setChatCount(value) {
    for (const badge of chatBadges) {
      badge.textContent = value > 99 ? "99+" : String(value);
      badge.hidden = !value;
      badge.setAttribute("aria-label", value + " unread message" + (value === 1 ? "" : "s"));
    }
  }

  function setCount(value) {
    state.unread = value;
    count.textContent = value > 99 ? "99+" : String(value);
    count.hidden = !value;
    button.setAttribute("aria-label", value ? "Notifications, " + value + " unread" : "Notifications");
  }

  async function refreshCounts() {
    try {
      const [notes, chats] = await Promise.all([api(cfg.countUrl), api(cfg.chatCountUrl)]);
      setCount(notes.unread_count);
      setChatCount(chats.unread_count);
    } catch (error) { /* signed out or offline: the counts stay as they are */ }
  }

  // --- The dropdown --------------------------------------------------------------------------------------
  function item(note) {
    const li = el("li", "note" + (note.read ? "" : " unread"));
    li.dataset.note = note.id;
    li.append(el("span", "note-dot"));
    const title = el("p", "note-title");
    const href = safeHref(note.url);
    if (href) {
      const a = el("a", "", note.title);
      a.href = href;
      a.addEventListener("click", () => { if (li.classList.contains("unread")) api(cfg.api + "/" + note.id + "/read", "PUT").catch(() => {}); });
      title.append(a);
    } else {
      title.textContent = note.title;
    }
    li.append(title);
    if (note.body) li.append(el("p", "note-body", note.body));
    const time = el("time", "note-time", ago(note.created_at));
    time.dateTime = note.created_at;
    const meta = el("p");
    meta.append(time);
    li.append(meta);
    return li;
  }

  function showEmpty() {
    empty.hidden = list.children.length > 0;
  }

  async function load() {
    try {
      const page = await api(cfg.api + "?limit=" + LATEST);
      list.replaceChildren(...page.results.map(item));
      state.loaded = true;
    } catch (error) {
      list.replaceChildren();
    }
    showEmpty();
  }

  function open() {
    panel.hidden = false;
    bell.classList.add("open");
    button.setAttribute("aria-expanded", "true");
    load();
  }

  function close() {
    panel.hidden = true;
    bell.classList.remove("open");
    button.setAttribute("aria-expanded", "false");
  }

  button.addEventListener("click", (event) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey) return; // a new tab gets the page
    event.preventDefault();
    if (panel.hidden) open(); else close();
  });
  document.addEventListener("click", (event) => { if (!panel.hidden && !bell.contains(event.target)) close(); });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !panel.hidden) { close(); button.focus(); }
  });

  bell.querySelector("[data-read-all]").addEventListener("click", async () => {
    try {
      const answer = await api(cfg.readAllUrl, "PUT");
      setCount(answer.unread_count);
      list.querySelectorAll(".note.unread").forEach((li) => li.classList.remove("unread"));
    } catch (error) { /* left as it was; the page's own button works too */ }
  });

  // --- The socket --------------------------------------------------------------------------------------------
  function handle(frame) {
    if (frame.type === "unread.changed") {
      if (frame.kind === "chat") setChatCount(frame.unread_count);
      else if (frame.kind === "notifications") setCount(frame.unread_count);
      document.dispatchEvent(new CustomEvent("influmojo:unread", { detail: frame }));
    } else if (frame.type === "notification.new") {
      if (state.loaded) {
        list.prepend(item(frame.notification));
        while (list.children.length > LATEST) list.lastElementChild.remove();
        showEmpty();
      }
      document.dispatchEvent(new CustomEvent("influmojo:notification", { detail: frame.notification }));
    } else if (frame.type === "notification.read") {
      const ids = new Set(frame.ids || []);
      list.querySelectorAll(".note.unread").forEach((li) => { if (frame.all || ids.has(Number(li.dataset.note))) li.classList.remove("unread"); });
    } else if (frame.type === "notification.deleted") {
      const li = list.querySelector('[data-note="' + frame.id + '"]');
      if (li) li.remove();
      showEmpty();
    }
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    let socket;
    try {
      socket = new WebSocket(scheme + location.host + cfg.socket);
    } catch (error) {
      return retry(false);
    }
    let opened = false;
    socket.addEventListener("open", () => {
      opened = true;
      state.socket = socket;
      state.attempts = 0;
      clearInterval(state.countsTimer);
      state.countsTimer = null;
      api(cfg.chatCountUrl).then((answer) => setChatCount(answer.unread_count)).catch(() => {});
      state.pingTimer = setInterval(() => socket.send(JSON.stringify({ type: "ping" })), PING_MS);
    });
    socket.addEventListener("message", (event) => {
      try { handle(JSON.parse(event.data)); } catch (error) { /* a frame we cannot read is skipped */ }
    });
    socket.addEventListener("close", (event) => {
      clearInterval(state.pingTimer);
      state.socket = null;
      if (event.code === 4401 || event.code === 4403) return; // signed out or no longer allowed: nothing to follow
      retry(opened);
    });
  }

  function retry(opened) {
    state.attempts += 1;
    if (!state.countsTimer) {
      refreshCounts();
      state.countsTimer = setInterval(refreshCounts, COUNTS_EVERY_MS);
    }
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(state.attempts - 1, 6)) * (0.75 + Math.random() / 2);
    setTimeout(connect, opened ? Math.min(delay, 2000) : delay);
  }

  connect();
}
