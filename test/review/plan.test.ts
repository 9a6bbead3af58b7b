import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Evidence } from '../../backend/protocol';
import { SourceFacts } from '../../extension/core/assistant/code/lineFacts';
import { analyzeHunks, captureKey, counterKey, exceptionsResult } from '../../extension/core/review/analyze';
import { assessReviewRisk } from '../../extension/core/review/approval';
import { readsOfAddedLines } from '../../extension/core/review/assumptions';
import type { CollectedProbe } from '../../extension/core/review/collect';
import { diffHunks } from '../../extension/core/review/hunks';
import { planReview, type HunkPlan } from '../../extension/core/review/plan';
import { tempDir } from '../support/tmp';
import { fixture } from './world';

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, HOME: dir, GIT_CONFIG_NOSYSTEM: '1' } });
const sourcesAt = (dir: string, base: string, head: string) => {
  const read = (rev: string, f: string) => {
    try {
      return new SourceFacts(git(dir, 'show', `${rev}:${f}`));
    } catch {
      return undefined;
    }
  };
  return { deployed: (f: string) => read(base, f), head: (f: string) => read(head, f) };
};

describe('review: mapping hunks onto the deployed code (no relay)', () => {
  const tmp = tempDir('runtruth-review-plan-');
  let repo: ReturnType<typeof fixture.buildReviewRepo>;
  let plans: HunkPlan[];
  before(async () => {
    repo = fixture.buildReviewRepo(path.join(tmp.dir, 'repo'));
    // the pricing.js hunks (coupons.js comes first in path order)
    plans = planReview(await diffHunks(repo.dir, repo.deployed, repo.head), sourcesAt(repo.dir, repo.deployed, repo.head), 'pricing').filter((p) => p.hunk.file === 'src/pricing.js');
  });
  after(() => tmp.cleanup());

  it('puts counters on the old side of changed and deleted lines, and on the nearest statement for additions', () => {
    assert.deepEqual(plans.map((p) => [p.hunk.header.split(' @@')[0], p.placement.mapping, p.counters.map((c) => `${c.line}:${c.role}`)]), [
      ['@@ -7,1 +7,1', 'old-side', ['7:anchor']],
      ['@@ -9,3 +8,0', 'old-side', ['9:deleted', '10:deleted-body']],
      ['@@ -12,0 +10,1', 'nearest-statement', ['13:anchor']],
      ['@@ -21,1 +19,1', 'old-side', ['21:anchor']],
    ]);
    for (const p of plans) for (const c of p.counters) assert.deepEqual([c.probe.kind, c.probe.kind === 'metric' && c.probe.metric, c.probe.file], ['metric', 'count', 'src/pricing.js']);
  });

  it('times calls from the first changed line of a function to its return, once per function', () => {
    const exits = plans[0]!.exits!;
    assert.deepEqual([exits.line, exits.function, exits.probe.kind === 'metric' && exits.probe.metric, exits.probe.line], [7, 'priceOrder', 'duration', 7]);
    assert.deepEqual(plans.slice(1, 3).map((p) => [p.exits, p.exitsOf]), [[undefined, 1], [undefined, 1]], 'hunks in priceOrder share its timer (plan 1: coupons.js comes first)');
    // a second function in the same file gets its own timer (the agent re-places timers' exits after edits)
    assert.deepEqual([plans[3]!.exits?.function, plans[3]!.exits?.line, plans[3]!.exitsOf], ['refund', 21, undefined]);
    assert.equal(assessReviewRisk(exits.probe, []).low, true, 'a call timer reads no program data');
  });

  it('captures what the added lines read, with the assumptions they make, in the logEncoder format', () => {
    assert.equal(plans[1]!.capture, undefined, 'a deletion reads nothing new');
    assert.deepEqual(plans[0]!.capture!.values, [{ expression: 'amount', assumptions: [{ expects: 'number', because: 'amount * 1.1', line: 7 }] }]);
    const p = plans[0]!.capture!.probe;
    assert.equal(p.kind === 'log' && p.template, 'amount:{typeof (amount)}={amount}');
    assert.deepEqual(plans[2]!.capture!.values.map((v) => [v.expression, v.assumptions.map((a) => a.expects)]), [
      ['total', ['number']],
      ['order.customer', ['present']],
      ['order.customer.tier', []],
    ]);
    assert.equal(plans[2]!.capture!.line, 13);
  });

  it('leaves out names the new code declares itself, guarded reads and optional chains', () => {
    const src = ['function f(order, rate) {', '  const fee = order.fee * rate;', '  if (order.shipping && order.shipping.cost > fee) return order?.meta?.x;', '  return fee;', '}'].join('\n');
    const reads = readsOfAddedLines(new SourceFacts(src), [2, 3]);
    const present = reads.filter((r) => r.assumptions.some((a) => a.expects === 'present')).map((r) => r.expression);
    assert.deepEqual(present, [], 'order.shipping is tested before it is read through; ?. needs nothing');
    assert.ok(!reads.some((r) => r.expression === 'fee'), 'fee is declared by the new code');
    assert.deepEqual(reads.find((r) => r.expression === 'order.fee')?.assumptions.map((a) => a.because), ['order.fee * rate']);
  });

  it('maps nothing for a file the branch adds, and skips files an agent cannot probe', async () => {
    git(repo.dir, 'checkout', '-q', '-b', 'extra', repo.head);
    fs.writeFileSync(path.join(repo.dir, 'src/new.js'), 'module.exports = (x) => x * 2;\n');
    fs.writeFileSync(path.join(repo.dir, 'README.md'), '# pricing\n');
    git(repo.dir, 'add', '-A');
    git(repo.dir, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'more');
    git(repo.dir, 'checkout', '-q', 'main');
    const hunks = await diffHunks(repo.dir, repo.deployed, 'extra');
    assert.deepEqual([...new Set(hunks.map((h) => h.file))], ['src/coupons.js', 'src/new.js', 'src/pricing.js']);
    const added = planReview(hunks.filter((h) => h.file === 'src/new.js'), sourcesAt(repo.dir, repo.deployed, 'extra'), 'pricing')[0]!;
    assert.deepEqual([added.placement.mapping, added.counters.length, added.capture], ['none', 0, undefined]);
  });

  it('judges counters low risk whatever their hit limit, logpoints by the investigator’s rules', () => {
    const counter = plans[0]!.counters[0]!.probe;
    assert.deepEqual(assessReviewRisk(counter, []), { low: true, concerns: [] });
    assert.equal(assessReviewRisk({ ...counter, ttlSeconds: 86_400 }, []).low, false);
    const log = plans[0]!.capture!.probe;
    assert.equal(assessReviewRisk(log, ['amount']).low, true);
    assert.equal(assessReviewRisk({ ...log, maxHits: 100_000 }, ['amount']).low, false);
    assert.equal(assessReviewRisk(log, ['user.password']).low, false);
  });

  it('gives the same hunks for the same evidence in any order, summing rates over instances', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 10, 27, 3, 0, s)).toISOString();
    const metric = (probeId: string, instance: string, id: number, from: number, count: number): Evidence => ({
      kind: 'metric', probeId, instance, id, service: 'pricing', at: at(from + 5), metric: 'count', window: { start: at(from), end: at(from + 5) }, count,
    } as Evidence);
    const log = (probeId: string, id: number, message: string): Evidence => ({ kind: 'log', probeId, instance: 'i1', id, service: 'pricing', at: at(id), message } as Evidence);
    const evidence = {
      counter: [metric('c1', 'i1', 1, 0, 10), metric('c1', 'i1', 2, 5, 20), metric('c1', 'i2', 3, 0, 5)],
      values: [log('v1', 4, 'amount:number=12'), log('v1', 5, 'amount:string=12.50'), log('v1', 6, 'amount:number=40'), log('v1', 7, 'amount:<error: x>=<error: x>')],
    };
    const collected = (order: 1 | -1) =>
      new Map<string, CollectedProbe>([
        [counterKey(0, 7), { probeId: 'c1', state: 'live', statuses: [], evidence: order === 1 ? evidence.counter : [...evidence.counter].reverse() }],
        [captureKey(0), { probeId: 'v1', state: 'live', statuses: [], evidence: order === 1 ? evidence.values : [...evidence.values].reverse() }],
      ]);
    const a = analyzeHunks(plans.slice(0, 1), collected(1));
    assert.deepEqual(analyzeHunks(plans.slice(0, 1), collected(-1)), a);
    const h = a[0]!;
    // i1: 30 hits in 10 s = 180/min; i2: 5 in 5 s = 60/min → the service runs it 240 times a minute
    assert.deepEqual([h.counters[0]!.hits, h.counters[0]!.coveredMs, h.perMinute], [35, 15_000, 240]);
    assert.deepEqual(h.values[0]!.types, { number: 2, string: 1, unavailable: 1 });
    assert.deepEqual(h.values[0]!.numeric, { min: 12, max: 40 });
    const f = h.findings.find((x) => x.kind === 'type-contradiction')!;
    assert.deepEqual([f.count, f.total, f.share], [1, 3, 1 / 3], 'samples that threw are not counted as values');
  });

  it('counts calls that never reached a return as thrown, over the flush windows both probes share', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 10, 27, 3, 0, 0, s)).toISOString();
    const w = (probeId: string, id: number, start: number, end: number, count: number): Evidence => ({
      kind: 'metric', probeId, instance: 'i1', id, service: 'pricing', at: at(end), metric: 'count', window: { start: at(start), end: at(end) }, count,
    } as Evidence);
    const counter: CollectedProbe = { state: 'live', statuses: [], evidence: [w('c', 1, 0, 5000, 40), w('c', 2, 5000, 10_000, 100), w('c', 3, 10_000, 15_000, 100)] };
    // the timer was armed later (its first window is shorter) and its windows end a millisecond apart
    const exits: CollectedProbe = { state: 'live', statuses: [], evidence: [w('d', 4, 300, 5001, 30), w('d', 5, 5001, 10_001, 90), w('d', 6, 10_001, 15_001, 95)] };
    assert.deepEqual(exceptionsResult(counter, exits, 'f', 7), { function: 'f', line: 7, calls: 200, thrown: 15, perMinute: 90 });
    assert.equal(exceptionsResult(counter, { state: 'live', statuses: [], evidence: [] }, 'f', 7), undefined, 'no timer windows: not measured');
    assert.equal(exceptionsResult(counter, { ...exits, evidence: exits.evidence.slice(0, 1) }, 'f', 7), undefined, 'a first window alone covers a different stretch');
  });

  it('says why a counter has no number when its probe was rejected or never bound', () => {
    const collected = new Map<string, CollectedProbe>([
      [counterKey(0, 7), { probeId: 'c1', state: 'rejected', problem: 'rejected by rita: not today', statuses: [], evidence: [] }],
      [captureKey(0), { state: 'not-placed', problem: 'policy_violation', statuses: [], evidence: [] }],
    ]);
    const [h] = analyzeHunks(plans.slice(0, 1), collected);
    assert.deepEqual([h!.counters[0]!.perMinute, h!.counters[0]!.problem, h!.perMinute, h!.findings], [undefined, 'rejected by rita: not today', undefined, []]);
    assert.ok(h!.notes.includes('value capture: policy_violation'));
  });
});
