const SVG = 'http://www.w3.org/2000/svg';

function svgEl(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/**
 * A small line chart as inline SVG: no script, no remote content, colours from the theme (panel.css styles the
 * classes with --vscode-charts-* variables). Points are plotted oldest → newest, scaled to their own range.
 */
export function sparkline(points: readonly number[], label: string, width = 160, height = 36): SVGElement {
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'sparkline', 'aria-label': label });
  const title = svgEl('title', {});
  title.textContent = label;
  svg.appendChild(title);
  svg.appendChild(svgEl('line', { x1: 0, y1: height - 1, x2: width, y2: height - 1, class: 'spark-axis' }));
  if (!points.length) return svg;
  const min = Math.min(...points);
  const max = Math.max(...points);
  const span = max - min || 1;
  const pad = 3;
  const x = (i: number) => (points.length === 1 ? width / 2 : pad + (i * (width - 2 * pad)) / (points.length - 1));
  const y = (v: number) => height - pad - ((v - min) / span) * (height - 2 * pad);
  const coords = points.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  svg.appendChild(svgEl('polyline', { points: coords.join(' '), class: 'spark-line' }));
  const last = points.length - 1;
  svg.appendChild(svgEl('circle', { cx: x(last).toFixed(1), cy: y(points[last]!).toFixed(1), r: 2.5, class: 'spark-dot' }));
  return svg;
}
