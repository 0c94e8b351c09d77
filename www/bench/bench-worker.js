// Runs the timed work apart from the page so that it never freezes: for each model, onnxruntime-web
// and pixelwise on the same file, then one result line. The page shows progress and the table.

import { loadOrt, ortForward, ortNaiveSample, ortSession } from './ort-runner.js';
import * as pw from './pixelwise-adapter.js';
import { now, randomImages, round, timeMedian, timeOnce } from './timing.js';

const BATCH = 16;
// Medians after warm-up; the quick settings only prove that the page works.
const SETTINGS = {
  full: { warmup: 2, forwardReps: 9, batchForwardReps: 5, cachedReps: 7, batchCachedReps: 3, naivePositions: 64, field: true },
  quick: { warmup: 1, forwardReps: 1, batchForwardReps: 1, cachedReps: 1, batchCachedReps: 1, naivePositions: 4, field: false },
};
const PHASES = 6; // progress steps per model, as counted by `phase` below

const post = (msg) => self.postMessage(msg);
const message = (e) => (e && e.message) || String(e);
const ratio = (a, b) => (a == null || b == null ? null : round(a / b, 3));

self.onmessage = async ({ data }) => {
  try {
    await run(data);
  } catch (e) {
    post({ type: 'error', message: message(e) });
  }
};

