// Shared by every screen: configuration, strings, the event stream with its watchdog and the
// "lost connection" banner, the server clock, and the queue state built from snapshot + events.

export const config = JSON.parse(document.getElementById("luot-config").textContent);

// A marker set once per page load: tests check that recovering never reloads the page.
window.__luotLoadMarker = window.__luotLoadMarker || Math.random().toString(36).slice(2);

/** The page's text for a Vietnamese source string, with {placeholders} filled. */
export function t(message, params) {
  let text = (config.strings && config.strings[message]) || message;
  for (const [key, value] of Object.entries(params || {})) {
    text = text.split("{" + key + "}").join(String(value));
  }
  return text;
}

/** Create an element: el("div", {class: "x", text: "hi"}, [children]). */
export function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children || []) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

/** Shrink the type of `container` (through --fit) until its content fits; never below `min`. */
export function fitContent(container, min) {
  const floor = min || 0.6;
  let scale = 1;
  container.style.setProperty("--fit", "1");
  while (container.scrollHeight > container.clientHeight + 1 && scale > floor) {
    scale = Math.max(floor, scale - 0.05);
    container.style.setProperty("--fit", String(scale));
  }
}

/** The face and colour of rating level `index` of `count`: 0 happiest, 1 neutral, 2 unhappy. */
export function toneOf(index, count) {
  return count <= 1 ? 0 : Math.round((index * 2) / (count - 1));
}

/** A service's name in the page's language. */
export function serviceName(service) {
  if (!service) return "";
  if (config.lang === "en" && service.name_en) return service.name_en;
  return service.name || service.service_name || service.code || "";
}

/** A counter's name for this page: a plain "Quầy 3" reads "Counter 3" on an English page. */
export function counterTitle(number, name) {
  const plain = !name || /^Quầy\s*\d+$/i.test(String(name).trim());
  return plain ? t("Quầy {number}", { number }) : name;
}

// --- the server's clock (a TV's own clock is often wrong) ---------------------------------

let clockOffset = 0;

export function syncClock(serverIso) {
  const at = Date.parse(serverIso);
  if (!Number.isNaN(at)) clockOffset = at - Date.now();
}

export function serverNow() {
  return new Date(Date.now() + clockOffset);
}

const locale = () => (config.lang === "en" ? "en-GB" : "vi-VN");
const zone = () => (config.office && config.office.timezone) || "Asia/Ho_Chi_Minh";

export function formatClock(date, seconds) {
  const options = { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: zone() };
  if (seconds) options.second = "2-digit";
  return new Intl.DateTimeFormat(locale(), options).format(date);
}

