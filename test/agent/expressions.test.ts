import assert from 'node:assert/strict';
import { prepareProbe } from '../../agent/probe/prepare';
import { assertReadOnly } from '../../agent/probe/readOnly';
import { parseTemplate } from '../../agent/probe/template';
import { logProbe } from './helpers/probes';

describe('agent: template parsing', () => {
  it('splits literal text and expressions', () => {
    assert.deepEqual(parseTemplate('amount={amount} t={typeof amount}'), { parts: ['amount=', ' t=', ''], expressions: ['amount', 'typeof amount'] });
  });

  it('treats {{ and }} as literal braces', () => {
    assert.deepEqual(parseTemplate('{{x}} = {x}'), { parts: ['{x} = ', ''], expressions: ['x'] });
  });

  it('takes braces and strings inside an expression from the JS parser', () => {
    assert.deepEqual(parseTemplate('o={ {a: "}", b: [1]} } end'), { parts: ['o=', ' end'], expressions: ['{a: "}", b: [1]}'] });
  });

  it('rejects unbalanced braces and empty expressions with a position', () => {
    assert.throws(() => parseTemplate('a={amount'), /unbalanced "\{" at position 3/);
    assert.throws(() => parseTemplate('a=amount}'), /unbalanced "\}" at position 9/);
    assert.throws(() => parseTemplate('a={}'), /empty expression/);
    assert.throws(() => parseTemplate('a={x y}'), /must be followed by "\}"/);
  });
});

describe('agent: read-only expressions', () => {
  const accepted = [
    'amount',
    'order.items[0].price',
    'order["total"]',
    'order[key]',
    'a?.b?.c',
    'typeof amount',
    '!ok && (x > 1 || y === "z")',
    'a ?? b',
    'ok ? 1 : 2',
    '[a, b, 1]',
    '{a, b: c.d, "e": 1, [\'f\']: 2}',
    '`total ${amount}`',
    '-x + +y * ~z',
    'void 0',
    'this.state',
    'x instanceof Array',
    '"k" in obj',
  ];
  for (const source of accepted) it(`accepts ${source}`, () => assert.doesNotThrow(() => assertReadOnly(source)));

  const rejected: Array<[string, RegExp]> = [
    ['a.push(1)', /expression "a\.push\(1\)" is not read-only: calls are not allowed/],
    ['a?.b()', /calls are not allowed/],
    ['x = 1', /assignments are not allowed/],
    ['x += 1', /assignments are not allowed/],
    ['x++', /\+\+ and -- are not allowed/],
    ['--x', /\+\+ and -- are not allowed/],
    ['delete a.b', /`delete` is not allowed/],
    ['new Date()', /`new` is not allowed/],
    ['() => 1', /function literals are not allowed/],
    ['function () {}', /function literals are not allowed/],
    ['class {}', /class literals are not allowed/],
    ['a, b', /comma sequences are not allowed/],
    ['tag`x`', /tagged templates are not allowed/],
    ['a.constructor', /the property "constructor" is not allowed/],
    ['a["__proto__"]', /the property "__proto__" is not allowed/],
    ['a[b.c]', /computed property keys must be a literal or an identifier/],
    ['[...a]', /spread/],
    ['{...a}', /spread/],
    ['{ get x() { return 1 } }', /getters and setters/],
    ['{ m() {} }', /object methods/],
    ['import("fs")', /import\(\) is not allowed/],
    ['`${a.b()}`', /calls are not allowed/],
    ['a +', /does not parse/],
    ['a // comment', /unexpected text after the expression/],
    ['a; b', /unexpected text after the expression/],
  ];
  for (const [source, reason] of rejected) it(`rejects ${source}`, () => assert.throws(() => assertReadOnly(source), reason));
});

describe('agent: probe preparation', () => {
  it('checks every template expression and the condition', () => {
    const ok = prepareProbe(logProbe({ file: 'a.js', line: 1, template: 'v={a.b}', condition: 'a.b > 1' }));
    assert.deepEqual([ok.expressions, ok.condition], [['a.b'], 'a.b > 1']);
    assert.throws(() => prepareProbe(logProbe({ file: 'a.js', line: 1, template: 'v={a.pop()}' })), /expression "a\.pop\(\)" is not read-only: calls/);
    assert.throws(() => prepareProbe(logProbe({ file: 'a.js', line: 1, template: 'v', condition: 'x = 1' })), /expression "x = 1" is not read-only: assignments/);
  });
});
