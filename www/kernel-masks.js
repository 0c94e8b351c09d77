// The model's kernel masks as small grids, the picture from the papers: a filled cell is a
// position the kernel reads, an empty one is masked out, the red outline is the position it
// computes. The masks come from the wasm (model.masks()), the same ones the native engine applies.

const SEEN = '#3a6ea5';
const EMPTY = '#fff';
const EDGE = '#b9c2cf';
const CENTRE = '#e0245e';
const MAX_SIDE = 112; // px, the longest side of one grid

/** `masks`: the wasm's KernelMasks, or null when the model has none; `reason`: the wasm's reason then. */
export function drawKernelMasks(container, masks, reason = '') {
  container.replaceChildren();
  if (!masks || !masks.kernels || !masks.kernels.length) {
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = `No kernel masks to show${reason ? `: ${reason}` : ''}.`;
    container.append(p);
    return;
  }
  for (const k of masks.kernels) {
    const cell = Math.max(6, Math.min(16, Math.floor(MAX_SIDE / Math.max(k.height, k.width))));
    const canvas = document.createElement('canvas');
    canvas.width = k.width * cell + 1;
    canvas.height = k.height * cell + 1;
    const [cy, cx] = [k.height >> 1, k.width >> 1];
    const ctx = canvas.getContext('2d');
    for (let y = 0; y < k.height; y++) {
      for (let x = 0; x < k.width; x++) {
        ctx.fillStyle = k.mask[y][x] ? SEEN : EMPTY;
        ctx.fillRect(x * cell + 0.5, y * cell + 0.5, cell, cell);
        ctx.strokeStyle = EDGE;
        ctx.lineWidth = 1;
        ctx.strokeRect(x * cell + 0.5, y * cell + 0.5, cell, cell);
      }
    }
    ctx.strokeStyle = CENTRE;
    ctx.lineWidth = 2.5;
    ctx.strokeRect(cx * cell + 1.75, cy * cell + 1.75, cell - 2.5, cell - 2.5);
    // Read aloud row by row: "seen" / "masked", the centre named.
    const rows = k.mask.map((r, y) => r.map((v, x) => `${y === cy && x === cx ? 'centre ' : ''}${v ? 'seen' : 'masked'}`).join(', '));
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${k.name}: ${rows.map((r, y) => `row ${y + 1}: ${r}`).join('; ')}`);
    const figure = document.createElement('figure');
    figure.className = 'kernel';
    const caption = document.createElement('figcaption');
    caption.textContent = k.name;
    figure.append(canvas, caption);
    if (k.centre_groups) figure.append(groupTable(k.centre_groups));
    container.append(figure);
  }
}

/** The centre tap's colour groups: row = output group, column = input group it reads. */
function groupTable(groups) {
  const names = ['R', 'G', 'B'];
  const table = document.createElement('table');
  table.className = 'groups';
  table.innerHTML = `<caption>centre tap: output reads input</caption><tr><th></th>${groups.map((_, i) => `<th scope="col">${names[i]}</th>`).join('')}</tr>` +
    groups.map((row, o) => `<tr><th scope="row">${names[o]}</th>${row.map((v) => `<td class="${v ? 'on' : 'off'}">${v ? '✓' : '·'}</td>`).join('')}</tr>`).join('');
  return table;
}
