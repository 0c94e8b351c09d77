// Step mode: one sub-pixel at a time on the native engine, showing for that position the head's
// distribution with the drawn value (for a mixture head also its components, as curves), what the position may see (its receptive field, from the layers), and for
// the PixelRNN models the LSTM gates there, next to the equations they follow.
import { drawComponents, drawProbabilities } from './charts.js';

const SCALE = 8;
/** A position not yet set, before the first step (palette.rs's UNKNOWN; later the worker sends the
 *  image's colours). */
const UNKNOWN = 'rgb(223, 228, 236)';

export class Stepper {
  /** @param {{ send: (msg: import('./messages.js').Request) => void, root: HTMLElement }} deps */
  constructor({ send, root }) {
    this.send = send;
    this.root = root;
    const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (root.querySelector(`#${id}`));
    const canvas = (/** @type {string} */ id) => /** @type {HTMLCanvasElement} */ ($(id));
    this.el = { one: $('step-one'), ten: $('step-ten'), reset: $('step-reset'), image: canvas('step-image'), probs: canvas('step-probs'), caption: $('step-caption'), gates: $('step-gates'), gateCanvas: canvas('step-gate-canvas'), status: $('step-status') };
    this.id = 0;
    /** The page's seed, temperature and class; set by main.js.
     *  @type {() => { seed?: number, temperature?: number, label?: number }} */
    this.options = null;
    /** @type {string | null} */
    this.file = null;
    /** @type {import('./pkg/pixelwise.js').Metadata | null} */
    this.meta = null;
    /** @type {string | null} */
    this.head = null;
    /** What the last step showed, for the tests.
     *  @type {{ position: number, pixel: number, channel: number, value: number, seen: number, gates: number, bars: number, components: number } | undefined} */
    this.lastStep = undefined;
    this.el.one.addEventListener('click', () => this.step(1));
    this.el.ten.addEventListener('click', () => this.step(10));
    this.el.reset.addEventListener('click', () => this.reset());
  }

  /** `head`: the head's title from the model card (null: a softmax the registry does not name).
   * @param {string} file @param {import('./pkg/pixelwise.js').Metadata} meta @param {string | null} [head] */
  setModel(file, meta, head = null) {
    this.file = file;
    this.meta = meta;
    this.head = head;
    this.reset();
  }

  reset() {
    if (!this.meta) return;
    this.id += 1;
    this.started = false;
    this.colours = null; // RGB [H * W * 3] of the image so far, as the grid colours it
    this.field = null;
    this.current = -1;
    this.el.gates.hidden = true;
    this.draw();
    this.setStatus('idle', 'Press Step to sample the first position.');
  }

  /** @param {number} count */
  step(count) {
    if (!this.meta) return;
    const options = this.options ? this.options() : {};
    const label = this.meta.classes > 0 ? Math.max(0, options.label ?? 0) : -1;
    if (!this.started) {
      this.started = true;
      this.send({ type: 'stepper', op: 'start', stepperId: this.id, file: this.file, seed: options.seed ?? 1, temperature: options.temperature ?? 1, labels: label >= 0 ? [label] : [] });
    }
    this.send({ type: 'stepper', op: 'step', stepperId: this.id, count });
  }

  /** @param {string} state @param {string} text */
  setStatus(state, text) {
    this.el.status.dataset.state = state;
    this.el.status.textContent = text;
  }

