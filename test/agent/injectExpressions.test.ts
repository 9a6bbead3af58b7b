import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { RUNTIME_GLOBAL } from '../../agent/expr/allowlist';
import { compileExpression } from '../../agent/expr/compile';
import { createProbeRuntime } from '../../agent/expr/runtime';
import { describeThrown, formatValue } from '../../agent/hook/formatValue';

type Scope = Record<string, unknown>;

/** Installs a runtime whose hook calls do nothing (only the guards matter here); returns an uninstaller. */
function installRuntime(): () => void {
  const runtime = createProbeRuntime({ admit: () => true, ready: () => true, cond: (_id, v) => !!v, hit: () => undefined, err: (e) => describeThrown(e), snap: () => undefined });
  const had = Object.getOwnPropertyDescriptor(globalThis, RUNTIME_GLOBAL);
  Object.defineProperty(globalThis, RUNTIME_GLOBAL, { value: runtime, configurable: true });
  return () => (had ? Object.defineProperty(globalThis, RUNTIME_GLOBAL, had) : delete (globalThis as Record<string, unknown>)[RUNTIME_GLOBAL]);
}

/** Compiles `source` with `scope` as its declared names (as the agent's worker does), for running there later. */
function compiled(source: string, scope: Scope): () => unknown {
  const code = compileExpression(source, { isDeclared: (name) => Object.hasOwn(scope, name) });
  assert.ok(!/[\n\r\u2028\u2029]/.test(code), `one line: ${code}`);
  const fn = new Function(...Object.keys(scope), `return ${code}`);
  const args = Object.values(scope);
  return () => {
    try {
      return Reflect.apply(fn, undefined, args) as unknown; // no spread: a test patches the array iterator
    } catch (e) {
      return describeThrown(e);
    }
  };
}

/** Compiles and evaluates `source` in `scope`, as injected code would. */
function evaluate(source: string, scope: Scope): unknown {
  return compiled(source, scope)();
}

const render = (value: unknown) => formatValue(value);

