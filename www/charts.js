// The softmax over the current pixel's levels, drawn beside the samples.

/** Bars for `probs` (one per level). Also sets an aria-label listing the values. */
export function drawProbabilities(canvas, probs, labels) {
  const ctx = canvas.getContext('2d');
  const { width: w, height: h } = canvas;
  ctx.clearRect(0, 0, w, h);
  const L = probs.length;
  const gap = L > 16 ? 0 : 6;
  const bw = (w - gap * (L + 1)) / L;
  const top = 14;
  const base = h - 16;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textAlign = 'center';
  for (let i = 0; i < L; i++) {
    const x = gap + i * (bw + gap);
    const bh = Math.max(1, probs[i] * (base - top));
    ctx.fillStyle = '#d7dde6';
    ctx.fillRect(x, top, bw, base - top);
    ctx.fillStyle = i === L - 1 ? '#14161a' : '#6b7d99';
    ctx.fillRect(x, base - bh, bw, bh);
    if (L <= 16) {
      ctx.fillStyle = '#333';
      ctx.fillText(labels ? labels[i] : String(i), x + bw / 2, h - 3);
      ctx.fillText(probs[i].toFixed(2), x + bw / 2, 11);
    }
  }
  canvas.setAttribute(
    'aria-label',
    Array.from(probs, (p, i) => `${labels ? labels[i] : i}: ${p.toFixed(3)}`).join(', '),
  );
}
