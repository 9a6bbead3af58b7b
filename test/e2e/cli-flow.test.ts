import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Child, Children, ROOT, runCli, startNode } from '../support/proc';
import { postJson, sleep } from '../support/http';
import { tempDir } from '../support/tmp';

const APP = path.join(ROOT, 'examples/checkout/src/server.js');
const TEMPLATE = 'amount={amount} t={typeof amount}';

/**
 * The README's walking-skeleton flow, with the real CLI in child processes: a relay with its SQLite store,
 * services started with NO flags, `attach --pid`, `probe add`, `evidence --follow`.
 */
describe('CLI flow: relay → attach → probe → evidence', function () {
  this.timeout(90_000);
  const children = new Children();
  let tmp: ReturnType<typeof tempDir>;
  let relayUrl: string;
  let data: string;
  let agentKey: string;

  const cli = (args: string[]) => runCli([...args, '--relay', relayUrl, '--data', data], { cwd: tmp.dir });
  const attachCli = (pid: number, service: string) =>
    runCli(['attach', '--pid', String(pid), '--service', service, '--relay', relayUrl, '--agent-key', agentKey, '--json'], { cwd: tmp.dir });

  async function startApp(label: string): Promise<{ app: Child; port: number }> {
    const app = children.add(startNode([APP], label, { env: { ...process.env, PORT: '0' }, cwd: path.dirname(APP) }));
    const m = await app.waitForLine(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    return { app, port: Number(m[1]) };
  }

  async function attached(pid: number, service: string): Promise<string> {
    const r = await attachCli(pid, service);
    assert.equal(r.code, 0, `attach failed: ${r.stderr}`);
    return JSON.parse(r.stdout).instanceId as string;
  }

  async function evidenceOf(probeId: string): Promise<Array<Record<string, unknown>>> {
    const r = await cli(['evidence', '--probe', probeId, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }

  before(async () => {
    tmp = tempDir();
    data = path.join(tmp.dir, '.runtruth');
    const relay = children.add(startNode([path.join(ROOT, 'bin/runtruth.js'), 'relay', '--port', '0', '--data', data], 'relay', { cwd: tmp.dir }));
    relayUrl = (await relay.waitForLine(/listening on (ws:\/\/127\.0\.0\.1:\d+)/))[1]!;
    agentKey = fs.readFileSync(path.join(data, 'agent.key'), 'utf8').trim();
  });
  after(async () => {
    await children.killAll();
    tmp.cleanup();
  });

  it('places a logpoint in a running service and streams its values, without changing responses', async () => {
    const { app, port } = await startApp('checkout-1');
    const orders = [{ amount: 15000 }, { amount: '15,000' }, { amount: 120, currency: 'EUR' }];
    const before = [];
    for (const o of orders) before.push(await postJson(port, '/orders', o));

    const instanceId = await attached(app.pid, 'checkout');
    const services = await cli(['services', '--json']);
    const checkout = services.stdout.split('\n').map((l) => JSON.parse(l)).find((s) => s.service === 'checkout');
    assert.ok(checkout.instances.some((i: { instanceId: string; connected: boolean; pid: number }) => i.instanceId === instanceId && i.connected && i.pid === app.pid));

    const add = await cli(['probe', 'add', '--service', 'checkout', '--file', 'src/validate.js', '--line', '12', '--log', TEMPLATE, '--json']);
    assert.equal(add.code, 0, add.stderr);
    const probe = JSON.parse(add.stdout);
    assert.match(probe.id, /^p-/);
    assert.deepEqual(probe.statuses.map((s: { state: string }) => s.state), ['bound']);

    const follow = children.add(startNode([path.join(ROOT, 'bin/runtruth.js'), 'evidence', '--follow', '--json', '--probe', probe.id, '--relay', relayUrl, '--data', data], 'evidence --follow', { cwd: tmp.dir }));
    const after = [];
    for (const o of orders) after.push(await postJson(port, '/orders', o));
    const messages = ['amount=15000 t=number', 'amount=15,000 t=string', 'amount=120 t=number'];
    for (const m of messages) await follow.waitForLine(new RegExp(`"message":"${m}"`));
    const lines = follow.stdoutLines.map((l) => JSON.parse(l));
    for (const e of lines) {
      assert.equal(e.kind, 'log');
      assert.equal(e.probeId, probe.id);
      assert.equal(e.service, 'checkout');
      assert.equal(e.instance, instanceId);
      assert.ok(!Number.isNaN(Date.parse(e.at)));
    }
    assert.deepEqual(lines.map((e) => e.message), messages);

    // Read-only: the same orders get the same answers (the order counter is the service's own state).
    const strip = (r: { status: number; body: unknown }) => ({ status: r.status, body: { ...(r.body as object), order: undefined } });
    assert.deepEqual(after.map(strip), before.map(strip));
    assert.deepEqual(after.map((r) => (r.body as { order: number }).order), [4, 5, 6]);
    await follow.kill('SIGINT');

    // Removing the probe stops evidence.
    const count = (await evidenceOf(probe.id)).length;
    assert.equal((await cli(['probe', 'rm', probe.id])).code, 0);
    for (const o of orders) await postJson(port, '/orders', o);
    const marker = JSON.parse((await cli(['probe', 'add', '--service', 'checkout', '--file', 'src/validate.js', '--line', '11', '--log', 'marker {currency}', '--json'])).stdout);
    await postJson(port, '/orders', { amount: 1 });
    for (let i = 0; i < 100 && (await evidenceOf(marker.id)).length === 0; i++) await sleep(100);
    assert.equal((await evidenceOf(marker.id)).length, 1, 'marker evidence arrived');
    assert.equal((await evidenceOf(probe.id)).length, count, 'no evidence after removal');
    assert.equal((await cli(['probe', 'rm', marker.id])).code, 0);
  });

  it('reports from every instance of a service, including one attached after the probe', async () => {
    const a = await startApp('checkout-a');
    const b = await startApp('checkout-b');
    const idA = await attached(a.app.pid, 'payments');
    const add = await cli(['probe', 'add', '--service', 'payments', '--file', 'validate.js', '--line', '12', '--log', 'pid-probe {amount}', '--json']);
    assert.equal(add.code, 0, add.stderr);
    const probe = JSON.parse(add.stdout);
    const idB = await attached(b.app.pid, 'payments');
    await postJson(a.port, '/orders', { amount: 1 });
    await postJson(b.port, '/orders', { amount: 2 });
    let seen: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 100 && seen.length < 2; i++, await sleep(100)) seen = await evidenceOf(probe.id);
    assert.deepEqual(seen.map((e) => [e.instance, e.message]).sort(), [[idA, 'pid-probe 1'], [idB, 'pid-probe 2']].sort());
  });

  it('keeps a probe for a service that has not attached yet, and binds it when it does', async () => {
    const add = await cli(['probe', 'add', '--service', 'billing', '--file', 'src/validate.js', '--line', '12', '--log', 'early {amount}', '--pending', '--json']);
    assert.equal(add.code, 0, add.stderr);
    const probe = JSON.parse(add.stdout);
    const { app, port } = await startApp('billing');
    await attached(app.pid, 'billing');
    let seen: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 100 && !seen.length; i++) {
      await postJson(port, '/orders', { amount: 7 });
      seen = await evidenceOf(probe.id);
      if (!seen.length) await sleep(100);
    }
    assert.equal(seen[0]?.message, 'early 7');
  });

  it('fails with one clear line on bad input', async () => {
    const unknown = await cli(['probe', 'add', '--service', 'nope', '--file', 'a.js', '--line', '1', '--log', 'x']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no such service 'nope'/);

    const pastEnd = await cli(['probe', 'add', '--service', 'checkout', '--file', 'src/validate.js', '--line', '999', '--log', 'x']);
    assert.equal(pastEnd.code, 1);
    assert.match(pastEnd.stderr, /past the end/);
    const notLoaded = await cli(['probe', 'add', '--service', 'checkout', '--file', 'src/missing.js', '--line', '3', '--log', 'x']);
    assert.equal(notLoaded.code, 1);
    assert.match(notLoaded.stderr, /no loaded script matches/);
    const left = await cli(['probe', 'list', '--service', 'checkout', '--json']);
    assert.equal(left.stdout.trim(), '', 'failed probes are not left behind');

    const badToken = await runCli(['services', '--relay', relayUrl, '--token', 'rt_admin_not-a-real-token'], { cwd: tmp.dir });
    assert.equal(badToken.code, 1);
    assert.match(badToken.stderr, /unauthorized/);
    assert.doesNotMatch(badToken.stderr, /not-a-real-token/, 'the token is never echoed');

    const down = await runCli(['services', '--relay', 'ws://127.0.0.1:9', '--token', 'rt_admin_whatever'], { cwd: tmp.dir });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /relay unreachable at ws:\/\/127\.0\.0\.1:9/);
    assert.equal(down.stderr.trim().split('\n').length, 1);

    const usage = await cli(['probe', 'add', '--service', 'checkout', '--file', 'x.js', '--line', 'twelve', '--log', 'x']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--line must be an integer/);

    const noSuchPid = await runCli(['attach', '--pid', '999999', '--service', 's', '--relay', relayUrl, '--agent-key', agentKey], { cwd: tmp.dir });
    assert.equal(noSuchPid.code, 1);
    assert.match(noSuchPid.stderr, /999999/);
  });
});
