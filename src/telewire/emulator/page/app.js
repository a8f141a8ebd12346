// The emulator's chat page: you play a Telegram user talking to the bot.
// It uses only the emulator's control API (/emulator/...) and the Bot API's getFile.
"use strict";
const $ = (id) => document.getElementById(id);
const state = { bot: null, user: null, chatId: null, messages: new Map(), events: null };
const USERS_KEY = "telewire.users";

async function api(path, body) {
  const options = body === undefined ? {} : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.description || response.statusText);
  return data;
}

function savedUsers() {
  try { return JSON.parse(localStorage.getItem(USERS_KEY)) || []; } catch { return []; }
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
}

const TAGS = {
  bold: ["<b>", "</b>"], italic: ["<i>", "</i>"], underline: ["<u>", "</u>"],
  strikethrough: ["<s>", "</s>"], spoiler: ['<span class="spoiler">', "</span>"],
  code: ["<code>", "</code>"], pre: ["<pre>", "</pre>"], blockquote: ["<blockquote>", "</blockquote>"],
};

// Offsets are UTF-16 code units, as JavaScript strings count them.
function renderText(text, entities) {
  const opens = new Map(), closes = new Map();
  for (const e of entities || []) {
    let tag = TAGS[e.type];
    const piece = text.substr(e.offset, e.length);
    if (e.type === "text_link") tag = [`<a href="${escapeHtml(e.url)}" target="_blank">`, "</a>"];
    if (e.type === "url") tag = [`<a href="${escapeHtml(piece)}" target="_blank">`, "</a>"];
    if (!tag) continue;
    (opens.get(e.offset) || opens.set(e.offset, []).get(e.offset)).push([e.length, tag[0]]);
    (closes.get(e.offset + e.length) || closes.set(e.offset + e.length, []).get(e.offset + e.length)).unshift(tag[1]);
  }
  let html = "";
  for (let i = 0; i <= text.length; i++) {
    for (const close of closes.get(i) || []) html += close;
    for (const [, open] of (opens.get(i) || []).sort((a, b) => b[0] - a[0])) html += open;
    if (i < text.length) html += escapeHtml(text[i]);
  }
  return html;
}

async function fileUrl(fileId) {
  const r = await api(`/bot${state.bot.token}/getFile?file_id=${encodeURIComponent(fileId)}`);
  return `/file/bot${state.bot.token}/${r.result.file_path}`;
}

// Ephemeral messages (Bot API 10.3) all have message_id 0: they are told apart by their own id.
const messageKey = (m) => (m.receiver_user ? `e${m.ephemeral_message_id}` : String(m.message_id));

