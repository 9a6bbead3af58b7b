import assert from 'node:assert/strict';
import { newMetric } from '../../../extension/core/kinds/metric';
import { newSnapshot } from '../../../extension/core/kinds/snapshot';
import { newLogpoint } from '../../../extension/core/kinds/logpoint';
import { contentHash } from '../../../extension/core/contentHash';
import { endLineProblem, validateNewProbe } from '../../../extension/core/probeInput';
import { expressionProblem, splitExpressions, watchesProblem } from '../../../extension/core/templateCheck';
import { targetChoices } from '../../../extension/core/targetChoices';
import { instance, services } from './fixtures';

const common = { selector: { service: 'checkout' }, file: 'src/validate.js', line: 13, limits: { ttlSeconds: 600 } };

describe('snapshot and metric input (validated with the protocol schema and the agent’s expression rules)', () => {
  it('builds snapshot payloads with watches, condition, limits and the content hash; empty parts are left out', () => {
    const hash = contentHash('const a = 1;\n');
    assert.match(hash, /^[0-9a-f]{64}$/, 'the protocol’s contentHash format: sha256 in lowercase hex');
    const probe = newSnapshot({ ...common, watches: [' order.items.length ', ''], condition: ' amount > 1 ', limits: { ttlSeconds: 600, maxHits: 2 }, contentHash: hash });
    assert.deepEqual(probe, { kind: 'snapshot', selector: { service: 'checkout' }, file: 'src/validate.js', line: 13, ttlSeconds: 600, condition: 'amount > 1', maxHits: 2, contentHash: hash, watches: ['order.items.length'] });
    assert.deepEqual(validateNewProbe(probe), { ok: true, probe });
    assert.deepEqual(newSnapshot({ ...common, condition: '  ' }), { kind: 'snapshot', selector: { service: 'checkout' }, file: 'src/validate.js', line: 13, ttlSeconds: 600 });
  });

  it('builds each metric type, and the schema refuses the combinations the agent could not run', () => {
    assert.equal(validateNewProbe(newMetric({ ...common, metric: 'count' })).ok, true);
    assert.equal(validateNewProbe(newMetric({ ...common, metric: 'value', expression: 'order.items.length' })).ok, true);
    assert.equal(validateNewProbe(newMetric({ ...common, metric: 'duration', endLine: 20 })).ok, true);
    const noExpression = validateNewProbe(newMetric({ ...common, metric: 'value' }));
    assert.deepEqual(noExpression, { ok: false, problem: "expression: a 'value' metric needs an expression" });
    const backwards = validateNewProbe(newMetric({ ...common, metric: 'duration', endLine: 13 }));
    assert.equal(!backwards.ok && backwards.problem, 'endLine: endLine must come after line');
    const badHash = validateNewProbe(newLogpoint({ ...common, template: 'a={a}', contentHash: 'sha256:abc' }));
    assert.match(!badHash.ok ? badHash.problem : '', /^contentHash: contentHash must be a sha256 in lowercase hex$/);
    const tooLong = validateNewProbe(newSnapshot({ ...common, limits: { ttlSeconds: 8 * 86400 } }));
    assert.match(!tooLong.ok ? tooLong.problem : '', /^ttlSeconds: /);
  });

  it('checks watch lists and value expressions as the user types', () => {
    assert.deepEqual(splitExpressions('a, b.c, f[1, 2], "x,y", {a, b}.a'), ['a', 'b.c', 'f[1, 2]', '"x,y"', '{a, b}.a']);
    assert.equal(watchesProblem(''), undefined);
    assert.equal(watchesProblem('order.items.length, typeof amount'), undefined);
    assert.match(watchesProblem('amount, total = 0')!, /^total = 0: .*not read-only/);
    assert.match(watchesProblem(Array.from({ length: 21 }, (_, i) => `v${i}`).join(','))!, /At most 20/);
    assert.match(expressionProblem('  ', 'the expression to measure')!, /^Type the expression to measure/);
    assert.match(expressionProblem('save()')!, /calls are not allowed/);
    assert.equal(expressionProblem('order.total * 2'), undefined);
  });

  it('checks a duration’s end line against the probe line and the file length', () => {
    assert.equal(endLineProblem('', 13, 40), undefined, 'empty: until the function returns');
    assert.equal(endLineProblem('20', 13, 40), undefined);
    assert.match(endLineProblem('13', 13, 40)!, /after line 13/);
    assert.match(endLineProblem('41', 13, 40)!, /has 40 lines/);
    assert.match(endLineProblem('x', 13, 40)!, /line number/);
  });
});

describe('target picker choices', () => {
  const defaults = { service: '', labels: {} };
  it('decides without asking for a configured service or a single live instance', () => {
    assert.deepEqual(targetChoices([], { service: 'api', labels: { region: 'eu' } }), { kind: 'auto', selector: { service: 'api', labels: { region: 'eu' } } });
    assert.deepEqual(targetChoices(services(instance('i-1'), instance('i-0', 'checkout', false)), defaults), { kind: 'auto', selector: { service: 'checkout' } });
    assert.equal(targetChoices([], defaults).kind, 'none');
  });

  it('offers each live service (all instances) and, where several run, each instance alone', () => {
    const decision = targetChoices(services(instance('i-1', 'checkout', true, { commit: 'abcdef1234' }), instance('i-2'), instance('b-1', 'billing'), instance('b-2', 'billing', false)), defaults);
    assert.equal(decision.kind, 'ask');
    const choices = decision.kind === 'ask' ? decision.choices : [];
    assert.deepEqual(choices.map((c) => c.selector), [{ service: 'checkout' }, { service: 'checkout', instances: ['i-1'] }, { service: 'checkout', instances: ['i-2'] }, { service: 'billing' }]);
    assert.match(choices[1]!.description, /pid 42 · abcdef1/);
  });
});
