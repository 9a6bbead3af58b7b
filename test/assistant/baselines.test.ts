import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Evidence } from '../../backend/protocol';
import { SourceFacts } from '../../extension/core/assistant/code/lineFacts';
import { BaselineBook, compareBranches, type BranchBaseline } from '../../extension/core/assistant/baselines';
import type { Deployment } from '../../extension/core/assistant/deployments';
import { addObservations, newSite } from '../../extension/core/assistant/evidence/sites';
import { RepoFiles } from '../../extension/core/assistant/git/files';
import type { RuntimePort } from '../../extension/core/assistant/runtime';
import { buildRepo } from '../../bench/assistant/repo';
import type { CommitFacts } from '../../extension/core/assistant/commitFacts';
import { DEFAULT_BUDGET, logEncoder } from '../../extension/core/assistant/evidence/encoders';
import { commitHypothesis, externalHypothesis } from '../../extension/core/assistant/hypotheses';
import { investigate, lowRiskApprover, relayRuntime } from '../../extension/core/assistant';
import { planAt } from '../../extension/core/assistant/planner';
import type { Observation } from '../../extension/core/assistant/schema';
import { scoreHypotheses, WEIGHTS } from '../../extension/core/assistant/scorer';
import { trading } from '../../bench/assistant/scenarios/trading';
import { startWorld, type World } from '../../bench/assistant/world';

const VALIDATION = new SourceFacts("function v(t) {\n  const amount = t.amount;\n  const high = amount > LIMIT;\n  return high;\n}\n");
const plan = planAt(VALIDATION, { file: 'src/validation.js', line: 3 }, 'symptom', [], 'test')!;
const EXPR = 'amount > LIMIT';
/** n observations of the comparison, `trues` of them true. */
const runs = (n: number, trues: number): Observation[] =>
  Array.from({ length: n }, (_, i) => ({ probeId: 'p', evidenceId: i + 1, at: '2030-01-01T00:00:00.000Z', instance: 'i', values: { [EXPR]: { type: 'boolean', text: String(i < trues) } } }));
const change = (after: Observation[], before: Observation[]) => compareBranches(plan, after, before, ['stored-before-deploy'])[0]!;

describe('assistant: pre-deploy baselines (branch rates before versus since the deploy)', () => {
  it('tells a branch that stopped (or started) firing at the deploy from chance, and waits for enough traffic', () => {
    const never = change(runs(40, 0), runs(60, 10));
    assert.equal(never.change, 'never-fires');
    assert.deepEqual([never.after, never.before], [{ observations: 40, trues: 0 }, { observations: 60, trues: 10 }]);
    assert.deepEqual(never.identifiers, ['LIMIT', 'amount']);
    assert.match(never.detail, /`amount > LIMIT` was true in 0 of 40 observation\(s\) since the deploy, 10 of 60 before it \(stored-before-deploy\)/);
    assert.equal(change(runs(30, 30), runs(60, 30)).change, 'always-fires');
    // 0 of 12 under a 1-in-6 rate happens by chance (11%): not yet a change; 38 in a row would not (0.1%)
    const early = change(runs(12, 0), runs(60, 10));
    assert.equal(early.change, 'inconclusive');
    assert.equal(early.needed, 38);
    assert.equal(change(runs(200, 100), runs(200, 20)).change, 'rate-changed');
    assert.equal(change(runs(60, 10), runs(60, 11)).change, 'same');
    assert.equal(change(runs(60, 0), runs(60, 0)).change, 'same', 'never fired before either');
    assert.equal(change(runs(5, 0), runs(60, 10)).change, 'inconclusive', `fewer than the minimum`);
  });

  it('scores a shift on a value a change writes for that change and against the outside cause; a symptom that behaved the same points away from the window', () => {
    const base = { sha: '', subject: 's', author: 'A', committedAt: '2030-01-01T00:00:00.000Z', files: ['src/intake.js'], codeFiles: ['src/intake.js'], codeLinesChanged: 4, executableLinesChanged: 4, surviving: [], reads: [], removedWrites: [], functions: [], addedCalls: [], removedCalls: [], terms: [], searchFiles: [], searchScore: 0, deletedLines: [], addedLiterals: [], hoursBefore: 24 };
    const culprit: CommitFacts = { ...base, sha: 'c'.repeat(40), writes: ['amount'] };
    const other: CommitFacts = { ...base, sha: 'd'.repeat(40), writes: ['side'] };
    const input = (baselines: BranchBaseline[]) => ({
      hypotheses: [externalHypothesis(), commitHypothesis('h1', culprit), commitHypothesis('h2', other)],
      commits: new Map([culprit, other].map((c) => [c.sha, c])),
      sites: [],
      minHits: 5,
      baselines,
    });
    const factor = (scores: ReturnType<typeof scoreHypotheses>, id: string) => scores.find((s) => s.hypothesisId === id)!.evidence.find((i) => i.factor.startsWith('baseline-'));

    const shifted = scoreHypotheses(input([change(runs(40, 0), runs(60, 10))]));
    assert.deepEqual([factor(shifted, 'h1')?.factor, factor(shifted, 'h1')?.points], ['baseline-shift', WEIGHTS.baselineShift]);
    assert.match(factor(shifted, 'h1')!.reason, /0 of 40 .* since the deploy, 10 of 60 before it .*src\/validation\.js:3; it reads amount/);
    assert.equal(factor(shifted, 'h2'), undefined, 'a change that writes nothing the branch reads gets no credit');
    assert.deepEqual([factor(shifted, 'h0')?.factor, factor(shifted, 'h0')?.points], ['baseline-shift', WEIGHTS.externalBaselineShift]);
    const without = scoreHypotheses(input([]));
    const logit = (s: typeof without, id: string) => s.find((x) => x.hypothesisId === id)!.logit;
    assert.equal(Math.round((logit(shifted, 'h1') - logit(without, 'h1')) * 1000) / 1000, WEIGHTS.baselineShift);

    const same = scoreHypotheses(input([change(runs(60, 10), runs(60, 11))]));
    assert.deepEqual([factor(same, 'h1')?.factor, factor(same, 'h2')?.factor, factor(same, 'h0')?.factor], ['baseline-same', 'baseline-same', 'baseline-same']);
    assert.ok(factor(same, 'h1')!.points < 0 && factor(same, 'h0')!.points > 0);
    assert.equal(factor(scoreHypotheses(input([change(runs(12, 0), runs(60, 10))])), 'h1'), undefined, 'inconclusive counts nothing');
  });
});

