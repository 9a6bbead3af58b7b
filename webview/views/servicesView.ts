import { h } from '../components/dom';
import type { ServiceRow } from '../protocol';

/** Services and their instances: connected or not, pid, runtime, and the deployed commit. */
export function renderServices(container: HTMLElement, services: readonly ServiceRow[]): void {
  if (!services.length) {
    container.replaceChildren(h('p', { class: 'muted empty' }, 'No service has connected to the relay yet.'));
    return;
  }
  container.replaceChildren(
    h(
      'ul',
      { class: 'services', 'aria-label': 'Services', 'data-testid': 'services' },
      ...services.map((s) =>
        h(
          'li',
          { class: 'service' },
          h('div', { class: 'service-head' }, h('strong', {}, s.service), h('span', { class: 'muted' }, ` ${s.live}/${s.instances.length} live`)),
          h(
            'ul',
            { class: 'instances' },
            ...s.instances.map((i) =>
              h(
                'li',
                { class: i.connected ? 'online' : 'offline' },
                h('span', { class: `dot ${i.connected ? 'dot-connected' : 'dot-failed'}`, 'aria-label': i.connected ? 'connected' : 'offline' }),
                h('span', {}, ` ${i.instanceId}`),
                h('div', { class: 'muted details' }, `pid ${i.pid} · node ${i.nodeVersion} · ${i.mode}`, i.labels ? ` · ${i.labels}` : ''),
                h('div', { class: 'details' }, 'deployed commit ', i.commit ? h('code', {}, i.commit) : h('span', { class: 'muted' }, 'unknown')),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
