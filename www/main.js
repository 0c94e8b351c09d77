// The page: controls, the sample grid, the drawing pad and completions, wired together. All model
// work happens in worker.js (reached through worker-link.js); every request gets a new generation
// id and replies of older ones are dropped.
import { DrawingPad } from './drawing-pad.js';
import { drawProbabilities } from './charts.js';
import { drawKernelMasks } from './kernel-masks.js';
import { ReceptiveView } from './receptive-view.js';
import { Lessons } from './lessons.js';
import { Race } from './race.js';
import { drawDiagram } from './diagram.js';
import { Stepper } from './stepper.js';
import { isolateLater } from './isolation.js';
import { CodecPanel, linkBytes } from './codec-panel.js';
import { $, $button, $canvas, $input, $output, $progress, $select } from './elements.js';
import { applyUrl, controls, params, writeUrl } from './url-state.js';
import { boot, connect, send, startWorker, stopWorker, workerOk } from './worker-link.js';
import { heldOutImage, realDigit } from './held-out.js';

/** @typedef {import('./pkg/pixelwise.js').Metadata} Metadata */
/** @typedef {import('./pkg/pixelwise.js').GridLayout} GridLayout */
/** @typedef {import('./pkg/pixelwise.js').ClassReading} ClassReading */
/** @typedef {import('./pkg/pixelwise.js').CompressedHeader} CompressedHeader */
/** @typedef {import('./messages.js').Reply} Reply */

// A visit to the plain address draws a first grid by itself as soon as the model is in; an address
// with settings (a shared link, the tests) waits for Generate, and one holding a compressed image
// decodes that instead.
/** @type {Uint8Array | null} */
let link = null;
/** @type {string | null} */
let linkError = null;
try {
  link = linkBytes();
} catch (e) {
  linkError = e.message;
}
let autostart = params.toString() === '' && !link && !linkError;

/**
 * The figures under the grid, as last shown (`final` once the job is done).
 * @typedef {{ pixelsPerSecond?: number, msPerImage?: number | null, prepareMs?: number | null, firstPixelMs?: number | null,
 *   workerFirstPixelMs?: number | null, position?: number, total?: number, shared?: number | null, final?: boolean,
 *   elapsedMs?: number, engine?: string }} Figures
 */
/**
 * A finished grid or completion: every image's levels, with what made them.
 * @typedef {{ seed: number, engine: string, model: string, n: number, images: number[][], labels: number[],
 *   figures: Figures, kept?: number[], pool?: 'starting' | 'up' | 'failed' }} Generation (`pool`: the threaded module's, as the job began)
 */
/**
 * window.pixelwise: what the end-to-end tests (tests/e2e) read and call; handy in the console.
 * @typedef {object} Pixelwise
 * @property {string} state the status line's state: loading, preparing, sampling, done, stopped, ready, error
 * @property {number} frames progress messages of the current job
 * @property {number} stale replies dropped as belonging to an older generation
 * @property {Figures} figures
 * @property {Generation | null} lastGeneration
 * @property {Generation | null} lastCompletion
 * @property {{ model: string, levels: number[], header: CompressedHeader }} [lastDecoded]
 * @property {import('./receptive-view.js').ShownField | null} field the receptive field shown
 * @property {Record<string, number>} marks milestones of the first second, ms after navigation
 * @property {Metadata} [meta] the loaded model's
 * @property {number} [threads] the sampler's threads now (1 while the pool starts)
 * @property {'starting' | 'up' | 'failed'} [pool] the threaded module's pool
 * @property {Record<string, 'loading' | 'ready'>} [modules] the wasm modules asked for
 * @property {number} [restarts] workers replaced after a crash
 * @property {number} [firstPixelAt] ms after navigation
 * @property {{ clickAt: number, framesAtStop: number, shownAt: number | null }} [stop] the last Stop's timing
 * @property {(rec: { pixel: number, channel: number, value: number }) => void} [onProgress] set by a test: each sub-pixel drawn
 * @property {(msg: import('./messages.js').MemoryReply) => void} [onMemory]
 * @property {() => Promise<import('./messages.js').MemoryReply>} [memory]
 * @property {(name: string, bytes: Uint8Array<ArrayBuffer>) => Promise<void>} [openBytes] a file, as if picked
 * @property {() => void} [testTrap]
 * @property {() => string} [overlayDataURL]
 * @property {() => Promise<string>} [gridDataURL]
 * @property {DrawingPad} [pad]
 * @property {Lessons} [lessons]
 * @property {Race} [race]
 * @property {CodecPanel} [codec]
 * @property {Stepper} [stepper]
 */
