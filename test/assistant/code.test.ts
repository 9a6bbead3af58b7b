import assert from 'node:assert/strict';
import path from 'node:path';
import { stem, termsFromQuestion } from '../../extension/core/assistant/code/keywords';
import { SourceFacts } from '../../extension/core/assistant/code/lineFacts';
import { moduleGraph, requestPath } from '../../extension/core/assistant/code/modules';
import { isProductionCode, searchCode } from '../../extension/core/assistant/code/search';
import { RepoFiles } from '../../extension/core/assistant/git/files';
import { buildRepo } from '../../bench/assistant/repo';
import { tempDir } from '../support/tmp';

const SOURCE = `'use strict';
const HIGH_VALUE_THRESHOLD = 10000;
function validate(order, ctx) {
  const amount = order.amount;
  const highValue = amount > HIGH_VALUE_THRESHOLD;
  const total = order.qty * order.price + fee;
  if (order.flags.skipReview) return { ok: true };
  if (!user.verified && total >= limits.daily) {
    flag(order);
  }
  const r = { amount: formatAmount(raw.amount), currency: raw.currency || 'USD' };
  try { x = JSON.parse(body); } catch (err) {
    log(err);
  }
  return tier === 'gold' ? amount * 0.9 : amount; // a comment > with symbols
}
const m = new Map<string, number>();
const re = /a>b/g, s = "x > y", t = \`\${a > b}\`;
if (typeof amount === 'string') note(amount);
`;