describe('agent: guarded expressions (compiled for injected code)', () => {
  let uninstall: () => void;
  before(() => (uninstall = installRuntime()));
  after(() => uninstall());

  const order = { amount: 15000, currency: 'EUR', items: [{ sku: 'a', qty: 2 }, { sku: 'b', qty: 0 }], tags: ['x', 'y'], note: null, when: new Date(0) };
  const scope: Scope = { order, amount: '15,000', n: 7, big: 3n, s: 'Hello World', m: new Map([['k', 1]]), arr: [3, 1, 2] };

  // benign expressions: the guarded result equals plain JS
  const sameAsJs = [
    'order.amount',
    'order["currency"]',
    'order.items[1].sku',
    'order.items.length',
    'order?.missing?.deep',
    'order.note ?? "none"',
    'typeof amount',
    'typeof nothingDeclared',
    'amount === "15,000"',
    'n * 2 + 1',
    'n % 4',
    'n ** 2',
    '-n',
    '~n',
    '!n',
    'n > 5 && n < 10',
    'n == "7"',
    'n != 8',
    'big * 2n',
    'big ** 4n',
    '`${n} items, ${s}`',
    '[n, s, [1, 2]]',
    '({ a: n, "b": s, 3: true })',
    'n > 5 ? "many" : "few"',
    '"amount" in order',
    'order instanceof Object',
    'arr instanceof Array',
    's.slice(0, 5)',
    's.toUpperCase()',
    's.includes("World")',
    's.split(" ")',
    's.padStart(14, "*")',
    's.at(-1)',
    's.length',
    's[0]',
    'arr.includes(2)',
    'arr.indexOf(1)',
    'arr.lastIndexOf(3)',
    'arr.slice(-2)',
    'arr.at(0)',
    'order.tags.includes("y")',
    'n.toFixed(2)',
    'n.toString(2)',
    'String(n)',
    'Number("42")',
    'Boolean(0)',
    'isNaN("x")',
    'parseInt("12px")',
    'parseFloat("1.5e3")',
    'Math.max(n, 3)',
    'Math.round(1.5)',
    'Number.isInteger(n)',
    'Array.isArray(arr)',
    'Object.keys(order)',
    'm.size',
    'undefined',
    'NaN',
    'Infinity',
    'void 0',
    '(n + 1) * 2',
    'Math.PI > 3',
  ];
  for (const source of sameAsJs) {
    it(`${source} evaluates as in plain JS`, () => {
      const plain = new Function(...Object.keys(scope), `return ${source}`)(...Object.values(scope)) as unknown;
      assert.deepEqual(evaluate(source, scope), plain);
    });
  }

  it('reads globals through the guard, and says which names do not exist', () => {
    assert.equal(evaluate('process.pid', scope), process.pid);
    assert.equal(render(evaluate('nope', scope)), '<error: ReferenceError: nope is not defined>');
    assert.equal(evaluate('typeof nope', scope), 'undefined');
    assert.equal(evaluate('Date.now() > 0', scope), true);
  });

  it('never runs a getter, a Proxy trap or a conversion, and says so', () => {
    let ran = 0;
    const hostile = {
      get g() {
        return ++ran;
      },
      valueOf: () => ++ran,
      toString: () => String(++ran),
      [Symbol.toPrimitive]: () => ++ran,
    };
    const proxy = new Proxy({}, { get: () => ++ran, has: () => !!++ran, getPrototypeOf: () => (ran++, null), ownKeys: () => (ran++, []) });
    const withIndexGetter = [1, 2];
    Object.defineProperty(withIndexGetter, 0, { get: () => ++ran });
    const local: Scope = { hostile, proxy, withIndexGetter, s: 'x' };
    const refusals: Array<[string, RegExp]> = [
      ['hostile.g', /"g" is a getter; probes never invoke accessors/],
      ['hostile + 1', /converted to a primitive/],
      ['`${hostile}`', /converted to a primitive/],
      ['hostile > 1', /converted to a primitive/],
      ['hostile == 1', /converted to a primitive/],
      ['String(hostile)', /converted to a primitive/],
      ['Math.abs(hostile)', /converted to a primitive/],
      ['s[hostile]', /an object used as a property key/],
      ['s.padStart(hostile)', /converted to a primitive/],
      ['proxy.a', /Proxy/],
      ['"a" in proxy', /Proxy/],
      ['proxy instanceof Object', /Proxy/],
      ['Object.keys(proxy)', /Proxy/],
      ['withIndexGetter.includes(1)', /"0" is a getter/],
      ['withIndexGetter[0]', /"0" is a getter/],
      ['hostile.toString()', /only allowed on strings and numbers, not on an object/],
    ];
    for (const [source, reason] of refusals) assert.match(render(evaluate(source, local)), reason, source);
    assert.equal(evaluate('hostile === hostile', local), true, 'identity needs no conversion');
    assert.equal(evaluate('withIndexGetter.length', local), 2);
    assert.equal(render(evaluate('proxy', local)), '{}', 'rendering a Proxy shows its target without traps');
    assert.equal(ran, 0);
  });

  it('refuses work that would not be bounded', () => {
    const huge = new Array(200_000).fill(0);
    const local: Scope = { huge, big: 2n, s: 'x' };
    assert.match(render(evaluate('huge.includes(1)', local)), /over 200000 array items/);
    assert.match(render(evaluate('huge.slice()', local)), /over 200000 array items/);
    assert.match(render(evaluate('Object.keys(huge)', local)), /over 100000 items/);
    assert.match(render(evaluate('big ** 10000000n', local)), /bigint power of over 1000000 bits/);
    assert.match(render(evaluate('big << 10000000n', local)), /bigint shift of over 1000000 bits/);
    assert.match(render(evaluate('s.padEnd(1e9)', local)), /padEnd past 10000 characters/);
    assert.equal(evaluate('huge.slice(0, 3).length', local), 3);
  });

  it('keeps using the built-ins it captured when the program patches them', () => {
    const saved = { push: Array.prototype.push, has: Set.prototype.has, iterator: Array.prototype[Symbol.iterator], slice: String.prototype.slice, String: globalThis.String };
    const probes = {
      stringSlice: compiled('s.slice(1, 3)', { s: 'abcd' }),
      arraySlice: compiled('a.slice(1)', { a: [1, 2, 3] }),
      includes: compiled('a.includes(3)', { a: [1, 2, 3] }),
      toString: compiled('String(5)', {}),
      missing: compiled('o.constructorish', { o: {} }),
    };
    let ran = 0;
    let results: unknown[] = [];
    try {
      Array.prototype.push = function () {
        return ++ran;
      };
      Set.prototype.has = function () {
        return !!++ran;
      };
      Array.prototype[Symbol.iterator] = function* () {
        ran++;
      } as unknown as typeof saved.iterator;
      String.prototype.slice = function () {
        return String(++ran);
      };
      results = [probes.stringSlice(), probes.arraySlice(), probes.includes(), probes.toString(), probes.missing()];
    } finally {
      Array.prototype.push = saved.push;
      Set.prototype.has = saved.has;
      Array.prototype[Symbol.iterator] = saved.iterator;
      String.prototype.slice = saved.slice;
    }
    assert.deepEqual(results, ['bc', [2, 3], true, '5', undefined]);
    assert.equal(ran, 0);
  });

  it('reads an error stack only while Error.prepareStackTrace is unset', () => {
    const saved = Error.prepareStackTrace;
    Error.prepareStackTrace = undefined as unknown as typeof saved;
    try {
      assert.match(String(evaluate('err.stack', { err: new Error('boom') })), /^Error: boom/);
    } finally {
      Error.prepareStackTrace = saved;
    }
    let ran = 0;
    Error.prepareStackTrace = () => String(++ran);
    try {
      assert.match(render(evaluate('fresh.stack', { fresh: new Error('x') })), /Error\.prepareStackTrace/);
    } finally {
      Error.prepareStackTrace = saved;
    }
    assert.equal(ran, 0);
  });

  it('gives probe code a frozen runtime without a prototype, in V8 fast mode (so optimised code can inline its calls)', () => {
    const runtime = createProbeRuntime({ admit: () => true, ready: () => true, cond: (_id, v) => !!v, hit: () => undefined, err: (e) => describeThrown(e), snap: () => undefined });
    assert.equal(Object.getPrototypeOf(runtime), null, 'nothing inherited a program could patch');
    assert.ok(Object.isFrozen(runtime));
    // %HasFastProperties needs a V8 flag this process does not have: ask a child that has it
    const script = `const { createProbeRuntime, INERT_RUNTIME } = require(${JSON.stringify(require.resolve('../../agent/expr/runtime'))});
      const r = createProbeRuntime({ admit: () => true, ready: () => true, cond: () => true, hit() {}, err: (e) => e, snap() {} });
      process.stdout.write(JSON.stringify([%HasFastProperties(r), %HasFastProperties(INERT_RUNTIME)]));`;
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), [true, true], 'a dictionary-mode runtime costs every probe execution a hash lookup per call');
  });

  it('emits one line whatever the source spans, without comments', () => {
    const code = compileExpression('`a\nb` + "\\u2028" /* c */ + x', { isDeclared: () => true });
    assert.ok(!/[\n\r\u2028\u2029]/.test(code));
    assert.equal(new Function('x', `return ${code}`)('!'), 'a\nb\u2028!');
  });

  it('without a scope (breakpoint conditions) reads names as written, after checking they are not global accessors', () => {
    const code = compileExpression('a + typeof b', {});
    assert.equal(code, `(${RUNTIME_GLOBAL}.p((${RUNTIME_GLOBAL}.gc("a"), a)) + (${RUNTIME_GLOBAL}.gc("b"), typeof b))`);
  });
});