/** @type {Pixelwise} */
const pw = { state: 'loading', frames: 0, stale: 0, figures: {}, lastCompletion: null, lastGeneration: null, field: null, marks: {} };
/** @type {Window & typeof globalThis & { pixelwise: Pixelwise }} */ (window).pixelwise = pw;
/** Milestones of the first second, in ms after navigation (the first of each is kept). */
const mark = (/** @type {string} */ name) => (pw.marks[name] ??= Math.round(performance.now()));

/**
 * The job on the grid or the completions' canvas: a generation, a completion or a decoding.
 * @typedef {{ gen: number, kind: 'grid' | 'complete' | 'decode', canvas: string, layout: GridLayout | null, n: number,
 *   clickAt: number, firstAt: number | null, model: string, engine: string, seed?: number, kept?: number[],
 *   labels?: number[], reading?: string, pool?: 'starting' | 'up' | 'failed' }} Job
 */
/**
 * One of models.json's entries (`pixelwise manifest`).
 * @typedef {{ file: string, name: string, data: string, arch: string, classes: number, levels: number, channels: number,
 *   height: number, width: number, parameters: number, test_nll_nats: number | null, digest: string,
 *   head: { kind: string, title: string } }} ModelEntry
 */

let gen = 0;
/** @type {Job | null} */
let job = null;
/** @type {ModelEntry[]} */
let models = [];
/** @type {Metadata | null} */
let meta = null; // metadata of the loaded model
/** @type {string | null} */
let loadedFile = null;

// ---- status and errors ------------------------------------------------------------------------

/** @param {string} state @param {string} text */
function setState(state, text) {
  pw.state = state;
  const el = $('status');
  el.dataset.state = state;
  el.textContent = text;
  const busy = state === 'sampling' || state === 'preparing';
  $button('stop').disabled = !busy;
  $button('generate').disabled = !workerOk || !meta || busy;
  $button('complete').disabled = !workerOk || !meta || busy;
}

/** @param {string} text */
function showError(text) {
  const el = $('error');
  el.textContent = text;
  el.hidden = !text;
}

const fmt = (/** @type {number | null | undefined} */ v, digits = 0) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** @param {Figures} f */
function showFigures(f) {
  pw.figures = { ...pw.figures, ...f };
  const g = pw.figures;
  $('fig-rate').textContent = fmt(g.pixelsPerSecond);
  $('fig-image').textContent = g.msPerImage == null ? '–' : `${fmt(g.msPerImage, 1)}${g.final ? '' : ' (proj.)'}`;
  $('fig-first').textContent = g.firstPixelMs == null ? '–' : `${fmt(g.firstPixelMs, 1)} ms`;
  $('fig-prepare').textContent = g.prepareMs == null ? '–' : `${fmt(g.prepareMs, 1)} ms`;
  $('fig-position').textContent = g.total ? `${g.position} / ${g.total}` : '–';
  $('fig-shared').textContent = g.shared == null || !g.total ? '–' : `${g.shared} / ${g.total}`;
}

// ---- the worker's replies ---------------------------------------------------------------------

/** The wasm trapped or ran out of memory: a fresh worker, the model loaded again, and a message.
 *  @param {string} reason */
function restartWorker(reason) {
  prefetchAsked = false;
  pw.restarts = (pw.restarts || 0) + 1;
  stopWorker();
  if (job && job.kind === 'complete') setCompleteStatus('error', 'Stopped: the sampler crashed.');
  job = null;
  gen += 1;
  keepError = `The sampler crashed (${reason}) and was restarted; what was running is lost, everything else is as it was.`;
  showError(keepError);
  startWorker();
  if (pendingLocal) {
    // The file being opened crashed the module: refuse it rather than load it again.
    refuseLocal(`it crashed the WebAssembly module (${reason})`);
    return;
  }
  requestModel();
}

/** Which WebAssembly module is downloading (the native engine first, the tract module when
 *  needed) and how far; hidden once it has arrived.
 *  @param {import('./messages.js').ModuleReply} msg */
function moduleProgress(msg) {
  pw.modules = { ...pw.modules, [msg.name]: msg.done ? 'ready' : 'loading' };
  const kb = (/** @type {number} */ n) => `${Math.round(n / 1024).toLocaleString('en-US')} KB`;
  const arrived = msg.done || msg.received >= msg.total;
  $('module-status').hidden = arrived;
  if (arrived) return;
  const what = msg.name === 'full' ? `the tract module (${msg.why})` : 'the native engine';
  $('module-text').textContent = `Downloading ${what}: ${kb(msg.received)} of ${kb(msg.total)}`;
  $progress('module-progress').value = msg.total ? msg.received / msg.total : 0;
}

