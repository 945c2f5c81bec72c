// The citizen's page for one ticket: place in line, estimated wait, the numbers being served,
// an alert (sound and vibration where allowed) when called, and the rating once served.

import {
  LiveStream, QueueState, api, config, counterTitle, el, formatClock, serverNow, serviceName, t,
  toneOf,
} from "./live.js";
import { SoundQueue } from "./sound.js";

const state = new QueueState();
const sound = new SoundQueue();
let ticket = null;
let refreshTimer = null;
let ratingTarget = null;
let ratedStep = null;  // the step this page just rated (a bundled procedure has several)

async function loadTicket() {
  try {
    const { status, body } = await api(`/api/v1/tickets/token/${encodeURIComponent(config.token)}`);
    if (status === 200) {
      ticket = body;
      render();
      if (ticket.status === "done" || ticket.steps.some((s) => s.outcome === "done")) loadRating();
    }
  } catch (error) {
    // Shown by the connection banner; the next event or refresh tries again.
  }
}

/** Refetch soon, not at once: every phone in the room hears the same event. */
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(loadTicket, 300 + Math.random() * 1200);
}

/** A local day ("2026-11-25") as the office writes it (25/11/2026). */
function formatDay(day) {
  const [year, month, date] = String(day || "").split("-");
  return year && month && date ? `${date}/${month}/${year}` : String(day || "");
}

function counterName(number, name) {
  return counterTitle(number, name);
}

function render() {
  if (!ticket) return;
  document.getElementById("status-number").textContent = ticket.number;
  document.getElementById("status-service").textContent = serviceName({
    code: ticket.service, name: ticket.service_name, name_en: ticket.service_name_en,
  });
  const main = document.getElementById("state-main");
  const detail = document.getElementById("state-detail");
  const box = document.getElementById("status-state");
  box.dataset.status = ticket.status;
  detail.textContent = "";
  const alert = document.getElementById("called-alert");
  alert.hidden = ticket.status !== "called";
  if (ticket.status === "waiting") {
    main.textContent = ticket.ahead
      ? t("Còn {n} người trước quý khách", { n: ticket.ahead })
      : t("Quý khách là người tiếp theo");
    const minutes = ticket.estimated_wait_minutes;
    detail.textContent = minutes === null || minutes === undefined
      ? t("Chưa có quầy nào đang mở cho dịch vụ này")
      : t("Thời gian chờ dự kiến: khoảng {m} phút", { m: minutes });
  } else if (ticket.status === "called") {
    const where = counterName(ticket.counter, ticket.counter_name);
    main.textContent = t("Mời quý khách đến {counter}", { counter: where });
    document.getElementById("called-text").textContent = t("Mời quý khách đến {counter}", { counter: where });
  } else if (ticket.status === "serving") {
    main.textContent = t("Quý khách đang được phục vụ tại {counter}", {
      counter: counterName(ticket.counter, ticket.counter_name),
    });
  } else if (ticket.status === "done") {
    main.textContent = t("Đã hoàn thành. Cảm ơn quý khách!");
  } else if (ticket.status === "no_show") {
    main.textContent = t("Quý khách đã được mời nhưng vắng mặt");
    detail.textContent = t("Vui lòng đến quầy để được gọi lại.");
  } else if (ticket.status === "cancelled" && ticket.closed_reason === "day_end") {
    main.textContent = t("Phiếu đã đóng khi hết ngày làm việc");
    detail.textContent = t("Số chưa được gọi trong ngày {day}. Kính mời quý khách lấy số mới.",
      { day: formatDay(ticket.local_day) });
  } else if (ticket.status === "cancelled") {
    main.textContent = t("Phiếu đã hủy");
  }
  const over = ["done", "cancelled"].includes(ticket.status);
  document.getElementById("alert-button").hidden = over;
  renderServing();
  document.getElementById("status-updated").textContent =
    t("Cập nhật lúc {time}", { time: formatClock(serverNow(), true) });
}

