import assert from 'node:assert/strict';
import { RelayClient } from '../../backend/client/relayClient';
import type { Evidence } from '../../backend/protocol';
import { FixtureWorld, REGISTER, AGENT_KEY } from '../agent/helpers/service';
import { CLI, startNode, type Child } from '../support/proc';

const ADMIN_TOKEN = 'durability-admin-token-0123456789';
const HITS = 600;

/** Calls record(n) for n = 0, 1, 2, ... every TICK_MS once told "go"; prints progress, then idles until killed. */
const COUNTER_JS = `'use strict';
function record(n) {
  return n * 2;
}
let n = 0;
const hits = Number(process.env.HITS);
process.on('message', (m) => {
  if (m !== 'go') return;
  const timer = setInterval(() => {
    record(n);
    n++;
    if (n % 50 === 0) console.log('at ' + n);
    if (n >= hits) {
      clearInterval(timer);
      console.log('done ' + n);
    }
  }, Number(process.env.TICK_MS || 10));
});
setInterval(() => undefined, 60_000);
console.log('counter ready');
`;

describe('relay durability: agent evidence across a relay crash', function () {
  this.timeout(120_000);
  let world: FixtureWorld;
  let relay: Child | undefined;
  let client: RelayClient | undefined;

  beforeEach(() => {
    world = new FixtureWorld({ 'counter.js': COUNTER_JS });
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    await relay?.kill();
    await world.dispose();
  });

  const startRelay = async (port: number): Promise<number> => {
    relay = world.children.add(
      startNode([CLI, 'relay', '--port', String(port), '--data', `${world.tmp.dir}/relay-data`], 'relay', {
        env: { ...process.env, RUNTRUTH_ADMIN_TOKEN: ADMIN_TOKEN, RUNTRUTH_AGENT_KEY: AGENT_KEY },
      }),
    );
    return Number((await relay.waitForLine(/listening on ws:\/\/127\.0\.0\.1:(\d+)/))[1]);
  };

  it('every hit the service made arrives exactly once when the relay is SIGKILLed and restarted mid-stream', async () => {
    const port = await startRelay(0);
    const url = `ws://127.0.0.1:${port}`;
    const app = world.startApp('counter', { args: ['--require', REGISTER], env: { ...world.agentEnv(url), HITS: String(HITS), TICK_MS: '10' }, entry: `${world.tmp.dir}/counter.js` });
    await app.waitForLine(/counter ready/);
    client = await RelayClient.connect({ relay: url, token: ADMIN_TOKEN });
    await waitForInstance(client);
    const { probe } = await client.request('probe.add', {
      probe: { kind: 'log', selector: { service: 'svc' }, file: 'counter.js', line: 3, template: 'n={n}', maxHits: 100_000, maxPerSecond: 10_000 },
    });
    await waitForBound(client, probe.id);
    await client.close();
    client = undefined;

    app.proc.send('go');
    await app.waitForLine(/^at 150$/, 30_000);
    // the relay hangs, then crashes: batches sent meanwhile sit unread in its socket and die with it, never acked
    relay!.proc.kill('SIGSTOP');
    await app.waitForLine(/^at 200$/, 30_000);
    relay!.proc.kill('SIGKILL');
    await relay!.exited;
    await app.waitForLine(/^at 250$/, 30_000); // the service keeps running (and hitting the probe) while the relay is down
    assert.equal(await startRelay(port), port);
    await app.waitForLine(new RegExp(`^done ${HITS}$`), 60_000);

    client = await RelayClient.connect({ relay: url, token: ADMIN_TOKEN });
    const messages = await waitForEvidence(client, probe.id, HITS);
    const seen = new Map<string, number>();
    for (const m of messages) seen.set(m, (seen.get(m) ?? 0) + 1);
    const missing = Array.from({ length: HITS }, (_, n) => `n=${n}`).filter((m) => !seen.has(m));
    const twice = [...seen].filter(([, count]) => count > 1).map(([m]) => m);
    assert.deepEqual({ missing, twice, total: messages.length }, { missing: [], twice: [], total: HITS });

    const { services } = await client.request('services.list', {});
    assert.equal(services[0]?.instances[0]?.evidenceDropped, undefined, 'nothing was dropped, so none is reported');
    assert.match(world.readAgentLog(), /relay connection lost/);
    assert.match(world.readAgentLog(), /re-sending [1-9]\d* evidence batch\(es\) the relay had not acknowledged/);
  });
});

async function waitForInstance(client: RelayClient): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const { services } = await client.request('services.list', {});
    if (services.some((s) => s.service === 'svc' && s.instances.some((x) => x.connected))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('the agent never connected');
}

async function waitForBound(client: RelayClient, probeId: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const { probes } = await client.request('probe.list', {});
    if (probes.find((p) => p.probe.id === probeId)?.statuses.some((s) => s.state === 'bound')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('the probe never bound');
}

/** Every log message stored for the probe; waits (bounded) until `count` have arrived, then once more for stragglers. */
async function waitForEvidence(client: RelayClient, probeId: string, count: number): Promise<string[]> {
  const read = async () => {
    const messages: string[] = [];
    for (let afterId = 0; ; ) {
      const page = await client.request('evidence.query', { probeId, afterId, limit: 10_000 });
      messages.push(...page.items.filter((e: Evidence) => e.kind === 'log').map((e) => (e as { message: string }).message));
      if (page.items.length === 0 || page.lastId === afterId) return messages;
      afterId = page.lastId;
    }
  };
  for (let i = 0; i < 400; i++) {
    if ((await read()).length >= count) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500)); // a duplicate would land right behind the last original
  return read();
}
