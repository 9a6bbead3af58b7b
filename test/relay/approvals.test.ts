import assert from 'node:assert/strict';
import { Harness, logItem, logProbe } from './helpers';

describe('relay AI proposals', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(() => h.close());

  it("holds an AI token's probe as a proposal: listed, announced to clients, never sent to agents", async () => {
    const agent = await h.agent();
    const watcher = await h.clientAs('viewer');
    const ai = await h.clientAs('operator', { ai: true });
    const proposal = await ai.call('probe.add', { probe: logProbe() });
    assert.equal(proposal.state, 'proposed');
    assert.equal(proposal.approval?.origin, 'ai');
    assert.equal(proposal.approval?.decision, undefined);

    const event = await watcher.nextOfType('probe.state');
    assert.deepEqual([event.view.probe.id, event.view.state], [proposal.probe.id, 'proposed']);
    const { probes } = await watcher.call('probe.list', {});
    assert.deepEqual(probes.map((p) => [p.probe.id, p.state]), [[proposal.probe.id, 'proposed']]);

    // a later human probe is the barrier: the agent sees it, and would have seen the proposal before it
    const admin = await h.client();
    const human = await admin.call('probe.add', { probe: logProbe() });
    assert.equal(human.state, 'live');
    assert.equal((await agent.peer.nextOfType('probe.add')).probe.id, human.probe.id);
    assert.ok(!agent.peer.received.some((m) => m.type === 'probe.add'));
    const late = await h.agent();
    assert.deepEqual(late.sync.map((p) => p.id), [human.probe.id]);

    // evidence for a proposal is refused: nothing can be running it (the agent's frames are handled in order)
    const sub = await admin.call('evidence.subscribe', {});
    agent.peer.send({ type: 'evidence', items: [logItem(proposal.probe.id, 'should not exist')] });
    agent.peer.send({ type: 'evidence', items: [logItem(human.probe.id, 'real')] });
    await admin.next((m) => m.type === 'evidence' && m.subscription === sub.subscription);
    const { items } = await admin.call('evidence.query', {});
    assert.deepEqual(items.map((i) => i.kind === 'log' && i.message), ['real']);
    assert.equal(h.relay.stats().evidenceIgnored, 1);
  });

  it('an operator approves: the probe goes live on its agents, with its TTL starting then, and who approved is recorded', async () => {
    const agent = await h.agent();
    const ai = await h.clientAs('operator', { ai: true });
    const proposal = await ai.call('probe.add', { probe: logProbe('checkout', { ttlSeconds: 600 }) });
    const operator = await h.clientAs('operator');
    const approved = await operator.call('probe.approve', { probeId: proposal.probe.id });
    assert.equal(approved.state, 'live');
    assert.equal(approved.approval?.decision, 'approved');
    assert.match(approved.approval?.decidedBy ?? '', /^operator-/);
    assert.equal(Date.parse(approved.probe.expiresAt) - Date.parse(approved.approval!.decidedAt!), 600_000);
    assert.equal((await agent.peer.nextOfType('probe.add')).probe.id, proposal.probe.id);
    const event = await ai.next((m) => m.type === 'probe.state' && m.view.state === 'live');
    assert.equal(event.view.approval.decidedBy, approved.approval?.decidedBy);

    const twice = await operator.request('probe.approve', { probeId: proposal.probe.id });
    assert.equal(!twice.ok && twice.error.code, 'conflict');
  });

  it('an operator rejects with a reason: the proposal ends, clients are told, agents never hear of it', async () => {
    const agent = await h.agent();
    const ai = await h.clientAs('operator', { ai: true });
    const proposal = await ai.call('probe.add', { probe: logProbe() });
    const operator = await h.clientAs('operator');
    const rejected = await operator.call('probe.reject', { probeId: proposal.probe.id, reason: 'reads card numbers' });
    assert.equal(rejected.state, 'rejected');
    assert.equal(rejected.approval?.reason, 'reads card numbers');
    const event = await ai.next((m) => m.type === 'probe.state' && m.view.state === 'rejected');
    assert.equal(event.view.approval.reason, 'reads card numbers');
    assert.deepEqual((await operator.call('probe.list', {})).probes, []);
    const late = await operator.request('probe.approve', { probeId: proposal.probe.id });
    assert.equal(!late.ok && late.error.code, 'conflict');
    assert.ok(!agent.peer.received.some((m) => m.type === 'probe.add'));
  });

  it('an AI token cannot approve or reject, even with the admin role; viewers cannot either', async () => {
    await h.agent();
    const aiAdmin = await h.clientAs('admin', { ai: true });
    const proposal = await aiAdmin.call('probe.add', { probe: logProbe() });
    assert.equal(proposal.state, 'proposed', 'an AI admin proposes like any AI');
    for (const method of ['probe.approve', 'probe.reject'] as const) {
      const r = await aiAdmin.request(method, { probeId: proposal.probe.id });
      assert.equal(!r.ok && r.error.code, 'forbidden');
      assert.match(!r.ok ? r.error.message : '', /needs a person/);
    }
    const viewer = await h.clientAs('viewer');
    assert.equal((await viewer.request('probe.approve', { probeId: proposal.probe.id })).ok, false);
  });

  it("a person's token flagged origin 'ai' proposes too, and that person may approve it", async () => {
    const agent = await h.agent();
    const admin = await h.client();
    const proposal = await admin.call('probe.add', { probe: logProbe(), origin: 'ai' });
    assert.equal(proposal.state, 'proposed');
    await admin.call('probe.approve', { probeId: proposal.probe.id });
    assert.equal((await agent.peer.nextOfType('probe.add')).probe.id, proposal.probe.id);
  });

  it('policy can auto-approve a kind for a service; other services still wait', async () => {
    await h.agent({ service: 'checkout' });
    await h.agent({ service: 'billing' });
    const admin = await h.client();
    await admin.call('policy.set', { policy: { autoApprove: [{ service: 'checkout', kinds: ['log'] }] } });
    const ai = await h.clientAs('operator', { ai: true });
    const auto = await ai.call('probe.add', { probe: logProbe('checkout') });
    assert.deepEqual([auto.state, auto.approval?.decision, auto.approval?.decidedBy], ['live', 'auto-approved', 'policy']);
    const waits = await ai.call('probe.add', { probe: logProbe('billing') });
    assert.equal(waits.state, 'proposed');
  });

  it('re-checks a proposal against the policy in force when it is approved', async () => {
    await h.agent();
    const ai = await h.clientAs('operator', { ai: true });
    const proposal = await ai.call('probe.add', { probe: logProbe('checkout', { ttlSeconds: 7200 }) });
    const admin = await h.client();
    await admin.call('policy.set', { policy: { maxTtlSeconds: 3600 } });
    const refused = await admin.request('probe.approve', { probeId: proposal.probe.id });
    assert.equal(!refused.ok && refused.error.code, 'policy_violation');
    assert.equal((await admin.call('probe.list', {})).probes[0]?.state, 'proposed', 'still waiting, nothing lost');
  });

  it('keeps proposals and their decisions across a restart', async () => {
    await h.agent();
    const ai = await h.clientAs('operator', { ai: true });
    const proposal = await ai.call('probe.add', { probe: logProbe() });
    await h.restart();
    const admin = await h.client();
    assert.deepEqual((await admin.call('probe.list', {})).probes.map((p) => [p.probe.id, p.state]), [[proposal.probe.id, 'proposed']]);
    await admin.call('probe.approve', { probeId: proposal.probe.id });
    const agent = await h.agent();
    assert.deepEqual(agent.sync.map((p) => p.id), [proposal.probe.id]);
  });

  it('removing a proposal withdraws it (an AI may withdraw its own)', async () => {
    await h.agent();
    const ai = await h.clientAs('operator', { ai: true });
    const proposal = await ai.call('probe.add', { probe: logProbe() });
    assert.deepEqual(await ai.call('probe.remove', { probeId: proposal.probe.id }), { probeId: proposal.probe.id, removed: true });
    const event = await ai.next((m) => m.type === 'probe.state' && m.view.state === 'removed');
    assert.equal(event.view.probe.id, proposal.probe.id);
  });
});
