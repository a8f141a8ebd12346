// What a user does beyond writing and pressing: polls, invoices, inline mode, reactions,
// edits, places, contacts, dice, Web App data, joining and leaving. Loaded before app.js,
// whose helpers (api, state, $, escapeHtml, showMessage, toast) it uses at run time.
"use strict";
const REACTIONS = ["👍", "❤", "🔥", "🎉", "😢"];
const myVotes = new Map();  // poll id -> option indexes this page's user chose
const reactions = new Map();  // message key -> Map(user id -> [emoji])

function userBody(extra) {
  const body = { token: state.bot.token, user: state.user, ...extra };
  return body;
}

function inGroup() { return state.chatId !== state.user.id; }

function money(amount, currency) {
  if (currency === "XTR") return `⭐ ${amount}`;
  return `${(amount / 100).toFixed(2)} ${currency}`;
}

// A description of a service message, or "" for an ordinary one.
function serviceText(m) {
  const name = (u) => escapeHtml(u.first_name);
  if (m.new_chat_members) return `${m.new_chat_members.map(name).join(", ")} joined the group`;
  if (m.left_chat_member) return `${name(m.left_chat_member)} left the group`;
  if (m.forum_topic_created) return `topic “${escapeHtml(m.forum_topic_created.name)}” created`;
  if (m.forum_topic_closed) return "topic closed";
  if (m.forum_topic_reopened) return "topic reopened";
  if (m.successful_payment) return `${m.from ? name(m.from) : ""} paid ${money(m.successful_payment.total_amount, m.successful_payment.currency)}`;
  if (m.refunded_payment) return `refunded ${money(m.refunded_payment.total_amount, m.refunded_payment.currency)}`;
  if (m.gift) return `${m.gift.gift.sticker.emoji || "🎁"} a gift worth ⭐ ${m.gift.gift.star_count}${m.gift.text ? ": " + escapeHtml(m.gift.text) : ""}`;
  if (m.web_app_data) return `data sent from “${escapeHtml(m.web_app_data.button_text)}”`;
  return "";
}

function pollHtml(m) {
  const p = m.poll, mine = myVotes.get(p.id) || [];
  const total = p.total_voter_count;
  const rows = p.options.map((o, i) => {
    const share = total ? Math.round((100 * o.voter_count) / total) : 0;
    const chosen = mine.includes(i) ? " chosen" : "";
    return `<button class="option${chosen}" data-option="${i}" ${p.is_closed ? "disabled" : ""}>`
      + `<span>${escapeHtml(o.text)}</span><span class="count">${o.voter_count} · ${share}%</span></button>`;
  }).join("");
  const kind = p.type === "quiz" ? "Quiz" : (p.is_anonymous ? "Anonymous poll" : "Poll");
  const closed = p.is_closed ? " · closed" : "";
  const retract = mine.length && p.allows_revoting && !p.is_closed ? `<button class="retract">Retract vote</button>` : "";
  return `<div class="poll" data-poll="${p.id}"><div class="question">📊 ${escapeHtml(p.question)}</div>`
    + `<div class="kind">${kind}${closed} · ${total} voted</div>${rows}${retract}</div>`;
}

function invoiceHtml(m) {
  const i = m.invoice;
  return `<div class="invoice"><b>${escapeHtml(i.title)}</b><div>${escapeHtml(i.description)}</div>`
    + `<button class="pay">Pay ${money(i.total_amount, i.currency)}</button></div>`;
}

function albumHtml(m) {
  return m.media_group_id ? `<div class="album" data-group="${escapeHtml(m.media_group_id)}"></div>` : "";
}