/** The sampler cannot run (worker-link.js has marked the worker down). @param {string} text */
function fatal(text) {
  showError(text);
  setState('error', 'The sampler is unavailable; the drawing pad still works.');
}

/** @param {Reply} msg */
function onWorker(msg) {
  // The worker's milestones ride on its first messages.
  if ('marks' in msg) for (const [name, at] of Object.entries(msg.marks || {})) pw.marks[name] ??= Math.round(at - performance.timeOrigin);
  if (msg.type === 'pool') {
    pw.pool = msg.error ? 'failed' : 'up';
    pw.threads = msg.threads;
    $('fig-threads').textContent = msg.error ? `1 (the threaded module's pool did not start: ${msg.error})` : `${msg.threads} (threaded module)`;
    return;
  }
  if (msg.type === 'ready') {
    mark('wasm_ready');
    pw.pool = msg.pool;
    pw.threads = msg.pool === 'up' ? msg.threads : 1;
    $('fig-threads').textContent = msg.threads > 1 ? `${msg.threads} (threaded module${msg.pool === 'up' ? '' : ', starting: 1 until then'})` : '1';
    if (pw.state !== 'error' && meta) setState('ready', 'Ready.');
    if (autostart && meta) {
      autostart = false;
      startJob('grid', 0);
    }
    return;
  }
  if (msg.type === 'fatal') return fatal(msg.message);
  if (msg.type === 'module') return moduleProgress(msg);
  if (msg.type === 'crashed') return restartWorker(msg.message);
  if (msg.type === 'memory') return pw.onMemory && pw.onMemory(msg);
  if (msg.type === 'lesson') return lessons.onReply(msg);
  if (msg.type === 'race') return race.onMessage(msg);
  if (msg.type === 'stepper') return stepper.onMessage(msg);
  if (msg.type === 'field') return receptive.derived(msg);
  if (msg.type === 'png') return savePng(msg);
  if (msg.type === 'compressed') return codec.onCompressed(msg);
  if (msg.type === 'header') return codec.onHeader(msg);
  if (msg.gen !== gen) {
    pw.stale += 1; // an older generation, stopped or replaced
    return;
  }
  if (msg.type === 'loaded') return modelLoaded(msg);
  if (msg.type === 'error' && pendingLocal) return refuseLocal(msg.message);
  if (msg.type === 'error') {
    if (job && job.kind === 'decode') {
      $('grid').classList.add('rejected'); // the pixels drawn so far are not the image
      codec.failed(msg.message);
    }
    runAfterFirstPixel();
    job = null;
    showError(msg.message);
    setState('error', 'Error: see the message above.');
    setCompleteStatus('error', 'Error: see the message above.');
    return;
  }
  if (!job) return;
  if (msg.type === 'status') {
    setState('preparing', msg.text);
  } else if (msg.type === 'grid') {
    gridLaid(msg.layout, msg.reading);
  } else if (msg.type === 'progress') {
    drawProgress(msg);
  } else if (msg.type === 'done') {
    finishJob(msg);
  }
}

// ---- models -----------------------------------------------------------------------------------

async function loadManifest() {
  try {
    const res = await ((boot && boot.manifest) || fetch('models.json'));
    if (!res.ok) throw new Error(`models.json: HTTP ${res.status}`);
    models = await res.json();
  } catch (e) {
    showError(`The model list could not be read (${e.message}). Run ./build.sh serve to build it.`);
    models = [];
  }
  const select = $select('model');
  for (const m of models) {
    const nll = m.test_nll_nats ? ` — ${m.test_nll_nats.toFixed(2)} nats` : '';
    // The softmax is the default head; any other is named, so same-block files can be told apart.
    const head = m.head && m.head.kind !== 'softmax' ? `, ${m.head.title}` : '';
    select.add(new Option(`${m.name}: ${m.data}${m.classes ? ', class-conditional' : ''}${head}${nll}`, m.file));
  }
  const wanted = params.get('model');
  if (wanted && !models.some((m) => m.file === wanted)) select.add(new Option(`${wanted} (from the address)`, wanted));
  if (wanted) select.value = wanted;
}

