// The live room page: one WebSocket on ws/rooms/<id>/ (protocol in realtime/README.md). Every text shown comes
// translated from the page (#room-strings); the starting point (latest messages, who you are) from #room-config.
//
// Nothing lost: messages are kept by number; after each (re)connection the page asks for everything after the
// last number it holds without a hole (`resume`), and asks for a `gap` when a number jumps. A message sent but
// not acknowledged is sent again with the same client_id after a reconnection (the server stores it once).

const config = JSON.parse(document.getElementById("room-config").textContent);
const T = JSON.parse(document.getElementById("room-strings").textContent);
const $ = (id) => document.getElementById(id);

const PING_MS = 25_000;
const TYPING_SEND_MS = 3_000;
const TYPING_SHOW_MS = 5_000;
const MAX_BACKOFF_S = 30;
const PAGE = 50;
const MAX_GAP = 200;
const GAP_DELAY_MS = 300;

const me = config.you;
const timeFormat = new Intl.DateTimeFormat(config.language, {
  timeZone: config.time_zone,
  hour: "2-digit",
  minute: "2-digit",
});
const dayFormat = new Intl.DateTimeFormat(config.language, {
  timeZone: config.time_zone,
  day: "numeric",
  month: "long",
});

const room = {
  state: config.state,
  premoderation: config.premoderation,
  muted: me.muted,
  messages: new Map(), // id → frame
  upTo: 0, // every message up to this number is held (numbers start at 1)
  gapAskedUpTo: 0,
  oldest: null,
  pending: new Map(), // client_id → body, until acknowledged
  pendingQuestions: new Map(),
  presence: new Map(),
  hands: [],
  questions: new Map(),
  polls: new Map(),
  myVotes: new Map(),
  choices: new Map(), // poll id → option ticked, not necessarily sent
  mutedIds: new Set(),
  typing: new Map(),
  pinned: config.pinned,
};

let socket = null;
let attempt = 0;
let pingTimer = null;
let reconnectTimer = null;
let stopped = false;
let lastCloseReason = null;
let retryAfter = null;
let lastTypingSent = 0;

// --- Small helpers -------------------------------------------------------------------------------------------

function fill(text, values = {}) {
  // Python's format: %(name)s, and %% for a percent sign.
  return text.replace(/%\((\w+)\)s|%%/g, (match, key) => (key ? String(values[key] ?? "") : "%"));
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else if (value !== false && value != null) node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child != null) node.append(child);
  }
  return node;
}

function srOnly(text) {
  return el("span", { class: "fr-sr-only", text });
}

function button(label, onclick, extraClass = "fr-btn--tertiary-no-outline", srText = null, key = null) {
  const node = el("button", { type: "button", class: `fr-btn fr-btn--sm ${extraClass}`, onclick }, label);
  if (srText) node.append(" ", srOnly(srText));
  if (key) node.dataset.key = key;
  return node;
}

// Lists redrawn when a frame arrives keep the keyboard focus where it was (on the control with the same key).
function keepingFocus(container, render) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.key : null;
  render();
  if (key) container.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
}

function clientId() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const today = dayFormat.format(new Date());
  const day = dayFormat.format(date);
  return day === today ? timeFormat.format(date) : `${day}, ${timeFormat.format(date)}`;
}

function roleLabel(role) {
  return T.roles[role] || T.roles.adult;
}

function personName(participant) {
  if (!participant) return T.former;
  return participant.id === me.id ? `${participant.name} (${T.you})` : participant.name;
}

function send(frame) {
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify(frame));
    return true;
  }
  return false;
}

function showError(text) {
  const region = $("room-errors");
  region.replaceChildren();
  if (text) region.append(el("div", { class: "fr-alert fr-alert--error fr-alert--sm" }, el("p", { text })));
}

function showNotice(text) {
  const region = $("room-notice");
  region.replaceChildren();
  if (text) region.append(el("p", { class: "fr-text--sm fr-mb-1w", text }));
}

function setStatus(text) {
  $("room-status").textContent = text;
}

// --- Messages ------------------------------------------------------------------------------------------------

const list = $("room-messages");
const log = $("room-log");

