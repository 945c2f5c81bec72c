// Sound on screens: a chime made in the browser and the server's announcement audio, played one
// after another (never two at once), once a person has allowed sound (browsers block autoplay).

const STALE_MS = 90 * 1000;  // an announcement older than this is skipped, not played late
const MAX_QUEUED = 8;

export class SoundQueue {
  constructor() {
    this.items = [];
    this.playing = false;
    this.enabled = false;
    this.context = null;
    this.audio = new Audio();
    this.audio.preload = "auto";
    // What was played, and when (tests read it; handy in the browser console too).
    this.log = [];
    window.__luotSound = this;
  }

  /** Allow sound; must run inside a tap/click. Resolves to whether sound is now on. */
  async enable() {
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (Context && !this.context) this.context = new Context();
      if (this.context && this.context.state !== "running") await this.context.resume();
    } catch (error) {
      this.context = null;
    }
    this.enabled = true;
    this.next();
    return true;
  }

  /** Sound already allowed without a tap (a kiosk browser started with an autoplay policy)? */
  async tryEnableSilently() {
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return false;
      const context = new Context();
      if (context.state === "running") {
        this.context = context;
        this.enabled = true;
        return true;
      }
      await context.close();
    } catch (error) {
      return false;
    }
    return false;
  }

  chime() {
    this.push({ kind: "chime", queuedAt: Date.now() });
  }

  announcement(url, id) {
    if (this.items.some((item) => item.id === id && id !== undefined)) return;
    this.push({ kind: "audio", url, id, queuedAt: Date.now() });
  }

  push(item) {
    if (!this.enabled) return;
    this.items.push(item);
    while (this.items.length > MAX_QUEUED) this.items.shift();
    this.next();
  }

  next() {
    if (this.playing || !this.enabled) return;
    let item = this.items.shift();
    while (item && Date.now() - item.queuedAt > STALE_MS) item = this.items.shift();
    if (!item) return;
    this.playing = true;
    const entry = { kind: item.kind, url: item.url || null, start: performance.now(), end: null };
    this.log.push(entry);
    const done = () => {
      if (entry.end !== null) return;
      entry.end = performance.now();
      this.playing = false;
      setTimeout(() => this.next(), 250);  // a breath between two calls
    };
    if (item.kind === "chime") this.playChime(done);
    else this.playAudio(item.url, done);
  }

  playAudio(url, done) {
    const audio = this.audio;
    let guard = null;
    const finish = () => {
      clearTimeout(guard);
      audio.onended = audio.onerror = null;
      done();
    };
    audio.onended = finish;
    audio.onerror = finish;
    audio.src = url;
    audio.onloadedmetadata = () => {
      const seconds = Number.isFinite(audio.duration) ? audio.duration : 20;
      clearTimeout(guard);
      guard = setTimeout(finish, (seconds + 3) * 1000);
    };
    guard = setTimeout(finish, 30000);
    const started = audio.play();
    if (started && started.catch) started.catch(finish);
  }

  playChime(done) {
    const context = this.context;
    if (!context) {
      setTimeout(done, 10);
      return;
    }
    const start = context.currentTime + 0.02;
    [[880, 0], [660, 0.45]].forEach(([frequency, offset]) => {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.5, start + offset + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.9);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 1.0);
    });
    setTimeout(done, 1500);
  }
}
