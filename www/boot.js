// Runs while the page is still being parsed, before main.js and its modules arrive, so that the
// first pixels wait on as little as possible: it starts the sampler's worker, downloads and compiles
// the native-only wasm here (in parallel with the worker's own start) and hands the compiled module
// to the worker, asks for the model list, and has the worker start downloading the first model.
// main.js takes all of it over; what is reported before then waits in `queue`.
(() => {
  const boot = (window.pixelwiseBoot = { worker: null, queue: [], error: null, manifest: null, native: null });
  // The native engine's module, by the rule wasm-modules.js applies in the worker: threaded where
  // the page is cross-origin isolated on a multi-core machine, unless ?threads=off.
  const off = new URLSearchParams(location.search).get('threads') === 'off';
  const name = self.crossOriginIsolated && (navigator.hardwareConcurrency || 1) > 1 && !off ? 'threads' : 'native';
  boot.report = (msg) => boot.queue.push(msg);
  try {
    boot.worker = new Worker(`worker.js${off ? '?threads=off' : ''}`, { type: 'module' });
    boot.worker.onmessage = (e) => boot.report(e.data);
    boot.worker.onerror = (e) => (boot.error = e);
  } catch (e) {
    boot.error = e;
  }

  // The wasm's raw size, for progress (the body arrives decoded, so Content-Length will not do).
  let total = 0;
  fetch('pkg/sizes.json').then((r) => r.json()).then((s) => (total = s[name]), () => {});
  boot.native = fetch(`pkg/pixelwise_${name}_bg.wasm`).then((res) => {
    if (!res.ok) throw new Error(`pkg/pixelwise_${name}_bg.wasm: HTTP ${res.status} ${res.statusText}`.trim());
    let received = 0;
    const counted = res.body.pipeThrough(
      new TransformStream({
        transform(chunk, out) {
          received += chunk.byteLength;
          boot.report({ type: 'module', name, received, total: Math.max(total, received) });
          out.enqueue(chunk);
        },
      }),
    );
    return WebAssembly.compileStreaming(new Response(counted, { headers: { 'Content-Type': 'application/wasm' } }));
  });
  // The worker fetches the wasm itself when this failed, and reports why.
  const handOver = (module) => boot.worker && boot.worker.postMessage({ type: 'wasm', module });
  boot.native.then(handOver, () => handOver(null));

  boot.manifest = fetch('models.json');
  boot.manifest.catch(() => {}); // main.js reports a failure
  // The model the page will load first (the address's, else the list's first) starts downloading
  // in the worker now; main.js's request for it later finds it there.
  const wanted = new URLSearchParams(location.search).get('model');
  const first = wanted ? Promise.resolve(wanted) : boot.manifest.then((r) => r.clone().json()).then((list) => list[0] && list[0].file);
  first.then((file) => file && boot.worker && boot.worker.postMessage({ type: 'prefetch', file }), () => {});
})();
