import assert from 'node:assert/strict';
import { formatLimits, parseDuration, parseLimits } from '../../../extension/core/limits';
import { suggestTemplate } from '../../../extension/core/suggestTemplate';
import { conditionProblem, templateExpressions, templateProblem } from '../../../extension/core/templateCheck';

describe('logpoint input checks (validated as the user types)', () => {
  it('accepts templates the agent accepts, and says why it refuses the others', () => {
    assert.equal(templateProblem('amount={amount} ({typeof amount})'), undefined);
    assert.equal(templateProblem('literal {{braces}} and {order.items[0].sku}'), undefined);
    assert.match(templateProblem('amount={amount')!, /unbalanced "\{"/);
    assert.match(templateProblem('x={amount = 1}')!, /not read-only/);
    assert.match(templateProblem('x={save()}')!, /calls are not allowed/);
    assert.match(templateProblem('  ')!, /Type the message/);
    assert.deepEqual(templateExpressions('a={a} b={b.c}'), ['a', 'b.c']);
  });

  it('checks conditions the same way; empty means none', () => {
    assert.equal(conditionProblem(''), undefined);
    assert.equal(conditionProblem("typeof amount === 'string'"), undefined);
    assert.match(conditionProblem('amount++')!, /not read-only/);
  });

  it('reads limits as "ttl 15m, max 100" in any order, keeping defaults for what is not said', () => {
    const defaults = { ttlSeconds: 3600 };
    assert.deepEqual(parseLimits('', defaults), { ok: true, limits: { ttlSeconds: 3600 } });
    assert.deepEqual(parseLimits('ttl 15m, max 100', defaults), { ok: true, limits: { ttlSeconds: 900, maxHits: 100 } });
    assert.deepEqual(parseLimits('max=5 ttl=2h', defaults), { ok: true, limits: { ttlSeconds: 7200, maxHits: 5 } });
    assert.deepEqual(parseLimits('30s', defaults), { ok: true, limits: { ttlSeconds: 30 } });
    assert.deepEqual(parseLimits('max 0', { ttlSeconds: 60, maxHits: 9 }), { ok: true, limits: { ttlSeconds: 60 } }, 'max 0 lifts the limit');
    assert.match((parseLimits('ttl soon', defaults) as { problem: string }).problem, /duration like 90s/);
    assert.match((parseLimits('ttl 8d', defaults) as { problem: string }).problem, /at most 7d/);
    assert.match((parseLimits('max many', defaults) as { problem: string }).problem, /whole number/);
    assert.match((parseLimits('forever', defaults) as { problem: string }).problem, /not understood/);
    assert.equal(formatLimits({ ttlSeconds: 3600, maxHits: 10 }), 'ttl 1h, max 10');
    assert.equal(parseDuration('0m'), undefined);
  });

  it('suggests a template from what the line reads (not what it declares, not calls)', () => {
    assert.equal(suggestTemplate('  const highValue = amount > HIGH_VALUE_THRESHOLD;'), 'amount={amount} HIGH_VALUE_THRESHOLD={HIGH_VALUE_THRESHOLD}');
    assert.equal(suggestTemplate("  return { ok: amount > 0 || typeof amount === 'string', highValue, currency };"), 'amount={amount} highValue={highValue} currency={currency}', 'object keys are not reads');
    assert.equal(suggestTemplate('  const total = order.items.length + fee(order); // comment'), 'order.items.length={order.items.length} order={order}');
    assert.equal(suggestTemplate('}'), '');
  });
});
