import assert from 'node:assert/strict';
import type { RelayClient } from '../../backend/client/relayClient';
import { LINES } from './helpers/fixtures';
import { RelayWorld } from './helpers/relayWorld';
import { sleep } from './helpers/wait';

/** probe.extend through a real relay: the agent keeps the probe as it is (hits, maxHits budget) and moves only its expiry. */
describe('agent: a probe extended through the relay', function () {
  this.timeout(60_000);
  let setup: RelayWorld;
  let client: RelayClient;

  beforeEach(async () => {
    setup = await RelayWorld.start('extend-test');
    ({ client } = setup);
  });
  afterEach(() => setup.dispose());

  const viewOf = async (probeId: string) => (await client.request('probe.list', {})).probes.find((p) => p.probe.id === probeId)!;
  const logsOf = async (probeId: string) => (await client.request('evidence.query', { probeId, limit: 200 })).items.filter((e) => e.kind === 'log');
  const poll = async <T>(what: string, read: () => Promise<T | undefined>): Promise<T> => {
    for (let i = 0; i < 400; i++) {
      const value = await read();
      if (value !== undefined) return value;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  it('keeps hit count and maxHits budget across an extension, and the probe outlives its first expiry', async () => {
    setup.startApp();
    await poll('the agent', async () => ((await client.request('services.list', {})).services.some((s) => s.instances.some((x) => x.connected)) ? true : undefined));
    const maxHits = 8;
    // 2 hits a second: ~4 s to use the budget, past the first expiry (3 s) only if the extension reached the agent
    const added = await client.request('probe.add', {
      probe: { kind: 'log', selector: { service: 'svc' }, file: 'src/validate.js', line: LINES.compare, template: 'amount={amount}', maxHits, maxPerSecond: 2, ttlSeconds: 3 },
    });
    const id = added.probe.id;
    const firstExpiry = Date.parse(added.probe.expiresAt);
    await poll('a few hits', async () => ((await logsOf(id)).length >= 3 ? true : undefined));
    const extended = await client.request('probe.extend', { probeId: id, ttlSeconds: 600 });
    assert.ok(Date.parse(extended.probe.expiresAt) > firstExpiry + 60_000, 'the relay moved the expiry');

    const ended = await poll('the probe to end', async () => (await viewOf(id)).statuses.find((s) => s.state === 'expired' || s.state === 'error'));
    assert.deepEqual([ended.state, ended.code, ended.reason], ['expired', 'max_hits', `max hits reached (${maxHits})`], 'it ran out of hits, not time: the agent moved its expiry');
    assert.ok(Date.now() > firstExpiry, 'it was still running after its first expiry');
    await sleep(1000); // anything the agent still sent would arrive by now
    const logs = await logsOf(id);
    assert.ok(logs.length <= maxHits, `at most ${maxHits} hits in all, got ${logs.length}: the extension did not restart the budget`);
    assert.equal(ended.hits, maxHits, 'the hit count carried over');
  });
});
