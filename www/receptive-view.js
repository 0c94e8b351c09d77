// The receptive field of one pixel, drawn in yellow over the sample grid: click a pixel, or focus
// the grid and move with the arrow keys, Enter to choose. Fields come from field-worker.js.

const SCALE = 8; // overlay pixels per image pixel, so the chosen pixel can carry an outline
const FIELD = 'rgba(255, 204, 0, 0.6)';
const CHOSEN = '#e0245e';
const CURSOR = '#2f5f98';

/** @typedef {import('./messages.js').FieldReply | import('./messages.js').MeasureReply} FieldAnswer */
/** The field shown: of image `k`'s pixel (`row`, `col`), `[H * W]` with 1 where it may look.
 *  @typedef {{ k: number, row: number, col: number, field: Uint8Array, source: 'masks' | 'measured', ms: number }} Shown */
/** What `onChange` reports: the field shown as an array, its pixels counted, and of which model.
 *  @typedef {Omit<Shown, 'field'> & { field: number[], count: number, before: number, file: string, arch: string }} ShownField */

export class ReceptiveView {
  /** `onChange(state)` is called with the shown field (or null) whenever it changes.
   *  `ask(msg)`: sends a request for a derived field to the sampler's worker (which has the model
   *  parsed); its answer comes back through `derived(msg)`.
   * @param {{ overlay: HTMLCanvasElement, status: HTMLElement, caption: HTMLElement, measure: HTMLButtonElement,
   *   onChange: (field: ShownField | null) => void, ask: (msg: import('./messages.js').FieldRequest) => void }} deps */
  constructor({ overlay, status, caption, measure, onChange, ask }) {
    this.overlay = overlay;
    this.status = status;
    this.caption = caption;
    this.measureButton = measure;
    this.onChange = onChange;
    this.ask = ask;
    this.ctx = overlay.getContext('2d');
    /** @type {{ n: number, cols: number, rows: number, height: number, width: number, gap: number, cw: number, ch: number } | null} */
    this.layout = null;
    /** @type {string | null} */
    this.file = null;
    /** @type {string | null} */
    this.arch = null;
    /** @type {ArrayBuffer | null} the file's bytes when the visitor opened it (no URL to fetch) */
    this.bytes = null;
    /** @type {{ k: number, row: number, col: number } | null} */
    this.chosen = null;
    /** @type {Shown | null} */
    this.shown = null;
    /** @type {number[] | null} */
    this.cursor = null; // [gx, gy] in image pixels, gaps left out
    this.focused = false;
    /** @type {Worker | null} */
    this.worker = null;
    /** @type {{ id: number, row: number, col: number, measure: boolean, file: string, computing: boolean } | null} */
    this.pending = null;
    this.nextId = 1;
    overlay.addEventListener('click', (e) => this.click(e));
    overlay.addEventListener('keydown', (e) => this.key(e));
    overlay.addEventListener('focus', () => {
      this.focused = true;
      if (!this.cursor && this.layout) this.cursor = [this.layout.width >> 1, this.layout.height >> 1];
      this.draw();
    });
    overlay.addEventListener('blur', () => {
      this.focused = false;
      this.draw();
    });
    measure.addEventListener('click', () => this.chosen && this.request(true));
  }

  /** A new model: fields of the old one no longer apply.
   *  `bytes`: the file's contents when it was opened from the visitor's computer (no URL to fetch).
   *  `caption`: what the crate's registry says the architecture's field looks like (null: unknown).
   * @param {string} file @param {string} arch @param {ArrayBuffer | null} [bytes] @param {string | null} [caption] */
  setModel(file, arch, bytes = null, caption = null) {
    this.file = file;
    this.arch = arch;
    this.bytes = bytes;
    this.caption.textContent = `${caption || `${arch}: the pixels this model's prediction can depend on.`} Click a pixel of a digit (or focus the grid, arrow keys, Enter) to see them in yellow.`;
    this.chosen = null;
    this.shown = null;
    this.cancel();
    this.setStatus(this.layout ? 'No pixel chosen.' : 'Generate some digits, then choose a pixel.');
    this.draw();
  }

