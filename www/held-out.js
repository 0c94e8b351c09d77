// The held-out images the page scores, compresses and starts completions from: the digits of
// digits.json (build.sh takes them from the test split) and the emoji of emoji-test.png, each file
// fetched once, when first needed.
import { pngText } from './png-text.js';

/** @typedef {import('./pkg/pixelwise.js').Metadata} Metadata */
/** One held-out image: level indices [C, H, W] and its class.
 *  @typedef {{ levels: ArrayLike<number>, label: number }} HeldOut */
/** One of digits.json's: binary pixels as '0'/'1' in raster order, and the 256-level ones.
 *  @typedef {{ label: number, bits: string, grey: number[] }} Digit */

/** @type {Digit[] | null} */
let digits = null;
/** @type {{ levels: Uint8Array, label: number }[] | null} */
let emoji = null;

async function fetchDigits() {
  const res = await fetch('digits.json');
  if (!res.ok) throw new Error(`digits.json: HTTP ${res.status}`);
  return (await res.json()).digits;
}

/** The committed held-out emoji (models/emoji-test.png, 16x16 tiles stacked top to bottom), read
 *  through a canvas: level indices [3, 16, 16] per image. */
async function heldOutEmoji() {
  if (!emoji) {
    const res = await fetch('emoji-test.png');
    if (!res.ok) throw new Error(`emoji-test.png: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const bitmap = await createImageBitmap(new Blob([bytes]), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
    const c = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = c.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
    const side = bitmap.width;
    // One fetch gives both the pixels and, from the text chunk, each image's class.
    const text = pngText(bytes, 'pixelwise');
    const labels = text ? JSON.parse(text).labels : [];
    emoji = Array.from({ length: bitmap.height / side }, (_, k) => {
      const levels = new Uint8Array(3 * side * side);
      for (let p = 0; p < side * side; p++) for (let ch = 0; ch < 3; ch++) levels[ch * side * side + p] = d[(k * side * side + p) * 4 + ch];
      return { levels, label: labels[k] ?? 0 };
    });
  }
  return emoji;
}

/** A random held-out image of model `m`'s data set (emoji for a colour model, else digits at its
 *  levels).
 * @param {Metadata} m
 * @returns {Promise<HeldOut>} */
export async function heldOutImage(m) {
  if (m.channels === 3) {
    const all = await heldOutEmoji();
    return all[Math.floor(Math.random() * all.length)];
  }
  if (!digits) digits = await fetchDigits();
  const d = digits[Math.floor(Math.random() * digits.length)];
  const levels = m.levels === 2 ? Array.from(d.bits, (b) => (b === '1' ? 1 : 0)) : d.grey;
  return { levels, label: d.label };
}

/** "Start from a real one": the top half of a random held-out image of the pad's kind on the pad
 *  (`height`: the model's), to be completed. Resolves to what to tell the visitor.
 * @param {import('./drawing-pad.js').DrawingPad} pad
 * @param {number} height */
export async function realDigit(pad, height) {
  const rows = Math.floor(height / 2);
  if (pad.mode === 'rgb') {
    const all = await heldOutEmoji();
    const k = Math.floor(Math.random() * all.length);
    pad.loadLevels(all[k].levels, 3, rows);
    return `Top half of held-out emoji ${k + 1} of ${all.length}. Press Complete.`;
  }
  if (!digits) digits = await fetchDigits();
  const d = digits[Math.floor(Math.random() * digits.length)];
  if (pad.mode === 'grey') pad.loadLevels(d.grey, 1, rows);
  else pad.loadTop(d.bits, rows);
  return `Top half of a held-out ${d.label}. Press Complete.`;
}
