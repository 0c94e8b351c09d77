// onnxruntime-web, the reference the bench compares against, on the same .onnx file. Its files are
// served from bench/ort/ (copied from the pinned npm package by ./build.sh bench and test). One
// thread and no proxy worker: its figures are then single-threaded like pixelwise's default module.

import { now, seeded } from './timing.js';

let ort = null;

export async function loadOrt() {
  try {
    ort = await import('./ort/ort.wasm.min.mjs');
  } catch (e) {
    throw new Error(`onnxruntime-web is missing from www/bench/ort/ (./build.sh bench copies it there): ${e.message}`);
  }
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmPaths = new URL('./ort/', import.meta.url).href;
  return { version: ort.env.versions.web, threads: 1 };
}

const OPTIONS = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };

/** A session on the file's bytes: `{ session, note }`. A file whose ONNX IR version is newer than
 * this onnxruntime-web reads (the Scan exports of the LSTMs say 14; 1.30 reads up to 13) is retried
 * with the IR version field alone set to the newest it reads, and `note` says so; the graph, opsets
 * and weights are the file's own, and the bench's logit check against pixelwise shows the result. */
export async function ortSession(bytes) {
  try {
    return { session: await ort.InferenceSession.create(bytes, OPTIONS), note: null };
  } catch (e) {
    const m = String(e.message).match(/Unsupported model IR version: (\d+), max supported IR version: (\d+)/);
    // The IR version is the ModelProto's field 1, a one-byte varint first in the file (0x08, v).
    if (!m || bytes[0] !== 0x08 || bytes[1] !== Number(m[1]) || Number(m[2]) > 127) throw e;
    const relabelled = bytes.slice();
    relabelled[1] = Number(m[2]);
    const session = await ort.InferenceSession.create(relabelled, OPTIONS);
    return { session, note: `IR version ${m[1]} relabelled ${m[2]} for onnxruntime-web (its newest); graph, opsets and weights unchanged` };
  }
}

/** One forward of `batch` images `[batch*C*H*W]` (conditional models get class `label` one-hot).
 * Returns the logits `[batch, L, C, H, W]`. */
export async function ortForward(session, info, batch, images, label) {
  const feeds = { pixels: new ort.Tensor('float32', images, [batch, info.channels, info.height, info.width]) };
  if (info.classes > 0) {
    const onehot = new Float32Array(batch * info.classes);
    for (let b = 0; b < batch; b++) onehot[b * info.classes + (label ?? 0)] = 1;
    feeds.label = new ort.Tensor('float32', onehot, [batch, info.classes]);
  }
  const out = await session.run(feeds);
  return out[session.outputNames[0]].data;
}

/** Naive sampling with ORT: one forward per sub-pixel in raster order (R, G, B within a pixel), a
 * level drawn from the softmax with a seeded generator. Runs the first `positions` sub-pixels (all
 * when `positions` covers the image): every forward costs the same whatever the position, so the
 * time per image is the time per position times the image's sub-pixels. */
export async function ortNaiveSample(session, info, { positions, seed, label }) {
  const { channels: C, levels: L } = info;
  const plane = info.height * info.width;
  const total = C * plane;
  const count = Math.min(positions, total);
  const image = new Float32Array(total);
  const rand = seeded(seed);
  const p = new Float64Array(L);
  const t0 = now();
  for (let s = 0; s < count; s++) {
    const at = (s % C) * plane + Math.floor(s / C); // channel plane, then the pixel in raster order
    const logits = await ortForward(session, info, 1, image, label);
    let max = -Infinity;
    for (let l = 0; l < L; l++) max = Math.max(max, logits[l * total + at]);
    let sum = 0;
    for (let l = 0; l < L; l++) sum += p[l] = Math.exp(logits[l * total + at] - max);
    let u = rand() * sum;
    let k = 0;
    while (k < L - 1 && (u -= p[k]) >= 0) k++;
    image[at] = k / (L - 1);
  }
  const msPerPosition = (now() - t0) / count;
  return { msPerImage: msPerPosition * total, positions: count, total };
}
