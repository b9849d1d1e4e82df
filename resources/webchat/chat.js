// Switchboard web chat: the customer's page. Served by the gateway beside its API (api/...);
// no other origin is contacted. Every text from a person goes into the page as textContent.
(() => {
  "use strict";

  const TEXT = {
    ja: {
      title: "チャットでお問い合わせ",
      intro: "お名前とご質問をお書きください。担当者がこの画面でお答えします。",
      name: "お名前",
      question: "ご質問",
      begin: "チャットを始める",
      message: "メッセージ",
      placeholder: "メッセージを入力",
      send: "送信",
      typing: "担当者が入力中…",
      you: "あなた",
      agent: "担当者",
      lost: "接続が切れました。再接続しています…",
      back: "再接続しました。",
      too_many: "続けて送信されています。少し待ってからもう一度お送りください。",
      too_long: "長すぎます。2,000文字以内でお書きください。",
      too_large: "長すぎます。2,000文字以内でお書きください。",
      invalid: "お名前とご質問をご入力ください。",
      unknown_visitor: "以前の会話が見つかりませんでした。新しく始めてください。",
      failed: "送信できませんでした。もう一度お試しください。",
      switch: "English",
      switch_label: "Show this page in English",
    },
    en: {
      title: "Chat with us",
      intro: "Tell us your name and your question. An agent answers you here.",
      name: "Your name",
      question: "Your question",
      begin: "Start chatting",
      message: "Message",
      placeholder: "Type a message",
      send: "Send",
      typing: "The agent is typing…",
      you: "You",
      agent: "Agent",
      lost: "Connection lost. Reconnecting…",
      back: "Connected again.",
      too_many: "That was a lot at once. Wait a moment, then send it again.",
      too_long: "That is too long: 2,000 characters at most.",
      too_large: "That is too long: 2,000 characters at most.",
      invalid: "Please give your name and your question.",
      unknown_visitor: "Your earlier conversation was not found. Please start a new one.",
      failed: "It could not be sent. Please try again.",
      switch: "日本語",
      switch_label: "このページを日本語で表示",
    },
  };
  const STORE = "switchboard-chat:" + location.pathname.replace(/[^/]*$/, "");
  const LANG = "switchboard-chat-lang";
  const RETRY_MAX_MS = 15000;
  const $ = (id) => document.getElementById(id);

  let lang = pickLanguage();
  let visit = recall();
  let cursor = 0;
  let typingShown = false;
  let polling = false;
  let failures = 0;
  let statusKey = "";
  let statusTimer = 0;
  let wakeRetry = null;
  const shown = new Map(); // message id -> its list item

  class ApiError extends Error {
    constructor(status, code, message, retryAfter) {
      super(message || code || String(status));
      this.status = status;
      this.code = code;
      this.retryAfter = retryAfter;
    }
  }

  // -- storage (a browser may refuse it: the chat then lasts as long as the page) -------
  function read(key) {
    try { return localStorage.getItem(key); } catch { return null; }
  }
  function write(key, value) {
    try {
      if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value);
    } catch { /* private mode: nothing kept */ }
  }
  function recall() {
    try {
      const kept = JSON.parse(read(STORE) || "null");
      return kept && typeof kept.token === "string" ? kept : null;
    } catch { return null; }
  }
  function pickLanguage() {
    const kept = read(LANG);
    if (kept === "ja" || kept === "en") return kept;
    const wanted = navigator.languages && navigator.languages.length
      ? navigator.languages[0] : navigator.language || "";
    return wanted.toLowerCase().startsWith("ja") ? "ja" : "en";
  }

  // -- language --------------------------------------------------------------------------
  function t(key) { return TEXT[lang][key] || TEXT.en[key] || TEXT[lang].failed; }

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.title = t("title");
    for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
    $("text").placeholder = t("placeholder");
    $("lang").textContent = t("switch");
    $("lang").setAttribute("aria-label", t("switch_label"));
    $("lang").lang = lang === "ja" ? "en" : "ja";
    for (const item of shown.values()) label(item);
    if (statusKey) $("status").textContent = t(statusKey);
    for (const id of ["start-error", "send-error", "notice"]) {
      const el = $(id);
      if (el.dataset.key) el.textContent = t(el.dataset.key);
    }
  }

  // -- the API ---------------------------------------------------------------------------
  async function api(path, body) {
    const headers = { Accept: "application/json" };
    if (visit) headers.Authorization = "Bearer " + visit.token;
    if (body) headers["Content-Type"] = "application/json";
    const response = await fetch("api/" + path, {
      method: body ? "POST" : "GET", headers, cache: "no-store", credentials: "omit",
      body: body ? JSON.stringify(body) : undefined,
    });
    let data = {};
    try { data = await response.json(); } catch { data = {}; }
    if (!response.ok) {
      const wait = Number(response.headers.get("Retry-After")) || 2;
      throw new ApiError(response.status, data.code || "", data.error || "", wait);
    }
    return data;
  }

  function problem(error) {
    if (error instanceof ApiError && TEXT.en[error.code]) return error.code;
    return "failed";
  }

  // -- the conversation ------------------------------------------------------------------
  function add(message) {
    if (shown.has(message.id)) return;
    const scroll = $("scroll");
    const atEnd = scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight < 80;
    const item = document.createElement("li");
    item.className = "line " + (message.from === "agent" ? "agent" : "customer");
    item.dataset.from = message.from;
    item.dataset.id = message.id;
    const who = document.createElement("span");
    who.className = "who";
    const bubble = document.createElement("p");
    bubble.className = "bubble";
    bubble.textContent = message.text;
    const time = document.createElement("time");
    time.className = "time";
    time.dateTime = message.at;
    item.append(who, bubble, time);
    label(item);
    shown.set(message.id, item);
    $("log").append(item);
    if (atEnd || message.from === "customer") scroll.scrollTop = scroll.scrollHeight;
  }

  function label(item) {
    item.querySelector(".who").textContent = t(item.dataset.from === "agent" ? "agent" : "you");
    const time = item.querySelector(".time");
    time.textContent = when(new Date(time.dateTime));
  }

  function when(date) {
    const today = new Date().toDateString() === date.toDateString();
    const options = today ? { hour: "2-digit", minute: "2-digit" }
      : { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
    return new Intl.DateTimeFormat(lang === "ja" ? "ja-JP" : "en-GB", options).format(date);
  }

  function setTyping(on) {
    typingShown = on;
    $("typing").hidden = !on;
    const scroll = $("scroll");
    if (on && scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight < 120) {
      scroll.scrollTop = scroll.scrollHeight;
    }
  }

  // -- the connection --------------------------------------------------------------------
  function setStatus(key, forMs) {
    clearTimeout(statusTimer);
    statusKey = key;
    $("status").textContent = key ? t(key) : "";
    $("status").hidden = !key;
    $("status").classList.toggle("good", key === "back");
    if (key && forMs) statusTimer = setTimeout(() => setStatus(""), forMs);
  }

  function connected() {
    if (failures > 0) setStatus("back", 3000);
    failures = 0;
  }

  function pause(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() { clearTimeout(timer); wakeRetry = null; resolve(); }
      wakeRetry = done;
    });
  }

  async function poll() {
    if (polling) return;
    polling = true;
    while (visit) {
      try {
        const data = await api(`events?after=${cursor}&typing=${typingShown ? 1 : 0}`);
        connected();
        for (const message of data.messages) add(message);
        cursor = data.cursor;
        setTyping(Boolean(data.typing));
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          forget("unknown_visitor");
          break;
        }
        if (error instanceof ApiError && error.status === 429) {
          await pause(error.retryAfter * 1000);
          continue;
        }
        failures += 1;
        setStatus("lost");
        await pause(Math.min(500 * 2 ** failures, RETRY_MAX_MS));
      }
    }
    polling = false;
  }

  // -- what the visitor does -------------------------------------------------------------
  function showError(id, key) {
    const el = $(id);
    el.dataset.key = key || "";
    el.textContent = key ? t(key) : "";
    el.hidden = !key;
  }

  async function begin(event) {
    event.preventDefault();
    const name = $("name").value.trim();
    const text = $("question").value.trim();
    if (!name || !text) {
      showError("start-error", "invalid");
      return;
    }
    $("begin").disabled = true;
    showError("start-error", "");
    try {
      visit = null;
      const data = await api("start", { name, text });
      visit = { token: data.token, visitor: data.visitor };
      write(STORE, JSON.stringify(visit));
      openChat();
      add(data.message);
      $("question").value = "";
      poll();
    } catch (error) {
      showError("start-error", problem(error));
    } finally {
      $("begin").disabled = false;
    }
  }

  async function send() {
    const box = $("text");
    const text = box.value.trim();
    if (!text || $("send").disabled) return;
    $("send").disabled = true;
    showError("send-error", "");
    try {
      const data = await api("messages", { text });
      add(data.message);
      box.value = "";
      fit(box);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        forget("unknown_visitor");
      } else {
        showError("send-error", problem(error));
      }
    } finally {
      $("send").disabled = false;
      box.focus();
    }
  }

  function keyDown(event) {
    // Enter sends; Shift+Enter is a new line; Enter that confirms an IME conversion
    // (Japanese input) is the IME's, never a send.
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) {
      return;
    }
    event.preventDefault();
    send();
  }

  function fit(box) {
    box.style.height = "auto";
    box.style.height = Math.min(box.scrollHeight + 2, 160) + "px";
  }

  // -- screens ---------------------------------------------------------------------------
  function openChat() {
    $("start").hidden = true;
    $("chat").hidden = false;
    $("text").focus();
  }

  function forget(why) {
    visit = null;
    cursor = 0;
    write(STORE, null);
    shown.clear();
    $("log").replaceChildren();
    setTyping(false);
    setStatus("");
    $("chat").hidden = true;
    $("start").hidden = false;
    showError("notice", why);
  }

  function main() {
    applyLanguage();
    $("lang").addEventListener("click", () => {
      lang = lang === "ja" ? "en" : "ja";
      write(LANG, lang);
      applyLanguage();
    });
    $("start").addEventListener("submit", begin);
    $("composer").addEventListener("submit", (event) => { event.preventDefault(); send(); });
    $("text").addEventListener("keydown", keyDown);
    $("text").addEventListener("input", (event) => fit(event.target));
    window.addEventListener("online", () => { if (wakeRetry) wakeRetry(); });
    if (visit) {
      openChat();
      poll();
    } else {
      $("start").hidden = false;
    }
  }

  main();
})();