function requestModel() {
  const file = $select('model').value;
  if (!file) return;
  meta = null;
  loadedFile = null;
  job = null;
  gen += 1;
  setState('loading', `Loading ${file}…`);
  send({ type: 'load', gen, file, bytes: localFiles.get(file) || null });
}

// ---- a model file from the visitor's computer -------------------------------------------------

const MAX_MODEL_BYTES = 64 * 1024 * 1024;
/** @type {Map<string, ArrayBuffer>} */
const localFiles = new Map(); // 'local:<name>' -> ArrayBuffer
/** @type {{ key: string, previous: string | null } | null} */
let pendingLocal = null; // while an opened file is being checked

/** Reads a dropped or picked file; the worker checks it. A refused file leaves the models as they were.
 *  @param {File} file */
async function openLocal(file) {
  if (!file) return;
  const mb = (/** @type {number} */ n) => (n / 1024 / 1024).toFixed(1);
  if (file.size > MAX_MODEL_BYTES) {
    showError(`${file.name} is ${mb(file.size)} MB: the page opens model files of up to ${mb(MAX_MODEL_BYTES)} MB.`);
    return;
  }
  const key = `local:${file.name}`;
  localFiles.set(key, await file.arrayBuffer());
  const select = $select('model');
  if (![...select.options].some((o) => o.value === key)) select.add(new Option(`${file.name} (opened from your computer)`, key));
  pendingLocal = { key, previous: loadedFile };
  select.value = key;
  requestModel();
}

/** The opened file was refused: say why, drop it, and go back to the model that was loaded.
 *  @param {string} text */
function refuseLocal(text) {
  const { key, previous } = pendingLocal;
  pendingLocal = null;
  localFiles.delete(key);
  const select = $select('model');
  const option = [...select.options].find((o) => o.value === key);
  if (option) option.remove();
  if (previous) select.value = previous;
  keepError = `${key.slice(6)} cannot be opened: ${text}`;
  showError(keepError);
  requestModel();
}

/** @type {string | null} */
let keepError = null; // a message to keep on screen through the next model load

/** @param {import('./messages.js').LoadedReply} msg */
function modelLoaded(msg) {
  mark('model_loaded');
  meta = msg.meta;
  pw.meta = meta;
  loadedFile = msg.file;
  if (pendingLocal && pendingLocal.key === msg.file) pendingLocal = null;
  showError(keepError || '');
  keepError = null;
  const entry = models.find((m) => m.file === msg.file) || /** @type {Partial<ModelEntry>} */ ({});
  const field = $('class-field');
  field.hidden = !(meta.classes > 0);
  $('guidance-field').hidden = field.hidden;
  const cls = $select('class');
  cls.length = 1;
  for (let k = 0; k < meta.classes; k++) cls.add(new Option(meta.class_names[k] || String(k), String(k)));
  if (params.has('class') && Number(params.get('class')) < meta.classes) cls.value = params.get('class');
  classChosen();
  pad.setShape(meta.width, meta.channels === 3 ? 'rgb' : meta.levels > 2 ? 'grey' : 'binary');
  $('colour-field').hidden = pad.mode !== 'rgb';
  $input('cut').max = String(meta.height);
  const panels = () => {
    drawKernelMasks($('masks'), msg.masks.value, msg.masks.error);
    drawDiagram($('diagram'), $('diagram-detail'), msg.diagram.value, msg.masks.value, msg.diagram.error);
  };
  if (autostart && workerOk) {
    // The first grid starts at once; the masks and the diagram (below the fold) wait for its first
    // pixel, so that the main thread is free to draw it.
    autostart = false;
    startJob('grid', 0); // timed from navigation, as a visitor sees it
    afterFirstPixel = panels;
  } else {
    panels();
  }
  receptive.setModel(msg.file, meta.arch, localFiles.get(msg.file) || null, msg.card && msg.card.architecture ? msg.card.architecture.field_caption : null);
  lessons.setModel(msg.file, meta);
  race.setModel(msg.file, meta);
  stepper.setModel(msg.file, meta, msg.card && msg.card.head ? msg.card.head.title : null);
  const parts = [`${entry.name || meta.arch}`, `${meta.levels} levels`, `${meta.height}×${meta.width}`];
  const parameters = entry.parameters || (msg.card && msg.card.parameters);
  if (parameters) parts.push(`${parameters.toLocaleString('en-US')} parameters`);
  if (msg.card && msg.card.ops) parts.push(`ops ${Object.entries(msg.card.ops).map(([op, n]) => `${op} ×${n}`).join(', ')}`);
  if (msg.file.startsWith('local:')) parts.unshift(`${msg.file.slice(6)} (your file)`);
  if (meta.test_nll_nats) parts.push(`held-out NLL ${meta.test_nll_nats.toFixed(2)} nats/image`);
  parts.push(`file ${(msg.bytes / 1024).toFixed(0)} KiB, loaded in ${msg.loadMs.toFixed(0)} ms`);
  $('model-info').textContent = parts.join(' · ');
  if (job) return; // the first grid is already under way
  if (pendingDecode && pendingDecode.file === msg.file) {
    const { file, bytes } = pendingDecode;
    pendingDecode = null;
    return startDecode(file, bytes);
  }
  writeUrl(meta);
  if (workerOk) setState('ready', 'Ready.');
}