async function run({ models, quick, naivePositions, browser }) {
  const set = { ...SETTINGS[quick ? 'quick' : 'full'] };
  if (naivePositions > 0) set.naivePositions = naivePositions;
  const hardware = navigator.hardwareConcurrency || 1;
  post({ type: 'progress', text: 'loading onnxruntime-web and pixelwise…', done: 0, of: models.length * PHASES });
  const ort = await loadOrt();
  const single = await pw.loadSingle();
  const threaded = await pw.loadThreaded(hardware).catch((e) => ({ reason: `the threaded module failed to start: ${message(e)}` }));
  const env = {
    browser,
    threads: { ort: ort.threads, pixelwise: single.threads, pixelwise_threaded: threaded.mod ? threaded.threads : null, hardware },
    ort_version: ort.version,
    cross_origin_isolated: self.crossOriginIsolated,
    settings: set,
  };
  post({ type: 'env', env, threadedReason: threaded.reason || null });
  let done = 0;
  for (const entry of models) {
    const phase = (text) => post({ type: 'progress', text: `${entry.file}: ${text}`, done: done++, of: models.length * PHASES });
    phase('fetching');
    const res = await fetch(`../models/${encodeURIComponent(entry.file)}`);
    if (!res.ok) throw new Error(`models/${entry.file}: HTTP ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const line = await benchModel(entry, bytes, { set, env, single, threaded, phase });
    post({ type: 'line', line });
  }
  post({ type: 'done', env });
}

/** onnxruntime-web's figures for one file; throws (the line then says why they are null) when it
 * cannot run the file. */
async function benchOrt(bytes, info, { image, batch, label, set }) {
  const t0 = now();
  const { session, note } = await ortSession(bytes);
  const sessionMs = now() - t0;
  try {
    const b1 = await timeMedian(() => ortForward(session, info, 1, image, label), { warmup: set.warmup, reps: set.forwardReps });
    const b16 = await timeMedian(() => ortForward(session, info, BATCH, batch, label), { warmup: set.warmup, reps: set.batchForwardReps });
    const logits = await ortForward(session, info, 1, image, label);
    const naive = await ortNaiveSample(session, info, { positions: set.naivePositions, seed: 1, label });
    return { sessionMs, note, b1, b16, logits, naive };
  } finally {
    await session.release();
  }
}

async function benchModel(entry, bytes, { set, env, single, threaded, phase }) {
  const handle = pw.openModel(single, bytes);
  const { info } = handle;
  const label = info.classes > 0 ? 0 : null; // conditional models: class 0 on every engine
  const image = randomImages(info, 1, 1);
  const batch = randomImages(info, BATCH, 2);
  const fwd = { warmup: set.warmup, reps: set.forwardReps };

  phase('onnxruntime-web session, forwards and naive sampling');
  const o = await benchOrt(bytes, info, { image, batch, label, set }).catch((e) => ({ failed: message(e) }));
  phase('native and tract forwards');
  pw.prepare(handle, 'native');
  const t0 = now();
  pw.prepare(handle, 'tract');
  const tractPrepareMs = now() - t0;
  const nativeFwd = await timeMedian(() => pw.forward(handle, 'native', image, label), fwd);
  const tractFwd = await timeMedian(() => pw.forward(handle, 'tract', image, label), fwd);
  // Proof that both runtimes compute the same thing from the file: the largest logit difference.
  const nativeLogits = pw.forward(handle, 'native', image, label);
  let maxDiff = 0;
  if (o.logits) for (let i = 0; i < nativeLogits.length; i++) maxDiff = Math.max(maxDiff, Math.abs(nativeLogits[i] - o.logits[i]));

  phase('cached sampling, batch 1');
  const cachedB1 = await timeMedian((i) => pw.sampleImages(handle, { n: 1, seed: i, label }), { warmup: set.warmup, reps: set.cachedReps });
  phase(`cached sampling, batch ${BATCH}`);
  const cachedB16 = (await timeMedian((i) => pw.sampleImages(handle, { n: BATCH, seed: i, label }), { warmup: set.warmup, reps: set.batchCachedReps })) / BATCH;
  // "Measure by perturbation" on the page: the receptive field at the centre pixel, measured.
  phase('receptive field by perturbation');
  const centre = [Math.floor(info.height / 2), Math.floor(info.width / 2)];
  const fieldMs = set.field ? await timeOnce(() => pw.measureField(handle, ...centre)) : null;
  pw.closeModel(handle);

  phase('cached sampling, threaded');
  let thB1 = null;
  let thB16 = null;
  let thFieldMs = null;
  if (threaded.mod) {
    const th = pw.openModel(threaded, bytes);
    pw.prepare(th, 'native');
    thB1 = await timeMedian((i) => pw.sampleImages(th, { n: 1, seed: i, label }), { warmup: set.warmup, reps: set.cachedReps });
    thB16 = (await timeMedian((i) => pw.sampleImages(th, { n: BATCH, seed: i, label }), { warmup: set.warmup, reps: set.batchCachedReps })) / BATCH;
    phase('receptive field by perturbation, threaded');
    thFieldMs = set.field ? await timeOnce(() => pw.measureField(th, ...centre)) : null;
    pw.closeModel(th);
  }

  const line = {
    model: entry.file,
    arch: info.arch,
    shape: `${info.channels}x${info.height}x${info.width}`,
    levels: info.levels,
    label,
    browser: env.browser,
    threads: env.threads,
    ort_ms_forward: { batch1: round(o.b1), [`batch${BATCH}`]: round(o.b16), [`batch${BATCH}_per_image`]: round(o.b16 / BATCH) },
    ort_ms_naive_per_image: round(o.naive && o.naive.msPerImage, 1),
    // null when every sub-pixel of an image was sampled; else how many were timed.
    ort_naive_ms_per_image_extrapolated_from: o.naive && o.naive.positions < o.naive.total ? o.naive.positions : null,
    pixelwise_ms_cached_per_image: {
      batch1: round(cachedB1),
      [`batch${BATCH}`]: round(cachedB16),
      batch1_threaded: round(thB1),
      [`batch${BATCH}_threaded`]: round(thB16),
    },
    pixelwise_ms_forward: { native: round(nativeFwd), tract: round(tractFwd) },
    // The page's "Measure by perturbation" at the centre pixel, once (target: under 5 s).
    pixelwise_ms_measured_field: { single: round(fieldMs, 0), threaded: round(thFieldMs, 0) },
    max_abs_logit_diff_native_vs_ort: !o.logits ? null : nativeLogits.length === o.logits.length ? Number(maxDiff.toPrecision(2)) : 'logit counts differ',
    ms_setup: { ort_session: round(o.sessionMs, 1), tract_prepare: round(tractPrepareMs, 1) },
    ratios: {
      cached_over_ort_forward_batch1: ratio(cachedB1, o.b1),
      [`cached_over_ort_forward_batch${BATCH}`]: ratio(cachedB16, o.b16 && o.b16 / BATCH),
      [`cached_batch${BATCH}_over_batch1`]: ratio(cachedB16, cachedB1),
      // Batching as the page meets it where it is cross-origin isolated: the threaded module.
      [`cached_batch${BATCH}_over_batch1_threaded`]: ratio(thB16, thB1),
      native_forward_over_tract_forward: ratio(nativeFwd, tractFwd),
      native_forward_over_ort_forward: ratio(nativeFwd, o.b1),
      [`threaded_speedup_batch${BATCH}`]: ratio(cachedB16, thB16),
      ort_naive_over_cached_batch1: ratio(o.naive && o.naive.msPerImage, cachedB1),
    },
    method:
      `medians after ${set.warmup} warm-up: forwards ${set.forwardReps} (batch ${BATCH}: ${set.batchForwardReps}), ` +
      `cached images ${set.cachedReps} (batch ${BATCH}: ${set.batchCachedReps} batches)` +
      (!o.naive ? '' : o.naive.positions < o.naive.total ? `; ORT naive: first ${o.naive.positions} of ${o.naive.total} sub-pixels, times ${o.naive.total}` : `; ORT naive: all ${o.naive.total} sub-pixels`),
  };
  if (o.note) line.ort_note = o.note;
  if (o.failed) line.ort_null_because = o.failed;
  if (!threaded.mod) line.threaded_null_because = threaded.reason;
  return line;
}
