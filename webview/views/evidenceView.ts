import { button, dropdown, textField, type DropdownHandle } from '../components/controls';
import { h, renderKeyed } from '../components/dom';
import type { EvidenceRow } from '../protocol';
import { filterChoices, NO_FILTERS, visibleEvidence, type Filters, type PanelState } from '../state';

export interface EvidenceView {
  render(state: PanelState): EvidenceRow[];
}

/** The live stream: filters (probe, service, instance, text) over the newest rows first. */
export function createEvidenceView(container: HTMLElement, setFilters: (f: Filters) => void, getFilters: () => Filters): EvidenceView {
  const update = (patch: Partial<Filters>) => setFilters({ ...getFilters(), ...patch });
  const probe = dropdown('Filter by probe', (probeId) => update({ probeId }));
  const service = dropdown('Filter by service', (s) => update({ service: s }));
  const instance = dropdown('Filter by instance', (i) => update({ instance: i }));
  const text = textField('Filter text', getFilters().text, (t) => update({ text: t }), 'Filter evidence by text');
  const clear = button('Clear', () => {
    (text as HTMLElement & { value: string }).value = '';
    setFilters(NO_FILTERS);
  }, { title: 'Clear filters' });
  const list = h('ol', { class: 'evidence', role: 'log', 'aria-live': 'off', 'aria-label': 'Evidence, newest first', tabindex: 0, 'data-testid': 'evidence' });
  const empty = h('p', { class: 'muted empty' });
  container.replaceChildren(
    h('div', { class: 'filters', role: 'search', 'aria-label': 'Filter evidence' }, h('div', { class: 'filter-choices' }, probe.element, service.element, instance.element), h('div', { class: 'filter-text' }, text, clear)),
    empty,
    list,
  );

  return {
    render(state) {
      const choices = filterChoices(state);
      const f = state.filters;
      setChoices(probe, 'All probes', choices.probes, f.probeId);
      setChoices(service, 'All services', choices.services.map((s) => [s, s] as const), f.service);
      setChoices(instance, 'All instances', choices.instances.map((i) => [i, i] as const), f.instance);
      const rows = visibleEvidence(state);
      empty.textContent = rows.length ? '' : state.evidence.length ? 'No evidence matches the filters.' : 'No evidence yet: add a logpoint and send traffic to its line.';
      renderKeyed(list, rows, (r) => r.key, (r) => r.key, renderRow);
      return rows;
    },
  };
}

function setChoices(d: DropdownHandle, allLabel: string, options: ReadonlyArray<readonly [string, string]>, selected: string): void {
  d.setOptions([['', allLabel], ...options], selected);
}

function renderRow(row: EvidenceRow): HTMLElement {
  if (row.gap) return h('li', { class: 'row gap' }, h('time', { datetime: row.at }, row.time), ' ', row.text);
  return h(
    'li',
    { class: 'row', 'data-probe': row.probeId },
    h('time', { datetime: row.at, title: row.at }, row.time),
    h('span', { class: 'where', title: `${row.service}/${row.instance}` }, row.location ?? row.probeId, ' · ', row.instance),
    h('code', { class: 'message' }, row.text),
  );
}
