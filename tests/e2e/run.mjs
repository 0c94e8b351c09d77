// End-to-end test of the page in Debian's Chromium, driven by playwright-core. Starts the dev
// server on a free port, checks generation, stop, completion, errors and the server's headers,
// writes screenshots to target/e2e/ and prints the page's measured speed per engine as JSON lines.
// Usage: node tests/e2e/run.mjs [groups]   (after ./build.sh has built target/release/serve and www/)
//   groups: a comma-separated subset of first,main,threads,visibility,phone,colour,read-class,lessons,byo,codec,bench,site (default: all of them)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { phoneChecks, visibilityChecks } from './visibility.mjs';
import { colourChecks } from './colour.mjs';
import { lessonChecks } from './lessons.mjs';
import { readClassChecks } from './read-class.mjs';
import { byoChecks } from './byo.mjs';
import { benchChecks } from './bench.mjs';
import { threadsChecks } from './threads.mjs';
import { firstSecondChecks } from './first-second.mjs';
import { siteChecks } from './site.mjs';
import { codecChecks } from './codec.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = path.join(ROOT, 'target/e2e');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const started = Date.now();

const GROUPS = (process.argv[2] || 'first,main,threads,visibility,phone,colour,read-class,lessons,byo,codec,bench,site').split(',');
const want = (group) => GROUPS.includes(group);

class Failure extends Error {}
function check(ok, what) {
  if (!ok) throw new Failure(what);
  console.log(`ok - ${what}`);
}

function startServer() {
  const bin = path.join(ROOT, 'target/release/serve');
  for (const need of [bin, path.join(ROOT, 'www/pkg/pixelwise_native_bg.wasm'), path.join(ROOT, 'www/pkg/pixelwise_bg.wasm'), path.join(ROOT, 'www/models.json')]) {
    if (!existsSync(need)) throw new Failure(`${path.relative(ROOT, need)} is missing: run ./build.sh serve (or its build steps) first`);
  }
  const proc = spawn(bin, ['--root', 'www', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Failure(`the server printed no address: ${text}`)), 10000);
    proc.stdout.on('data', (d) => {
      text += d;
      const m = text.match(/http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, base: m[0], port: Number(m[1]) });
      }
    });
    proc.on('exit', (code) => reject(new Failure(`the server exited early (code ${code}): ${text}`)));
  });
}

/** A raw request, so the path reaches the server exactly as written (no client normalisation). */
function rawGet(port, target) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
    let data = '';
    sock.on('data', (d) => (data += d.toString('latin1')));
    sock.on('end', () => resolve({ status: Number((data.match(/^HTTP\/1\.1 (\d+)/) || [])[1]), text: data }));
    sock.on('error', reject);
  });
}

async function serverChecks(base, port) {
  for (const target of ['/../Cargo.toml', '/%2e%2e/Cargo.toml', '/%2E%2E%2FCargo.toml', '/pkg/..%2f..%2fCargo.toml']) {
    const res = await rawGet(port, target);
    check(res.status >= 400 && !res.text.includes('[package]'), `server refuses ${target} (HTTP ${res.status})`);
  }
  const wasm = await fetch(`${base}pkg/pixelwise_bg.wasm`, { method: 'HEAD' });
  const h = (k) => wasm.headers.get(k);
  check(wasm.ok && h('content-type') === 'application/wasm', `.wasm served as ${h('content-type')}`);
  check(h('cross-origin-opener-policy') === 'same-origin' && h('cross-origin-embedder-policy') === 'require-corp', 'COOP same-origin and COEP require-corp');
  // Precompressed by build.sh: brotli where the browser takes it, gzip otherwise, raw for neither.
  const head = (target, enc) =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: target, method: 'HEAD', headers: enc ? { 'accept-encoding': enc } : {} }, (res) => {
        res.resume();
        resolve({ enc: res.headers['content-encoding'], len: Number(res.headers['content-length']), type: res.headers['content-type'] });
      });
      req.on('error', reject);
      req.end();
    });
  const [raw, br, gz] = [await head('/pkg/pixelwise_bg.wasm'), await head('/pkg/pixelwise_bg.wasm', 'gzip, deflate, br'), await head('/pkg/pixelwise_bg.wasm', 'gzip')];
  check(!raw.enc && br.enc === 'br' && gz.enc === 'gzip' && br.type === 'application/wasm', `the wasm is served brotli- or gzip-encoded as asked (${raw.len} bytes raw, ${br.len} brotli, ${gz.len} gzip)`);
  check(br.len < raw.len / 4, `brotli sends ${((100 * br.len) / raw.len).toFixed(1)}% of the wasm's bytes`);
  const onnx = await fetch(`${base}models/pixelcnn-mnist-bin.onnx`, { method: 'HEAD' });
  check(onnx.headers.get('content-type') === 'application/octet-stream', '.onnx served as application/octet-stream');
}