function messageItem(frame) {
  const author = frame.author || {};
  const meta = el(
    "p",
    { class: "room-msg__meta" },
    el("span", { class: "room-msg__author", text: personName(author) }),
    " ",
    el("span", { class: "fr-badge fr-badge--sm fr-badge--no-icon", text: roleLabel(author.role) }),
    " ",
    el("time", { datetime: frame.created_at, text: when(frame.created_at) }),
  );
  const item = el("li", { class: "room-msg", id: `msg-${frame.id}`, dataset: { id: frame.id } }, meta);
  if (frame.deleted) {
    item.classList.add("room-msg--deleted");
    item.append(el("p", { class: "room-msg__body room-msg__body--deleted", text: T.deleted }));
    return item;
  }
  item.append(el("p", { class: "room-msg__body", text: frame.body }));
  const actions = el("div", { class: "room-msg__actions" });
  const who = fill(T.report_sr, { name: author.name || T.former });
  if (author.id !== me.id) {
    actions.append(button(T.report, () => openReport(frame), "fr-btn--tertiary-no-outline", who));
  }
  if (me.moderator) {
    actions.append(button(T.pin, () => send({ type: "pin", message: frame.id }), "fr-btn--tertiary-no-outline", who));
    actions.append(button(T.delete, () => openDelete(frame), "fr-btn--tertiary-no-outline", who));
  }
  if (actions.childElementCount) item.append(actions);
  return item;
}

// Adds or replaces messages, kept in number order. `announce` false for history: the live region stays quiet.
function addMessages(frames, { announce = true } = {}) {
  if (!frames.length) return;
  // Follow the conversation when the reader is at its end; keep her place when she scrolled up or loads history.
  const atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  const fromEnd = log.scrollHeight - log.scrollTop;
  if (!announce) log.setAttribute("aria-live", "off");
  for (const frame of frames) {
    if (typeof frame.id !== "number") continue;
    const known = room.messages.has(frame.id);
    room.messages.set(frame.id, frame);
    const item = messageItem(frame);
    if (known) {
      document.getElementById(`msg-${frame.id}`)?.replaceWith(item);
      continue;
    }
    let next = null;
    for (const child of list.children) {
      if (Number(child.dataset.id) > frame.id) {
        next = child;
        break;
      }
    }
    list.insertBefore(item, next);
    if (room.oldest === null || frame.id < room.oldest) room.oldest = frame.id;
  }
  while (room.messages.has(room.upTo + 1)) room.upTo += 1;
  scheduleGapCheck();
  if (room.pinned && frames.some((frame) => frame.id === room.pinned.id)) {
    renderPinned(room.messages.get(room.pinned.id));
  }
  if (atEnd) log.scrollTop = log.scrollHeight;
  else if (!announce) log.scrollTop = log.scrollHeight - fromEnd;
  if (!announce) requestAnimationFrame(() => log.setAttribute("aria-live", "polite"));
}

// A number jumped: ask for the hole once (the server sends those messages like any other). Broadcasts relayed
// by several server processes may arrive slightly out of order, so the page waits a moment before asking.
let gapTimer = null;

function scheduleGapCheck() {
  if (gapTimer === null) {
    gapTimer = setTimeout(() => {
      gapTimer = null;
      askForGap();
    }, GAP_DELAY_MS);
  }
}

function askForGap() {
  const highest = Math.max(0, ...room.messages.keys());
  if (highest <= room.upTo + 1 || room.gapAskedUpTo >= highest - 1) return;
  const from = room.upTo + 1;
  const to = Math.min(highest - 1, from + MAX_GAP - 1);
  if (send({ type: "gap", from, to })) room.gapAskedUpTo = to;
}

function loadEarlier() {
  const before = room.oldest ?? room.upTo + 1;
  send({ type: "history", before, limit: PAGE });
}

// --- Pinned, hands, presence, questions, polls -------------------------------------------------------------------

function renderPinned(frame) {
  const box = $("room-pinned");
  room.pinned = frame || null;
  box.replaceChildren();
  if (!frame || frame.deleted) {
    box.append(el("p", { class: "fr-text--sm", text: T.no_pinned }));
    return;
  }
  box.append(
    el(
      "blockquote",
      { class: "room-pinned__quote" },
      el("p", { text: frame.body }),
      el("p", { class: "fr-text--sm", text: `${personName(frame.author)} · ${when(frame.created_at)}` }),
    ),
  );
  if (me.moderator) box.append(button(T.unpin, () => send({ type: "pin", message: null }), "fr-btn--secondary"));
}

