import { button } from '../components/controls';
import { h } from '../components/dom';
import type { ConnectionRow, PanelAction } from '../protocol';

const ACTION_LABELS: Record<PanelAction, string> = { signIn: 'Sign in', openSettings: 'Open settings', retry: 'Retry' };

/** The connection line at the top: what is connected (or why not) and the buttons that fix it. */
export function renderBanner(container: HTMLElement, connection: ConnectionRow | undefined, act: (action: PanelAction) => void): void {
  if (!connection) {
    container.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
    return;
  }
  container.className = `banner banner-${connection.status}`;
  container.setAttribute('role', connection.status === 'failed' || connection.status === 'retrying' ? 'alert' : 'status');
  container.replaceChildren(
    h('span', { class: `dot dot-${connection.status}`, 'aria-hidden': 'true' }),
    h('span', { class: 'banner-text', 'data-testid': 'connection' }, connection.text),
    ...connection.actions.map((a) => button(ACTION_LABELS[a], () => act(a), { appearance: a === 'signIn' ? 'primary' : 'secondary' })),
  );
}
