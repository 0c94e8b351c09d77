// Owns the wasm module: loads model files, builds engines and steps samplers in short slices so
// that a newer request (or a stop) is seen within one slice. Every message carries the generation
// id it belongs to; the page drops those of older generations.
// It starts on the small native-only module; the first time tract is needed (the tract engine
// chosen, a file the native engine cannot read) it moves to the full module for good and reads
// its models again there from the bytes it kept.
import { loadModule, prefetchModule, NATIVE } from './wasm-modules.js';
import * as grids from './grid-canvases.js';

const SLICE_MS = 25;
/** Milestones as wall-clock ms, which the page turns into ms after its navigation. */
const marks = { worker_running: performance.timeOrigin + performance.now() };
const markNow = (name) => (marks[name] ??= performance.timeOrigin + performance.now());
const message = (e) => (e && e.message) || String(e);
/** Every reply goes through here, so tsc checks each against the protocol (messages.js).
 * @param {import('./messages.js').Reply} msg
 * @param {Transferable[]} [transfer] */
const post = (msg, transfer = []) => self.postMessage(msg, transfer);

/** Progress of a module's download, for the page to show which is loading and how far. */
const progressOf = (name, why) => {
  let last = 0;
  return (received, total) => {
    if (received >= total) markNow(`${name}_wasm_downloaded`);
    const now = performance.now();
    if (received < total && now - last < 100) return;
    last = now;
    post({ type: 'module', name, why, received, total });
  };
};

/** The module in use. @type {import('./wasm-modules.js').LoadedModule | null} */
let wasm = null;
/** @type {(module: WebAssembly.Module | null) => void} */
let handOver;
/** The native module compiled by the page (the boot script), or null when the worker is to fetch it. */
const nativeCompiled = new Promise((resolve) => (handOver = resolve));
const wasmReady = loadModule(NATIVE, progressOf(NATIVE, 'the native engine'), nativeCompiled).then(
  (m) => (wasm = m),
  (e) => {
    throw new Error(`the WebAssembly module did not start: ${message(e)}`);
  },
);
let fullReady = null;

/** Moves this worker to the full module (tract included); `why` is shown while it downloads. */
function needFull(why) {
  if (!fullReady) {
    fullReady = loadModule('full', progressOf('full', why)).then(
      (m) => {
        wasm = m;
        post({ type: 'module', name: 'full', done: true });
        return m;
      },
      (e) => {
        fullReady = null;
        throw new Error(`the tract module did not load: ${message(e)}`);
      },
    );
  }
  return fullReady;
}

let current = -1; // the newest generation id seen; older loops stop at their next slice

const fileBytes = new Map(); // file -> Uint8Array, kept so a model can be read again in the full module
const models = new Map(); // file -> { module, loading: Promise<entry> }, parsed in the module named

/** `given`: the file's bytes when the visitor opened it from their computer; else it is fetched.
 *  `tract`: the caller needs the tract engine, so the full module. */
function loadModel(file, given = null, { tract = false } = {}) {
  // Once the full module is in use, models move there as they are next asked for.
  const wantFull = tract || (wasm && wasm.name === 'full');
  const held = models.get(file);
  if (held && !given && (held.module === 'full' || !wantFull)) return held.loading;
  const loading = (async () => {
    const t0 = performance.now();
    let bytes = given ? new Uint8Array(given) : fileBytes.get(file);
    if (!bytes) {
      // Fetched while the module may still be downloading: the two share the wire.
      const res = await fetch(`models/${encodeURIComponent(file)}`);
      if (!res.ok) throw new Error(`models/${file}: HTTP ${res.status} ${res.statusText}`.trim());
      bytes = new Uint8Array(await res.arrayBuffer());
    }
    fileBytes.set(file, bytes);
    await wasmReady;
    if (tract) await needFull('for the tract engine');
    let model = wasm.bindings.Model.fromBytes(bytes);
    if (!model.engines().length) {
      // The native-only module could not read it (no metadata, or an architecture it does not know).
      model.free();
      await needFull('for a file only tract can read');
      model = wasm.bindings.Model.fromBytes(bytes);
    }
    // The kernel masks and the diagram, or why there are none (a file only tract can run): the
    // page shows the reason.
    const masks = attempt(() => model.masks());
    const diagram = attempt(() => model.diagram());
    // The bindings the model came from: its sampler paints only with a painter of the same module.
    return { model, bindings: wasm.bindings, meta: model.metadata(), card: model.card(), masks, diagram, loadMs: performance.now() - t0, bytes: bytes.length, module: wasm.name };
  })();
  const entry = { module: wantFull ? 'full' : NATIVE, loading };
  loading.then((e) => (entry.module = e.module), () => {});
  // A failed load is forgotten so that a retry fetches again.
  loading.catch(() => models.get(file) === entry && models.delete(file));
  models.set(file, entry);
  return loading;
}