const waitState = (page, states, timeout) =>
  page.waitForFunction((s) => s.includes(window.pixelwise && window.pixelwise.state), states, { timeout, polling: 50 }).catch(async () => {
    const st = await page.evaluate(() => [window.pixelwise && window.pixelwise.state, document.getElementById('error').textContent]);
    throw new Failure(`waited ${timeout} ms for state ${states.join('|')}, page is ${st[0]} (${st[1]})`);
  });

/** Put in every page: a canvas's pixels as the page shows them. The sample grids are painted by the
 *  worker (an OffscreenCanvas whose frames reach the page's canvas a frame or so after its
 *  messages), so they are read once the picture has held still for two animation frames, by
 *  drawing the page's canvas onto a scratch one. */
const SHOWN_PIXELS = () => {
  window.__shownCanvas = async (id) => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    let url = document.getElementById(id).toDataURL();
    for (let still = 0; still < 2; ) {
      await frame();
      const now = document.getElementById(id).toDataURL();
      still = now === url ? still + 1 : 0;
      url = now;
    }
    const c = document.getElementById(id);
    const scratch = document.createElement('canvas');
    [scratch.width, scratch.height] = [c.width, c.height];
    const ctx = scratch.getContext('2d');
    ctx.drawImage(c, 0, 0);
    return { width: c.width, height: c.height, data: ctx.getImageData(0, 0, c.width, c.height).data };
  };
};

/** Starts recording distinct canvas images, once per animation frame, while the page is sampling. */
const recordFrames = (page, id) =>
  page.evaluate((canvasId) => {
    const seen = new Set();
    window.__frames = seen;
    const tick = () => {
      if (window.pixelwise.state === 'sampling') seen.add(document.getElementById(canvasId).toDataURL());
      if (window.__frames === seen) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, id);

/** Per cell of a grid canvas: dark pixels counted on the rendered canvas. */
const inkPerCell = (page, id, n, cols) =>
  page.evaluate(
    async ([canvasId, n, cols]) => {
      const c = await window.__shownCanvas(canvasId);
      const d = c.data;
      return Array.from({ length: n }, (_, k) => {
        const x0 = (k % cols) * 30;
        const y0 = Math.floor(k / cols) * 30;
        let ink = 0;
        for (let y = y0; y < y0 + 28; y++) for (let x = x0; x < x0 + 28; x++) if (d[(y * c.width + x) * 4] < 100) ink++;
        return ink;
      });
    },
    [id, n, cols],
  );

async function generate(page, { timeout = 60000 } = {}) {
  await recordFrames(page, 'grid');
  await page.click('#generate');
  await waitState(page, ['done'], timeout);
  return page.evaluate(async () => ({ url: await window.pixelwise.gridDataURL(), frames: window.__frames.size, gen: window.pixelwise.lastGeneration, figures: window.pixelwise.figures }));
}

function speedLine(engine, figures, n, note) {
  const line = {
    engine, images: n, time_to_first_pixel_ms: Math.round(figures.firstPixelMs * 10) / 10, pixels_per_second: Math.round(figures.pixelsPerSecond),
    ms_per_image: figures.msPerImage == null ? null : Math.round(figures.msPerImage * 10) / 10, engine_build_ms: Math.round(figures.prepareMs * 10) / 10, note,
  };
  console.log(JSON.stringify(line));
}

/** Clicks pixel (row, col) of image k of the grid's overlay and waits for its receptive field. */
async function clickField(page, k, row, col, cols) {
  const overlay = page.locator('#overlay');
  await overlay.scrollIntoViewIfNeeded();
  const box = await overlay.boundingBox();
  const side = cols * 28 + (cols - 1) * 2; // the grid canvas is square here
  const unit = box.width / side;
  const x = box.x + ((k % cols) * 30 + col + 0.5) * unit;
  const y = box.y + (Math.floor(k / cols) * 30 + row + 0.5) * unit;
  await page.mouse.click(x, y);
  return waitField(page, k, row, col);
}

const waitField = (page, k, row, col) =>
  page
    .waitForFunction(([k, row, col]) => { const f = window.pixelwise.field; return f && f.k === k && f.row === row && f.col === col; }, [k, row, col], { timeout: 20000, polling: 50 })
    .then(() => page.evaluate(() => window.pixelwise.field))
    .catch(async () => {
      throw new Failure(`no receptive field shown for image ${k}, (${row}, ${col}): "${await page.textContent('#field-status')}"`);
    });

/** Overlay pixels drawn yellow (the field) and red (the chosen pixel), counted on the canvas. */
const overlayColours = (page) =>
  page.evaluate(() => {
    const c = document.getElementById('overlay');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let yellow = 0;
    let red = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] === 0) continue;
      if (d[i] > 200 && d[i + 1] > 150 && d[i + 2] < 80) yellow++;
      else if (d[i] > 200 && d[i + 1] < 80 && d[i + 2] > 60) red++;
    }
    return { yellow, red, scale: c.width / document.getElementById('grid').width };
  });

