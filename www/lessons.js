// "How it works": the seed's lessons computed by the wasm in the worker from the loaded model.
//   1. The worked example: a masked residual block on a 3x3 image, stage by stage, editable.
//   2. Training is parallel, sampling is sequential: one forward pass scores every pixel (the
//      surprise map, -log2 p per pixel) where sampling needs one step per sub-pixel.
// Requests go to the worker as { type: 'lesson', id, kind, ... } without a generation id, so they
// never stop a running generation; replies come back as { type: 'lesson', id, ... }.

const STAGES = ['input', 'conv 1×1, w1', 'mask: third row out', 'conv 1×1, w2', 'conv 1×1, w3', '+ skip (input)'];
const SEED_IMAGE = [2, 3, 4, 1, 5, 2, 6, 7, 8];
const SEED_WEIGHTS = [-2, -1, 1];

/** A lesson request without its id (request() adds it).
 *  @typedef {{ kind: 'worked', image: number[], weights: number[] } | { kind: 'surprise', file: string, pixels: Float32Array, label: number }} LessonAsk */
/** @typedef {import('./messages.js').LessonReply} LessonReply */

export class Lessons {
  /** @param {{ send: (msg: import('./messages.js').Request) => void, root: HTMLElement }} deps */
  constructor({ send, root }) {
    this.send = send;
    this.root = root;
    this.next = 1;
    /** @type {Map<number, { resolve: (msg: LessonReply) => void, reject: (e: Error) => void }>} */
    this.waiting = new Map();
    this.stage = STAGES.length - 1;
    /** @type {number[][] | null} */
    this.stages = null;
    /** @type {string | null} */
    this.file = null;
    /** @type {import('./pkg/pixelwise.js').Metadata | null} */
    this.meta = null;
    /** Where the surprise map's image comes from; set by main.js (the page's held-out images).
     *  @type {(meta: import('./pkg/pixelwise.js').Metadata) => Promise<{ levels: ArrayLike<number>, label: number }>} */
    this.pickImage = null;
    const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (root.querySelector(`#${id}`));
    const button = (/** @type {string} */ id) => /** @type {HTMLButtonElement} */ ($(id));
    this.el = {
      inputs: $('we-input'), weights: $('we-weights'), grids: $('we-grids'), stage: $('we-stage'), prev: button('we-prev'), next: button('we-next'), reset: $('we-reset'),
      surprise: $('surprise'), pick: $('surprise-pick'), status: $('surprise-status'), maps: $('surprise-maps'),
    };
    this.buildInputs();
    this.el.prev.addEventListener('click', () => this.show(this.stage - 1));
    this.el.next.addEventListener('click', () => this.show(this.stage + 1));
    this.el.reset.addEventListener('click', () => {
      this.setValues(SEED_IMAGE, SEED_WEIGHTS);
      this.compute();
    });
    this.el.pick.addEventListener('click', () => this.surprise());
  }

