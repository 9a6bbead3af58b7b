'use strict';
// Order validation for the checkout example. Line 12 is where the README places its logpoint.

const HIGH_VALUE_THRESHOLD = 10000;

/**
 * Flags orders that need a manual fraud review. `amount` is expected to be a number of whole units.
 */
function validate(order) {
  const amount = order.amount;
  const currency = order.currency || 'USD';
  const highValue = amount > HIGH_VALUE_THRESHOLD;
  return { ok: amount > 0 || typeof amount === 'string', highValue, currency };
}

module.exports = { validate, HIGH_VALUE_THRESHOLD };
