import assert from 'node:assert/strict';
import { FakeRelay } from './helpers/fakeRelay';
import { LINES } from './helpers/fixtures';
import { logProbe } from './helpers/probes';
import { assertTicksUnchanged, FixtureWorld, REGISTER, stderrLines, tell, waitForMoreTicks } from './helpers/service';
import { waitUntil } from './helpers/wait';

/** Prints a measured figure into the test output (never asserted: timings vary by machine). */
const report = (what: string) => console.log(`      [measured] ${what}`);

describe('agent in-process (node --require register)', function () {
  this.timeout(60_000);
  let world: FixtureWorld;
  let relay: FakeRelay;

  beforeEach(async () => {
    world = new FixtureWorld({
      'many.js': "require('./mysrc/validate'); require('./a/util'); require('./b/util'); require('./app'); import('./esm/mod.mjs');\n",
      'esm/mod.mjs': "export function twice(x) {\n  return x * 2;\n}\n",
      'mysrc/validate.js': "module.exports = function other(amount) {\n  return amount;\n};\n",
      'a/util.js': "module.exports = function a(x) {\n  return x;\n};\n",
      'b/util.js': "module.exports = function b(x) {\n  return x;\n};\n",
    });
    relay = await FakeRelay.start();
  });
  afterEach(async () => {
    await world.dispose();
    await relay.close();
    assert.deepEqual(relay.invalid, [], 'every frame the agent sent matched the protocol');
  });

  const startAgentApp = (label: string, env: NodeJS.ProcessEnv = {}, entry?: string) =>
    world.startApp(label, { args: ['--require', REGISTER], env: world.agentEnv(relay.url, env), ...(entry ? { entry } : {}) });

  it('says hello with who it is, and a logpoint streams values without changing what the app does', async () => {
    const app = startAgentApp('app', { RUNTRUTH_LABELS: 'team=pay,region=eu', RUNTRUTH_COMMIT: 'abcdef1234567' });
    const hello = await relay.waitForHello();
    assert.equal(hello.protocol, 1);
    assert.equal(hello.agentKey, 'test-agent-key-0123456789');
    const { instance } = hello;
    assert.deepEqual(
      { service: instance.service, labels: instance.labels, pid: instance.pid, mode: instance.mode, commit: instance.commit, runtime: instance.runtime.version, agentVersion: instance.agentVersion },
      { service: 'svc', labels: { team: 'pay', region: 'eu' }, pid: app.pid, mode: 'in-process', commit: 'abcdef1234567', runtime: process.version, agentVersion: '0.1.0' },
    );
    assert.match(instance.instanceId, new RegExp(`-${app.pid}-[0-9a-f]{4}$`));
    assert.ok(Date.parse(instance.startedAt) <= Date.now());

    const probe = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'amount={amount} t={typeof amount} limit={limit}' });
    const added = Date.now();
    relay.add(probe);
    const bound = await relay.waitForStatus(probe.id, 'bound');
    assert.equal(bound.instanceId, instance.instanceId);
    assert.equal(bound.tier, 'inject', 'logpoints are injected by default');
    assert.match(bound.location!.url, /^file:\/\/.*\/src\/validate\.js$/);
    assert.equal(bound.location!.line, LINES.compare);
    const first = await relay.waitForEvidence(probe.id, 1);
    report(`probe.add → first evidence at the relay: ${Date.now() - added} ms`);
    report(world.readAgentLog().match(/Debugger\.enable took [\d.]+ ms/)?.[0] ?? 'Debugger.enable time not logged');
    const evidence = await relay.waitForEvidence(probe.id, 6);
    const messages = new Set(evidence.map((e) => e.message));
    assert.deepEqual([...messages].sort(), ['amount=120 t=number limit=10000', 'amount=15,000 t=string limit=10000', 'amount=15000 t=number limit=10000']);
    assert.ok(first.every((e) => !Number.isNaN(Date.parse(e.at))));

    await waitForMoreTicks(app, 5);
    assertTicksUnchanged(app);
    assert.deepEqual(stderrLines(app), [], 'the agent wrote nothing to the app stderr');
    assert.ok(!app.stdoutLines.some((l) => l.includes('runtruth')), 'nor to its stdout');
  });

  it('binds a probe when its file loads later, and catches a line past the end then too', async () => {
    const app = startAgentApp('app');
    await relay.waitForHello();
    const late = logProbe({ file: 'src/late.js', line: 3, template: 'n={n} even={n % 2 === 0}' });
    const pastEnd = logProbe({ file: 'src/late.js', line: 50, template: 'x' });
    relay.add(late);
    relay.add(pastEnd);
    const pending = await relay.waitForStatus(late.id, 'pending');
    assert.equal(pending.reason, 'no loaded script matches "src/late.js" yet; the probe binds when it loads');
    await relay.waitForStatus(pastEnd.id, 'pending');

    tell(app, 'load-late');
    const bound = await relay.waitForStatus(late.id, 'bound');
    assert.match(bound.location!.url, /\/src\/late\.js$/);
    const [e] = await relay.waitForEvidence(late.id, 1);
    assert.match(e!.message, /^n=\d+ even=(true|false)$/);
    const error = await relay.waitForStatus(pastEnd.id, 'error');
    assert.match(error.reason!, /^line 50 is past the end of \/.*\/src\/late\.js \(6 lines\)$/);
  });

  it('matches files by path suffix, and refuses ambiguous and out-of-range places', async () => {
    startAgentApp('app', {}, world.tmp.dir + '/many.js');
    await relay.waitForHello();
    const bySuffix = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'a' });
    const byAbsolute = logProbe({ file: `${world.tmp.dir}/src/validate.js`, line: LINES.compare, template: 'b' });
    const narrowed = logProbe({ file: 'a/util.js', line: 2, template: 'c' });
    const ambiguous = logProbe({ file: 'util.js', line: 2, template: 'd' });
    const pastEnd = logProbe({ file: 'src/validate.js', line: 99, template: 'e' });
    const esm = logProbe({ file: 'esm/mod.mjs', line: 2, template: 'f' });
    for (const p of [bySuffix, byAbsolute, narrowed, ambiguous, pastEnd, esm]) relay.add(p);

    for (const p of [bySuffix, byAbsolute]) {
      const s = await relay.waitForStatus(p.id, 'bound');
      assert.equal(s.location!.url, `file://${world.tmp.dir}/src/validate.js`, 'not mysrc/validate.js');
    }
    assert.match((await relay.waitForStatus(narrowed.id, 'bound')).location!.url, /\/a\/util\.js$/);
    assert.equal((await relay.waitForStatus(esm.id, 'bound')).location!.url, `file://${world.tmp.dir}/esm/mod.mjs`);
    const amb = await relay.waitForStatus(ambiguous.id, 'error');
    assert.match(amb.reason!, /^"util\.js" is ambiguous: it matches 2 loaded files \(.*\/[ab]\/util\.js, .*\/[ab]\/util\.js\); give more of the path$/);
    const past = await relay.waitForStatus(pastEnd.id, 'error');
    assert.equal(past.reason, `line 99 is past the end of ${world.tmp.dir}/src/validate.js (8 lines)`);
    // two probes on one line both report
    await relay.waitForEvidence(bySuffix.id, 1);
    await relay.waitForEvidence(byAbsolute.id, 1);
  });

  it('rejects expressions that are not reads, and survives ones that throw', async () => {
    const app = startAgentApp('app');
    await relay.waitForHello();
    const call = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'x={amount.push(1)}' });
    const assign = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'x', condition: 'amount = 5' });
    const unbalanced = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'x={amount' });
    const throwing = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'deep={amount.no.such} missing={nope} a={amount}' });
    for (const p of [call, assign, unbalanced, throwing]) relay.add(p);

    assert.match((await relay.waitForStatus(call.id, 'error')).reason!, /^expression "amount\.push\(1\)" is not read-only: calls are not allowed except to pure built-ins \(.*\); \.push\(\) is not one of them$/);
    assert.equal((await relay.waitForStatus(assign.id, 'error')).reason, 'expression "amount = 5" is not read-only: assignments are not allowed');
    assert.match((await relay.waitForStatus(unbalanced.id, 'error')).reason!, /unbalanced "\{" at position 3/);
    const evidence = await relay.waitForEvidence(throwing.id, 3);
    for (const e of evidence) {
      assert.match(e.message, /^deep=<error: TypeError: Cannot read properties of undefined \(reading 'such'\)> missing=<error: ReferenceError: nope is not defined> a=(15000|15,000|120)$/);
    }
    await waitForMoreTicks(app, 5);
    assertTicksUnchanged(app);
  });

  it('fires only when the condition holds, stops after maxHits, and can echo to stdout', async () => {
    const app = startAgentApp('app');
    await relay.waitForHello();
    const conditional = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'amount={amount}', condition: "typeof amount === 'string'" });
    const limited = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'hit {amount}', maxHits: 2, stdout: true });
    relay.add(conditional);
    relay.add(limited);
    const expired = await relay.waitForStatus(limited.id, 'expired');
    assert.equal(expired.reason, 'max hits reached (2)');
    const conditionalHits = await relay.waitForEvidence(conditional.id, 3);
    assert.deepEqual(new Set(conditionalHits.map((e) => e.message)), new Set(['amount=15,000']));
    await waitForMoreTicks(app, 6);
    assert.equal(relay.evidenceOf(limited.id).length, 2);
    const echoed = app.stdoutLines.filter((l) => l.startsWith(`[runtruth ${limited.id}] `));
    assert.deepEqual(echoed, relay.evidenceOf(limited.id).map((e) => `[runtruth ${limited.id}] ${e.message}`));
  });

  it('removing a probe stops its evidence', async () => {
    const app = startAgentApp('app');
    await relay.waitForHello();
    const probe = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'v={amount}' });
    relay.add(probe);
    await relay.waitForEvidence(probe.id, 2);
    relay.remove(probe.id);
    const removed = await relay.waitForStatus(probe.id, 'removed');

    // A marker probe's evidence proves the pipeline moved on after the removal.
    const marker = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'marker' });
    relay.add(marker);
    await relay.waitForEvidence(marker.id, 1);
    const count = relay.evidenceOf(probe.id).length;
    await relay.waitForEvidence(marker.id, 4);
    await waitForMoreTicks(app, 3);
    assert.equal(relay.evidenceOf(probe.id).length, count, 'no evidence after removal');
    assert.ok(relay.evidenceOf(probe.id).every((e) => Date.parse(e.at) <= Date.parse(removed.at)), 'every hit happened before the removal');
  });

  it('keeps working through a relay restart: reconnects, and reconciles with the new probe set', async () => {
    const kept = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'kept {amount}' });
    const dropped = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'dropped {amount}' });
    relay.desired.set(kept.id, kept).set(dropped.id, dropped);
    const app = startAgentApp('app');
    await relay.waitForStatus(kept.id, 'bound');
    await relay.waitForEvidence(dropped.id, 1);

    const port = relay.port;
    await relay.close();
    const added = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'added {amount}' });
    relay = await FakeRelay.start({ port, probes: [kept, added] });
    const hello = await relay.waitForHello(1, 20_000);
    assert.equal(hello.instance.pid, app.pid);
    assert.equal((await relay.waitForStatus(kept.id, 'bound')).location?.line, LINES.compare, 'the kept probe is reported again');
    await relay.waitForStatus(dropped.id, 'removed');
    await relay.waitForStatus(added.id, 'bound');
    await relay.waitForEvidence(added.id, 1);
    await relay.waitForEvidence(kept.id, 1);
    const droppedCount = relay.evidenceOf(dropped.id).length;
    await relay.waitForEvidence(added.id, 4);
    assert.equal(relay.evidenceOf(dropped.id).length, droppedCount);
    assertTicksUnchanged(app);
  });

  it('logs and ignores bad frames from the relay', async () => {
    startAgentApp('app');
    await relay.waitForHello();
    await waitUntil(() => relay.connectedAgents === 1, 'the agent connection');
    relay.sendRaw('not json');
    relay.sendRaw(JSON.stringify({ type: 'probe.add', probe: { id: 'p-x' } }));
    relay.sendRaw(JSON.stringify({ type: 'no.such.message' }));
    const probe = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'after {amount}' });
    relay.add(probe);
    await relay.waitForEvidence(probe.id, 1);
    const log = world.readAgentLog();
    assert.match(log, /ignored a bad frame from the relay: frame is not valid JSON/);
    assert.match(log, /ignored a bad frame from the relay: invalid 'probe.add' message/);
    assert.equal(relay.hellos.length, 1, 'the connection survived');
  });

  for (const how of ['naturally', 'with process.exit()'] as const) {
    it(`lets the app exit ${how} with probes bound (no hang, no "Waiting for the debugger")`, async () => {
      const app = startAgentApp('app');
      await relay.waitForHello();
      const probe = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'v={amount}' });
      relay.add(probe);
      await relay.waitForEvidence(probe.id, 1);
      tell(app, how === 'naturally' ? 'stop' : 'exit');
      const exit = await Promise.race([app.exited, new Promise((r) => setTimeout(() => r('still running after 10 s'), 10_000))]);
      assert.deepEqual(exit, { code: 0, signal: null });
      assert.deepEqual(stderrLines(app), []);
    });
  }
});

