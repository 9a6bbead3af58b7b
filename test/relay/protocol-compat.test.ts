import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CloseCode, Evidence, NewProbe, RelayToClient, shouldReconnect, MAX_PROBE_TTL_SECONDS } from '../../backend/protocol';
import { Harness, logProbe } from './helpers';

describe('protocol additions', () => {
  it('close codes live in the protocol and say which closes are worth a reconnect', () => {
    assert.deepEqual(
      [CloseCode.unauthorized, CloseCode.forbidden, CloseCode.unsupportedProtocol, CloseCode.replaced].map(shouldReconnect),
      [false, false, false, false],
    );
    assert.deepEqual([CloseCode.goingAway, CloseCode.tooSlow, CloseCode.internal, CloseCode.handshakeTimeout, 1006].map(shouldReconnect), [true, true, true, true, true]);
  });

  it('a new probe may ask for at most the relay maximum TTL (7 days)', () => {
    const probe = { kind: 'log', selector: { service: 's' }, file: 'a.js', line: 1, template: 'x' };
    assert.equal(MAX_PROBE_TTL_SECONDS, 7 * 24 * 3600);
    assert.ok(NewProbe.safeParse({ ...probe, ttlSeconds: MAX_PROBE_TTL_SECONDS }).success);
    assert.ok(!NewProbe.safeParse({ ...probe, ttlSeconds: MAX_PROBE_TTL_SECONDS + 1 }).success);
  });

  it('gap markers keep their store id through the schema; older messages without the new fields still parse', () => {
    const gap = { kind: 'gap', id: 7, at: new Date().toISOString(), count: 3, where: 'agent', service: 's', instance: 'i' };
    assert.equal((Evidence.parse(gap) as { id?: number }).id, 7);
    const { id: _id, ...queueGap } = gap;
    assert.ok(Evidence.safeParse(queueGap).success);
    const oldWelcome = { type: 'welcome', protocol: 1, relayVersion: '0.1.0', identity: { name: 'admin', role: 'admin' } };
    assert.ok(RelayToClient.safeParse(oldWelcome).success);
  });

  describe('with a relay', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await Harness.start();
    });
    afterEach(() => h.close());

    it('queries return agent gap markers with their id, so a client can resume after them', async () => {
      const agent = await h.agent();
      const client = await h.client();
      const { probe } = await client.call('probe.add', { probe: logProbe() });
      const sub = await client.call('evidence.subscribe', {});
      agent.peer.send({ type: 'evidence', items: [{ kind: 'log', probeId: probe.id, at: new Date().toISOString(), message: 'm' }], dropped: 2 });
      await client.next((m) => m.type === 'evidence' && m.subscription === sub.subscription);
      const { items } = await client.call('evidence.query', {});
      assert.deepEqual(items.map((i) => [i.kind, i.id]), [['gap', 1], ['log', 2]]);
    });

    it('an undecided proposal lapses after its deadline (expired, also across a restart)', async () => {
      await h.agent();
      const ai = await h.clientAs('operator', { ai: true });
      const proposal = await ai.call('probe.add', { probe: logProbe() });
      assert.ok(Date.parse(proposal.probe.expiresAt) - Date.now() > 23 * 3600_000, 'a day to decide');
      const db = new Database(path.join(h.dataDir, 'relay.db'));
      db.prepare(`UPDATE probes SET spec = json_set(spec, '$.expiresAt', ?) WHERE id = ?`).run(new Date(Date.now() - 1000).toISOString(), proposal.probe.id);
      db.close();
      await h.restart();
      const admin = await h.client();
      assert.deepEqual((await admin.call('probe.list', {})).probes, []);
      const { entries } = await admin.call('audit.query', { newest: true, limit: 20 });
      const expired = entries.find((e) => e.action === 'probe.expired' && e.target === proposal.probe.id);
      assert.deepEqual([expired?.details.was, expired?.origin], ['proposed', 'system']);
    });
  });
});
