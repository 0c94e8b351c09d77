// The page's two WebAssembly modules, built from one crate: `native` (the native engine only, small,
// loaded first) and `full` (tract as well, about ten times larger, fetched only when a file or a
// choice needs tract). Each is fetched once per worker, with its download progress reported, unless
// it arrives compiled (the page's boot script, in index.html, compiles the native one while the worker starts).

const SCRIPTS = { native: './pkg/pixelwise_native.js', threads: './pkg/pixelwise_threads.js', full: './pkg/pixelwise.js' };
const WASM = { native: './pkg/pixelwise_native_bg.wasm', threads: './pkg/pixelwise_threads_bg.wasm', full: './pkg/pixelwise_bg.wasm' };
/** Each glue script's own static imports (the threaded one imports wasm-bindgen-rayon's worker
 * helpers), which build.sh reads from the built glue and writes into the worker's bundle (esbuild
 * --define): imported beside the glue rather than after it, one round trip fewer before the
 * module starts. Unbundled, none are known and the glue fetches its own.
 * @type {Record<string, string[]>} */
const GLUE_IMPORTS = typeof PIXELWISE_GLUE_IMPORTS === 'object' ? PIXELWISE_GLUE_IMPORTS : {};

/** The native engine's module for this worker: the threaded build (rayon on a pool of Web Workers)
 * where the page is cross-origin isolated (shared memory) and the machine has more than one core,
 * unless the page was opened with `?threads=off` (passed on in each worker's address); else the
 * single-threaded one. The same rule is in the page's boot script (index.html), which compiles that module early.
 * @type {'native' | 'threads'} */
export const NATIVE =
  self.crossOriginIsolated && (navigator.hardwareConcurrency || 1) > 1 && new URLSearchParams(self.location.search).get('threads') !== 'off'
    ? 'threads'
    : 'native';

/** The pool size of the threaded module: one Web Worker per logical core. */
export const THREADS = NATIVE === 'threads' ? navigator.hardwareConcurrency : 1;

/** The modules export the same API (the native-only ones refuse the tract engine at run time; the
 * threaded one adds initThreadPool).
 * @typedef {typeof import('./pkg/pixelwise.js')} Bindings
 * `pool`: resolves once the threaded module's pool is up (at once for the others); rejects if it
 * could not start, and the engine stays on one thread.
 * @typedef {{ name: 'native' | 'threads' | 'full', bindings: Bindings, exports: import('./pkg/pixelwise.js').InitOutput, threads: number, pool: Promise<void> }} LoadedModule
 */

/** @type {Map<string, Promise<LoadedModule>>} */
const loading = new Map();

/** The raw sizes build.sh recorded: the body arrives decoded, so a compressed Content-Length would
 *  not match. @type {Promise<Record<string, number>>} */
let sizes = null;

/** Fetches `url`, calling `onProgress(received, total)` as bytes arrive (`total` is module `name`'s). */
async function fetchCounted(url, name, onProgress) {
  sizes ??= fetch(new URL('./pkg/sizes.json', import.meta.url)).then((r) => r.json()).catch(() => ({}));
  const [res, known] = await Promise.all([fetch(url), sizes]);
  const total = known[name] || 0;
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`.trim());
  if (!res.body) return res;
  let received = 0;
  onProgress(0, total);
  const counted = res.body.pipeThrough(
    new TransformStream({
      transform(chunk, out) {
        received += chunk.byteLength;
        onProgress(received, Math.max(total, received));
        out.enqueue(chunk);
      },
    }),
  );
  // Same content type, so the module still compiles while it streams in.
  return new Response(counted, { headers: { 'Content-Type': 'application/wasm' } });
}

/** Modules downloaded and compiled ahead of need. @type {Map<string, Promise<WebAssembly.Module | null>>} */
const prefetched = new Map();

/** Downloads and compiles module `name` without instantiating it, so that a later `loadModule`
 *  finds it ready (a failed prefetch leaves `loadModule` to fetch it itself).
 * @param {'native' | 'threads' | 'full'} name
 * @param {(received: number, total: number) => void} [onProgress]
 */
export function prefetchModule(name, onProgress = () => {}) {
  if (!prefetched.has(name) && !loading.has(name)) {
    const url = new URL(WASM[name], import.meta.url).href;
    prefetched.set(name, fetchCounted(url, name, onProgress).then((res) => WebAssembly.compileStreaming(res)).catch(() => null));
  }
}

/** Loads module `name` once: its bindings (Model, ...) and its raw exports; the threaded one with
 * its pool of workers starting.
 * @param {'native' | 'threads' | 'full'} name
 * @param {(received: number, total: number) => void} [onProgress]
 * @param {Promise<WebAssembly.Module | null>} [compiled] the module compiled elsewhere; null: fetch it here
 * @returns {Promise<LoadedModule>}
 */
export function loadModule(name, onProgress = () => {}, compiled = prefetched.get(name) || Promise.resolve(null)) {
  if (!loading.has(name)) {
    const started = (async () => {
      for (const dep of GLUE_IMPORTS[name] || []) import(new URL(dep, new URL(SCRIPTS[name], import.meta.url)).href).catch(() => {}); // the glue reports a failure
      const [bindings, module] = await Promise.all([/** @type {Promise<Bindings>} */ (import(SCRIPTS[name])), compiled]);
      const source = module || fetchCounted(new URL(WASM[name], import.meta.url).href, name, onProgress);
      const exports = await bindings.default({ module_or_path: source });
      let threads = 1;
      let pool = Promise.resolve();
      if (name === 'threads') {
        threads = THREADS;
        // Each pool worker costs a few requests, so the pool starts beside the first work rather
        // than before it: until it is up the engine runs on this thread (threadPoolReady flips it).
        const threaded = /** @type {{ initThreadPool(n: number): Promise<void>, threadPoolReady(): void }} */ (/** @type {unknown} */ (bindings));
        pool = threaded.initThreadPool(threads).then(() => threaded.threadPoolReady());
      }
      return { name, bindings, exports, threads, pool };
    })();
    // A failed load is forgotten, so that a later need tries again.
    started.catch(() => loading.delete(name));
    loading.set(name, started);
  }
  return loading.get(name);
}