function renderHands() {
  keepingFocus($("room-hands"), drawHands);
}

function drawHands() {
  const box = $("room-hands");
  box.replaceChildren();
  const mine = room.hands.some((hand) => hand.participant?.id === me.id);
  const toggle = $("room-hand");
  toggle.setAttribute("aria-pressed", mine ? "true" : "false");
  toggle.textContent = mine ? T.lower_hand : T.raise_hand;
  if (!room.hands.length) {
    box.append(el("li", { text: T.no_hands }));
    return;
  }
  for (const hand of room.hands) {
    const person = hand.participant;
    const item = el("li", {}, `✋ ${personName(person)} `, el("span", { class: "fr-text--xs", text: when(hand.raised_at) }));
    if (me.moderator && person && person.id !== me.id) {
      item.append(
        " ",
        button(T.lower_hand, () => send({ type: "moderate", action: "lower_hand", participant: person.id }),
          "fr-btn--tertiary-no-outline", person.name, `lower-${person.id}`),
      );
    }
    box.append(item);
  }
}

function renderPresence() {
  keepingFocus($("room-presence"), drawPresence);
}

function drawPresence() {
  const box = $("room-presence");
  box.replaceChildren();
  if (!room.presence.size) {
    box.append(el("li", { text: T.nobody }));
    return;
  }
  const people = [...room.presence.values()].sort((a, b) => a.name.localeCompare(b.name, config.language));
  for (const person of people) {
    const item = el("li", {}, `${personName(person)} — ${roleLabel(person.role)}`);
    if (room.mutedIds.has(person.id)) item.append(` (${T.muted_badge})`);
    if (me.moderator && person.id !== me.id) {
      const actions = el("span", { class: "room-person__actions" });
      if (room.mutedIds.has(person.id)) {
        actions.append(
          button(T.unmute, () => moderate("unmute", { participant: person.id }), undefined, person.name, `mute-${person.id}`),
        );
      } else {
        actions.append(button(T.mute, () => openParticipant("mute", person), undefined, person.name, `mute-${person.id}`));
      }
      actions.append(
        button(T.remove, () => openParticipant("remove", person), undefined, person.name, `remove-${person.id}`),
      );
      item.append(" ", actions);
    }
    box.append(item);
  }
}

function renderQuestions() {
  keepingFocus($("room-questions"), drawQuestions);
}

function drawQuestions() {
  const box = $("room-questions");
  box.replaceChildren();
  const questions = [...room.questions.values()].sort((a, b) => a.id - b.id);
  if (!questions.length) {
    box.append(el("li", { text: T.no_questions }));
    return;
  }
  for (const question of questions) {
    const status = T.question_status[question.status] || question.status;
    const item = el(
      "li",
      { class: `room-question room-question--${question.status}`, id: `question-${question.id}` },
      el("p", { class: "fr-mb-0", text: question.body }),
      el("p", { class: "fr-text--xs fr-mb-1w", text: `${personName(question.author)} · ${status}` }),
    );
    if (me.moderator && question.status === "pending") {
      item.append(
        button(T.approve, () => send({ type: "question_decide", question: question.id, decision: "approve" }),
          "fr-btn--secondary", question.body.slice(0, 60), `approve-${question.id}`),
        " ",
        button(T.reject, () => send({ type: "question_decide", question: question.id, decision: "reject" }),
          "fr-btn--tertiary", question.body.slice(0, 60), `reject-${question.id}`),
      );
    }
    if (me.speaker && question.status === "approved") {
      item.append(
        button(T.mark_answered, () => send({ type: "question_answered", question: question.id }),
          "fr-btn--secondary", question.body.slice(0, 60), `answered-${question.id}`),
      );
    }
    box.append(item);
  }
}

function renderPolls() {
  keepingFocus($("room-polls"), drawPolls);
}

function drawPolls() {
  const box = $("room-polls");
  box.replaceChildren();
  const polls = [...room.polls.values()].sort((a, b) => b.id - a.id);
  if (!polls.length) {
    box.append(el("p", { class: "fr-text--sm", text: T.no_polls }));
    return;
  }
  for (const poll of polls) box.append(pollBlock(poll));
}

