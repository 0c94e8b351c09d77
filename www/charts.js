// The head's distribution over the current sub-pixel's levels (and a mixture's components), drawn beside the samples.

const CHANNEL_COLOURS = ['#c62828', '#2e7d32', '#1565c0']; // R, G, B
const CHANNEL_NAMES = ['R', 'G', 'B'];

/** Bars for `probs` (one per level), coloured by the sub-pixel's channel in colour models, with the
 *  drawn level marked. Also sets an aria-label listing the values. */
export function drawProbabilities(canvas, probs, { labels = null, channel = 0, channels = 1, drawn = -1 } = {}) {
  const L = probs.length;
  // Two canvas pixels per bar for 256 levels, so every bar exists at native resolution.
  const [wantWidth, wantHeight] = L > 16 ? [2 * L, 180] : [240, 90];
  if (canvas.width !== wantWidth) canvas.width = wantWidth;
  if (canvas.height !== wantHeight) canvas.height = wantHeight;
  const big = L > 16; // drawn at twice the size, shown at the same width
  const ctx = canvas.getContext('2d');
  const { width: w, height: h } = canvas;
  ctx.clearRect(0, 0, w, h);
  const gap = L > 16 ? 0 : 6;
  const bw = (w - gap * (L + 1)) / L;
  const top = big ? 28 : 14;
  const base = h - (big ? 26 : 16);
  const colour = channels > 1 ? CHANNEL_COLOURS[channel] : '#6b7d99';
  const peak = Math.max(...probs);
  // With many levels the bars are scaled to the largest, so a spread-out softmax stays readable.
  const scale = L > 16 && peak > 0 ? 1 / peak : 1;
  ctx.font = `${big ? 22 : 11}px system-ui, sans-serif`;
  ctx.textAlign = 'center';
  for (let i = 0; i < L; i++) {
    const x = gap + i * (bw + gap);
    const bh = Math.max(probs[i] > 0 ? 1 : 0, probs[i] * scale * (base - top));
    if (L <= 16) {
      ctx.fillStyle = '#d7dde6';
      ctx.fillRect(x, top, bw, base - top);
    }
    ctx.fillStyle = i === drawn ? '#14161a' : colour;
    ctx.fillRect(x, base - bh, bw, bh);
    if (L <= 16) {
      ctx.fillStyle = '#333';
      ctx.fillText(labels ? labels[i] : String(i), x + bw / 2, h - 3);
      ctx.fillText(probs[i].toFixed(2), x + bw / 2, 11);
    }
  }
  if (drawn >= 0) {
    // A marker under the drawn level.
    const x = gap + drawn * (bw + gap) + bw / 2;
    ctx.fillStyle = '#14161a';
    ctx.beginPath();
    const s = big ? 2 : 1;
    ctx.moveTo(x, base + 2 * s);
    ctx.lineTo(x - 5 * s, base + 10 * s);
    ctx.lineTo(x + 5 * s, base + 10 * s);
    ctx.fill();
  }
  if (L > 16) {
    ctx.fillStyle = '#333';
    ctx.textAlign = 'left';
    ctx.fillText(`${channels > 1 ? `${CHANNEL_NAMES[channel]} ` : ''}level 0`, 2, 22);
    ctx.textAlign = 'right';
    ctx.fillText(`${L - 1}; tallest bar p = ${peak.toFixed(3)}`, w - 2, 22);
    ctx.textAlign = 'center';
    if (drawn >= 0) ctx.fillText(`drawn: ${drawn}`, Math.min(w - 60, Math.max(60, gap + drawn * (bw + gap))), h - 2);
  }
  canvas.dataset.bars = String(L);
  canvas.dataset.drawn = String(drawn);
  const named = (i) => (labels ? labels[i] : i);
  const listed = L > 16 ? Array.from(probs, (p, i) => [i, p]).filter(([, p]) => p >= 0.01) : Array.from(probs, (p, i) => [i, p]);
  canvas.setAttribute(
    'aria-label',
    `${channels > 1 ? `${CHANNEL_NAMES[channel]} channel. ` : ''}${drawn >= 0 ? `Drawn: ${named(drawn)}. ` : ''}` +
      listed.map(([i, p]) => `${named(i)}: ${p.toFixed(3)}`).join(', '),
  );
}

/** A mixture head's components over the bars `drawProbabilities` drew on `canvas` (256 levels):
 *  each component's share of every level's probability, weight × its logistic's mass in the level,
 *  on the bars' scale, so the curves add up to the bars (at temperature 1). */
export function drawComponents(canvas, components, probs) {
  const L = probs.length;
  if (L <= 16) return;
  const ctx = canvas.getContext('2d');
  const { width: w, height: h } = canvas;
  const [top, base] = [28, h - 26];
  const peak = Math.max(...probs);
  if (!(peak > 0)) return;
  const sigmoid = (t) => 1 / (1 + Math.exp(-t));
  const mass = ({ mean, scale }, l) =>
    (l === L - 1 ? 1 : sigmoid((l + 0.5 - mean) / scale)) - (l === 0 ? 0 : sigmoid((l - 0.5 - mean) / scale));
  const bw = w / L;
  ctx.lineWidth = 2;
  components.forEach((c, k) => {
    ctx.strokeStyle = `hsla(${(k * 137) % 360}, 70%, 40%, 0.85)`;
    ctx.beginPath();
    for (let l = 0; l < L; l++) {
      const y = base - (c.weight * mass(c, l) / peak) * (base - top);
      const x = l * bw + bw / 2;
      if (l === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    }
    ctx.stroke();
  });
  canvas.dataset.components = String(components.length);
}
