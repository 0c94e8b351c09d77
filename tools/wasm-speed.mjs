// Speed of one built wasm module under Node (one thread), to compare build settings (wasm-opt
// levels, opt-level): the best of a few runs, in ms. `native`: the cached sampler drawing `n` whole
// images, per image; `tract`: one full forward of one image.
// Usage: node tools/wasm-speed.mjs <glue .js> <.wasm> <model .onnx> [n=16] [runs=5] [native|tract]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [glue, wasm, model, n = '16', runs = '5', engine = 'native'] = process.argv.slice(2);
const bindings = await import(pathToFileURL(path.resolve(glue)).href);
await bindings.default({ module_or_path: readFileSync(wasm) });
const m = bindings.Model.fromBytes(readFileSync(model));
const meta = m.metadata();
const times = [];
for (let r = 0; r < Number(runs); r++) {
  const t0 = performance.now();
  if (engine === 'tract') {
    m.forward('tract', new Float32Array(meta.channels * meta.height * meta.width), meta.classes ? 0 : undefined);
  } else {
    const s = m.sampler({ engine: 'native', n: Number(n), seed: r });
    while (!s.done()) s.step(1000);
    s.free();
  }
  times.push(performance.now() - t0);
}
const best = Math.min(...times) / (engine === 'tract' ? 1 : Number(n));
const what = engine === 'tract' ? 'best_ms_per_tract_forward' : 'best_ms_per_image';
console.log(JSON.stringify({ wasm: path.basename(wasm), bytes: readFileSync(wasm).length, model: path.basename(model), engine, [what]: Math.round(best * 100) / 100 }));
