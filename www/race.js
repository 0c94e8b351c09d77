// Naive against cached, racing: the same model, seed and temperature sampled by tract (the whole
// network recomputed for every sub-pixel) and by the native engine (only the new position computed
// from cached activations), started together in the worker, which gives each engine equal turns
// and paints each lane's canvas.

/** One engine's lane as the race goes: its figure's element, sub-pixels per second, position.
 *  @typedef {{ fig: HTMLElement, rate?: number, position?: number }} Lane */

export class Race {
  /** @param {{ send: (msg: import('./messages.js').Request) => void, root: HTMLElement }} deps */
  constructor({ send, root }) {
    this.send = send;
    this.root = root;
    const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (root.querySelector(`#${id}`));
    const button = (/** @type {string} */ id) => /** @type {HTMLButtonElement} */ ($(id));
    this.el = { start: button('race-start'), stop: button('race-stop'), status: $('race-status'), nativeFig: $('race-native-fig'), tractFig: $('race-tract-fig') };
    this.id = 0;
    /** The page's seed, temperature and class; set by main.js.
     *  @type {() => { seed?: number, temperature?: number, label?: number }} */
    this.options = null;
    /** @type {string | null} */
    this.file = null;
    /** @type {import('./pkg/pixelwise.js').Metadata | null} */
    this.meta = null;
    /** @type {{ native: Lane, tract: Lane } | undefined} */
    this.lanes = undefined;
    /** The finished race's outcome, for the tests.
     *  @type {{ identical: boolean, differ: number, ratio: number | null, nativeRate: number, tractRate: number, nativeMs: number, tractMs: number } | null | undefined} */
    this.result = undefined;
    this.el.start.addEventListener('click', () => this.start());
    this.el.stop.addEventListener('click', () => this.stop('Stopped.'));
  }

  /** @param {string} file @param {import('./pkg/pixelwise.js').Metadata} meta */
  setModel(file, meta) {
    this.stop('');
    this.file = file;
    this.meta = meta;
    this.result = null;
  }

  /** `options`: the page's seed, temperature and class. */
  start(options = this.options ? this.options() : {}) {
    if (!this.meta) return;
    const m = this.meta;
    this.id += 1;
    this.lanes = { native: { fig: this.el.nativeFig }, tract: { fig: this.el.tractFig } };
    this.result = null;
    this.el.start.disabled = true;
    this.el.stop.disabled = false;
    this.setStatus('running', 'Building both engines…');
    const label = m.classes > 0 ? Math.max(0, options.label ?? 0) : -1;
    this.send({ type: 'race', raceId: this.id, file: this.file, seed: options.seed ?? 1, temperature: options.temperature ?? 1, labels: label >= 0 ? [label] : [], canvases: { native: 'race-native', tract: 'race-tract' } });
  }

  /** @param {string} text what the status says; '' leaves it */
  stop(text) {
    if (this.el.stop.disabled && !text) return;
    this.send({ type: 'race-stop' });
    this.el.start.disabled = false;
    this.el.stop.disabled = true;
    if (text) this.setStatus('stopped', text);
  }

  /** @param {string} state @param {string} text */
  setStatus(state, text) {
    this.el.status.dataset.state = state;
    this.el.status.textContent = text;
  }

  /** @param {import('./messages.js').RaceReply} msg */
  onMessage(msg) {
    if (msg.raceId !== this.id) return;
    if (msg.error) {
      this.stop('');
      this.setStatus('error', `Error: ${msg.error}`);
      return;
    }
    if (msg.kind === 'progress') {
      const lane = this.lanes[msg.engine];
      lane.rate = msg.busyMs > 0 ? (msg.sampled * 1000) / msg.busyMs : 0;
      lane.position = msg.position;
      lane.fig.textContent = `${msg.position} / ${msg.total} · ${Math.round(lane.rate).toLocaleString('en-US')} sub-pixels/s of its own compute time`;
      const { native, tract } = this.lanes;
      if (native.rate && tract.rate) this.setStatus('running', `Running: native is ${(native.rate / tract.rate).toFixed(0)}× faster per sub-pixel so far.`);
    } else if (msg.kind === 'done') {
      let differ = 0;
      for (let i = 0; i < msg.native.length; i++) differ += Number(msg.native[i] !== msg.tract[i]);
      const ratio = msg.nativeRate > 0 && msg.tractRate > 0 ? msg.nativeRate / msg.tractRate : null;
      this.result = { identical: differ === 0, differ, ratio, nativeRate: msg.nativeRate, tractRate: msg.tractRate, nativeMs: msg.nativeMs, tractMs: msg.tractMs };
      const same = differ === 0
        ? 'The two images are identical: both engines computed the same probabilities (to about 1e-4), so the same seed drew the same values.'
        : `The images differ at ${differ} sub-pixels: the engines' logits agree to about 1e-4, and a draw that lands within that of a boundary between two levels can go either way; everything after it then differs.`;
      this.setStatus('done', `Done: native ${msg.nativeMs.toFixed(0)} ms, tract ${(msg.tractMs / 1000).toFixed(1)} s of compute: ${ratio ? ratio.toFixed(0) : '?'}× per sub-pixel. ${same}`);
      this.el.start.disabled = false;
      this.el.stop.disabled = true;
    }
  }
}
