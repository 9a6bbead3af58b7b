import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ReviewReport } from '../../extension/core/review/schema';
import { runCli } from '../support/proc';
import { tempDir } from '../support/tmp';
import { startAgentService, startReviewWorld, untilConnected, type ReviewWorld } from './world';

/** `runtruth review` as a user runs it: a real relay, the pricing service with the agent, traffic. */
describe('review: the CLI', function () {
  this.timeout(120_000);
  const tmp = tempDir('runtruth-review-cli-');
  let world: ReviewWorld;
  let conn: string[];
  before(async () => {
    world = await startReviewWorld(tmp.dir);
    conn = ['--relay', world.relay.url, '--token', world.adminToken];
  });
  after(async () => {
    await world?.close();
    tmp.cleanup();
  });

  it('runtruth review --approve-low-risk --json prints a schema-valid report, writes the Markdown, exits 3 on warnings', async () => {
    const md = path.join(tmp.dir, 'review.md');
    const r = await runCli(['review', '--repo', world.repo.dir, '--head', world.repo.branch, '--window', '10s', '--approve-low-risk', '--json', '--report', md, ...conn], { timeoutMs: 90_000 });
    assert.equal(r.code, 3, r.stderr + r.stdout.slice(-2000));
    const report = ReviewReport.parse(JSON.parse(r.stdout));
    assert.equal(report.base, world.repo.deployed);
    assert.equal(report.headRef, 'pr/pricing');
    const kinds = report.hunks.map((h) => h.findings.filter((f) => f.severity === 'warning').map((f) => f.kind));
    assert.deepEqual(kinds, [[], ['type-contradiction'], ['deleted-code-runs'], ['missing-value', 'type-contradiction'], []]);
    const text = fs.readFileSync(md, 'utf8');
    for (const h of report.hunks) assert.ok(text.includes(`### ${h.id} — \`${h.header}\``));
    const { probes } = await world.admin.request('probe.list', { service: 'pricing' });
    assert.deepEqual(probes.filter((p) => p.state === 'live' || p.state === 'proposed'), [], 'the CLI removes its probes');
  });

  const usage = async (args: string[], message: RegExp) => {
    const r = await runCli(['review', ...args, ...conn], { timeoutMs: 30_000 });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /runtruth review \[--service NAME\]/, 'the usage follows the error');
  };

  it('says so when --repo is not a git repository', async () => {
    const plain = path.join(tmp.dir, 'plain');
    fs.mkdirSync(plain);
    await usage(['--repo', plain], /^runtruth: .*plain is not inside a git repository/);
  });

  it('says so for a ref that is not a commit', async () => {
    await usage(['--repo', world.repo.dir, '--head', 'no-such-branch'], /--head no-such-branch: 'no-such-branch' is not a commit/);
    await usage(['--repo', world.repo.dir, '--base', 'v9.9.9'], /--base v9\.9\.9: 'v9\.9\.9' is not a commit/);
  });

  it('says so when the service has no connected instance, or does not exist', async () => {
    const gone = startAgentService(world.repo.dir, world.repo.entry, world.relay.url, world.agentKey, 'pricing-gone');
    await untilConnected(world.admin, 'pricing-gone');
    await gone.kill();
    await untilConnected(world.admin, 'pricing-gone', undefined, false);
    await usage(['--repo', world.repo.dir, '--service', 'pricing-gone'], /no instance of pricing-gone is connected/);
    await usage(['--repo', world.repo.dir, '--service', 'nope'], /no service 'nope' at the relay \(known: pricing, pricing-gone\)/);
  });

  it('rejects bad options before touching anything', async () => {
    await usage(['--window', '5s'], /--window must be at least 10s/);
    await usage(['--window', 'soon'], /--window must be a duration/);
    await usage(['--json', '--markdown'], /--json and --markdown are alternatives/);
  });
});
