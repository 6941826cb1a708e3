// Hand-written SVG charts (no library: the bundle stays small and the CSP
// needs no exceptions). Colours come from CSS classes, so themes apply.
const NS = 'http://www.w3.org/2000/svg';

/** s builds an SVG element with attributes and children. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) el.append(c);
  return el;
}

const title = text => s('title', {}, document.createTextNode(text));

/**
 * bars draws one bar per point, scaled to the largest value, with a
 * tooltip (title) per bar and labels under some of them.
 * points: [{value, label, tip}], label: the chart's accessible name.
 */
export function bars(points, { label, every = 1 } = {}) {
  const W = 720, H = 180, pad = 22;
  const max = Math.max(1, ...points.map(p => p.value));
  const bw = (W - 8) / Math.max(points.length, 1);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H + pad}`, class: 'chart', role: 'img', 'aria-label': label, preserveAspectRatio: 'none' });
  svg.append(s('line', { x1: 0, y1: H, x2: W, y2: H, class: 'axis' }));
  points.forEach((p, i) => {
    const bh = p.value > 0 ? Math.max(2, (p.value / max) * (H - 8)) : 0;
    const x = 4 + i * bw;
    svg.append(s('rect', { x: x + bw * 0.12, y: H - bh, width: Math.max(1, bw * 0.76), height: bh, rx: 2, class: 'bar' }, title(p.tip)));
    if (p.label && i % every === 0) svg.append(s('text', { x: x + bw / 2, y: H + 16, class: 'tick', 'text-anchor': 'middle' }, document.createTextNode(p.label)));
  });
  return svg;
}

/**
 * heatmap draws rows × cols cells whose opacity follows value/max.
 * cells: [[{value, tip}]], rowLabels, colLabels (shown every 3rd).
 */
export function heatmap(cells, rowLabels, colLabels, { label } = {}) {
  const cw = 26, ch = 22, left = 64, top = 18;
  const cols = colLabels.length;
  const max = Math.max(1, ...cells.flat().map(c => c.value));
  const svg = s('svg', { viewBox: `0 0 ${left + cols * cw} ${top + cells.length * ch}`, class: 'heatmap', role: 'img', 'aria-label': label });
  colLabels.forEach((l, j) => { if (j % 3 === 0) svg.append(s('text', { x: left + j * cw + cw / 2, y: 12, class: 'tick', 'text-anchor': 'middle' }, document.createTextNode(l))); });
  cells.forEach((row, i) => {
    svg.append(s('text', { x: left - 6, y: top + i * ch + ch / 2 + 4, class: 'tick', 'text-anchor': 'end' }, document.createTextNode(rowLabels[i])));
    row.forEach((c, j) => svg.append(s('rect', {
      x: left + j * cw + 1, y: top + i * ch + 1, width: cw - 2, height: ch - 2, rx: 3,
      class: c.value ? 'cell' : 'cell zero', 'fill-opacity': c.value ? (0.15 + 0.85 * c.value / max).toFixed(2) : null,
    }, title(c.tip))));
  });
  return svg;
}
