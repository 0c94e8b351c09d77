// Drives the bench page (www/bench/) in Debian's Chromium and prints its result lines: one JSON line
// per model on stdout, progress and the browser on stderr. Starts the dev server on a free port and
// stops it at the end. The page does the measuring; this only reads `window.bench`.
// Usage: node tests/bench/run.mjs [query]   e.g. quick=1, or models=pixelcnn-mnist-bin.onnx&naive=32
// (after ./build.sh has built target/release/serve, www/ and www/bench/ort/; ./build.sh bench does all)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const QUERY = process.argv[2] || '';
const LIMIT_MS = 40 * 60 * 1000;

function startServer() {
  const bin = path.join(ROOT, 'target/release/serve');
  for (const need of [bin, 'www/pkg/pixelwise_bg.wasm', 'www/models.json', 'www/bench/ort/ort.wasm.min.mjs'].map((p) => path.resolve(ROOT, p))) {
    if (!existsSync(need)) throw new Error(`${path.relative(ROOT, need)} is missing: run ./build.sh bench`);
  }
  const proc = spawn(bin, ['--root', 'www', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    proc.stdout.on('data', (d) => {
      text += d;
      const m = text.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) resolve({ proc, base: m[0] });
    });
    proc.on('exit', (code) => reject(new Error(`the server exited (code ${code}): ${text}`)));
  });
}

async function main() {
  const server = await startServer();
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${server.base}bench/${QUERY ? `?${QUERY}` : ''}`);
    console.error(`bench: ${server.base}bench/ in Chromium ${browser.version()}`);
    const started = Date.now();
    let printed = 0;
    let lastStatus = '';
    let envShown = false;
    for (;;) {
      const s = await page.evaluate(() => ({ state: window.bench.state, env: window.bench.env, lines: window.bench.lines, error: window.bench.error, status: document.getElementById('status').textContent }));
      if (s.env && !envShown) {
        console.error(`bench: ${envSummary(s.env)}`);
        envShown = true;
      }
      for (; printed < s.lines.length; printed++) console.log(JSON.stringify(s.lines[printed]));
      if (s.status !== lastStatus) console.error(`  ${(lastStatus = s.status)}`);
      if (s.state === 'error') throw new Error(s.error);
      if (s.state === 'done') break;
      if (Date.now() - started > LIMIT_MS) throw new Error(`not done after ${LIMIT_MS / 60000} minutes`);
      await new Promise((r) => setTimeout(r, 500));
    }
    console.error(`bench: ${printed} models in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    server.proc.kill();
  }
}

/** The environment line the page also shows: browser, thread counts. */
const envSummary = (env) => JSON.stringify({ browser: env.browser, threads: env.threads, ort_version: env.ort_version, cross_origin_isolated: env.cross_origin_isolated });

main().catch((e) => {
  console.error(`bench FAILED: ${e.message}`);
  process.exitCode = 1;
});
