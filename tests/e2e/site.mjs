// The static site (./build.sh site) served by a plain static server with no special headers
// (Python's http.server): the page still generates, and once its service worker is in, a reload is
// cross-origin isolated.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

function pythonServer(root) {
  const proc = spawn('python3', ['-m', 'http.server', '--bind', '127.0.0.1', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`http.server printed no port: ${text}`)), 10000);
    proc.stdout.on('data', (d) => {
      text += d;
      const m = text.match(/port (\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, base: `http://127.0.0.1:${m[1]}/` });
      }
    });
    proc.on('exit', (code) => reject(new Error(`http.server exited (code ${code}): ${text}`)));
  });
}

export async function siteChecks(browser, root, { check, OUT }) {
  const dir = path.join(root, 'target/site');
  check(existsSync(path.join(dir, 'index.html')), 'the static site is built (target/site)');
  const server = await pythonServer(dir);
  const context = await browser.newContext({ viewport: { width: 1100, height: 1300 } });
  try {
    const page = await context.newPage();
    const statuses = [];
    context.on('response', (r) => r.status() >= 400 && statuses.push(`${r.url()} ${r.status()}`));
    await page.goto(server.base);
    await page.waitForFunction(() => window.pixelwise && ['done', 'error'].includes(window.pixelwise.state), null, { timeout: 90000, polling: 50 });
    const first = await page.evaluate(() => ({ state: window.pixelwise.state, isolated: self.crossOriginIsolated, images: window.pixelwise.lastGeneration && window.pixelwise.lastGeneration.images.length, threads: window.pixelwise.threads }));
    check(first.state === 'done' && first.images > 0, `static site on python3 -m http.server: the first grid is generated (${first.images} images)`);
    check(!first.isolated, 'the first visit is not isolated (no headers from this server)');
    check(first.threads === 1, `not isolated: the single-threaded module (${first.threads} threads)`);
    await page.waitForFunction(() => navigator.serviceWorker.controller || navigator.serviceWorker.ready, null, { timeout: 20000 });
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.goto(`${server.base}?model=pixelcnn-mnist-bin.onnx&n=1&seed=4&engine=native`);
    await page.waitForFunction(() => window.pixelwise && window.pixelwise.state === 'ready', null, { timeout: 60000, polling: 50 });
    check(await page.evaluate(() => self.crossOriginIsolated), 'after its service worker is in, the page is cross-origin isolated');
    // The pool starts beside the first grid: its thread count is final once it is up (or failed).
    await page.waitForFunction(() => window.pixelwise.pool !== 'starting', null, { timeout: 60000, polling: 50 });
    const threaded = await page.evaluate(() => ({ threads: window.pixelwise.threads, cores: navigator.hardwareConcurrency }));
    check(threaded.cores < 2 || threaded.threads === threaded.cores, `isolated by the service worker: the threaded module (${threaded.threads} threads on ${threaded.cores} cores)`);
    await page.click('#generate');
    await page.waitForFunction(() => window.pixelwise.state === 'done', null, { timeout: 60000, polling: 50 });
    check(statuses.length === 0, `no request of the static site failed${statuses.length ? `: ${statuses.join(', ')}` : ''}`);
    await page.locator('section').first().screenshot({ path: path.join(OUT, 'site.png') });
  } finally {
    await context.close();
    server.proc.kill();
  }
}
