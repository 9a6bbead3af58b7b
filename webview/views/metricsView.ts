import { sparkline } from '../components/chart';
import { h, renderKeyed } from '../components/dom';
import type { MetricSeriesRow } from '../protocol';

/** Every metric probe as a small live chart with its newest window in words. Returns the probe ids charted. */
export function renderMetrics(container: HTMLElement, series: readonly MetricSeriesRow[]): string[] {
  if (!series.length) {
    container.replaceChildren(h('p', { class: 'muted empty' }, 'No metrics. Right-click a line number and choose "Add Metric" to count, time or measure it.'));
    return [];
  }
  let list = container.querySelector<HTMLElement>('ul.metrics');
  if (!list) {
    list = h('ul', { class: 'metrics', 'aria-label': 'Metrics', 'data-testid': 'metrics' });
    container.replaceChildren(list);
  }
  renderKeyed(list, series, (m) => m.probeId, (m) => JSON.stringify(m), (m) =>
    h(
      'li',
      { class: 'metric', 'data-probe': m.probeId, tabindex: 0, 'aria-label': `${m.label} at ${m.location}: ${m.latest}` },
      h('div', { class: 'metric-head' }, h('strong', {}, m.location), h('span', { class: 'muted' }, ` ${m.label}`)),
      h(
        'div',
        { class: 'metric-body' },
        sparkline(m.points, `${m.measure} at ${m.location}: ${m.points.length} windows, from ${fmt(m.min)} to ${fmt(m.max)}`),
        h('div', { class: 'metric-range muted' }, m.points.length ? `${fmt(m.max)}\n${fmt(m.min)}` : ''),
      ),
      h('code', { class: 'metric-latest' }, m.latest),
      h('div', { class: 'muted' }, m.measure),
    ),
  );
  return series.map((m) => m.probeId);
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toPrecision(4));