/** A picked class starts the guidance slider at the scale the models README measured best for this
 * model (the file's `pixelwise.guidance`); "any" sets it back to 1 (plain sampling). */
function classChosen() {
  const best = meta && meta.guidance;
  const picked = Number($select('class').value) >= 0;
  const scale = picked && best ? best.scale : 1;
  $input('guidance').value = String(scale);
  $output('guidance-value').value = Number(scale).toFixed(1);
  const note = $('guidance-note');
  note.textContent = picked && best ? `Starts at ${best.scale}, measured best for this model: ${best.measured}.` : '';
  note.hidden = !note.textContent;
}

// ---- jobs -------------------------------------------------------------------------------------

/** A link's image waiting for its model to load.
 *  @type {{ file: string, bytes: Uint8Array } | null} */
let pendingDecode = null;

/** Decodes a compressed image on the grid, position by position (its model loaded first).
 *  @param {string} file @param {Uint8Array} bytes */
function startDecode(file, bytes) {
  if (loadedFile !== file || !meta) {
    pendingDecode = { file, bytes };
    if ($select('model').value !== file) {
      $select('model').value = file;
      requestModel();
    }
    return;
  }
  gen += 1;
  job = { gen, kind: 'decode', canvas: 'grid', layout: null, n: 1, clickAt: performance.now(), firstAt: null, model: file, engine: 'native' };
  pw.frames = 0;
  pw.figures = {};
  showFigures({});
  showError('');
  $('grid').classList.remove('rejected');
  $button('download').disabled = true;
  setState('preparing', 'Decoding the linked image…');
  send({ type: 'decode', gen, canvases: { canvas: 'grid' }, canvas: 'grid', file, bytes });
}

/** @param {'grid' | 'complete'} kind @param {number} clickAt */
function startJob(kind, clickAt) {
  if (!meta) return;
  const c = controls();
  $input('seed').value = String(c.seed);
  writeUrl(meta);
  const n = kind === 'grid' ? c.n : Number($select('alternatives').value);
  const canvas = kind === 'grid' ? 'grid' : 'completions';
  const kept = kind === 'complete' ? pad.kept(meta.levels - 1, meta.channels) : [];
  const labels = meta.classes > 0 && c.label >= 0 ? new Array(n).fill(c.label) : [];
  // A conditional model asked for no class completes under the class it reads in the kept rows.
  const readClass = kind === 'complete' && meta.classes > 0 && c.label < 0;
  mark('first_generate_sent');
  gen += 1;
  job = { gen, kind, canvas, layout: null, n, clickAt, firstAt: null, seed: c.seed, engine: c.engine, model: c.model, kept: Array.from(kept), labels, pool: pw.pool };
  $(canvas).classList.remove('rejected');
  pw.frames = 0;
  pw.figures = {};
  showFigures({});
  showError('');
  if (kind === 'grid') $button('download').disabled = true;
  setState('preparing', `Starting (${c.engine})…`);
  if (kind === 'complete') setCompleteStatus('sampling', 'Sampling…');
  // Completions in one row; the grid as square as fits.
  send({ type: 'generate', gen, canvases: { canvas }, canvas, cols: kind === 'grid' ? undefined : n, file: c.model, engine: c.engine, n, seed: c.seed, temperature: c.temperature, labels, kept: Array.from(kept), guidance: meta.classes > 0 && (c.label >= 0 || readClass) ? c.guidance : 1, readClass, stepDelayMs: c.stepDelayMs });
}

/** The worker has laid out the job's canvas: the overlay and the completions' box follow it; a
 *  completion that reads its class says what it read.
 *  @param {GridLayout} layout @param {ClassReading | null} reading */