function renderServing() {
  const section = document.getElementById("serving-section");
  if (!ticket || !["waiting", "no_show"].includes(ticket.status)) {
    section.hidden = true;
    return;
  }
  const rows = (ticket.serving_counters || []).map((c) => {
    const counter = state.counters.get(c.number);
    const current = counter && counter.state !== "closed" ? counter.current : null;
    return el("li", { class: "serving-row" }, [
      el("span", { class: "serving-counter", text: counterName(c.number, c.name) }),
      el("span", { class: "serving-number", text: current ? current.number : "—" }),
    ]);
  });
  section.hidden = !rows.length;
  document.getElementById("serving").replaceChildren(...rows);
}

function alertCalled() {
  if (navigator.vibrate) {
    try {
      navigator.vibrate([600, 200, 600, 200, 600]);
    } catch (error) {
      // Not allowed before the person has touched the page.
    }
  }
  sound.chime();
  sound.chime();
  if (ticket) document.title = `${ticket.number} — ${t("Đến lượt quý khách!")}`;
}

async function loadRating() {
  try {
    const { status, body } = await api(
      `/api/v1/tickets/token/${encodeURIComponent(config.token)}/rating-target`);
    if (status === 200) showRating(body);
  } catch (error) {
    // Tried again with the next event.
  }
}

function showRating(info) {
  const section = document.getElementById("rating");
  if (info.target && info.target.step_id === ratedStep) return;  // still showing the thanks
  ratingTarget = info.target;
  if (!ratingTarget) {
    if (ratedStep === null) section.hidden = true;
    return;
  }
  section.hidden = false;
  document.getElementById("rating-officer").textContent = ratingTarget.officer
    ? t("Cán bộ phục vụ: {name}", { name: ratingTarget.officer }) : "";
  document.getElementById("rating-comment-box").hidden = !info.comment;
  document.getElementById("rating-done").hidden = true;
  const count = info.levels.length;
  document.getElementById("rating-levels").replaceChildren(...info.levels.map((level, index) => el("button", {
    type: "button", class: `level-button tone-${toneOf(index, count)}`, "data-level": level.key,
    onclick: () => rate(level.key), text: level.label,
  })));
}

async function rate(level) {
  if (!ratingTarget) return;
  for (const button of document.querySelectorAll(".level-button")) button.disabled = true;
  const comment = document.getElementById("rating-comment").value.trim();
  const body = { level, token: config.token, step: ratingTarget.step_id };
  if (comment) body.comment = comment;
  try {
    const answer = await api(`/api/v1/tickets/${config.ticket_id}/rating`, { method: "POST", body });
    if (answer.status === 201 || (answer.body && answer.body.error === "already_rated")) thank();
    else loadRating();
  } catch (error) {
    for (const button of document.querySelectorAll(".level-button")) button.disabled = false;
  }
}

function thank() {
  ratedStep = ratingTarget ? ratingTarget.step_id : ratedStep;
  ratingTarget = null;
  document.getElementById("rating-levels").replaceChildren();
  document.getElementById("rating-comment-box").hidden = true;
  document.getElementById("rating-done").hidden = false;
}

document.getElementById("alert-button").addEventListener("click", async (event) => {
  await sound.enable();
  event.target.textContent = t("Đã bật âm báo");
  event.target.disabled = true;
});

loadTicket();
setInterval(loadTicket, 60000);
new LiveStream({
  snapshot(snapshot) {
    state.load(snapshot);
    loadTicket();
  },
  resumed() {
    refreshSoon();
  },
  event(event) {
    state.apply(event);
    const data = event.data || {};
    if (event.kind === "rating.recorded") {
      if (data.rating && ratingTarget && data.rating.step_id === ratingTarget.step_id) thank();
      return;
    }
    const mine = data.ticket && data.ticket.id === config.ticket_id;
    if (mine) {
      ticket = { ...ticket, ...data.ticket };
      render();
      if (event.kind === "ticket.called" || event.kind === "ticket.recalled") alertCalled();
      if (event.kind === "ticket.finished" || event.kind === "ticket.transferred") loadRating();
      refreshSoon();  // and the estimate, as a fresh page would show it
    } else if (ticket && (!data.ticket || data.ticket.service === ticket.service)) {
      renderServing();
      if (ticket.status === "waiting") refreshSoon();
    }
  },
}, { kinds: ["ticket.", "counter.state", "rating.recorded"] }).start();
