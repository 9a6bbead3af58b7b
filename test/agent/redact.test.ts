import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Blocklist } from '../../agent/redact/blocklist';
import { redactForDisplay, restoreMarks } from '../../agent/redact/displayValue';
import { findCardNumbers, luhnValid } from '../../agent/redact/luhn';
import { expressionName, Redactor } from '../../agent/redact/rules';
import { FakeRelay } from './helpers/fakeRelay';
import { logProbe, snapshotProbe } from './helpers/probes';
import { AGENT_INDEX, FixtureWorld, REGISTER, waitForMoreTicks } from './helpers/service';

/** As the hook renders a logpoint value: no custom inspectors, then the stand-ins made bare. */
const show = (v: unknown) => restoreMarks(inspect(v, { depth: 3, customInspect: false, getters: false, breakLength: Infinity }));

describe('agent redaction: names, values, card numbers', () => {
  const r = new Redactor();

  it('withholds denylisted names however they are spelt', () => {
    for (const name of ['password', 'userPassword', 'DB_PASSWORD', 'x-api-key', 'apiKey', 'API_KEY', 'authorization', 'Cookie', 'set_cookie', 'accessToken', 'refresh_token', 'clientSecret', 'ssn', 'SSN', 'cvv', 'card_number', 'cardNumber', 'creditCard', 'privateKey', 'pin', 'auth']) {
      assert.equal(r.isSensitiveName(name), true, name);
    }
    for (const name of ['amount', 'limit', 'order', 'items', 'spinner', 'pending', 'author', 'userId', 'count', 'name']) {
      assert.equal(r.isSensitiveName(name), false, name);
    }
  });

  it('adds configured name and value rules', () => {
    const custom = new Redactor({ names: ['^email$', 'iban'], values: ['[\\w.]+@[\\w.]+'] });
    assert.equal(custom.isSensitiveName('email'), true);
    assert.equal(custom.isSensitiveName('EMAIL'), true, 'name rules are case-insensitive');
    assert.equal(custom.isSensitiveName('emailCount'), false);
    assert.deepEqual(custom.checkString('mail ada@example.com now'), { text: 'mail [redacted] now', redacted: true });
    assert.deepEqual(custom.checkString('nothing here'), { text: 'nothing here', redacted: false });
  });

  it('finds card numbers by Luhn, grouped or not, and leaves other digit runs alone', () => {
    assert.equal(luhnValid('4111111111111111'), true);
    assert.equal(luhnValid('4111111111111112'), false);
    assert.deepEqual(findCardNumbers('card 4111 1111 1111 1111 ok'), [[5, 24]]);
    assert.deepEqual(findCardNumbers('5500-0000-0000-0004'), [[0, 19]]);
    assert.deepEqual(findCardNumbers('order 4111111111111112 and ts 1700000000000'), [], 'not Luhn-valid, or too short');
    assert.deepEqual(findCardNumbers('0000000000000000'), [], 'a run of one digit is not a card');
    assert.equal(r.checkString('pay 4111111111111111.').text, 'pay [redacted].');
    assert.equal(new Redactor({ cardNumbers: false }).checkString('4111111111111111').redacted, false);
  });

  it('names an expression by its last identifier', () => {
    assert.equal(expressionName('user.password'), 'password');
    assert.equal(expressionName('creds["apiKey"]'), 'apiKey');
    assert.equal(expressionName('amount'), 'amount');
    assert.equal(expressionName('a + b'), 'b');
    assert.equal(expressionName('f(x)'), undefined);
  });

  it('redacts inside logpoint values without running getters or Proxy traps, and copies only when needed', () => {
    let getterRuns = 0;
    let trapRuns = 0;
    class User {
      name = 'ada';
      password = 'hunter2';
      nested = { token: 'abc', keep: 1, note: 'card 4111111111111111' };
      get secretly() {
        getterRuns++;
        return 'x';
      }
    }
    const plain = { amount: 5, items: [1, 2] };
    assert.equal(redactForDisplay(plain, r), plain, 'nothing sensitive: the same object, no copy');
    const shown = show(redactForDisplay(new User(), r));
    assert.match(shown, /^User \{/, 'the class name survives');
    assert.match(shown, /password: \[redacted\]/);
    assert.match(shown, /token: \[redacted\]/);
    assert.match(shown, /note: 'card \[redacted\]'/);
    assert.match(shown, /keep: 1/);
    assert.doesNotMatch(shown, /hunter2|abc'/);
    const traps = { get: () => (trapRuns++, 1), ownKeys: () => (trapRuns++, []), getOwnPropertyDescriptor: () => (trapRuns++, undefined) };
    const secretProxy = new Proxy({ password: 'x' }, traps);
    assert.equal(show(redactForDisplay({ p: secretProxy }, r)), '{ p: [Proxy] }', 'a Proxy over something sensitive is withheld whole');
    const plainProxy = new Proxy({ a: 1 }, traps);
    assert.equal(show(redactForDisplay([1, plainProxy], r)), '[ 1, { a: 1 } ]', 'a clean one shows its target, as the formatter does');
    const map = new Map<string, unknown>([['apiKey', 'k'], ['x', 1]]);
    assert.equal(show(redactForDisplay(map, r)), "Map(2) { 'apiKey' => [redacted], 'x' => 1 }");
    assert.equal(getterRuns, 0);
    assert.equal(trapRuns, 0);
  });

  it('blocks files by glob, matched at any directory boundary', () => {
    const b = new Blocklist(['src/secrets/**', '*.pem', '/abs/only.js']);
    assert.deepEqual(b.blocked('src/secrets/keys.js'), { glob: 'src/secrets/**', path: 'src/secrets/keys.js' });
    assert.ok(b.blocked('file:///srv/app/src/secrets/deep/keys.js'));
    assert.ok(b.blocked('/srv/app/cert.pem'));
    assert.ok(b.blocked('/abs/only.js'));
    assert.equal(b.blocked('/srv/abs/only.js'), undefined, 'a pattern starting with / is anchored');
    assert.equal(b.blocked('src/mysecrets/keys.js'), undefined);
    assert.equal(b.blocked(undefined, 'src/validate.js'), undefined);
  });
});

describe('agent redaction in a running service', function () {
  this.timeout(60_000);
  let world: FixtureWorld;
  let relay: FakeRelay;

  beforeEach(async () => {
    world = new FixtureWorld({
      'src/login.js': `'use strict';
function login(user) {
  const password = user.password;
  const memo = 'card 4111 1111 1111 1111 exp 12/30';
  return password.length > 3 && memo.length > 0;
}
module.exports = { login };
`,
      'src/secrets/keys.js': "'use strict';\nmodule.exports = function key() {\n  return 'k';\n};\n",
      'login-app.js': `'use strict';
const { login } = require('./src/login');
const key = require('./src/secrets/keys');
let tick = 0;
setInterval(() => { login({ name: 'ada', email: 'ada@example.com', password: 'hunter2', apiKey: 'k-123' }); key(); console.log('tick ' + tick++); }, 20);
`,
      // the API entry: start() with options the environment cannot carry
      'api-entry.js': `'use strict';
require(process.env.AGENT_INDEX).start({
  relay: process.env.RUNTRUTH_RELAY, agentKey: process.env.RUNTRUTH_AGENT_KEY, service: 'svc', logFile: process.env.RUNTRUTH_LOG_FILE,
  redaction: { names: ['^email$'], values: ['k-\\d+'] },
  blocklist: ['src/secrets/**'],
});
require('./login-app');
`,
    });
    relay = await FakeRelay.start();
  });
  afterEach(async () => {
    await world.dispose();
    await relay.close();
    assert.deepEqual(relay.invalid, []);
  });

  it('withholds secrets in logpoint messages and snapshots, marking them redacted', async () => {
    const app = world.startApp('app', { args: ['--require', REGISTER], env: world.agentEnv(relay.url), entry: `${world.tmp.dir}/login-app.js` });
    await relay.waitForHello();
    const log = logProbe({ file: 'src/login.js', line: 5, template: 'user={user} pw={password} p2={user.password} memo={memo}' });
    const snap = snapshotProbe({ file: 'src/login.js', line: 5, watches: ['user.password', 'memo', 'user.name'] });
    relay.add(log);
    relay.add(snap);
    const [e] = await relay.waitForEvidence(log.id, 1);
    assert.equal(e!.message, "user={ name: 'ada', email: 'ada@example.com', password: [redacted], apiKey: [redacted] } pw=[redacted] p2=[redacted] memo=card [redacted] exp 12/30");
    const [s] = await relay.waitForItems(snap.id, 'snapshot', 1);
    const locals = s!.frames[0]!.locals!;
    assert.deepEqual(locals.find((l) => l.name === 'password'), { name: 'password', type: 'string', redacted: true });
    assert.deepEqual(locals.find((l) => l.name === 'memo'), { name: 'memo', type: 'string', value: 'card [redacted] exp 12/30', redacted: true });
    const user = locals.find((l) => l.name === 'user')!;
    assert.deepEqual(
      user.children!.map((c) => [c.name, c.redacted ?? false, c.value]),
      [['name', false, 'ada'], ['email', false, 'ada@example.com'], ['password', true, undefined], ['apiKey', true, undefined]],
    );
    assert.deepEqual(s!.watches, [
      { expression: 'user.password', value: { type: 'string', redacted: true } },
      { expression: 'memo', value: { type: 'string', value: 'card [redacted] exp 12/30', redacted: true } },
      { expression: 'user.name', value: { type: 'string', value: 'ada' } },
    ]);
    assert.doesNotMatch(JSON.stringify([e, s]), /4111|k-123|hunter2/);
    await waitForMoreTicks(app, 3);
  });

  it('applies configured rules and the blocklist given to start()', async () => {
    world.startApp('app', { env: { ...world.agentEnv(relay.url), AGENT_INDEX }, entry: `${world.tmp.dir}/api-entry.js` });
    await relay.waitForHello();
    const log = logProbe({ file: 'src/login.js', line: 5, template: 'user={user}' });
    const blocked = logProbe({ file: 'src/secrets/keys.js', line: 3, template: 'x' });
    const blockedByName = logProbe({ file: 'keys.js', line: 3, template: 'x' });
    for (const p of [log, blocked, blockedByName]) relay.add(p);
    const [e] = await relay.waitForEvidence(log.id, 1);
    assert.equal(e!.message, "user={ name: 'ada', email: [redacted], password: [redacted], apiKey: [redacted] }");
    for (const p of [blocked, blockedByName]) {
      const s = await relay.waitForStatus(p.id, 'error');
      assert.equal(s.code, 'blocked');
      assert.match(s.reason!, /src\/secrets\/keys\.js is on the blocklist \(src\/secrets\/\*\*\): no probe may instrument it/);
    }
  });
});