function gridLaid(layout, reading) {
  job.layout = layout;
  if (reading) {
    job.labels = reading.labels;
    job.reading = readingText(reading);
    setCompleteStatus('sampling', job.reading);
  }
  if (job.kind === 'grid' || job.kind === 'decode') receptive.setGrid(layout);
  else $(job.canvas).parentElement.style.setProperty('--aspect', `${layout.canvasWidth} / ${layout.canvasHeight}`);
}

/** Drawing put off until the first grid's first pixel is on screen (or the job ends without one).
 *  @type {(() => void) | null} */
let afterFirstPixel = null;
function runAfterFirstPixel() {
  const f = afterFirstPixel;
  afterFirstPixel = null;
  if (f) requestAnimationFrame(() => setTimeout(f, 0)); // after the frame that shows the pixel
}

/** @param {import('./messages.js').ProgressReply} msg */
function drawProgress(msg) {
  pw.frames += 1;
  if (job.firstAt === null) job.firstAt = performance.now();
  if (pw.firstPixelAt == null) pw.firstPixelAt = job.firstAt; // ms after navigation, for the first-second test
  if (job.kind === 'decode') {
    codec.progress(msg);
    setState('sampling', `Decoding: ${msg.position} of ${msg.total} positions, ${msg.bits.toFixed(1)} of ${msg.payloadBits} bits used.`);
    showFigures({ pixelsPerSecond: msg.pixelsPerSecond, position: msg.position, total: msg.total, engine: 'native', final: false });
    return;
  }
  mark('first_pixel');
  runAfterFirstPixel();
  setState('sampling', `Sampling: ${msg.position} of ${msg.total} positions (${job.engine}).`);
  if (job.kind === 'complete') setCompleteStatus('sampling', `${job.reading ? `${job.reading} ` : ''}Sampling: ${msg.position} of ${msg.total}.`);
  showFigures({
    pixelsPerSecond: msg.pixelsPerSecond, msPerImage: msg.msPerImage, prepareMs: msg.prepareMs, position: msg.position, total: msg.total,
    firstPixelMs: job.firstAt - job.clickAt, workerFirstPixelMs: msg.firstPixelMs, engine: job.engine, final: false,
  });
  // The softmax belongs to the last sub-pixel the sampler drew (kept ones are given, not drawn).
  const { last } = msg;
  if (!last) return;
  if (pw.onProgress) pw.onProgress({ pixel: last.pixel, channel: last.channel, value: last.level });
  if (!msg.probs.length) return;
  const L = msg.levels;
  const { row, col, channel, level: drawn } = last;
  const probs = Array.from(msg.probs.slice(0, L));
  const labels = L === 2 ? ['paper', 'ink'] : null;
  drawProbabilities($canvas('probs'), probs, { labels, channel, channels: meta.channels, drawn });
  const sub = meta.channels > 1 ? `${['R', 'G', 'B'][channel]} of ` : '';
  $('probs-caption').textContent = `Softmax over the ${L} levels of ${sub}pixel (row ${row}, col ${col}), first image; the drawn level is marked.`;
}

/** @param {import('./messages.js').DoneReply} msg */
function finishJob(msg) {
  runAfterFirstPixel();
  const { kind } = job;
  if (kind === 'decode') {
    pw.lastDecoded = { model: job.model, levels: Array.from(msg.levelsOut), header: msg.header };
    codec.decoded(msg);
    showFigures({ position: msg.position, total: msg.total, pixelsPerSecond: msg.pixelsPerSecond, final: true, elapsedMs: msg.elapsedMs });
    job = null;
    setState('done', `Decoded in ${fmt(msg.elapsedMs)} ms.`);
    return;
  }
  showFigures({ pixelsPerSecond: msg.pixelsPerSecond, msPerImage: msg.msPerImage, prepareMs: msg.prepareMs, position: msg.position, total: msg.total, final: true, elapsedMs: msg.elapsedMs, shared: job.n > 1 ? msg.shared : null });
  const size = msg.levelsOut.length / job.n;
  const images = Array.from({ length: job.n }, (_, k) => Array.from(msg.levelsOut.subarray(k * size, (k + 1) * size)));
  const record = { seed: job.seed, engine: job.engine, model: job.model, n: job.n, images, labels: job.labels, figures: { ...pw.figures }, pool: job.pool };
  if (kind === 'grid') {
    pw.lastGeneration = record;
    $button('download').disabled = false;
    codec.setGenerated(true);
  } else {
    pw.lastCompletion = { ...record, kept: job.kept };
    setCompleteStatus('done', `${job.reading ? `${job.reading} ` : ''}Done: ${job.n} completions.`);
  }
  job = null;
  setState('done', `Done in ${fmt(msg.elapsedMs)} ms.`);
  isolateLater();
}