async function receptiveChecks(page, base) {
  const [row, col] = [14, 14];
  const fields = {};
  for (const [name, file] of [['gated', 'gated-mnist-bin.onnx'], ['pixelcnn', 'pixelcnn-mnist-bin.onnx']]) {
    const cls = name === 'gated' ? '&class=3' : '';
    await page.goto(`${base}?seed=5&n=4&engine=native&model=${file}${cls}`);
    await waitState(page, ['ready'], 60000);
    if (name === 'gated') check((await page.inputValue('#class')) === '3', 'gated: class 3 chosen');
    const gen = await generate(page);
    check(gen.gen.n === 4, `${name}: 4 images generated`);
    const field = await clickField(page, 3, row, col, 2);
    const drawn = await overlayColours(page);
    const cells = drawn.scale * drawn.scale;
    check(field.count > 0 && drawn.yellow >= field.count * cells * 0.9, `${name}: the overlay shows the field of (${row}, ${col}): ${field.count} pixels, ${drawn.yellow} yellow canvas pixels`);
    check(drawn.red > 0 && field.field[row * 28 + col] === 0, `${name}: the chosen pixel is marked and is not in its own field`);
    check(field.field.every((v, p) => !v || p < row * 28 + col), `${name}: no pixel after (${row}, ${col}) in raster order is in the field`);
    const kernels = await page.locator('#masks canvas').count();
    check(kernels === (name === 'gated' ? 4 : 2), `${name}: ${kernels} kernel masks drawn`);
    if (name === 'gated') {
      // Guidance reshapes the class-3 samples of the same seed.
      check(await page.isVisible('#guidance'), 'gated: the guidance control is shown');
      await page.locator('#guidance').fill('1');
      await generate(page);
      const plain = await page.evaluate(() => window.pixelwise.gridDataURL());
      await page.locator('#guidance').fill('3');
      const guided = await generate(page);
      check(guided.gen.n === 4, 'gated: 4 images generated with guidance 3');
      check((await page.evaluate(() => window.pixelwise.gridDataURL())) !== plain, 'gated: guidance 3 changes the samples of the same seed');
      await page.locator('#guidance').fill('1');
    }
    fields[name] = field.field;
    await page.locator('.grid-column').screenshot({ path: path.join(OUT, `receptive-${name}.png`) });
  }
  // Holes: pixels in the rows above, inside the field's own bounding box, that it never sees.
  // PixelCNN's lie above and to the right (the blind spot); Gated has none and sees all of them.
  const holes = (f) => {
    const seen = [...f.keys()].filter((p) => f[p]);
    const [top, left, right] = [Math.min(...seen.map((p) => Math.floor(p / 28))), Math.min(...seen.map((p) => p % 28)), Math.max(...seen.map((p) => p % 28))];
    const out = [];
    for (let r = top; r < row; r++) for (let c = left; c <= right; c++) if (!f[r * 28 + c]) out.push([r, c]);
    return out;
  };
  const blind = holes(fields.pixelcnn);
  check(blind.length > 0 && blind.every(([r, c]) => r < row && c > col), `pixelcnn: blind spot above-right of (${row}, ${col}): ${blind.length} pixels never seen, e.g. (${blind[0]})`);
  check(blind.every(([r, c]) => fields.gated[r * 28 + c]), `gated: all ${blind.length} of those pixels are seen`);
  check(holes(fields.gated).length === 0, 'gated: no hole in its field above the pixel');

  // Keyboard: focus the grid, move with the arrow keys, Enter chooses.
  await page.focus('#overlay');
  for (const key of ['ArrowUp', 'ArrowUp', 'ArrowLeft', 'Enter']) await page.keyboard.press(key);
  const moved = await waitField(page, 3, row - 2, col - 1);
  check(moved.count > 0, `keyboard: arrows and Enter choose (${row - 2}, ${col - 1}), ${moved.count} pixels in its field`);
}

