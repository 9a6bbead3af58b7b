import assert from 'node:assert/strict';
import http from 'node:http';
import type { ProbeSpec, ProbeStatus } from '../../backend/protocol/probe';
import type { Child } from '../support/proc';
import { FakeRelay } from './helpers/fakeRelay';
import { HOSTILE_LINES, HOSTILE_SERVICE_JS } from './helpers/hostileService';
import { logProbe } from './helpers/probes';
import { FixtureWorld, REGISTER, stderrLines } from './helpers/service';
import { sleep, waitUntil } from './helpers/wait';

/** Rejected before it reaches the program: the error status must match. */
type Rejected = [source: string, reason: RegExp];
/** Evaluated inside the program: the logged value must match, and nothing may happen (see the final check). */
type Evaluated = [source: string, value: RegExp];

const REFUSED = (what: string) => new RegExp(`^<error: refused: .*${what}`);
const PROXY = REFUSED('Proxy');
const GETTER = REFUSED('getter; probes never invoke accessors');
const COERCION = REFUSED('converted to a primitive');

const rejected: Rejected[] = [
  ['amount = 1', /assignments are not allowed/],
  ['amount += 1', /assignments are not allowed/],
  ['amount ||= 1', /assignments are not allowed/],
  ['amount &&= 0', /assignments are not allowed/],
  ['obj.plain ??= 3', /assignments are not allowed/],
  ['obj.plain = 2', /assignments are not allowed/],
  ['obj.items.length = 0', /assignments are not allowed/],
  ['obj.plain++', /\+\+ and -- are not allowed/],
  ['++amount', /\+\+ and -- are not allowed/],
  ['amount--', /\+\+ and -- are not allowed/],
  ['delete obj.plain', /`delete` is not allowed/],
  ['obj.items.push(4)', /calls are not allowed except to pure built-ins .*\.push\(\) is not one of them/],
  ['obj.items.pop()', /\.pop\(\) is not one of them/],
  ['obj.items.splice(0)', /\.splice\(\) is not one of them/],
  ['obj.items.sort()', /\.sort\(\) is not one of them/],
  ['obj.items.reverse()', /\.reverse\(\) is not one of them/],
  ['obj.items.fill(0)', /\.fill\(\) is not one of them/],
  ['obj.items.map((x) => x)', /\.map\(\) is not one of them/],
  ['process.exit()', /\.exit\(\) is not one of them/],
  ['process.exit(1)', /\.exit\(\) is not one of them/],
  ['process.kill(process.pid)', /\.kill\(\) is not one of them/],
  ['process.abort()', /\.abort\(\) is not one of them/],
  ['globalThis.process.exit()', /\.exit\(\) is not one of them/],
  ["require('fs')", /require\(\) is not one of them/],
  ['require("child_process").execSync("touch /tmp/pwned")', /calls are not allowed/],
  ["import('fs')", /import\(\) is not allowed/],
  ['new Function("return process")()', /`new` is not allowed|calls are not allowed/],
  ['Function("return 1")()', /calls are not allowed/],
  ['eval("1")', /eval\(\) is not one of them/],
  ['obj.constructor', /the property "constructor" is not allowed/],
  ['obj.constructor.constructor("return process")()', /calls are not allowed|"constructor" is not allowed/],
  ['obj["constructor"]', /the property "constructor" is not allowed/],
  ['this.constructor', /the property "constructor" is not allowed/],
  ['obj.__proto__', /the property "__proto__" is not allowed/],
  ['obj["__proto__"]', /the property "__proto__" is not allowed/],
  ['obj.__defineGetter__', /the property "__defineGetter__" is not allowed/],
  ['obj.__lookupGetter__("getter")', /calls are not allowed|"__lookupGetter__" is not allowed/],
  ['Object.assign(obj, { plain: 2 })', /calls are not allowed/],
  ['Object.defineProperty(obj, "x", { value: 1 })', /calls are not allowed/],
  ['Object.setPrototypeOf(obj, null)', /calls are not allowed/],
  ['Reflect.set(obj, "plain", 2)', /calls are not allowed/],
  ['JSON.parse("{}")', /calls are not allowed/],
  ['console.log("x")', /\.log\(\) is not one of them/],
  ['setTimeout(() => 1)', /calls are not allowed/],
  ['(() => 1)()', /calls are not allowed|function literals are not allowed/],
  ['x => x', /function literals are not allowed/],
  ['function () { return 1 }', /function literals are not allowed/],
  ['async () => 1', /function literals are not allowed/],
  ['(function f() { return f() })()', /calls are not allowed|function literals are not allowed/],
  ['class {}', /class literals are not allowed/],
  ['new Date()', /`new` is not allowed/],
  ['new Proxy({}, {})', /`new` is not allowed/],
  ['await obj', /does not parse|`await` is not allowed|unexpected text after the expression/],
  ['yield 1', /does not parse|unexpected text|`yield` is not allowed/],
  ['obj, amount', /comma sequences are not allowed/],
  ['String.raw`x`', /tagged templates are not allowed/],
  ['[...obj.items]', /spread \(\.\.\.\) is not allowed/],
  ['({ ...obj })', /spread \(\.\.\.\) is not allowed/],
  ['Math.random()', /\.random\(\) is not one of them/],
  ['obj.fn()', /\.fn\(\) is not one of them/],
  ['obj?.fn()', /\.fn\(\) is not one of them/],
  ['obj.items?.push?.(1)', /optional calls \?\.\(\) are not supported/],
  ['obj.valueOf()', /\.valueOf\(\) is not one of them/],
  ['Symbol.for("x")', /calls are not allowed/],
  ['Atomics.wait(new Int32Array(4), 0, 0)', /calls are not allowed|`new` is not allowed/],
  ['structuredClone(obj)', /structuredClone\(\) is not one of them/],
  ['queueMicrotask(obj.fn)', /queueMicrotask\(\) is not one of them/],
  ['super.x', /does not parse|`super` is not allowed/],
  ['new.target', /does not parse|new\.target is not allowed/],
  ['import.meta', /does not parse|import\.meta is not allowed/],
  ['while (true) {}', /does not parse/],
  ['for (;;) {}', /does not parse/],
  ['debugger', /does not parse/],
  ['throw obj', /does not parse/],
  ['amount; process.exit()', /unexpected text after the expression/],
  ['obj["const" + "ructor"]', /computed property keys must be a literal or an identifier/],
  ['obj[obj.plain]', /computed property keys must be a literal or an identifier/],
  ['__runtruth$rt.admit("p")', /reserved for the agent|\.admit\(\) is not one of them/],
  ['__runtruth$rt', /reserved for the agent/],
  ['#priv in obj', /does not parse|private fields/],
  ['label: 1', /does not parse|unexpected text/],
  ['{ get x() { return obj.fn() } }', /getters and setters are not allowed|unexpected text|does not parse/],
  [`deep${'.a'.repeat(900)}`, /is nested too deeply \(901 levels; at most 100\)/],
  [`${'('.repeat(300)}amount${')'.repeat(300)}`, /is nested too deeply/],
];