/** @param {Event} [e] the click on Stop */
function stop(e) {
  if (!job) return;
  runAfterFirstPixel();
  const clickAt = e && e.timeStamp ? e.timeStamp : performance.now();
  const stopped = job;
  gen += 1;
  send({ type: 'stop', gen });
  job = null; // the worker takes the marker off at its next slice
  setState('stopped', `Stopped at position ${pw.figures.position || 0} of ${pw.figures.total || '?'}.`);
  if (stopped.kind === 'complete') setCompleteStatus('stopped', 'Stopped.');
  const info = { clickAt, framesAtStop: pw.frames, shownAt: null };
  pw.stop = info;
  requestAnimationFrame(() => (info.shownAt = performance.now()));
}

/** @param {string} state @param {string} text */
/** What the model read in the kept rows: its likeliest classes, and the class of each completion.
 *  @param {ClassReading} reading */
function readingText({ posterior, labels }) {
  const name = (/** @type {number} */ k) => (meta && meta.class_names[k]) || String(k);
  const top = posterior.map((p, k) => [p, k]).sort((a, b) => b[0] - a[0]).filter(([p], i) => i === 0 || p >= 0.05).slice(0, 3);
  const read = top.map(([p, k]) => `${name(k)} (${Math.round(p * 100)}%)`).join(', ');
  return `Read as ${read} by the model from the rows above the cut; completing as ${labels.map(name).join(', ')}.`;
}

function setCompleteStatus(state, text) {
  const el = $('complete-status');
  el.dataset.state = state;
  el.textContent = text;
}

// ---- receptive field -------------------------------------------------------------------------

const receptive = new ReceptiveView({
  overlay: $canvas('overlay'), status: $('field-status'), caption: $('field-caption'), measure: $button('measure'),
  onChange: (field) => (pw.field = field), ask: (msg) => send(msg),
});
pw.overlayDataURL = () => $canvas('overlay').toDataURL('image/png');

// ---- drawing pad ------------------------------------------------------------------------------

const pad = new DrawingPad($canvas('pad'), $('cut-line'), {
  onChange: (p) => {
    $input('cut').value = String(p.cut);
    $output('cut-value').value = String(p.cut);
  },
});
pw.pad = pad;

// ---- wiring -----------------------------------------------------------------------------------

$('controls').addEventListener('submit', (e) => e.preventDefault());
$('model').addEventListener('change', requestModel);
for (const id of ['engine', 'seed', 'count', 'class']) $(id).addEventListener('change', () => writeUrl(meta));
$('class').addEventListener('change', classChosen);
$('guidance').addEventListener('input', () => {
  $output('guidance-value').value = Number($input('guidance').value).toFixed(1);
});
$('temperature').addEventListener('input', () => {
  $output('temperature-value').value = Number($input('temperature').value).toFixed(2);
  writeUrl(meta);
});
$('new-seed').addEventListener('click', () => {
  $input('seed').value = String(Math.floor(Math.random() * 1e9));
  writeUrl(meta);
});
$('generate').addEventListener('click', (e) => startJob('grid', e.timeStamp || performance.now()));
$('complete').addEventListener('click', (e) => startJob('complete', e.timeStamp || performance.now()));
$('stop').addEventListener('click', stop);
// Download PNG: the worker, which holds the grid, encodes it (4x, unsmoothed) and sends a Blob.
let pngAsked = 0;
$('download').addEventListener('click', () => send({ type: 'png', id: ++pngAsked, canvas: 'grid', scale: 4 }));
/** @param {import('./messages.js').PngReply} msg */
function savePng(msg) {
  if (msg.id !== pngAsked) return;
  if (msg.error) return showError(`The PNG could not be made: ${msg.error}`);
  const g = pw.lastGeneration;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(msg.blob);
  a.download = `pixelwise-${(g && g.model.replace(/\.onnx$/, '')) || 'samples'}-${g ? g.engine : ''}-seed${g ? g.seed : ''}.png`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
}
for (const r of /** @type {NodeListOf<HTMLInputElement>} */ (document.querySelectorAll('input[name=tool]'))) r.addEventListener('change', () => (pad.erasing = r.value === 'eraser' && r.checked));
$('brush').addEventListener('change', () => (pad.brush = Number($select('brush').value)));
$('colour').addEventListener('input', () => {
  const hex = $input('colour').value;
  pad.colour = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
});
$('cut').addEventListener('input', () => pad.setCut(Number($input('cut').value)));
$('undo').addEventListener('click', () => pad.undo());
$('clear').addEventListener('click', () => pad.clear());
$('real-digit').addEventListener('click', async () => {
  try {
    setCompleteStatus('idle', await realDigit(pad, meta ? meta.height : 28));
  } catch (e) {
    setCompleteStatus('error', `Nothing to load: ${e.message}`);
  }
});
$('open-file').addEventListener('change', (e) => {
  const picker = /** @type {HTMLInputElement} */ (e.target);
  openLocal(picker.files[0]);
  picker.value = '';
});
const dropZone = $('watch');
dropZone.addEventListener('dragover', (e) => {
  e.preventDefault();
  dropZone.classList.add('dropping');
});
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dropping'));
dropZone.addEventListener('drop', (e) => {
  e.preventDefault();
  dropZone.classList.remove('dropping');
  openLocal(e.dataTransfer.files[0]);
});
// Signs that tract is about to be needed start the full module's download (once): pointing at or
// focusing the engine or file controls, dragging a file over the page, the race's button. Nothing is
// fetched for a visit that never goes near them.
let prefetchAsked = false;
const prefetchFull = () => {
  if (prefetchAsked || !workerOk) return;
  prefetchAsked = true;
  send({ type: 'prefetch-full' });
};
/** @type {[string, string[]][]} */
const prefetchSigns = [['engine', ['pointerenter', 'focus']], ['open-file', ['pointerenter', 'focus']], ['watch', ['dragenter']], ['race-start', ['pointerenter', 'focus']]];
for (const [id, events] of prefetchSigns) {
  for (const ev of events) $(id).addEventListener(ev, prefetchFull);
}