/** Row LSTM and Diagonal BiLSTM: native generation and completion, tract starts and stops. */
async function lstmChecks(page, base) {
  for (const [name, file] of [['Row LSTM', 'rowlstm-mnist-bin.onnx'], ['Diagonal BiLSTM', 'diagbilstm-mnist-bin.onnx']]) {
    await page.goto(`${base}?seed=2&n=4&engine=native&model=${file}`);
    await waitState(page, ['ready'], 60000);
    check((await page.locator('#masks canvas').count()) === 3, `${name}: 3 kernel masks drawn`);
    const gen = await generate(page);
    check(gen.gen.images.length === 4 && gen.gen.images.every((img) => img.every((v) => v === 0 || v === 1)), `${name}: native generation samples every pixel of 4 images`);
    speedLine('native', gen.figures, 4, name);
    // Row LSTM: a triangle, so pixels of the rows above are missed on both sides; Diagonal BiLSTM:
    // every pixel of the rows above but the one just above the pixel's row.
    const field = (await clickField(page, 0, 14, 14, 2)).field;
    const missed = (r0, r1, c0, c1) => { let n = 0; for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) n += !field[r * 28 + c]; return n; };
    if (name === 'Row LSTM') check(missed(7, 14, 0, 14) > 0 && missed(7, 14, 15, 28) > 0 && missed(0, 4, 0, 28) === 0, `${name}: its field of (14, 14) is a triangle (${missed(0, 14, 0, 28)} pixels above missed, rows 0-3 all seen)`);
    else check(missed(0, 13, 0, 28) === 0, `${name}: its field of (14, 14) holds every pixel of rows 0-12`);
    await page.click('#real-digit');
    await page.click('#complete');
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('complete-status').dataset.state), null, { timeout: 60000, polling: 50 });
    const comp = await page.evaluate(() => window.pixelwise.lastCompletion);
    const kept = comp && comp.kept.filter((v) => v >= 0).length;
    check(comp && comp.images.every((img) => comp.kept.every((v, i) => v < 0 || img[i] === v) && img.every((v) => v === 0 || v === 1)), `${name}: native completion keeps the ${kept} kept pixels and fills the rest`);
    // tract: the engine is built (its time shown), sampling starts, Stop ends it.
    await page.selectOption('#engine', 'tract');
    await page.selectOption('#count', '1');
    await page.click('#generate');
    await page.waitForFunction(() => (window.pixelwise.state === 'sampling' && window.pixelwise.figures.position >= 3) || window.pixelwise.state === 'error', null, { timeout: 90000, polling: 50 });
    const tract = await page.evaluate(() => ({ state: window.pixelwise.state, figures: window.pixelwise.figures, shown: document.getElementById('fig-prepare').textContent }));
    check(tract.state === 'sampling' && /ms$/.test(tract.shown), `${name}: tract samples; engine build shown as ${tract.shown}`);
    await page.click('#stop');
    await page.waitForTimeout(300);
    check((await page.evaluate(() => window.pixelwise.state)) === 'stopped' && (await page.isHidden('#error')), `${name}: tract stops cleanly at position ${tract.figures.position}`);
  }
}

