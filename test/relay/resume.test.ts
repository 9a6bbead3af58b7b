import assert from 'node:assert/strict';
import { RelayClient, type ConnectionChange } from '../../backend/client/relayClient';
import type { Evidence } from '../../backend/protocol';
import { CLI, startNode, type Child } from '../support/proc';
import { Harness, logItem, logProbe, until } from './helpers';

/** The log messages a `--json` follower printed, in order, with their ids. */
function printed(cli: Child): { id: number; message: string }[] {
  return cli.stdoutLines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { id: number; message: string });
}

describe('clients resume after a relay restart', function () {
  this.timeout(60_000);
  let h: Harness;
  let cli: Child | undefined;
  afterEach(async () => {
    await cli?.kill();
    cli = undefined;
    await h.close();
  });

  it('`runtruth evidence --follow --json` reconnects and resumes from the last id it printed: no gaps, no duplicates', async () => {
    h = await Harness.start();
    const port = h.relay.port;
    let agent = await h.agent({ instanceId: 'i-resume' });
    const admin = await h.client();
    const { probe } = await admin.call('probe.add', { probe: logProbe() });
    const send = (from: number, to: number) => {
      const items = [];
      for (let n = from; n <= to; n++) items.push(logItem(probe.id, `n=${n}`));
      agent.peer.send({ type: 'evidence', items });
    };
    send(1, 3);
    await until(async () => (await admin.call('evidence.query', { probeId: probe.id })).items.length === 3, 'the first items are stored');

    cli = startNode([CLI, 'evidence', '--follow', '--json', '--probe', probe.id, '--relay', h.relay.url, '--token', h.adminToken], 'evidence --follow');
    await cli.waitFor(() => printed(cli!).length === 3 || undefined, 15_000, 'the stored items');
    send(4, 5);
    await cli.waitFor(() => printed(cli!).length === 5 || undefined, 15_000, 'live items');

    await h.restart({ port });
    assert.equal(h.relay.port, port);
    // sent while the follower is still reconnecting: it must get them by replay, once
    agent = await h.agent({ instanceId: 'i-resume' });
    send(6, 8);
    await cli.waitForLine(/reconnected to the relay; resumed following/, 15_000);
    send(9, 10);
    await cli.waitFor(() => printed(cli!).length >= 10 || undefined, 15_000, 'all ten items');
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would arrive right behind

    const lines = printed(cli);
    assert.deepEqual(
      lines.map((l) => l.message),
      Array.from({ length: 10 }, (_, i) => `n=${i + 1}`),
    );
    assert.ok(lines.every((l, i) => i === 0 || l.id > lines[i - 1]!.id), 'ids only go up');
    assert.ok(cli.lines.some((l) => /^\[stderr\] runtruth: relay connection closed \(\d+.*reconnecting in \d+ ms$/.test(l)), cli.lines.join('\n'));
    assert.equal(cli.proc.exitCode, null, 'still following');
  });

  it('RelayClient with reconnect resumes every subscription and unsubscribe still takes the original id', async () => {
    h = await Harness.start();
    const port = h.relay.port;
    let agent = await h.agent({ instanceId: 'i-resume-2' });
    const admin = await h.client();
    const { probe } = await admin.call('probe.add', { probe: logProbe() });
    const client = await RelayClient.connect({ relay: h.relay.url, token: h.adminToken, reconnect: { minMs: 20, maxMs: 200 } });
    try {
      const got: Evidence[] = [];
      const changes: ConnectionChange['state'][] = [];
      client.onConnectionChange((c) => changes.push(c.state));
      const { subscription } = await client.subscribe({ probeId: probe.id }, (items) => got.push(...items));
      agent.peer.send({ type: 'evidence', items: [logItem(probe.id, 'a')] });
      await until(() => got.length === 1, 'live item');
      await h.restart({ port });
      agent = await h.agent({ instanceId: 'i-resume-2' });
      agent.peer.send({ type: 'evidence', items: [logItem(probe.id, 'b'), logItem(probe.id, 'c')] });
      await until(() => got.length === 3, 'replayed items');
      assert.deepEqual(
        got.map((e) => (e.kind === 'log' ? e.message : e.kind)),
        ['a', 'b', 'c'],
      );
      assert.equal(changes[0], 'lost');
      assert.equal(changes.at(-1), 'restored');
      await client.unsubscribe(subscription);
      agent.peer.send({ type: 'evidence', items: [logItem(probe.id, 'd')] });
      const again = await h.client(); // the restart closed the test's own peers
      await until(async () => (await again.call('evidence.query', { probeId: probe.id })).items.length === 4, 'd stored');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(got.length, 3, 'unsubscribed by the id subscribe() returned, although the relay knows it by another now');
    } finally {
      await client.close();
    }
  });
});