// Extra HTML for a message (polls, invoices, venues...), placed before its text.
function extrasHtml(m) {
  let html = "";
  if (m.poll) html += pollHtml(m);
  if (m.invoice) html += invoiceHtml(m);
  if (m.venue) html += `<div>🏛 ${escapeHtml(m.venue.title)}, ${escapeHtml(m.venue.address)}</div>`;
  if (m.voice) html += `<div>🎤 voice, ${m.voice.duration} s</div>`;
  if (m.video) html += `<div>🎬 video ${m.video.width}×${m.video.height}, ${m.video.duration} s</div>`;
  if (m.audio) html += `<div>🎵 ${escapeHtml(m.audio.title || m.audio.file_name || "audio")}, ${m.audio.duration} s</div>`;
  if (m.via_bot) html += `<div class="via">via @${escapeHtml(m.via_bot.username)}</div>`;
  if (m.paid_media) html += `<div class="paid">🔒 ${m.paid_media.paid_media.length} paid item(s) for ⭐ ${m.paid_media.star_count}</div>`;
  html += topicLabel(m);
  return html;
}

// Wire a rendered message's buttons: votes, Pay, reactions, edits.
function decorate(li, m) {
  const key = li.dataset.messageId;
  li.querySelectorAll(".poll .option").forEach((b) => {
    b.onclick = () => vote(m, m.poll.allows_multiple_answers ? toggled(m.poll.id, Number(b.dataset.option)) : [Number(b.dataset.option)]);
  });
  const retract = li.querySelector(".poll .retract");
  if (retract) retract.onclick = () => vote(m, []);
  const pay = li.querySelector(".invoice .pay");
  if (pay) pay.onclick = () => payInvoice(m, li);
  if (m.message_id) {
    const tools = document.createElement("div");
    tools.className = "tools";
    tools.innerHTML = `<button class="react" title="React">☺</button>`
      + (state.user && m.from && m.from.id === state.user.id && m.text !== undefined ? `<button class="edit" title="Edit">✎</button>` : "");
    tools.querySelector(".react").onclick = () => pickReaction(m, tools);
    const edit = tools.querySelector(".edit");
    if (edit) edit.onclick = () => editMessage(m);
    li.appendChild(tools);
    const shown = document.createElement("div");
    shown.className = "reactions";
    shown.textContent = reactionLine(key);
    li.appendChild(shown);
  }
  if (serviceText(m)) li.classList.add("service");
}

function toggled(pollId, index) {
  const mine = myVotes.get(pollId) || [];
  return mine.includes(index) ? mine.filter((i) => i !== index) : [...mine, index];
}

async function vote(m, options) {
  try {
    const poll = await api("/emulator/vote", userBody({ chat_id: m.chat.id, message_id: m.message_id, option_ids: options }));
    myVotes.set(poll.id, options);
    showMessage({ ...m, poll });
  } catch (e) { $("status").textContent = e.message; }
}

async function payInvoice(m, li) {
  $("status").textContent = "paying…";
  try {
    const r = await api("/emulator/pay", userBody({ chat_id: m.chat.id, message_id: m.message_id, timeout: 10 }));
    $("status").textContent = r.status === "paid" ? "" : (r.status === "declined" ? `payment declined: ${r.error_message}` : "the bot did not confirm the payment");
    if (r.status === "paid") toast("Paid ✔");
  } catch (e) { $("status").textContent = e.message; }
}

function reactionLine(key) {
  const counts = new Map();
  for (const list of (reactions.get(key) || new Map()).values()) for (const e of list) counts.set(e, (counts.get(e) || 0) + 1);
  return [...counts].map(([e, n]) => (n > 1 ? `${e} ${n}` : e)).join(" ");
}

function noteReaction(chatId, messageId, userId, list) {
  if (chatId !== state.chatId) return;
  const key = String(messageId);
  if (!reactions.has(key)) reactions.set(key, new Map());
  reactions.get(key).set(userId, list.map((r) => r.emoji || "★"));
  const el = document.querySelector(`[data-message-id="${key}"] .reactions`);
  if (el) el.textContent = reactionLine(key);
}

