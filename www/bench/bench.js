// The bench page: picks the models, starts bench-worker.js, shows its progress and a table of its
// result lines. `window.bench` holds the state and the lines for whoever drives the page.

const BATCH = 16;
const bench = (window.bench = { state: 'starting', env: null, threadedReason: null, lines: [], error: null });
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

// One row per figure, one column per model: [heading, value of a line, test of its target, target].
// A target makes the cell green or red.
const ROWS = [
  ['ORT forward, batch 1 (ms)', (l) => l.ort_ms_forward.batch1],
  [`ORT forward per image, batch ${BATCH} (ms)`, (l) => l.ort_ms_forward[`batch${BATCH}_per_image`]],
  ['ORT naive sampling per image (ms)', (l) => (l.ort_naive_ms_per_image_extrapolated_from ? `${l.ort_ms_naive_per_image} *` : l.ort_ms_naive_per_image)],
  ['cached per image, batch 1 (ms)', (l) => l.pixelwise_ms_cached_per_image.batch1],
  [`cached per image, batch ${BATCH} (ms)`, (l) => l.pixelwise_ms_cached_per_image[`batch${BATCH}`]],
  [`cached per image, batch ${BATCH}, threaded (ms)`, (l) => l.pixelwise_ms_cached_per_image[`batch${BATCH}_threaded`]],
  ['native forward (ms)', (l) => l.pixelwise_ms_forward.native],
  ['tract forward (ms)', (l) => l.pixelwise_ms_forward.tract],
  ['measure by perturbation (ms)', (l) => l.pixelwise_ms_measured_field.single, (x) => x < 5000, '< 5000'],
  ['measure by perturbation, threaded (ms)', (l) => l.pixelwise_ms_measured_field.threaded, (x) => x < 5000, '< 5000'],
  ['cached / ORT forward, batch 1', (l) => l.ratios.cached_over_ort_forward_batch1, (x) => x <= 1, '≤ 1'],
  [`cached / ORT forward, batch ${BATCH}`, (l) => l.ratios[`cached_over_ort_forward_batch${BATCH}`], (x) => x <= 1, '≤ 1'],
  [`cached, batch ${BATCH} / batch 1`, (l) => l.ratios[`cached_batch${BATCH}_over_batch1`], (x) => x <= 0.5, '≤ 0.5'],
  [`cached, batch ${BATCH} / batch 1, threaded module`, (l) => l.ratios[`cached_batch${BATCH}_over_batch1_threaded`]],
  ['native forward / tract forward', (l) => l.ratios.native_forward_over_tract_forward, (x) => x <= 1, '≤ 1'],
  [`threaded speed-up, batch ${BATCH}`, (l) => l.ratios[`threaded_speedup_batch${BATCH}`], (x) => x >= 1.6, '≥ 1.6'],
  ['ORT naive / cached, batch 1', (l) => l.ratios.ort_naive_over_cached_batch1],
];

function showError(text) {
  bench.state = 'error';
  bench.error = text;
  $('error').textContent = `The bench stopped: ${text}`;
  $('error').hidden = false;
  $('status').textContent = 'stopped';
}

const cell = (tag, text, className = '') => {
  const c = document.createElement(tag);
  c.textContent = text;
  if (className) c.className = className;
  return c;
};

/** Redrawn whole at each new line: a handful of models, so this costs nothing. */
function drawTable() {
  const head = document.createElement('tr');
  head.append(cell('th', 'figure'), cell('th', 'target'), ...bench.lines.map((l) => cell('th', l.model)));
  const body = ROWS.map(([name, value, meets, target]) => {
    const tr = document.createElement('tr');
    tr.append(cell('td', name), cell('td', target || ''));
    for (const line of bench.lines) {
      const v = value(line);
      tr.append(cell('td', v == null ? '—' : String(v), meets && typeof v === 'number' ? (meets(v) ? 'met' : 'missed') : ''));
    }
    return tr;
  });
  $('results').tHead.replaceChildren(head);
  $('results').tBodies[0].replaceChildren(...body);
  // What a figure rests on, or why it is missing, per model.
  const notes = bench.lines.flatMap((l) => [l.ort_note, l.ort_null_because && `onnxruntime-web: ${l.ort_null_because}`].filter(Boolean).map((n) => `${l.model}: ${n}`));
  $('notes').replaceChildren(...notes.map((n) => cell('li', n)));
}

function describe(env) {
  const t = env.threads;
  const threaded = t.pixelwise_threaded ? `${t.pixelwise_threaded} threads` : 'not measured';
  const reason = bench.threadedReason ? ` (${bench.threadedReason})` : '';
  return `${env.browser}; onnxruntime-web ${env.ort_version} on ${t.ort} thread; pixelwise ${t.pixelwise} thread, threaded module ${threaded}${reason}; ${t.hardware} logical cores.`;
}

/** The browser and its full version: Chromium's user-agent string gives only the major version. */
async function browserName() {
  const data = navigator.userAgentData;
  if (data && data.getHighEntropyValues) {
    const { fullVersionList = [] } = await data.getHighEntropyValues(['fullVersionList']).catch(() => ({}));
    const brand = fullVersionList.find((b) => !/not.?a.?brand/i.test(b.brand));
    if (brand) return `${brand.brand} ${brand.version}`;
  }
  const m = navigator.userAgent.match(/(Firefox|Chrome|Version)\/([\d.]+)/);
  return m ? `${m[1] === 'Version' ? 'Safari' : m[1]} ${m[2]}` : navigator.userAgent;
}

async function chooseModels() {
  const res = await fetch('../models.json');
  if (!res.ok) throw new Error(`models.json: HTTP ${res.status} (build the site first)`);
  const all = (await res.json()).map((m) => ({ file: m.file }));
  const asked = params.get('models');
  if (asked) {
    const files = asked.split(',');
    const unknown = files.filter((f) => !all.some((m) => m.file === f));
    if (unknown.length) throw new Error(`not in models.json: ${unknown.join(', ')}`);
    return files.map((file) => ({ file }));
  }
  // Quick: the first model of the page, a small PixelCNN.
  return params.get('quick') === '1' ? all.slice(0, 1) : all;
}

async function main() {
  const models = await chooseModels();
  const worker = new Worker(new URL('./bench-worker.js', import.meta.url), { type: 'module' });
  worker.onerror = (e) => showError(e.message || 'the bench worker failed to start');
  worker.onmessage = ({ data }) => {
    if (data.type === 'progress') {
      $('progress').max = data.of;
      $('progress').value = data.done;
      $('status').textContent = data.text;
    } else if (data.type === 'env') {
      bench.env = data.env;
      bench.threadedReason = data.threadedReason;
      $('env').textContent = describe(data.env);
    } else if (data.type === 'line') {
      bench.lines.push(data.line);
      drawTable();
    } else if (data.type === 'done') {
      $('progress').value = $('progress').max;
      $('status').textContent = `done: ${bench.lines.length} model${bench.lines.length === 1 ? '' : 's'}.` + (bench.lines.some((l) => l.ort_naive_ms_per_image_extrapolated_from) ? ' * extrapolated from the first sub-pixels.' : '');
      bench.state = 'done';
    } else if (data.type === 'error') {
      showError(data.message);
    }
  };
  bench.state = 'running';
  worker.postMessage({ models, browser: await browserName(), quick: params.get('quick') === '1', naivePositions: Number(params.get('naive')) || 0 });
}

main().catch((e) => showError((e && e.message) || String(e)));
