// The bench page, quickly (one small model, one repetition), so that it cannot rot: its worker
// reaches onnxruntime-web and pixelwise, fills the table, and its line has every figure.
import path from 'node:path';

export async function benchChecks(page, base, { check, OUT }) {
  await page.goto(`${base}bench/?quick=1`);
  await page.waitForFunction(() => ['done', 'error'].includes(window.bench && window.bench.state), null, { timeout: 60000, polling: 100 });
  const b = await page.evaluate(() => window.bench);
  check(b.state === 'done', `bench page: quick run done${b.error ? ` (${b.error})` : ''}`);
  check(b.env.threads.ort === 1 && b.env.threads.pixelwise === 1 && /\d+\.\d+/.test(b.env.browser), `bench page: ${b.env.browser}, onnxruntime-web ${b.env.ort_version} on 1 thread`);
  check(b.lines.length === 1, `bench page: one line (${b.lines.map((l) => l.model).join(', ')})`);
  const l = b.lines[0];
  const figures = [
    l.ort_ms_forward.batch1, l.ort_ms_forward.batch16_per_image, l.ort_ms_naive_per_image,
    l.pixelwise_ms_cached_per_image.batch1, l.pixelwise_ms_cached_per_image.batch16,
    l.pixelwise_ms_forward.native, l.pixelwise_ms_forward.tract,
  ];
  check(figures.every((x) => Number.isFinite(x) && x > 0), `bench page: every timing measured (${figures.join(', ')} ms)`);
  check(l.max_abs_logit_diff_native_vs_ort < 1e-3, `bench page: native and onnxruntime-web logits agree (max difference ${l.max_abs_logit_diff_native_vs_ort})`);
  const r = l.ratios;
  check(['cached_over_ort_forward_batch1', 'cached_over_ort_forward_batch16', 'cached_batch16_over_batch1', 'native_forward_over_tract_forward'].every((k) => r[k] > 0), 'bench page: the ratios are there');
  // The threaded figure: measured when a threaded module is built, else null with the reason.
  const threaded = l.pixelwise_ms_cached_per_image.batch16_threaded;
  check(threaded > 0 ? r.threaded_speedup_batch16 > 0 : r.threaded_speedup_batch16 === null && /threaded|isolated/.test(l.threaded_null_because), `bench page: threaded ${threaded > 0 ? `${threaded} ms per image` : `null: ${l.threaded_null_because}`}`);
  const columns = await page.locator('#results thead th').allTextContents();
  check(columns.includes(l.model) && (await page.locator('#results tbody tr').count()) > 10, `bench page: the table shows the line (${columns.join(', ')})`);
  await page.locator('main').screenshot({ path: path.join(OUT, 'bench.png') });
}
