import { housekeeping, httpServer, packageJson, type Scenario } from '../scenario';

const orders = `'use strict';
const { parseOrder } = require('./intake');
const { validateTrade } = require('./validation');
const { bookTrade } = require('./booking');

function handleOrder(body) {
  const trade = parseOrder(body);
  const verdict = validateTrade(trade);
  if (!verdict.ok) return { status: 'rejected', reasons: verdict.reasons };
  const booking = bookTrade(trade, verdict);
  return { status: 'booked', id: booking.id, review: verdict.review };
}

module.exports = { handleOrder };
`;

const intake = `'use strict';
const SYMBOLS = new Set(['ACME', 'GLOBX', 'INITECH', 'UMBR']);

function parseOrder(body) {
  const symbol = String(body.symbol || '').toUpperCase();
  const side = body.side === 'sell' ? 'sell' : 'buy';
  const qty = Number(body.qty);
  const price = Number(body.price);
  const amount = roundCents(qty * price);
  return { symbol, side, qty, price, amount, known: SYMBOLS.has(symbol), receivedAt: Date.now() };
}

function roundCents(x) {
  return Math.round(x * 100) / 100;
}

module.exports = { parseOrder };
`;

const validation = `'use strict';
const HIGH_VALUE_THRESHOLD = 50000;
const MAX_QTY = 100000;

function validateTrade(trade) {
  const reasons = [];
  if (!trade.known) reasons.push('unknown symbol');
  if (!(trade.qty > 0) || trade.qty > MAX_QTY) reasons.push('quantity out of range');
  const amount = trade.amount;
  const highValue = amount > HIGH_VALUE_THRESHOLD;
  return { ok: reasons.length === 0, reasons, review: highValue };
}

module.exports = { validateTrade, HIGH_VALUE_THRESHOLD };
`;

const booking = `'use strict';
let nextId = 1;
const ledger = [];

function bookTrade(trade, verdict) {
  const entry = { id: 'T' + nextId++, symbol: trade.symbol, side: trade.side, qty: trade.qty, amount: trade.amount, review: verdict.review };
  ledger.push(entry);
  if (ledger.length > 1000) ledger.shift();
  return entry;
}

module.exports = { bookTrade };
`;

const h = housekeeping('trading');

/** The headline: a formatted notional ("75,000") reaches `amount > HIGH_VALUE_THRESHOLD` and high-value trades go unflagged. */
export const trading: Scenario = {
  name: 'trading-amount-string',
  service: 'trading',
  bug: 'string amount reaches a numeric comparison',
  question: 'Why are high-value trade validations failing since the last deploy?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/orders.js', 'src/validation.js'],
  baseHoursAgo: 200,
  base: {
    'package.json': packageJson('trading'),
    'src/server.js': httpServer('trading', { '/orders': { module: './orders', fn: 'handleOrder' } }),
    'src/orders.js': orders,
    'src/intake.js': intake,
    'src/validation.js': validation,
    'src/booking.js': booking,
  },
  commits: [
    { subject: 'Add README with local run instructions', author: 'Priya Shah', hoursAgo: 150, edits: h.readme },
    { subject: 'Accept lowercase and mixed-case sides', author: 'Tom Berg', hoursAgo: 120, edits: [{ file: 'src/intake.js', find: "const side = body.side === 'sell' ? 'sell' : 'buy';", replace: "const side = String(body.side || '').toLowerCase() === 'sell' ? 'sell' : 'buy';" }] },
    { subject: 'Add a smoke test', author: 'Priya Shah', hoursAgo: 100, edits: h.tests },
    { subject: 'Log booked trades when DEBUG_BOOKING is set', author: 'Lee Wong', hoursAgo: 70, edits: [{ file: 'src/booking.js', find: '  ledger.push(entry);\n', replace: "  ledger.push(entry);\n  if (process.env.DEBUG_BOOKING) console.log('booked', entry.id, entry.amount);\n" }] },
    {
      subject: 'Use the confirmation format for trade notional',
      author: 'Sam Rivera',
      hoursAgo: 40,
      culprit: true,
      edits: [
        { file: 'src/intake.js', find: 'const amount = roundCents(qty * price);', replace: 'const amount = formatNotional(qty * price);' },
        { file: 'src/intake.js', find: 'function roundCents(x) {\n  return Math.round(x * 100) / 100;\n}', replace: "function formatNotional(x) {\n  return x.toLocaleString('en-US', { maximumFractionDigits: 2 });\n}" },
      ],
    },
    { subject: 'Clearer wording for quantity rejections', author: 'Tom Berg', hoursAgo: 30, edits: [{ file: 'src/validation.js', find: "'quantity out of range'", replace: "'quantity outside the allowed range'" }] },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 20, edits: h.version },
    { subject: 'Add UMBR2 to the tradable symbols', author: 'Lee Wong', hoursAgo: 12, edits: [{ file: 'src/intake.js', find: "'UMBR']", replace: "'UMBR', 'UMBR2']" }] },
    {
      subject: 'Document the high-value review rule',
      author: 'Priya Shah',
      hoursAgo: 5,
      edits: [{ file: 'src/validation.js', find: 'const HIGH_VALUE_THRESHOLD = 50000;', replace: '// Trades with a notional above this go to manual high-value review (compliance rule CR-7).\nconst HIGH_VALUE_THRESHOLD = 50000;' }],
    },
  ],
  request(i) {
    const symbols = ['ACME', 'GLOBX', 'INITECH', 'UMBR'];
    const qty = [10, 250, 1200, 40, 800, 3][i % 6]!;
    const price = [12.5, 99, 61.25, 310, 150, 18][(i * 5) % 6]!;
    return { path: '/orders', body: { symbol: symbols[i % 4], side: i % 3 ? 'buy' : 'sell', qty, price } };
  },
};
