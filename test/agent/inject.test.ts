import assert from 'node:assert/strict';
import type { Child } from '../support/proc';
import { agentWorldPerTest } from './helpers/agentWorld';
import type { FakeRelay } from './helpers/fakeRelay';
import { CALC_JS, CALC_LINES, expectedInjectTick, INJECT_APP_JS } from './helpers/injectFixture';
import { logProbe } from './helpers/probes';
import { FixtureWorld, REGISTER, stderrLines } from './helpers/service';
import { sleep, waitUntil } from './helpers/wait';

/** The app's tick lines so far match what it prints without any agent. */
function assertTicksUnchanged(app: Child): number {
  const ticks = app.stdoutLines.filter((l) => l.startsWith('tick '));
  ticks.forEach((line, n) => assert.equal(line, expectedInjectTick(n), `tick line ${n}`));
  return ticks.length;
}

/**
 * Waits until the app's functions show their original source again (the restoring edit follows the status). On a hot
 * loop V8 refuses the edit while the function runs and the engine retries with backoff (1 s, 2 s, 4 s, … after its
 * quick retries, ~1.6 s, then 1, 2, 4, 8, 16 s): attempts near 17 s and 33 s, so those tests allow 50 s (30 s failed
 * once in a CI run, the 17 s attempt refused).
 */
async function waitForOriginal(app: Child, original: { price: string; handle: string }, seconds = 10): Promise<void> {
  for (let i = 0; i < seconds * 20; i++) {
    if (JSON.stringify(await sourceOf(app)) === JSON.stringify(original)) return;
    await sleep(50);
  }
  assert.fail('the original source did not come back');
}

/** Asks the app for its functions' source text (what Function.prototype.toString shows now). */
async function sourceOf(app: Child): Promise<{ price: string; handle: string }> {
  const before = app.lines.length;
  app.proc.send('src');
  const line = await waitUntil(() => app.lines.slice(before).find((l) => l.startsWith('SRC ')), 'the app to print its source');
  return JSON.parse(line.slice(4)) as { price: string; handle: string };
}

