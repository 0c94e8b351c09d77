// "How it works": the worked example and the surprise map, computed by the wasm from the loaded model.

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function lessonChecks(page, base, { check, waitState, OUT }) {
  await page.goto(`${base}?model=gated-mnist-bin.onnx&n=1&engine=native`);
  await waitState(page, ['ready'], 90000);
  const how = page.locator('#how');
  await how.scrollIntoViewIfNeeded();
  const result = () => page.evaluate(() => document.getElementById('how').dataset.workedResult);
  await page.waitForFunction(() => document.getElementById('how').dataset.workedResult, null, { timeout: 20000 });
  check((await result()) === '6 9 12 3 15 6 6 7 8', `worked example: the seed's result 6 9 12 / 3 15 6 / 6 7 8 (${await result()})`);
  const title = await page.locator('#we-grids figure').nth(1).locator('td').first().getAttribute('title');
  check(title === '-2 × 2 = -4', `worked example: a cell's arithmetic on hover ("${title}")`);
  await page.click('#we-prev');
  check((await page.textContent('#we-stage')).startsWith('Step 5 of 6') && (await page.locator('#we-grids figure').count()) === 5, 'worked example: Back steps to stage 5 of 6');
  await page.click('#we-next');
  await page.locator('#we-input input').nth(4).fill('1');
  await page.waitForFunction(() => document.getElementById('how').dataset.workedResult !== '6 9 12 3 15 6 6 7 8', null, { timeout: 10000 });
  check((await result()) === '6 9 12 3 3 6 6 7 8', `worked example: editing the centre to 1 gives ${await result()}`);
  await page.locator('#we-weights input').nth(0).fill('1');
  await page.waitForFunction(() => !document.getElementById('how').dataset.workedResult.startsWith('6 9'), null, { timeout: 10000 });
  check((await result()) === '0 0 0 0 0 0 6 7 8', `worked example: w1 = 1 gives ${await result()}`);
  await page.click('#we-reset');

  // The model diagram, for every committed model: blocks and parameters from the file; a click shows masks.
  for (const m of await (await fetch(`${base}models.json`)).json()) {
    await page.goto(`${base}?model=${m.file}&n=1&engine=native`);
    await waitState(page, ['ready'], 90000);
    const d = await page.evaluate(() => ({ ...document.getElementById('diagram').dataset }));
    const layers = m.config.blocks || m.config.layers;
    check(Number(d.params) === m.parameters && Number(d.layers) === layers, `${m.file}: diagram of ${d.blocks} blocks, ${d.layers} of them the ${layers} layers its config states, holding all ${m.parameters} parameters`);
    await page.locator('#diagram .block').nth(2).click();
    const drawn = await page.locator('#diagram-detail canvas').count();
    if (m.file === 'pixelcnn-mnist-bin.onnx') await page.locator('.diagram-row').screenshot({ path: path.join(OUT, 'diagram.png') });
    check(drawn > 0, `${m.file}: clicking ${await page.evaluate(() => document.getElementById('diagram').dataset.picked)} shows ${drawn} kernel mask(s)`);
  }

  // Step mode: one sub-pixel per step; softmax, field, and the LSTM gates where there are LSTMs.
  const stepTo = async (count, button = '#step-one') => {
    for (let i = 0; i < count; i++) await page.click(button);
    return page.waitForFunction((n) => window.pixelwise.stepper.lastStep && window.pixelwise.stepper.lastStep.position >= n, count * (button === '#step-ten' ? 10 : 1), { timeout: 30000, polling: 50 }).then(() => page.evaluate(() => window.pixelwise.stepper.lastStep));
  };
  for (const [file, lstm] of [['rowlstm-mnist-bin.onnx', true], ['diagbilstm-mnist-bin.onnx', true], ['pixelcnn-mnist-bin.onnx', false], ['gated-emoji-rgb.onnx', false]]) {
    await page.goto(`${base}?model=${file}&n=1&engine=native&seed=2`);
    await waitState(page, ['ready'], 90000);
    const s = await stepTo(3);
    const gatesShown = await page.isVisible('#step-gates');
    check(s.position === 3 && s.pixel === (file.includes('emoji') ? 0 : 2) && s.bars === (file.includes('emoji') ? 256 : 2), `${file}: three steps reach position 3 (pixel ${s.pixel}, channel ${s.channel}, ${s.bars} bars, drawn ${s.value})`);
    check(file.includes('emoji') ? s.seen >= 1 : s.seen >= 2, `${file}: the stepped position may see ${s.seen} pixels`);
    check(lstm ? s.gates > 0 && gatesShown : s.gates === 0 && !gatesShown, `${file}: ${lstm ? `${s.gates} gate values shown beside the equations` : 'no LSTM, no gates shown'}`);
    if (file === 'rowlstm-mnist-bin.onnx') {
      const t = await stepTo(7, '#step-ten');
      check(t.position === 73, `${file}: 10 steps at a time reach position ${t.position}`);
      await page.locator('.stepper').screenshot({ path: path.join(OUT, 'step-mode.png') });
    }
  }

  // A mixture head: the step shows its components as curves under the 256 bars, and names the head.
  await page.goto(`${base}?model=pixelcnn-mnist-256-mix.onnx&n=1&engine=native&seed=2`);
  await waitState(page, ['ready'], 90000);
  const mix = await stepTo(30, '#step-ten'); // position 300, inside the digit's rows
  const caption = await page.textContent('#step-caption');
  const curves = await page.evaluate(() => document.getElementById('step-probs').dataset.components);
  check(mix.bars === 256 && mix.components === 10 && curves === '10' && /logistic mixture/.test(caption), `pixelcnn-mnist-256-mix.onnx: step ${mix.position} shows ${mix.bars} bars and ${mix.components} component curves ("${caption.slice(0, 60)}…")`);

  // Naive against cached: both finish; the cached one is far faster per sub-pixel.
  await page.goto(`${base}?model=pixelcnn-mnist-bin.onnx&n=1&engine=native&seed=1`);
  await waitState(page, ['ready'], 90000);
  await page.click('#race-start');
  await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('race-status').dataset.state), null, { timeout: 180000, polling: 100 });
  const race = await page.evaluate(() => ({ result: window.pixelwise.race.result, text: document.getElementById('race-status').textContent }));
  check(race.result && race.result.ratio > 20, `race: native ${race.result && race.result.nativeMs.toFixed(0)} ms against tract ${race.result && (race.result.tractMs / 1000).toFixed(1)} s, ${race.result && race.result.ratio.toFixed(0)}× per sub-pixel`);
  check(race.result.identical && /identical/.test(race.text), `race: PixelCNN at seed 1 draws the same image on both engines, and the page says so (${race.result.identical ? 'identical' : `${race.result.differ} sub-pixels differ`})`);
  // Each lane's canvas, painted by the worker, shows its engine's image: the same picture, with ink.
  const lanes = await page.evaluate(async () => {
    const [a, b] = [await window.__shownCanvas('race-native'), await window.__shownCanvas('race-tract')];
    let ink = 0;
    for (let i = 0; i < a.data.length; i += 4) ink += a.data[i] < 100;
    return { size: [a.width, a.height, b.width, b.height], same: a.data.every((v, i) => v === b.data[i]), ink };
  });
  check(lanes.size.join() === '28,28,28,28' && lanes.same && lanes.ink > 0, `race: both lanes' canvases show the same 28x28 image (${lanes.ink} ink pixels)`);
  console.log(JSON.stringify({ race: 'pixelcnn-mnist-bin.onnx', native_ms: Math.round(race.result.nativeMs), tract_ms: Math.round(race.result.tractMs), ratio: Math.round(race.result.ratio), identical: race.result.identical }));

  // The surprise map's total for held-out digit 0 equals the native NLL `pixelwise eval` counts for it.
  const cli = JSON.parse(execFileSync(path.join(ROOT, 'target/release/pixelwise'), ['eval', '--model', path.join(ROOT, 'models/pixelcnn-mnist-bin.onnx'), '--limit', '1'], { encoding: 'utf8' }));
  await page.goto(`${base}?model=pixelcnn-mnist-bin.onnx&n=1&engine=native`);
  await waitState(page, ['ready'], 90000);
  const pageNats = await page.evaluate(async () => {
    const d = (await (await fetch('digits.json')).json()).digits[0];
    await window.pixelwise.lessons.surprise(() => ({ levels: Array.from(d.bits, (b) => (b === '1' ? 1 : 0)), label: d.label }));
    return window.pixelwise.lessons.lastSurprise[0].nats;
  });
  check(Math.abs(pageNats - cli.nll_nats) < 0.01, `surprise map of held-out digit 0: ${pageNats.toFixed(4)} nats on the page, ${cli.nll_nats} from pixelwise eval --limit 1`);
  console.log(JSON.stringify({ surprise: 'pixelcnn-mnist-bin.onnx, held-out digit 0', page_nats: Math.round(pageNats * 1e4) / 1e4, eval_nats: cli.nll_nats }));

  for (const [file, maps] of [['gated-mnist-bin.onnx', 3], ['gated-emoji-rgb.onnx', 3], ['pixelcnn-mnist-256.onnx', 2]]) {
    await page.goto(`${base}?model=${file}&n=1&engine=native`);
    await waitState(page, ['ready'], 90000);
    await page.click('#surprise-pick');
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('surprise').dataset.state), null, { timeout: 60000, polling: 50 });
    const s = await page.evaluate(() => ({ state: document.getElementById('surprise').dataset.state, text: document.getElementById('surprise-status').textContent, maps: document.querySelectorAll('#surprise-maps canvas').length, summary: window.pixelwise.lessons.lastSurprise }));
    if (file === 'gated-emoji-rgb.onnx') await page.locator('#how').screenshot({ path: path.join(OUT, 'how-it-works.png') });
    check(s.state === 'done' && s.maps === maps && s.summary.every((x) => Number.isFinite(x.nats) && x.nats > 0), `${file}: surprise map of a held-out image in one forward pass (${s.summary.map((x) => x.nats.toFixed(1)).join(' / ')} nats; ${s.maps} canvases)`);
  }
}