describe('agent register: configuration problems', function () {
  this.timeout(30_000);
  let world: FixtureWorld;
  beforeEach(() => (world = new FixtureWorld()));
  afterEach(() => world.dispose());

  const runToEnd = async (env: NodeJS.ProcessEnv) => {
    const app = world.startApp('app', { args: ['--require', REGISTER], env: { ...process.env, TICKS: '5', ...env }, ipc: false });
    const exit = await Promise.race([app.exited, new Promise((r) => setTimeout(() => r('still running after 10 s'), 10_000))]);
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.equal(assertTicksUnchanged(app), 5);
    return stderrLines(app);
  };

  it('prints one line for an invalid configuration, and the app runs normally', async () => {
    const lines = await runToEnd({ RUNTRUTH_RELAY: 'http://127.0.0.1:1', RUNTRUTH_AGENT_KEY: 'test-agent-key-0123456789', RUNTRUTH_SERVICE: 'svc' });
    assert.deepEqual(lines, ['runtruth: agent not started: invalid agent configuration: RUNTRUTH_RELAY: must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:7070']);
  });

  it('prints one line for a missing configuration, and the app runs normally', async () => {
    const lines = await runToEnd({ RUNTRUTH_SERVICE: 'svc' });
    assert.deepEqual(lines, ['runtruth: agent not started: set RUNTRUTH_RELAY, RUNTRUTH_AGENT_KEY to start the agent']);
  });

  it('never keeps the app alive, even with the relay unreachable', async () => {
    const lines = await runToEnd({ RUNTRUTH_RELAY: 'ws://127.0.0.1:9', RUNTRUTH_AGENT_KEY: 'test-agent-key-0123456789', RUNTRUTH_SERVICE: 'svc' });
    assert.ok(lines.length <= 1 && lines.every((l) => /^runtruth: relay unreachable at ws:\/\/127\.0\.0\.1:9\/agent/.test(l)), lines.join('\n'));
  });
});
