import { housekeeping, httpServer, packageJson, type Scenario } from '../scenario';

const checkout = `'use strict';
const { loadCustomer } = require('./customers');
const { priceCart } = require('./cart');
const { applyDiscount } = require('./discounts');

function checkout(body) {
  const customer = loadCustomer(body.customerId);
  const subtotal = priceCart(body.items || []);
  const total = applyDiscount(customer, subtotal);
  return { customer: customer.id, subtotal, total };
}

module.exports = { checkout };
`;

const customers = `'use strict';
const ROWS = {
  c1: { id: 'c1', name: 'Ada', tier_code: 'gold', since: 2019 },
  c2: { id: 'c2', name: 'Ben', tier_code: 'silver', since: 2021 },
  c3: { id: 'c3', name: 'Cy', tier_code: 'gold', since: 2015 },
  c4: { id: 'c4', name: 'Di', tier_code: 'basic', since: 2023 },
};

function loadCustomer(id) {
  const row = ROWS[id] || ROWS.c4;
  return {
    id: row.id,
    name: row.name,
    tier: row.tier_code,
  };
}

module.exports = { loadCustomer };
`;

const discounts = `'use strict';
const GOLD_DISCOUNT = 0.1;
const SILVER_DISCOUNT = 0.05;

function applyDiscount(customer, subtotal) {
  let rate = 0;
  if (customer.tier === 'gold') rate = GOLD_DISCOUNT;
  else if (customer.tier === 'silver') rate = SILVER_DISCOUNT;
  const discount = subtotal * rate;
  return subtotal - discount;
}

module.exports = { applyDiscount };
`;

const cart = `'use strict';
const PRICES = { tea: 4.5, mug: 12, beans: 15 };

function priceCart(items) {
  let subtotal = 0;
  for (const item of items) subtotal += (PRICES[item.sku] || 0) * (item.qty || 1);
  return Math.round(subtotal * 100) / 100;
}

module.exports = { priceCart };
`;

const h = housekeeping('shop');

/** A renamed field: the profile stops carrying `tier`, so `customer.tier === 'gold'` compares undefined. */
export const discount: Scenario = {
  name: 'discount-renamed-field',
  service: 'shop',
  bug: 'renamed field leaves undefined in an equality check',
  question: 'Why did gold customers stop getting their loyalty discount after the release?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/checkout.js', 'src/discounts.js'],
  baseHoursAgo: 300,
  base: {
    'package.json': packageJson('shop'),
    'src/server.js': httpServer('shop', { '/checkout': { module: './checkout', fn: 'checkout' } }),
    'src/checkout.js': checkout,
    'src/customers.js': customers,
    'src/discounts.js': discounts,
    'src/cart.js': cart,
  },
  commits: [
    { subject: 'Add .gitignore', author: 'Dana Ops', hoursAgo: 280, edits: h.gitignore },
    { subject: 'Show member-since year on receipts', author: 'Mia Lopez', hoursAgo: 200, edits: [{ file: 'src/customers.js', find: '    tier: row.tier_code,\n', replace: '    tier: row.tier_code,\n    memberSince: row.since,\n' }] },
    { subject: 'Add kettles to the catalogue', author: 'Omar Haddad', hoursAgo: 150, edits: [{ file: 'src/cart.js', find: 'beans: 15 }', replace: 'beans: 15, kettle: 39 }' }] },
    { subject: 'CI: run tests on push', author: 'Dana Ops', hoursAgo: 120, edits: h.ci },
    { subject: 'Rename tier to loyaltyTier to match the CRM', author: 'Kai Young', hoursAgo: 70, culprit: true, edits: [{ file: 'src/customers.js', find: '    tier: row.tier_code,\n', replace: '    loyaltyTier: row.tier_code,\n' }] },
    { subject: 'Round discounts to whole cents', author: 'Mia Lopez', hoursAgo: 100, edits: [{ file: 'src/discounts.js', find: 'const discount = subtotal * rate;', replace: 'const discount = Math.round(subtotal * rate * 100) / 100;' }] },
    { subject: 'Default an empty cart to no items', author: 'Omar Haddad', hoursAgo: 90, edits: [{ file: 'src/checkout.js', find: 'priceCart(body.items || [])', replace: 'priceCart(Array.isArray(body.items) ? body.items : [])' }] },
    { subject: 'Add a smoke test', author: 'Kai Young', hoursAgo: 20, edits: h.tests },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 8, edits: h.version },
  ],
  request(i) {
    const items = [[{ sku: 'tea', qty: 2 }], [{ sku: 'mug' }, { sku: 'beans', qty: 3 }], [{ sku: 'kettle' }]][i % 3];
    return { path: '/checkout', body: { customerId: `c${(i % 4) + 1}`, items } };
  },
};