describe('assistant code analysis', () => {
  const facts = new SourceFacts(SOURCE);

  it('finds what a line reads, writes and compares', () => {
    const l5 = facts.facts(5);
    assert.deepEqual(l5.reads, ['amount', 'HIGH_VALUE_THRESHOLD']);
    assert.deepEqual(l5.writes, ['highValue']);
    assert.deepEqual(l5.comparisons, [{ op: '>', left: 'amount', right: 'HIGH_VALUE_THRESHOLD' }]);
    assert.equal(l5.depth, 1);
    assert.deepEqual(facts.facts(4).reads, ['order.amount']);
    assert.deepEqual(facts.facts(6).arithmetic.map((a) => [a.left, a.op, a.right]), [['order.qty', '*', 'order.price'], ['order.price', '+', 'fee']]);
    assert.deepEqual(facts.facts(7).truthTests, ['order.flags.skipReview']);
    const l8 = facts.facts(8);
    assert.deepEqual(l8.comparisons, [{ op: '>=', left: 'total', right: 'limits.daily' }]);
    assert.deepEqual(l8.truthTests, ['user.verified']);
    assert.deepEqual(facts.facts(9).reads, ['order'], 'arguments are read; the callee is not');
    const l11 = facts.facts(11);
    assert.deepEqual(l11.keys, ['amount', 'currency']);
    assert.deepEqual(l11.reads, ['raw.amount', 'raw.currency']);
    assert.deepEqual(facts.facts(15).comparisons, [{ op: '===', left: 'tier', right: "'gold'" }]);
  });

  it('treats parameters, catch bindings, generics, strings, regexes, templates and typeof checks as what they are', () => {
    assert.deepEqual(facts.facts(3).writes, ['order', 'ctx']);
    assert.deepEqual(facts.facts(3).reads, []);
    const l12 = facts.facts(12);
    assert.equal(l12.catchParam, 'err');
    assert.ok(!l12.reads.includes('err'));
    assert.deepEqual(facts.facts(17).comparisons, [], 'Map<string, number> is a type, not a comparison');
    assert.deepEqual(facts.facts(18).comparisons, [], 'comparisons inside regexes, strings and templates do not count');
    assert.deepEqual(facts.facts(19).comparisons, [], 'a typeof check is not a value comparison');
    assert.equal(facts.facts(2).depth, 0, 'module top level');
    assert.equal(facts.facts(1).code, true);
  });

  it('knows the enclosing function and the next statement (where a written value can be read)', () => {
    assert.equal(facts.enclosingFunction(5), 'validate');
    assert.equal(facts.enclosingFunction(13), 'validate');
    assert.equal(facts.enclosingFunction(2), undefined);
    assert.equal(facts.nextStatementLine(4), 5);
    assert.equal(facts.nextStatementLine(15), undefined, 'the block ends');
    const multi = new SourceFacts('function f(a) {\n  const x = g(a,\n    2);\n  return x;\n}\n');
    assert.equal(multi.nextStatementLine(2), 4);
    const arrow = new SourceFacts('const handle = async (req) => {\n  const y = req.body;\n};\nclass K {\n  run(v) {\n    return v;\n  }\n}\n');
    assert.equal(arrow.enclosingFunction(2), 'handle');
    assert.equal(arrow.enclosingFunction(6), 'run');
  });

  it('turns a question into search terms: stems, compounds, no incident words', () => {
    assert.equal(stem('validations'), 'validat');
    assert.equal(stem('flagged'), 'flag');
    assert.equal(stem('trades'), 'trade');
    const terms = termsFromQuestion('Why are high-value trade validations failing since the last deploy?');
    assert.deepEqual(terms.map((t) => t.stem), ['highvalue', 'high', 'trade', 'validat', 'value']);
    assert.deepEqual(terms[0]!.parts, ['high', 'value']);
    assert.deepEqual(termsFromQuestion('why is `applyDiscount` wrong?').map((t) => t.stem)[0], 'applydiscount');
    assert.equal(isProductionCode('src/a.ts'), true);
    assert.equal(isProductionCode('test/a.test.ts'), false);
    assert.equal(isProductionCode('src/types.d.ts'), false);
  });

  describe('in a real repository', () => {
    let tmp: ReturnType<typeof tempDir>;
    let dir: string;
    before(() => {
      tmp = tempDir('runtruth-code-');
      dir = path.join(tmp.dir, 'repo');
      buildRepo(
        dir,
        {
          'src/server.js': "const { handle } = require('./orders');\n",
          'src/orders.js': "const { parse } = require('./intake');\nconst { check } = require('./validation.js');\nexports.handle = (b) => check(parse(b));\n",
          'src/intake.js': 'exports.parse = (b) => ({ amount: b.amount });\n',
          'src/validation.js': 'const HIGH_VALUE_LIMIT = 5;\nexports.check = (t) => t.amount > HIGH_VALUE_LIMIT; // high-value trades\n',
          'src/unrelated.js': 'exports.ping = () => "pong";\n',
          'test/validation.test.js': 'const HIGH_VALUE = 1; // high value\n',
        },
        [{ subject: 'touch', author: 'A B', hoursAgo: 1, culprit: true, edits: [{ file: 'README.md', content: 'x\n' }] }],
        { baseHoursAgo: 2 },
      );
    });
    after(() => tmp.cleanup());

    it('searches production code with git grep and ranks files by distinct terms', async () => {
      const hits = await searchCode(dir, termsFromQuestion('high-value trades not validated'));
      assert.equal(hits[0]!.file, 'src/validation.js');
      assert.ok(hits[0]!.terms.includes('highvalue'));
      assert.ok(!hits.some((h) => h.file.startsWith('test/')), 'tests are not production code');
      assert.equal(hits[0]!.lines[0]!.line, 2, 'the line with the most distinct terms first');
    });

    it('builds the import graph and the request path around the searched code', async () => {
      const graph = await moduleGraph(new RepoFiles(dir));
      assert.deepEqual(graph.imports.get('src/orders.js'), ['src/intake.js', 'src/validation.js']);
      assert.deepEqual(graph.importedBy.get('src/validation.js'), ['src/orders.js']);
      const p = requestPath(graph, ['src/validation.js']);
      assert.deepEqual([...p], [['src/validation.js', 0], ['src/orders.js', 1], ['src/intake.js', 2], ['src/server.js', 2]]);
      assert.ok(!p.has('src/unrelated.js'));
    });
  });
});