const evaluated: Evaluated[] = [
  ['amount', /^\d+$/],
  ['obj.plain', /^1$/],
  ['obj.getter', GETTER],
  ['obj.setter', REFUSED('setter-only accessor')],
  ['inherit.protoGetter', GETTER],
  ['({ a: obj.getter })', GETTER],
  ['obj.nested.a.b', /^deep$/],
  ['obj.fn', /^\[Function: fn\]$/],
  ['obj', /^\{ plain: 1, str: 'Hello', .*getter: \[Getter\]/],
  ['Object.keys(obj)', /^\[\s*'plain',/],
  ['prox.a', PROXY],
  ['prox.anything.deeper', PROXY],
  ['"a" in prox', PROXY],
  ['typeof prox', /^object$/],
  ['prox === prox', /^true$/],
  ['prox', /^\[Proxy\]$|^\{ a: 1 \}$/],
  ['[obj.plain, prox]', /^\[ 1, (\[Proxy\]|\{ a: 1 \}) \]$/],
  ['Object.keys(prox)', PROXY],
  ['Array.isArray(proxArr)', /^true$/],
  ['proxArr.includes(1)', PROXY],
  ['proxArr[0]', PROXY],
  ['proxArr.length', PROXY],
  ['coercer', /^\{ \[?Symbol\(Symbol\.toPrimitive\)\]?: \[Function/], // util.inspect brackets symbol keys on Node 20, not on 24
  ['coercer + 1', COERCION],
  ['coercer * 2', COERCION],
  ['-coercer', COERCION],
  ['coercer > 0', COERCION],
  ['coercer == 1', COERCION],
  ['coercer != 1', COERCION],
  ['`${coercer}`', COERCION],
  ['String(coercer)', COERCION],
  ['Number(valueOfer)', COERCION],
  ['valueOfer + ""', COERCION],
  ['valueOfer < 3', COERCION],
  ['toStr + "!"', COERCION],
  ['toStr.toUpperCase()', REFUSED('\\.toUpperCase\\(\\) is only allowed on strings, not on an object')],
  ['Math.max(valueOfer, 1)', COERCION],
  ['isNaN(valueOfer)', COERCION],
  ['parseInt(toStr)', COERCION],
  ['obj[keyObj]', REFUSED('an object used as a property key')],
  ['obj[ctorKey]', REFUSED('the property "constructor" is not allowed')],
  ['obj[protoKey]', REFUSED('the property "__proto__" is not allowed')],
  ['Number.isNaN(coercer)', /^false$/],
  ['Boolean(coercer)', /^true$/],
  ['!coercer', /^false$/],
  ['coercer && 1', /^1$/],
  ['void coercer', /^undefined$/],
  ['coercer === coercer', /^true$/],
  ['coercer == null', /^false$/],
  ['obj.items.includes(coercer)', /^false$/],
  ['obj.items.indexOf(2)', /^1$/],
  ['obj.items.slice(1)', /^\[ 2, 3 \]$/],
  ['obj.items.at(-1)', /^3$/],
  ['obj.items?.includes(2)', /^true$/],
  ['obj?.missing?.deeper', /^undefined$/],
  ['obj.missing.deeper', /^<error: TypeError: Cannot read properties of undefined \(reading 'deeper'\)>$/],
  ['arrGetter[0]', GETTER],
  ['arrGetter.includes(9)', GETTER],
  ['arrGetter.indexOf(3)', GETTER],
  ['arrGetter.length', /^3$/],
  ['fakeArray.includes(1)', REFUSED('\\.includes\\(\\) is only allowed on strings and arrays, not on an object')],
  ['fakeArray.slice(0)', REFUSED('\\.slice\\(\\) is only allowed on strings and arrays')],
  ['patchedArr.includes(2)', /^true$/],
  ['hugeString.length', /^1000000$/],
  ['hugeString.slice(0, 5)', /^xxxxx$/],
  ['hugeString.padStart(1e9)', REFUSED('padStart past 10000 characters')],
  ['"x".padEnd(20000)', REFUSED('padEnd past 10000 characters')],
  ['hugeString.includes("y")', /^false$/],
  ['hugeString + hugeString', /^x+…\[truncated\]$/],
  ['`${hugeString}${hugeString}`.length', /^2000000$/],
  ['hugeArray.length', /^1000000$/],
  ['hugeArray.includes(1)', REFUSED('over 1000000 array items')],
  ['hugeArray.slice(0, 200000)', REFUSED('over 200000 array items')],
  ['Object.keys(hugeArray)', REFUSED('Object\\.keys of a collection over')],
  ['hugeArray[999999]', /^0$/],
  ['[hugeArray, hugeArray]', /^\[\s*\[\s*0,/],
  [`deep${'.a'.repeat(90)}`, /^\{ a: \{ a: \{ a: \[Object\] \} \} \}$/],
  ['2n ** 100000000n', REFUSED('a bigint power of over')],
  ['big << 100000000n', REFUSED('a bigint shift of over')],
  ['big ** 10n', /^1024n$/],
  ['map.size', /^1$/],
  ['mapSub.size', GETTER],
  ['obj instanceof Object', /^true$/],
  ['obj instanceof HasInstanceTrap', REFUSED('own Symbol\\.hasInstance')],
  ['obj instanceof bound', REFUSED('no prototype object')],
  ['err.message', /^boom$/],
  ['err.stack', REFUSED("Error\\.prepareStackTrace")],
  ['regex.source', /^ab\+c$/],
  ['regex.lastIndex', /^0$/],
  ['sym.description', /^s$/],
  ['sym.toString()', REFUSED('\\.toString\\(\\) is only allowed on strings and numbers, not on a symbol')],
  ['cyclic.self.self.self === cyclic', /^true$/],
  ['globalGetter', GETTER],
  ['globalThis.globalGetter', GETTER],
  ['typeof globalGetter', GETTER],
  ['this', /^undefined$/],
  ['this.x', /^<error: TypeError: Cannot read properties of undefined \(reading 'x'\)>$/],
  ['undeclaredThing', /^<error: ReferenceError: undeclaredThing is not defined>$/],
  ['typeof undeclaredThing', /^undefined$/],
  ['arguments.length', /^1$/],
  ['process.pid > 0', /^true$/],
  ['process.env.PATH.length > 0', /^true$/],
  ['Date.now() > 0', /^true$/],
  ['obj.str.toUpperCase()', /^HELLO$/],
  ['amount.toFixed(2)', /^\d+\.00$/],
  ['amount.toFixed(1000)', /^<error: RangeError: toFixed\(\) digits argument must be between 0 and 100>$/],
  ['amount /* a comment */ + 1', /^\d+$/],
  ["'\\u2028' + amount", /^\u2028\d+$/],
  ['globalThis.__runtruth$rt === globalThis.__runtruth$rt', /^true$/],
];

/** Expressions the breakpoint tier evaluates (a line where no statement starts): guarded the same way. */
const onBreakpoints: Evaluated[] = [
  ['amount', /^\d+$/],
  ['obj.getter', GETTER],
  ['prox.a', PROXY],
  ['coercer + 1', COERCION],
  ['String(valueOfer)', COERCION],
  ['arrGetter.includes(1)', GETTER],
  ['globalGetter', GETTER],
  ['typeof globalGetter', GETTER],
  ['undeclaredThing', /^<error: ReferenceError: undeclaredThing is not defined>$/],
  ['typeof undeclaredThing', /^undefined$/],
  ['obj.plain + amount', /^\d+$/],
  ['err.stack', REFUSED("Error\\.prepareStackTrace")],
  ['mapSub.size', GETTER],
  ['toStr.toUpperCase()', REFUSED('only allowed on strings')],
];

/** Conditions: rejected like expressions; refused ones mean "no", and nothing runs. */
const conditions: Array<[condition: string, outcome: 'fires' | 'never' | RegExp]> = [
  ['amount > 0 && obj.plain === 1', 'fires'],
  ['obj.str.startsWith("He")', 'fires'],
  ['obj.getter > 1', 'never'],
  ['coercer > 0', 'never'],
  ['prox.a === 1', 'never'],
  ['amount = 0', /assignments are not allowed/],
  ['process.exit()', /\.exit\(\) is not one of them/],
];

interface Outcome {
  status?: ProbeStatus;
  message?: string;
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** Probes placed at a time. */
const BATCH = 15;

describe('agent: hostile expressions against a real service', function () {
  this.timeout(180_000);
  let world: FixtureWorld;
  let relay: FakeRelay;
  let app: Child;
  let port: number;
  let traffic: { running: boolean; served: number; wrong: string[]; done?: Promise<void> };
  let stateBefore: { counter: number; effects: string[] };
  const outcomes = new Map<string, Outcome>();
  const probes: Array<{ spec: ProbeSpec; group: string; source: string }> = [];

  before(async () => {
    world = new FixtureWorld({ 'service.js': HOSTILE_SERVICE_JS });
    relay = await FakeRelay.start();
    app = world.startApp('hostile', { args: ['--require', REGISTER], env: world.agentEnv(relay.url), entry: `${world.tmp.dir}/service.js` });
    port = Number((await app.waitForLine(/listening on (\d+)/))[1]);
    await relay.waitForHello();
    stateBefore = JSON.parse((await get(port, '/state')).body) as { counter: number; effects: string[] };

    traffic = { running: true, served: 0, wrong: [] };
    traffic.done = (async () => {
      for (let n = 1; traffic.running; n++) {
        const r = await get(port, `/?amount=${n}`).catch((e: Error) => ({ status: 0, body: e.message }));
        const expected = JSON.stringify({ ok: true, amount: n, label: 'amount' });
        if (r.status !== 200 || r.body !== expected) traffic.wrong.push(`${r.status} ${r.body}`);
        traffic.served++;
        await sleep(15);
      }
    })();

    const add = (group: string, source: string, fields: Partial<Extract<ProbeSpec, { kind: 'log' }>>, line: number) => {
      probes.push({ spec: logProbe({ file: 'service.js', line, template: 'v={x}', ...fields }), group, source });
    };
    // as conditions: the checker is the same for both, and a condition needs no template escaping
    for (const [source] of rejected) add('rejected', source, { template: 'x', condition: source }, HOSTILE_LINES.inject);
    for (const [source] of evaluated) add('evaluated', source, { template: `{${source}}` }, HOSTILE_LINES.inject);
    for (const [source] of onBreakpoints) add('breakpoint', source, { template: `{${source}}` }, HOSTILE_LINES.breakpoint);
    for (const [condition] of conditions) add('condition', condition, { template: 'fired', condition }, HOSTILE_LINES.inject);

    // in batches (a function with a hundred probes in it is busy enough that V8 often finds it running when asked
    // to edit it); each probe settles with an error status or one piece of evidence, and then leaves
    const settled = new Set<string>();
    const servedWhenBound = new Map<string, number>();
    for (let from = 0; from < probes.length; from += BATCH) {
      const batch = probes.slice(from, from + BATCH);
      for (const { spec } of batch) relay.add(spec);
      await settle(batch);
    }

    async function settle(batch: typeof probes): Promise<void> {
      const settledOne = ({ spec, group, source }: (typeof probes)[number]): boolean => {
        const statuses = relay.statusesOf(spec.id);
        const error = statuses.find((s) => s.state === 'error');
        // an evaluated probe counts once injected code reported (V8 may first refuse the edit while the function runs)
        const bound = statuses.find((s) => s.state === 'bound' && (group !== 'evaluated' || s.tier === 'inject'));
        const evidence = relay.evidenceOf(spec.id).find((e) => !bound || Date.parse(e.at) >= Date.parse(bound.at));
        // a condition that must never fire: bound, then 50 requests with no evidence
        const never = group === 'condition' && conditions.find(([c]) => c === source)?.[1] === 'never';
        if (bound && !servedWhenBound.has(spec.id)) servedWhenBound.set(spec.id, traffic.served);
        const quietSinceBound = bound !== undefined && traffic.served >= servedWhenBound.get(spec.id)! + 50;
        if (!error && !(bound && evidence) && !(never && quietSinceBound)) return false;
        outcomes.set(spec.id, { status: error ?? bound, ...(evidence?.kind === 'log' ? { message: evidence.message } : {}) });
        if (!error) relay.remove(spec.id);
        return true;
      };
      const describeUnsettled = () =>
        batch
          .filter((p) => !settled.has(p.spec.id))
          .slice(0, 5)
          .map((p) => `${p.source.slice(0, 80)} (${relay.statusesOf(p.spec.id).map((s) => `${s.state}:${s.reason ?? ''}`).join(', ')})`)
          .join('; ');
      await waitUntil(
        () => {
          for (const p of batch) if (!settled.has(p.spec.id) && settledOne(p)) settled.add(p.spec.id);
          return batch.every((p) => settled.has(p.spec.id));
        },
        'every hostile probe to be rejected or to report',
        90_000,
        () => `settled ${settled.size}/${probes.length}; unsettled: ${describeUnsettled()}`,
      );
    }
  });

  after(async () => {
    if (traffic) traffic.running = false;
    await traffic?.done;
    await world?.dispose();
    await relay?.close();
  });

  const outcomeOf = (group: string, source: string): Outcome => {
    const probe = probes.find((p) => p.group === group && p.source === source)!;
    return outcomes.get(probe.spec.id)!;
  };

  describe(`${rejected.length} rejected before reaching the program`, () => {
    for (const [source, reason] of rejected) {
      it(`rejects ${source}`, () => {
        const { status, message } = outcomeOf('rejected', source);
        assert.equal(status?.state, 'error', `status: ${JSON.stringify(status)}`);
        assert.match(status!.reason!, reason);
        assert.equal(message, undefined);
      });
    }
  });

  describe(`${evaluated.length} evaluated by injected code without effect`, () => {
    for (const [source, value] of evaluated) {
      it(`evaluates ${source.length > 60 ? `${source.slice(0, 60)}…` : source}`, () => {
        const { status, message } = outcomeOf('evaluated', source);
        assert.equal(status?.tier, 'inject', `status: ${JSON.stringify(status)}`);
        assert.match(message ?? '<no evidence>', value);
      });
    }
  });

  describe(`${onBreakpoints.length} evaluated by the breakpoint tier without effect`, () => {
    for (const [source, value] of onBreakpoints) {
      it(`evaluates ${source}`, () => {
        const { status, message } = outcomeOf('breakpoint', source);
        assert.equal(status?.tier, 'breakpoint', `status: ${JSON.stringify(status)}`);
        assert.match(message ?? '<no evidence>', value);
      });
    }
  });

  describe(`${conditions.length} hostile conditions`, () => {
    for (const [condition, expected] of conditions) {
      it(`${expected instanceof RegExp ? 'rejects' : expected === 'fires' ? 'fires on' : 'never fires on'} ${condition}`, () => {
        const { status, message } = outcomeOf('condition', condition);
        if (expected instanceof RegExp) return assert.match(status?.reason ?? '', expected);
        assert.equal(status?.state, 'bound');
        assert.equal(message, expected === 'fires' ? 'fired' : undefined);
      });
    }
  });

  it('left the service exactly as it was: no side effect, every answer right, still serving', async () => {
    const state = JSON.parse((await get(port, '/state')).body) as { counter: number; effects: string[]; served: number };
    assert.deepEqual({ counter: state.counter, effects: state.effects }, { counter: stateBefore.counter, effects: stateBefore.effects });
    assert.deepEqual(traffic.wrong, []);
    assert.ok(traffic.served > 100, `served ${traffic.served}`);
    const after = await get(port, '/?amount=7');
    assert.deepEqual([after.status, after.body], [200, JSON.stringify({ ok: true, amount: 7, label: 'amount' })]);
    assert.deepEqual(stderrLines(app), []);
    assert.equal(relay.invalid.length, 0);
  });
});
