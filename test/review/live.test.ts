import assert from 'node:assert/strict';
import { relayRuntime } from '../../extension/core/assistant/runtime';
import { lowRiskReviewApprover, renderReviewMarkdown, reviewBranch, ReviewReport, type ReviewEvent } from '../../extension/core/review';
import { tempDir } from '../support/tmp';
import { fixture, startReviewWorld, type ReviewWorld } from './world';

/**
 * The review end to end: a real git repo (deployed commit + PR branch), a real relay, the pricing service
 * running the deployed commit with the in-process agent, live traffic with a known mix; the AI token proposes,
 * a person's token approves the low-risk probes.
 */
describe('review: a PR branch against live behaviour', function () {
  this.timeout(120_000);
  const tmp = tempDir('runtruth-review-');
  let world: ReviewWorld;
  let report: ReviewReport;
  const events: ReviewEvent[] = [];
  before(async () => {
    world = await startReviewWorld(tmp.dir);
    report = await reviewBranch({
      repo: world.repo.dir,
      runtime: relayRuntime(world.ai),
      approver: lowRiskReviewApprover(world.person),
      head: world.repo.branch,
      windowSeconds: 12,
      approvalTimeoutMs: 30_000,
      onEvent: (e) => {
        events.push(e);
        if (process.env.RUNTRUTH_TEST_DEBUG) console.log(new Date().toISOString(), JSON.stringify(e));
      },
    });
  });
  after(async () => {
    await world?.close();
    tmp.cleanup();
  });

  const hunk = (oldStart: number, file = 'src/pricing.js') => report.hunks.find((h) => h.file === file && h.oldStart === oldStart)!;

  it('diffs the branch against the commit the instances report, hunk by hunk, and the report is schema-valid', () => {
    assert.deepEqual(ReviewReport.parse(JSON.parse(JSON.stringify(report))), report);
    assert.equal(report.baseRef, 'deployed');
    assert.equal(report.base, world.repo.deployed);
    assert.equal(report.head, world.repo.head);
    assert.equal(report.service, 'pricing');
    assert.deepEqual(report.hunks.map((h) => [h.id, h.change, h.mapping, h.anchorLine]), [
      ['src/coupons.js#1', 'modified', 'old-side', 6],
      ['src/pricing.js#1', 'modified', 'old-side', 7],
      ['src/pricing.js#2', 'deleted', 'old-side', 9],
      ['src/pricing.js#3', 'added', 'nearest-statement', 13],
      ['src/pricing.js#4', 'modified', 'old-side', 21],
    ]);
    assert.ok(report.window.seconds >= 12);
  });

  it('flags the new arithmetic on `amount` with the share of string amounts production sends', () => {
    const h = hunk(7);
    assert.ok(h.perMinute! > 0, JSON.stringify(h.counters));
    const amount = h.values.find((v) => v.expression === 'amount')!;
    assert.ok(amount.samples >= 30, `sampled ${amount.samples}`);
    assert.deepEqual(Object.keys(amount.types), ['number', 'string']);
    const f = h.findings.find((x) => x.kind === 'type-contradiction' && x.expression === 'amount')!;
    assert.ok(f, JSON.stringify(h.findings));
    // the traffic sends ~25% strings; a sample of ≥30 stays well within these bounds
    const expected = fixture.mix(world.sent()).strings;
    assert.ok(f.share! > expected - 0.15 && f.share! < expected + 0.15, `string share ${f.share} vs traffic ${expected}`);
    assert.equal(f.count, amount.types.string);
    assert.match(f.message, /`amount \* 1\.1` \(new line 7\) uses `amount` as a number, but at src\/pricing\.js:7 production sees string in \d+% \(e\.g\. "\d+\.50"\)/);
    assert.ok(amount.numeric && amount.numeric.min >= 10 && amount.numeric.max < 60, JSON.stringify(amount.numeric));
  });

  it('flags the deleted legacy branch that still runs, with its hit count', () => {
    const h = hunk(9);
    const body = h.counters.find((c) => c.role === 'deleted-body')!;
    assert.equal(body.line, 10);
    assert.ok(body.hits > 0 && body.perMinute! > 0, JSON.stringify(body));
    const check = h.counters.find((c) => c.role === 'deleted')!;
    assert.ok(check.hits > body.hits, 'the `if` runs on every request, its body only for legacy orders');
    const f = h.findings.find((x) => x.kind === 'deleted-code-runs')!;
    assert.equal(f.count, body.hits);
    assert.match(f.message, /deletes lines 9-11 of src\/pricing\.js \(`if \(order\.legacy\) \{`\), but line 10 still runs [\d.]+ times a minute/);
    const share = body.hits / check.hits;
    const expected = fixture.mix(world.sent()).legacy;
    assert.ok(share > expected - 0.1 && share < expected + 0.1, `legacy share ${share} vs traffic ${expected}`);
  });

  it('flags added code that reads through a field production sometimes leaves out', () => {
    const h = hunk(12);
    const customer = h.values.find((v) => v.expression === 'order.customer')!;
    assert.deepEqual(customer.assumptions.map((a) => a.expects), ['present']);
    const f = h.findings.find((x) => x.kind === 'missing-value' && x.expression === 'order.customer')!;
    assert.ok(f, JSON.stringify(h.findings));
    const expected = fixture.mix(world.sent()).noCustomer;
    assert.ok(f.share! > 0 && f.share! < expected + 0.15, `missing share ${f.share} vs traffic ${expected}`);
    // `order.customer.tier` threw exactly when the customer was missing: no second finding for the same fact
    assert.ok(!h.findings.some((x) => x.kind === 'evaluation-failed' && x.expression === 'order.customer.tier'));
  });

  it('reports an untouched cold hunk as measured with 0 hits and no finding', () => {
    const h = hunk(21);
    assert.equal(h.function, 'refund');
    assert.deepEqual(h.counters.map((c) => [c.line, c.hits, c.perMinute]), [[21, 0, 0]]);
    assert.equal(h.perMinute, 0);
    assert.deepEqual(h.findings, []);
    assert.equal(h.values[0]!.samples, 0);
  });

  it('measures how many calls through a changed function already leave it by throwing', () => {
    const coupons = hunk(6, 'src/coupons.js');
    const e = coupons.exceptions!;
    assert.ok(e, JSON.stringify(coupons));
    assert.deepEqual([e.function, e.line], ['parseCoupon', 6]);
    const expected = fixture.mix(world.sent()).badCoupon;
    assert.ok(e.calls >= 100 && e.thrown > 0, JSON.stringify(e));
    assert.ok(e.thrown / e.calls > expected / 3 && e.thrown / e.calls < expected * 3, `thrown ${e.thrown}/${e.calls} vs malformed coupons ${expected}`);
    assert.equal(coupons.findings.find((f) => f.kind === 'exceptions')?.severity, 'info', 'already true before the PR: information, not a warning');
    // priceOrder never throws; the three hunks in it share its one call timer
    for (const h of [hunk(7), hunk(9), hunk(12)]) assert.deepEqual([h.exceptions?.function, h.exceptions?.line, h.exceptions?.thrown], ['priceOrder', 7, 0]);
    assert.ok(hunk(7).exceptions!.calls > 0);
    // refund() lives in the same file as priceOrder(): timed too, and cold
    assert.deepEqual([hunk(21).exceptions?.function, hunk(21).exceptions?.calls, hunk(21).exceptions?.thrown], ['refund', 0, 0]);
  });

  it('proposed every probe as AI origin, a person approved them, and none is left in the program', async () => {
    const proposed = events.filter((e) => e.type === 'proposed');
    assert.equal(proposed.length, report.summary.probes);
    assert.ok(proposed.every((e) => e.type === 'proposed' && e.state === 'proposed'), 'nothing went live without a decision');
    assert.ok(events.filter((e) => e.type === 'decided').every((e) => e.type === 'decided' && e.state === 'live' && e.decidedBy === 'reviewer-rita'));
    const { probes } = await world.admin.request('probe.list', { service: 'pricing' });
    assert.deepEqual(probes.filter((p) => p.state === 'live' || p.state === 'proposed'), []);
    assert.ok(world.statuses.length > 100 && world.statuses.every((s) => s === 200), 'the probes never changed a response');
  });

  it('renders Markdown for the PR with every hunk and warning', () => {
    const md = renderReviewMarkdown(report);
    for (const h of report.hunks) assert.ok(md.includes(`### ${h.id} — \`${h.header}\``), `no section for ${h.id}`);
    assert.equal(report.summary.warnings, 4, 'amount as a number, the deleted branch, the missing customer, total as a number');
    assert.match(md, /\*\*4 warnings\*\*/);
    assert.match(md, /- ⚠️ \*\*src\/pricing\.js#2\*\* — The PR deletes lines 9-11/);
    assert.ok(md.includes('+  let total = amount * 1.1;'));
    assert.equal(renderReviewMarkdown(ReviewReport.parse(JSON.parse(JSON.stringify(report)))), md, 'the Markdown is a function of the report');
  });
});
