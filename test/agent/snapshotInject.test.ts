import assert from 'node:assert/strict';
import type { CapturedValue } from '../../backend/protocol/evidence';
import { agentWorldPerTest } from './helpers/agentWorld';
import type { FakeRelay } from './helpers/fakeRelay';
import { snapshotProbe } from './helpers/probes';
import { FixtureWorld, REGISTER, waitForMoreTicks } from './helpers/service';

/** Line 31 is probed: it sees handle's params and locals (one declared below it), a closure's and the module's variables. */
const SHOP_JS = `'use strict';
let sideEffects = 0;
const TAX = 0.2;
class Order {
  constructor(n) {
    this.id = n;
    this.items = Array.from({ length: 150 }, (_, i) => ({ sku: 'sku-' + i, qty: i }));
    this.customer = { name: 'Ada', address: { city: 'Paris' } };
    this.note = 'x'.repeat(1000);
    this.password = 'hunter2';
    Object.defineProperty(this, 'lazy', { enumerable: true, get() { sideEffects++; return 1; } });
  }
  get total() { sideEffects++; return 42; }
}
Error.prepareStackTrace = () => { sideEffects++; return 'mine'; };
function makeHandler(region) {
  const fees = new Map([['base', 1], ['token', 'abc']]);
  return function handle(order, opts) {
    const trap = new Proxy({}, {
      get() { sideEffects++; return 1; },
      ownKeys() { sideEffects++; return []; },
      getOwnPropertyDescriptor() { sideEffects++; return undefined; },
    });
    const big = new Array(100000).fill(7);
    const label = 'order ' + order.id + ' card 4111 1111 1111 1111';
    const when = new Date(0);
    const big2 = 10n;
    let shadow = 1;
    if (order.id >= 0) {
      const shadow = 'inner';
      const later = shadow.length;
      return order.id + label.length + big.length + fees.size + TAX + later + (trap ? 0 : 1) + (opts ? 1 : 0) + String(big2).length + when.getTime();
    }
    return shadow;
  };
}
const handle = makeHandler('eu');
let tick = 0;
setInterval(() => {
  const r = handle(new Order(tick), { fast: true });
  console.log('tick ' + tick + ' side=' + sideEffects + ' r=' + r + ' err=' + (new Error('x').stack === 'mine'));
  sideEffects = 0;
  tick++;
}, 20);
`;
const LINE = 31;

const child = (v: CapturedValue | undefined, name: string) => v?.children?.find((c) => c.name === name);