  /** The grid's layout (a GridLayout from the worker that paints it); the chosen pixel stays chosen
   *  if the new grid has it.
   * @param {import('./pkg/pixelwise.js').GridLayout} layout */
  setGrid(layout) {
    const { n, cols, rows, height, width, gap, canvasWidth, canvasHeight } = layout;
    this.layout = { n, cols, rows, height, width, gap, cw: canvasWidth, ch: canvasHeight };
    this.overlay.width = canvasWidth * SCALE;
    this.overlay.height = canvasHeight * SCALE;
    if (this.chosen && this.chosen.k >= n) {
      this.chosen = null;
      this.shown = null;
    }
    if (this.cursor && (this.cursor[0] >= cols * width || this.cursor[1] >= rows * height)) this.cursor = null;
    this.draw();
  }

  /** @param {number} k @param {number} row @param {number} col */
  select(k, row, col) {
    if (!this.layout || !this.file || k < 0 || k >= this.layout.n) return;
    this.chosen = { k, row, col };
    this.cursor = [(k % this.layout.cols) * this.layout.width + col, Math.floor(k / this.layout.cols) * this.layout.height + row];
    // The field belongs to the position, not to the image: moving between images keeps it.
    if (this.shown && this.shown.row === row && this.shown.col === col) {
      this.shown = { ...this.shown, k };
      this.report();
    } else {
      this.shown = null;
      this.request(false);
    }
    this.draw();
  }

  /** @param {boolean} measure true: by perturbation in field-worker.js; false: derived in the sampler's worker */
  request(measure) {
    const { row, col } = this.chosen;
    if (this.pending && this.pending.computing) this.cancel(); // a long measurement of another pixel
    const id = this.nextId++;
    this.pending = { id, row, col, measure, file: this.file, computing: false };
    this.measureButton.hidden = true;
    this.setStatus(`Finding the receptive field of (row ${row}, col ${col})…`, 'preparing');
    if (!measure) {
      this.ask({ type: 'field', id, file: this.file, row, col });
      return;
    }
    if (!this.worker) this.start();
    /** @type {import('./messages.js').MeasureRequest} */
    const msg = { id, file: this.file, row, col, bytes: this.bytes };
    this.worker.postMessage(msg);
  }

  /** The sampler's worker answered a request for a derived field: the field, an error, or (a file
   *  only tract runs) that it has no rule to derive it, so it is measured.
   * @param {import('./messages.js').FieldReply} msg */
  derived(msg) {
    const p = this.pending;
    if (!p || msg.id !== p.id) return;
    if (msg.measure) {
      this.request(true);
      return;
    }
    this.reply(msg.error ? { type: 'error', id: msg.id, message: msg.error } : msg);
  }

  start() {
    // `?threads=off` on the page reaches the worker's own address (wasm-modules.js reads it there).
    this.worker = new Worker(`field-worker.js${new URLSearchParams(location.search).get('threads') === 'off' ? '?threads=off' : ''}`, { type: 'module' });
    this.worker.onmessage = (e) => this.reply(e.data);
    this.worker.onerror = (e) => {
      this.cancel();
      this.setStatus(`The receptive field could not be computed${e.message ? `: ${e.message}` : ''}.`, 'error');
    };
  }

  /** Ends a running measurement: the wasm call cannot be interrupted, so its worker goes. */
  cancel() {
    if (this.worker && this.pending) {
      this.worker.terminate();
      this.worker = null;
    }
    this.pending = null;
  }

  /** @param {FieldAnswer} msg */
  reply(msg) {
    const p = this.pending;
    if (!p || msg.id !== p.id) return; // an answer nobody waits for any more
    if (msg.type === 'computing') {
      p.computing = true;
      this.setStatus(`Computing… perturbing every pixel and rerunning the network (native engine) to see which ones change the prediction at (row ${p.row}, col ${p.col}). It can take a few minutes; the page stays usable.`, 'sampling');
      return;
    }
    this.pending = null;
    if (msg.type === 'error') {
      this.setStatus(`Error: ${msg.message}`, 'error');
      return;
    }
    this.shown = { k: this.chosen.k, row: p.row, col: p.col, field: msg.field, source: msg.source, ms: msg.ms };
    this.report();
    this.draw();
  }

  report() {
    const s = this.shown;
    const count = s.field.reduce((a, b) => a + b, 0);
    const before = s.row * this.layout.width + s.col; // pixels earlier in raster order
    const how = s.source === 'masks' ? 'derived from the masks and the layers, no forward pass' : `measured by perturbation in ${(s.ms / 1000).toFixed(1)} s`;
    this.setStatus(`Pixel (row ${s.row}, col ${s.col}) of image ${s.k + 1} depends on ${count} of the ${before} pixels before it (${how}).`, 'done');
    this.measureButton.hidden = s.source !== 'masks';
    this.onChange({ ...s, field: Array.from(s.field), count, before, file: this.file, arch: this.arch });
  }