describe('agent: injected probes (code injection tier)', function () {
  this.timeout(60_000);
  let world: FixtureWorld;
  let relay: FakeRelay;
  let original: { price: string; handle: string };

  agentWorldPerTest(() => ({ 'inject-app.js': INJECT_APP_JS, 'src/calc.js': CALC_JS, 'freeze-bigint.js': 'Object.freeze(BigInt.prototype);\n' }), (w, r) => ([world, relay] = [w, r]));

  const startApp = async (env: NodeJS.ProcessEnv = {}) => {
    const app = world.startApp('app', { args: ['--require', REGISTER], env: world.agentEnv(relay.url, env), entry: `${world.tmp.dir}/inject-app.js` });
    await relay.waitForHello();
    await app.waitForLine(/^tick 0 /);
    original = await sourceOf(app);
    return app;
  };

  it('injects a logpoint on its line, reports tier inject, and restores the exact original when removed', async () => {
    const app = await startApp();
    const probe = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'amount={amount} twice={amount * 2} s={String(amount).padStart(6, "0")}' });
    relay.add(probe);
    const bound = await relay.waitForStatus(probe.id, 'bound');
    assert.equal(bound.tier, 'inject');
    assert.match(bound.location!.url, /\/src\/calc\.js$/);
    assert.deepEqual([bound.location!.line, bound.location!.column], [CALC_LINES.total, 3]);
    assert.equal(bound.reason, undefined);

    const evidence = await relay.waitForEvidence(probe.id, 6);
    assert.deepEqual([...new Set(evidence.map((e) => e.message))].sort(), ['amount=120 twice=240 s=000120', 'amount=15000 twice=30000 s=015000', 'amount=7 twice=14 s=000007']);

    const patched = await sourceOf(app);
    assert.ok(patched.price.includes('__runtruth$rt.admit('), 'while active, toString() shows the probe (documented)');
    assert.equal(patched.price.split('\n').length, original.price.split('\n').length, 'line count unchanged');
    assert.equal(patched.handle, original.handle, 'other functions untouched');

    relay.remove(probe.id);
    await relay.waitForStatus(probe.id, 'removed');
    assert.deepEqual(await sourceOf(app), original, 'the original source is back, exactly');
    assertTicksUnchanged(app);
    assert.deepEqual(stderrLines(app), []);
  });

  it('restores the original when a probe expires or reaches maxHits', async () => {
    const app = await startApp();
    const limited = logProbe({ file: 'src/calc.js', line: CALC_LINES.amount, template: 'first {order.amount}', maxHits: 3 });
    const shortLived = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'short {amount}', expiresAt: new Date(Date.now() + 1500).toISOString() });
    relay.add(limited);
    relay.add(shortLived);
    assert.equal((await relay.waitForStatus(limited.id, 'expired')).reason, 'max hits reached (3)');
    await relay.waitForStatus(shortLived.id, 'expired');
    assert.equal(relay.evidenceOf(limited.id).length, 3);
    await waitForOriginal(app, original);
    assertTicksUnchanged(app);
  });

  it('runs a probe as a breakpoint, saying why, where no statement starts on the line; both tiers share a script', async () => {
    const app = await startApp();
    const inLiteral = logProbe({ file: 'src/calc.js', line: CALC_LINES.insideLiteral, template: 'lit total={total}' });
    relay.add(inLiteral);
    const fallback = await relay.waitForStatus(inLiteral.id, 'bound');
    assert.equal(fallback.tier, 'breakpoint');
    assert.match(fallback.reason!, /^runs as a breakpoint \(~50 µs per hit\): no statement starts on line 7/);
    await relay.waitForEvidence(inLiteral.id, 2);

    // an injection into the same script drops V8's breakpoints there: the agent places them again
    const injected = logProbe({ file: 'src/calc.js', line: CALC_LINES.amount, template: 'inj {order.amount}' });
    relay.add(injected);
    assert.equal((await relay.waitForStatus(injected.id, 'bound')).tier, 'inject');
    await relay.waitForEvidence(injected.id, 3);
    const seen = relay.evidenceOf(inLiteral.id).length;
    await relay.waitForEvidence(inLiteral.id, seen + 3);
    assertTicksUnchanged(app);
  });

  it('runs breakpoint-tier probes for a program that froze BigInt.prototype before the agent loaded (the global serves)', async () => {
    // breakpoint conditions read the runtime as `0n.__runtruth$rt` (no global name lookup); frozen, the prototype cannot take it
    const app = world.startApp('app', { args: ['--require', `${world.tmp.dir}/freeze-bigint.js`, '--require', REGISTER], env: world.agentEnv(relay.url), entry: `${world.tmp.dir}/inject-app.js` });
    await relay.waitForHello();
    await app.waitForLine(/^tick 0 /);
    const inLiteral = logProbe({ file: 'src/calc.js', line: CALC_LINES.insideLiteral, template: 'lit total={total}' });
    relay.add(inLiteral);
    assert.equal((await relay.waitForStatus(inLiteral.id, 'bound')).tier, 'breakpoint');
    const evidence = await relay.waitForEvidence(inLiteral.id, 2);
    assert.match(evidence[0]!.message, /^lit total=\d+$/);
    assertTicksUnchanged(app);
    assert.deepEqual(stderrLines(app), []);
  });

  it('puts a probe on a function declaration line at the function entry, and one on a directive on the breakpoint tier', async () => {
    const app = await startApp();
    const entry = logProbe({ file: 'src/calc.js', line: CALC_LINES.declaration, template: 'entry {order.amount}' });
    relay.add(entry);
    const bound = await relay.waitForStatus(entry.id, 'bound');
    assert.deepEqual([bound.tier, bound.location!.line], ['inject', CALC_LINES.declaration]);
    assert.match((await sourceOf(app)).price, /^function price\(order\) \{ try\{if\(__runtruth\$rt\.admit\(/);
    await relay.waitForEvidence(entry.id, 2);
    const directive = logProbe({ file: 'src/calc.js', line: CALC_LINES.directive, template: 'never' });
    relay.add(directive);
    const fallback = await relay.waitForStatus(directive.id, 'bound');
    assert.equal(fallback.tier, 'breakpoint');
    assert.match(fallback.reason!, /line 1 is a directive \(like 'use strict'\)/);
  });

  it('takes a probe on a hot-loop line out of the program within the budget window: its source restored, its evidence stopped', async function () {
    this.timeout(90_000);
    const app = await startApp({ HOT: '1' });
    const probe = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'hot {amount} {order}', maxPerSecond: 1_000_000 });
    relay.add(probe);
    const bound = await relay.waitForStatus(probe.id, 'bound');
    assert.equal(bound.tier, 'inject');
    const budget = await waitUntil(() => relay.statusesOf(probe.id).find((s) => s.code === 'budget'), 'the CPU budget to act on the probe');
    // its hits (rendering) or its executions alone: whichever passes the budget first on this machine
    assert.match(budget.reason!, /^(throttled by the CPU budget: probes used over 1\.0% of a core \(this one [\d.]+ ms in 2\.0 s\); paused for 4\.0 s|disabled by the CPU budget: this line runs ~[\d.]+ [Mk] times\/s: even an idle probe there costs ~[\d.]+% of a core; budget 1\.0%)$/);
    await waitForOriginal(app, original, 50); // fn.toString() shows no probe statement: the gate no longer runs at all
    await sleep(300); // evidence already on its way arrives
    const count = relay.evidenceOf(probe.id).length;
    await sleep(1000);
    assert.equal(relay.evidenceOf(probe.id).length, count, 'no evidence while it is out of the program');
    assertTicksUnchanged(app);
  });

  it('disables an idle probe on a hot-loop line at once (no LiveEdit cycling), saying how hot the line is', async function () {
    this.timeout(90_000);
    const app = await startApp({ HOT: '1' });
    // admits nothing: the only cost is its gate, run on every one of millions of calls a second
    const probe = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'never {amount}', condition: 'amount === -1' });
    relay.add(probe);
    assert.equal((await relay.waitForStatus(probe.id, 'bound')).tier, 'inject');
    const disabled = await relay.waitForStatus(probe.id, 'error');
    assert.equal(disabled.code, 'budget');
    assert.match(disabled.reason!, /^disabled by the CPU budget: this line runs ~[\d.]+ [Mk] times\/s: even an idle probe there costs ~[\d.]+% of a core; budget 1\.0%$/);
    assert.deepEqual(relay.statusesOf(probe.id).filter((s) => s.reason?.startsWith('throttled')), [], 'disabled at once, not cycled');
    await waitForOriginal(app, original, 50);
    assert.deepEqual(relay.evidenceOf(probe.id), []);
    assertTicksUnchanged(app);
  });

  it('duty cycles a breakpoint-tier probe on a hot line: out of the program for its pause, back when it resumes', async () => {
    const app = await startApp({ HOT: '1' });
    const probe = logProbe({ file: 'src/calc.js', line: CALC_LINES.insideLiteral, template: 'lit {total}', maxPerSecond: 1_000_000 });
    relay.add(probe);
    assert.equal((await relay.waitForStatus(probe.id, 'bound')).tier, 'breakpoint');
    const throttled = await waitUntil(() => relay.statusesOf(probe.id).find((s) => s.code === 'budget'), 'the CPU budget to throttle the probe');
    assert.equal(throttled.state, 'bound');
    assert.match(throttled.reason!, /^throttled by the CPU budget: probes used over 1\.0% of a core \(this one [\d.]+ ms in 2\.0 s\); paused for 4\.0 s$/);
    await sleep(500); // evidence already on its way arrives
    const count = relay.evidenceOf(probe.id).length;
    await sleep(1500);
    assert.equal(relay.evidenceOf(probe.id).length, count, 'no evidence during the pause');
    const resumed = await waitUntil(() => relay.statusesOf(probe.id).find((s) => s.state === 'bound' && s.code === undefined && Date.parse(s.at) > Date.parse(throttled.at)), 'the probe to resume', 15_000);
    assert.equal(resumed.tier, 'breakpoint');
    await relay.waitForEvidence(probe.id, count + 1, 15_000); // placed again: it reports again
    const again = await waitUntil(() => relay.statusesOf(probe.id).find((s) => s.code === 'budget' && s.reason?.endsWith('paused for 8.0 s')), 'the second, longer pause', 15_000);
    assert.equal(again.state, 'bound');
    assertTicksUnchanged(app);
  });

  it('never throttles a probe on a line at request rate', async () => {
    const app = await startApp(); // price() runs once per 10 ms tick
    const probe = logProbe({ file: 'src/calc.js', line: CALC_LINES.total, template: 'amount={amount}', maxPerSecond: 1000 });
    relay.add(probe);
    await relay.waitForStatus(probe.id, 'bound');
    const first = relay.evidenceOf(probe.id).length;
    await relay.waitForEvidence(probe.id, first + 300, 30_000); // ~3 s: longer than the budget's 2 s window
    assert.deepEqual(relay.statusesOf(probe.id).filter((s) => s.code === 'budget'), []);
    assert.match((await sourceOf(app)).price, /__runtruth\$rt\.admit\(/, 'still in the program');
    assertTicksUnchanged(app);
  });

  it('falls back to a breakpoint while an async function has calls suspended in it, still reports, and moves over once they end', async () => {
    const app = await startApp({ HANDLE_MS: '150' });
    app.proc.send('busy');
    await app.waitForLine(/^handled /);
    const probe = logProbe({ file: 'src/calc.js', line: CALC_LINES.handleBefore, template: 'handle amount={order.amount}' });
    relay.add(probe);
    const fallback = await relay.waitForStatus(probe.id, 'bound');
    assert.equal(fallback.tier, 'breakpoint');
    assert.match(fallback.reason!, /calls suspended in it .*; injection is retried$/);
    const evidence = await relay.waitForEvidence(probe.id, 3);
    assert.ok(evidence.every((e) => /^handle amount=(15000|120|7)$/.test(e.message)));

    app.proc.send('quiet');
    await app.waitForLine(/^quiet$/);
    const upgraded = await waitUntil(() => relay.statusesOf(probe.id).find((s) => s.state === 'bound' && s.tier === 'inject'), 'the probe to move to the inject tier', 40_000);
    assert.equal(upgraded.reason, undefined);
    app.proc.send('busy');
    const count = relay.evidenceOf(probe.id).length;
    await relay.waitForEvidence(probe.id, count + 2);
    assertTicksUnchanged(app);
    assert.ok(!app.lines.some((l) => /Error|error/.test(l)), 'no errors in the app');
  });
});
