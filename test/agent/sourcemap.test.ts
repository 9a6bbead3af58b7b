import assert from 'node:assert/strict';
import path from 'node:path';
import { matchScore, pathOf } from '../../agent/sourcemap/pathMatch';
import { lastSourceMappingURL } from '../../agent/sourcemap/sourceMaps';
import { sha256 } from '../../agent/sourcemap/versionCheck';
import { agentWorldPerTest } from './helpers/agentWorld';
import type { FakeRelay } from './helpers/fakeRelay';
import { logProbe, metricProbe, snapshotProbe } from './helpers/probes';
import { FixtureWorld, REGISTER, tell, waitForMoreTicks } from './helpers/service';
import { waitUntil } from './helpers/wait';
import { buildBundle, buildTscService, CALLER_LINES, LATE_LINES, TS_LINES, UTIL_LINES, VALIDATE_TS } from './sourcemapFixtures';

describe('agent source maps: path matching', () => {
  it('matches whole path suffixes at path boundaries; an absolute path may differ in its prefix', () => {
    assert.equal(pathOf('file:///srv/app/src/a%20b/x.ts'), 'srv/app/src/a b/x.ts');
    assert.equal(pathOf('webpack://app/./src/x.ts'), 'src/x.ts');
    assert.equal(pathOf('C:\\app\\src\\x.ts'), 'app/src/x.ts');
    assert.equal(matchScore('src/validate.ts', 'file:///srv/app/src/validate.ts'), 2);
    assert.equal(matchScore('src/validate.ts', 'file:///srv/app/mysrc/validate.ts'), 0, 'not at a boundary');
    assert.equal(matchScore('validate.ts', 'file:///srv/app/mysrc/validate.ts'), 1);
    assert.equal(matchScore('lib/src/validate.ts', 'file:///srv/app/src/validate.ts'), 0, 'a relative path matches in full or not at all');
    assert.equal(matchScore('/home/me/app/src/validate.ts', 'file:///srv/app/src/validate.ts'), 3, 'an editor path from another checkout');
    assert.equal(matchScore('/home/me/app/src/validate.ts', 'file:///srv/app/src/other.ts'), 0);
  });
});

describe('agent source maps: the sourceMappingURL comment of a file on disk', () => {
  it('takes the last comment, at a line end, in either spelling; none in a string or without one', () => {
    assert.equal(lastSourceMappingURL('x();\n//# sourceMappingURL=a.js.map\n//# sourceMappingURL=b.js.map\n'), 'b.js.map');
    assert.equal(lastSourceMappingURL('x();\n//@ sourceMappingURL=data:application/json;base64,e30='), 'data:application/json;base64,e30=');
    assert.equal(lastSourceMappingURL('const s = "//# sourceMappingURL=x.map and more";\n'), undefined);
    assert.equal(lastSourceMappingURL('x();\n'), undefined);
  });
});

