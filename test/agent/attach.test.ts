import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { attach } from '../../agent/attach';
import { SIGUSR1_HOST, SIGUSR1_PORT, waitForPortClosed } from '../../agent/inspectorPort';
import { start, type Child } from '../support/proc';
import { FakeRelay } from './helpers/fakeRelay';
import { LINES } from './helpers/fixtures';
import { logProbe } from './helpers/probes';
import { AGENT_KEY, assertTicksUnchanged, FixtureWorld, stderrLines, tell, waitForMoreTicks } from './helpers/service';

const portClosed = () => waitForPortClosed(SIGUSR1_HOST, SIGUSR1_PORT, 3000);

/** `runtruth attach` as a library: into processes started with no flags (SIGUSR1) or with --inspect. */
describe('agent attach (from outside, into a running process)', function () {
  this.timeout(60_000);
  let world: FixtureWorld;
  let relay: FakeRelay;
  const progress: string[] = [];

  before(async () => {
    assert.ok(await portClosed(), `port ${SIGUSR1_PORT} is in use by something else; these tests need it free`);
  });
  beforeEach(async () => {
    world = new FixtureWorld();
    relay = await FakeRelay.start();
    progress.length = 0;
  });
  afterEach(async () => {
    await world.dispose();
    await relay.close();
    assert.deepEqual(relay.invalid, []);
  });

  const agentOptions = () => ({ relay: relay.url, agentKey: AGENT_KEY, service: 'svc', logFile: world.agentLog });
  const started = async (label: string, args: string[] = []): Promise<Child> => {
    const app = world.startApp(label, { args });
    await app.waitForLine(/^app started/);
    return app;
  };

  it('attaches by pid to a process started with no flags, closes the port again, and the app carries on', async () => {
    const app = await started('app');
    const t0 = Date.now();
    const result = await attach({ pid: app.pid, agent: agentOptions(), log: (l) => progress.push(l) });
    console.log(`      [measured] attach --pid → agent welcomed: ${Date.now() - t0} ms`);
    assert.equal(result.pid, app.pid);
    const hello = await relay.waitForHello();
    assert.equal(hello.instance.instanceId, result.instanceId);
    assert.equal(hello.instance.mode, 'attach');
    assert.equal(hello.instance.pid, app.pid);
    assert.ok(await portClosed(), `port ${SIGUSR1_PORT} is closed again`);
    assert.match(progress.join('\n'), /sent SIGUSR1 to pid \d+; inspector open on 127\.0\.0\.1:9229/);
    assert.match(progress.join('\n'), /inspector port 127\.0\.0\.1:9229 closed again/);

    const probe = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'amount={amount} t={typeof amount}' });
    relay.add(probe);
    await relay.waitForStatus(probe.id, 'bound');
    const evidence = await relay.waitForEvidence(probe.id, 3);
    assert.ok(evidence.some((e) => e.message === 'amount=15,000 t=string'), evidence.map((e) => e.message).join('\n'));
    await waitForMoreTicks(app, 5);
    assertTicksUnchanged(app);

    // Attaching again finds the running agent instead of starting a second one.
    const again = await attach({ pid: app.pid, agent: agentOptions() });
    assert.equal(again.instanceId, result.instanceId);
    assert.ok(await portClosed());

    tell(app, 'exit');
    assert.deepEqual(await app.exited, { code: 0, signal: null });
    const stderr = stderrLines(app).join('\n');
    assert.doesNotMatch(stderr, /Waiting for the debugger/);
  });

  it('attaches through --inspect HOST:PORT and leaves that port open', async () => {
    const app = await started('app', ['--inspect=127.0.0.1:0']);
    const port = Number((await app.waitForLine(/Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//))[1]);
    const result = await attach({ inspect: { host: '127.0.0.1', port }, agent: agentOptions() });
    assert.equal(result.pid, app.pid);
    assert.equal((await relay.waitForHello()).instance.mode, 'attach');
    assert.equal(await waitForPortClosed('127.0.0.1', port, 300), false, 'an --inspect port is not ours to close');
  });

  it('says so when port 9229 belongs to another process', async () => {
    const other = await started('other', [`--inspect=${SIGUSR1_HOST}:${SIGUSR1_PORT}`]);
    await other.waitForLine(/Debugger listening on/);
    const app = await started('app');
    await assert.rejects(attach({ pid: app.pid, agent: agentOptions() }), {
      message: `the inspector on 127.0.0.1:9229 belongs to pid ${other.pid}, not ${app.pid} (port 9229 busy?)`,
    });
    assert.equal(relay.hellos.length, 0);
  });

  it('fails with one clear line for a process that does not exist', async () => {
    const gone = world.startApp('gone', { env: { ...process.env, TICKS: '1' }, ipc: false });
    await gone.exited;
    await assert.rejects(attach({ pid: gone.pid, agent: agentOptions() }), { message: `no such process: pid ${gone.pid} (ESRCH)` });
  });

  it('refuses to send SIGUSR1 to a process that is not Node (it would terminate it)', async function () {
    if (process.platform !== 'linux') this.skip();
    const sleeper = world.children.add(start('sleep', ['30'], 'sleep'));
    await assert.rejects(attach({ pid: sleeper.pid, agent: agentOptions() }), {
      message: `pid ${sleeper.pid} does not look like a Node.js process (${fs.realpathSync(execFileSync('sh', ['-c', 'command -v sleep']).toString().trim())}); not sending SIGUSR1, which would terminate it`,
    });
    assert.equal(sleeper.proc.exitCode, null, 'still running');
  });

  it('reports an unreachable relay, and still closes the port', async () => {
    const app = await started('app');
    await assert.rejects(attach({ pid: app.pid, agent: { ...agentOptions(), relay: 'ws://127.0.0.1:9' } }), /^Error: relay unreachable at ws:\/\/127\.0\.0\.1:9\/agent: .*ECONNREFUSED.*keeps retrying/);
    assert.ok(await portClosed());
    await waitForMoreTicks(app, 3);
  });

  it('rejects bad agent options before touching the process', async () => {
    const app = await started('app');
    await assert.rejects(attach({ pid: app.pid, agent: { ...agentOptions(), service: 'no spaces allowed' } }), /invalid runtruth agent options: service/);
    assert.ok(!stderrLines(app).some((l) => l.includes('Debugger listening')), 'no SIGUSR1 was sent');
  });
});
