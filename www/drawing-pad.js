// The drawing pad: pointer strokes (mouse, pen, touch), brush and eraser, undo, and a cut line above
// which every pixel is kept. Below it only what was drawn is kept. Three modes follow the model:
// binary (ink or paper), grey (a soft brush of 256 levels) and rgb (a colour brush).

const PAPER = [250, 248, 243];
const INK = [20, 22, 26];
const FREE = [226, 233, 243]; // blank pixels below the cut: the sampler fills them

/** @typedef {'binary' | 'grey' | 'rgb'} PadMode */

export class DrawingPad {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {HTMLElement} cutLine the handle dragged to move the cut
   * @param {{ side?: number, onChange?: (pad: DrawingPad) => void }} [options] `onChange` after every change
   */
  constructor(canvas, cutLine, { side = 28, onChange = () => {} } = {}) {
    this.canvas = canvas;
    this.cutLine = cutLine;
    this.onChange = onChange;
    this.ctx = canvas.getContext('2d');
    /** @type {{ ink: Uint8Array, value: Uint8ClampedArray, cut: number }[]} */
    this.undoStack = [];
    this.erasing = false;
    this.brush = 2;
    this.colour = [230, 60, 40];
    /** @type {number[] | null} the pointer's last cell, [x, y], while drawing */
    this.stroke = null;
    this.setShape(side, 'binary');
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', () => this.up());
    canvas.addEventListener('pointercancel', () => this.up());
    this.dragCut(cutLine);
    this.render();
  }

  /** A new size or mode (the model changed) starts a blank pad.
   * @param {number} side @param {PadMode} mode */
  setShape(side, mode) {
    if (side === this.side && mode === this.mode) return;
    this.side = side;
    this.mode = mode;
    this.canvas.width = this.canvas.height = side;
    this.ink = new Uint8Array(side * side); // 1 where drawn (binary: where the ink is)
    this.value = new Uint8ClampedArray(side * side * 3); // grey intensity (0..255) or RGB per pixel
    this.clearValues();
    this.undoStack = [];
    this.cut = Math.floor(side / 2);
    this.changed();
  }

  /** The value of paper: grey level 0 (MNIST's background), or white for colour. */
  clearValues() {
    this.value.fill(this.mode === 'rgb' ? 255 : 0);
  }

  snapshot() {
    this.undoStack.push({ ink: this.ink.slice(), value: this.value.slice(), cut: this.cut });
    if (this.undoStack.length > 100) this.undoStack.shift();
  }

  undo() {
    const s = this.undoStack.pop();
    if (s) {
      Object.assign(this, s);
      this.changed();
    }
  }

  clear() {
    this.snapshot();
    this.ink.fill(0);
    this.clearValues();
    this.changed();
  }

  /** Loads `bits` (a '0'/'1' string in raster order) above row `rows` only. */
  loadTop(bits, rows) {
    this.snapshot();
    this.ink.fill(0);
    this.clearValues();
    for (let i = 0; i < rows * this.side; i++) this.ink[i] = bits[i] === '1' ? 1 : 0;
    this.cut = rows;
    this.changed();
  }

  /** Loads an image of level indices `[C, side, side]` (256 levels) above row `rows` only. */
  loadLevels(levels, channels, rows) {
    this.snapshot();
    this.ink.fill(0);
    this.clearValues();
    const hw = this.side * this.side;
    for (let i = 0; i < rows * this.side; i++) {
      for (let c = 0; c < 3; c++) this.value[i * 3 + c] = levels[(channels === 3 ? c : 0) * hw + i];
      if (this.mode === 'grey') this.ink[i] = this.value[i * 3] > 0 ? 1 : 0;
    }
    this.cut = rows;
    this.changed();
  }

  setCut(rows) {
    this.cut = Math.max(0, Math.min(this.side, Math.round(rows)));
    this.changed();
  }

  /** Kept levels for the sampler, `[channels, side, side]`: -1 where free. Binary: 0 (paper) or
   *  `top` (ink); grey and rgb: the painted value, above the cut and wherever something was drawn. */
  kept(top, channels = 1) {
    const hw = this.side * this.side;
    const out = new Int16Array(hw * channels);
    for (let i = 0; i < hw; i++) {
      const above = Math.floor(i / this.side) < this.cut;
      for (let c = 0; c < channels; c++) {
        if (this.mode === 'binary') out[c * hw + i] = this.ink[i] ? top : above ? 0 : -1;
        else out[c * hw + i] = this.ink[i] || above ? this.value[i * 3 + (channels === 3 ? c : 0)] : -1;
      }
    }
    return out;
  }