function pickReaction(m, tools) {
  tools.querySelector(".palette")?.remove();
  const palette = document.createElement("span");
  palette.className = "palette";
  for (const emoji of REACTIONS) {
    const b = document.createElement("button");
    b.textContent = emoji;
    b.onclick = async () => {
      palette.remove();
      const mine = (reactions.get(String(m.message_id)) || new Map()).get(state.user.id) || [];
      const chosen = mine.includes(emoji) ? [] : [emoji];
      try { await api("/emulator/react", userBody({ chat_id: m.chat.id, message_id: m.message_id, emoji: chosen })); }
      catch (e) { $("status").textContent = e.message; }
    };
    palette.appendChild(b);
  }
  tools.appendChild(palette);
}

async function editMessage(m) {
  const text = window.prompt("Edit your message", m.text);
  if (text === null || text === m.text) return;
  try { showMessage(await api("/emulator/edit", userBody({ chat_id: m.chat.id, message_id: m.message_id, text }))); }
  catch (e) { $("status").textContent = e.message; }
}

// -- the actions menu beside the message box ------------------------------------------

async function sendObject(kind, fields) {
  const body = userBody({ kind, fields });
  if (inGroup()) body.chat_id = state.chatId;
  if (state.topic) body.message_thread_id = state.topic;
  try { showMessage(await api("/emulator/send_object", body)); } catch (e) { $("status").textContent = e.message; }
}

const ACTIONS = {
  location: () => { const v = window.prompt("Latitude, longitude", "51.5007, -0.1246"); if (v) { const [latitude, longitude] = v.split(",").map(Number); sendObject("location", { latitude, longitude }); } },
  contact: () => { const v = window.prompt("Phone number and first name", "+15550100 Bob"); if (v) { const [phone_number, ...name] = v.split(" "); sendObject("contact", { phone_number, first_name: name.join(" ") || "Contact" }); } },
  dice: () => sendObject("dice", { emoji: "🎲" }),
  venue: () => { const v = window.prompt("Latitude, longitude, title, address", "48.8606, 2.3376, Louvre, Rue de Rivoli"); if (v) { const [lat, lon, title, ...address] = v.split(",").map((p) => p.trim()); sendObject("venue", { location: { latitude: Number(lat), longitude: Number(lon) }, title, address: address.join(", ") }); } },
  request: async () => { try { await api("/emulator/join", userBody({ chat_id: state.chatId, request: true })); toast("Join request sent"); } catch (e) { $("status").textContent = e.message; } },
  manage: async () => {
    const v = window.prompt("Member id (or “bot”) and new status: administrator, restricted, kicked, member or left", "bot administrator");
    if (!v) return;
    const [who, status] = v.trim().split(/\s+/);
    const member_id = who === "bot" ? state.bot.id : Number(who);
    try { await api("/emulator/member", userBody({ chat_id: state.chatId, member_id, status })); toast(`${who} is now ${status}`); }
    catch (e) { $("status").textContent = e.message; }
  },
  join: async () => { try { const r = await api("/emulator/join", userBody({ chat_id: state.chatId })); toast(r.status === "requested" ? "Join request sent" : "Joined"); } catch (e) { $("status").textContent = e.message; } },
  leave: async () => { try { await api("/emulator/leave", userBody({ chat_id: state.chatId })); toast("Left the group"); } catch (e) { $("status").textContent = e.message; } },
  inline: () => { $("text").value = `@${state.bot.username} `; $("text").focus(); inlineTyped(); },
};

function setUpActions() {
  $("actions-toggle").onclick = () => { $("actions").hidden = !$("actions").hidden; };
  document.querySelectorAll("#actions button[data-act]").forEach((b) => {
    b.onclick = () => { $("actions").hidden = true; ACTIONS[b.dataset.act](); };
  });
  $("text").addEventListener("input", inlineTyped);
}

// -- inline mode: "@bot query" in the message box shows the bot's results -------------

