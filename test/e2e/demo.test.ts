import assert from 'node:assert/strict';
import { runCli } from '../support/proc';

/**
 * Acceptance: the headline demo, headless. The failed-trade-validation incident is investigated end to end on
 * real processes (relay, the compiled TypeScript trading service with the agent, git history, traffic).
 */
describe('acceptance: runtruth demo (failed trade validation)', function () {
  this.timeout(300_000);

  it('ranks the culprit commit first with runtime evidence, audits every probe, validates the fix, and leaves nothing running', async () => {
    const run = await runCli(['demo', '--exit', '--json', '--port', '0'], { timeoutMs: 280_000 });
    assert.equal(run.code, 0, `demo failed:\n${run.stderr}\n${run.stdout.slice(-2000)}`);
    const outcome = JSON.parse(run.stdout.trim().split('\n').pop()!);

    // The culprit is ranked first and confirmed.
    assert.equal(outcome.result.status, 'confirmed');
    assert.equal(outcome.result.culprit.sha, outcome.culprit);
    const top = outcome.result.scores[0];
    const topHypothesis = outcome.result.hypotheses.find((h: { id: string }) => h.id === top.hypothesisId);
    assert.ok(JSON.stringify(topHypothesis).includes(outcome.culprit.slice(0, 8)), 'the top-ranked hypothesis names the culprit commit');

    // The report carries the confirming evidence: the captured value and its type at the comparison.
    assert.match(outcome.report, /order\.notional > HIGH_VALUE_THRESHOLD/);
    assert.match(outcome.report, /"[\d,]+\.00" \(string\) vs HIGH_VALUE_THRESHOLD = 10000 \(number\)/);
    assert.match(outcome.report, new RegExp(outcome.culprit.slice(0, 8)));

    // Every probe was proposed (AI origin), approved, and audited.
    assert.ok(outcome.probeIds.length >= 1);
    for (const id of outcome.probeIds) {
      const actions: string[] = outcome.audit[id];
      assert.ok(actions.includes('probe.proposed'), `${id} proposed: ${actions}`);
      assert.ok(actions.includes('probe.approved'), `${id} approved: ${actions}`);
    }
    for (const site of outcome.result.sites.filter((s: { probeId?: string }) => s.probeId)) assert.ok(site.approval, `${site.probeId} has an approval record`);

    // The alert was real, and the fix restores the behaviour under live traffic, checked with the same probes.
    assert.ok(outcome.reviewRate.after < outcome.reviewRate.before, 'the bad deploy lowered the review rate');
    assert.ok(outcome.fixCheck.passed, JSON.stringify(outcome.fixCheck));
    assert.ok(outcome.fixCheck.hits > 0);
    assert.equal(outcome.fixCheck.stringNotionals, 0);

    // Read-only: identical orders got identical answers from each version, probes or not.
    assert.equal(outcome.responsesUnchanged, true);

    // Nothing the demo started is still running.
    for (const pid of outcome.pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `pid ${pid} exited`);
  });
});
