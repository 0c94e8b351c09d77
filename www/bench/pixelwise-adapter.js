// Every call the bench makes into a pixelwise wasm module is in this file, so that a change to the
// module's exports (the sampler's arguments, say) is one edit here. The same functions drive the
// single-threaded full module (www/pkg/pixelwise.js) and the threaded native one
// (www/pkg/pixelwise_threads.js).

/** The single-threaded module every browser gets. */
export async function loadSingle() {
  const mod = await import('../pkg/pixelwise.js');
  await mod.default();
  return { mod, threads: 1 };
}

/** The threaded module with a pool of `threads`, or `{ reason }` saying why there is none: the
 * figure is then reported as null, never estimated. */
export async function loadThreaded(threads) {
  if (!self.crossOriginIsolated) return { reason: 'the page is not cross-origin isolated, so there is no SharedArrayBuffer for threads' };
  const url = new URL('../pkg/pixelwise_threads.js', import.meta.url);
  // Asked first, so that a missing build is a reason on the page rather than a failed import.
  const head = await fetch(url, { method: 'HEAD' }).catch(() => null);
  if (!head || !head.ok) return { reason: 'no threaded module: www/pkg/pixelwise_threads.js is not built' };
  const mod = await import(url.href);
  if (typeof mod.initThreadPool !== 'function') return { reason: 'www/pkg/pixelwise_threads.js exports no initThreadPool' };
  await mod.default();
  await mod.initThreadPool(threads);
  mod.threadPoolReady(); // the engine splits work over the pool from here on
  return { mod, threads };
}

/** A model parsed from its bytes, with the shape the bench needs. Free it with `closeModel`. */
export function openModel(pw, bytes) {
  const model = pw.mod.Model.fromBytes(bytes);
  const m = model.metadata();
  return { model, info: { arch: m.arch, levels: m.levels, channels: m.channels, height: m.height, width: m.width, classes: m.classes } };
}

/** The receptive field at (`row`, `col`) measured by perturbation on the native engine, as the
 * page's "Measure by perturbation" does. */
export function measureField(handle, row, col) {
  return handle.model.receptiveField('native', row, col);
}

export function closeModel(handle) {
  handle.model.free();
}

/** Builds an engine ('native' or 'tract'; tract optimises its graph here). */
export function prepare(handle, engine) {
  handle.model.prepare(engine);
}

/** One full forward of one image `[C*H*W]`; `label` null for none. */
export function forward(handle, engine, image, label) {
  return handle.model.forward(engine, image, label == null ? undefined : label);
}

/** Samples `n` whole images with the native cached sampler, all positions in one call (the engine's
 * own speed, without the page's drawing between slices). */
export function sampleImages(handle, { n, seed, label }) {
  const labels = Array.from({ length: n }, () => (label == null ? null : label));
  const sampler = handle.model.sampler({ engine: 'native', n, seed, labels });
  try {
    sampler.step(sampler.total());
    if (!sampler.done()) throw new Error(`the sampler stopped at ${sampler.position()} of ${sampler.total()} positions`);
  } finally {
    sampler.free();
  }
}
