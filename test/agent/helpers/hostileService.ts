/**
 * A real HTTP service whose probed function has hostile values in scope: getters, Proxies whose every trap
 * records, objects with valueOf/toString/Symbol.toPrimitive, huge strings and arrays, a deep chain, a global
 * getter, an Error.prepareStackTrace hook. Everything any of them does lands in `effects` (and bumps `counter`),
 * which GET /state reports: a probe that ran program code shows up there. POST-free: GET /?amount=N answers
 * handle()'s result, so the test can check the service keeps serving the same answers.
 */
export const HOSTILE_SERVICE_JS = `'use strict';
const http = require('http');
const effects = [];
let counter = 0;
let served = 0;
const note = (what) => { counter++; effects.push(what); };

const trapLogger = new Proxy({}, { get: (_, trap) => (...args) => { note('trap ' + String(trap)); return Reflect[trap](...args); } });
const protoWithGetter = { get protoGetter() { note('protoGetter'); return 1; } };
const arrGetter = [1, 2, 3];
Object.defineProperty(arrGetter, 0, { get() { note('index getter'); return 9; }, enumerable: true });
const patchedArr = [1, 2, 3];
patchedArr.includes = () => { note('own includes'); return false; };
let deep = {};
for (let i = 0; i < 2000; i++) deep = { a: deep };
const cyclic = {};
cyclic.self = cyclic;
class MapSub extends Map { get size() { note('MapSub size'); return 0; } }
class HasInstanceTrap { static [Symbol.hasInstance](x) { note('hasInstance'); return true; } }
Object.defineProperty(globalThis, 'globalGetter', { get() { note('globalGetter'); return 1; }, configurable: true });
Error.prepareStackTrace = (e, frames) => { note('prepareStackTrace'); return 'stack'; };
const values = {
  obj: {
    plain: 1,
    str: 'Hello',
    items: [1, 2, 3],
    nested: { a: { b: 'deep' } },
    get getter() { note('getter'); return 42; },
    set setter(v) { note('setter'); },
    fn() { note('fn'); return 1; },
    toString() { note('obj.toString'); return 'x'; },
    valueOf() { note('obj.valueOf'); return 1; },
  },
  inherit: Object.create(protoWithGetter),
  prox: new Proxy({ a: 1 }, trapLogger),
  proxArr: new Proxy([1, 2, 3], trapLogger),
  coercer: { [Symbol.toPrimitive]() { note('toPrimitive'); return 1; } },
  valueOfer: { valueOf() { note('valueOf'); return 2; } },
  toStr: { toString() { note('toString'); return 's'; }, toUpperCase() { note('toUpperCase'); return 'S'; } },
  keyObj: { toString() { note('key toString'); return 'plain'; } },
  hugeString: 'x'.repeat(1000000),
  hugeArray: new Array(1000000).fill(0),
  deep,
  arrGetter,
  fakeArray: { includes() { note('fake includes'); return true; }, slice() { note('fake slice'); return []; }, length: 3 },
  patchedArr,
  map: new Map([[1, 2]]),
  mapSub: new MapSub([[1, 2]]),
  HasInstanceTrap,
  bound: function () {}.bind(null),
  err: new Error('boom'),
  regex: /ab+c/gi,
  sym: Symbol('s'),
  cyclic,
  big: 2n,
  ctorKey: 'constructor',
  protoKey: '__proto__',
};

function handle(order) {
  const amount = order.amount;
  const { obj, inherit, prox, proxArr, coercer, valueOfer, toStr, keyObj, hugeString, hugeArray, deep, arrGetter, fakeArray, patchedArr, map, mapSub, HasInstanceTrap, bound, err, regex, sym, cyclic, big, ctorKey, protoKey } = values;
  const result = { ok: amount > 0, amount };
  const label = [
    'amount',
  ].join('');
  return { ...result, label };
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/state') return res.end(JSON.stringify({ counter, effects, served }));
  served++;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(handle({ amount: Number(url.searchParams.get('amount')) })));
});
server.listen(0, '127.0.0.1', () => console.log('listening on ' + server.address().port));
process.on('message', (m) => { if (m === 'stop') { server.close(); process.disconnect(); } });
`;

const lineOf = (marker: string) => HOSTILE_SERVICE_JS.split('\n').findIndex((l) => l.includes(marker)) + 1;

/** Lines of HOSTILE_SERVICE_JS that probes go on. */
export const HOSTILE_LINES = {
  /** A statement starts here: probes are injected. */
  inject: lineOf('const result = {'),
  /** Inside an array literal: no statement starts, so probes run on the breakpoint tier. */
  breakpoint: lineOf("    'amount',"),
} as const;
