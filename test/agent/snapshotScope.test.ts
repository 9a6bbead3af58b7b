import assert from 'node:assert/strict';
import { findInjectionSite, parseScript } from '../../agent/inject/site';

/** What an injected snapshot reads at a line: see visibleNames (agent/inject/scope.ts). */
function visibleAt(source: string, line: number): string[] {
  const found = findInjectionSite(parseScript(source, false), line);
  assert.ok('site' in found, JSON.stringify(found));
  return found.site.visible;
}

describe('agent: the variables an injected snapshot captures', () => {
  it('reads the function’s own scope, innermost first, and outer names only where the function already reads them', () => {
    const source = `'use strict';
const LIMIT = 10;
let unused = 1;
function check(order, { currency = 'EUR' } = {}) {
  var seen = 0;
  const amount = order.amount;
  if (amount > LIMIT) {
    const over = amount - LIMIT;
    return over + seen;
  }
  return check.length + amount;
}
module.exports = { check };
`;
    assert.deepEqual(visibleAt(source, 9), ['over', 'seen', 'amount', 'order', 'currency', 'check', 'LIMIT']);
    const names = visibleAt(source, 6);
    assert.ok(!names.includes('unused'), 'a module variable the function never reads is left out (LiveEdit would silently keep the old code)');
    assert.ok(!names.includes('arguments') && !names.includes('require') && !names.includes('module'));
  });

  it('leaves out a function expression’s own name, declarations and property names that only look like reads', () => {
    const source = `'use strict';
const region = 'eu';
const make = () => function named(x) {
  const o = { region: 1 };
  return o.region + x;
};
module.exports = make;
`;
    assert.deepEqual(visibleAt(source, 5), ['o', 'x']);
  });
});

describe('agent: outer variables no closure keeps (no probe can read them)', () => {
  const heldByNone = (source: string, line: number, names: string[]) => {
    const found = findInjectionSite(parseScript(source, false), line);
    assert.ok('site' in found, JSON.stringify(found));
    return found.site.heldByNoClosure(names);
  };
  const source = `'use strict';
const TOP = 1;
const SHARED = 2;
function outer(label, keep) {
  const note = label + '!';
  const peek = () => keep + SHARED;
  return function inner(n) {
    return n + 1;
  };
}
module.exports = { outer };
`;

  it('names those read by no function nested in their scope, and not those a sibling closure reads', () => {
    assert.deepEqual(heldByNone(source, 8, ['label', 'note', 'keep', 'TOP', 'SHARED']), ['label', 'note', 'TOP']);
  });

  it('treats every variable of a scope with a direct eval as kept, and leaves the module wrapper’s names alone', () => {
    const withEval = source.replace("const note = label + '!';", "const note = eval('label') + '!';");
    // eval inside outer() may read any enclosing scope's variable: V8 keeps all of them, the module's too
    assert.deepEqual(heldByNone(withEval, 8, ['label', 'note', 'TOP']), []);
    assert.deepEqual(heldByNone(source, 8, ['require', 'module']), []);
  });
});
