// "The model is a codec": compress the drawing, a generated image or a held-out one in the worker,
// show its bytes beside the PNG this browser writes for the same pixels, and make a link whose
// fragment holds the file. Opening such a link decodes it on the grid (main.js runs that job).

/** @typedef {import('./pkg/pixelwise.js').CompressedHeader} CompressedHeader */
/** @typedef {import('./pkg/pixelwise.js').Metadata} Metadata */
/** An image of the loaded model: level indices [C, H, W] and its class (-1: none).
 *  @typedef {{ levels: ArrayLike<number>, label: number }} ImageLevels */

const PREFIX = '#pxw=';

/** Bytes as base64url (no padding), for a link's fragment. */
export function toBase64Url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The bytes of a base64url fragment, or an error naming what is wrong with it. */
export function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('the link is damaged: its fragment is not base64url');
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** The compressed bytes in this page's address, or null when it holds none. */
export function linkBytes(hash = location.hash) {
  return hash.startsWith(PREFIX) ? fromBase64Url(hash.slice(PREFIX.length)) : null;
}

/** The PNG size this browser writes for the image's pixels (grey k/(L-1) or RGB), 1:1. */
async function browserPngBytes(meta, levels) {
  const { width: w, height: h, channels: cs } = meta;
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  const hw = w * h;
  const v = (k) => Math.round((k * 255) / (meta.levels - 1));
  for (let p = 0; p < hw; p++) {
    for (let c = 0; c < 3; c++) img.data[p * 4 + c] = v(levels[(cs === 3 ? c : 0) * hw + p]);
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return (await canvas.convertToBlob({ type: 'image/png' })).size;
}

export class CodecPanel {
  /**
   * @param {{ send: (msg: import('./messages.js').Request) => void, root: HTMLElement }} deps
   * Set before use: `model()` -> { file, meta } of the loaded model (or null),
   * `drawing()`, `generated()`, `heldOut()` -> { levels, label } (or null), and
   * `decode(file, bytes)`, which starts the decoding job on the grid.
   */
  constructor({ send, root }) {
    this.send = send;
    this.root = root;
    /** @type {() => { file: string, meta: Metadata } | null} */
    this.model = null;
    /** @type {() => ImageLevels | null} */
    this.drawing = null;
    /** @type {() => ImageLevels | null} */
    this.generated = null;
    /** @type {() => Promise<ImageLevels>} */
    this.heldOut = null;
    /** @type {(file: string, bytes: Uint8Array) => void} */
    this.decode = null;
    this.asked = 0;
    /** models.json's entries, to find a link's model by its digest.
     *  @type {{ file: string, digest: string }[]} */
    this.models = [];
    /** @type {{ id: number, source: string, levels: Uint8Array, meta: Metadata, file: string, label: number } | null} */
    this.pending = null; // the compression asked for by a button
    /** @type {{ source: string, file: string, bytes: number[], png: number, link: string, levels: number[], label: number | null, ms: number } | null} */
    this.last = null; // the last compression, for the tests
    /** @type {{ id: number, bytes: Uint8Array } | null} */
    this.opening = null; // a link being read
    /** @type {Map<number, { resolve: (b: Uint8Array) => void, reject: (e: Error) => void }>} */
    this.requests = new Map();
    this.el = (id) => /** @type {HTMLElement} */ (root.querySelector(`#${id}`));
    this.el('compress-drawing').addEventListener('click', () => this.compress('drawing', this.drawing()));
    this.el('compress-generated').addEventListener('click', () => this.compress('generated image', this.generated()));
    this.el('compress-heldout').addEventListener('click', async () => {
      try {
        this.compress('held-out image', await this.heldOut());
      } catch (e) {
        this.status('error', `No held-out image: ${e.message}`);
      }
    });
    this.el('codec-copy').addEventListener('click', () => navigator.clipboard && navigator.clipboard.writeText(this.el('codec-link').getAttribute('href')));
  }

  /** @param {string} state @param {string} text */
  status(state, text) {
    const el = this.el('codec-status');
    el.dataset.state = state;
    el.textContent = text;
  }

  /** Sends `image` ({ levels, label }) of the loaded model to the worker to be compressed.
   * @param {string} source what the image is, for the status @param {ImageLevels | null} image */
  compress(source, image) {
    const m = this.model();
    if (!m || !image) return this.status('error', m ? `No ${source} to compress yet.` : 'No model loaded yet.');
    if (!m.meta || image.levels.length !== m.meta.channels * m.meta.height * m.meta.width) return this.status('error', `The ${source} does not fit the loaded model.`);
    this.pending = { id: ++this.asked, source, levels: Uint8Array.from(image.levels), meta: m.meta, file: m.file, label: image.label };
    this.status('sampling', `Compressing the ${source}…`);
    this.send({ type: 'compress', id: this.asked, file: m.file, levels: this.pending.levels, label: image.label ?? -1 });
  }

  /** Compresses `levels` with model `file` (loaded in the worker if need be), for scripts and tests:
   *  resolves to the file's bytes.
   * @param {string} file @param {ArrayLike<number>} levels @param {number} [label]
   * @returns {Promise<Uint8Array>} */
  compressFile(file, levels, label = -1) {
    const id = ++this.asked;
    return new Promise((resolve, reject) => {
      this.requests.set(id, { resolve, reject });
      this.send({ type: 'compress', id, file, levels: Uint8Array.from(levels), label: label ?? -1 });
    });
  }

  /** @param {import('./messages.js').CompressedReply} msg */
  async onCompressed(msg) {
    const asked = this.requests.get(msg.id);
    if (asked) {
      this.requests.delete(msg.id);
      return msg.error ? asked.reject(new Error(msg.error)) : asked.resolve(msg.bytes);
    }
    const p = this.pending;
    if (!p || msg.id !== p.id) return;
    this.pending = null;
    if (msg.error) return this.status('error', `Not compressed: ${msg.error}`);
    const bytes = msg.bytes;
    const png = await browserPngBytes(p.meta, p.levels);
    const link = `${location.origin}${location.pathname}${PREFIX}${toBase64Url(bytes)}`;
    this.last = { source: p.source, file: p.file, bytes: Array.from(bytes), png, link, levels: Array.from(p.levels), label: p.label ?? null, ms: msg.ms };
    this.el('codec-bytes').textContent = `${bytes.length} bytes`;
    this.el('codec-png').textContent = `${png} bytes`;
    const subpixels = p.levels.length;
    this.el('codec-bits').textContent = `${((8 * bytes.length) / subpixels).toFixed(3)} bits per sub-pixel, header included`;
    const a = /** @type {HTMLAnchorElement} */ (this.el('codec-link'));
    a.href = link;
    a.textContent = `Share link (${link.length} characters)`;
    a.hidden = false;
    this.el('codec-copy').hidden = false;
    this.status('done', `The ${p.source}: ${bytes.length} bytes, against ${png} as PNG (${(png / bytes.length).toFixed(1)}×), in ${msg.ms.toFixed(0)} ms.`);
  }

  /** The page was opened with a link: read the file's header in the worker to find its model.
   * @param {Uint8Array} bytes */
  open(bytes) {
    this.opening = { id: ++this.asked, bytes };
    this.status('preparing', 'Reading the link…');
    this.send({ type: 'header', id: this.asked, bytes });
  }

  /** @param {import('./messages.js').HeaderReply} msg */
  onHeader(msg) {
    const o = this.opening;
    if (!o || msg.id !== o.id) return;
    this.opening = null;
    if (msg.error) return this.status('error', `The link cannot be opened: ${msg.error}`);
    /** @type {CompressedHeader} */
    const h = msg.header;
    const entry = this.models.find((m) => m.digest === h.model);
    if (!entry) return this.status('error', `The link's image was compressed with a model this page does not have (model ${h.model}).`);
    this.status('sampling', `Decoding ${h.bytes} bytes with ${entry.file}…`);
    this.decode(entry.file, o.bytes);
  }

  /** Progress of the decoding job, with the bits of the payload used so far.
   * @param {import('./messages.js').ProgressReply} msg */
  progress(msg) {
    this.status('sampling', `Decoding: ${msg.position} of ${msg.total} sub-pixels, ${msg.bits.toFixed(1)} of ${msg.payloadBits} payload bits used.`);
  }

  /** @param {import('./messages.js').DoneReply} msg */
  decoded(msg) {
    this.status('done', `Decoded and checked: ${msg.header.bytes} bytes gave the ${msg.total} sub-pixels in ${msg.elapsedMs.toFixed(0)} ms.`);
  }

  /** @param {string} text */
  failed(text) {
    this.status('error', `The link did not decode: ${text}`);
  }

  /** Whether a generated image exists to compress.
   * @param {boolean} ok */
  setGenerated(ok) {
    /** @type {HTMLButtonElement} */ (this.el('compress-generated')).disabled = !ok;
  }
}
