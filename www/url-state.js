// The controls' settings and the page's address: a link (or a test) opens the page with settings
// in its query, and each change writes them back, so the address reproduces what is shown.
import { $input, $output, $select } from './elements.js';

/** @typedef {import('./pkg/pixelwise.js').Metadata} Metadata */

/** The query the page was opened with: the settings a link brought. */
export const params = new URLSearchParams(location.search);

/** The settings the controls hold now. */
export function controls() {
  return {
    model: $select('model').value,
    // The select offers only the two engines.
    engine: /** @type {import('./pkg/pixelwise.js').EngineName} */ ($select('engine').value),
    seed: Math.max(0, Math.floor(Number($input('seed').value) || 0)),
    temperature: Number($input('temperature').value),
    n: Number($select('count').value),
    label: Number($select('class').value),
    guidance: Number($input('guidance').value),
    stepDelayMs: Number($select('speed').value),
  };
}

/** The settings into the address, in place (no history entry each); a class only where `meta`, the
 *  loaded model's, has classes.
 * @param {Metadata | null} meta */
export function writeUrl(meta) {
  const c = controls();
  const q = new URLSearchParams({ model: c.model, engine: c.engine, seed: String(c.seed), t: String(c.temperature), n: String(c.n) });
  if (c.label >= 0 && meta && meta.classes > 0) q.set('class', String(c.label));
  history.replaceState(null, '', `?${q}`);
}

/** The address's settings onto the controls (the model and the class wait for the model list and
 *  the model's classes). */
export function applyUrl() {
  if (params.has('engine')) $select('engine').value = params.get('engine') === 'tract' ? 'tract' : 'native';
  if (params.has('seed')) $input('seed').value = String(Math.max(0, Math.floor(Number(params.get('seed')) || 0)));
  if (params.has('t')) $input('temperature').value = params.get('t');
  if (params.has('n') && [...$select('count').options].some((o) => o.value === params.get('n'))) $select('count').value = params.get('n');
  $output('temperature-value').value = Number($input('temperature').value).toFixed(2);
}
