import assert from 'node:assert/strict';
import type { CapturedValue } from '../../backend/protocol/evidence';
import { sha256 } from '../../agent/sourcemap/versionCheck';
import { agentWorldPerTest } from './helpers/agentWorld';
import type { FakeRelay } from './helpers/fakeRelay';
import { snapshotProbe } from './helpers/probes';
import { FixtureWorld, REGISTER, waitForMoreTicks } from './helpers/service';
import { sleep } from './helpers/wait';

/** A service whose probed function has every kind of value a snapshot must handle safely. Line 28 is probed. */
const SHOP_JS = `'use strict';
let sideEffects = 0;
class Order {
  constructor(n) {
    this.id = n;
    this.items = Array.from({ length: 150 }, (_, i) => ({ sku: 'sku-' + i, qty: i }));
    this.customer = { name: 'Ada', address: { city: 'Paris', geo: { lat: 48.8, lng: 2.3 } } };
    this.note = 'x'.repeat(1000);
    Object.defineProperty(this, 'lazy', { enumerable: true, get() { sideEffects++; return 1; } });
  }
  get total() {
    sideEffects++;
    return 42;
  }
}
const spinner = {};
Object.defineProperty(spinner, 'spin', { get() { for (;;) {} } });
function handle(order) {
  const trap = new Proxy({}, {
    get() { sideEffects++; return 1; },
    ownKeys() { sideEffects++; return []; },
    getOwnPropertyDescriptor() { sideEffects++; return undefined; },
  });
  const big = new Array(100000).fill(7);
  const map = new Map([['a', 1], ['b', { deep: true }]]);
  const label = 'order ' + order.id;
  const spin = spinner;
  return order.id + label.length + big.length + map.size + (trap && spin ? 0 : 1);
}
let tick = 0;
setInterval(() => {
  const r = handle(new Order(tick));
  console.log('tick ' + tick + ' side=' + sideEffects + ' r=' + r);
  tick++;
}, 20);
process.on('message', (m) => {
  if (m !== 'debug') return;
  debugger; // with an inspector session attached, V8 stops here
  console.log('after debugger');
});
`;
const LINE = 28;

const child = (v: CapturedValue | undefined, name: string) => v?.children?.find((c) => c.name === name);

