// The general case on the page: 256 levels (grey MNIST) and R, G, B sub-pixels (emoji).
import path from 'node:path';

/** Pixels of a canvas as shown whose channels differ by more than `spread` (i.e. not grey). */
const colourfulPixels = (page, id, spread = 40) =>
  page.evaluate(async ([canvasId, s]) => {
    const { data: d } = await window.__shownCanvas(canvasId);
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > s) n++;
    return n;
  }, [id, spread]);

async function completeAndCheck(page, check, name, levels) {
  await page.click('#real-digit');
  await page.click('#complete');
  await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('complete-status').dataset.state), null, { timeout: 120000, polling: 50 });
  const comp = await page.evaluate(() => window.pixelwise.lastCompletion);
  check(comp !== null, `${name}: completion finished (${await page.textContent('#complete-status')})`);
  const keptCount = comp.kept.filter((v) => v >= 0).length;
  const ok = comp.images.every((img) => comp.kept.every((v, i) => v < 0 || img[i] === v) && img.every((v) => v >= 0 && v < levels));
  check(keptCount > 0 && ok, `${name}: ${comp.n} completions keep all ${keptCount} kept sub-pixels and fill the rest`);
}

export async function colourChecks(page, base, { check, waitState, generate, OUT }) {
  // --- emoji: colour, named classes, 256 bars, R then G then B ---
  await page.goto(`${base}?model=gated-emoji-rgb.onnx&n=4&seed=1&engine=native`);
  await waitState(page, ['ready'], 90000);
  const names = await page.locator('#class option').allTextContents();
  check(names.includes('Smileys & Emotion') && names.includes('Flags'), `emoji: classes shown by name (${names.slice(1).join(', ')})`);
  await page.selectOption('#class', { label: 'Animals & Nature' });
  const gen = await generate(page, { timeout: 120000 });
  check(gen.gen.images.length === 4 && gen.gen.images.every((img) => img.length === 3 * 16 * 16), 'emoji: 4 images of 3 x 16 x 16 sub-pixels');
  const colourful = await colourfulPixels(page, 'grid');
  check(colourful > 20, `emoji: the grid is painted in colour (${colourful} non-grey canvas pixels)`);
  const bars = await page.evaluate(() => ({ ...document.getElementById('probs').dataset }));
  check(bars.bars === '256' && Number(bars.drawn) >= 0 && Number(bars.drawn) < 256, `emoji: the softmax panel shows 256 bars, drawn level ${bars.drawn} marked`);
  await page.locator('section').first().screenshot({ path: path.join(OUT, 'emoji.png') });
  // Slowed down, one sub-pixel per message: R, G, B of a pixel arrive in turn.
  await page.selectOption('#speed', '25');
  await page.evaluate(() => {
    window.__order = [];
    const orig = window.pixelwise.onProgress;
    window.pixelwise.onProgress = (rec) => window.__order.push(rec);
    return orig;
  });
  await page.click('#generate');
  await page.waitForFunction(() => window.__order.length >= 9, null, { timeout: 30000, polling: 50 });
  await page.click('#stop');
  const order = await page.evaluate(() => window.__order.slice(0, 9));
  check(order.every((r, i) => r.pixel === Math.floor(i / 3) && r.channel === i % 3), `emoji, slow: one sub-pixel per step in order ${order.map((r) => `${r.pixel}${'RGB'[r.channel]}`).join(' ')}`);
  await page.selectOption('#speed', '0');
  await completeAndCheck(page, check, 'emoji', 256);
  // The held-out emoji is picked at random and a few are grey in their top half: a colour-blind pad
  // would show no colour for any of ten picks.
  let padColour = await colourfulPixels(page, 'pad', 30);
  for (let pick = 1; pick < 10 && padColour === 0; pick++) {
    await page.click('#real-digit');
    padColour = await colourfulPixels(page, 'pad', 30);
  }
  check(padColour > 0, `emoji: the pad holds a real emoji in colour (${padColour} coloured pixels)`);

  // --- grey MNIST, 256 levels: a soft grey brush, grey samples ---
  await page.goto(`${base}?model=pixelcnn-mnist-256.onnx&n=4&seed=2&engine=native`);
  await waitState(page, ['ready'], 90000);
  const grey = await generate(page, { timeout: 120000 });
  const mid = grey.gen.images.flat().filter((v) => v > 0 && v < 255).length;
  check(mid > 0, `mnist-256: samples use intermediate grey levels (${mid} sub-pixels strictly between 0 and 255)`);
  await page.click('#clear');
  const pad = page.locator('#pad');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  const at = (col, row) => [box.x + ((col + 0.5) / 28) * box.width, box.y + ((row + 0.5) / 28) * box.height];
  await page.mouse.move(...at(8, 20));
  await page.mouse.down();
  await page.mouse.move(...at(20, 20), { steps: 10 });
  await page.mouse.up();
  const soft = await page.evaluate(() => {
    const v = window.pixelwise.pad.value;
    let full = 0;
    let partial = 0;
    for (let i = 0; i < v.length; i += 3) if (v[i] === 255) full++; else if (v[i] > 0) partial++;
    return { full, partial };
  });
  check(soft.full > 0 && soft.partial > 0, `mnist-256: the brush is soft (${soft.full} full and ${soft.partial} partial grey pixels)`);
  await completeAndCheck(page, check, 'mnist-256', 256);
}
