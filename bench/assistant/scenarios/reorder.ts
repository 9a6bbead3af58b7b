import { housekeeping, httpServer, packageJson, type Scenario } from '../scenario';

const replenish = `'use strict';
const { readStock } = require('./stock');
const { placeOrder } = require('./supplier');
const TARGETS = { widget: 120, gadget: 60 };

function sync(body) {
  const stock = readStock(body.sku, body.row || {});
  const target = TARGETS[stock.sku] || 50;
  const needed = target - stock.onHand;
  if (needed > 0) {
    return { sku: stock.sku, reorder: placeOrder(stock.sku, needed) };
  }
  return { sku: stock.sku, reorder: null };
}

module.exports = { sync };
`;

const stock = `'use strict';

function readStock(sku, row) {
  return {
    sku: String(sku || 'widget'),
    onHand: Number(row.qty || 0),
    warehouse: row.wh || 'main',
  };
}

module.exports = { readStock };
`;

const supplier = `'use strict';
let next = 1;

function placeOrder(sku, units) {
  return { po: 'PO-' + next++, sku, units };
}

module.exports = { placeOrder };
`;

const h = housekeeping('inventory');

/** The stock reader switches to a field the rows do not have: `target - undefined` is NaN and `NaN > 0` never reorders. */
export const reorder: Scenario = {
  name: 'reorder-nan',
  service: 'inventory',
  bug: 'undefined field makes arithmetic NaN; the branch never fires',
  question: 'Why are low-stock items no longer being reordered?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/replenish.js'],
  baseHoursAgo: 240,
  base: {
    'package.json': packageJson('inventory'),
    'src/server.js': httpServer('inventory', { '/stock/sync': { module: './replenish', fn: 'sync' } }),
    'src/replenish.js': replenish,
    'src/stock.js': stock,
    'src/supplier.js': supplier,
  },
  commits: [
    { subject: 'Add README', author: 'Rae Kim', hoursAgo: 230, edits: h.readme },
    { subject: 'Track reserved units per item', author: 'Ivo Petrov', hoursAgo: 180, edits: [{ file: 'src/stock.js', find: "    warehouse: row.wh || 'main',\n", replace: "    reserved: Number(row.reserved || 0),\n    warehouse: row.wh || 'main',\n" }] },
    { subject: 'Add gizmo to the reorder targets', author: 'Rae Kim', hoursAgo: 150, edits: [{ file: 'src/replenish.js', find: 'gadget: 60 }', replace: 'gadget: 60, gizmo: 200 }' }] },
    { subject: 'Read on-hand units from the warehouse quantity field', author: 'Noor Ali', hoursAgo: 96, culprit: true, edits: [{ file: 'src/stock.js', find: 'onHand: Number(row.qty || 0),', replace: 'onHand: row.quantity,' }] },
    { subject: 'Prefix purchase orders with the year', author: 'Ivo Petrov', hoursAgo: 60, edits: [{ file: 'src/supplier.js', find: "return { po: 'PO-' + next++, sku, units };", replace: "return { po: 'PO-' + new Date().getFullYear() + '-' + next++, sku, units };" }] },
    { subject: 'Smoke test', author: 'Rae Kim', hoursAgo: 40, edits: h.tests },
    { subject: 'Return the warehouse with each sync result', author: 'Noor Ali', hoursAgo: 26, edits: [{ file: 'src/replenish.js', find: '  return { sku: stock.sku, reorder: null };', replace: '  return { sku: stock.sku, reorder: null, warehouse: stock.warehouse };' }] },
    { subject: 'CI workflow', author: 'Dana Ops', hoursAgo: 12, edits: h.ci },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 4, edits: h.version },
  ],
  request(i) {
    const sku = ['widget', 'gadget', 'gizmo'][i % 3];
    return { path: '/stock/sync', body: { sku, row: { qty: [3, 140, 12, 55, 0][i % 5], wh: i % 2 ? 'east' : 'main' } } };
  },
};
