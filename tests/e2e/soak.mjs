// Browser soak (its own command, not CI: ./build.sh soak): 500 generations back to back and 100
// model switches, reading the worker's wasm memory and the page's JS heap (DevTools protocol) every
// 50 generations and every 10 switches. Memory must level off: the last 200 generations' readings
// within 10% of each other. Prints one JSON line per reading and a summary.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GENERATIONS = Number(process.env.SOAK_GENERATIONS || 500);
const SWITCHES = Number(process.env.SOAK_SWITCHES || 100);

const server = spawn(path.join(ROOT, 'target/release/serve'), ['--root', 'www', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
const base = await new Promise((resolve) => server.stdout.on('data', (d) => { const m = String(d).match(/http:\/\/127\.0\.0\.1:\d+\//); if (m) resolve(m[0]); }));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'] });
let failed = false;
try {
  const page = await browser.newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const read = async (what, k) => {
    await cdp.send('HeapProfiler.collectGarbage');
    const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const mem = await page.evaluate(() => window.pixelwise.memory());
    const line = { [what]: k, wasm_mib: +(mem.wasmBytes / 1048576).toFixed(1), js_heap_mib: +(metrics.JSHeapUsedSize / 1048576).toFixed(2), models_cached: mem.models };
    console.log(JSON.stringify(line));
    return line;
  };
  const ready = () => page.waitForFunction(() => window.pixelwise.state === 'ready' || window.pixelwise.state === 'done', null, { timeout: 120000, polling: 20 });
  await page.goto(`${base}?model=pixelcnn-mnist-bin.onnx&n=4&engine=native`);
  await ready();
  const gens = [];
  for (let g = 1; g <= GENERATIONS; g++) {
    await page.fill('#seed', String(g));
    await page.click('#generate');
    await page.waitForFunction(() => window.pixelwise.state === 'done', null, { timeout: 60000, polling: 10 });
    if (g % 50 === 0) gens.push(await read('generation', g));
  }
  const files = (await page.evaluate(() => [...document.querySelectorAll('#model option')].map((o) => o.value))).filter((f) => !f.startsWith('local:'));
  const switches = [];
  for (let k = 1; k <= SWITCHES; k++) {
    await page.selectOption('#model', files[k % files.length]);
    await page.waitForFunction(() => window.pixelwise.state === 'ready', null, { timeout: 120000, polling: 20 });
    if (k % 10 === 0) switches.push(await read('switch', k));
  }
  const tail = gens.slice(-Math.min(gens.length, 200 / 50 + 1));
  const spread = (key) => Math.max(...tail.map((l) => l[key])) / Math.min(...tail.map((l) => l[key]));
  const summary = { generations: GENERATIONS, switches: SWITCHES, last_200_wasm_ratio: +spread('wasm_mib').toFixed(3), last_200_js_heap_ratio: +spread('js_heap_mib').toFixed(3), switch_wasm_mib: [Math.min(...switches.map((l) => l.wasm_mib)), Math.max(...switches.map((l) => l.wasm_mib))] };
  summary.levels_off = summary.last_200_wasm_ratio <= 1.1 && summary.last_200_js_heap_ratio <= 1.1;
  console.log(JSON.stringify(summary));
  failed = !summary.levels_off;
} catch (e) {
  console.error(`soak FAILED: ${e.stack || e}`);
  failed = true;
} finally {
  await browser.close();
  server.kill();
}
process.exitCode = failed ? 1 : 0;
