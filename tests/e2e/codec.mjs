// The codec in the page: a held-out image compressed, its link decoded in a fresh page pixel by pixel
// to the same levels; the committed files (encoded natively) re-encoded in the browser to the same
// bytes, in the threaded and single-threaded modules, and written to target/codec-browser/ for the
// native test to decode; damaged links and links for a model the page lacks are refused.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { perceived } from './visibility.mjs';

const b64url = (bytes) => Buffer.from(bytes).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Opens `link` in a fresh page and waits for the decode (or its refusal). */
async function openLink(browser, link, { waitState }) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1300 } });
  await page.goto(link);
  await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('codec-status').dataset.state), null, { timeout: 90000 });
  const out = await page.evaluate(() => ({ decoded: window.pixelwise.lastDecoded, status: document.getElementById('codec-status').textContent, rejected: document.getElementById('grid').classList.contains('rejected') }));
  out.statusShown = (await perceived(page, '#codec-status')).shown;
  out.seen = await seenOnGrid(page);
  await page.close();
  return out;
}

/** What the grid shows on screen (a screenshot, read back in the page): its share of dark pixels and
 *  its number of distinct colours. */
async function seenOnGrid(page) {
  await page.locator('#grid').scrollIntoViewIfNeeded();
  const shot = (await page.locator('#grid').screenshot()).toString('base64');
  return page.evaluate(async (b64) => {
    const bmp = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
    const ctx = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d');
    ctx.drawImage(bmp, 0, 0);
    const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    let dark = 0;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] + d[i + 1] + d[i + 2] < 3 * 100) dark++;
      colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    }
    return { dark: dark / (d.length / 4), colours: colours.size };
  }, shot);
}

export async function codecChecks(browser, page, base, root, ctx) {
  const { check, waitState } = ctx;
  const fixtures = path.join(root, 'tests/fixtures/codec');
  const made = path.join(root, 'target/codec-browser');
  rmSync(made, { recursive: true, force: true });
  mkdirSync(made, { recursive: true });
  // The committed files of the models the page serves (the Bernoulli PixelCNN is a table model only).
  const served = JSON.parse(readFileSync(path.join(root, "www/models.json"), "utf8")).map((m) => m.file);
  const names = readdirSync(fixtures).filter((f) => f.endsWith('.json') && served.includes(f.replace(/\.json$/, '.onnx'))).map((f) => f.slice(0, -5));
  check(names.length >= 6, `${names.length} committed files for the page's ${served.length} models`);
  for (const query of ['', '&threads=off']) {
    await page.goto(`${base}?model=pixelcnn-mnist-bin.onnx${query}`);
    await waitState(page, ['ready', 'done'], 60000);
    for (const name of names) {
      const fx = JSON.parse(readFileSync(path.join(fixtures, `${name}.json`), 'utf8'));
      const bytes = await page.evaluate(async ([file, levels, label]) => Array.from(await window.pixelwise.codec.compressFile(file, levels, label)), [fx.model, fx.levels, fx.label ?? -1]);
      const native = [...readFileSync(path.join(fixtures, `${name}.pxw`))];
      check(JSON.stringify(bytes) === JSON.stringify(native), `${name}${query}: the browser encodes the same ${native.length} bytes as the native engine`);
      if (!query) {
        writeFileSync(path.join(made, `${name}.pxw`), Buffer.from(bytes));
        writeFileSync(path.join(made, `${name}.json`), JSON.stringify(fx));
      }
    }
  }

  // A held-out digit compressed from the panel, and its link decoded in a fresh page.
  await page.goto(`${base}?model=pixelcnn-mnist-bin.onnx`);
  await waitState(page, ['ready', 'done'], 60000);
  await page.click('#compress-heldout');
  await page.waitForFunction(() => document.getElementById('codec-status').dataset.state === 'done', null, { timeout: 30000 });
  const last = await page.evaluate(() => window.pixelwise.codec.last);
  const shown = await page.textContent('#codec-status');
  check(last.bytes.length > 0 && last.bytes.length < last.png, `a held-out digit: ${last.bytes.length} bytes against the browser's PNG of ${last.png} ("${shown}")`);
  check(last.link.includes('#pxw='), `a share link of ${last.link.length} characters`);
  const opened = await openLink(browser, last.link, ctx);
  check(opened.decoded && JSON.stringify(opened.decoded.levels) === JSON.stringify(last.levels), `the link decodes in a fresh page to the same ${last.levels.length} levels ("${opened.status}")`);
  // On screen: the status is visible and the grid shows the digit's ink (dark share near its share).
  const ink = last.levels.filter((k) => k > 0).length / last.levels.length;
  check(opened.statusShown && Math.abs(opened.seen.dark - ink) < 0.03 && opened.seen.dark > 0.02, `the decoded digit is on screen: ${(100 * opened.seen.dark).toFixed(1)}% of the grid dark against ${(100 * ink).toFixed(1)}% ink, status shown`);
  await page.screenshot({ path: path.join(ctx.OUT, 'codec.png'), fullPage: false });

  // A link to an emoji made natively: the page switches to its model and decodes it.
  const emoji = JSON.parse(readFileSync(path.join(fixtures, 'gated-emoji-rgb.json'), 'utf8'));
  const emojiBytes = readFileSync(path.join(fixtures, 'gated-emoji-rgb.pxw'));
  const e = await openLink(browser, `${base}#pxw=${b64url(emojiBytes)}`, ctx);
  check(e.decoded && e.decoded.model === 'gated-emoji-rgb.onnx' && JSON.stringify(e.decoded.levels) === JSON.stringify(emoji.levels), `a natively made emoji link decodes in the browser with its own model ("${e.status}")`);
  check(e.statusShown && e.seen.colours >= 8, `the decoded emoji is on screen in ${e.seen.colours} colours, status shown`);

  // Damaged links are refused, and so is one for a model the page does not have.
  const damaged = Buffer.from(emojiBytes);
  damaged[damaged.length - 9] ^= 0x40;
  const d = await openLink(browser, `${base}#pxw=${b64url(damaged)}`, ctx);
  check(!d.decoded && /altered|truncated/.test(d.status) && d.rejected, `a damaged link is refused and its pixels hidden ("${d.status}")`);
  const other = Buffer.from(emojiBytes);
  other[5] ^= 0xff;
  const o = await openLink(browser, `${base}#pxw=${b64url(other)}`, ctx);
  check(!o.decoded && /model this page does not have/.test(o.status), `a link for another model says so ("${o.status}")`);
  const cut = await openLink(browser, `${base}#pxw=${b64url(emojiBytes.subarray(0, 30))}`, ctx);
  check(!cut.decoded && /truncated/.test(cut.status), `a truncated link says so ("${cut.status}")`);
}
