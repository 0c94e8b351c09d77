// Receptive fields measured by perturbation, in a worker of their own: one long wasm call (tens of
// seconds), which must block neither the page nor the sampler. It is started only for a
// measurement, and parses its own copy of the model for it. The page ends this
// worker and starts a new one when a newer request makes a running measurement useless.
import { loadModule, NATIVE } from './wasm-modules.js';

const models = new Map(); // file -> Promise<Model>
/** Replies typed by the page's schema (messages.js), so tsc checks them.
 * @param {import('./messages.js').MeasureReply} msg
 * @param {Transferable[]} [transfer] */
const post = (msg, transfer = []) => self.postMessage(msg, transfer);

/** The model in the native-only module, or in the full one when only tract can read the file. */
function loadModel(file, bytes) {
  if (!models.has(file)) {
    const loading = (async () => {
      let data = bytes && new Uint8Array(bytes); // opened from the visitor's computer
      if (!data) {
        const res = await fetch(`models/${encodeURIComponent(file)}`);
        if (!res.ok) throw new Error(`models/${file}: HTTP ${res.status} ${res.statusText}`.trim());
        data = new Uint8Array(await res.arrayBuffer());
      }
      const native = await loadModule(NATIVE);
      await native.pool.catch(() => {}); // measured on every thread there is (one if the pool failed)
      const model = native.bindings.Model.fromBytes(data);
      if (model.engines().length) return model;
      model.free();
      return (await loadModule('full')).bindings.Model.fromBytes(data);
    })();
    loading.catch(() => models.delete(file));
    models.set(file, loading);
  }
  return models.get(file);
}

// Measures a pixel's field by perturbing every input pixel: the native engine where this module
// knows the architecture, else tract. (Fields derived from the masks come from the sampler's worker.)
/** @param {MessageEvent<import('./messages.js').MeasureRequest>} e */
self.onmessage = async (e) => {
  const { id, file, row, col, bytes } = e.data;
  try {
    const model = await loadModel(file, bytes);
    const t0 = performance.now();
    post({ type: 'computing', id });
    const field = model.receptiveField(model.engines().includes('native') ? 'native' : 'tract', row, col);
    post({ type: 'field', id, field, source: 'measured', ms: performance.now() - t0 }, [field.buffer]);
  } catch (err) {
    post({ type: 'error', id, message: (err && err.message) || String(err) });
  }
};
