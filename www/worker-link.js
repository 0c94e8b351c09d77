// The page's end of the sampler's worker (worker.js): taking over the one the boot script started, posting
// requests, handing over the canvases it paints, and keeping whether it runs. What the page does
// with the replies, and after a crash, is main.js's.
import { $canvas } from './elements.js';

/**
 * What the boot script, a plain script run while the page is parsed, leaves on `window.pixelwiseBoot`: the
 * worker it started (or why it could not), the replies that came before this module took over
 * (`queue`, then `report`), the native module it compiled, the model list it asked for, and
 * `prefetched`, settled once it has handed the worker the first model's bytes (or failed to).
 * @typedef {{ worker: Worker | null, queue: import('./messages.js').Reply[], error: Error | ErrorEvent | null,
 *   manifest: Promise<Response> | null, native: Promise<WebAssembly.Module> | null, prefetched: Promise<void> | null,
 *   report: (msg: import('./messages.js').Reply) => void }} Boot
 */

/** The boot script's head start; it sets the object once, before any module runs. */
export const boot = /** @type {Window & typeof globalThis & { pixelwiseBoot?: Boot }} */ (window).pixelwiseBoot;

/** Whether the worker's module is up (its 'ready' came, no fatal error since). A live binding:
 *  importers see it change. */
export let workerOk = false;

/** @type {Worker | null} */
let worker = null;

/**
 * Where the worker's news goes: `reply` gets every message, `fatal` why the sampler cannot run at
 * all, `crashed` the error of a worker that was running (the page replaces it).
 * @typedef {{ reply: (msg: import('./messages.js').Reply) => void, fatal: (text: string) => void, crashed: (reason: string) => void }} PageSide
 */
/** @type {PageSide} */
let page = null;

/** @param {PageSide} handlers */
export function connect(handlers) {
  page = handlers;
}

/** @param {import('./messages.js').Reply} msg */
function receive(msg) {
  if (msg.type === 'ready') workerOk = true;
  if (msg.type === 'fatal') workerOk = false;
  page.reply(msg);
}

/** @param {string} text */
function fail(text) {
  workerOk = false;
  page.fatal(text);
}

/** Posts `msg`; the canvases it names (`msg.canvases`, by id) are handed to the worker first.
 * @param {import('./messages.js').Request} msg */
export function send(msg) {
  if (!worker) return;
  if ('canvases' in msg && msg.canvases) for (const id of Object.values(msg.canvases)) handCanvas(id);
  worker.postMessage(msg);
}

// The worker paints the sample grids itself (web/canvas.rs): each canvas goes over once as an
// OffscreenCanvas. A canvas can be handed over only once, so a restarted worker gets fresh copies.
const handed = new Set(); // canvas ids the current worker holds
/** @param {string} id */
function handCanvas(id) {
  if (handed.has(id)) return;
  let canvas = $canvas(id);
  if (canvas.dataset.handed) {
    const fresh = /** @type {HTMLCanvasElement} */ (canvas.cloneNode(false));
    canvas.replaceWith(fresh);
    canvas = fresh;
  }
  const offscreen = canvas.transferControlToOffscreen();
  canvas.dataset.handed = 'yes';
  /** @type {import('./messages.js').CanvasRequest} */
  const msg = { type: 'canvas', id, canvas: offscreen };
  worker.postMessage(msg, [offscreen]);
  handed.add(id);
}

/** `?threads=off` passed on to the workers, which choose their module from their own address. */
const threadsOff = new URLSearchParams(location.search).get('threads') === 'off' ? '?threads=off' : '';

/** Starts the sampler's worker, or fails through `fatal`. `early`: the boot script's, with what it has
 *  said so far; none: a worker of the page's own (a restart).
 * @param {Boot | null} [early] */
export function startWorker(early = null) {
  if (!('transferControlToOffscreen' in HTMLCanvasElement.prototype)) {
    fail('This browser cannot show the samples: the sampler draws them in its worker, which needs OffscreenCanvas (Chrome 69, Firefox 105, Safari 16.4 or later).');
    return;
  }
  try {
    if (early && early.error) throw early.error;
    worker = early ? early.worker : new Worker(`worker.bundle.js${threadsOff}`, { type: 'module' });
  } catch (e) {
    fail(`This browser cannot start the sampler (module workers): ${e.message}`);
    return;
  }
  worker.onerror = (e) => {
    if (workerOk) page.crashed(e.message || 'the worker stopped');
    else fail(`The sampler could not start${e.message ? `: ${e.message}` : ' (is pkg/ built? run ./build.sh serve)'}.`);
  };
  worker.onmessage = (e) => receive(e.data);
  if (early) {
    early.report = receive;
    for (const msg of early.queue.splice(0)) receive(msg);
  } else {
    // The native module the boot script compiled, if it did.
    const native = boot && boot.native ? boot.native.catch(() => null) : Promise.resolve(null);
    const w = worker;
    native.then((module) => {
      /** @type {import('./messages.js').WasmRequest} */
      const msg = { type: 'wasm', module };
      w.postMessage(msg);
    });
  }
}

/** Ends the worker (a trap left its module unusable) and forgets the canvases it held. */
export function stopWorker() {
  if (worker) worker.terminate();
  worker = null;
  workerOk = false;
  handed.clear();
}