export function formatDate(date) {
  const text = new Intl.DateTimeFormat(locale(), {
    weekday: "long", day: "2-digit", month: "2-digit", year: "numeric", timeZone: zone(),
  }).format(date);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Keep elements [data-clock] and [data-date] showing the server's time in the office's zone. */
export function startClock(root) {
  const scope = root || document;
  const tick = () => {
    const now = serverNow();
    for (const node of scope.querySelectorAll("[data-clock]")) {
      node.textContent = formatClock(now, node.dataset.clock === "seconds");
    }
    for (const node of scope.querySelectorAll("[data-date]")) node.textContent = formatDate(now);
  };
  tick();
  setInterval(tick, 1000);
}

// --- the event stream ----------------------------------------------------------------------

export const KINDS = [
  "ticket.issued", "ticket.called", "ticket.recalled", "ticket.started", "ticket.finished",
  "ticket.no_show", "ticket.transferred", "ticket.cancelled", "counter.state",
  "settings.changed", "announcement.ready", "rating.recorded", "queue.waiting", "print.settled",
  "counter.presence",
];

/**
 * GET /api/v1/events with everything a screen on a wall needs: the last event id carried across
 * reconnects, a watchdog that reconnects when keep-alives stop (a silent network drop), and a
 * visible "lost connection" state until a snapshot (or a resume) has arrived again.
 */
export class LiveStream {
  constructor(handlers, options) {
    this.handlers = handlers;
    this.kinds = (options && options.kinds) || null;
    this.keepaliveMs = (config.keepalive_seconds || 15) * 1000;
    this.lastId = null;
    this.lastSeen = Date.now();
    this.source = null;
    this.online = null;
    this.retryTimer = null;
    this.failures = 0;
  }

  start() {
    this.connect();
    setInterval(() => this.watch(), 1000);
    window.addEventListener("online", () => this.connect());
    return this;
  }

  url() {
    const params = new URLSearchParams();
    if (this.kinds) params.set("kinds", this.kinds.join(","));
    if (this.lastId) params.set("last_event_id", this.lastId);
    const query = params.toString();
    return config.events_url + (query ? "?" + query : "");
  }

  connect() {
    clearTimeout(this.retryTimer);
    if (this.source) this.source.close();
    const source = new EventSource(this.url());
    this.source = source;
    this.lastSeen = Date.now();
    const mine = (fn) => (message) => {
      if (this.source !== source) return;
      this.lastSeen = Date.now();
      if (message.lastEventId) this.lastId = message.lastEventId;
      fn(message);
    };
    source.addEventListener("snapshot", mine((m) => {
      const data = JSON.parse(m.data);
      syncClock(data.server_time);
      this.setOnline(true);
      this.handlers.snapshot(data);
    }));
    source.addEventListener("resumed", mine((m) => {
      const data = JSON.parse(m.data);
      syncClock(data.server_time);
      this.setOnline(true);
      if (this.handlers.resumed) this.handlers.resumed(data);
    }));
    source.addEventListener("keepalive", mine((m) => {
      syncClock(JSON.parse(m.data).server_time);
    }));
    for (const kind of KINDS) {
      source.addEventListener(kind, mine((m) => {
        const event = JSON.parse(m.data);
        if (!event.kind) event.kind = kind;
        this.handlers.event(event);
      }));
    }
    source.onerror = () => {
      if (this.source !== source) return;
      this.setOnline(false);
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (an error status); keep trying, more slowly each time.
        this.failures += 1;
        const delay = Math.min(1000 * 2 ** Math.min(this.failures, 4), 15000);
        this.retryTimer = setTimeout(() => this.connect(), delay * (0.5 + Math.random()));
      }
    };
  }

  watch() {
    // Keep-alives stopped: the connection is dead even if the browser has not noticed.
    if (Date.now() - this.lastSeen > this.keepaliveMs * 2 + 3000) {
      this.setOnline(false);
      this.connect();
    }
  }

  setOnline(online) {
    if (online) this.failures = 0;
    if (this.online === online) return;
    this.online = online;
    const banner = document.getElementById("offline");
    if (banner) banner.hidden = online;
    document.body.classList.toggle("is-offline", !online);
    if (this.handlers.connection) this.handlers.connection(online);
  }
}

// --- the queue, as screens see it ------------------------------------------------------------

const ACTIVE = new Set(["called", "serving"]);

function lastStep(ticket) {
  const steps = ticket.steps || [];
  return steps.length ? steps[steps.length - 1] : {};
}

/** The part of a ticket a screen shows. */
export function ticketSummary(ticket) {
  if (!ticket) return null;
  const step = lastStep(ticket);
  return {
    id: ticket.id,
    number: ticket.number,
    service: ticket.service,
    service_name: ticket.service_name,
    service_name_en: ticket.service_name_en,
    status: ticket.status,
    // Whether the citizen is served first; which class (elderly, disabled…) is never public.
    prioritised: Boolean(ticket.prioritised),
    counter: ticket.counter,
    counter_name: ticket.counter_name,
    called_at: step.called_at || null,
    recall_count: step.recall_count || 0,
  };
}

/**
 * Counters with their current ticket, services with their waiting counts, and the recent calls:
 * loaded from a snapshot, then kept up to date by events (applying one twice changes nothing).
 */
export class QueueState {
  constructor() {
    this.counters = new Map();
    this.services = new Map();
    this.recent = [];
    this.seenCalls = new Set();
    this.office = config.office || {};
  }

  load(snapshot) {
    const queue = snapshot.queue;
    this.office = queue.office || this.office;
    this.day = queue.day;
    this.services = new Map(queue.services.map((s) => [s.code, { ...s }]));
    this.counters = new Map(queue.counters.map((c) => [c.number, {
      number: c.number, name: c.name, state: c.state, pause_reason: c.pause_reason,
      silent: Boolean(c.silent),
      services: c.services || [], officer: c.officer, current: ticketSummary(c.current_ticket),
    }]));
    this.recent = queue.recent_calls.map((call) => ({ ...call }));
    this.seenCalls = new Set(this.recent.map(callKey));
  }

