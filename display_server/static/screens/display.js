// The waiting-room display: the newest call large and flashing, every counter's number, the
// recent calls, the waiting count per service, the clock and the notice; optional sound.

import {
  LiveStream, QueueState, config, counterTitle, el, fitContent, formatClock, serviceName,
  startClock, t,
} from "./live.js";
import { SoundQueue } from "./sound.js";

const FLASH_MS = 10000;
const state = new QueueState();
const sound = new SoundQueue();
const onlyServices = new Set(config.services || []);
const onlyCounters = new Set(config.counters || []);
let voiceEnabled = false;
let flashTimer = null;
let heroCall = null;

function counterShown(counter) {
  if (onlyCounters.size && !onlyCounters.has(counter.number)) return false;
  if (onlyServices.size && !counter.services.some((code) => onlyServices.has(code))) return false;
  return true;
}

function counterNumberShown(number) {
  const counter = state.counters.get(Number(number));
  return counter ? counterShown(counter) : !onlyCounters.size && !onlyServices.size;
}

function shownCounters() {
  return [...state.counters.values()].filter(counterShown).sort((a, b) => a.number - b.number);
}

function callShown(call) {
  if (onlyCounters.size && !onlyCounters.has(call.counter)) return false;
  if (onlyServices.size && !onlyServices.has(call.service)) return false;
  return true;
}

/**
 * Whether a call still stands: its ticket is the one at its counter (called or being served)
 * and that counter is open and heard from. A no-show, a pause or a silent counter app ends it.
 */
function callStands(call) {
  const counter = state.counters.get(call.counter);
  return Boolean(counter && counter.state === "open" && !counter.silent
    && counter.current && counter.current.id === call.ticket_id);
}

function shownServices() {
  let services = [...state.services.values()].filter((s) => s.active !== false);
  if (onlyServices.size) services = services.filter((s) => onlyServices.has(s.code));
  else if (onlyCounters.size) {
    const served = new Set(shownCounters().flatMap((c) => c.services));
    services = services.filter((s) => served.has(s.code));
  }
  return services;
}

function counterLabel(call) {
  return counterTitle(call.counter, call.counter_name);
}

function statusText(counter) {
  if (counter.silent && counter.state !== "closed") return t("Tạm vắng");
  if (counter.state === "paused") {
    return counter.pause_reason ? `${t("Tạm nghỉ")}: ${counter.pause_reason}` : t("Tạm nghỉ");
  }
  if (counter.state === "closed") return t("Đóng");
  if (!counter.current) return t("Sẵn sàng");
  return counter.current.status === "serving" ? t("Đang phục vụ") : t("Đang mời");
}

/** The number of columns that gives the counters' numbers the largest type (full rows preferred). */
function chooseColumns(count, width, height) {
  let best = 1;
  let bestSize = 0;
  for (let columns = 1; columns <= Math.max(count, 1); columns += 1) {
    const w = width / columns;
    const h = height / Math.ceil(count / columns);
    const stacked = Math.min(h * 0.46, w * 0.3);
    const sideBySide = w / h >= 2.4 ? Math.min(h * 0.7, w * 0.22) : 0;  // see screens.css
    const rows = Math.ceil(count / columns);
    const gaps = rows * columns - count;  // empty cells look unbalanced: prefer full rows
    const size = Math.max(stacked, sideBySide) * (gaps ? 0.85 : 1);
    if (size > bestSize * 1.05) {
      best = columns;
      bestSize = size;
    }
  }
  return best;
}

function renderCounters(flashCounter) {
  const counters = shownCounters();
  const grid = document.getElementById("counters");
  const columns = chooseColumns(counters.length, grid.clientWidth, grid.clientHeight);
  grid.style.setProperty("--columns", String(columns));
  grid.style.setProperty("--rows", String(Math.max(1, Math.ceil(counters.length / columns))));
  grid.replaceChildren(...counters.map((counter) => {
    const current = counter.current;
    const classes = ["counter-card", `state-${counter.state}`];
    if (counter.silent && counter.state !== "closed") classes.push("silent");
    if (current) classes.push(`ticket-${current.status}`);
    if (current && current.prioritised && counter.state !== "closed") classes.push("prioritised");
    if (flashCounter === counter.number) classes.push("flash");
    return el("div", { class: classes.join(" "), "data-counter": counter.number }, [
      el("div", { class: "counter-inner" }, [
        el("div", { class: "counter-name", text: counterTitle(counter.number, counter.name) }),
        el("div", { class: "counter-number", text: current && counter.state !== "closed" ? current.number : "—" }),
        el("div", { class: "counter-status", text: statusText(counter) }),
      ]),
    ]);
  }));
}

function renderRecent() {
  const list = document.getElementById("recent");
  const calls = state.recent.filter(callShown).slice(0, config.recent || 8);
  if (!calls.length) {
    list.replaceChildren(el("li", { class: "empty", text: t("Chưa có lượt gọi") }));
    return;
  }
  list.replaceChildren(...calls.map((call, index) => el("li", {
    class: ["recent-row", index === 0 && "newest", call.prioritised && "prioritised"]
      .filter(Boolean).join(" "),
    "data-ticket": call.ticket_id,
  }, [
    el("span", { class: "recent-number", text: call.number }),
    el("span", { class: "recent-arrow", text: "→", "aria-hidden": "true" }),
    el("span", { class: "recent-counter", text: counterLabel(call) }),
    el("span", { class: "recent-time", text: call.called_at ? formatClock(new Date(call.called_at)) : "" }),
  ])));
  fitContent(list);
}