describe('agent source maps in running services (real tsc and esbuild output)', function () {
  this.timeout(90_000);
  let world: FixtureWorld;
  let relay: FakeRelay;

  agentWorldPerTest(() => ({}), (w, r) => ([world, relay] = [w, r]));

  const start = (entry: string, env: NodeJS.ProcessEnv = {}) => world.startApp('app', { args: ['--require', REGISTER], env: world.agentEnv(relay.url, env), entry });

  it('binds on a TypeScript line through tsc file maps, and reports stack frames in original positions', async () => {
    const app = start(buildTscService(world.tmp.dir, 'file'));
    await relay.waitForHello();
    const dir = world.tmp.dir;
    const log = logProbe({ file: 'src/validate.ts', line: TS_LINES.compare, template: 'amount={amount} limit={limit}' });
    const snap = snapshotProbe({ file: 'src/validate.ts', line: TS_LINES.compare, watches: ['amount'] });
    const generated = logProbe({ file: 'out/validate.js', line: 7, template: 'gen {amount}' });
    const pastEnd = logProbe({ file: 'src/validate.ts', line: 99, template: 'x' });
    const typeOnly = logProbe({ file: 'src/validate.ts', line: TS_LINES.typeOnly, template: 'x' });
    for (const p of [log, snap, generated, pastEnd, typeOnly]) relay.add(p);

    const bound = await relay.waitForStatus(log.id, 'bound');
    assert.equal(bound.location!.url, `file://${dir}/out/validate.js`);
    assert.equal(bound.location!.line, 7, 'the generated line (interfaces and types are gone from the output)');
    assert.deepEqual(bound.location!.original, { file: `${dir}/src/validate.ts`, line: TS_LINES.compare });
    const messages = new Set((await relay.waitForEvidence(log.id, 3)).map((e) => e.message));
    assert.deepEqual([...messages].sort(), ['amount=120 limit=10000', 'amount=15,000 limit=10000', 'amount=15000 limit=10000']);

    const [s] = await relay.waitForItems(snap.id, 'snapshot', 1);
    assert.deepEqual({ ...s!.frames[0], locals: undefined }, { function: 'validate', file: `${dir}/src/validate.ts`, line: TS_LINES.compare, column: s!.frames[0]!.column, locals: undefined });
    assert.equal(s!.frames[1]!.file, `${dir}/src/main.ts`, 'the caller, in its original file');
    assert.equal(s!.frames[1]!.line, 7);
    // an injected snapshot (the default tier) leaves out `ok`, a const declared on the probed line: still in its temporal dead zone there
    assert.equal(s!.frames[0]!.locals && (await relay.waitForStatus(snap.id, 'bound')).tier, 'inject');
    assert.deepEqual(s!.frames[0]!.locals!.map((l) => l.name).sort(), ['amount', 'limit', 'order']);
    assert.equal(s!.frames[0]!.locals!.find((l) => l.name === 'limit')!.value, 10000);

    const direct = await relay.waitForStatus(generated.id, 'bound');
    assert.equal(direct.location!.original, undefined, 'a probe on the generated file binds there, unmapped');
    const past = await relay.waitForStatus(pastEnd.id, 'error');
    assert.deepEqual([past.code, past.reason], ['line_out_of_range', `line 99 is past the end of ${dir}/src/validate.ts (${TS_LINES.total - 1} lines)`]);
    const none = await relay.waitForStatus(typeOnly.id, 'error');
    assert.equal(none.code, 'no_code');
    assert.match(none.reason!, /^line 7 of .*\/src\/validate\.ts has no code in the running script .*\/out\/validate\.js/);
    await waitForMoreTicks(app, 3);
  });

  it("binds through inline maps, and refuses a file whose deployed version differs from the editor's", async () => {
    start(buildTscService(world.tmp.dir, 'inline'), { RUNTRUTH_COMMIT: 'abcdef1234567' });
    await relay.waitForHello();
    const same = logProbe({ file: 'src/validate.ts', line: TS_LINES.limit, template: 'same {order.amount}', contentHash: sha256(VALIDATE_TS) });
    const crlf = logProbe({ file: 'src/validate.ts', line: TS_LINES.limit, template: 'crlf', contentHash: sha256(VALIDATE_TS.replace(/\n/g, '\r\n')) });
    const edited = logProbe({ file: 'src/validate.ts', line: TS_LINES.limit, template: 'x', contentHash: sha256(VALIDATE_TS.replace('10000', '20000')) });
    for (const p of [same, crlf, edited]) relay.add(p);
    const bound = await relay.waitForStatus(same.id, 'bound');
    assert.equal(bound.location!.original!.line, TS_LINES.limit);
    await relay.waitForStatus(crlf.id, 'bound');
    const mismatch = await relay.waitForStatus(edited.id, 'error');
    assert.equal(mismatch.code, 'version_mismatch');
    assert.equal(
      mismatch.reason,
      `the running ${world.tmp.dir}/src/validate.ts (from commit abcdef1234567) differs from the file in the editor, so line ${TS_LINES.limit} may be a different line there; open the deployed version (or deploy yours) and place the probe again`,
    );
    await relay.waitForEvidence(same.id, 1);
  });

  it('holds a probe on a TypeScript file that is not loaded yet, and binds it when it loads', async () => {
    const app = start(buildTscService(world.tmp.dir, 'file'));
    await relay.waitForHello();
    const late = logProbe({ file: 'src/late.ts', line: LATE_LINES.even, template: 'n={t.n} odd={t.n % 2}' });
    relay.add(late);
    const pending = await relay.waitForStatus(late.id, 'pending');
    assert.equal(pending.code, 'not_loaded');
    tell(app, 'load-late');
    const bound = await relay.waitForStatus(late.id, 'bound');
    assert.deepEqual(bound.location!.original, { file: `${world.tmp.dir}/src/late.ts`, line: LATE_LINES.even });
    assert.match(bound.location!.url, /\/out\/late\.js$/);
    const [e] = await relay.waitForEvidence(late.id, 1);
    assert.match(e!.message, /^n=\d+ odd=[01]$/);
  });

  it('maps the frames of a module loaded while the Debugger domain was off, through its map on disk', async () => {
    const app = start(buildTscService(world.tmp.dir, 'file'));
    await relay.waitForHello();
    const snap = snapshotProbe({ file: 'src/validate.ts', line: TS_LINES.compare, maxHits: 1000, maxPerSecond: 20 });
    relay.add(snap);
    assert.equal((await relay.waitForStatus(snap.id, 'bound')).tier, 'inject');
    await waitUntil(() => (/Debugger disabled: nothing needs it/.test(world.readAgentLog()) ? true : undefined), 'the domain to go off', 10_000);
    tell(app, 'load-caller'); // the session is not told of it: the domain is off
    const viaCaller = await waitUntil(() => relay.itemsOf(snap.id, 'snapshot').find((s) => s.frames.some((f) => f.function === 'viaCaller')), 'a snapshot through the late module', 15_000);
    const frame = viaCaller.frames.find((f) => f.function === 'viaCaller')!;
    assert.deepEqual([frame.file, frame.line], [`${world.tmp.dir}/src/caller.ts`, CALLER_LINES.call], 'the original file and line, not out/caller.js');
    assert.equal(viaCaller.frames[0]!.file, `${world.tmp.dir}/src/validate.ts`);
    assert.doesNotMatch(world.readAgentLog(), /Debugger\.enable took[^\n]*\n[^]*Debugger\.enable took/, 'the domain was not turned on again for it');
  });

  it('tells two files of the same name apart in a bundle, and calls a bare name ambiguous', async () => {
    const app = start(buildBundle(world.tmp.dir));
    await relay.waitForHello();
    const dir = world.tmp.dir;
    const ambiguous = logProbe({ file: 'util.ts', line: 2, template: 'x' });
    const a = logProbe({ file: 'a/util.ts', line: UTIL_LINES.aDoubled, template: 'a x={x}' });
    const b = logProbe({ file: 'src/b/util.ts', line: UTIL_LINES.bTripled, template: 'b v={box.v}' });
    const elsewhere = logProbe({ file: '/home/dev/checkout/src/b/util.ts', line: UTIL_LINES.bTripled, template: 'b2 v={box.v}' });
    const count = metricProbe({ file: 'b/util.ts', line: UTIL_LINES.bTripled, metric: 'count' });
    for (const p of [ambiguous, a, b, elsewhere, count]) relay.add(p);

    const amb = await relay.waitForStatus(ambiguous.id, 'error');
    assert.equal(amb.code, 'ambiguous');
    assert.equal(amb.reason, `"util.ts" is ambiguous: it matches 2 loaded files (${dir}/src/a/util.ts, ${dir}/src/b/util.ts); give more of the path`);
    const boundA = await relay.waitForStatus(a.id, 'bound');
    assert.deepEqual([boundA.location!.url, boundA.location!.line], [`file://${dir}/dist/bundle.js`, 3]);
    const boundB = await relay.waitForStatus(b.id, 'bound');
    assert.deepEqual([boundB.location!.line, boundB.location!.original], [9, { file: `${dir}/src/b/util.ts`, line: UTIL_LINES.bTripled }]);
    assert.deepEqual((await relay.waitForStatus(elsewhere.id, 'bound')).location!.original, { file: `${dir}/src/b/util.ts`, line: UTIL_LINES.bTripled });
    assert.match((await relay.waitForEvidence(a.id, 1))[0]!.message, /^a x=\d+$/);
    assert.match((await relay.waitForEvidence(b.id, 1))[0]!.message, /^b v=\d+$/);
    await relay.waitForStatus(count.id, 'bound');
    await waitForMoreTicks(app, 2);
    void path;
  });
});