  /** Apply one event; returns the call it announces ({...call, recall}) or null. */
  apply(event) {
    const data = event.data || {};
    if (event.kind === "queue.waiting") {
      for (const row of data.services || []) {
        const service = this.services.get(row.code);
        if (service) Object.assign(service, row);
      }
      return null;
    }
    if (data.counter && data.counter.number !== undefined) {
      const known = this.counters.get(data.counter.number);
      const update = {
        number: data.counter.number, name: data.counter.name, state: data.counter.state,
        pause_reason: data.counter.pause_reason, officer: data.counter.officer,
        services: data.counter.services || (known ? known.services : []),
        silent: data.counter.silent !== undefined ? Boolean(data.counter.silent)
          : Boolean(known && known.silent && data.counter.state !== "closed"),
      };
      if (known) Object.assign(known, update);
      else this.counters.set(update.number, { ...update, current: null });
    }
    const ticket = data.ticket;
    if (!ticket || !event.kind.startsWith("ticket.")) return null;
    const summary = ticketSummary(ticket);
    for (const counter of this.counters.values()) {
      if (counter.current && counter.current.id === summary.id
          && (!ACTIVE.has(summary.status) || summary.counter !== counter.number)) {
        counter.current = null;
      }
    }
    if (ACTIVE.has(summary.status) && summary.counter !== null) {
      const counter = this.counters.get(summary.counter);
      if (counter) counter.current = summary;
    }
    if (event.kind !== "ticket.called" && event.kind !== "ticket.recalled") return null;
    const call = {
      ticket_id: summary.id, number: summary.number, service: summary.service,
      counter: summary.counter, counter_name: summary.counter_name,
      called_at: summary.called_at || event.at,
      recall_count: data.recall_count !== undefined ? data.recall_count : summary.recall_count,
      status: summary.status, prioritised: summary.prioritised,
    };
    const key = callKey(call);
    if (this.seenCalls.has(key)) return null;
    this.seenCalls.add(key);
    this.recent = [call, ...this.recent.filter((c) => c.ticket_id !== call.ticket_id)].slice(0, 30);
    return { ...call, recall: event.kind === "ticket.recalled", at: event.at };
  }
}

function callKey(call) {
  return `${call.ticket_id}|${call.called_at}|${call.recall_count}`;
}

/** Random hex for an Idempotency-Key (crypto.randomUUID needs https; offices use plain http). */
export function randomKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// --- the device key of a paired kiosk or rating tablet -------------------------------------

const DEVICE_KEY = "luot.deviceKey";
const PAIRED_PAGES = new Set(["kiosk", "rating"]);

/**
 * A pairing address (#pair=<key>, or ?pair=<key>) leaves its key in this browser's storage and
 * then disappears from the address bar, so it is not shown, bookmarked or sent on.
 */
function takePairingKey() {
  const query = new URLSearchParams(location.search);
  const fragment = new URLSearchParams(location.hash.slice(1));
  const key = fragment.get("pair") || query.get("pair");
  if (!key) return;
  try {
    localStorage.setItem(DEVICE_KEY, key);
  } catch (error) {
    return;  // storage is off: the page works unpaired
  }
  query.delete("pair");
  fragment.delete("pair");
  const search = query.toString();
  const hash = fragment.toString();
  history.replaceState(null, "", location.pathname + (search ? "?" + search : "") + (hash ? "#" + hash : ""));
}

/** This device's key, or null when it has not been paired. */
export function deviceKey() {
  try {
    return localStorage.getItem(DEVICE_KEY);
  } catch (error) {
    return null;
  }
}

if (PAIRED_PAGES.has(config.page)) takePairingKey();

/** fetch() JSON with the page's language (and the device key once paired); resolves to {status, body}. */
export async function api(path, options) {
  const opts = options || {};
  const method = opts.method || "GET";
  const headers = { Accept: "application/json", ...(opts.headers || {}) };
  const key = deviceKey();
  if (key) headers["X-Device-Key"] = key;
  // Every write is JSON, even an empty one: the server refuses other bodies (no cross-site forms).
  const payload = opts.body !== undefined ? opts.body : method === "GET" ? undefined : {};
  if (payload !== undefined) headers["Content-Type"] = "application/json";
  const separator = path.includes("?") ? "&" : "?";
  const response = await fetch(`${path}${separator}lang=${config.lang}`, {
    method,
    headers,
    body: payload !== undefined ? JSON.stringify(payload) : undefined,
    cache: "no-store",
  });
  let body = null;
  try {
    body = await response.json();
  } catch (error) {
    body = null;
  }
  return { status: response.status, body };
}