function renderWaiting() {
  const list = document.getElementById("waiting");
  const services = shownServices();
  list.replaceChildren(...services.map((service) => el("li", { class: "waiting-row", "data-service": service.code }, [
    el("span", { class: "waiting-code", text: service.code }),
    el("span", { class: "waiting-name", text: serviceName(service) }),
    el("span", { class: "waiting-count", text: String(service.waiting || 0) }),
  ])));
  fitContent(list);
}

// The hero shows the newest call that still stands; with none, it says so instead of "— đến".
function renderHero(call, flash) {
  const hero = document.getElementById("hero");
  const latest = call || state.recent.find((c) => callShown(c) && callStands(c)) || null;
  if (!flash && latest !== heroCall) hero.classList.remove("flash");
  heroCall = latest;
  document.getElementById("hero-number").textContent = latest ? latest.number : "";
  document.getElementById("hero-counter").textContent = latest ? counterLabel(latest) : "";
  document.getElementById("hero-label").textContent = latest
    ? t("Mời công dân có số")
    : (state.recent.some(callShown) ? t("Xin mời quý khách chờ đến lượt") : t("Chưa có lượt gọi"));
  hero.classList.toggle("idle", !latest);
  hero.classList.toggle("prioritised", Boolean(latest && latest.prioritised));
  if (flash) {
    hero.classList.remove("flash");
    void hero.offsetWidth;  // restart the animation for a recall of the same number
    hero.classList.add("flash");
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => {
      hero.classList.remove("flash");
      for (const card of document.querySelectorAll(".counter-card.flash")) card.classList.remove("flash");
    }, FLASH_MS);
  }
}

function renderAll() {
  renderHero(null, false);
  renderCounters(null);
  renderRecent();
  renderWaiting();
}

function onEvent(event) {
  const call = state.apply(event);
  if (event.kind === "announcement.ready") {
    const data = event.data || {};
    if (voiceEnabled && counterNumberShown(data.counter)) {
      if (data.audio_url) sound.announcement(data.audio_url, data.id);
      else sound.chime();
    }
    return;
  }
  if (event.kind === "settings.changed" && event.data && event.data.section === "display") {
    refreshNotice();
    return;
  }
  if (call && callShown(call)) {
    renderHero(call, true);
    renderCounters(call.counter);
    renderRecent();
    document.body.dataset.lastCall = call.number;
    if (!voiceEnabled) sound.chime();
    return;
  }
  if (event.kind === "queue.waiting") {
    renderWaiting();
    return;
  }
  renderCounters(null);
  renderHero(null, false);  // a no-show, a finish, a pause or a silent app may end the call shown
  if (event.kind.startsWith("ticket.")) renderRecent();
}

function setNotice(text) {
  const bar = document.getElementById("notice-bar");
  const node = document.getElementById("notice");
  node.textContent = text || "";
  bar.hidden = !text;
  // About 120 px a second whatever the length, so long notices stay readable.
  const seconds = Math.max(15, (text || "").length * 0.22 + 8);
  node.style.setProperty("--notice-seconds", `${seconds}s`);
}

async function refreshNotice() {
  try {
    const response = await fetch(`${location.pathname}?${new URLSearchParams({ lang: config.lang })}`,
      { cache: "no-store" });
    const html = await response.text();
    const doc = new DOMParser().parseFromString(html, "text/html");
    const fresh = JSON.parse(doc.getElementById("luot-config").textContent);
    setNotice(fresh.notice);
  } catch (error) {
    // The next settings change or reconnection tries again.
  }
}

async function setUpSound() {
  if (!config.sound) return;
  const button = document.getElementById("sound-button");
  const on = document.getElementById("sound-on");
  const enabled = () => {
    button.hidden = true;
    on.hidden = false;
  };
  if (await sound.tryEnableSilently()) {
    enabled();
    return;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    await sound.enable();
    enabled();
  });
}

function applyLayout() {
  if (config.layout !== "auto") return;
  const portrait = window.innerHeight > window.innerWidth;
  document.body.classList.toggle("layout-portrait", portrait);
  document.body.classList.toggle("layout-landscape", !portrait);
}

applyLayout();
window.addEventListener("resize", () => {
  applyLayout();
  renderAll();
});
// The waiting panel gets shorter as calls fill the recent list above it (and taller as the
// list empties at night): fit its rows again whenever its box changes size.
let waitingHeight = 0;
new ResizeObserver(([entry]) => {
  const height = Math.round(entry.contentRect.height);
  if (height === waitingHeight) return;
  waitingHeight = height;
  fitContent(entry.target);
}).observe(document.getElementById("waiting"));
setNotice(config.notice);
startClock();
setUpSound();
renderAll();
new LiveStream({
  snapshot(snapshot) {
    state.load(snapshot);
    voiceEnabled = Boolean(snapshot.voice && snapshot.voice.enabled);
    renderAll();
    document.body.dataset.ready = "true";
  },
  resumed() {
    renderAll();
  },
  event: onEvent,
}).start();
window.__luotDisplay = { state, hero: () => heroCall };