describe('agent snapshots, injected tier (capture in the code, no pause)', function () {
  this.timeout(60_000);
  let world: FixtureWorld;
  let relay: FakeRelay;

  agentWorldPerTest(() => ({ 'src/shop.js': SHOP_JS }), (w, r) => ([world, relay] = [w, r]));

  const start = () => world.startApp('shop', { args: ['--require', REGISTER], env: world.agentEnv(relay.url), entry: `${world.tmp.dir}/src/shop.js` });

  it('captures the variables in scope, the stack and guarded watches under the limits, without running program code', async () => {
    const app = start();
    await relay.waitForHello();
    // two hits at 1/s: the bound status (which follows the version check) cannot be overtaken by the expiry
    const probe = snapshotProbe({ file: 'src/shop.js', line: LINE, maxHits: 2, watches: ['order.id + 1', 'order.total', 'trap.x', 'order.nope.deeper', 'order.password'] });
    relay.add(probe);
    const bound = await relay.waitForStatus(probe.id, 'bound');
    assert.equal(bound.tier, 'inject');
    const [s] = await relay.waitForItems(probe.id, 'snapshot', 1);
    await relay.waitForStatus(probe.id, 'expired');
    await waitForMoreTicks(app, 3);
    const ticks = app.stdoutLines.filter((l) => l.startsWith('tick '));
    assert.ok(ticks.every((l) => / side=0 .* err=true$/.test(l)), `no getter, trap or Error.prepareStackTrace of the program ran; ${ticks.slice(-3).join('\n')}`);

    const [top, caller] = s!.frames;
    assert.deepEqual([top!.function, top!.file, top!.line], ['handle', `${world.tmp.dir}/src/shop.js`, LINE]);
    assert.equal(caller!.line, 40, 'the caller: the timer callback');
    assert.ok(typeof s!.pauseMs === 'number');

    const names = top!.locals!.map((l) => l.name);
    assert.equal(names[0], 'shadow', 'innermost scope first');
    assert.ok(!names.includes('later'), 'a const in its temporal dead zone is left out');
    for (const n of ['order', 'opts', 'trap', 'big', 'label', 'when', 'big2', 'fees', 'TAX', 'sideEffects']) assert.ok(names.includes(n), `${n} is captured`);
    // outer variables the function does not read stay out: reading them would need a closure layout the running closure lacks
    for (const n of ['region', 'makeHandler', 'Order', 'tick', 'handle']) assert.ok(!names.includes(n), `${n} (not read by handle) is left out`);
    assert.ok(!names.includes('arguments') && !names.includes('require'), 'no arguments object, no CommonJS wrapper names');
    const locals = new Map(top!.locals!.map((l) => [l.name, l]));
    assert.deepEqual(locals.get('shadow'), { name: 'shadow', type: 'string', value: 'inner' }, 'the inner binding wins');
    const order = locals.get('order')!;
    assert.deepEqual([order.type, order.preview], ['Order', 'Order']);
    const items = child(order, 'items')!;
    assert.deepEqual([items.type, items.children!.length, items.truncated], ['Array', 100, true], '150 items, 100 shown');
    assert.deepEqual(child(items, '3'), { name: '3', type: 'Object', preview: 'Object', truncated: true }, 'level 3 is the depth limit');
    assert.deepEqual([child(order, 'note')!.value, child(order, 'note')!.truncated], ['x'.repeat(255), true]);
    assert.deepEqual(child(order, 'lazy'), { name: 'lazy', type: 'accessor', accessor: true }, 'a getter is recorded, never called');
    assert.deepEqual(child(order, 'password'), { name: 'password', type: 'string', redacted: true });
    assert.deepEqual(locals.get('trap'), { name: 'trap', type: 'Proxy', preview: 'Proxy' }, 'a Proxy is never looked into');
    assert.deepEqual([locals.get('big')!.preview, locals.get('big')!.children!.length], ['Array(100000)', 100]);
    assert.deepEqual(child(locals.get('fees'), 'base'), { name: 'base', type: 'number', value: 1 });
    assert.deepEqual(child(locals.get('fees'), 'token'), { name: 'token', type: 'string', redacted: true });
    assert.equal(locals.get('label')!.redacted, true, 'a card number in a string is redacted');
    assert.deepEqual(locals.get('big2'), { name: 'big2', type: 'bigint', value: '10n' });
    assert.equal(locals.get('when')!.preview, '1970-01-01T00:00:00.000Z');
    assert.deepEqual(child(locals.get('fees'), 'base'), { name: 'base', type: 'number', value: 1 }, "an enclosing closure's variable");

    const watches = new Map(s!.watches!.map((w) => [w.expression, w]));
    assert.equal(watches.get('order.id + 1')!.value!.value, (child(order, 'id')!.value as number) + 1);
    assert.match(watches.get('order.total')!.error!, /getter/i);
    assert.match(watches.get('trap.x')!.error!, /Proxy/);
    assert.match(watches.get('order.nope.deeper')!.error!, /TypeError/);
    assert.deepEqual(watches.get('order.password')!.value, { type: 'string', redacted: true });
  });

  it('takes the paused tier when the probe asks for its callers\u2019 locals, and says so', async () => {
    start();
    await relay.waitForHello();
    const probe = snapshotProbe({ file: 'src/shop.js', line: LINE, limits: { expandFrames: 3 } });
    relay.add(probe);
    const bound = await relay.waitForStatus(probe.id, 'bound');
    assert.equal(bound.tier, 'breakpoint');
    assert.match(bound.reason!, /^runs as a pausing snapshot .*: it asks for the locals of 3 frames, which only a paused capture reads$/);
    const [s] = await relay.waitForItems(probe.id, 'snapshot', 1);
    assert.ok(s!.frames[1]!.locals, "the caller's locals are there");
  });
});
