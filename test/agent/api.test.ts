import assert from 'node:assert/strict';
import { FakeRelay } from './helpers/fakeRelay';
import { LINES } from './helpers/fixtures';
import { logProbe } from './helpers/probes';
import { AGENT_INDEX, AGENT_KEY, FixtureWorld, stderrLines } from './helpers/service';
import { waitUntil } from './helpers/wait';

/**
 * A host app using the API directly; it lives until the test sends "end" over IPC. STEPS: twice (start twice:
 * same handle?), stop (on "stop": stop, then start again), worker (start() inside a worker thread).
 */
const HOST_JS = `'use strict';
const agent = require(${JSON.stringify(AGENT_INDEX)});
const { validate } = require('./src/validate');
const options = JSON.parse(process.env.AGENT_OPTIONS);
const steps = (process.env.STEPS || '').split(',');
const say = (line) => console.log(line);
const timer = setInterval(() => validate('15,000'), 10);
const a = agent.start(options);
if (steps.includes('twice')) say('same handle: ' + (agent.start(options) === a));
a.ready.then(() => say('ready ' + a.instanceId), (e) => say('ready rejected: ' + e.message));
process.on('message', async (m) => {
  if (m === 'end') {
    clearInterval(timer);
    process.disconnect();
  }
  if (m === 'stop') {
    await a.stop();
    say('stopped');
    const b = agent.start(options);
    say('new handle: ' + (a !== b));
    b.ready.then(() => say('ready again'));
  }
});
if (steps.includes('worker')) {
  const { Worker } = require('worker_threads');
  const code = 'const a = require(' + JSON.stringify(${JSON.stringify(AGENT_INDEX)}) + '); try { a.start(' + JSON.stringify(options) + ') } catch (e) { require("worker_threads").parentPort.postMessage(e.message) }';
  new Worker(code, { eval: true }).on('message', (m) => say('worker: ' + m));
}
`;

/** Starts the agent, then after AFTER ms calls stop() and/or ends the process, racing the agent's own work. */
const RACER_JS = `'use strict';
const agent = require(${JSON.stringify(AGENT_INDEX)});
const { validate } = require('./src/validate');
const timer = setInterval(() => validate('15,000'), 1);
const a = agent.start(JSON.parse(process.env.AGENT_OPTIONS));
setTimeout(() => {
  if (process.env.MODE === 'stop') a.stop();
  if (process.env.MODE === 'exit') process.exit(0);
  clearInterval(timer);
}, Number(process.env.AFTER));
`;

