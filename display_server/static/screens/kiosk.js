// The touch kiosk: one big button per service, an optional priority choice, and after a tap the
// issued number with its QR code and what the printer did. One tap issues one ticket.

import { LiveStream, api, config, el, randomKey, serviceName, startClock, t } from "./live.js";

const IDLE_MS = 45000;
const RETRIES = 3;
let services = [];
let priority = "none";
// Services the server refused today (e.g. its daily limit reached): code → message, until midnight.
const refused = new Map();
let busy = false;
let resultTimer = null;
let idleTimer = null;
let printJob = null;  // the shown ticket's print job while it is still pending
// Out of service: the server cannot store tickets (a full disk, a read-only database). Known from
// /api/v1/health?deep=1, asked now and then (often while out, so the kiosk comes back by itself),
// and from an issue answered 503.
const HEALTH_MS = 20000;
const HEALTH_OUT_MS = 5000;
let outOfService = false;
let healthTimer = null;

function render() {
  const box = document.getElementById("services");
  if (!services.length) {
    box.replaceChildren(el("div", { class: "loading", text: t("Hiện chưa có dịch vụ nào.") }));
    return;
  }
  const count = services.length;
  const columns = window.innerHeight > window.innerWidth
    ? (count <= 5 ? 1 : 2)
    : (count <= 4 ? 2 : count <= 9 ? 3 : 4);
  box.style.setProperty("--columns", String(columns));
  box.style.setProperty("--rows", String(Math.ceil(count / columns)));
  box.replaceChildren(...services.map((service) => {
    const open = isOpen(service);
    const waiting = service.waiting || 0;
    return el("button", {
      type: "button",
      class: open ? "service-button" : "service-button closed",
      "data-service": service.code,
      disabled: busy || outOfService || !open,
      "aria-disabled": !open ? "true" : null,
      onclick: () => issue(service),
    }, [
      el("span", { class: "service-code", text: service.code, "aria-hidden": "true" }),
      el("span", { class: "service-name", text: serviceName(service) }),
      el("span", {
        class: "service-note",
        text: open ? t("{n} người đang chờ", { n: waiting }) : closedMessage(service),
      }),
    ]);
  }));
}

function isOpen(service) {
  const block = refused.get(service.code);
  if (block && Date.now() < block.until) return false;
  return Boolean(service.issuing && service.issuing.open);
}

function closedMessage(service) {
  const block = refused.get(service.code);
  if (block && Date.now() < block.until) return block.message;
  return (service.issuing && service.issuing.message) || t("Tạm ngừng lấy số");
}

function untilMidnight() {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1).getTime();
}

async function loadServices() {
  try {
    const { status, body } = await api("/api/v1/services");
    if (status === 200) {
      services = body.services;
      render();
    }
  } catch (error) {
    // Shown by the connection banner; the next refresh tries again.
  }
}

