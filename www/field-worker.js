// Receptive fields, in a worker of their own: measuring one by perturbation is a single long wasm
// call (tens of seconds), which must block neither the page nor the sampler. The page ends this
// worker and starts a new one when a newer request makes a running measurement useless.
import init, { Model } from './pkg/pixelwise.js';

const ready = init();
const models = new Map(); // file -> Promise<Model>

function loadModel(file, bytes) {
  if (!models.has(file)) {
    const loading = (async () => {
      await ready;
      if (bytes) return Model.fromBytes(new Uint8Array(bytes)); // opened from the visitor's computer
      const res = await fetch(`models/${encodeURIComponent(file)}`);
      if (!res.ok) throw new Error(`models/${file}: HTTP ${res.status} ${res.statusText}`.trim());
      return Model.fromBytes(new Uint8Array(await res.arrayBuffer()));
    })();
    loading.catch(() => models.delete(file));
    models.set(file, loading);
  }
  return models.get(file);
}

// `measure`: perturb every pixel on the native engine. Otherwise the field is derived at once from
// the masks and the layers (structuralField); an architecture the wasm cannot derive is measured.
self.onmessage = async (e) => {
  const { id, file, row, col, measure, bytes } = e.data;
  try {
    const model = await loadModel(file, bytes);
    const t0 = performance.now();
    let field = null;
    let source = 'measured';
    if (!measure) {
      try {
        field = model.structuralField(row, col);
        source = 'masks';
      } catch {
        field = null; // no mask rule for this architecture: measure it
      }
    }
    if (!field) {
      self.postMessage({ type: 'computing', id });
      try {
        field = model.receptiveField('native', row, col);
      } catch {
        field = model.receptiveField('tract', row, col); // a file only tract can run
      }
    }
    self.postMessage({ type: 'field', id, field, source, ms: performance.now() - t0 }, [field.buffer]);
  } catch (err) {
    self.postMessage({ type: 'error', id, message: (err && err.message) || String(err) });
  }
};
