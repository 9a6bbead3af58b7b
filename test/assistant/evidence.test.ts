import assert from 'node:assert/strict';
import { SourceFacts } from '../../extension/core/assistant/code/lineFacts';
import { carriedAnomalies, detectAnomalies } from '../../extension/core/assistant/evidence/anomalies';
import { captureList } from '../../extension/core/assistant/evidence/captures';
import { DEFAULT_BUDGET, logEncoder, parseTypedMessage, snapshotEncoder } from '../../extension/core/assistant/evidence/encoders';
import { planAt } from '../../extension/core/assistant/planner';
import type { Observation, PlannedProbe, TypedValue } from '../../extension/core/assistant/schema';
import { templateProblem } from '../../extension/core/templateCheck';

const SOURCE = `function check(order, flags) {
  const amount = order.amount;
  const highValue = amount > LIMIT;
  const total = qty * price + fee;
  if (flags.skip) return null;
  const same = sorted[0] >= sorted[1];
  try { run(); } catch (err) {
    return tier === 'gold';
  }
}
`;
const facts = new SourceFacts(SOURCE);
const plan = (line: number, role: PlannedProbe['role'] = 'symptom', captures?: string[]) => planAt(facts, { file: 'src/check.js', line }, role, ['h1'], 'test', captures)!;
const obs = (values: Record<string, [string, string]>, id = 1): Observation => ({
  probeId: 'p-1',
  evidenceId: id,
  at: '2030-01-01T00:00:00.000Z',
  instance: 'i-1',
  values: Object.fromEntries(Object.entries(values).map(([k, [type, text]]) => [k, { type, text } satisfies TypedValue])),
});