/** `{ value }` or `{ error }`: a result the page shows either way. */
function attempt(f) {
  try {
    return { value: f() };
  } catch (e) {
    return { error: message(e) };
  }
}

/** The page's request in the module's typed options: one label per image (null for none) and kept
 *  levels with null where the sampler draws.
 * @param {import('./pkg/pixelwise.js').EngineName} engine
 * @param {{ n: number, seed: number, temperature?: number, labels?: ArrayLike<number>, kept?: ArrayLike<number>, guidance?: number, readClass?: boolean }} req
 * @returns {import('./pkg/pixelwise.js').SamplerOptions}
 */
function samplerOptions(engine, { n, seed, temperature, labels, kept, guidance, readClass }) {
  const opts = { engine, n, seed, temperature: temperature ?? 1, guidance: guidance || 1 };
  if (readClass) opts.readClass = true;
  if (labels && labels.length) opts.labels = Array.from(labels, (l) => (l >= 0 ? l : null));
  if (kept && kept.length) opts.kept = Array.from(kept, (k) => (k >= 0 ? k : null));
  return opts;
}

const yieldToEvents = () => new Promise((resolve) => setTimeout(resolve, 0));

/** The model's shape, for a grid of `n` images `cols` a row (absent: as square as fits).
 * @param {import('./pkg/pixelwise.js').Metadata} meta
 * @returns {import('./pkg/pixelwise.js').GridShape} */
const gridShape = (meta, n, cols) => ({ n, cols, height: meta.height, width: meta.width, channels: meta.channels, levels: meta.levels });

/** @param {import('./messages.js').GenerateRequest} req */
async function generate(req) {
  markNow('generate_received');
  const { gen, file, engine, n, cols, canvas, seed, temperature, labels, kept, guidance, readClass, stepDelayMs = 0 } = req;
  const { model, meta, bindings } = await loadModel(file, null, { tract: engine === 'tract' });
  if (gen !== current) return;
  post({ type: 'status', gen, text: engine === 'tract' ? 'optimising the ONNX graph (tract)…' : 'building the native engine…' });
  await yieldToEvents();
  if (gen !== current) return;
  const t0 = performance.now();
  model.prepare(engine);
  const prepareMs = performance.now() - t0;
  markNow('engine_built');
  // Guidance only means something for a conditional model with a class chosen.
  const sampler = model.sampler(samplerOptions(engine, { n, seed, temperature, labels, kept, guidance, readClass }));
  markNow('sampler_made');
  let painter;
  try {
    painter = grids.paint(canvas, bindings, gridShape(meta, n, cols));
    markNow('painter_made');
    sampler.paintKept(painter);
  } catch (e) {
    sampler.free();
    throw e;
  }
  post({ type: 'grid', gen, layout: painter.layout(), reading: sampler.classReading() });
  markNow('sampler_ready');
  const total = sampler.total();
  const started = performance.now();
  let firstPixelMs = null;
  let sampledPixels = 0; // pixels drawn by the sampler (kept ones are not counted)
  let shownFirst = false;
  let postedFirst = 0;
  // A stopped or replaced job takes its marker off, unless a newer job already draws on the canvas.
  const stopped = () => {
    if (grids.current(canvas, painter)) painter.finish();
  };
  const perCall = callSizer();
  try {
    while (!sampler.done()) {
      if (gen !== current) return stopped();
      const sliceStart = performance.now();
      /** The last position the sampler drew in this slice. */
      let last = null;
      do {
        const callStart = performance.now();
        const stepped = sampler.stepInto(stepDelayMs || !shownFirst ? 1 : perCall.size, painter);
        perCall.took(performance.now() - callStart);
        sampledPixels += stepped.sampled * n;
        last = stepped.last ?? last;
        if (firstPixelMs === null && stepped.positions) firstPixelMs = performance.now() - t0;
        if (!shownFirst && sampledPixels > 0) {
          markNow('first_step_done');
          shownFirst = true; // the first sampled pixel goes out at once, later ones a slice at a time
          break;
        }
      } while (!sampler.done() && !stepDelayMs && performance.now() - sliceStart < SLICE_MS);
      const position = sampler.position();
      const elapsed = performance.now() - started;
      post({
        type: 'progress', gen, last, position, total, prepareMs, firstPixelMs,
        pixelsPerSecond: elapsed > 0 ? (sampledPixels * 1000) / elapsed : 0,
        // Projected from the share done so far; exact once done.
        msPerImage: position > 0 ? (elapsed * total) / position / n : null,
        probs: last ? sampler.probabilities() : new Float32Array(0), levels: meta.levels, marks: postedFirst++ ? undefined : { ...marks },
      });
      // Slowed down on request, one sub-pixel per message, so the order can be watched.
      if (stepDelayMs) await new Promise((resolve) => setTimeout(resolve, stepDelayMs));
      else await yieldToEvents();
    }
    if (gen !== current) return stopped();
    painter.finish();
    const elapsed = performance.now() - started;
    // 'done' after this task, so the finished picture has gone to the page's canvas before it.
    await yieldToEvents();
    post({
      type: 'done', gen, levelsOut: sampler.levels(), position: sampler.position(), total, prepareMs, firstPixelMs, shared: sampler.sharedPositions(),
      pixelsPerSecond: elapsed > 0 ? (sampledPixels * 1000) / elapsed : 0, msPerImage: elapsed / n, elapsedMs: elapsed,
    });
  } finally {
    sampler.free();
  }
}

