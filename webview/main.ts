import { tabs } from './components/controls';
import { h } from './components/dom';
import { registerToolkit } from './components/toolkit';
import type { HostMessage, PanelMessage } from './protocol';
import { initialState, NO_FILTERS, reduce, type Filters, type PanelState } from './state';
import { renderBanner } from './views/banner';
import { createEvidenceView } from './views/evidenceView';
import { renderProbes } from './views/probesView';
import { renderServices } from './views/servicesView';

interface VsCodeApi {
  postMessage(message: PanelMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
registerToolkit();

// Filters survive the panel being hidden and shown again (the webview is recreated then).
const saved = vscode.getState() as { filters?: Filters } | undefined;
let state: PanelState = initialState({ ...NO_FILTERS, ...saved?.filters });

const banner = h('div', { class: 'banner' });
const tabBar = tabs(
  [
    { id: 'evidence', label: 'Evidence' },
    { id: 'probes', label: 'Probes' },
    { id: 'services', label: 'Services' },
  ],
  (id) => (state = { ...state, tab: id as PanelState['tab'] }),
);
const evidence = createEvidenceView(
  tabBar.views.evidence!,
  (filters) => {
    state = { ...state, filters };
    vscode.setState({ filters });
    schedule();
  },
  () => state.filters,
);
document.getElementById('app')!.replaceChildren(banner, tabBar.element);

let timer: ReturnType<typeof setTimeout> | undefined;
let lastReport = '';
let lastServices = '';

function schedule(): void {
  timer ??= setTimeout(() => {
    timer = undefined;
    render();
  }, 16);
}

function render(): void {
  renderBanner(banner, state.connection, (action) => vscode.postMessage({ type: 'action', action }));
  const rows = evidence.render(state);
  renderProbes(tabBar.views.probes!, state.probes, {
    remove: (probeId) => vscode.postMessage({ type: 'removeProbe', probeId }),
    reveal: (probeId) => vscode.postMessage({ type: 'revealProbe', probeId }),
    showEvidence: (probeId) => apply({ type: 'focusProbe', probeId }),
  });
  const services = JSON.stringify(state.services);
  if (services !== lastServices) renderServices(tabBar.views.services!, state.services); // evidence arrives far more often
  lastServices = services;
  tabBar.setCount('evidence', state.evidence.filter((r) => !r.gap).length);
  tabBar.setCount('probes', state.probes.length);
  tabBar.setCount('services', state.services.length);
  const report: PanelMessage = {
    type: 'rendered',
    probes: state.probes.map((p) => p.probeId),
    services: state.services.map((s) => s.service),
    evidence: rows.length,
    ...(rows[0] ? { newestEvidence: rows[0].text } : {}),
  };
  const text = JSON.stringify(report);
  if (text !== lastReport) vscode.postMessage(report);
  lastReport = text;
}

function apply(message: HostMessage): void {
  state = reduce(state, message);
  if (message.type === 'focusProbe') {
    tabBar.select('evidence');
    vscode.setState({ filters: state.filters });
  }
  schedule();
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => apply(event.data));
vscode.postMessage({ type: 'ready' });