describe('agent snapshots', function () {
  this.timeout(60_000);
  let world: FixtureWorld;
  let relay: FakeRelay;

  agentWorldPerTest(() => ({ 'src/shop.js': SHOP_JS }), (w, r) => ([world, relay] = [w, r]));

  const start = (env: NodeJS.ProcessEnv = {}) => world.startApp('shop', { args: ['--require', REGISTER], env: world.agentEnv(relay.url, env), entry: `${world.tmp.dir}/src/shop.js` });
  /** The app's side-effect counter stays 0 and it keeps ticking: no getter, trap or watch changed it. */
  const assertUntouched = async (app: ReturnType<typeof start>) => {
    await waitForMoreTicks(app, 3);
    const ticks = app.stdoutLines.filter((l) => l.startsWith('tick '));
    assert.ok(ticks.every((l) => l.includes(' side=0 ')), ticks.slice(-3).join('\n'));
  };

  it('captures the stack and the top frames’ locals under the default limits, once, without running program code', async () => {
    const app = start();
    await relay.waitForHello();
    // asking for the locals of the top 5 frames (the default) takes the paused tier (snapshotInject.test covers the injected one)
    const probe = snapshotProbe({ file: 'src/shop.js', line: LINE, watches: ['order.id + 1', 'label', 'order.total', 'trap.x', 'spinner.spin', 'order.nope.deeper'], limits: { expandFrames: 5 } });
    relay.add(probe);
    const bound = await relay.waitForStatus(probe.id, 'bound');
    assert.equal(bound.tier, 'breakpoint');
    const [s] = await relay.waitForItems(probe.id, 'snapshot', 1);
    const expired = await relay.waitForStatus(probe.id, 'expired');
    assert.deepEqual([expired.code, expired.reason], ['max_hits', 'max hits reached (1)']);

    const [top, caller] = s!.frames;
    assert.deepEqual([top!.function, top!.file, top!.line], ['handle', `${world.tmp.dir}/src/shop.js`, LINE]);
    assert.equal(caller!.line, 32, 'the caller: the timer callback');
    assert.ok(s!.frames.some((f) => f.file.startsWith('node:internal/timers')), "node's frames are named");
    assert.ok(s!.frames.filter((f) => f.file.startsWith('node:')).every((f) => f.locals === undefined), "node's own locals are not captured");
    assert.ok(typeof s!.pauseMs === 'number');

    const locals = new Map(top!.locals!.map((l) => [l.name, l]));
    const order = locals.get('order')!;
    assert.deepEqual([order.type, order.preview], ['Order', 'Order']);
    assert.equal(child(order, 'id')!.type, 'number');
    const items = child(order, 'items')!;
    assert.deepEqual([items.type, items.children!.length, items.truncated], ['Array', 100, true], '150 items, 100 shown');
    assert.deepEqual(child(items, '3'), { name: '3', type: 'Object', preview: 'Object', truncated: true }, 'level 3 is the depth limit');
    const note = child(order, 'note')!;
    assert.deepEqual([note.value, note.truncated], ['x'.repeat(255), true]);
    assert.deepEqual(child(order, 'lazy'), { name: 'lazy', type: 'accessor', accessor: true }, 'a getter is recorded, never called');
    const address = child(child(order, 'customer'), 'address')!;
    assert.deepEqual(address, { name: 'address', type: 'Object', preview: 'Object', truncated: true });
    assert.deepEqual(locals.get('trap'), { name: 'trap', type: 'Proxy', preview: 'Proxy(Object)' }, 'a Proxy is never looked into');
    const big = locals.get('big')!;
    assert.deepEqual([big.preview, big.children!.length, big.truncated], ['Array(100000)', 100, true]);
    assert.deepEqual(child(locals.get('map'), 'a'), { name: 'a', type: 'number', value: 1 });
    assert.equal(locals.get('label')!.value, `order ${child(order, 'id')!.value}`);

    const watches = new Map(s!.watches!.map((w) => [w.expression, w]));
    assert.equal(watches.get('order.id + 1')!.value!.value, (child(order, 'id')!.value as number) + 1);
    assert.equal(watches.get('label')!.value!.value, locals.get('label')!.value);
    assert.match(watches.get('order.total')!.error!, /^not evaluated: it could change the program/);
    assert.match(watches.get('trap.x')!.error!, /^not evaluated: it could change the program/);
    assert.equal(watches.get('spinner.spin')!.error, 'not evaluated: it ran longer than 20 ms');
    assert.match(watches.get('order.nope.deeper')!.error!, /^TypeError: Cannot read properties of undefined/);

    await sleep(300);
    assert.equal(relay.snapshotsOf(probe.id).length, 1, 'maxHits defaults to 1');
    await assertUntouched(app);
  });

  it('applies per-probe limits, a condition and a rate, and fits the byte limit', async () => {
    const app = start();
    await relay.waitForHello();
    const small = snapshotProbe({ file: 'src/shop.js', line: LINE, limits: { maxFrames: 2, expandFrames: 1, depth: 1, stringLength: 10 } });
    const odd = snapshotProbe({ file: 'src/shop.js', line: LINE, condition: 'order.id % 2 === 1', maxHits: 3, maxPerSecond: 50 });
    const tiny = snapshotProbe({ file: 'src/shop.js', line: LINE, limits: { maxBytes: 2048 } });
    for (const p of [small, odd, tiny]) relay.add(p);

    const [s] = await relay.waitForItems(small.id, 'snapshot', 1);
    assert.equal(s!.frames.length, 2);
    assert.equal(s!.frames[1]!.locals, undefined);
    const order = s!.frames[0]!.locals!.find((l) => l.name === 'order')!;
    assert.deepEqual(order, { name: 'order', type: 'Order', preview: 'Order', truncated: true }, 'depth 1: the value alone');
    const spin = s!.frames[0]!.locals!.find((l) => l.name === 'spin')!;
    assert.deepEqual(spin, { name: 'spin', type: 'Object', preview: 'Object', truncated: true }, 'depth 1: its accessor is not shown');
    const big = s!.frames[0]!.locals!.find((l) => l.name === 'big')!;
    assert.equal(big.truncated, true);

    const odds = await relay.waitForItems(odd.id, 'snapshot', 3);
    for (const o of odds) assert.equal((child(o.frames[0]!.locals!.find((l) => l.name === 'order'), 'id')!.value as number) % 2, 1);
    assert.equal((await relay.waitForStatus(odd.id, 'expired')).code, 'max_hits');

    const [t] = await relay.waitForItems(tiny.id, 'snapshot', 1);
    assert.equal(t!.truncated, true);
    assert.ok(Buffer.byteLength(JSON.stringify(t)) <= 2048, `${Buffer.byteLength(JSON.stringify(t))} bytes`);
    assert.equal(t!.frames[0]!.function, 'handle', 'the stack is kept');
    await assertUntouched(app);
  });

  it('resumes a pause it did not cause (a `debugger;` statement), and checks the deployed version of plain files', async () => {
    const app = start();
    await relay.waitForHello();
    await waitForMoreTicks(app, 2);
    // with no probe the Debugger domain is off: V8 does not stop at the statement at all
    app.proc.send('debug');
    await app.waitForLine(/^after debugger$/);
    assert.doesNotMatch(world.readAgentLog(), /resumed a pause|Debugger\.enable took/);
    const same = snapshotProbe({ file: 'src/shop.js', line: LINE, contentHash: sha256(SHOP_JS) });
    const edited = snapshotProbe({ file: 'src/shop.js', line: LINE, contentHash: sha256(SHOP_JS.replace('150', '151')) });
    relay.add(same);
    relay.add(edited);
    await relay.waitForItems(same.id, 'snapshot', 1);
    // with a probe placed it is on: the pause happens, and the agent resumes it
    const before = app.lines.length;
    app.proc.send('debug');
    await app.waitFor(() => app.lines.slice(before).find((l) => l === 'after debugger'), 15_000, 'the second debugger statement to pass');
    assert.match(world.readAgentLog(), /resumed a pause this agent did not cause \(reason: other; a `debugger;` statement\?\)/);
    const mismatch = await relay.waitForStatus(edited.id, 'error');
    assert.equal(mismatch.code, 'version_mismatch');
    assert.match(mismatch.reason!, /^the running file:\/\/.*\/src\/shop\.js \(from an unknown commit\) differs from the file in the editor/);
    await assertUntouched(app);
  });
});