/** Positions per step call, grown while a call stays well inside a slice and halved when one runs
 *  long: each call is one join of the threaded module's pool, so one position per call would spend
 *  its time waking threads, while about one call per slice keeps the page responsive. */
function callSizer() {
  let size = 1;
  return {
    get size() { return size; },
    /** @param {number} ms how long the last call took */
    took(ms) {
      if (ms < SLICE_MS / 2) size = Math.min(size * 2, 1024);
      else if (ms > SLICE_MS * 1.5) size = Math.max(1, size >> 1);
    },
  };
}

/** A compressed image decoded into the grid position by position, like a generation: the coded
 *  bits stand in for the random draws. The last position checks the image against the file.
 * @param {import('./messages.js').DecodeRequest} req */
async function decode(req) {
  const { gen, file, canvas, bytes } = req;
  const { model, meta, bindings } = await loadModel(file);
  if (gen !== current) return;
  const decoder = model.decoder(bytes);
  let painter;
  try {
    painter = grids.paint(canvas, bindings, gridShape(meta, 1, 1));
  } catch (e) {
    decoder.free();
    throw e;
  }
  post({ type: 'grid', gen, layout: painter.layout(), reading: null });
  const total = decoder.total();
  const started = performance.now();
  const perCall = callSizer();
  try {
    while (!decoder.done()) {
      if (gen !== current) {
        if (grids.current(canvas, painter)) painter.finish();
        return;
      }
      const sliceStart = performance.now();
      let stepped;
      do {
        const callStart = performance.now();
        stepped = decoder.stepInto(perCall.size, painter);
        perCall.took(performance.now() - callStart);
      } while (!decoder.done() && performance.now() - sliceStart < SLICE_MS);
      const elapsed = performance.now() - started;
      post({
        type: 'progress', gen, last: stepped.last, position: decoder.position(), total, prepareMs: null, firstPixelMs: null,
        pixelsPerSecond: elapsed > 0 ? (decoder.position() * 1000) / elapsed : 0, msPerImage: null,
        probs: new Float32Array(0), levels: meta.levels, bits: stepped.bits, payloadBits: stepped.payload_bits,
      });
      await yieldToEvents();
    }
    painter.finish();
    const elapsed = performance.now() - started;
    await yieldToEvents();
    post({ type: 'done', gen, levelsOut: decoder.levels(), position: total, total, prepareMs: null, firstPixelMs: null, shared: null, pixelsPerSecond: (total * 1000) / elapsed, msPerImage: elapsed, elapsedMs: elapsed, header: decoder.header() });
  } finally {
    decoder.free();
  }
}

