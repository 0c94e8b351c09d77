// Two or more versions of the page side by side: their first-pixel times through the same TCP proxy
// (10 Mbit/s, 80 ms round trip) or on localhost, visits alternating so the machine's load falls on
// each alike; prints each version's median and best. Not part of run.mjs: a tool for choosing
// between page changes on a noisy machine (a single visit moves by hundreds of ms).
// Usage (after ./build.sh site): copy each version's index.html into www/ under its own name, then
//   node tests/e2e/paired-first.mjs a.html,b.html [visits=7] [local]
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startThrottle } from './throttle-proxy.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const [pages, visits = '7', where = 'throttled'] = process.argv.slice(2);
if (!pages) {
  console.error('usage: node tests/e2e/paired-first.mjs a.html,b.html [visits] [local]');
  process.exit(2);
}
const server = spawn(path.join(ROOT, 'target/release/serve'), ['--root', 'www', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => {
  let text = '';
  server.stdout.on('data', (d) => {
    const m = (text += d).match(/127\.0\.0\.1:(\d+)\//);
    if (m) resolve(Number(m[1]));
  });
});
const slow = await startThrottle(port, { mbit: 10, rttMs: 80 });
const base = where === 'local' ? `http://127.0.0.1:${port}/` : slow.base;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const warm = await browser.newContext(); // the browser's own start, not counted
  await (await warm.newPage()).goto(`http://127.0.0.1:${port}/?n=1`);
  await warm.close();
  const names = pages.split(',');
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < Number(visits); i++) {
    for (const name of names) {
      const context = await browser.newContext({ viewport: { width: 1100, height: 1300 } });
      const page = await context.newPage();
      await page.goto(base + name);
      await page.waitForFunction(() => window.pixelwise && window.pixelwise.firstPixelAt != null, null, { timeout: 60000, polling: 20 });
      times[name].push(Math.round(await page.evaluate(() => window.pixelwise.firstPixelAt)));
      await page.waitForFunction(() => window.pixelwise.state === 'done', null, { timeout: 60000, polling: 50 });
      await context.close();
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  for (const name of names) console.log(JSON.stringify({ page: name, where, median_ms: median(times[name]), best_ms: Math.min(...times[name]), visits_ms: times[name] }));
} finally {
  await browser.close();
  await slow.close();
  server.kill();
}
