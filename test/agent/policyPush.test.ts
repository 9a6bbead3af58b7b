import assert from 'node:assert/strict';
import type { RelayClient } from '../../backend/client/relayClient';
import type { Relay } from '../../backend/relay';
import { LINES } from './helpers/fixtures';
import { RelayWorld } from './helpers/relayWorld';
import { REGISTER, stderrLines, waitForMoreTicks, type FixtureWorld } from './helpers/service';
import { waitUntil } from './helpers/wait';

/** Redaction and blocklist from the agent's env (--require mode) and pushed by a real relay's policy. */
describe('agent: redaction rules and blocklist from env and from the relay policy', function () {
  this.timeout(60_000);
  let setup: RelayWorld;
  let world: FixtureWorld;
  let relay: Relay;
  let client: RelayClient;

  beforeEach(async () => {
    setup = await RelayWorld.start('policy-test');
    ({ world, relay, client } = setup);
  });
  afterEach(() => setup.dispose());

  const startApp = (env: NodeJS.ProcessEnv) => setup.startApp(env);
  const connected = async () => {
    for (let i = 0; i < 200; i++) {
      const { services } = await client.request('services.list', {});
      if (services.some((s) => s.service === 'svc' && s.instances.some((x) => x.connected))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the agent did not connect');
  };
  const evidenceOf = async (probeId: string, count: number) => {
    for (let i = 0; i < 300; i++) {
      const { items } = await client.request('evidence.query', { probeId, limit: 50 });
      const logs = items.flatMap((e) => (e.kind === 'log' ? [e.message] : []));
      if (logs.length >= count) return logs;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no evidence for ${probeId}`);
  };
  const statusOf = async (probeId: string, state: string) => {
    for (let i = 0; i < 300; i++) {
      const view = (await client.request('probe.list', {})).probes.find((p) => p.probe.id === probeId);
      const s = view?.statuses.find((x) => x.state === state);
      if (s) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no ${state} status for ${probeId}`);
  };

  it('applies RUNTRUTH_REDACT, then the relay policy pushed on change, before values leave the process', async () => {
    startApp({ RUNTRUTH_REDACT: JSON.stringify({ names: ['^limit$'] }) });
    await connected();
    const first = await client.request('probe.add', { probe: { kind: 'log', selector: { service: 'svc' }, file: 'src/validate.js', line: LINES.compare, template: 'amount={amount} limit={limit}' } });
    const before = await evidenceOf(first.probe.id, 1);
    assert.match(before[0]!, /^amount=(15000|15,000|120) limit=\[redacted\]$/, 'the env rule withholds limit');
    await client.request('probe.remove', { probeId: first.probe.id });

    await client.request('policy.set', { policy: { redaction: ['^amount$'] } });
    const second = await client.request('probe.add', { probe: { kind: 'log', selector: { service: 'svc' }, file: 'src/validate.js', line: LINES.compare, template: 'amount={amount} limit={limit}' } });
    const after = await evidenceOf(second.probe.id, 1);
    assert.deepEqual(after[0], 'amount=[redacted] limit=[redacted]', "the relay's rule comes on top of the agent's own");
  });

  it('refuses files blocked by RUNTRUTH_BLOCKLIST, and by the relay policy on the resolved path', async () => {
    const app = startApp({ RUNTRUTH_BLOCKLIST: '**/late.js' });
    await connected();
    tell(app);
    const late = await client.request('probe.add', { probe: { kind: 'log', selector: { service: 'svc' }, file: 'late.js', line: 3, template: 'n={n}' } });
    const blocked = await statusOf(late.probe.id, 'error');
    assert.equal(blocked.code, 'blocked');

    // the relay's glob matches the script the probe resolves to, not the file name it was placed with
    await client.request('policy.set', { policy: { fileBlocklist: ['src/**'] } });
    const probe = await client.request('probe.add', { probe: { kind: 'log', selector: { service: 'svc' }, file: 'validate.js', line: LINES.compare, template: 'a={amount}' } });
    const refused = await statusOf(probe.probe.id, 'error');
    assert.equal(refused.code, 'blocked');
    assert.match(refused.reason!, /src\/\*\*/);
  });

  it('takes out probes already placed on a path a newly pushed blocklist covers, and nothing is recorded after', async () => {
    const app = startApp({});
    await connected();
    tell(app);
    const kept = await client.request('probe.add', { probe: { kind: 'log', selector: { service: 'svc' }, file: 'late.js', line: 3, template: 'n={n}' } });
    const placed = await client.request('probe.add', { probe: { kind: 'log', selector: { service: 'svc' }, file: 'validate.js', line: LINES.compare, template: 'a={amount}' } });
    await evidenceOf(placed.probe.id, 1);
    await statusOf(kept.probe.id, 'bound');

    await client.request('policy.set', { policy: { fileBlocklist: ['**/validate.js'] } });
    const blocked = await statusOf(placed.probe.id, 'error');
    assert.equal(blocked.code, 'blocked');
    assert.match(blocked.reason!, /\*\*\/validate\.js/);
    const count = async () => (await client.request('evidence.query', { probeId: placed.probe.id, limit: 1000 })).items.length;
    await waitForMoreTicks(app, 5); // hits recorded before it came out may still be on their way
    const before = await count();
    await waitForMoreTicks(app, 5);
    assert.equal(await count(), before, 'no evidence once blocked: the probe left the program');
    const other = (await client.request('probe.list', {})).probes.find((p) => p.probe.id === kept.probe.id)!;
    assert.equal(other.statuses[0]!.state, 'bound', 'a probe outside the blocked paths stays');
  });

  it('does not start on a bad RUNTRUTH_REDACT or RUNTRUTH_BLOCKLIST: one clear stderr line, and the app runs on', async () => {
    const app = startApp({ RUNTRUTH_REDACT: '{"names": ["("]}' });
    await waitForMoreTicks(app, 3);
    await waitUntil(() => stderrLines(app).length > 0, 'the stderr line');
    const lines = stderrLines(app);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^runtruth: agent not started: RUNTRUTH_REDACT: .*\(/);
    const app2 = world.startApp('app2', { args: ['--require', REGISTER], env: { ...world.agentEnv(relay.url), RUNTRUTH_BLOCKLIST: '[1,2]' } });
    await waitForMoreTicks(app2, 3);
    await waitUntil(() => stderrLines(app2).length > 0, 'the stderr line');
    assert.equal(stderrLines(app2).length, 1);
    assert.match(stderrLines(app2)[0]!, /^runtruth: agent not started: RUNTRUTH_BLOCKLIST: /);
  });
});

function tell(app: ReturnType<FixtureWorld['startApp']>): void {
  app.proc.send('load-late');
}