async function run(page, base) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Every answer of 400 or more, the page's and its workers'; only the deliberate ones may appear.
  const failed = [];
  const fullFetched = () => failed.fullModule;
  const onResponse = (res) => {
    if (res.status() >= 400) failed.push(`${res.url()} ${res.status()}`);
    if (/pkg\/pixelwise_bg\.wasm$/.test(res.url())) failed.fullModule = true;
  };
  page.context().on('response', onResponse);

  // --- native generation ---
  await page.goto(`${base}?seed=7&n=16&engine=native&model=pixelcnn-mnist-bin.onnx`);
  await waitState(page, ['ready'], 90000);
  const first = await generate(page);
  const ink = await inkPerCell(page, 'grid', 16, 4);
  check(ink.every((v) => v > 0), `native: ink in every cell of the rendered grid (${ink.join(',')})`);
  check(first.gen.images.every((img) => img.every((v) => v === 0 || v === 1)), 'native: every pixel of every image sampled');
  speedLine('native', first.figures, 16, 'PixelCNN, 16 images, headless Chromium');
  mkdirSync(OUT, { recursive: true });
  await page.locator('section').first().screenshot({ path: path.join(OUT, 'generation.png') });

  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), page.click('#download')]);
  const saved = path.join(OUT, 'download.png');
  await download.saveAs(saved);
  const head = readFileSync(saved).subarray(0, 8).toString('latin1');
  check(head === '\x89PNG\r\n\x1a\n' && /seed7\.png$/.test(download.suggestedFilename()), `Download PNG saves ${download.suggestedFilename()}`);

  const again = await generate(page);
  check(again.url === first.url, 'native: the same seed gives the same PNG');
  await page.fill('#seed', '8');
  const other = await generate(page);
  check(other.url !== first.url, 'native: another seed gives another PNG');
  // The grid fills in step by step: at full speed 16 binary digits now take only a few 25 ms slices,
  // so the frames are counted at the slow speed, where every step is shown on its own.
  await page.selectOption('#speed', '25');
  await recordFrames(page, 'grid');
  await page.click('#generate');
  await page.waitForFunction(() => window.__frames.size >= 3 || window.pixelwise.state === 'done', null, { timeout: 30000, polling: 50 });
  const slowFrames = await page.evaluate(() => window.__frames.size);
  await page.click('#stop');
  await page.selectOption('#speed', '0');
  check(slowFrames >= 3, `native: the grid changed across ${slowFrames} intermediate frames while sampling slowly (need 3; ${first.frames} at full speed)`);

  check(!fullFetched(), 'native generation never fetched the tract module');
  await page.hover('#engine');
  await page.waitForFunction(() => window.pixelwise.modules && window.pixelwise.modules.full, null, { timeout: 10000, polling: 50 }).catch(() => {});
  await page.waitForTimeout(200);
  check(fullFetched(), 'pointing at the engine control starts the tract module download, ahead of use');

  // --- tract on a small job, then Stop while it samples ---
  await page.selectOption('#engine', 'tract');
  await page.selectOption('#count', '4');
  await recordFrames(page, 'grid');
  await page.click('#generate');
  await page.waitForFunction(() => window.pixelwise.state === 'sampling' && window.pixelwise.figures.position >= 56, null, { timeout: 90000, polling: 50 });
  const tractFigures = await page.evaluate(() => window.pixelwise.figures);
  const tractFrames = await page.evaluate(() => window.__frames.size);
  check(tractFrames >= 3, `tract: the grid changed across ${tractFrames} intermediate frames`);
  speedLine('tract', tractFigures, 4, `PixelCNN, 4 images, measured over the first ${tractFigures.position} positions`);
  await page.click('#stop');
  await page.waitForTimeout(500);
  const stop = await page.evaluate(async () => ({ ...window.pixelwise.stop, frames: window.pixelwise.frames, state: window.pixelwise.state, url: await window.pixelwise.gridDataURL() }));
  const stopMs = stop.shownAt - stop.clickAt;
  check(stop.state === 'stopped' && stopMs < 200, `stop shown ${stopMs.toFixed(1)} ms after the click (limit 200)`);
  check(stop.frames === stop.framesAtStop, `no progress drawn after Stop (${stop.frames - stop.framesAtStop} frames)`);
  await page.waitForTimeout(300);
  check((await page.evaluate(() => window.pixelwise.gridDataURL())) === stop.url, 'the grid stays as it was when stopped');

  // --- complete a drawing (native) ---
  await page.selectOption('#engine', 'native');
  await page.click('#real-digit');
  await page.waitForFunction(() => window.pixelwise.pad.ink.slice(0, 14 * 28).some((v) => v === 1), null, { timeout: 5000 });
  check(true, 'a real held-out digit loads into the top half');
  await page.click('#clear');
  const pad = page.locator('#pad');
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  const at = (col, row) => [box.x + ((col + 0.5) / 28) * box.width, box.y + ((row + 0.5) / 28) * box.height];
  const stroke = async (points) => {
    await page.mouse.move(...at(...points[0]));
    await page.mouse.down();
    for (const p of points.slice(1)) await page.mouse.move(...at(...p), { steps: 8 });
    await page.mouse.up();
  };
  await stroke([[14, 4], [14, 24]]);
  await stroke([[7, 20], [21, 20]]);
  await stroke([[9, 6], [18, 6], [18, 12]]);
  await page.click('#complete');
  await page.waitForFunction(() => document.getElementById('complete-status').dataset.state === 'done', null, { timeout: 60000, polling: 50 });
  const comp = await page.evaluate(() => window.pixelwise.lastCompletion);
  const keptInkBelow = comp.kept.filter((v, i) => v === 1 && i >= 14 * 28).length;
  check(comp.n >= 4 && comp.images.length === comp.n, `${comp.n} alternative completions`);
  check(keptInkBelow >= 10, `mouse strokes below the cut are kept (${keptInkBelow} ink pixels)`);
  // Every completion is the same image above the cut: computed once for all of them, and the page
  // shows that count where a person reads the figures.
  const sharedShown = (await page.locator('#fig-shared').isVisible()) ? await page.textContent('#fig-shared') : null;
  check(comp.figures.shared >= 14 * 28 && comp.figures.shared < 28 * 28 && sharedShown === `${comp.figures.shared} / ${28 * 28}`, `the rows above the cut computed once for all ${comp.n} (${comp.figures.shared} sub-pixels; the page shows ${sharedShown})`);
  for (const [k, img] of comp.images.entries()) {
    const changed = comp.kept.filter((v, i) => v >= 0 && img[i] !== v).length;
    check(changed === 0, `completion ${k + 1}: every kept pixel unchanged`);
    check(img.every((v) => v === 0 || v === 1), `completion ${k + 1}: every free pixel filled`);
  }
  // The rendered canvas must agree: dark exactly where the kept level is ink.
  const rendered = await page.evaluate(async ([kept, n]) => {
    const c = await window.__shownCanvas('completions');
    const d = c.data;
    let wrong = 0;
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < kept.length; i++) {
        if (kept[i] < 0) continue;
        const x = k * 30 + (i % 28);
        const y = Math.floor(i / 28);
        if ((d[(y * c.width + x) * 4] < 100) !== (kept[i] === 1)) wrong++;
      }
    }
    return wrong;
  }, [comp.kept, comp.n]);
  check(rendered === 0, 'the rendered completions show every kept pixel as drawn');
  const distinct = new Set(comp.images.map((img) => img.join(''))).size;
  check(distinct > 1, `the completions differ from one another (${distinct} distinct)`);
  await page.locator('section').nth(1).screenshot({ path: path.join(OUT, 'completion.png') });

  await receptiveChecks(page, base);
  await lstmChecks(page, base);

  // --- a broken model shows an error; a good one still works after it ---
  await page.goto(`${base}?model=missing.onnx&n=1&seed=3`);
  await page.waitForFunction(() => !document.getElementById('error').hidden && window.pixelwise.state === 'error', null, { timeout: 60000, polling: 50 });
  const message = await page.textContent('#error');
  check(/missing\.onnx/.test(message), `a missing model shows an error on the page: "${message.trim()}"`);
  await page.selectOption('#model', 'pixelcnn-mnist-bin.onnx');
  await waitState(page, ['ready'], 60000);
  const after = await generate(page);
  check(after.gen.images[0].some((v) => v === 1) && (await page.isHidden('#error')), 'generation works with a good model after the error');

  // --- a wasm that fails to start: a message, and the drawing pad still works ---
  await page.route('**/pkg/pixelwise_{native,threads}_bg.wasm', (route) => route.fulfill({ status: 404, body: 'gone' }));
  await page.goto(`${base}?n=1`);
  await page.waitForFunction(() => !document.getElementById('error').hidden && window.pixelwise.state === 'error', null, { timeout: 30000, polling: 50 });
  const wasmMessage = (await page.textContent('#error')).trim();
  check(/WebAssembly|sampler/.test(wasmMessage), `a wasm that fails to start shows: "${wasmMessage}"`);
  await page.click('#real-digit');
  await page.waitForFunction(() => window.pixelwise.pad.ink.some((v) => v === 1), null, { timeout: 5000 });
  check(await page.isDisabled('#generate'), 'without the wasm, Generate is disabled and the drawing pad still works');
  await page.unroute('**/pkg/pixelwise_{native,threads}_bg.wasm');
  page.context().off('response', onResponse);
  const unexpected = failed.filter((f) => !/missing\.onnx 404$|pixelwise_(native|threads)_bg\.wasm 404$/.test(f));
  check(unexpected.length === 0, `no request answered 400 or more but the deliberate ones${unexpected.length ? `: ${unexpected.join(', ')}` : ''}`);

  check(errors.length === 0, `no uncaught errors in the page${errors.length ? `: ${errors.join(' | ')}` : ''}`);
}