function pollBlock(poll) {
  const total = poll.total || 0;
  const block = el("div", { class: "room-poll", id: `poll-${poll.id}` });
  const results = el("ul", { class: "room-poll__results" });
  for (const option of poll.options) {
    const percent = total ? Math.round((option.votes * 100) / total) : 0;
    const text = `${option.label} : ${fill(T.votes, { count: option.votes, percent })}`;
    results.append(
      el(
        "li",
        {},
        el("span", { text }),
        el("progress", { max: String(total || 1), value: String(option.votes), "aria-label": text }),
      ),
    );
  }
  const summary = el("p", { class: "fr-text--xs", text: fill(T.total_votes, { count: total }) });
  if (poll.closed) {
    block.append(
      el("h3", { class: "fr-h6 fr-mb-1w", text: poll.question }),
      el("p", { class: "fr-badge fr-badge--sm", text: T.poll_closed }),
      results,
      summary,
    );
    return block;
  }
  const legendId = `poll-${poll.id}-legend`;
  const fieldset = el(
    "fieldset",
    { class: "fr-fieldset", "aria-labelledby": legendId },
    el("legend", { class: "fr-fieldset__legend fr-text--regular", id: legendId, text: poll.question }),
  );
  for (const option of poll.options) {
    const inputId = `poll-${poll.id}-option-${option.id}`;
    const input = el("input", {
      type: "radio",
      id: inputId,
      name: `poll-${poll.id}`,
      value: String(option.id),
      checked: (room.choices.get(poll.id) ?? room.myVotes.get(poll.id)) === option.id,
      dataset: { key: inputId },
    });
    // A choice not yet sent survives the redraws caused by the others' votes.
    input.addEventListener("change", () => room.choices.set(poll.id, option.id));
    fieldset.append(
      el(
        "div",
        { class: "fr-fieldset__element" },
        el("div", { class: "fr-radio-group" }, input, el("label", { class: "fr-label", for: inputId, text: option.label })),
      ),
    );
  }
  const form = el("form", { class: "room-poll__form", novalidate: true }, fieldset);
  form.append(
    el("button", { type: "submit", class: "fr-btn fr-btn--sm", dataset: { key: `vote-${poll.id}` } }, T.vote, " ",
      srOnly(poll.question)),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const choice = form.querySelector("input:checked");
    if (choice) send({ type: "vote", poll: poll.id, option: Number(choice.value) });
  });
  block.append(form, results, summary);
  if (me.speaker) {
    block.append(
      button(T.close_poll, () => send({ type: "poll_close", poll: poll.id }), "fr-btn--secondary", poll.question,
        `close-${poll.id}`),
    );
  }
  return block;
}

// --- Room state, typing ----------------------------------------------------------------------------------------

function applyState(state) {
  room.state = state;
  const badge = $("room-state");
  badge.textContent = T.states[state] || state;
  badge.className = `fr-badge fr-badge--sm ${state === "open" ? "fr-badge--success" : "fr-badge--warning"}`;
  const text = $("room-state-text");
  if (state === "locked") {
    text.textContent = T.room_locked;
    text.hidden = false;
  } else if (state === "open") {
    text.hidden = true;
  }
  const writable = state === "open" && !room.muted;
  $("room-body").disabled = !writable;
  $("room-send").disabled = !writable;
  const lock = $("room-lock");
  if (lock) lock.textContent = state === "locked" ? T.unlock : T.lock;
}

function renderPremoderation() {
  const toggle = $("room-premoderation");
  if (!toggle) return;
  toggle.setAttribute("aria-pressed", room.premoderation ? "true" : "false");
  toggle.textContent = room.premoderation ? T.premoderation_on : T.premoderation_off;
}

function renderTyping() {
  const names = [...room.typing.values()].map((entry) => entry.name);
  const box = $("room-typing");
  if (!names.length) box.textContent = "";
  else box.textContent = fill(names.length === 1 ? T.typing_one : T.typing_many, { names: names.join(", ") });
}

function someoneTyping(participant) {
  if (!participant || participant.id === me.id) return;
  const previous = room.typing.get(participant.id);
  if (previous) clearTimeout(previous.timer);
  const timer = setTimeout(() => {
    room.typing.delete(participant.id);
    renderTyping();
  }, TYPING_SHOW_MS);
  room.typing.set(participant.id, { name: participant.name, timer });
  renderTyping();
}

// --- Dialog (report, delete, mute, remove) -----------------------------------------------------------------------