function renderMessage(m) {
  const mine = m.from && state.user && m.from.id === state.user.id;
  const li = document.createElement("li");
  li.className = "msg" + (mine ? " mine" : "") + (m.receiver_user ? " ephemeral" : "");
  li.dataset.messageId = messageKey(m);
  const who = m.from ? m.from.first_name : (m.sender_chat ? m.sender_chat.title : "");
  let html = `<div class="who">${escapeHtml(who)}</div>`;
  const service = serviceText(m);
  if (service) html = `<div class="service-text">${service}</div>`;
  html += albumHtml(m) + extrasHtml(m);
  if (m.photo) html += `<img alt="photo" data-file="${m.photo[m.photo.length - 1].file_id}">`;
  if (m.document) html += `<div class="document">📄 <a href="#" data-file="${m.document.file_id}">${escapeHtml(m.document.file_name || "file")}</a></div>`;
  if (m.text !== undefined) html += `<div class="text">${renderText(m.text, m.entities)}</div>`;
  if (m.caption) html += `<div class="caption">${renderText(m.caption, m.caption_entities)}</div>`;
  if (m.location) html += `<div>📍 ${m.location.latitude}, ${m.location.longitude}</div>`;
  if (m.contact) html += `<div>👤 ${escapeHtml(m.contact.first_name)} ${escapeHtml(m.contact.phone_number)}</div>`;
  if (m.dice) html += `<div>${m.dice.emoji} ${m.dice.value}</div>`;
  const time = new Date(m.date * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  html += `<div class="meta">${m.receiver_user ? "only you can see this · " : ""}${m.edit_date ? "edited " : ""}${time}</div>`;
  li.innerHTML = html;
  if (m.reply_markup && m.reply_markup.inline_keyboard) {
    const keyboard = document.createElement("div");
    keyboard.className = "keyboard";
    for (const row of m.reply_markup.inline_keyboard) {
      const rowEl = document.createElement("div");
      rowEl.className = "row";
      for (const b of row) {
        const button = document.createElement("button");
        button.textContent = b.text;
        button.onclick = () => (b.url ? window.open(b.url, "_blank") : press(m, b.callback_data));
        rowEl.appendChild(button);
      }
      keyboard.appendChild(rowEl);
    }
    li.appendChild(keyboard);
  }
  decorate(li, m);
  li.querySelectorAll("img[data-file]").forEach(async (img) => { img.src = await fileUrl(img.dataset.file); });
  li.querySelectorAll("a[data-file]").forEach(async (a) => { a.href = await fileUrl(a.dataset.file); a.target = "_blank"; });
  return li;
}

function showMessage(m) {
  if (m.chat.id !== state.chatId) return;
  if (m.receiver_user && m.receiver_user.id !== state.user.id) return;  // someone else's ephemeral
  // An answer that arrives after the event of a later edit must not undo the edit.
  const known = state.messages.get(messageKey(m));
  if (known && known.date === m.date && (known.edit_date || 0) > (m.edit_date || 0)) return;
  const list = $("messages");
  const old = list.querySelector(`[data-message-id="${messageKey(m)}"]`);
  const el = renderMessage(m);
  const album = m.media_group_id && list.querySelector(`.album[data-group="${CSS.escape(m.media_group_id)}"]`);
  if (!old && album && album.closest("li") !== el) {
    // Albums show as one bubble: later parts add their media to the first one's.
    el.querySelectorAll("img, .document").forEach((part) => album.appendChild(part));
    album.closest("li").dataset.parts = `${album.closest("li").dataset.parts || ""} ${messageKey(m)}`;
    state.messages.set(messageKey(m), m);
    return;
  }
  if (old) old.replaceWith(el); else list.appendChild(el);
  if (m.media_group_id) el.querySelectorAll(":scope > img, :scope > .document").forEach((part) => el.querySelector(".album").appendChild(part));
  state.messages.set(messageKey(m), m);
  list.scrollTop = list.scrollHeight;
}

function toast(text) {
  const t = $("toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 2500);
}

function alertBox(text) {
  $("alert-text").textContent = text;
  $("alert").hidden = false;
}

async function press(message, data) {
  $("status").textContent = "waiting for the bot…";
  try {
    const r = await api("/emulator/press", { token: state.bot.token, user: state.user, chat_id: message.chat.id, message_id: message.message_id, ephemeral_message_id: message.ephemeral_message_id, callback_data: data });
    $("status").textContent = "";
    if (r.answer && r.answer.text) (r.answer.show_alert ? alertBox : toast)(r.answer.text);
    if (!r.answer) $("status").textContent = "the bot did not answer the button press";
  } catch (e) { $("status").textContent = e.message; }
}

async function loadChat(chatId) {
  state.chatId = chatId;
  state.messages.clear();
  reactions.clear();
  $("messages").innerHTML = "";
  document.querySelectorAll("#chats li").forEach((li) => li.classList.toggle("active", Number(li.dataset.chatId) === chatId));
  try {
    const messages = await api(`/emulator/chats/${chatId}/messages?token=${encodeURIComponent(state.bot.token)}&user=${state.user.id}`);
    messages.forEach(showMessage);
    const shown = await api(`/emulator/chats/${chatId}/reactions?token=${encodeURIComponent(state.bot.token)}`);
    for (const [messageId, byUser] of Object.entries(shown)) for (const [userId, list] of Object.entries(byUser)) noteReaction(chatId, Number(messageId), Number(userId), list);
    const info = await api(`/emulator/chats/${chatId}?token=${encodeURIComponent(state.bot.token)}`);
    renderReplyKeyboard(info.reply_keyboard);
    renderTopics(info);
    $("blocked").checked = !!info.blocked;
  } catch { renderReplyKeyboard(null); renderTopics(null); }
}

function renderReplyKeyboard(markup) {
  const box = $("reply-keyboard");
  box.innerHTML = "";
  if (!markup) return;
  for (const row of markup.keyboard) for (const b of row) {
    const button = document.createElement("button");
    const text = typeof b === "string" ? b : b.text;
    button.textContent = text;
    button.onclick = () => (b.web_app ? webAppButton(text) : sendText(text));
    box.appendChild(button);
  }
}

async function refreshChats() {
  const ul = $("chats");
  ul.innerHTML = "";
  const chats = [{ id: state.user.id, title: `${state.bot.first_name} (private)` }];
  try {
    for (const c of await api(`/emulator/chats?token=${encodeURIComponent(state.bot.token)}`)) {
      if (c.type !== "private") chats.push({ id: c.id, title: c.title });
    }
  } catch {}
  for (const c of chats) {
    const li = document.createElement("li");
    li.textContent = c.title;
    li.dataset.chatId = c.id;
    li.onclick = () => loadChat(c.id);
    ul.appendChild(li);
  }
  if (!chats.some((c) => c.id === state.chatId)) state.chatId = state.user.id;
  $("chat-title").textContent = chats.find((c) => c.id === state.chatId).title;
  await loadChat(state.chatId);
}

async function sendText(text) {
  if (!text.trim()) return;
  const body = { token: state.bot.token, user: state.user, text };
  if (state.chatId !== state.user.id) body.chat_id = state.chatId;
  if (state.topic) body.message_thread_id = state.topic;
  try { showMessage(await api("/emulator/send", body)); } catch (e) { $("status").textContent = e.message; }
}

async function sendFile(file) {
  const form = new FormData();
  form.append("token", state.bot.token);
  form.append("user", JSON.stringify(state.user));
  if (state.chatId !== state.user.id) form.append("chat_id", state.chatId);
  form.append("kind", uploadKind(file));
  if (state.topic) form.append("message_thread_id", state.topic);
  form.append("caption", $("text").value);
  form.append("file", file);
  $("text").value = "";
  const response = await fetch("/emulator/upload", { method: "POST", body: form });
  const data = await response.json();
  if (response.ok) showMessage(data); else $("status").textContent = data.description;
}

function listen() {
  if (state.events) state.events.close();
  state.events = new EventSource(`/emulator/events?token=${encodeURIComponent(state.bot.token)}`);
  state.events.onmessage = (event) => {
    const e = JSON.parse(event.data);
    if (e.type === "draft") showDraft(e);
    if (e.type === "message") dropDraft(e.message);
    if (e.type === "message" || e.type === "edit") { showMessage(e.message); if (e.message.chat.id === state.chatId) $("status").textContent = ""; }
    else if (e.type === "delete" && e.chat_id === state.chatId) {
      const key = e.ephemeral_message_id ? "e" + e.ephemeral_message_id : String(e.message_id);
      document.querySelector(`[data-message-id="${key}"]`)?.remove();
      state.messages.delete(key);
    }
    else if (e.type === "vote") { const m = state.messages.get(String(e.message_id)); if (m && e.chat_id === state.chatId) showMessage({ ...m, poll: e.poll }); }
    else if (e.type === "reaction") noteReaction(e.chat_id, e.message_id, e.user_id || state.bot.id, e.reaction);
    else if (e.type === "action" && e.chat_id === state.chatId) $("status").textContent = `${state.bot.first_name} is ${e.action.replace(/_/g, " ")}…`;
    if (e.type === "message" && e.message.chat.id === state.chatId) api(`/emulator/chats/${state.chatId}?token=${encodeURIComponent(state.bot.token)}`).then((i) => { renderReplyKeyboard(i.reply_keyboard); if (e.message.forum_topic_created) renderTopics(i); }).catch(() => {});
  };
}

// ?user=ID opens the page as that user (one the emulator knows, or a new one).
async function adoptUserFromUrl() {
  const wanted = new URLSearchParams(location.search).get("user");
  const users = savedUsers();
  if (!wanted || users.some((u) => String(u.id) === wanted)) return;
  const known = (await api("/emulator/users")).find((u) => String(u.id) === wanted);
  users.push(known ? { id: known.id, first_name: known.first_name, username: known.username } : { id: Number(wanted), first_name: `User ${wanted}` });
  localStorage.setItem(USERS_KEY, JSON.stringify(users));
}

function fillUsers() {
  const users = savedUsers();
  if (!users.length) users.push({ id: 100000 + Math.floor(Math.random() * 900000), first_name: "Ada", username: "ada" });
  localStorage.setItem(USERS_KEY, JSON.stringify(users));
  const select = $("user");
  select.innerHTML = users.map((u, i) => `<option value="${i}">${escapeHtml(u.first_name)} (${u.id})</option>`).join("");
  const wanted = new URLSearchParams(location.search).get("user");
  const index = Math.max(0, users.findIndex((u) => String(u.id) === wanted));
  select.value = String(index);
  state.user = users[index];
}

async function start() {
  const bots = await api("/emulator/bots");
  $("bot").innerHTML = bots.map((b, i) => `<option value="${i}">@${escapeHtml(b.username)}</option>`).join("");
  state.bot = bots[0];
  await adoptUserFromUrl();
  $("bot").onchange = async () => { state.bot = bots[Number($("bot").value)]; listen(); await refreshChats(); };
  fillUsers();
  $("user").onchange = async () => { state.user = savedUsers()[Number($("user").value)]; state.chatId = state.user.id; await refreshChats(); };
  $("new-user").onsubmit = async (e) => {
    e.preventDefault();
    const name = $("new-user-name").value.trim();
    if (!name) return;
    const users = savedUsers();
    users.push({ id: 100000 + Math.floor(Math.random() * 900000), first_name: name });
    localStorage.setItem(USERS_KEY, JSON.stringify(users));
    $("new-user-name").value = "";
    fillUsers();
    $("user").value = String(users.length - 1);
    $("user").onchange();
  };
  $("new-group").onsubmit = async (e) => {
    e.preventDefault();
    const title = $("new-group-title").value.trim();
    if (!title) return;
    const chat = await api("/emulator/chats", { token: state.bot.token, type: "group", title, members: [state.user] });
    $("new-group-title").value = "";
    state.chatId = chat.id;
    await refreshChats();
  };
  $("blocked").onchange = () => api("/emulator/block", { token: state.bot.token, user: state.user, blocked: $("blocked").checked });
  $("composer").onsubmit = (e) => { e.preventDefault(); const t = $("text").value; $("text").value = ""; sendText(t); };
  $("file").onchange = () => { if ($("file").files[0]) sendFile($("file").files[0]); $("file").value = ""; };
  $("alert-ok").onclick = () => { $("alert").hidden = true; };
  setUpActions();
  state.chatId = state.user.id;
  listen();
  await refreshChats();
}

start().catch((e) => { $("chat-title").textContent = "Cannot reach the emulator: " + e.message; });
