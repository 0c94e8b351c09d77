// Completing with a class-conditional model and no class picked: the model reads the class of the
// rows above the cut and completes each alternative under a class drawn from that reading.

export async function readClassChecks(page, base, { check, waitState }) {
  await page.goto(`${base}?model=gated-mnist-bin.onnx&n=1&engine=native`);
  await waitState(page, ['ready'], 90000);
  const complete = async () => {
    await page.click('#complete');
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('complete-status').dataset.state), null, { timeout: 120000, polling: 50 });
    return page.evaluate(() => ({ text: document.getElementById('complete-status').textContent, comp: window.pixelwise.lastCompletion }));
  };
  await page.click('#real-digit');
  const loaded = await page.textContent('#complete-status');
  const read = await complete();
  check(/^Read as \S+ \(\d+%\)/.test(read.text) && /completing as [0-9, ]+\./.test(read.text), `Gated PixelCNN, no class picked: the completion says what it read in the top half ("${loaded}" → "${read.text}")`);
  const { comp } = read;
  check(comp.labels.length === comp.n && comp.labels.every((c) => Number.isInteger(c) && c >= 0 && c < 10), `each of the ${comp.n} completions takes a class drawn from the reading (${comp.labels.join(' ')})`);
  check(comp.images.every((img) => comp.kept.every((v, i) => v < 0 || img[i] === v)), 'a completion under a read class keeps every kept pixel');
  // What a visitor sees: the status on screen, and the completions canvas dark exactly where each
  // completed image has ink (every pixel, kept or drawn).
  check(await page.isVisible('#complete-status'), 'the reading is shown on screen');
  const wrong = await page.evaluate(async (images) => {
    const c = await window.__shownCanvas('completions');
    let bad = 0;
    images.forEach((img, k) => img.forEach((v, i) => {
      const x = k * 30 + (i % 28);
      const y = Math.floor(i / 28);
      if ((c.data[(y * c.width + x) * 4] < 100) !== (v === 1)) bad++;
    }));
    return bad;
  }, comp.images);
  check(wrong === 0, `the completions canvas shows the ${comp.n} completions under their read classes pixel for pixel (${wrong} pixels differ)`);
  // A picked class is used as it is: nothing is read.
  await page.selectOption('#class', '3');
  const picked = await complete();
  check(!/^Read as/.test(picked.text) && picked.comp.labels.every((c) => c === 3), `with class 3 picked, every completion is a 3 and nothing is read ("${picked.text}")`);
}
