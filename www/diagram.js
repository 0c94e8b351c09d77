// The loaded model as an SVG diagram: blocks from input to softmax with their kernels, channels and
// parameters; residual connections drawn beside them. Clicking a block shows its kernel masks.
import { drawKernelMasks } from './kernel-masks.js';

const NS = 'http://www.w3.org/2000/svg';
const COLOURS = { input: '#eef2f7', conv: '#dce8f5', residual: '#e3f0e1', gated: '#f3e8d8', lstm: '#ece3f3', head: '#f5e1e1', softmax: '#f7f3dc', mixture: '#f7f3dc' };

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.append(e);
  return e;
}

/** `blocks`: the wasm's diagram (or null, with the wasm's `reason`); `masks`: the model's kernel
 *  masks, for clicks. */
export function drawDiagram(container, detail, blocks, masks, reason = '') {
  container.replaceChildren();
  detail.replaceChildren();
  if (!blocks) {
    container.textContent = `No diagram of this model${reason ? `: ${reason}` : ''}.`;
    return;
  }
  const [w, h, gap, left] = [520, 40, 14, 40];
  const svg = el('svg', { viewBox: `0 0 ${w} ${blocks.length * (h + gap)}`, role: 'list', 'aria-label': 'The model, block by block' }, container);
  el('defs', {}, svg).innerHTML = '<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#5a6473"/></marker>';
  blocks.forEach((b, i) => {
    const y = i * (h + gap);
    const g = el('g', { role: 'listitem', tabindex: 0, class: 'block', 'data-name': b.name }, svg);
    el('title', {}, g).textContent = `${b.name}: ${b.detail}`;
    el('rect', { x: left, y, width: w - left - 50, height: h, rx: 6, fill: COLOURS[b.kind] || '#eee', stroke: '#9aa6b5' }, g);
    const name = el('text', { x: left + 8, y: y + 16, 'font-size': 12, 'font-weight': 600 }, g);
    name.textContent = `${b.name}  ·  ${['input', 'softmax', 'mixture'].includes(b.kind) ? '' : `${b.in_ch} → ${b.out_ch} ch  ·  `}${b.params.toLocaleString('en-US')} parameters`;
    const text = el('text', { x: left + 8, y: y + 32, 'font-size': 10, fill: '#3b4452' }, g);
    text.textContent = b.detail.length > 86 ? `${b.detail.slice(0, 84)}…` : b.detail;
    if (i + 1 < blocks.length) el('line', { x1: left + 20, y1: y + h, x2: left + 20, y2: y + h + gap - 1, stroke: '#5a6473', 'marker-end': 'url(#arrow)' }, svg);
    if (b.residual) {
      // The skip connection: around the block, from its input to its output.
      el('path', { d: `M ${w - 50} ${y - gap / 2} C ${w - 20} ${y - gap / 2}, ${w - 20} ${y + h + gap / 2}, ${w - 50} ${y + h + gap / 2}`, fill: 'none', stroke: '#2f7d32', 'stroke-width': 1.5, 'marker-end': 'url(#arrow)' }, svg);
      el('text', { x: w - 18, y: y + h / 2 + 4, 'font-size': 14, fill: '#2f7d32' }, svg).textContent = '+';
    }
    const pick = () => {
      svg.querySelectorAll('.block rect').forEach((r) => r.setAttribute('stroke-width', 1));
      g.querySelector('rect').setAttribute('stroke-width', 3);
      const kernels = masks && masks.kernels ? b.kernels.map((k) => masks.kernels[k]).filter(Boolean) : [];
      if (kernels.length) drawKernelMasks(detail, { arch: masks.arch, kernels });
      else detail.textContent = `${b.name}: ${b.detail} (no masked kernel)`;
      container.dataset.picked = b.name;
    };
    g.addEventListener('click', pick);
    g.addEventListener('keydown', (e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), pick()));
  });
  const total = blocks.reduce((a, b) => a + b.params, 0);
  container.dataset.blocks = String(blocks.length);
  container.dataset.layers = String(blocks.filter((b) => ['residual', 'gated', 'lstm'].includes(b.kind)).length);
  container.dataset.params = String(total);
}
