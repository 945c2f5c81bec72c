// The rating tablet at a counter: after the officer finishes, the citizen picks a level (and may
// leave a comment); one rating per served step, stored with the officer who served it.

import { LiveStream, api, config, deviceKey, el, t, toneOf } from "./live.js";

const THANKS_MS = 6000;
let target = null;
let sending = false;
let thanksTimer = null;
let loadTimer = null;

function show(mode) {
  document.getElementById("tablet").dataset.mode = mode;
  document.getElementById("idle").hidden = mode !== "idle";
  document.getElementById("ask").hidden = mode !== "ask";
  document.getElementById("thanks").hidden = mode !== "thanks";
  document.getElementById("unpaired").hidden = mode !== "unpaired";
}

/** Only a tablet paired to this counter may ask and rate: say so instead (the server's reason). */
function unpaired(body) {
  target = null;
  const reason = body && body.error !== "device_key_required" && body.error !== "invalid_device_key"
    ? body.message : null;
  if (reason) document.getElementById("unpaired-text").textContent = reason;
  show("unpaired");
}

function face(index, count) {
  const which = toneOf(index, count);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 64 64");
  svg.setAttribute("class", "face");
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  use.setAttribute("href", `#face-${which}`);
  svg.append(use);
  return [svg, which];
}

async function loadTarget() {
  try {
    const { status, body } = await api(`/api/v1/counters/${config.counter}/rating-target`);
    if (status === 401 || status === 403) {
      unpaired(body);
      return;
    }
    if (status !== 200) return;
    if (document.getElementById("tablet").dataset.mode === "thanks") return;
    target = body.target;
    if (!target) {
      show("idle");
      return;
    }
    document.getElementById("ask-ticket").textContent = t("Số {number}", { number: target.ticket_number });
    document.getElementById("ask-officer").textContent = target.officer
      ? t("Cán bộ phục vụ: {name}", { name: target.officer }) : "";
    document.getElementById("comment-box").hidden = !body.comment;
    const levels = body.levels;
    document.getElementById("levels").replaceChildren(...levels.map((level, index) => {
      const [icon, which] = face(index, levels.length);
      return el("button", {
        type: "button", class: `level-button tone-${which}`, "data-level": level.key,
        onclick: () => rate(level.key),
      }, [icon, el("span", { class: "level-label", text: level.label })]);
    }));
    const comment = document.getElementById("comment");
    if (comment.dataset.step !== String(target.step_id)) {
      comment.value = "";
      comment.dataset.step = String(target.step_id);
    }
    show("ask");
  } catch (error) {
    // The connection banner says so; the next event or refresh tries again.
  }
}

function loadSoon() {
  clearTimeout(loadTimer);
  loadTimer = setTimeout(loadTarget, 150);
}

async function rate(level) {
  if (!target || sending) return;
  sending = true;
  for (const button of document.querySelectorAll(".level-button")) button.disabled = true;
  const body = { level, step: target.step_id };
  const comment = document.getElementById("comment").value.trim();
  if (comment) body.comment = comment;
  try {
    const answer = await api(`/api/v1/tickets/${target.ticket_id}/rating`, { method: "POST", body });
    if (answer.status === 201 || (answer.body && answer.body.error === "already_rated")) thank();
    else loadTarget();
  } catch (error) {
    for (const button of document.querySelectorAll(".level-button")) button.disabled = false;
  } finally {
    sending = false;
  }
}

function thank() {
  target = null;
  show("thanks");
  clearTimeout(thanksTimer);
  thanksTimer = setTimeout(() => {
    show("idle");
    loadTarget();
  }, THANKS_MS);
}

show(deviceKey() ? "idle" : "unpaired");
loadTarget();
setInterval(loadTarget, 30000);  // the window closes with time, not with an event
new LiveStream({
  snapshot() {
    loadTarget();
    document.body.dataset.ready = "true";
  },
  resumed() {
    loadTarget();
  },
  event(event) {
    const data = event.data || {};
    if (event.kind === "rating.recorded") {
      if (target && data.rating && data.rating.step_id === target.step_id) thank();
      return;
    }
    const atCounter = (data.counter && data.counter.number === config.counter)
      || (data.ticket && data.ticket.counter === config.counter);
    if (atCounter || event.kind === "settings.changed") loadSoon();
  },
}, { kinds: ["ticket.", "counter.state", "rating.recorded", "settings.changed"] }).start();
