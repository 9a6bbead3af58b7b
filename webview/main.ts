import { tabs } from './components/controls';
import { h } from './components/dom';
import { registerToolkit } from './components/toolkit';
import type { HostMessage, PanelMessage } from './protocol';
import { initialState, NO_FILTERS, reduce, snapshotRows, type Filters, type PanelState } from './state';
import { renderBanner } from './views/banner';
import { createEvidenceView } from './views/evidenceView';
import { createInvestigationTab } from './views/investigationView';
import { renderMetrics } from './views/metricsView';
import { renderProbes } from './views/probesView';
import { renderServices } from './views/servicesView';
import { createSnapshotView } from './views/snapshotView';

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
    { id: 'snapshots', label: 'Snapshots' },
    { id: 'metrics', label: 'Metrics' },
    { id: 'probes', label: 'Probes' },
    { id: 'services', label: 'Services' },
    { id: 'investigation', label: 'Investigation' },
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
const snapshots = createSnapshotView(tabBar.views.snapshots!, (evidenceId) => vscode.postMessage({ type: 'openSnapshot', evidenceId }));
const investigation = createInvestigationTab(tabBar.views.investigation!, (action) => vscode.postMessage({ type: 'investigationAction', action }));
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
  const actions = renderProbes(
    tabBar.views.probes!,
    state.probes,
    {
      remove: (probeId) => vscode.postMessage({ type: 'removeProbe', probeId }),
      reveal: (probeId) => vscode.postMessage({ type: 'revealProbe', probeId }),
      showEvidence: (probeId) => apply({ type: 'focusProbe', probeId }),
      command: (command, probeId) => vscode.postMessage({ type: 'probeCommand', command, probeId }),
    },
    state.permissions,
  );
  const captures = snapshotRows(state);
  const snapshot = snapshots.render(captures, state.snapshot);
  const charts = renderMetrics(tabBar.views.metrics!, state.metrics);
  const services = JSON.stringify(state.services);
  if (services !== lastServices) renderServices(tabBar.views.services!, state.services); // evidence arrives far more often
  lastServices = services;
  tabBar.setCount('evidence', state.evidence.filter((r) => !r.gap).length);
  tabBar.setCount('probes', state.probes.length);
  tabBar.setCount('snapshots', captures.length);
  tabBar.setCount('metrics', state.metrics.length);
  tabBar.setCount('services', state.services.length);
  const report: PanelMessage = {
    type: 'rendered',
    probes: state.probes.map((p) => p.probeId),
    services: state.services.map((s) => s.service),
    evidence: rows.length,
    ...(rows[0] ? { newestEvidence: rows[0].text } : {}),
    ...(snapshot ? { snapshot } : {}),
    charts,
    actions,
    ...(state.permissions?.why ? { notice: state.permissions.why } : {}),
  };
  const text = JSON.stringify(report);
  if (text !== lastReport) vscode.postMessage(report);
  lastReport = text;
}

function apply(message: HostMessage): void {
  if (message.type === 'investigation') {
    investigation.render(message.view);
    tabBar.setCount('investigation', message.view.hypotheses.length);
    if (message.select) tabBar.select('investigation');
    return;
  }
  state = reduce(state, message);
  if (message.type === 'focusProbe') {
    tabBar.select(state.tab);
    vscode.setState({ filters: state.filters });
  }
  schedule();
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => apply(event.data));
vscode.postMessage({ type: 'ready' });