  /** @param {import('./messages.js').StepperReply} msg */
  onMessage(msg) {
    if (msg.stepperId !== this.id) return;
    if (msg.error) return this.setStatus('error', `Error: ${msg.error}`);
    const m = this.meta;
    this.colours = msg.colours;
    const { pixel: p, row, col, channel, level: value } = msg.last;
    this.current = p;
    this.field = msg.field;
    this.draw();
    const probs = Array.from(msg.probs);
    drawProbabilities(this.el.probs, probs, { labels: m.levels === 2 ? ['paper', 'ink'] : null, channel, channels: m.channels, drawn: value });
    const components = msg.parts ? msg.parts.components : [];
    if (components.length) drawComponents(this.el.probs, components, probs);
    const sub = m.channels > 1 ? `${'RGB'[channel]} of ` : '';
    const head = this.head || 'softmax';
    const parts = components.length
      ? ` The curves under the bars are its ${components.length} components, each a logistic (weight × density, largest weight ${Math.max(...components.map((c) => c.weight)).toFixed(2)}).`
      : '';
    this.el.caption.textContent = `${head[0].toUpperCase()}${head.slice(1)} for ${sub}(row ${row}, col ${col}); drawn: ${value}.${parts}`;
    this.drawGates(msg.gates);
    const seen = msg.field.reduce((a, b) => a + b, 0);
    this.setStatus(msg.done ? 'done' : 'idle', `Position ${msg.position} of ${msg.total}: ${sub}pixel (${row}, ${col}) drew level ${value}; it may see ${seen} pixels (yellow).${msg.done ? ' Done.' : ''}`);
    this.root.dataset.stepPosition = String(msg.position);
    this.lastStep = { position: msg.position, pixel: p, channel, value, seen, gates: msg.gates.length, bars: msg.probs.length, components: components.length };
  }

  draw() {
    const m = this.meta;
    const c = this.el.image;
    [c.width, c.height] = [m.width * SCALE, m.height * SCALE];
    const ctx = c.getContext('2d');
    const hw = m.height * m.width;
    const rgb = this.colours;
    for (let p = 0; p < hw; p++) {
      ctx.fillStyle = rgb ? `rgb(${rgb[3 * p]}, ${rgb[3 * p + 1]}, ${rgb[3 * p + 2]})` : UNKNOWN;
      ctx.fillRect((p % m.width) * SCALE, Math.floor(p / m.width) * SCALE, SCALE, SCALE);
      if (this.field && this.field[p]) {
        ctx.fillStyle = 'rgba(255, 200, 0, 0.45)';
        ctx.fillRect((p % m.width) * SCALE, Math.floor(p / m.width) * SCALE, SCALE, SCALE);
      }
    }
    if (this.current >= 0) {
      ctx.strokeStyle = '#e0245e';
      ctx.lineWidth = 2;
      ctx.strokeRect((this.current % m.width) * SCALE + 1, Math.floor(this.current / m.width) * SCALE + 1, SCALE - 2, SCALE - 2);
    }
  }

  /** Rows: each layer's i, f, o (0 white to 1 blue) and g (-1 red, 0 white, +1 blue); columns: units.
   * @param {Float32Array} gates */
  drawGates(gates) {
    // The LSTM's units per layer (a number in the PixelRNN models' config).
    const hidden = /** @type {number | undefined} */ (this.meta.config && this.meta.config.hidden);
    if (!gates.length || !hidden) {
      this.el.gates.hidden = true;
      return;
    }
    this.el.gates.hidden = false;
    const rows = gates.length / hidden;
    const [cell, labelW] = [8, 64];
    const c = this.el.gateCanvas;
    [c.width, c.height] = [labelW + hidden * cell, rows * cell + Math.floor(rows / 4) * 4];
    const ctx = c.getContext('2d');
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.font = '9px system-ui, sans-serif';
    for (let r = 0; r < rows; r++) {
      const y = r * cell + Math.floor(r / 4) * 4;
      const gate = 'ifog'[r % 4];
      ctx.fillStyle = '#333';
      ctx.fillText(`layer ${Math.floor(r / 4)} ${gate}`, 2, y + cell - 1);
      for (let u = 0; u < hidden; u++) {
        const v = gates[r * hidden + u];
        // g lies in [-1, 1], the others in [0, 1]: blue for positive, red for negative.
        const rgb = v >= 0 ? [255 - 200 * v, 255 - 140 * v, 255] : [255, 255 + 200 * v, 255 + 200 * v];
        ctx.fillStyle = `rgb(${rgb.map(Math.round).join(',')})`;
        ctx.fillRect(labelW + u * cell, y, cell - 1, cell - 1);
      }
    }
  }
}