/** One image compressed with the native engine, or why it cannot be.
 * @param {import('./messages.js').CompressRequest} req */
async function compress(req) {
  try {
    const { model } = await loadModel(req.file);
    const t0 = performance.now();
    const bytes = model.compress(Uint8Array.from(req.levels), req.label >= 0 ? req.label : undefined);
    post({ type: 'compressed', id: req.id, bytes, ms: performance.now() - t0, digest: model.digest() });
  } catch (err) {
    post({ type: 'compressed', id: req.id, error: message(err) });
  }
}

/** A compressed image's header, read before its model is chosen.
 * @param {import('./messages.js').HeaderRequest} req */
async function readHeader(req) {
  try {
    await wasmReady;
    post({ type: 'header', id: req.id, header: wasm.bindings.readCompressedHeader(req.bytes) });
  } catch (err) {
    post({ type: 'header', id: req.id, error: message(err) });
  }
}

/** Naive against cached: both engines sample the same image, taking turns of one slice each, so
 *  both advance together on the worker's one thread. Rates count each engine's own time only. */
let raceToken = 0;
/** @type {import('./pkg/pixelwise.js').EngineName[]} */
const RACERS = ['native', 'tract'];
/** @param {import('./messages.js').RaceRequest} req */
async function race(req) {
  const token = ++raceToken;
  const fail = (err) => post({ type: 'race', raceId: req.raceId, error: message(err) });
  let lanes = [];
  try {
    const { model, meta, bindings } = await loadModel(req.file, null, { tract: true });
    for (const engine of RACERS) {
      model.prepare(engine);
      if (token !== raceToken) return;
      await yieldToEvents();
    }
    lanes = RACERS.map((engine) => ({
      engine, busyMs: 0, sampled: 0,
      sampler: model.sampler(samplerOptions(engine, { n: 1, seed: req.seed, temperature: req.temperature, labels: req.labels })),
      painter: grids.paint(req.canvases[engine], bindings, gridShape(meta, 1)),
    }));
    while (lanes.some((l) => !l.sampler.done())) {
      for (const lane of lanes) {
        if (token !== raceToken) return;
        if (lane.sampler.done()) continue;
        const start = performance.now();
        do {
          lane.sampled += lane.sampler.stepInto(1, lane.painter).positions;
        } while (!lane.sampler.done() && performance.now() - start < SLICE_MS);
        lane.busyMs += performance.now() - start;
        post({ type: 'race', raceId: req.raceId, kind: 'progress', engine: lane.engine, position: lane.sampler.position(), total: lane.sampler.total(), busyMs: lane.busyMs, sampled: lane.sampled });
        await yieldToEvents();
      }
    }
    const [n, t] = lanes;
    for (const l of lanes) l.painter.finish();
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
/** @param {import('./messages.js').StepperRequest} req */
async function stepperOp(req) {
  try {
    if (req.op === 'start') {
      if (stepper) stepper.sampler.free();
      stepper = null;
      const { model } = await loadModel(req.file);
      const sampler = model.sampler(samplerOptions('native', { n: 1, seed: req.seed, temperature: req.temperature, labels: req.labels }));
      stepper = { id: req.stepperId, model, sampler };
      return;
    }
    if (!stepper || stepper.id !== req.stepperId) throw new Error('no stepping sampler for this model: press Start over');
    const { model, sampler } = stepper;
    if (sampler.done()) throw new Error('the image is complete: press Start over');
    const { last } = sampler.step(req.count);
    const field = model.structuralField(last.row, last.col);
    post({ type: 'stepper', stepperId: req.stepperId, last, colours: sampler.imageColours(0), probs: sampler.probabilities(), parts: sampler.headParts(), field, gates: sampler.gates(), position: sampler.position(), total: sampler.total(), done: sampler.done() });
  } catch (err) {
    post({ type: 'stepper', stepperId: req.stepperId, error: message(err) });
  }
}

/** The "How it works" lessons: no generation id, so they never stop a running generation.
 * @param {import('./messages.js').LessonRequest} req */
async function lesson(req) {
  try {
    // Destructured, so that `kind` can still be named when it is none of the known ones.
    const { kind } = req;
    if (kind === 'worked') {
      await wasmReady;
      const stages = wasm.bindings.workedExample(Float32Array.from(req.image), Float32Array.from(req.weights));
      post({ type: 'lesson', id: req.id, stages });
    } else if (kind === 'surprise') {
      const { model } = await loadModel(req.file);
      let bits;
      const label = req.label >= 0 ? req.label : undefined;
      if (model.engines().includes('native')) bits = model.surprise('native', req.pixels, label);
      else bits = model.surprise('tract', req.pixels, label); // an architecture only tract runs
      post({ type: 'lesson', id: req.id, bits });
    } else {
      throw new Error(`unknown lesson ${kind}`);
    }
  } catch (err) {
    post({ type: 'lesson', id: req.id, error: message(err) });
  }
}

/** A pixel's receptive field derived from the masks and layers, from this worker's parsed model
 *  (instant). A file only tract can run has no rule to derive it from: the page measures it.
 * @param {import('./messages.js').FieldRequest} req */
async function structuralField(req) {
  try {
    const { model } = await loadModel(req.file);
    if (!model.engines().includes('native')) return post({ type: 'field', id: req.id, measure: true });
    const t0 = performance.now();
    const field = model.structuralField(req.row, req.col);
    post({ type: 'field', id: req.id, field, source: 'masks', ms: performance.now() - t0 }, [field.buffer]);
  } catch (err) {
    post({ type: 'field', id: req.id, error: message(err) });
  }
}

/** The last grid drawn on a canvas, as a PNG for the page's download.
 * @param {import('./messages.js').PngRequest} req */
async function gridPng(req) {
  try {
    post({ type: 'png', id: req.id, blob: await grids.png(req.canvas, req.scale) });
  } catch (err) {
    post({ type: 'png', id: req.id, error: message(err) });
  }
}

/** @param {MessageEvent<import('./messages.js').Request>} e */
self.onmessage = async (e) => {
  const req = e.data;
  if (req.type === 'canvas') return grids.receive(req.id, req.canvas);
  if (req.type === 'png') return gridPng(req);
  if (req.type === 'lesson') return lesson(req);
  if (req.type === 'field') return structuralField(req);
  if (req.type === 'compress') return compress(req);
  if (req.type === 'header') return readHeader(req);
  if (req.type === 'prefetch') return loadModel(req.file, req.bytes).catch(() => {}); // the later 'load' reports errors
  if (req.type === 'wasm') return handOver(req.module);
  // The visitor is about to need tract (they reached for the engine or the file picker).
  if (req.type === 'prefetch-full') return prefetchModule('full', progressOf('full', 'ahead of use'));
  if (req.type === 'memory') {
    // The wasm's linear memory, for the soak test: it grows and never shrinks, so it must level off.
    await wasmReady;
    return post({ type: 'memory', id: req.id, wasmBytes: wasm.exports.memory.buffer.byteLength, models: models.size });
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
      await wasmReady;
      wasm.bindings.testTrap();
    } else if (req.type === 'generate') {
      await generate(req);
    } else if (req.type === 'decode') {
      await decode(req);
    }
    // 'stop' needs nothing more: raising `current` ends the running loop at its next slice.
  } catch (err) {
    // A trap (a Rust panic, out of memory) leaves the module unusable: the page starts a new worker.
    if (err instanceof WebAssembly.RuntimeError || /unreachable|out of memory/i.test(message(err))) post({ type: 'crashed', message: message(err) });
    else post({ type: 'error', gen: req.gen, message: message(err) });
  }
};

wasmReady.then(
  (m) => {
    post({ type: 'ready', threads: m.threads, pool: m.threads > 1 ? 'starting' : 'up', marks: { ...marks, wasm_instantiated: performance.timeOrigin + performance.now() } });
    if (m.threads > 1) {
      m.pool.then(
        () => post({ type: 'pool', threads: m.threads }),
        (err) => post({ type: 'pool', threads: 1, error: message(err) }),
      );
    }
  },
  (err) => post({ type: 'fatal', message: message(err) }),
);
