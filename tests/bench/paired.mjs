// Two builds of the native-only module timed side by side in one Node process, image by image in
// turn, so that the machine's drift (tens of percent between runs on a shared machine) hits both
// alike: the way each engine change was measured. Prints, per model, each build's median ms per
// image and the median of the per-pair ratios (B over A).
// Usage: node tests/bench/paired.mjs DIR_A DIR_B [models] [images per sampler] [pairs]
//   DIR_A, DIR_B: copies of www/pkg from two builds (./build.sh site, then cp -r www/pkg DIR)
//   models: comma-separated names in models/ without .onnx (default: the six page models)
// e.g. node tests/bench/paired.mjs /tmp/before /tmp/after gated-emoji-rgb,pixelcnn-mnist-256 16 5
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [dirA, dirB, list, images, pairs] = process.argv.slice(2);
if (!dirA || !dirB) {
  console.error('usage: node tests/bench/paired.mjs DIR_A DIR_B [models] [images] [pairs]');
  process.exit(2);
}
const models = (list || 'pixelcnn-mnist-bin,gated-mnist-bin,rowlstm-mnist-bin,diagbilstm-mnist-bin,pixelcnn-mnist-256,gated-emoji-rgb').split(',');
const [n, reps, warmup] = [Number(images || 1), Number(pairs || 11), 2];

async function load(dir) {
  const js = await import(pathToFileURL(path.resolve(dir, 'pixelwise_native.js')).href);
  js.initSync({ module: readFileSync(path.resolve(dir, 'pixelwise_native_bg.wasm')) });
  return js;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const builds = [await load(dirA), await load(dirB)];
for (const name of models) {
  const bytes = readFileSync(path.join(ROOT, 'models', `${name}.onnx`));
  const loaded = builds.map((js) => {
    const model = js.Model.fromBytes(bytes);
    model.prepare('native');
    return model;
  });
  const times = [[], []];
  for (let i = 0; i < warmup + reps; i++) {
    loaded.forEach((model, j) => {
      const t0 = performance.now();
      const sampler = model.sampler({ engine: 'native', n, seed: i, temperature: 1, guidance: 1 });
      while (!sampler.done()) sampler.step(64);
      sampler.free();
      if (i >= warmup) times[j].push((performance.now() - t0) / n);
    });
  }
  const ratio = median(times[1].map((t, i) => t / times[0][i]));
  console.log(JSON.stringify({ model: name, images: n, pairs: reps, ms_per_image: { a: +median(times[0]).toFixed(2), b: +median(times[1]).toFixed(2) }, b_over_a: +ratio.toFixed(3) }));
}