pw.openBytes = (name, bytes) => openLocal(new File([bytes], name)); // for tests: the same path as a picked file
pw.testTrap = () => send({ type: 'test-trap' });
pw.memory = () => new Promise((resolve) => {
  pw.onMemory = resolve;
  send({ type: 'memory' });
});

/** The grid as the page shows it. The worker's frames reach the canvas a frame or so after its
 *  messages, so this reads once the picture has held still for two animation frames. */
pw.gridDataURL = async () => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
  let shown = $canvas('grid').toDataURL('image/png');
  for (let still = 0; still < 2; ) {
    await frame();
    const now = $canvas('grid').toDataURL('image/png');
    still = now === shown ? still + 1 : 0;
    shown = now;
  }
  return shown;
};

const lessons = new Lessons({ send, root: $('how') });
lessons.pickImage = heldOutImage;
pw.lessons = lessons;
const race = new Race({ send, root: $('how') });
race.options = () => controls();
pw.race = race;
const codec = new CodecPanel({ send, root: $('codec') });
codec.model = () => (meta && loadedFile ? { file: loadedFile, meta } : null);
codec.drawing = () => {
  const c = controls();
  return meta && { levels: pad.levels(meta.levels - 1, meta.channels), label: meta.classes > 0 && c.label >= 0 ? c.label : -1 };
};
codec.generated = () => {
  const g = pw.lastGeneration;
  return g && g.model === loadedFile ? { levels: g.images[0], label: g.labels && g.labels.length ? g.labels[0] : -1 } : null;
};
codec.heldOut = async () => {
  const h = await heldOutImage(meta);
  return { levels: h.levels, label: meta.classes > 0 ? h.label : -1 };
};
codec.decode = startDecode;
pw.codec = codec;
window.addEventListener('hashchange', () => {
  try {
    const bytes = linkBytes();
    if (bytes) codec.open(bytes);
  } catch (e) {
    codec.failed(e.message);
  }
});
const stepper = new Stepper({ send, root: $('how') });
stepper.options = () => controls();
pw.stepper = stepper;

connect({ reply: onWorker, fatal, crashed: restartWorker });
applyUrl();
setState('loading', 'Loading the sampler…');
mark('main_js_running');
startWorker(boot && boot.worker ? boot : null);
lessons.compute();
loadManifest().then(async () => {
  codec.models = models;
  // The boot script hands the worker the first model's bytes; asked for after that, the worker has
  // them rather than fetching the file a second time.
  if (boot && boot.prefetched) await boot.prefetched;
  requestModel();
  if (linkError) codec.failed(linkError);
  if (link) {
    codec.open(link);
    $('codec').scrollIntoView();
  }
});
