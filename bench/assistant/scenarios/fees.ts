import { housekeeping, httpServer, packageJson, type Scenario } from '../scenario';

const payments = `'use strict';
const { cardFee } = require('./fees');
const { limits } = require('./limits');

function authorize(body) {
  const subtotal = Number(body.amount);
  const fee = cardFee(body.card || 'visa');
  const total = subtotal + fee;
  if (total > limits.singlePaymentCap) {
    return { status: 'declined', reason: 'over the single-payment cap', total };
  }
  return { status: 'authorized', total };
}

module.exports = { authorize };
`;

const fees = `'use strict';
const FEES = { visa: 0.3, mastercard: 0.3, amex: 0.45 };

function cardFee(card) {
  return FEES[card] ?? 0.5;
}

module.exports = { cardFee };
`;

const limits = `'use strict';
const limits = { singlePaymentCap: 10000, dailyCap: 25000 };

module.exports = { limits };
`;

const h = housekeeping('payments');

/** Fees now come from a config of strings: `subtotal + fee` concatenates, and ordinary payments exceed the cap. */
export const feeConcat: Scenario = {
  name: 'fee-string-concat',
  service: 'payments',
  bug: 'string fee concatenated instead of added',
  question: 'Why are ordinary card payments being declined as over the cap since the release?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/payments.js'],
  baseHoursAgo: 260,
  base: {
    'package.json': packageJson('payments'),
    'src/server.js': httpServer('payments', { '/payments': { module: './payments', fn: 'authorize' } }),
    'src/payments.js': payments,
    'src/fees.js': fees,
    'src/limits.js': limits,
  },
  commits: [
    { subject: 'Add .gitignore', author: 'Dana Ops', hoursAgo: 250, edits: h.gitignore },
    { subject: 'Raise the daily cap to 30k', author: 'Eve Stone', hoursAgo: 200, edits: [{ file: 'src/limits.js', find: 'dailyCap: 25000', replace: 'dailyCap: 30000' }] },
    { subject: 'Document the payment endpoints', author: 'Eve Stone', hoursAgo: 170, edits: h.readme },
    {
      subject: 'Load card fees from the pricing export',
      author: 'Hugo Brandt',
      hoursAgo: 80,
      culprit: true,
      edits: [
        { file: 'src/feeTable.js', content: "'use strict';\n// Exported from the pricing sheet (values as the sheet stores them).\nmodule.exports = { visa: '0.30', mastercard: '0.30', amex: '0.45', default: '0.50' };\n" },
        { file: 'src/fees.js', find: 'const FEES = { visa: 0.3, mastercard: 0.3, amex: 0.45 };', replace: "const FEES = require('./feeTable');" },
        { file: 'src/fees.js', find: 'return FEES[card] ?? 0.5;', replace: 'return FEES[card] ?? FEES.default;' },
      ],
    },
    { subject: 'Say which cap was exceeded', author: 'Eve Stone', hoursAgo: 50, edits: [{ file: 'src/payments.js', find: "reason: 'over the single-payment cap'", replace: "reason: 'over the single-payment cap (' + limits.singlePaymentCap + ')'" }] },
    { subject: 'Smoke test', author: 'Hugo Brandt', hoursAgo: 36, edits: h.tests },
    { subject: 'Accept discover cards', author: 'Lin Wu', hoursAgo: 20, edits: [{ file: 'src/payments.js', find: "cardFee(body.card || 'visa')", replace: "cardFee(String(body.card || 'visa').toLowerCase())" }] },
    { subject: 'CI workflow', author: 'Dana Ops', hoursAgo: 10, edits: h.ci },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 3, edits: h.version },
  ],
  request(i) {
    return { path: '/payments', body: { amount: [25, 1200, 2500, 80, 9000, 450][i % 6], card: ['visa', 'amex', 'mastercard'][i % 3] } };
  },
};
