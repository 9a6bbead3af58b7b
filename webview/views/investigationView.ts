import { badge, button, dropdown, textField } from '../components/controls';
import { h } from '../components/dom';
import type { EvidenceSiteRow, HypothesisRow, InvestigationAction, InvestigationView, ProposalRow } from './investigationProtocol';
import { renderMarkdown } from './investigationMarkdown';

export interface InvestigationTab {
  render(view: InvestigationView): void;
}

/**
 * The Investigation tab: a question → hypotheses with live scores and their per-factor breakdown, the probes
 * awaiting approval with exactly what each captures and where, evidence as it arrives, and the evolving report.
 * Each section is rebuilt only when its data changed, so typing in the form and open breakdowns survive updates.
 */
export function createInvestigationTab(container: HTMLElement, act: (action: InvestigationAction) => void): InvestigationTab {
  let question = '';
  let service = '';
  let defaultsSeen = '';
  const questionField = textField('Why are high-value trades no longer flagged since the last deploy?', '', (v) => (question = v), 'Question') as HTMLElement & { value: string };
  questionField.dataset.testid = 'question';
  const services = dropdown('Service', (v) => (service = v));
  const startButton = button('Investigate', () => act({ kind: 'start', question: question || questionField.value, service }), { appearance: 'primary', testId: 'investigate' });
  const repoLine = h('div', { class: 'muted' });
  const form = h('div', { class: 'investigation-form' }, questionField, h('div', { class: 'filter-text' }, services.element, startButton), repoLine);
  const status = h('div', { class: 'investigation-status', 'data-testid': 'investigation-status', role: 'status' });
  const hypotheses = h('ol', { class: 'hypotheses', 'data-testid': 'hypotheses', 'aria-label': 'Hypotheses by score' });
  const proposals = h('div', { class: 'proposals', 'data-testid': 'proposals' });
  const evidence = h('ul', { class: 'investigation-evidence', 'data-testid': 'investigation-evidence', 'aria-label': 'Evidence per probe site' });
  const steps = h('ol', { class: 'steps muted' });
  const report = h('div', { class: 'report' });
  const open = new Set<string>();
  const section = (title: string, body: HTMLElement) => h('section', {}, h('h3', {}, title), body);
  container.replaceChildren(
    h('div', { class: 'investigation', 'data-testid': 'investigation' }, form, status, section('Hypotheses', hypotheses), section('Proposals', proposals), section('Evidence', evidence), section('Report', report), h('details', {}, h('summary', {}, 'Steps'), steps)),
  );
  const last: Record<string, string> = {};
  const changed = (key: string, value: unknown) => {
    const sig = JSON.stringify(value);
    if (last[key] === sig) return false;
    last[key] = sig;
    return true;
  };

  return {
    render(view) {
      const d = view.defaults;
      if (changed('defaults', d)) {
        if (!question && d.question && d.question !== defaultsSeen) questionField.value = question = d.question;
        defaultsSeen = d.question;
        service ||= d.service;
        services.setOptions([['', 'Any (from the question)'], ...d.services.map((s) => [s, s] as const)], service);
        repoLine.textContent = d.repo ? `Repository: ${d.repo}` : 'Open the service\'s repository as a workspace folder.';
      }
      startButton.toggleAttribute('disabled', view.status === 'running');
      if (changed('status', [view.status, view.investigator, view.culprit, view.error, view.savedTo, !!view.report, view.question, view.context])) renderStatus(status, view, act);
      if (changed('hypotheses', view.hypotheses)) hypotheses.replaceChildren(...view.hypotheses.map((row) => renderHypothesis(row, open)));
      if (changed('proposals', [view.proposals, view.canDecide])) renderProposals(proposals, view, act);
      if (changed('evidence', view.evidence)) evidence.replaceChildren(...(view.evidence.length ? view.evidence.map((e) => renderEvidence(e, act)) : [h('li', { class: 'muted' }, 'No evidence yet.')]));
      if (changed('steps', view.steps)) steps.replaceChildren(...view.steps.map((s) => h('li', {}, s)));
      if (changed('report', view.report)) report.replaceChildren(view.report ? renderMarkdown(view.report) : h('p', { class: 'muted' }, 'The report appears when the investigation concludes.'));
    },
  };
}

const STATUS_TEXT: Record<InvestigationView['status'], string> = {
  idle: 'Ask a question about a running service.',
  running: 'Investigating…',
  confirmed: 'Confirmed by runtime evidence',
  undetermined: 'Undetermined',
  failed: 'Failed',
  stopped: 'Stopped',
};

function renderStatus(container: HTMLElement, view: InvestigationView, act: (a: InvestigationAction) => void): void {
  container.className = `investigation-status status-${view.status}`;
  container.replaceChildren(
    h('div', {}, h('strong', {}, STATUS_TEXT[view.status]), view.culprit ? ` — culprit commit ${view.culprit}` : '', view.error ? h('div', { class: 'error' }, view.error) : ''),
    view.question ? h('div', { class: 'muted' }, `“${view.question}”${view.service ? ` · ${view.service}` : ''} · ${view.investigator === 'builtin' ? 'built-in investigator' : view.investigator}`) : '',
    view.context ? h('div', { class: 'muted' }, `deployed ${view.context.deployed}${view.context.previous ? ` (previously ${view.context.previous})` : ''} · ${view.context.window}`) : '',
    h(
      'div',
      { class: 'probe-actions' },
      view.status === 'running' ? button('Stop', () => act({ kind: 'stop' }), { title: 'Stop waiting and conclude with the evidence so far', testId: 'stop-investigation' }) : '',
      view.report ? button('Save report', () => act({ kind: 'save' }), { title: 'Save the Markdown report', testId: 'save-report' }) : '',
      view.savedTo ? h('span', { class: 'muted' }, `saved to ${view.savedTo}`) : '',
    ),
  );
}

