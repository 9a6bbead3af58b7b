import assert from 'node:assert/strict';
import path from 'node:path';
import { FakeRelay } from './helpers/fakeRelay';
import { logProbe, snapshotProbe } from './helpers/probes';
import { FixtureWorld, REGISTER, stderrLines } from './helpers/service';

/**
 * A program that has replaced the string, regexp and iterator built-ins with recording wrappers. Probe hits render,
 * redact and serialise on the program's own thread: none of that may call what the program installed (it could do
 * anything). The app prints, each tick, how many times its wrappers ran and where from.
 */
const APP_JS = `'use strict';
const seen = { n: 0, where: [] };
const AGENT_DIR = process.env.AGENT_DIR;
Error.stackTraceLimit = 30;
let recording = false; // the recorder itself calls patched methods
function patch(proto, key, label) {
  const original = proto[key];
  Object.defineProperty(proto, key, {
    value: function (...args) {
      if (!recording) {
        recording = true;
        try {
          // only calls made from the agent's code count (Node's own internals are not ours to guard)
          const frames = String(new Error().stack).split('\\n').slice(2);
          const agentFrame = frames.find((f) => f.includes(AGENT_DIR));
          if (agentFrame) {
            seen.n++;
            const site = label + ' ' + frames[0].trim() + ' | ' + agentFrame.trim();
            if (seen.where.length < 40 && !seen.where.includes(site)) seen.where[seen.where.length] = site;
          }
        } finally {
          recording = false;
        }
      }
      return Reflect.apply(original, this, args);
    },
    writable: true,
    configurable: true,
  });
}
const S = String.prototype;
for (const k of ['slice', 'substring', 'substr', 'toLowerCase', 'toUpperCase', 'replace', 'replaceAll', 'includes', 'matchAll', 'match', 'split', 'trim', 'startsWith', 'endsWith', 'indexOf', 'padStart', 'padEnd', 'charCodeAt', 'codePointAt', 'normalize', 'repeat', 'concat', 'at']) patch(S, k, 'String#' + k);
for (const k of ['exec', 'test', Symbol.replace, Symbol.matchAll, Symbol.match, Symbol.split]) patch(RegExp.prototype, k, 'RegExp#' + String(k));
patch(Object.getPrototypeOf([][Symbol.iterator]()), 'next', 'ArrayIterator#next');
patch(Object.getPrototypeOf(new Set().values()), 'next', 'SetIterator#next');
patch(Object.getPrototypeOf(new Map().entries()), 'next', 'MapIterator#next');
patch(Array.prototype, Symbol.iterator, 'Array#@@iterator');
for (const k of ['push', 'pop', 'shift', 'slice', 'join', 'map', 'forEach', 'filter', 'flatMap', 'some', 'includes', 'indexOf']) patch(Array.prototype, k, 'Array#' + k);
for (const k of ['get', 'set', 'has', 'delete', 'forEach', 'entries', 'values', 'keys']) patch(Map.prototype, k, 'Map#' + k);
for (const k of ['add', 'has', 'delete', 'forEach', 'values']) patch(Set.prototype, k, 'Set#' + k);
const TypedArray = Object.getPrototypeOf(Uint8Array.prototype);
for (const k of ['slice', 'sort', 'fill', 'subarray']) patch(TypedArray, k, 'TypedArray#' + k);
for (const k of ['min', 'max', 'floor', 'ceil', 'random', 'trunc']) patch(Math, k, 'Math.' + k);
for (const k of ['isFinite', 'isNaN']) patch(Number, k, 'Number.' + k);
for (const k of ['is', 'keys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'create', 'defineProperty']) patch(Object, k, 'Object.' + k);
for (const k of ['call', 'apply', 'bind']) patch(Function.prototype, k, 'Function#' + k);

const long = 'L'.repeat(600);
const order = { amount: 7, memo: 'paid with 4111 1111 1111 1111', password: 'hunter2', note: long, nested: { token: 'abc', list: [1, 2, 3] } };
const meta = new Map([['apiKey', 'k-123'], ['region', 'eu']]);
const tags = new Set(['a', 'b']);
function handle(order, meta, tags) {
  const total = order.amount * 2;
  return total;
}
seen.n = 0; // setting up used some of them: from here on only probes could
seen.where = [];
let tick = 0;
setInterval(() => {
  const total = handle(order, meta, tags);
  process.stdout.write('tick ' + tick++ + ' total=' + total + ' wrappers=' + seen.n + ' ' + JSON.stringify(seen.where) + '\\n');
}, 40);
`;
const LINE = APP_JS.split('\n').findIndex((l) => l.includes('const total = order.amount')) + 1;

describe('agent: a program that replaced string, regexp and iterator built-ins', function () {
  this.timeout(60_000);
  let world: FixtureWorld;
  let relay: FakeRelay;

  beforeEach(async () => {
    world = new FixtureWorld({ 'app.js': APP_JS });
    relay = await FakeRelay.start();
  });
  afterEach(async () => {
    await world.dispose();
    await relay.close();
  });

  it('renders, redacts and snapshots without calling any of them', async () => {
    const app = world.startApp('app', { args: ['--require', REGISTER], env: world.agentEnv(relay.url, { AGENT_DIR: path.dirname(REGISTER) + path.sep }), entry: `${world.tmp.dir}/app.js` });
    await relay.waitForHello();
    await app.waitForLine(/^tick 3 /);
    // values, not whole objects: a logpoint rendering an object goes through Node's util.inspect, which calls
    // Array.prototype.push and the Map/Set iterators itself (README, known limits); snapshots walk objects here
    const log = logProbe({ file: 'app.js', line: LINE, template: 'memo={order.memo} pw={order.password} n={order.note} lc={String(order.nested.token).toUpperCase()} amt={order.amount * 2} size={meta.size}' });
    const snap = snapshotProbe({ file: 'app.js', line: LINE, maxHits: 3 });
    relay.add(log);
    relay.add(snap);
    const bound = await relay.waitForStatus(log.id, 'bound');
    assert.equal(bound.tier, 'inject', bound.reason);
    const [first] = await relay.waitForEvidence(log.id, 3).catch((e) => { console.log(app.stdoutLines.slice(-2).join('\n'), stderrLines(app)); throw e; });
    const snapshots = await relay.waitForItems(snap.id, 'snapshot', 3);
    const ticked = app.stdoutLines.filter((l) => l.startsWith('tick ')).length;
    await app.waitForLine(new RegExp(`^tick ${ticked + 2} `));

    assert.match(first!.message, /memo=paid with \[redacted\] /);
    assert.match(first!.message, /pw=\[redacted\]/);
    assert.match(first!.message, /amt=14 size=2$/);
    assert.match(first!.message, /lc=ABC/);
    assert.ok(!first!.message.includes('hunter2') && !first!.message.includes('4111 1111'), first!.message);
    const locals = snapshots[0]!.frames[0]!.locals!.map((l) => l.name);
    assert.deepEqual(['order', 'meta', 'tags'].filter((n) => locals.includes(n)), ['order', 'meta', 'tags']);
    assert.ok(!JSON.stringify(snapshots).includes('hunter2'));

    const last = app.stdoutLines.filter((l) => l.startsWith('tick ')).at(-1)!;
    assert.match(last, / wrappers=0 \[\]$/, `the program's wrappers ran: ${last}`);
    assert.deepEqual(stderrLines(app), []);
  });
});
