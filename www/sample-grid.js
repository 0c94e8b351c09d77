// A grid of samples on one canvas at native resolution (one canvas pixel per image pixel, CSS
// scales it up pixelated). Pixels are drawn as their records arrive; the newest is highlighted.

const UNKNOWN = [223, 228, 236];
const PAPER = [250, 248, 243];
const INK = [20, 22, 26];
const HIGHLIGHT = '#e0245e';
const SUBPIXEL = ['#ff1744', '#00e676', '#2979ff'];

export class SampleGrid {
  constructor(canvas, { n, cols, height, width, channels, levels, gap = 2 }) {
    Object.assign(this, { canvas, n, height, width, channels, levels, gap });
    this.cols = cols || Math.ceil(Math.sqrt(n));
    this.rows = Math.ceil(n / this.cols);
    canvas.width = this.cols * width + (this.cols - 1) * gap;
    canvas.height = this.rows * height + (this.rows - 1) * gap;
    this.ctx = canvas.getContext('2d');
    this.image = this.ctx.createImageData(canvas.width, canvas.height);
    // Level per image, channel and pixel; -1 until set.
    this.values = new Int16Array(n * channels * height * width).fill(-1);
    this.last = -1;
    this.image.data.fill(255);
    for (let k = 0; k < n; k++) for (let p = 0; p < height * width; p++) this.paint(k, p);
    this.show();
  }

  origin(k) {
    return [(k % this.cols) * (this.width + this.gap), Math.floor(k / this.cols) * (this.height + this.gap)];
  }

  colour(k, p) {
    const hw = this.height * this.width;
    const base = k * this.channels * hw + p;
    const top = this.levels - 1;
    if (this.channels === 1) {
      const v = this.values[base];
      if (v < 0) return UNKNOWN;
      const t = v / top; // level 0 is paper, the top level is ink
      return PAPER.map((c, i) => Math.round(c + (INK[i] - c) * t));
    }
    const rgb = [0, 0, 0];
    let known = false;
    for (let c = 0; c < Math.min(3, this.channels); c++) {
      const v = this.values[base + c * hw];
      if (v >= 0) {
        known = true;
        rgb[c] = Math.round((255 * v) / top);
      }
    }
    return known ? rgb : UNKNOWN;
  }

  paint(k, p) {
    const [x0, y0] = this.origin(k);
    const x = x0 + (p % this.width);
    const y = y0 + Math.floor(p / this.width);
    const at = (y * this.canvas.width + x) * 4;
    const [r, g, b] = this.colour(k, p);
    this.image.data[at] = r;
    this.image.data[at + 1] = g;
    this.image.data[at + 2] = b;
    this.image.data[at + 3] = 255;
  }

  /** Shows known values (kept pixels of a completion) before sampling starts. */
  preset(kept) {
    const hw = this.height * this.width;
    for (let k = 0; k < this.n; k++) {
      for (let i = 0; i < kept.length; i++) if (kept[i] >= 0) this.values[k * this.channels * hw + i] = kept[i];
      for (let p = 0; p < hw; p++) this.paint(k, p);
    }
    this.show();
  }

  /** Records `[pixel, channel, kept, v_0..v_{n-1}]`, as WasmSampler.step returns them. */
  apply(records) {
    const len = 3 + this.n;
    const hw = this.height * this.width;
    for (let i = 0; i + len <= records.length; i += len) {
      const [p, c] = [records[i], records[i + 1]];
      for (let k = 0; k < this.n; k++) {
        this.values[k * this.channels * hw + c * hw + p] = records[i + 3 + k];
        this.paint(k, p);
      }
      this.last = p;
      this.lastChannel = c;
    }
    this.show(true);
  }

  /** The sampler's final levels `[n, C, H, W]`, so the picture is exactly what was sampled. */
  finish(levels) {
    this.values.set(Int16Array.from(levels));
    for (let k = 0; k < this.n; k++) for (let p = 0; p < this.height * this.width; p++) this.paint(k, p);
    this.show();
  }

  show(highlight = false) {
    this.ctx.putImageData(this.image, 0, 0);
    if (highlight && this.last >= 0) {
      // Colour models: the marker takes the colour of the sub-pixel being drawn (R, G or B).
      this.ctx.fillStyle = this.channels > 1 ? SUBPIXEL[this.lastChannel || 0] : HIGHLIGHT;
      for (let k = 0; k < this.n; k++) {
        const [x0, y0] = this.origin(k);
        this.ctx.fillRect(x0 + (this.last % this.width), y0 + Math.floor(this.last / this.width), 1, 1);
      }
    }
  }

  imageLevels(k) {
    const size = this.channels * this.height * this.width;
    return Array.from(this.values.subarray(k * size, (k + 1) * size));
  }

  /** The grid scaled up without smoothing, as a PNG data URL. */
  png(scale = 4) {
    const out = document.createElement('canvas');
    out.width = this.canvas.width * scale;
    out.height = this.canvas.height * scale;
    const ctx = out.getContext('2d');
    ctx.imageSmoothingEnabled = false;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, out.width, out.height);
    const plain = document.createElement('canvas');
    plain.width = this.canvas.width;
    plain.height = this.canvas.height;
    plain.getContext('2d').putImageData(this.image, 0, 0);
    ctx.drawImage(plain, 0, 0, out.width, out.height);
    return out.toDataURL('image/png');
  }
}
