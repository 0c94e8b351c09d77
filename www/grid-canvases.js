// The worker's side of the page's grids: each canvas arrives once as an OffscreenCanvas (a canvas
// can be handed over only once) and is kept by its id; every job builds a painter on it from the
// module its model lives in (a painter of one module cannot be passed to another's sampler), and
// the newest painter per canvas is kept for its PNG.

/** @typedef {typeof import('./pkg/pixelwise.js')} Bindings */
/** @typedef {import('./pkg/pixelwise.js').GridPainter} GridPainter */

/** @type {Map<string, OffscreenCanvas>} */
const canvases = new Map();
/** @type {Map<string, GridPainter>} */
const painters = new Map();

/** Keeps the canvas the page handed over. */
export function receive(id, canvas) {
  canvases.set(id, canvas);
  const old = painters.get(id);
  if (old) old.free();
  painters.delete(id);
}

/** A new painter on canvas `id` for a grid of `shape`, replacing the one drawn there before.
 * @param {string} id
 * @param {Bindings} bindings the module of the sampler that will paint into it
 * @param {import('./pkg/pixelwise.js').GridShape} shape
 */
export function paint(id, bindings, shape) {
  const canvas = canvases.get(id);
  if (!canvas) throw new Error(`the page has not handed over canvas #${id}`);
  const old = painters.get(id);
  painters.delete(id);
  if (old) old.free();
  const painter = new bindings.GridPainter(canvas, shape);
  painters.set(id, painter);
  return painter;
}

/** True while `painter` is still the one drawing on canvas `id` (a newer job may have replaced it). */
export const current = (id, painter) => painters.get(id) === painter;

/** The last grid painted on canvas `id` as a PNG, each pixel `scale` x `scale`. */
export function png(id, scale) {
  const painter = painters.get(id);
  if (!painter) return Promise.reject(new Error(`nothing has been drawn on canvas #${id}`));
  return painter.png(scale);
}
