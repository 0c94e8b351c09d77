// Sampling speed of one built wasm module under Node (one thread), to compare wasm-opt levels:
// the best of a few runs of the native cached sampler drawing `n` whole images.
// Usage: node tools/wasm-speed.mjs <glue .js> <.wasm> <model .onnx> [n=16] [runs=5]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [glue, wasm, model, n = '16', runs = '5'] = process.argv.slice(2);
const bindings = await import(pathToFileURL(path.resolve(glue)).href);
await bindings.default({ module_or_path: readFileSync(wasm) });
const m = bindings.Model.fromBytes(readFileSync(model));
const times = [];
for (let r = 0; r < Number(runs); r++) {
  const t0 = performance.now();
  const s = m.sampler.length > 1 ? m.sampler('native', Number(n), r, 1, new Int32Array(0), new Int16Array(0)) : m.sampler({ engine: 'native', n: Number(n), seed: r });
  while (!s.done()) s.step(1000);
  times.push(performance.now() - t0);
  s.free();
}
const best = Math.min(...times);
console.log(JSON.stringify({ wasm: path.basename(wasm), bytes: readFileSync(wasm).length, model: path.basename(model), images: Number(n), best_ms_per_image: Math.round((best / Number(n)) * 100) / 100 }));
