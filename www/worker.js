// Owns the wasm module: loads model files, builds engines and steps samplers in short slices so
// that a newer request (or a stop) is seen within one slice. Every message carries the generation
// id it belongs to; the page drops those of older generations.
import init, { Model, workedExample, testTrap } from './pkg/pixelwise.js';

const SLICE_MS = 25;
const message = (e) => (e && e.message) || String(e);
const wasmReady = init().catch((e) => {
  throw new Error(`the WebAssembly module did not start: ${message(e)}`);
});
const models = new Map(); // file -> Promise<Model>
let current = -1; // the newest generation id seen; older loops stop at their next slice

const post = (msg, transfer = []) => self.postMessage(msg, transfer);

/** `given`: the file's bytes when the visitor opened it from their computer; else it is fetched. */
function loadModel(file, given = null) {
  if (!models.has(file)) {
    const loading = (async () => {
      await wasmReady;
      const t0 = performance.now();
      let bytes;
      if (given) {
        bytes = new Uint8Array(given);
      } else {
        const res = await fetch(`models/${encodeURIComponent(file)}`);
        if (!res.ok) throw new Error(`models/${file}: HTTP ${res.status} ${res.statusText}`.trim());
        bytes = new Uint8Array(await res.arrayBuffer());
      }
      const model = Model.fromBytes(bytes);
      let masks = null; // the kernel masks to draw; a file of unknown architecture has none
      try {
        masks = JSON.parse(model.masks());
      } catch {
        masks = null;
      }
      let diagram = null; // the blocks to draw; none for an architecture only tract knows
      try {
        diagram = JSON.parse(model.diagram());
      } catch {
        diagram = null;
      }
      return { model, meta: JSON.parse(model.metadata()), card: JSON.parse(model.card()), masks, diagram, loadMs: performance.now() - t0, bytes: bytes.length };
    })();
    // A failed load is forgotten so that a retry fetches again.
    loading.catch(() => models.delete(file));
    models.set(file, loading);
  }
  return models.get(file);
}

const yieldToEvents = () => new Promise((resolve) => setTimeout(resolve, 0));

async function generate(req) {
  const { gen, file, engine, n, seed, temperature, labels, kept, guidance, stepDelayMs = 0 } = req;
  const { model, meta } = await loadModel(file);
  if (gen !== current) return;
  post({ type: 'status', gen, text: engine === 'tract' ? 'optimising the ONNX graph (tract)…' : 'building the native engine…' });
  await yieldToEvents();
  if (gen !== current) return;
  const t0 = performance.now();
  model.prepare(engine);
  const prepareMs = performance.now() - t0;
  // Guidance only means something for a conditional model with a class chosen.
  const sampler = model.guidedSampler(engine, n, seed, temperature, Int32Array.from(labels || []), Int16Array.from(kept || []), guidance || 1);
  const total = sampler.total();
  const started = performance.now();
  let firstPixelMs = null;
  let sampledPixels = 0; // pixels drawn by the sampler (kept ones are not counted)
  const recordLen = 3 + n;
  try {
    while (!sampler.done()) {
      if (gen !== current) return;
      const sliceStart = performance.now();
      const chunks = [];
      let length = 0;
      do {
        const rec = sampler.step(1);
        chunks.push(rec);
        length += rec.length;
        for (let i = 0; i < rec.length; i += recordLen) if (!rec[i + 2]) sampledPixels += n;
        if (firstPixelMs === null && rec.length) firstPixelMs = performance.now() - t0;
      } while (!sampler.done() && !stepDelayMs && performance.now() - sliceStart < SLICE_MS);
      const records = new Int32Array(length);
      let at = 0;
      for (const c of chunks) {
        records.set(c, at);
        at += c.length;
      }
      const position = sampler.position();
      const elapsed = performance.now() - started;
      post(
        {
          type: 'progress', gen, records, position, total, prepareMs, firstPixelMs,
          pixelsPerSecond: elapsed > 0 ? (sampledPixels * 1000) / elapsed : 0,
          // Projected from the share done so far; exact once done.
          msPerImage: position > 0 ? (elapsed * total) / position / n : null,
          probs: sampler.probabilities(), levels: meta.levels,
        },
        [records.buffer],
      );
      // Slowed down on request, one sub-pixel per message, so the order can be watched.
      if (stepDelayMs) await new Promise((resolve) => setTimeout(resolve, stepDelayMs));
      else await yieldToEvents();
    }
    if (gen !== current) return;
    const elapsed = performance.now() - started;
    post({
      type: 'done', gen, levelsOut: sampler.levels(), position: sampler.position(), total, prepareMs, firstPixelMs,
      pixelsPerSecond: elapsed > 0 ? (sampledPixels * 1000) / elapsed : 0, msPerImage: elapsed / n, elapsedMs: elapsed,
    });
  } finally {
    sampler.free();
  }
}

/** Naive against cached: both engines sample the same image, taking turns of one slice each, so
 *  both advance together on the worker's one thread. Rates count each engine's own time only. */
