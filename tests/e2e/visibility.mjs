// What a visitor perceives, not what the DOM intends: controls shown or hidden by model kind are
// checked by computed style and on-screen box, for every committed model, and the page is driven
// at phone widths with touch.
import path from 'node:path';

/** How an element looks on screen, after scrolling it into view. */
export async function perceived(page, selector) {
  const loc = page.locator(selector);
  const visible = await loc.isVisible();
  if (visible) await loc.scrollIntoViewIfNeeded();
  const style = await loc.evaluate((el) => {
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    return { display: cs.display, visibility: cs.visibility, opacity: cs.opacity, box: { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height }, vw: innerWidth, vh: innerHeight };
  });
  const b = style.box;
  const onScreen = b.width > 0 && b.height > 0 && b.left >= -0.5 && b.right <= style.vw + 0.5 && b.top >= -0.5 && b.bottom <= style.vh + 0.5;
  return { ...style, visible, shown: visible && style.display !== 'none' && style.visibility !== 'hidden' && style.opacity !== '0' && onScreen };
}

async function expectShown(page, check, selector, want, what) {
  const p = await perceived(page, selector);
  const said = p.shown ? 'shown' : `not shown (display ${p.display}, visible ${p.visible}, box ${Math.round(p.box.width)}x${Math.round(p.box.height)} at ${Math.round(p.box.left)})`;
  check(p.shown === want, `${what}: ${selector} ${want ? 'shown' : 'hidden'} (${said})`);
}

/** Per committed model: class picker and guidance only for conditional models, the measure button
 *  only after a pixel is chosen, the error box only on error; guidance starts where it helps. */
export async function visibilityChecks(page, base, { check, waitState, generate }) {
  const models = await (await fetch(`${base}models.json`)).json();
  for (const m of models) {
    await page.goto(`${base}?model=${m.file}&n=1&seed=1&engine=native`);
    await waitState(page, ['ready'], 90000);
    const conditional = m.classes > 0;
    const name = m.file;
    await expectShown(page, check, '#class-field', conditional, name);
    await expectShown(page, check, '#guidance-field', conditional, name);
    await expectShown(page, check, '#error', false, name);
    await expectShown(page, check, '#measure', false, `${name}, no pixel chosen`);
    if (conditional) {
      const best = await page.evaluate(() => window.pixelwise.meta.guidance);
      await page.selectOption('#class', '0');
      const picked = Number(await page.inputValue('#guidance'));
      check(picked === (best ? best.scale : 1), `${name}: picking a class sets guidance to ${picked} (measured best: ${best ? best.scale : 'none'})`);
      await expectShown(page, check, '#guidance-note', Boolean(best), `${name}, class picked`);
      await page.selectOption('#class', '-1');
      check(Number(await page.inputValue('#guidance')) === 1, `${name}: "any" sets guidance back to 1`);
      await expectShown(page, check, '#guidance-note', false, `${name}, any class`);
    }
    const gen = await generate(page, { timeout: 120000 });
    check(gen.gen.n === 1, `${name}: one image generated`);
    // Choose the centre pixel of the single image on the overlay.
    const overlay = page.locator('#overlay');
    await overlay.scrollIntoViewIfNeeded();
    const box = await overlay.boundingBox();
    const [h, w] = [m.height, m.width];
    const unit = Math.min(box.width / w, box.height / h);
    const [ox, oy] = [box.x + (box.width - w * unit) / 2, box.y + (box.height - h * unit) / 2];
    const [row, col] = [Math.floor(h / 2), Math.floor(w / 2)];
    await page.mouse.click(ox + (col + 0.5) * unit, oy + (row + 0.5) * unit);
    await page.waitForFunction(([r, c]) => { const f = window.pixelwise.field; return f && f.row === r && f.col === c; }, [row, col], { timeout: 30000, polling: 50 });
    await expectShown(page, check, '#measure', true, `${name}, pixel (${row}, ${col}) chosen`);
    await expectShown(page, check, '#error', false, `${name}, after generating`);
  }
  // An error shows the box.
  await page.goto(`${base}?model=missing.onnx&n=1`);
  await page.waitForFunction(() => window.pixelwise.state === 'error', null, { timeout: 60000, polling: 50 });
  await expectShown(page, check, '#error', true, 'a missing model');
}

/** Touch strokes through the DevTools protocol, so the pad receives real touch pointer events. */
async function touchStroke(page, points) {
  const cdp = await page.context().newCDPSession(page);
  const at = ([x, y]) => [{ x, y, id: 1, radiusX: 2, radiusY: 2, force: 1 }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(points[0]) });
  for (const p of points.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(p) });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/** 320 and 412 px wide, touch: no sideways scrolling, every control on screen, touch leaves ink. */
export async function phoneChecks(browser, base, { check, waitState, generate, OUT }) {
  const shots = [];
  for (const width of [320, 412]) {
    const context = await browser.newContext({ viewport: { width, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto(`${base}?n=4&seed=3&engine=native&model=gated-mnist-bin.onnx`);
    await waitState(page, ['ready'], 90000);
    await page.selectOption('#class', '2');
    const scroll = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
    check(scroll.sw <= scroll.cw, `${width} px: no horizontal scrolling (content ${scroll.sw} px in ${scroll.cw} px)`);
    const controls = await page.locator('button, select, input, #pad').evaluateAll((els) => els.map((el, i) => el.id || `${el.tagName.toLowerCase()}#${i}`));
    let offScreen = [];
    let count = 0;
    for (const [i, id] of controls.entries()) {
      const loc = page.locator('button, select, input, #pad').nth(i);
      if (!(await loc.isVisible())) continue;
      count++;
      await loc.scrollIntoViewIfNeeded();
      const b = await loc.boundingBox();
      if (!b || b.x < -0.5 || b.x + b.width > width + 0.5 || b.width < 1 || b.height < 1) offScreen.push(id);
    }
    check(offScreen.length === 0 && count > 15, `${width} px: all ${count} visible controls reachable on screen${offScreen.length ? `, not: ${offScreen.join(', ')}` : ''}`);
    const gen = await generate(page, { timeout: 120000 });
    check(gen.gen.n === 4, `${width} px: 4 images generated`);
    await page.locator('#clear').click();
    const pad = page.locator('#pad');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    const pt = (col, row) => [box.x + ((col + 0.5) / 28) * box.width, box.y + ((row + 0.5) / 28) * box.height];
    await touchStroke(page, [pt(6, 18), pt(10, 18), pt(14, 19), pt(18, 20), pt(22, 20)]);
    const ink = await page.evaluate(() => window.pixelwise.pad.ink.filter((v) => v === 1).length);
    check(ink >= 5, `${width} px: a touch stroke on the pad leaves ${ink} ink pixels`);
    const shot = path.join(OUT, `phone-${width}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    shots.push(shot);
    await context.close();
  }
  return shots;
}
