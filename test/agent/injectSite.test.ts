import assert from 'node:assert/strict';
import { patchedSource, probeStatement } from '../../agent/inject/probeStatement';
import { findInjectionSite, parseScript, type InjectionSite } from '../../agent/inject/site';
import { prepareProbe } from '../../agent/probe/prepare';
import { logProbe } from './helpers/probes';

const SCRIPT = `'use strict';
const { helper } = require('./helper');
let counter = 0;
function outer(a, { b, c: [d] }, ...rest) {
  var hoisted = 1;
  for (const item of rest) {
    const inLoop = item * 2;
    counter += inLoop;
  }
  try {
    helper(a);
  } catch (err) {
    const failed = err;
  }
  const arrow = (x) => x + a;
  return { b, d, hoisted, arrow };
}
function strict(x) {
  'use strict';
  return x;
}
if (counter) outer(1, { b: 2, c: [3] });
switch (counter) {
  case 1: { const inCase = 1; break; }
}
module.exports = { outer, strict };
`;

const parsed = parseScript(SCRIPT, false);
const siteAt = (line: number): InjectionSite => {
  const found = findInjectionSite(parsed, line);
  if ('problem' in found) throw new Error(found.problem);
  return found.site;
};
const problemAt = (line: number): string => {
  const found = findInjectionSite(parsed, line);
  return 'problem' in found ? found.problem : `no problem: ${JSON.stringify(found.site)}`;
};

describe('agent: where an injected probe goes, and what it sees', () => {
  it('goes before the statement that starts on the line', () => {
    const site = siteAt(7);
    assert.deepEqual([site.line, site.column], [7, 5]);
    assert.equal(SCRIPT.slice(site.offset, site.offset + 12), 'const inLoop');
  });

  it('goes to the function entry (after its directives) on a function declaration line', () => {
    const entry = siteAt(4);
    assert.equal(SCRIPT.slice(entry.offset - 1, entry.offset), '{');
    assert.deepEqual([entry.line, entry.isDeclared('rest')], [4, true]);
    const afterDirective = siteAt(18);
    assert.equal(SCRIPT.slice(afterDirective.offset - 13, afterDirective.offset), "'use strict';");
    assert.equal(afterDirective.line, 19);
  });

  it('refuses lines where a statement cannot go, saying why', () => {
    assert.match(problemAt(1), /line 1 is a directive/);
    assert.match(problemAt(19), /line 19 is a directive/);
    assert.match(problemAt(9), /no statement starts on line 9/); // a closing brace
    assert.match(problemAt(40), /no statement starts on line 40/); // past the end
  });

  it('knows the names in scope: params, destructuring, hoisted vars, blocks, loops, catch, CommonJS', () => {
    const inLoop = siteAt(8);
    for (const name of ['a', 'b', 'd', 'rest', 'hoisted', 'item', 'inLoop', 'counter', 'helper', 'outer', 'arguments', 'require', 'module', 'exports']) {
      assert.ok(inLoop.isDeclared(name), name);
    }
    for (const name of ['c', 'failed', 'err', 'inCase', 'process', 'x']) assert.ok(!inLoop.isDeclared(name), name);
    assert.ok(siteAt(13).isDeclared('err'));
    assert.ok(siteAt(11).isDeclared('arrow'), 'a const later in the same block is in scope (its TDZ is the program’s business)');
    assert.ok(!siteAt(22).isDeclared('a'), 'top level: no params');
    assert.ok(!siteAt(24).isDeclared('inCase'), 'before the block that declares it');
  });

  it('takes a column for lines with many statements (bundles, via source maps)', () => {
    const bundle = parseScript('function a(){return 1}function b(x){const y=x*2;return y}module.exports={a,b};\n', false);
    const column = 'function a(){return 1}function b(x){'.length + 1;
    const found = findInjectionSite(bundle, 1, column);
    assert.ok(!('problem' in found) && found.site.offset === column - 1 && found.site.isDeclared('x') && found.site.isDeclared('y'));
    assert.match((findInjectionSite(bundle, 1, 200) as { problem: string }).problem, /no statement starts on line 1 at or after column 200/);
  });

  it('parses ES modules (imports are in scope) and refuses code that declares reserved names', () => {
    const esm = parseScript("import fs from 'node:fs';\nexport function f(x) {\n  return fs.existsSync(x);\n}\n", true);
    const found = findInjectionSite(esm, 3);
    assert.ok(!('problem' in found) && found.site.isDeclared('fs') && !found.site.isDeclared('require'));
    const reserved = parseScript('function g(__runtruth$rt) {\n  return 1;\n}\n', false);
    assert.match((findInjectionSite(reserved, 2) as { problem: string }).problem, /declares "__runtruth\$rt", a name reserved for probe code/);
    const within = parseScript('with (o) {\n  f(x);\n}\n', false);
    assert.match((findInjectionSite(within, 2) as { problem: string }).problem, /inside a `with` block/);
  });

  it('builds a one-line statement, and patches any number of them in without moving a line', () => {
    const probe = prepareProbe(logProbe({ file: 'x.js', line: 7, template: 'item={item} n={counter + 1} g={globalName}', condition: 'item > 1' }));
    const statement = probeStatement(probe, siteAt(7));
    assert.ok(!statement.includes('\n'));
    assert.match(statement, /^ try\{if\(__runtruth\$rt\.ready\("p-[^"]+"\)&&__runtruth\$rt\.cond\(/);
    assert.match(statement, /__runtruth\$rt\.g\("globalName"\)/, 'a global goes through the guard');
    assert.ok(!statement.includes('__runtruth$rt.g("item")'), 'a local is read directly');
    const patched = patchedSource(SCRIPT, [
      { offset: siteAt(7).offset, text: statement },
      { offset: siteAt(11).offset, text: statement },
      { offset: siteAt(7).offset, text: '/*second*/' },
    ]);
    assert.equal(patched.split('\n').length, SCRIPT.split('\n').length);
    assert.equal(patched.split('\n')[6], `    ${statement}/*second*/const inLoop = item * 2;`);
    assert.equal(patchedSource(SCRIPT, []), SCRIPT);
  });
});