/**
 * A real relay holding evidence from before the deploy: while the previous commit runs, an earlier probe at the
 * high-value comparison stores its values under traffic; then the culprit is deployed and investigated.
 */
describe('assistant: a baseline from evidence stored before the deploy (live)', function () {
  this.timeout(150_000);
  let world: World;
  let storedBefore = 0;
  const source = trading.base['src/validation.js']!;
  const line = source.split('\n').findIndex((l) => l.includes('amount > HIGH_VALUE_THRESHOLD')) + 1;
  before(async () => {
    world = await startWorld(trading, {
      async duringPreviousDeploy({ admin, traffic }) {
        const symptom = planAt(new SourceFacts(source), { file: 'src/validation.js', line }, 'symptom', [], 'a standing probe')!;
        const probe = logEncoder.encode(symptom, { service: trading.service }, { ...DEFAULT_BUDGET, maxHits: 1000, maxPerSecond: 1000 });
        const view = await admin.request('probe.add', { probe });
        const deadline = Date.now() + 30_000;
        while (!(await admin.request('probe.list', { service: trading.service })).probes.some((p) => p.probe.id === view.probe.id && p.statuses.some((s) => s.state === 'bound'))) {
          if (Date.now() > deadline) throw new Error('the pre-deploy probe never bound');
          await new Promise((r) => setTimeout(r, 50));
        }
        while ((storedBefore = (await admin.request('evidence.query', { probeId: view.probe.id, limit: 1000 })).items.length) < 60) {
          if (Date.now() > deadline) throw new Error(`only ${storedBefore} pre-deploy observations`);
          await traffic(30);
        }
        await admin.request('probe.remove', { probeId: view.probe.id });
      },
    });
  });
  after(() => world?.close());

  it('measures the branch on both sides of the deploy and credits the commit whose value stopped it firing', async () => {
    const { result, report } = await investigate({ question: trading.question, repo: world.repo.dir, runtime: relayRuntime(world.ai), approver: lowRiskApprover(world.person), maxMinutes: 2 });
    assert.equal(result.culprit?.sha, world.repo.culprit, report);
    const branch = result.baselines?.find((b) => b.file === 'src/validation.js' && b.expression === 'amount > HIGH_VALUE_THRESHOLD');
    assert.ok(branch, JSON.stringify(result.baselines));
    assert.equal(branch.change, 'never-fires');
    assert.deepEqual(branch.sources, ['stored-before-deploy']);
    assert.equal(branch.after.trues, 0);
    assert.ok(branch.after.observations >= 38, `enough observations since the deploy to rule out chance (${branch.after.observations})`);
    assert.ok(branch.before.observations >= 60 && branch.before.observations <= storedBefore);
    assert.ok(branch.before.trues > 0 && branch.before.trues < branch.before.observations, 'one trade in six is high-value before the deploy');

    const top = result.scores[0]!;
    const culpritFactor = top.evidence.find((i) => i.factor === 'baseline-shift');
    assert.equal(culpritFactor?.points, WEIGHTS.baselineShift);
    assert.match(culpritFactor!.reason, /never|0 of \d+/);
    const outside = result.scores.find((s) => s.hypothesisId === 'h0')!;
    assert.equal(outside.evidence.find((i) => i.factor === 'baseline-shift')?.points, WEIGHTS.externalBaselineShift);
    assert.match(report, /### Before the deploy/);
    assert.match(report, /\| `src\/validation\.js:\d+` \| `amount > HIGH_VALUE_THRESHOLD` \| 0 of \d+ true \| \d+ of \d+ true \| never-fires \| stored-before-deploy \|/);
  });
});

/**
 * The other source: instances of the previous commit still running next to the new ones (a canary, a rollout
 * half done). Their evidence is stored like any other; the baseline reads it — only where the old code holds the
 * same statement — and the incident's own counts never include it. A real git repository, a scripted relay port.
 */
describe('assistant: a baseline from instances of the previous commit still running', () => {
  let dir: string;
  let repo: ReturnType<typeof buildRepo>;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtruth-baseline-'));
    repo = buildRepo(path.join(dir, 'repo'), trading.base, trading.commits, { baseHoursAgo: trading.baseHoursAgo });
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the old instances’ evidence, only where it measured the same statement, and keeps it out of the incident', async () => {
    // the deployed file: a later commit moved the comparison down a line
    const source = (await new RepoFiles(repo.dir, repo.deployed).read('src/validation.js'))!;
    const line = source.split('\n').findIndex((l) => l.includes('amount > HIGH_VALUE_THRESHOLD')) + 1;
    const symptom = planAt(new SourceFacts(source), { file: 'src/validation.js', line }, 'symptom', [], 'symptom')!;
    const template = (logEncoder.encode(symptom, { service: 'trading' }, DEFAULT_BUDGET) as { template: string }).template;
    const message = (amount: number | string) =>
      `amount:${typeof amount}=${amount} | HIGH_VALUE_THRESHOLD:number=50000 | amount > HIGH_VALUE_THRESHOLD:boolean=${typeof amount === 'number' && amount > 50000}`;
    assert.ok(template.startsWith('amount:{typeof (amount)}'), template);
    const at = new Date().toISOString();
    const items: Evidence[] = [];
    const add = (instance: string, amount: number | string, probeId = 'prb-1') => items.push({ kind: 'log', id: items.length + 1, probeId, at, service: 'trading', instance, message: message(amount) });
    for (let i = 0; i < 30; i++) add('old-1', i % 5 === 0 ? 180000 : 4500, 'prb-0'); // an earlier probe on the previous commit's statement: 6 of 30 high-value
    for (let i = 0; i < 25; i++) add('old-1', 180000); // this probe on the old code: its line there is another statement
    for (let i = 0; i < 40; i++) add('new-1', '180,000.00'); // the deployed commit (the incident)
    for (let i = 0; i < 20; i++) add('odd-1', 180000); // a commit this repository does not have: unverifiable
    const deployment: Deployment = {
      service: 'trading',
      deployed: repo.deployed,
      previous: repo.previous,
      deployedAt: at,
      instances: [
        { id: 'old-1', commit: repo.previous, startedAt: at, connected: true },
        { id: 'new-1', commit: repo.deployed, startedAt: at, connected: true },
        { id: 'odd-1', commit: 'abcdef1234567', startedAt: at, connected: true },
      ],
      timeline: [],
    };
    const runtime = { serviceEvidence: async (_service: string, afterId: number) => ({ items: items.filter((e) => e.id! > afterId), lastId: items.length }) } as unknown as RuntimePort;
    const book = new BaselineBook({ repo: repo.dir, deployment, deployed: repo.deployed, deployedFiles: new RepoFiles(repo.dir, repo.deployed), runtime, encoder: logEncoder });
    assert.deepEqual(['old-1', 'new-1', 'odd-1'].map((i) => book.isOtherCommit(i)), [true, false, true], 'what the session keeps out of the incident’s counts');

    const site = newSite(symptom);
    site.probeId = 'prb-1';
    site.state = 'live';
    addObservations(site, items.filter((e) => e.kind === 'log' && e.instance === 'new-1').map((e) => logEncoder.decode(symptom, e)!));
    await book.refresh([site]);
    const [branch] = book.compare([site]);
    assert.equal(branch?.expression, 'amount > HIGH_VALUE_THRESHOLD');
    assert.deepEqual(branch.before, { observations: 30, trues: 6 }, 'the old statement only: not the moved line, not the new instances, not the unverifiable commit');
    assert.deepEqual(branch.after, { observations: 40, trues: 0 });
    assert.deepEqual(branch.sources, ['other-commit-instances']);
    assert.equal(branch.change, 'never-fires');
  });
});