const dialog = $("room-dialog");
let dialogAction = null;
let dialogOpener = null;

function openDialog(title, quote, confirmLabel, action) {
  dialogAction = action;
  dialogOpener = document.activeElement;
  $("room-dialog-title").textContent = title;
  $("room-dialog-quote").textContent = quote || "";
  $("room-dialog-quote").hidden = !quote;
  $("room-dialog-confirm").textContent = confirmLabel;
  $("room-dialog-reason").value = "";
  dialog.returnValue = "";
  dialog.showModal();
  $("room-dialog-reason").focus();
}

dialog.addEventListener("close", () => {
  const action = dialogAction;
  dialogAction = null;
  if (dialog.returnValue === "confirm" && action) action($("room-dialog-reason").value.trim());
  if (dialogOpener && document.contains(dialogOpener)) dialogOpener.focus();
  else $("room-body").focus();
});

function openReport(frame) {
  openDialog(T.report_title, fill(T.reported_message, { body: frame.body }), T.send_report, (reason) =>
    send({ type: "report", message: frame.id, reason }),
  );
}

function openDelete(frame) {
  openDialog(T.delete_title, fill(T.reported_message, { body: frame.body }), T.delete, (reason) =>
    moderate("delete", { message: frame.id, reason }),
  );
}

function openParticipant(action, person) {
  const title = fill(action === "mute" ? T.mute_title : T.remove_title, { name: person.name });
  openDialog(title, "", T.confirm, (reason) => moderate(action, { participant: person.id, reason }));
}

function moderate(action, extra = {}) {
  send({ type: "moderate", action, ...extra });
}

// --- Frames from the server ------------------------------------------------------------------------------------

const handlers = {
  state(frame) {
    const info = frame.room || {};
    if (info.premoderation !== undefined) room.premoderation = info.premoderation;
    if (frame.you) {
      room.muted = Boolean(frame.you.muted);
      me.moderator = me.moderator || Boolean(frame.you.moderator);
      me.speaker = me.speaker || Boolean(frame.you.speaker);
    }
    room.presence = new Map((frame.presence || []).map((person) => [person.id, person]));
    if (Array.isArray(frame.muted)) room.mutedIds = new Set(frame.muted);
    room.hands = frame.hands || [];
    room.questions = new Map((frame.questions || []).map((question) => [question.id, question]));
    room.polls = new Map((frame.polls || []).map((poll) => [poll.id, poll]));
    if ("pinned" in info) renderPinned(info.pinned);
    if (info.state) applyState(info.state);
    renderPresence();
    renderHands();
    renderQuestions();
    renderPolls();
    renderPremoderation();
  },
  message(frame) {
    addMessages([frame]);
  },
  history(frame) {
    const messages = frame.messages || [];
    addMessages(messages, { announce: false });
    $("room-earlier").hidden = !frame.more;
    if (!messages.length) showNotice(T.earlier_none);
  },
  ack(frame) {
    if (frame.client_id && room.pending.has(frame.client_id)) {
      room.pending.delete(frame.client_id);
    }
    if (frame.question !== undefined && frame.client_id) {
      room.pendingQuestions.delete(frame.client_id);
      showNotice(frame.status === "pending" ? T.question_pending : T.question_sent);
    } else if (frame.report !== undefined) {
      showNotice(T.report_sent);
    } else if (frame.poll !== undefined) {
      room.myVotes.set(frame.poll, frame.option);
      showNotice(T.voted);
    }
    // Contact details masked in the author's message: the server's notice says what and why.
    if (frame.notice) showNotice(frame.notice);
  },
  presence(frame) {
    if (frame.joined) room.presence.set(frame.joined.id, frame.joined);
    if (frame.left) room.presence.delete(frame.left.id);
    renderPresence();
  },
  typing(frame) {
    someoneTyping(frame.participant);
  },
  hands(frame) {
    room.hands = frame.hands || [];
    renderHands();
  },
  question(frame) {
    room.questions.set(frame.id, frame);
    renderQuestions();
  },
  poll(frame) {
    room.polls.set(frame.id, frame);
    renderPolls();
  },
  pinned(frame) {
    renderPinned(frame.message);
  },
  moderation(frame) {
    const target = frame.participant;
    switch (frame.action) {
      case "delete": {
        const known = room.messages.get(frame.message);
        if (known && !known.deleted) addMessages([{ ...known, body: "", deleted: true }]);
        if (room.pinned?.id === frame.message) renderPinned(null);
        break;
      }
      case "lock":
        applyState("locked");
        break;
      case "unlock":
        applyState("open");
        showNotice(T.room_unlocked);
        break;
      case "mute":
      case "unmute":
        if (target) {
          if (frame.action === "mute") room.mutedIds.add(target.id);
          else room.mutedIds.delete(target.id);
          if (target.id === me.id) {
            room.muted = frame.action === "mute";
            applyState(room.state);
            showNotice(room.muted ? T.muted_you : T.unmuted_you);
          }
        }
        renderPresence();
        break;
      case "remove":
        if (target) room.presence.delete(target.id);
        renderPresence();
        break;
      case "premoderation":
        room.premoderation = Boolean(frame.enabled);
        renderPremoderation();
        break;
      default:
        break;
    }
  },
  report(frame) {
    const box = $("room-reports");
    if (!box) return;
    if (!box.querySelector("[data-report]")) box.replaceChildren();
    const message = frame.message || {};
    const item = el(
      "li",
      { dataset: { report: frame.id } },
      el("p", { class: "fr-mb-0", text: fill(T.new_report, { name: message.author?.name || T.former }) }),
      el("p", { class: "fr-text--sm fr-mb-0", text: fill(T.reported_message, { body: message.body || T.deleted }) }),
    );
    if (frame.reason) item.append(el("p", { class: "fr-text--xs fr-mb-0", text: frame.reason }));
    if (message.id && !message.deleted) item.append(button(T.delete, () => openDelete(message), "fr-btn--secondary"));
    box.append(item);
  },
  closed() {
    lastCloseReason = "closed";
  },
  pong(frame) {
    // A broadcast may have been lost (the relay restarted): the server's last number says so.
    if (Number.isInteger(frame.last_id) && frame.last_id > room.upTo && socket) {
      send({ type: "resume", after: room.upTo });
    }
  },
  error(frame) {
    if (frame.code === "closed" || frame.code === "not_open") {
      lastCloseReason = frame.code;
    } else if (frame.code === "rate_limited") {
      retryAfter = Number(frame.retry_after) || 5;
      showError(frame.detail || fill(T.rate_limited, { seconds: retryAfter }));
    } else if (frame.code === "relay_unavailable") {
      showNotice(frame.detail || T.relay);
    } else {
      showError(frame.detail || T.error);
    }
    if (frame.code === "muted") {
      room.muted = true;
      applyState(room.state);
    }
    if (frame.code === "locked") applyState("locked");
  },
};