describe('assistant evidence: typed captures and anomaly detectors', () => {
  it('encodes a plan as a read-only logpoint whose message carries each value with its type, and reads it back', () => {
    const p = plan(3);
    assert.deepEqual(captureList(p).map((c) => c.name), ['amount', 'LIMIT', 'amount > LIMIT']);
    const probe = logEncoder.encode(p, { service: 'svc' }, DEFAULT_BUDGET);
    assert.equal(probe.kind, 'log');
    if (probe.kind !== 'log') return;
    assert.equal(probe.template, 'amount:{typeof (amount)}={amount} | LIMIT:{typeof (LIMIT)}={LIMIT} | amount > LIMIT:{typeof (amount > LIMIT)}={amount > LIMIT}');
    assert.equal(templateProblem(probe.template), undefined, 'the agent accepts it as read-only');
    assert.deepEqual([probe.maxHits, probe.maxPerSecond, probe.ttlSeconds], [DEFAULT_BUDGET.maxHits, DEFAULT_BUDGET.maxPerSecond, DEFAULT_BUDGET.ttlSeconds]);
    // values may contain the separator, '=' and ':' — names in order keep it unambiguous
    const message = 'amount:string=15,000 | x=1: y | LIMIT:number=10000 | amount > LIMIT:boolean=false';
    const read = logEncoder.decode(p, { kind: 'log', probeId: 'p-1', at: '2030-01-01T00:00:00.000Z', message, id: 7, service: 'svc', instance: 'i' })!;
    assert.deepEqual(read.values.amount, { type: 'string', text: '15,000 | x=1: y' });
    assert.deepEqual(read.values['amount > LIMIT'], { type: 'boolean', text: 'false' });
    assert.equal(read.evidenceId, 7);
    assert.deepEqual(parseTypedMessage('a:number=NaN | b:undefined=<error: ReferenceError: b is not defined>', ['a', 'b']), {
      a: { type: 'NaN', text: 'NaN' },
      b: { type: 'unavailable', text: '<error: ReferenceError: b is not defined>', unavailable: true },
    });
    assert.equal(parseTypedMessage('something else', ['a']), undefined);
  });

  it('reads snapshot evidence (watches and the stack) into the same observations', () => {
    const p = plan(3);
    const probe = snapshotEncoder.encode(p, { service: 'svc' }, DEFAULT_BUDGET);
    assert.equal(probe.kind, 'snapshot');
    if (probe.kind !== 'snapshot') return;
    assert.deepEqual(probe.watches, ['amount', 'LIMIT', 'amount > LIMIT']);
    const read = snapshotEncoder.decode(p, {
      kind: 'snapshot',
      probeId: 'p-2',
      at: '2030-01-01T00:00:00.000Z',
      id: 3,
      service: 'svc',
      instance: 'i',
      frames: [{ function: 'check', file: 'src/check.js', line: 3 }],
      watches: [
        { expression: 'amount', value: { type: 'string', value: '15,000' } },
        { expression: 'LIMIT', value: { type: 'number', value: 10000 } },
        { expression: 'amount > LIMIT', error: 'side effect' },
      ],
    })!;
    assert.deepEqual(read.values.amount, { type: 'string', text: '15,000' });
    assert.equal(read.values['amount > LIMIT']!.unavailable, true);
    assert.deepEqual(read.stack, [{ function: 'check', file: 'src/check.js', line: 3 }]);
  });

  it('flags a string compared with a number, naming the string side, and a branch that never changes', () => {
    const p = plan(3);
    const observations = Array.from({ length: 12 }, (_, i) => obs({ amount: ['string', i % 2 ? '15,000' : '950'], LIMIT: ['number', '10000'], 'amount > LIMIT': ['boolean', 'false'] }, i + 1));
    const found = detectAnomalies(p, 'p-1', observations);
    const mismatch = found.find((a) => a.kind === 'type-mismatch')!;
    assert.deepEqual([mismatch.expression, mismatch.identifiers, mismatch.valueType, mismatch.count, mismatch.total], ['amount > LIMIT', ['amount'], 'string', 12, 12]);
    assert.match(mismatch.detail, /coerces to NaN|happens to coerce/);
    assert.equal(mismatch.examples.length, 2);
    assert.deepEqual(mismatch.evidenceIds.slice(0, 3), [1, 2, 3]);
    const constant = found.find((a) => a.kind === 'constant-branch')!;
    assert.match(constant.detail, /false in all 12 observations/);
    assert.deepEqual(detectAnomalies(p, 'p-1', [obs({ amount: ['number', '15000'], LIMIT: ['number', '10000'], 'amount > LIMIT': ['boolean', 'true'] })]), []);
  });

  it('flags undefined and NaN in arithmetic, numeric strings compared as text, string booleans and caught exceptions', () => {
    const arith = detectAnomalies(plan(4), 'p', [obs({ qty: ['undefined', 'undefined'], price: ['number', '3'], fee: ['number', 'NaN'] })]);
    assert.deepEqual(arith.map((a) => [a.kind, a.identifiers[0]]).sort(), [['undefined', 'qty']]);
    const nan = detectAnomalies(plan(4), 'p', [obs({ qty: ['number', '2'], price: ['NaN', 'NaN'], fee: ['number', '1'] })]);
    assert.deepEqual(nan.map((a) => [a.kind, a.identifiers[0]]), [['nan', 'price'], ['nan', 'price']]);
    const concat = detectAnomalies(plan(4), 'p', [obs({ qty: ['number', '2'], price: ['number', '3'], fee: ['string', '1.50'] })]);
    assert.deepEqual(concat.map((a) => [a.kind, a.identifiers[0]]), [['type-mismatch', 'fee']]);
    const text = detectAnomalies(plan(6), 'p', [obs({ 'sorted[0]': ['string', '9'], 'sorted[1]': ['string', '10'], 'sorted[0] >= sorted[1]': ['boolean', 'true'] })]);
    assert.deepEqual(text.map((a) => a.kind), ['lexicographic']);
    const flag = detectAnomalies(plan(5), 'p', [obs({ 'flags.skip': ['string', 'false'] })]);
    assert.deepEqual(flag.map((a) => [a.kind, a.expression]), [['string-boolean', 'flags.skip']]);
    const caught = detectAnomalies(plan(7), 'p', [obs({ err: ['object', 'Error: boom'] })]);
    assert.deepEqual(caught.map((a) => a.kind), ['exception']);
    const renamed = detectAnomalies(plan(8), 'p', [obs({ tier: ['undefined', 'undefined'], "tier === 'gold'": ['boolean', 'false'] })]);
    assert.deepEqual(renamed.map((a) => [a.kind, a.identifiers[0]]), [['undefined', 'tier']]);
  });

  it('recognises an anomalous value carried through another site (the string written upstream)', () => {
    const symptom = detectAnomalies(plan(3), 'p-1', [obs({ amount: ['string', '15,000'], LIMIT: ['number', '10000'], 'amount > LIMIT': ['boolean', 'false'] })]);
    const written = plan(2, 'written', ['amount']);
    const carried = carriedAnomalies({ plan: written, probeId: 'p-2', observations: [obs({ amount: ['string', '15,000'] }, 9)] }, symptom);
    assert.deepEqual(carried.map((a) => [a.kind, a.file, a.line, a.identifiers, a.evidenceIds]), [['type-mismatch', 'src/check.js', 2, ['amount'], [9]]]);
    assert.deepEqual(carriedAnomalies({ plan: written, observations: [obs({ amount: ['number', '15000'] })] }, symptom), []);
  });
});
