// Timing and randomness for the bench: medians after warm-up (one slow run, a garbage collection or
// a JIT tier-up, must not decide a figure), and a seeded generator so that every run draws alike.

export const now = () => performance.now();

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median milliseconds of `reps` calls of `fn` after `warmup` untimed ones. */
export async function timeMedian(fn, { warmup, reps }) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = now();
    await fn(i);
    times.push(now() - t0);
  }
  return median(times);
}

/** Milliseconds of one call of `fn` (work too long to repeat, measured once). */
export async function timeOnce(fn) {
  const t0 = now();
  await fn();
  return now() - t0;
}

/** mulberry32: a small 32-bit seeded generator, uniform in [0, 1). Good enough to draw levels. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` images `[C*H*W]` of random levels k/(L-1), concatenated: forwards cost the same on any
 * input, but a real-looking one keeps every engine off special cases such as all-zero rows. */
export function randomImages(info, count, seed) {
  const rand = seeded(seed);
  const len = info.channels * info.height * info.width;
  const out = new Float32Array(count * len);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(rand() * info.levels) / (info.levels - 1);
  return out;
}

export const round = (x, digits = 2) => (x == null || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits);
