import { badge, button } from '../components/controls';
import { h, renderKeyed } from '../components/dom';
import type { ProbeRow } from '../protocol';

export interface ProbeActions {
  remove(probeId: string): void;
  reveal(probeId: string): void;
  showEvidence(probeId: string): void;
}

/** Every probe with its overall state, per-instance status and actions. */
export function renderProbes(container: HTMLElement, probes: readonly ProbeRow[], actions: ProbeActions): void {
  if (!probes.length) {
    container.replaceChildren(h('p', { class: 'muted empty' }, 'No probes. Right-click a line number in a JavaScript or TypeScript file and choose "Add Logpoint…".'));
    return;
  }
  let list = container.querySelector<HTMLElement>('ul.probes');
  if (!list) {
    list = h('ul', { class: 'probes', 'aria-label': 'Probes', 'data-testid': 'probes' });
    container.replaceChildren(list);
  }
  renderKeyed(list, probes, (p) => p.probeId, (p) => JSON.stringify(p), (p) => renderProbe(p, actions));
}

function renderProbe(p: ProbeRow, actions: ProbeActions): HTMLElement {
  return h(
    'li',
    { class: `probe state-${p.state}`, 'aria-label': `${p.kindLabel} at ${p.location}, ${p.stateLabel}` },
    h(
      'div',
      { class: 'probe-head' },
      h('span', { class: `state-icon state-${p.state}`, 'aria-hidden': 'true' }),
      h('strong', {}, p.location),
      h('span', { class: 'muted' }, ` ${p.kindLabel} · ${p.service}`),
      h('span', { class: 'spacer' }),
      badge(p.hits, `${p.hits} hits`),
    ),
    h('code', { class: 'summary' }, p.summary),
    h('div', { class: 'probe-state' }, h('span', {}, p.stateLabel), h('span', { class: 'muted' }, ` · ${p.expires}`)),
    p.instances.length
      ? h('ul', { class: 'instances', 'aria-label': 'Status per instance' }, ...p.instances.map((i) => h('li', {}, h('span', { class: `chip chip-${i.state}` }, i.state), ` ${i.instanceId}`, i.hits !== undefined ? ` · ${i.hits} hits` : '', i.reason ? h('div', { class: 'reason' }, i.reason) : '')))
      : '',
    h(
      'div',
      { class: 'probe-actions' },
      button('Evidence', () => actions.showEvidence(p.probeId), { title: `Show evidence of ${p.location}` }),
      button('Go to line', () => actions.reveal(p.probeId), { title: `Open ${p.location}` }),
      button('Remove', () => actions.remove(p.probeId), { title: `Remove the probe at ${p.location}`, testId: `remove-${p.probeId}` }),
    ),
  );
}
