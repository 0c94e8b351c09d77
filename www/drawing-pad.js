// The 28x28 drawing pad: pointer strokes (mouse, pen, touch), brush and eraser, undo, and a cut
// line above which every pixel is kept. Below it only the drawn ink is kept.

const PAPER = [250, 248, 243];
const INK = [20, 22, 26];
const FREE = [226, 233, 243]; // blank pixels below the cut: the sampler fills them

export class DrawingPad {
  constructor(canvas, cutLine, { side = 28, onChange = () => {} } = {}) {
    Object.assign(this, { canvas, cutLine, side, onChange });
    canvas.width = canvas.height = side;
    this.ctx = canvas.getContext('2d');
    this.ink = new Uint8Array(side * side);
    this.undoStack = [];
    this.cut = Math.floor(side / 2);
    this.erasing = false;
    this.brush = 2;
    this.stroke = null;
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', (e) => this.up(e));
    canvas.addEventListener('pointercancel', (e) => this.up(e));
    this.dragCut(cutLine);
    this.render();
  }

  snapshot() {
    this.undoStack.push({ ink: this.ink.slice(), cut: this.cut });
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
    this.changed();
  }

  /** Loads `bits` (a '0'/'1' string in raster order) above row `rows` only. */
  loadTop(bits, rows) {
    this.snapshot();
    this.ink.fill(0);
    for (let i = 0; i < rows * this.side; i++) this.ink[i] = bits[i] === '1' ? 1 : 0;
    this.cut = rows;
    this.changed();
  }

  setCut(rows) {
    this.cut = Math.max(0, Math.min(this.side, Math.round(rows)));
    this.changed();
  }

  /** One level per pixel for the sampler: -1 where free, else 0 (paper) or `inkLevel`. */
  kept(inkLevel) {
    const out = new Int16Array(this.side * this.side);
    for (let i = 0; i < out.length; i++) {
      const above = Math.floor(i / this.side) < this.cut;
      out[i] = this.ink[i] ? inkLevel : above ? 0 : -1;
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
    for (let yy = Math.floor(y - r); yy <= Math.floor(y + r); yy++) {
      for (let xx = Math.floor(x - r); xx <= Math.floor(x + r); xx++) {
        if (xx < 0 || yy < 0 || xx >= this.side || yy >= this.side) continue;
        if (Math.hypot(xx + 0.5 - x, yy + 0.5 - y) > r + 0.25) continue;
        const i = yy * this.side + xx;
        this.ink[i] = this.erasing ? 0 : 1;
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
      const c = this.ink[i] ? INK : above ? PAPER : FREE;
      img.data.set([...c, 255], i * 4);
    }
    this.ctx.putImageData(img, 0, 0);
    this.cutLine.style.top = `${(this.cut / this.side) * 100}%`;
  }
}
