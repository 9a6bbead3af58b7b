import assert from 'node:assert/strict';
import { investigate, lowRiskApprover, relayRuntime, type Approver, type InvestigationEvent } from '../../extension/core/assistant';
import { trading } from '../../bench/assistant/scenarios/trading';
import { startWorld, type World } from '../../bench/assistant/world';
import { runCli } from '../support/proc';

/**
 * The built-in investigator end to end: a real git history, a real relay, the trading service in a child
 * process with the agent (--require), live traffic; every probe an AI proposal a person approves.
 */
describe('assistant: built-in investigator against a live service', function () {
  this.timeout(120_000);
  let world: World;
  before(async () => {
    world = await startWorld(trading);
  });
  after(() => world?.close());

  it('finds the commit that made a string amount reach the numeric comparison, with the runtime evidence', async () => {
    const events: InvestigationEvent[] = [];
    const { result, report } = await investigate({
      question: trading.question,
      repo: world.repo.dir,
      runtime: relayRuntime(world.ai),
      approver: lowRiskApprover(world.person),
      audit: relayRuntime(world.admin).audit,
      maxMinutes: 2,
      onEvent: (e) => events.push(e),
    });

    assert.equal(result.status, 'confirmed', report);
    assert.equal(result.culprit?.sha, world.repo.culprit);
    const top = result.scores[0]!;
    assert.equal(result.hypotheses.find((h) => h.id === top.hypothesisId)?.suspectCommits[0], world.repo.culprit);
    assert.equal(top.verdict, 'confirmed');
    assert.equal(result.deployed, world.repo.deployed);
    assert.equal(result.previous, world.repo.previous, 'the previous deploy comes from the agents’ registrations');

    // the confirming evidence: the captured value and its type at the comparison
    const mismatch = result.culprit!.evidence.find((a) => a.kind === 'type-mismatch' && a.file === 'src/validation.js')!;
    assert.ok(mismatch, JSON.stringify(result.culprit!.evidence));
    assert.equal(mismatch.expression, 'amount > HIGH_VALUE_THRESHOLD');
    assert.match(mismatch.examples[0]!, /^amount = "[\d,.]+" \(string\) vs HIGH_VALUE_THRESHOLD = 50000 \(number\)$/);
    assert.ok(mismatch.count >= 5 && mismatch.count === mismatch.total);
    assert.ok(result.culprit!.lines.some((l) => l.file === 'src/intake.js'));

    // every probe was an AI proposal a person approved, and the audit log has it
    assert.ok(result.sites.length >= 3);
    for (const s of result.sites) {
      assert.equal(s.approval?.origin, 'ai', `${s.probeId} was proposed by the assistant`);
      assert.equal(s.approval?.requestedBy, 'assistant');
      assert.deepEqual([s.approval?.decision, s.approval?.decidedBy], ['approved', 'oncall-alex']);
      assert.ok((s.approval?.auditSeqs?.length ?? 0) >= 2, 'proposed + approved (+ removed) are audited');
    }
    const { probes } = await world.admin.request('probe.list', { service: 'trading' });
    assert.deepEqual(probes.filter((p) => p.state === 'live' || p.state === 'proposed'), [], 'it removes its probes afterwards');

    // the report a person reads
    for (const needle of ['# Root cause analysis', '## Timeline', '## Hypotheses', '## Confirming evidence', '## Culprit', '## Suggested fix area', '## What was instrumented', world.repo.culprit.slice(0, 8), '(string) vs HIGH_VALUE_THRESHOLD = 50000 (number)', 'oncall-alex']) {
      assert.ok(report.includes(needle), `report lacks ${needle}`);
    }
    assert.match(report, /Where the value is produced: `src\/intake\.js:\d+` in `parseOrder\(\)`/);
    const kinds = new Set(events.map((e) => e.type));
    for (const k of ['context', 'hypotheses', 'round', 'proposed', 'decided', 'evidence', 'scores', 'finished'] as const) assert.ok(kinds.has(k), `no ${k} event`);
  });

  it('says what it could not determine when a person rejects its probes', async () => {
    const rejectAll: Approver = {
      describe: 'rejecting everything',
      async review(proposals) {
        for (const p of proposals) await world.person.request('probe.reject', { probeId: p.view.probe.id, reason: 'not during the trading day' });
      },
    };
    const { result, report } = await investigate({ question: trading.question, repo: world.repo.dir, runtime: relayRuntime(world.ai), approver: rejectAll, maxMinutes: 1, maxRounds: 1 });
    assert.equal(result.status, 'undetermined');
    assert.ok(result.sites.every((s) => s.state === 'rejected' && s.hits === 0));
    assert.ok(result.undetermined.some((u) => /rejected by oncall-alex: not during the trading day/.test(u)), result.undetermined.join('\n'));
    assert.match(report, /\*\*Status: undetermined\.\*\*/);
    assert.match(report, /## What could not be determined/);
  });

  it('uses snapshot probes when asked: watches bring the same typed values, and the stack shows the executed path', async () => {
    const { result } = await investigate({ question: trading.question, repo: world.repo.dir, runtime: relayRuntime(world.ai), approver: lowRiskApprover(world.person), maxMinutes: 2, probeKind: 'snapshot' });
    assert.equal(result.probeKind, 'snapshot');
    assert.equal(result.culprit?.sha, world.repo.culprit);
    const symptom = result.sites.find((s) => s.file === 'src/validation.js' && s.captured.includes('amount > HIGH_VALUE_THRESHOLD'))!;
    assert.equal(symptom.kind, 'snapshot');
    assert.deepEqual(Object.keys(symptom.types.amount ?? {}), ['string']);
    assert.ok(result.scores[0]!.prior.some((i) => i.factor === 'executed-file'));
  });

  it('runs from the CLI: runtruth investigate --approve-low-risk --json', async () => {
    const admin = (await import('node:fs')).readFileSync(world.relay.adminTokenFile, 'utf8').trim();
    const r = await runCli(['investigate', trading.question, '--repo', world.repo.dir, '--approve-low-risk', '--json', '--max-minutes', '2', '--relay', world.relay.url, '--token', admin], { timeoutMs: 100_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
    const { result, report } = JSON.parse(r.stdout);
    assert.equal(result.culprit.sha, world.repo.culprit);
    assert.ok(result.sites.every((s: { approval: { origin: string; decision: string } }) => s.approval.origin === 'ai' && s.approval.decision === 'approved'));
    assert.match(report, /confirmed by runtime evidence/);
  });
});