function renderHypothesis(row: HypothesisRow, open: Set<string>): HTMLElement {
  const details = h(
    'details',
    { open: open.has(row.id) },
    h('summary', {}, `Score breakdown: log-odds ${row.logit} = prior ${row.priorPoints} + evidence ${row.evidencePoints}`),
    row.factors.length
      ? h('table', { class: 'factors' }, h('thead', {}, h('tr', {}, h('th', {}, 'Part'), h('th', {}, 'Factor'), h('th', {}, 'Value × weight'), h('th', {}, 'Points'), h('th', {}, 'Why'))), h('tbody', {}, ...row.factors.map((f) => h('tr', {}, h('td', {}, f.part), h('td', {}, f.label), h('td', {}, `${f.value} × ${f.weight}`), h('td', {}, String(f.points)), h('td', {}, f.reason)))))
      : h('p', { class: 'muted' }, 'Not scored yet.'),
  );
  details.addEventListener('toggle', () => ((details as HTMLDetailsElement).open ? open.add(row.id) : open.delete(row.id)));
  return h(
    'li',
    { class: `hypothesis verdict-${row.verdict}`, 'data-testid': `hypothesis-${row.id}`, 'data-rank': row.rank, 'data-commit': row.commit ?? '' },
    h('div', { class: 'probe-head' }, h('strong', {}, `#${row.rank} ${row.id}`), row.commit ? h('code', {}, ` ${row.commit}`) : '', h('span', { class: 'spacer' }), h('span', { class: `chip chip-${row.verdict}` }, row.verdict), ' ', badge(`${Math.round(row.share * 100)}%`, 'share of the total score')),
    h('div', { class: 'claim' }, row.claim),
    h('div', { class: 'muted' }, row.verdictReason),
    details,
  );
}

function renderProposals(container: HTMLElement, view: InvestigationView, act: (a: InvestigationAction) => void): void {
  if (!view.proposals.length) {
    container.replaceChildren(h('p', { class: 'muted' }, 'No probes proposed yet.'));
    return;
  }
  const waiting = view.proposals.filter((p) => p.state === 'proposed');
  container.replaceChildren(
    waiting.length && view.canDecide ? h('div', { class: 'probe-actions' }, button(`Approve all low-risk (${waiting.filter((p) => p.risk.low).length})`, () => act({ kind: 'approveLowRisk' }), { testId: 'approve-low-risk' })) : '',
    h('ul', { class: 'probes' }, ...view.proposals.map((p) => renderProposal(p, view.canDecide, act))),
  );
}

function renderProposal(p: ProposalRow, canDecide: boolean, act: (a: InvestigationAction) => void): HTMLElement {
  const decided = p.state === 'proposed' ? 'awaiting approval' : p.state === 'live' ? `approved${p.decidedBy ? ` by ${p.decidedBy}` : ''}` : p.state === 'rejected' ? `rejected${p.decidedBy ? ` by ${p.decidedBy}` : ''}` : p.state;
  return h(
    'li',
    { class: `probe proposal state-${p.state}`, 'data-testid': `proposal-${p.probeId}`, 'data-state': p.state },
    h('div', { class: 'probe-head' }, h('a', { href: '#', class: 'where', onclick: (e: Event) => (e.preventDefault(), act({ kind: 'reveal', file: p.file, line: p.line })) }, p.location), h('span', { class: 'muted' }, ` ${p.kind} · ${p.probeId}`), h('span', { class: 'spacer' }), h('span', { class: 'chip' }, decided)),
    h('div', {}, 'Captures: ', ...p.captures.flatMap((c, i) => [i ? ', ' : '', h('code', {}, c)]), h('span', { class: 'muted' }, ' (each with its runtime type)')),
    h('code', { class: 'summary', title: 'Evaluated on each hit, read-only' }, p.expression),
    h('div', { class: 'muted' }, p.summary.replace(/^.*? — /, '')),
    h('div', {}, `Why: ${p.reason}`),
    h('div', { class: p.risk.low ? 'muted' : 'error' }, p.risk.low ? 'Low risk' : `Not low risk: ${p.risk.concerns.join('; ')}`),
    p.state === 'proposed' && canDecide
      ? h('div', { class: 'probe-actions' }, button('Approve', () => act({ kind: 'approve', probeId: p.probeId }), { appearance: 'primary', testId: `approve-${p.probeId}`, title: `Approve ${p.probeId} at ${p.location}` }), button('Reject', () => act({ kind: 'reject', probeId: p.probeId }), { testId: `reject-${p.probeId}`, title: `Reject ${p.probeId}` }))
      : '',
  );
}

function renderEvidence(e: EvidenceSiteRow, act: (a: InvestigationAction) => void): HTMLElement {
  return h(
    'li',
    { class: `probe${e.anomalies.length ? ' anomalous' : ''}`, 'data-testid': `evidence-${e.probeId}` },
    h('div', { class: 'probe-head' }, h('a', { href: '#', class: 'where', onclick: (ev: Event) => (ev.preventDefault(), act({ kind: 'reveal', file: e.file, line: e.line })) }, e.location), h('span', { class: 'spacer' }), badge(e.observations, `${e.observations} observations`)),
    h('code', { class: 'summary' }, e.latest.join('  ')),
    ...e.anomalies.map((a) => h('div', { class: 'error' }, `⚠ ${a}`)),
  );
}