let inlineTimer = null;
function inlineTyped() {
  const prefix = `@${state.bot.username} `;
  const text = $("text").value;
  clearTimeout(inlineTimer);
  if (!text.startsWith(prefix)) { $("inline-results").hidden = true; return; }
  inlineTimer = setTimeout(() => askInline(text.slice(prefix.length)), 250);
}

async function askInline(query) {
  const body = userBody({ query, timeout: 5 });
  if (inGroup()) body.chat_id = state.chatId;
  const box = $("inline-results");
  box.hidden = false;
  box.innerHTML = `<div class="hint">asking @${escapeHtml(state.bot.username)}…</div>`;
  try {
    const answer = await api("/emulator/inline", body);
    if ($("text").value !== `@${state.bot.username} ${query}`) return;  // typed on since
    box.innerHTML = answer.answered ? "" : `<div class="hint">the bot did not answer</div>`;
    if (answer.answered && !answer.results.length) box.innerHTML = `<div class="hint">no results</div>`;
    for (const r of answer.results) {
      const item = document.createElement("button");
      item.className = "result";
      item.innerHTML = `<b>${escapeHtml(r.title || r.type)}</b>${r.description ? `<span>${escapeHtml(r.description)}</span>` : ""}`;
      item.onclick = async () => {
        box.hidden = true;
        $("text").value = "";
        try { showMessage(await api("/emulator/inline/choose", userBody({ inline_query_id: answer.inline_query_id, result_id: r.id }))); }
        catch (e) { $("status").textContent = e.message; }
      };
      box.appendChild(item);
    }
  } catch (e) { box.innerHTML = `<div class="hint">${escapeHtml(e.message)}</div>`; }
}

// A reply keyboard's Web App button: the "Web App" sends what the user types.
async function webAppButton(text) {
  const data = window.prompt(`Data the Web App “${text}” sends to the bot`, "{}");
  if (data !== null) await sendObject("web_app_data", { data, button_text: text });
}

// -- forum topics: a forum's header offers its topics; what you write goes there -------

function renderTopics(info) {
  const select = $("topic");
  const topics = (info && info.topics) || [];
  select.hidden = !(info && info.chat && info.chat.is_forum);
  const wanted = String(state.topic || "");
  select.innerHTML = `<option value="">General</option>` + topics.map((t) => `<option value="${t.message_thread_id}">${escapeHtml(t.name)}</option>`).join("");
  select.value = topics.some((t) => String(t.message_thread_id) === wanted) ? wanted : "";
  state.topic = select.value ? Number(select.value) : null;
  state.topicNames = new Map(topics.map((t) => [t.message_thread_id, t.name]));
  select.onchange = () => { state.topic = select.value ? Number(select.value) : null; };
}

function topicLabel(m) {
  if (!m.is_topic_message || !m.message_thread_id) return "";
  const name = (state.topicNames && state.topicNames.get(m.message_thread_id)) || m.message_thread_id;
  return `<div class="topic"># ${escapeHtml(String(name))}</div>`;
}

// A file's kind as Telegram would send it from an app: by its type.
function uploadKind(file) {
  if (file.type.startsWith("image/")) return "photo";
  if (file.type === "audio/ogg") return "voice";
  if (file.type.startsWith("audio/")) return "audio";
  if (file.type.startsWith("video/")) return "video";
  return "document";
}

// A draft the bot streams (sendMessageDraft): shown until its message comes or 30 s pass.
function showDraft(e) {
  if (e.chat_id !== state.chatId) return;
  let li = document.getElementById("draft");
  if (!li) {
    li = document.createElement("li");
    li.id = "draft";
    li.className = "msg draft";
    $("messages").appendChild(li);
  }
  li.innerHTML = `<div class="who">${escapeHtml(state.bot.first_name)} is writing…</div><div class="text">${renderText(e.text, e.entities)}</div>`;
  clearTimeout(showDraft.timer);
  showDraft.timer = setTimeout(() => li.remove(), 30_000);
}

function dropDraft(m) {
  if (m.from && m.from.is_bot) document.getElementById("draft")?.remove();
}
