// The display above one counter: the number called or served there, very large.

import { LiveStream, QueueState, config, serviceName, startClock, t } from "./live.js";

const FLASH_MS = 8000;
const state = new QueueState();
let flashTimer = null;

function render(flash) {
  const counter = state.counters.get(config.counter);
  const number = document.getElementById("counter-number");
  const label = document.getElementById("counter-label");
  const service = document.getElementById("counter-service");
  const screen = document.getElementById("counter-screen");
  const current = counter && counter.state !== "closed" ? counter.current : null;
  number.textContent = current ? current.number : "—";
  service.textContent = current ? serviceName({
    code: current.service, name: current.service_name, name_en: current.service_name_en,
  }) : "";
  if (!counter || counter.state === "closed") label.textContent = t("Quầy đang đóng");
  else if (counter.state === "paused") {
    label.textContent = counter.pause_reason
      ? `${t("Tạm nghỉ")}: ${counter.pause_reason}` : t("Tạm nghỉ");
  } else if (!current) label.textContent = t("Sẵn sàng");
  else label.textContent = current.status === "serving" ? t("Đang phục vụ số") : t("Mời công dân có số");
  screen.dataset.state = counter ? counter.state : "closed";
  screen.classList.toggle("prioritised", Boolean(current && current.prioritised));
  if (flash) {
    screen.classList.remove("flash");
    void screen.offsetWidth;
    screen.classList.add("flash");
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => screen.classList.remove("flash"), FLASH_MS);
  }
}

startClock();
render(false);
new LiveStream({
  snapshot(snapshot) {
    state.load(snapshot);
    render(false);
    document.body.dataset.ready = "true";
  },
  resumed() {
    render(false);
  },
  event(event) {
    const call = state.apply(event);
    render(Boolean(call && call.counter === config.counter));
  },
}, { kinds: ["ticket.", "counter.state"] }).start();