async function main() {
  let server;
  let browser;
  try {
    server = await startServer();
    await serverChecks(server.base, server.port);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage({ viewport: { width: 1100, height: 1300 } });
    await page.addInitScript(SHOWN_PIXELS);
    page.on('console', (m) => m.type() === 'error' && !/404|testTrap/.test(m.text()) && console.log(`  page console: ${m.text()}`));
    mkdirSync(OUT, { recursive: true });
    const ctx = { check, waitState, generate, OUT };
    if (want('first')) await firstSecondChecks(browser, server.base, server.port, ctx);
    if (want('main')) await run(page, server.base);
    if (want('visibility')) await visibilityChecks(page, server.base, ctx);
    if (want('phone')) {
      const shots = await phoneChecks(browser, server.base, ctx);
      console.log(`phone screenshots: ${shots.map((s) => path.relative(ROOT, s)).join(', ')}`);
    }
    if (want('threads')) await threadsChecks(page, server.base, ctx);
    if (want('colour')) await colourChecks(page, server.base, ctx);
    if (want('read-class')) await readClassChecks(page, server.base, ctx);
    if (want('lessons')) await lessonChecks(page, server.base, ctx);
    if (want('byo')) await byoChecks(page, server.base, ctx);
    if (want('codec')) await codecChecks(browser, page, server.base, ROOT, ctx);
    if (want('bench')) await benchChecks(page, server.base, ctx);
    if (want('site')) await siteChecks(browser, ROOT, ctx);
    console.log(`e2e: all checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${path.relative(ROOT, OUT)}/`);
  } catch (e) {
    console.error(`e2e FAILED: ${e instanceof Failure ? e.message : e.stack || e}`);
    process.exitCode = 1;
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) server.proc.kill();
  }
}

main();
