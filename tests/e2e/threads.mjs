// The threaded native module: the dev server isolates the page (COOP/COEP), so on a multi-core
// machine the workers load it and start a pool of one thread per core; `?threads=off` keeps the
// single-threaded module. Both must draw the same grid for the same seed: threads split the batch
// and the positions, never the arithmetic of one value.

async function grid(page, base, query, { check, waitState, generate }) {
  await page.goto(`${base}?model=gated-emoji-rgb.onnx&n=4&seed=7&engine=native${query}`);
  await waitState(page, ['ready', 'done'], 60000);
  // The pool starts beside the first work; the threaded figures are taken once it is up.
  await page.waitForFunction(() => window.pixelwise.pool !== 'starting', null, { timeout: 30000, polling: 50 });
  const threads = await page.evaluate(() => window.pixelwise.threads);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const out = await generate(page);
  check(out.gen && out.gen.images.length === 4, `${query || 'threads on'}: the grid is generated`);
  return { threads, cores, levels: JSON.stringify(out.gen.images), figures: out.figures };
}

// The plain address's own first grid begins while the pool is still starting (it starts beside
// that grid, so the grid runs on one thread, or on the pool if it came up first): either way it
// must draw what the single-threaded module draws for the same settings.
async function firstGridChecks(page, base, { check, waitState, generate }) {
  await page.goto(base);
  await page.waitForFunction(() => window.pixelwise.lastGeneration != null, null, { timeout: 60000, polling: 50 });
  const first = await page.evaluate(() => window.pixelwise.lastGeneration);
  await page.goto(`${base}?model=${encodeURIComponent(first.model)}&n=${first.n}&seed=${first.seed}&engine=${first.engine}&threads=off`);
  await waitState(page, ['ready', 'done'], 60000);
  const off = await generate(page);
  check(JSON.stringify(off.gen.images) === JSON.stringify(first.images), `the page's first grid (${first.n} images, the pool ${first.pool} as it began) draws what the single-threaded module draws`);
}

export async function threadsChecks(page, base, ctx) {
  const { check } = ctx;
  await firstGridChecks(page, base, ctx);
  const on = await grid(page, base, '', ctx);
  const off = await grid(page, base, '&threads=off', ctx);
  check(on.cores < 2 || on.threads === on.cores, `isolated page on ${on.cores} cores: the threaded module with ${on.cores} threads (got ${on.threads})`);
  check(off.threads === 1, `?threads=off: the single-threaded module (got ${off.threads} threads)`);
  check(on.levels === off.levels, 'the threaded and single-threaded modules draw the same images for the same seed');
  console.log(JSON.stringify({ threads_check: 'gated-emoji-rgb.onnx, 4 images', threads: on.threads, ms_per_image: { threaded: round(on.figures.msPerImage), single: round(off.figures.msPerImage) } }));
}

const round = (v) => (v == null ? null : Math.round(v * 10) / 10);