  /** @param {string} text @param {string} [state] */
  setStatus(text, state = 'idle') {
    this.status.textContent = text;
    this.status.dataset.state = state;
    if (state !== 'done') this.onChange(null);
  }

  /** Grid-canvas pixel under a pointer event; the canvas is drawn with object-fit: contain.
   * @param {MouseEvent} e */
  click(e) {
    if (!this.layout) return;
    const r = this.overlay.getBoundingClientRect();
    const { cw, ch, width, height, gap, cols } = this.layout;
    const scale = Math.min(r.width / cw, r.height / ch);
    const x = Math.floor((e.clientX - r.left - (r.width - cw * scale) / 2) / scale);
    const y = Math.floor((e.clientY - r.top - (r.height - ch * scale) / 2) / scale);
    const [cx, cy] = [Math.floor(x / (width + gap)), Math.floor(y / (height + gap))];
    const [col, row] = [x - cx * (width + gap), y - cy * (height + gap)];
    if (x < 0 || y < 0 || cx >= cols || col >= width || row >= height) return; // outside or in a gap
    this.select(cy * cols + cx, row, col);
  }

  /** @param {KeyboardEvent} e */
  key(e) {
    if (!this.layout) return;
    const { cols, rows, width, height } = this.layout;
    const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (!this.cursor) this.cursor = [width >> 1, height >> 1];
    let [gx, gy] = this.cursor;
    if (moves[e.key]) {
      const step = e.shiftKey ? 4 : 1;
      gx = Math.min(cols * width - 1, Math.max(0, gx + moves[e.key][0] * step));
      gy = Math.min(rows * height - 1, Math.max(0, gy + moves[e.key][1] * step));
      if (Math.floor(gy / height) * cols + Math.floor(gx / width) < this.layout.n) this.cursor = [gx, gy];
      this.draw();
    } else if (e.key === 'Enter' || e.key === ' ') {
      this.select(Math.floor(gy / height) * cols + Math.floor(gx / width), gy % height, gx % width);
    } else if (e.key === 'Escape') {
      this.chosen = null;
      this.shown = null;
      this.cancel();
      this.setStatus('No pixel chosen.');
      this.draw();
    } else {
      return;
    }
    e.preventDefault();
  }

  /** @param {number} k */
  origin(k) {
    const { cols, width, height, gap } = this.layout;
    return [(k % cols) * (width + gap) * SCALE, Math.floor(k / cols) * (height + gap) * SCALE];
  }

  draw() {
    const ctx = this.ctx;
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    if (!this.layout) return;
    const { width, height, gap, cols } = this.layout;
    if (this.shown && this.chosen) {
      const [x0, y0] = this.origin(this.chosen.k);
      ctx.fillStyle = FIELD;
      this.shown.field.forEach((v, p) => v && ctx.fillRect(x0 + (p % width) * SCALE, y0 + Math.floor(p / width) * SCALE, SCALE, SCALE));
    }
    if (this.chosen) {
      const [x0, y0] = this.origin(this.chosen.k);
      ctx.fillStyle = CHOSEN;
      ctx.fillRect(x0 + this.chosen.col * SCALE, y0 + this.chosen.row * SCALE, SCALE, SCALE);
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x0 + this.chosen.col * SCALE + 0.75, y0 + this.chosen.row * SCALE + 0.75, SCALE - 1.5, SCALE - 1.5);
    }
    if (this.focused && this.cursor) {
      const [gx, gy] = this.cursor;
      const x = (Math.floor(gx / width) * (width + gap) + (gx % width)) * SCALE;
      const y = (Math.floor(gy / height) * (height + gap) + (gy % height)) * SCALE;
      ctx.strokeStyle = CURSOR;
      ctx.lineWidth = 2;
      ctx.strokeRect(x - 1, y - 1, SCALE + 2, SCALE + 2);
    }
    this.overlay.setAttribute('aria-label', `Sampled digits, ${this.layout.n} images of ${height} by ${width} pixels in ${cols} columns. Arrow keys move, Enter shows the receptive field of a pixel.`);
  }
}