  /** The whole pad as level indices `[channels, side, side]`: what is drawn, and paper elsewhere.
   *  Binary: 0 or `top`; grey and rgb: the painted values. */
  levels(top, channels = 1) {
    const hw = this.side * this.side;
    const out = new Uint8Array(hw * channels);
    for (let i = 0; i < hw; i++) {
      for (let c = 0; c < channels; c++) out[c * hw + i] = this.mode === 'binary' ? (this.ink[i] ? top : 0) : this.value[i * 3 + (channels === 3 ? c : 0)];
    }
    return out;
  }

  cell(e) {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.side, ((e.clientY - r.top) / r.height) * this.side];
  }

  down(e) {
    if (e.button !== undefined && e.button > 0) return;
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.snapshot();
    this.stroke = this.cell(e);
    this.dab(...this.stroke);
    this.changed();
  }

  move(e) {
    if (!this.stroke) return;
    e.preventDefault();
    const to = this.cell(e);
    // Fill the gap between pointer events so fast strokes stay continuous.
    const [x0, y0] = this.stroke;
    const steps = Math.max(1, Math.ceil(Math.hypot(to[0] - x0, to[1] - y0) * 2));
    for (let s = 1; s <= steps; s++) this.dab(x0 + ((to[0] - x0) * s) / steps, y0 + ((to[1] - y0) * s) / steps);
    this.stroke = to;
    this.changed();
  }

  up() {
    this.stroke = null;
  }

  dab(x, y) {
    const r = this.brush / 2;
    // The grey brush is soft: full strength at its centre, fading over one pixel past its radius.
    const reach = this.mode === 'grey' ? r + 1 : r;
    for (let yy = Math.floor(y - reach); yy <= Math.floor(y + reach); yy++) {
      for (let xx = Math.floor(x - reach); xx <= Math.floor(x + reach); xx++) {
        if (xx < 0 || yy < 0 || xx >= this.side || yy >= this.side) continue;
        const d = Math.hypot(xx + 0.5 - x, yy + 0.5 - y);
        if (d > reach + 0.25) continue;
        const i = yy * this.side + xx;
        if (this.erasing) {
          this.ink[i] = 0;
          this.value.fill(this.mode === 'rgb' ? 255 : 0, i * 3, i * 3 + 3);
        } else if (this.mode === 'grey') {
          const v = Math.round(255 * Math.min(1, Math.max(0, reach + 0.25 - d) / 1.25));
          if (v > this.value[i * 3]) this.value.fill(v, i * 3, i * 3 + 3);
          this.ink[i] = this.value[i * 3] > 0 ? 1 : 0;
        } else {
          this.ink[i] = 1;
          if (this.mode === 'rgb') this.value.set(this.colour, i * 3);
        }
      }
    }
  }

  dragCut(line) {
    let dragging = false;
    const toRow = (e) => {
      const r = this.canvas.getBoundingClientRect();
      return ((e.clientY - r.top) / r.height) * this.side;
    };
    line.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      dragging = true;
      line.setPointerCapture(e.pointerId);
    });
    line.addEventListener('pointermove', (e) => dragging && this.setCut(toRow(e)));
    const stop = () => (dragging = false);
    line.addEventListener('pointerup', stop);
    line.addEventListener('pointercancel', stop);
  }

  changed() {
    this.render();
    this.onChange(this);
  }

  render() {
    const img = this.ctx.createImageData(this.side, this.side);
    for (let i = 0; i < this.ink.length; i++) {
      const above = Math.floor(i / this.side) < this.cut;
      let c;
      if (!this.ink[i] && !above) c = FREE;
      else if (this.mode === 'binary') c = this.ink[i] ? INK : PAPER;
      else if (this.mode === 'grey') c = PAPER.map((p, k) => Math.round(p + ((INK[k] - p) * this.value[i * 3]) / 255));
      else c = Array.from(this.value.subarray(i * 3, i * 3 + 3));
      img.data.set([...c, 255], i * 4);
    }
    this.ctx.putImageData(img, 0, 0);
    this.cutLine.style.top = `${(this.cut / this.side) * 100}%`;
  }
}