  /** @param {LessonAsk} ask @returns {Promise<LessonReply>} */
  request(ask) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.send({ type: 'lesson', id, ...ask });
    });
  }

  /** @param {LessonReply} msg */
  onReply(msg) {
    const w = this.waiting.get(msg.id);
    if (!w) return;
    this.waiting.delete(msg.id);
    if (msg.error) w.reject(new Error(msg.error));
    else w.resolve(msg);
  }

  // ---- 1. the worked example ----

  buildInputs() {
    /** @type {(parent: HTMLElement, values: number[], label: (i: number) => string) => HTMLInputElement[]} */
    const make = (parent, values, label) =>
      values.map((v, i) => {
        const input = document.createElement('input');
        Object.assign(input, { type: 'number', step: 'any', value: String(v) });
        input.setAttribute('aria-label', label(i));
        input.addEventListener('input', () => this.compute());
        parent.append(input);
        return input;
      });
    this.imageInputs = make(this.el.inputs, SEED_IMAGE, (i) => `input row ${Math.floor(i / 3) + 1}, column ${(i % 3) + 1}`);
    this.weightInputs = make(this.el.weights, SEED_WEIGHTS, (i) => `weight w${i + 1}`);
  }

  /** @param {number[]} image @param {number[]} weights */
  setValues(image, weights) {
    image.forEach((v, i) => (this.imageInputs[i].value = String(v)));
    weights.forEach((v, i) => (this.weightInputs[i].value = String(v)));
  }

  async compute() {
    const num = (/** @type {HTMLInputElement} */ el) => (Number.isFinite(Number(el.value)) && el.value !== '' ? Number(el.value) : 0);
    const image = this.imageInputs.map(num);
    const weights = this.weightInputs.map(num);
    try {
      const { stages } = await this.request({ kind: 'worked', image, weights });
      this.stages = Array.from({ length: STAGES.length }, (_, s) => Array.from(stages.slice(s * 9, s * 9 + 9)));
      this.weightsShown = weights;
      this.show(this.stage);
    } catch (e) {
      this.el.stage.textContent = `Could not compute: ${e.message}`;
    }
  }

  /** The grids up to stage `s`; each cell's arithmetic in its title.
   * @param {number} s */
  show(s) {
    if (!this.stages) return;
    this.stage = Math.max(0, Math.min(STAGES.length - 1, s));
    this.el.prev.disabled = this.stage === 0;
    this.el.next.disabled = this.stage === STAGES.length - 1;
    this.el.stage.textContent = `Step ${this.stage + 1} of ${STAGES.length}: ${STAGES[this.stage]}`;
    this.el.grids.replaceChildren();
    const fmt = (/** @type {number} */ v) => String(Math.round(v * 1000) / 1000);
    const [w1, w2, w3] = this.weightsShown;
    const why = (/** @type {number} */ stage, /** @type {number} */ p) => {
      const st = this.stages;
      switch (stage) {
        case 0: return `input ${fmt(st[0][p])}`;
        case 1: return `${fmt(w1)} × ${fmt(st[0][p])} = ${fmt(st[1][p])}`;
        case 2: return Math.floor(p / 3) === 2 ? `third row masked out: ${fmt(st[1][p])} → 0` : `kept: ${fmt(st[2][p])}`;
        case 3: return `${fmt(w2)} × ${fmt(st[2][p])} = ${fmt(st[3][p])}`;
        case 4: return `${fmt(w3)} × ${fmt(st[3][p])} = ${fmt(st[4][p])}`;
        default: return `${fmt(st[4][p])} + ${fmt(st[0][p])} (skip) = ${fmt(st[5][p])}`;
      }
    };
    for (let s2 = 0; s2 <= this.stage; s2++) {
      const fig = document.createElement('figure');
      fig.className = `numbers${s2 === this.stage ? ' current' : ''}`;
      const table = document.createElement('table');
      for (let r = 0; r < 3; r++) {
        const tr = table.insertRow();
        for (let c = 0; c < 3; c++) {
          const td = tr.insertCell();
          const p = r * 3 + c;
          td.textContent = fmt(this.stages[s2][p]);
          td.title = why(s2, p);
          if (s2 === 2 && r === 2) td.className = 'masked';
        }
      }
      const cap = document.createElement('figcaption');
      cap.textContent = STAGES[s2];
      fig.append(table, cap);
      this.el.grids.append(fig);
    }
    this.root.dataset.workedResult = this.stages[STAGES.length - 1].map(fmt).join(' ');
  }

  // ---- 2. the surprise map ----

  /** The model changed: what its surprise map will need.
   * @param {string} file @param {import('./pkg/pixelwise.js').Metadata} meta */
  setModel(file, meta) {
    this.file = file;
    this.meta = meta;
    this.el.maps.replaceChildren();
    this.el.status.textContent = 'Pick a held-out image to score it.';
    this.el.surprise.dataset.state = 'idle';
  }

  /** `pickImage`: level indices [C, H, W] with its class, from the page's held-out sets. */
  async surprise(pickImage = this.pickImage) {
    if (!this.meta || !pickImage) return;
    const m = this.meta;
    const { levels, label } = await pickImage(m);
    const pixels = Float32Array.from(levels, (k) => k / (m.levels - 1));
    const labels = m.classes > 0 ? [label, (label + 1) % m.classes] : [-1];
    this.el.status.textContent = 'One forward pass…';
    try {
      const maps = [];
      for (const l of labels) maps.push({ label: l, ...(await this.request({ kind: 'surprise', file: this.file, pixels, label: l })) });
      this.drawMaps(levels, maps);
    } catch (e) {
      this.el.status.textContent = `Error: ${e.message}`;
      this.el.surprise.dataset.state = 'error';
    }
  }

  /** @param {ArrayLike<number>} levels @param {{ label: number, bits?: Float32Array }[]} maps */
  drawMaps(levels, maps) {
    const m = this.meta;
    const [h, w, c] = [m.height, m.width, m.channels];
    const hw = h * w;
    const box = this.el.maps;
    box.replaceChildren();
    /** @type {(draw: (p: number) => number[], caption: string) => HTMLCanvasElement} */
    const canvas = (draw, caption) => {
      const fig = document.createElement('figure');
      const cv = document.createElement('canvas');
      Object.assign(cv, { width: w, height: h });
      cv.className = 'pixels';
      const ctx = cv.getContext('2d');
      const img = ctx.createImageData(w, h);
      for (let p = 0; p < hw; p++) img.data.set([...draw(p), 255], p * 4);
      ctx.putImageData(img, 0, 0);
      const cap = document.createElement('figcaption');
      cap.textContent = caption;
      fig.append(cv, cap);
      box.append(fig);
      return cv;
    };
    const top = m.levels - 1;
    canvas((p) => {
      if (c === 3) return [0, 1, 2].map((k) => Math.round((255 * levels[k * hw + p]) / top));
      const t = levels[p] / top;
      return [250, 248, 243].map((v, k) => Math.round(v + ([20, 22, 26][k] - v) * t));
    }, 'the image');
    const perPixel = (/** @type {ArrayLike<number>} */ bits) => Array.from({ length: hw }, (_, p) => { let s = 0; for (let k = 0; k < c; k++) s += bits[k * hw + p]; return s; });
    const scale = Math.max(1, ...maps.map((mp) => Math.max(...perPixel(mp.bits))));
    const summary = [];
    for (const mp of maps) {
      const px = perPixel(mp.bits);
      const total = px.reduce((a, b) => a + b, 0);
      const name = mp.label < 0 ? '' : ` given “${(m.class_names && m.class_names[mp.label]) || mp.label}”`;
      // White (no surprise) to dark red (the most surprising pixel of these maps).
      canvas((p) => { const t = Math.min(1, px[p] / scale); return [255 - 90 * t, 255 - 235 * t, 255 - 235 * t].map(Math.round); }, `−log₂ p per pixel${name}: ${total.toFixed(1)} bits`);
      summary.push({ label: mp.label, bits: total, nats: total * Math.LN2 });
    }
    const first = summary[0];
    const subpixels = c * hw;
    this.el.status.textContent =
      `One forward pass scored all ${subpixels} sub-pixels at once: ${first.nats.toFixed(2)} nats (${(first.bits / subpixels).toFixed(3)} bits per sub-pixel), ` +
      `the number pixelwise eval counts for this image. Sampling it would take ${subpixels} sequential steps, one per sub-pixel.` +
      (summary.length > 1 ? ` Under the wrong class: ${summary[1].nats.toFixed(2)} nats.` : '');
    this.el.surprise.dataset.state = 'done';
    this.lastSurprise = summary;
  }
}
