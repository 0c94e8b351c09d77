// Prints this machine's peak multiply-add rate in wasm SIMD (see peak.rs), median of 7 runs.
// Usage, from tests/bench/peak:
//   RUSTFLAGS="-C target-feature=+simd128" cargo build --release --target wasm32-unknown-unknown
//   node run.mjs
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const wasm = readFileSync(path.join(here, 'target/wasm32-unknown-unknown/release/peak.wasm'));
const { instance } = await WebAssembly.instantiate(wasm);
const iters = 20_000_000;
instance.exports.peak(1000, 0.0);
const rates = [];
for (let r = 0; r < 7; r++) {
  const t0 = performance.now();
  instance.exports.peak(iters, 0.0);
  rates.push((iters * 48) / ((performance.now() - t0) / 1000) / 1e9);
}
rates.sort((a, b) => a - b);
console.log(JSON.stringify({ peak_g_multiply_adds_per_s: { median: +rates[3].toFixed(1), max: +rates[6].toFixed(1) }, runs: 7 }));