let raceToken = 0;
async function race(req) {
  const token = ++raceToken;
  const fail = (err) => post({ type: 'race', raceId: req.raceId, error: message(err) });
  let lanes = [];
  try {
    const { model } = await loadModel(req.file);
    for (const engine of ['native', 'tract']) {
      model.prepare(engine);
      if (token !== raceToken) return;
      await yieldToEvents();
    }
    lanes = ['native', 'tract'].map((engine) => ({
      engine, busyMs: 0, sampled: 0,
      sampler: model.sampler(engine, 1, req.seed, req.temperature, Int32Array.from(req.labels || []), new Int16Array(0)),
    }));
    while (lanes.some((l) => !l.sampler.done())) {
      for (const lane of lanes) {
        if (token !== raceToken) return;
        if (lane.sampler.done()) continue;
        const start = performance.now();
        const parts = [];
        do {
          const rec = lane.sampler.step(1);
          parts.push(rec);
          lane.sampled += 1;
        } while (!lane.sampler.done() && performance.now() - start < SLICE_MS);
        lane.busyMs += performance.now() - start;
        const records = Int32Array.from(parts.flatMap((r) => Array.from(r)));
        post({ type: 'race', raceId: req.raceId, kind: 'progress', engine: lane.engine, records, position: lane.sampler.position(), total: lane.sampler.total(), busyMs: lane.busyMs, sampled: lane.sampled }, [records.buffer]);
        await yieldToEvents();
      }
    }
    const [n, t] = lanes;
    post({
      type: 'race', raceId: req.raceId, kind: 'done', native: n.sampler.levels(), tract: t.sampler.levels(),
      nativeMs: n.busyMs, tractMs: t.busyMs, nativeRate: (n.sampled * 1000) / n.busyMs, tractRate: (t.sampled * 1000) / t.busyMs,
    });
  } catch (err) {
    fail(err);
  } finally {
    for (const l of lanes) l.sampler.free();
  }
}

/** Step mode: one native sampler advanced on request; operations run in order. */
let stepper = null;
let stepperQueue = Promise.resolve();
async function stepperOp(req) {
  try {
    if (req.op === 'start') {
      if (stepper) stepper.sampler.free();
      stepper = null;
      const { model } = await loadModel(req.file);
      const sampler = model.sampler('native', 1, req.seed, req.temperature, Int32Array.from(req.labels || []), new Int16Array(0));
      stepper = { id: req.stepperId, model, sampler, width: JSON.parse(model.metadata()).width };
      return;
    }
    if (!stepper || stepper.id !== req.stepperId) throw new Error('no stepping sampler for this model: press Start over');
    const { model, sampler, width } = stepper;
    if (sampler.done()) throw new Error('the image is complete: press Start over');
    const records = sampler.step(req.count);
    const p = records[records.length - 4];
    const field = model.structuralField(Math.floor(p / width), p % width);
    post({ type: 'stepper', stepperId: req.stepperId, records, probs: sampler.probabilities(), field, gates: sampler.gates(), position: sampler.position(), total: sampler.total(), done: sampler.done() });
  } catch (err) {
    post({ type: 'stepper', stepperId: req.stepperId, error: message(err) });
  }
}

/** The "How it works" lessons: no generation id, so they never stop a running generation. */
async function lesson(req) {
  try {
    if (req.kind === 'worked') {
      await wasmReady;
      const stages = workedExample(Float32Array.from(req.image), Float32Array.from(req.weights));
      post({ type: 'lesson', id: req.id, stages });
    } else if (req.kind === 'surprise') {
      const { model } = await loadModel(req.file);
      let bits;
      try {
        bits = model.surprise('native', req.pixels, req.label);
      } catch {
        bits = model.surprise('tract', req.pixels, req.label); // an architecture only tract runs
      }
      post({ type: 'lesson', id: req.id, bits });
    } else {
      throw new Error(`unknown lesson ${req.kind}`);
    }
  } catch (err) {
    post({ type: 'lesson', id: req.id, error: message(err) });
  }
}

self.onmessage = async (e) => {
  const req = e.data;
  if (req.type === 'lesson') return lesson(req);
  if (req.type === 'memory') {
    // The wasm's linear memory, for the soak test: it grows and never shrinks, so it must level off.
    const exports = await wasmReady;
    return post({ type: 'memory', id: req.id, wasmBytes: exports.memory.buffer.byteLength, models: models.size });
  }
  if (req.type === 'race') return race(req);
  if (req.type === 'stepper') {
    stepperQueue = stepperQueue.then(() => stepperOp(req));
    return;
  }
  if (req.type === 'race-stop') {
    raceToken += 1; // the running race ends at its next turn
    return;
  }
  if (typeof req.gen === 'number' && req.gen > current) current = req.gen;
  try {
    if (req.type === 'load') {
      const { meta, card, masks, diagram, loadMs, bytes } = await loadModel(req.file, req.bytes);
      post({ type: 'loaded', gen: req.gen, file: req.file, meta, card, masks, diagram, loadMs, bytes });
    } else if (req.type === 'test-trap') {
      testTrap();
    } else if (req.type === 'generate') {
      await generate(req);
    }
    // 'stop' needs nothing more: raising `current` ends the running loop at its next slice.
  } catch (err) {
    // A trap (a Rust panic, out of memory) leaves the module unusable: the page starts a new worker.
    if (err instanceof WebAssembly.RuntimeError || /unreachable|out of memory/i.test(message(err))) post({ type: 'crashed', message: message(err) });
    else post({ type: 'error', gen: req.gen, message: message(err) });
  }
};

wasmReady.then(
  () => post({ type: 'ready' }),
  (err) => post({ type: 'fatal', message: message(err) }),
);