describe('agent API (start/ready/stop) in a host app', function () {
  this.timeout(30_000);
  let world: FixtureWorld;
  let relay: FakeRelay | undefined;
  beforeEach(() => (world = new FixtureWorld({ 'host.js': HOST_JS, 'racer.js': RACER_JS })));
  afterEach(async () => {
    await world.dispose();
    await relay?.close();
  });

  const host = (steps: string, options: Record<string, unknown>) =>
    world.startApp('host', {
      entry: `${world.tmp.dir}/host.js`,
      env: { ...process.env, STEPS: steps, AGENT_OPTIONS: JSON.stringify({ agentKey: AGENT_KEY, service: 'svc', logFile: world.agentLog, ...options }) },
    });

  it('returns the running agent from a second start(), and resolves ready on welcome', async () => {
    relay = await FakeRelay.start();
    const app = host('twice', { relay: relay.url });
    await app.waitForLine(/^same handle: true$/);
    const hello = await relay.waitForHello();
    await app.waitForLine(new RegExp(`^ready ${hello.instance.instanceId}$`));
    assert.equal(relay.hellos.length, 1);
  });

  for (const answer of ['unauthorized', 'unsupported_protocol'] as const) {
    it(`rejects ready with a clear error when the relay answers ${answer}, and does not retry`, async () => {
      relay = await FakeRelay.start({ answer });
      const app = host('', { relay: relay.url });
      const expected = answer === 'unauthorized' ? /^ready rejected: the relay refused the agent key \(unauthorized\): unknown agent key$/ : /^ready rejected: the relay does not speak this agent's protocol 1 \(unsupported protocol\)/;
      await app.waitForLine(expected);
      await waitUntil(() => world.readAgentLog().includes('agent stopping'), 'the agent to shut itself down');
      assert.equal(relay.hellos.length, 1, 'no retry after a refusal');
      app.proc.send('end');
      assert.deepEqual(await app.exited, { code: 0, signal: null }, 'and the app ends by itself');
      assert.deepEqual(stderrLines(app), []);
    });
  }

  it('rejects ready when the relay is unreachable, and connects once it appears', async () => {
    const probeRelay = await FakeRelay.start();
    const port = probeRelay.port;
    await probeRelay.close();
    const app = host('', { relay: `ws://127.0.0.1:${port}` });
    await app.waitForLine(/^ready rejected: relay unreachable at ws:\/\/127\.0\.0\.1:\d+\/agent: ECONNREFUSED.*keeps retrying in the background\)$/);
    relay = await FakeRelay.start({ port });
    await relay.waitForHello(1, 20_000);
  });

  it('stop() takes probes out and disconnects; a later start() is a new agent', async () => {
    relay = await FakeRelay.start();
    const app = host('stop', { relay: relay.url });
    const first = await relay.waitForHello(1);
    const probe = logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'v={amount}' });
    relay.add(probe);
    await relay.waitForEvidence(probe.id, 1);
    // the probe is in the code and the Debugger domain off: stop() turns it on again to take the probe out
    await waitUntil(() => (world.readAgentLog().includes('Debugger disabled') ? true : undefined), 'the Debugger domain to go off', 10_000);
    app.proc.send('stop');
    await app.waitForLine(/^stopped$/);
    const log = world.readAgentLog();
    assert.equal(log.match(/Debugger\.enable took/g)?.length, 2, log);
    assert.doesNotMatch(log, /could not (restore|turn)/);
    await waitUntil(() => relay!.connectedAgents === 0, 'the relay connection to close');
    await app.waitForLine(/^new handle: true$/);
    const second = await relay.waitForHello(2);
    assert.notEqual(second.instance.instanceId, first.instance.instanceId);
    const rebound = (s: { probeId: string; instanceId: string; state: string }) => s.probeId === probe.id && s.instanceId === second.instance.instanceId && s.state === 'bound';
    await waitUntil(() => relay!.statuses.find(rebound), 'the new agent to bind the probe again');
    await app.waitForLine(/^ready again$/);
    app.proc.send('end');
    assert.deepEqual(await app.exited, { code: 0, signal: null });
    assert.deepEqual(stderrLines(app), []);
  });

  it('never crashes or hangs the app when it exits or stops while the agent is busy (regression: SIGABRT)', async () => {
    // Closing a worker's session while the worker is torn down aborted Node; exercise the racy moments.
    relay = await FakeRelay.start({ probes: [logProbe({ file: 'src/validate.js', line: LINES.compare, template: 'v={amount}' })] });
    const runs = ['stop', 'exit', 'natural'].flatMap((mode) => [0, 30, 80, 150, 300].map((after) => ({ mode, after })));
    const results = await Promise.all(
      runs.map(async ({ mode, after }) => {
        const env = { ...process.env, MODE: mode, AFTER: String(after), AGENT_OPTIONS: JSON.stringify({ relay: relay!.url, agentKey: AGENT_KEY, service: 'svc' }) };
        const app = world.startApp(`racer ${mode}@${after}`, { entry: `${world.tmp.dir}/racer.js`, env, ipc: false });
        const exit = await Promise.race([app.exited, new Promise((r) => setTimeout(() => r('still running after 20 s'), 20_000))]);
        return { run: `${mode}@${after}ms`, exit, stderr: stderrLines(app) };
      }),
    );
    assert.deepEqual(results.filter((r) => JSON.stringify(r.exit) !== '{"code":0,"signal":null}' || r.stderr.length), []);
  });

  it('refuses to start inside a worker thread', async () => {
    relay = await FakeRelay.start();
    const app = host('worker', { relay: relay.url });
    await app.waitForLine(/^worker: runtruth agent: start\(\) must be called on the main thread, not in a worker$/);
  });
});