// --- Connection ------------------------------------------------------------------------------------------------

function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${config.socket}`;
}

function connect() {
  clearTimeout(reconnectTimer);
  if (stopped) return;
  lastCloseReason = null;
  setStatus(attempt ? fill(T.reconnecting, { seconds: 0 }) : T.connecting);
  socket = new WebSocket(socketUrl());
  socket.addEventListener("open", () => {
    attempt = 0;
    retryAfter = null;
    setStatus(T.connected);
    room.gapAskedUpTo = room.upTo;
    send({ type: "resume", after: room.upTo });
    // What was sent but never acknowledged goes again, under the same client_id: stored once.
    for (const [id, body] of room.pending) send({ type: "message", body, client_id: id });
    for (const [id, body] of room.pendingQuestions) send({ type: "question", body, client_id: id });
    clearInterval(pingTimer);
    pingTimer = setInterval(() => send({ type: "ping" }), PING_MS);
  });
  socket.addEventListener("message", (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    const handler = frame && handlers[frame.type];
    if (handler) handler(frame);
  });
  socket.addEventListener("close", (event) => {
    clearInterval(pingTimer);
    socket = null;
    handleClose(event.code);
  });
}

function reconnectIn(seconds) {
  clearTimeout(reconnectTimer);
  reconnectTimer = setTimeout(connect, seconds * 1000);
}

function handleClose(code) {
  if (code === 4403) {
    stopped = true;
    setStatus(T.not_allowed);
    showError(T.not_allowed);
    $("room-body").disabled = true;
    $("room-send").disabled = true;
    return;
  }
  if (code === 4410) {
    if (lastCloseReason === "not_open") {
      waitForOpening();
    } else {
      stopped = true;
      setStatus(T.closed);
      showError(T.closed);
      $("room-body").disabled = true;
      $("room-send").disabled = true;
    }
    return;
  }
  if (code === 4429) {
    const seconds = retryAfter || 10;
    setStatus(fill(T.rate_limited, { seconds }));
    reconnectIn(seconds);
    return;
  }
  if (!navigator.onLine) {
    setStatus(T.offline); // the "online" event reconnects
    return;
  }
  // Network, server restart: 1, 2, 4 … 30 s, with jitter so that a whole class does not come back at once.
  const base = Math.min(MAX_BACKOFF_S, 2 ** attempt);
  const seconds = Math.round((base + Math.random() * Math.min(base, 3)) * 10) / 10;
  attempt += 1;
  setStatus(fill(T.reconnecting, { seconds: Math.ceil(seconds) }));
  reconnectIn(seconds);
}

function waitForOpening() {
  const opensAt = new Date(config.opens_at).getTime();
  const wait = Math.max(0, opensAt - Date.now());
  setStatus(fill(T.not_open, { time: when(config.opens_at) }));
  // setTimeout holds at most about 24 days; beyond a day, checking again later is enough.
  reconnectTimer = setTimeout(() => location.reload(), Math.min(wait + 1000, 86_400_000));
}

// --- The reader's actions --------------------------------------------------------------------------------------

const body = $("room-body");
const counter = $("room-counter");

function updateCounter() {
  counter.textContent = fill(T.counter, { count: body.value.length, max: config.max_length });
}

function sendMessage() {
  const text = body.value.trim();
  if (!text) {
    showError(T.empty);
    return;
  }
  if (text.length > config.max_length) {
    showError(fill(T.too_long, { max: config.max_length }));
    return;
  }
  showError("");
  showNotice("");
  const id = clientId();
  room.pending.set(id, text);
  send({ type: "message", body: text, client_id: id });
  body.value = "";
  updateCounter();
}

$("room-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sendMessage();
});

body.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    sendMessage();
  }
});

body.addEventListener("input", () => {
  updateCounter();
  const now = Date.now();
  if (body.value && now - lastTypingSent >= TYPING_SEND_MS && send({ type: "typing" })) lastTypingSent = now;
});

$("room-earlier").addEventListener("click", loadEarlier);

$("room-hand").addEventListener("click", () => {
  const raised = $("room-hand").getAttribute("aria-pressed") === "true";
  send({ type: "hand", raised: !raised });
});

$("room-question-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const field = $("room-question");
  const text = field.value.trim();
  if (!text) {
    showError(T.empty);
    return;
  }
  showError("");
  const id = clientId();
  room.pendingQuestions.set(id, text);
  send({ type: "question", body: text, client_id: id });
  field.value = "";
});

$("room-poll-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  const question = $("poll-question").value.trim();
  const options = [...document.querySelectorAll("[data-poll-option]")].map((input) => input.value.trim()).filter(Boolean);
  if (!question || options.length < 2 || options.length > 6) {
    showError(T.poll_options_error);
    return;
  }
  showError("");
  send({ type: "poll_open", question, options });
  event.target.reset();
  $("room-poll-new").open = false;
});

$("room-lock")?.addEventListener("click", () => moderate(room.state === "locked" ? "unlock" : "lock"));

$("room-premoderation")?.addEventListener("click", () => {
  send({ type: "premoderation", enabled: !room.premoderation });
});

// The browser knows it lost the network: the socket is as good as dead, so close it now and come back (and resume)
// as soon as the network does, rather than wait for the backoff.
window.addEventListener("offline", () => {
  setStatus(T.offline);
  if (socket && socket.readyState === WebSocket.OPEN) socket.close(4000, "offline");
});
window.addEventListener("online", () => {
  if (!socket && !stopped) {
    attempt = 0;
    connect();
  }
});

// --- Start -----------------------------------------------------------------------------------------------------

updateCounter();
// The page holds the latest messages: everything before the first of them is history, not a hole.
if (config.messages.length) room.upTo = config.messages[0].id - 1;
room.gapAskedUpTo = room.upTo;
addMessages(config.messages, { announce: false });
renderPinned(config.pinned);
renderHands();
renderPresence();
renderQuestions();
renderPolls();
renderPremoderation();
if (config.state === "not_yet_open") {
  waitForOpening();
} else {
  connect();
}
