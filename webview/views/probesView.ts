import { badge, button } from '../components/controls';
import { h, renderKeyed } from '../components/dom';
import type { PermissionsRow, ProbeCommand, ProbeRow } from '../protocol';

export interface ProbeActions {
  remove(probeId: string): void;
  reveal(probeId: string): void;
  showEvidence(probeId: string): void;
  command(command: ProbeCommand, probeId: string): void;
}

const NOBODY: PermissionsRow = { operate: false, decide: false };

/**
 * Every probe with its overall state, per-instance status and actions. Actions the token may not take are
 * disabled, and one note says why (a viewer token, an AI token), instead of buttons that fail when pressed.
 * Returns the action buttons shown enabled (`approve:p-1`), for the host's report.
 */
export function renderProbes(container: HTMLElement, probes: readonly ProbeRow[], actions: ProbeActions, permissions: PermissionsRow = NOBODY): string[] {
  if (!probes.length) {
    container.replaceChildren(h('p', { class: 'muted empty' }, 'No probes. Right-click a line number in a JavaScript or TypeScript file and choose "Add Logpoint…", "Add Snapshot" or "Add Metric".'));
    return [];
  }
  let note = container.querySelector<HTMLElement>('p.permissions');
  let list = container.querySelector<HTMLElement>('ul.probes');
  if (!list || !note) {
    note = h('p', { class: 'permissions muted', role: 'note', 'data-testid': 'permissions' });
    list = h('ul', { class: 'probes', 'aria-label': 'Probes', 'data-testid': 'probes' });
    container.replaceChildren(note, list);
  }
  note.textContent = permissions.why ?? '';
  note.hidden = !permissions.why;
  renderKeyed(list, probes, (p) => p.probeId, (p) => JSON.stringify([p, permissions]), (p) => renderProbe(p, actions, permissions));
  const enabled: string[] = [];
  for (const p of probes) {
    if (permissions.operate) enabled.push(`remove:${p.probeId}`);
    if (!permissions.decide) continue;
    if (p.state === 'proposed') enabled.push(`approve:${p.probeId}`, `reject:${p.probeId}`);
    else if (p.state !== 'expired') enabled.push(`extend:${p.probeId}`);
  }
  return enabled;
}

function renderProbe(p: ProbeRow, actions: ProbeActions, permissions: PermissionsRow): HTMLElement {
  const decideTitle = (what: string) => (permissions.decide ? what : `${what} — ${permissions.why ?? 'not allowed with this token'}`);
  const lifecycle =
    p.state === 'proposed'
      ? [
          disabledUnless(permissions.decide, button('Approve', () => actions.command('approve', p.probeId), { appearance: 'primary', title: decideTitle(`Let the AI's probe at ${p.location} go live`), testId: `approve-${p.probeId}` })),
          disabledUnless(permissions.decide, button('Reject', () => actions.command('reject', p.probeId), { title: decideTitle(`Turn down the AI's probe at ${p.location}`), testId: `reject-${p.probeId}` })),
        ]
      : p.state === 'expired'
        ? []
        : [disabledUnless(permissions.decide, button('Extend TTL', () => actions.command('extend', p.probeId), { title: decideTitle(`Keep the probe at ${p.location} longer`), testId: `extend-${p.probeId}` }))];
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
      button(p.kind === 'snapshot' ? 'Snapshot' : p.kind === 'metric' ? 'Chart' : 'Evidence', () => actions.showEvidence(p.probeId), { title: `Show what the probe at ${p.location} captured` }),
      button('Go to line', () => actions.reveal(p.probeId), { title: `Open ${p.location}` }),
      ...lifecycle,
      disabledUnless(permissions.operate, button('Remove', () => actions.remove(p.probeId), { title: permissions.operate ? `Remove the probe at ${p.location}` : `Remove — ${permissions.why ?? 'not allowed with this token'}`, testId: `remove-${p.probeId}` })),
    ),
  );
}

function disabledUnless(allowed: boolean, el: HTMLElement): HTMLElement {
  if (!allowed) el.setAttribute('disabled', '');
  return el;
}
