import { housekeeping, httpServer, packageJson, type Scenario } from '../scenario';

const accounts = `'use strict';
const ACCOUNTS = {
  a1: { id: 'a1', limits: { daily: 1000, single: 800 }, usage: { today: 300 } },
  a2: { id: 'a2', limits: { daily: 500, single: 500 }, usage: { today: 450 } },
  a3: { id: 'a3', limits: { daily: 2000, single: 1500 }, usage: { today: 1900 } },
};

function findAccount(id) {
  return ACCOUNTS[id] || ACCOUNTS.a1;
}

module.exports = { findAccount };
`;

const withdrawals = `'use strict';
const { findAccount } = require('./accounts');

function withdraw(body) {
  const account = findAccount(body.account);
  const amount = Number(body.amount);
  const verdict = checkWithdrawal(account, amount);
  return { account: account.id, amount, ...verdict };
}

function checkWithdrawal(account, amount) {
  if (amount > account.limits.single) return { allowed: false, reason: 'single withdrawal limit' };
  const limit = account.limits.daily;
  const usedToday = account.usage.today;
  if (usedToday + amount > limit) return { allowed: false, reason: 'daily limit' };
  return { allowed: true };
}

module.exports = { withdraw };
`;

const h = housekeeping('ledger');

/** The check reads a field that does not exist: `used + amount > undefined` is false, so nothing hits the daily limit. */
export const withdrawal: Scenario = {
  name: 'withdrawal-missing-limit',
  service: 'ledger',
  bug: 'the check itself reads a missing field (undefined in a comparison)',
  question: 'Why are withdrawals over the daily limit being allowed?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/withdrawals.js'],
  baseHoursAgo: 350,
  base: {
    'package.json': packageJson('ledger'),
    'src/server.js': httpServer('ledger', { '/withdrawals': { module: './withdrawals', fn: 'withdraw' } }),
    'src/withdrawals.js': withdrawals,
    'src/accounts.js': accounts,
  },
  commits: [
    { subject: 'README', author: 'Gil Amar', hoursAgo: 340, edits: h.readme },
    { subject: 'Add account a3', author: 'Fay Ng', hoursAgo: 290, edits: [{ file: 'src/accounts.js', find: "  a3: { id: 'a3', limits: { daily: 2000, single: 1500 }, usage: { today: 1900 } },\n", replace: "  a3: { id: 'a3', limits: { daily: 2000, single: 1500 }, usage: { today: 1900 } },\n  a4: { id: 'a4', limits: { daily: 100, single: 100 }, usage: { today: 0 } },\n" }] },
    { subject: 'Smoke test', author: 'Gil Amar', hoursAgo: 250, edits: h.tests },
    { subject: 'Explain the single-withdrawal rule', author: 'Fay Ng', hoursAgo: 200, edits: [{ file: 'src/withdrawals.js', find: "reason: 'single withdrawal limit' }", replace: "reason: 'single withdrawal limit', limit: account.limits.single }" }] },
    { subject: 'Read the per-day limit', author: 'Hal Ives', hoursAgo: 130, culprit: true, edits: [{ file: 'src/withdrawals.js', find: 'const limit = account.limits.daily;', replace: 'const limit = account.limits.perDay;' }] },
    { subject: 'Round withdrawal amounts to cents', author: 'Fay Ng', hoursAgo: 140, edits: [{ file: 'src/withdrawals.js', find: 'const amount = Number(body.amount);', replace: 'const amount = Math.round(Number(body.amount) * 100) / 100;' }] },
    { subject: 'CI workflow', author: 'Dana Ops', hoursAgo: 50, edits: h.ci },
    { subject: 'Fall back to a1 for unknown accounts', author: 'Gil Amar', hoursAgo: 135, edits: [{ file: 'src/accounts.js', find: 'return ACCOUNTS[id] || ACCOUNTS.a1;', replace: 'return ACCOUNTS[String(id)] || ACCOUNTS.a1;' }] },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 9, edits: h.version },
  ],
  request(i) {
    return { path: '/withdrawals', body: { account: ['a1', 'a2', 'a3'][i % 3], amount: [120, 400, 90, 650][i % 4] } };
  },
};
