// Bring your own model: files opened on the page are checked in the worker; good ones run, bad ones
// are refused with the reason and the page keeps its models; a trapped worker is replaced.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function byoChecks(page, base, { check, waitState, generate }) {
  await page.goto(`${base}?model=pixelcnn-mnist-bin.onnx&n=1&engine=native&seed=3`);
  await waitState(page, ['ready'], 90000);
  const errorText = async () => ((await page.isVisible('#error')) ? (await page.textContent('#error')).trim() : '');
  const generatesAfter = async (what) => {
    const gen = await generate(page, { timeout: 120000 });
    check(gen.gen.n === 1 && gen.gen.images[0].every((v) => v >= 0), `${what}: generation still works (${await page.inputValue('#model')})`);
  };

  // A committed model, through the file picker: it runs, with its model card.
  await page.setInputFiles('#open-file', path.join(ROOT, 'models/gated-mnist-bin.onnx'));
  await page.waitForFunction(() => window.pixelwise.meta && window.pixelwise.state === 'ready' && document.getElementById('model').value === 'local:gated-mnist-bin.onnx', null, { timeout: 60000, polling: 50 });
  const card = await page.textContent('#model-info');
  check(/your file/.test(card) && /parameters/.test(card) && /ops /.test(card), `an opened committed model gets a model card: "${card.slice(0, 120)}…"`);
  await generatesAfter('the opened gated-mnist-bin.onnx');

  const refused = async (name, bytes, pattern, what) => {
    await page.evaluate(([n, b]) => window.pixelwise.openBytes(n, new Uint8Array(b)), [name, Array.from(bytes)]);
    await page.waitForFunction(() => !document.getElementById('error').hidden && window.pixelwise.state === 'ready', null, { timeout: 60000, polling: 50 });
    const text = await errorText();
    check(pattern.test(text), `${what} is refused: "${text.slice(0, 200)}"`);
    check(!(await page.inputValue('#model')).startsWith(`local:${name}`), `${what}: the page is back on a model it had`);
    await generatesAfter(what);
  };
  const good = readFileSync(path.join(ROOT, 'models/pixelcnn-mnist-bin.onnx'));
  await refused('truncated.onnx', good.subarray(0, 4000), /cannot be opened.*(not a readable ONNX|expected an ONNX model)/is, 'a truncated file');
  const random = Buffer.alloc(3000);
  for (let i = 0; i < random.length; i++) random[i] = (i * 2654435761) >>> 24;
  await refused('random.onnx', random, /cannot be opened/i, 'a random file');
  await refused('classifier-mnist.onnx', readFileSync(path.join(ROOT, 'models/classifier-mnist.onnx')), /class_logits.*logits/is, 'a non-model ONNX (the digit classifier)');
  // Over the cap: refused before it is read, with the cap in the message.
  await page.evaluate(() => window.pixelwise.openBytes('huge.onnx', new Uint8Array(65 * 1024 * 1024)));
  const huge = await errorText();
  check(/huge\.onnx is 65\.0 MB.*64\.0 MB/.test(huge), `an over-cap file is refused: "${huge}"`);
  await generatesAfter('after the over-cap file');

  // No pixelwise metadata, but the contract's input and output: tract runs it.
  await page.setInputFiles('#open-file', path.join(ROOT, 'tests/fixtures/no-metadata.onnx'));
  await page.waitForFunction(() => window.pixelwise.state === 'ready' && document.getElementById('model').value === 'local:no-metadata.onnx', null, { timeout: 60000, polling: 50 });
  await page.selectOption('#engine', 'tract');
  const gen = await generate(page, { timeout: 120000 });
  check(gen.gen.images[0].length === 784, `a file without pixelwise metadata runs on tract (${gen.gen.images[0].length} pixels sampled)`);
  await page.selectOption('#engine', 'native');

  // A trap in the worker: noticed, a new worker, said, and the next Generate works.
  await page.selectOption('#model', 'pixelcnn-mnist-bin.onnx');
  await waitState(page, ['ready'], 60000);
  await page.evaluate(() => window.pixelwise.testTrap());
  await page.waitForFunction(() => window.pixelwise.restarts === 1 && window.pixelwise.state === 'ready', null, { timeout: 60000, polling: 50 });
  const crash = await errorText();
  check(/crashed.*restarted/.test(crash), `a forced trap is recovered from: "${crash.slice(0, 160)}"`);
  await generatesAfter('after the trap');
}