function setBusy(value) {
  busy = value;
  for (const button of document.querySelectorAll(".service-button")) {
    const service = services.find((s) => s.code === button.dataset.service);
    button.disabled = busy || outOfService || !(service && isOpen(service));
  }
  document.body.classList.toggle("is-busy", busy);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function issue(service) {
  if (busy || outOfService) return;  // a second tap while the first is on its way
  setBusy(true);
  const key = randomKey();  // one key per tap: a retry after a network error repeats nothing
  const body = { service: service.code, kiosk: config.kiosk, channel: "kiosk" };
  if (priority !== "none") body.priority = priority;
  for (let attempt = 0; attempt < RETRIES; attempt += 1) {
    let answer;
    try {
      answer = await api("/api/v1/tickets", { method: "POST", body, headers: { "Idempotency-Key": key } });
    } catch (error) {
      await sleep(600 * (attempt + 1));
      continue;
    }
    if (answer.status === 201) {
      showTicket(answer.body);
    } else if (answer.status === 503) {
      setBusy(false);
      setOutOfService(true, answer.body);  // nothing was issued: nothing to remember
    } else {
      const message = (answer.body && answer.body.message) || t("Không lấy được số. Vui lòng thử lại.");
      if (answer.body && answer.body.error === "daily_limit_reached") {
        // /api/v1/services does not know the day's count: remember the refusal until midnight.
        refused.set(service.code, { message, until: untilMidnight() });
      }
      showMessage(message);
      if (answer.status === 409) loadServices();
    }
    return;
  }
  showMessage(t("Không kết nối được máy chủ. Vui lòng thử lại hoặc liên hệ cán bộ."));
}

// What the printer did, said plainly. A slip that did not come out within the server's short
// wait is "not printed": the citizen is asked to remember the number or take the QR code, and
// the card changes to "printed" if the printer catches up while it is shown (print.settled).
function printText(print) {
  const status = print && print.status;
  if (status === "printed") return [t("Đã in phiếu — mời quý khách nhận phiếu"), "printed"];
  if (status === "pending" || status === "failed") {
    return [t("Chưa in được phiếu. Xin ghi nhớ số này hoặc quét mã QR bằng điện thoại."), "failed"];
  }
  return [t("Vui lòng ghi nhớ số hoặc quét mã QR"), "none"];
}

function setPrintStatus(print) {
  const [text, status] = printText(print);
  const printNode = document.getElementById("result-print");
  printNode.textContent = text;
  printNode.dataset.status = status;
  const later = document.getElementById("result-print-later");
  later.hidden = !(print && print.status === "pending");
  const result = document.getElementById("result");
  result.dataset.print = status;
  document.getElementById("result-label").textContent = status === "failed"
    ? t("Xin ghi nhớ số thứ tự của quý khách")
    : t("Số thứ tự của quý khách");
}

// No estimate means no counter of the service is open: promise nothing, least of all "now".
function aheadText(ticket) {
  const ahead = ticket.ahead || 0;
  const minutes = ticket.estimated_wait_minutes;
  if (minutes === null || minutes === undefined) {
    return ahead
      ? t("{n} người chờ trước quý khách · chưa có quầy nào đang mở", { n: ahead })
      : t("Chưa có quầy nào đang mở cho dịch vụ này");
  }
  return ahead
    ? t("{n} người chờ trước quý khách · khoảng {m} phút", { n: ahead, m: minutes })
    : t("Quý khách sẽ được mời ngay");
}

function showTicket(ticket) {
  document.getElementById("result-number").textContent = ticket.number;
  document.getElementById("result-service").textContent = serviceName({
    code: ticket.service, name: ticket.service_name, name_en: ticket.service_name_en,
  });
  const priorityNode = document.getElementById("result-priority");
  priorityNode.hidden = ticket.priority === "none";
  const chosen = document.querySelector(`[data-priority="${ticket.priority}"]`);
  priorityNode.textContent = chosen ? `${t("Ưu tiên")}: ${chosen.textContent}` : "";
  document.getElementById("result-ahead").textContent = aheadText(ticket);
  setPrintStatus(ticket.print);
  printJob = (ticket.print && ticket.print.status === "pending" && ticket.print.job) || null;
  const qr = document.getElementById("result-qr");
  qr.src = `/qr.svg?data=${encodeURIComponent(ticket.status_url)}`;
  const result = document.getElementById("result");
  result.hidden = false;
  result.dataset.ticket = ticket.id;
  setPriority("none");
  // Without a slip the number and the QR code stay up longer: time to note or scan them.
  const unprinted = result.dataset.print === "failed";
  let left = (config.result_seconds || 20) * (unprinted ? 2 : 1);
  const done = document.getElementById("result-done");
  const tick = () => {
    done.textContent = `${t("Xong")} (${left})`;
    left -= 1;
    if (left < 0) closeResult();
  };
  clearInterval(resultTimer);
  tick();
  resultTimer = setInterval(tick, 1000);
}

function closeResult() {
  clearInterval(resultTimer);
  printJob = null;
  document.getElementById("result").hidden = true;
  setBusy(false);
}

function showMessage(text) {
  document.getElementById("message-text").textContent = text;
  document.getElementById("message").hidden = false;
  clearTimeout(resultTimer);
  resultTimer = setTimeout(closeMessage, 8000);
}

function closeMessage() {
  document.getElementById("message").hidden = true;
  setBusy(false);
}

function setOutOfService(value, answer) {
  outOfService = value;
  const outage = document.getElementById("outage");
  outage.hidden = !value;
  outage.dataset.reason = (value && answer && answer.reason) || "";
  document.body.classList.toggle("is-out-of-service", value);
  setBusy(busy);
  clearTimeout(healthTimer);
  healthTimer = setTimeout(checkStorage, value ? HEALTH_OUT_MS : HEALTH_MS);
}

async function checkStorage() {
  let answer = null;
  try {
    answer = await api("/api/v1/health?deep=1");
  } catch (error) {
    // Unreachable: the connection banner says so; the state stays as it was.
  }
  const down = answer ? answer.status === 503 : outOfService;
  setOutOfService(down, answer && answer.body);
}

function setPriority(value) {
  priority = value;
  for (const option of document.querySelectorAll(".priority-option")) {
    option.setAttribute("aria-checked", String(option.dataset.priority === value));
  }
}

function resetWhenIdle() {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    setPriority("none");
    if (config.lang !== "vi") location.replace(location.pathname);  // back to Vietnamese
  }, IDLE_MS);
}

for (const option of document.querySelectorAll(".priority-option")) {
  option.addEventListener("click", () => {
    setPriority(priority === option.dataset.priority ? "none" : option.dataset.priority);
  });
}
document.getElementById("result-done").addEventListener("click", closeResult);
document.getElementById("message-close").addEventListener("click", closeMessage);
document.addEventListener("contextmenu", (event) => event.preventDefault());
document.addEventListener("pointerdown", resetWhenIdle);
resetWhenIdle();
startClock();
loadServices();
checkStorage();
window.addEventListener("resize", render);
setInterval(loadServices, 60000);  // issuing hours open and close with the clock

new LiveStream({
  snapshot(snapshot) {
    const counts = new Map(snapshot.queue.services.map((s) => [s.code, s.waiting]));
    for (const service of services) service.waiting = counts.get(service.code) || 0;
    loadServices();
    document.body.dataset.ready = "true";
  },
  event(event) {
    if (event.kind === "queue.waiting") {
      const counts = new Map(event.data.services.map((s) => [s.code, s.waiting]));
      for (const service of services) {
        if (counts.has(service.code)) service.waiting = counts.get(service.code);
      }
      if (!busy) render();
    } else if (event.kind === "settings.changed") {
      loadServices();
    } else if (event.kind === "print.settled" && printJob && event.data.job === printJob) {
      printJob = null;
      if (event.data.status === "printed") setPrintStatus({ status: "printed" });
    }
  },
}, { kinds: ["queue.waiting", "settings.changed", "print.settled"] }).start();
window.__luotKiosk = { issue: (code) => issue(services.find((s) => s.code === code)) };
