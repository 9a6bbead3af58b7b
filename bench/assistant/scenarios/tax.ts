import { housekeeping, httpServer, packageJson, type Scenario } from '../scenario';

const invoices = `'use strict';
const { REGIONS } = require('./regions');

function invoice(body) {
  const order = { id: String(body.id), region: body.region, subtotal: Number(body.subtotal) };
  const region = REGIONS[order.region] || REGIONS.CA;
  const rate = Number(region.taxRate);
  const tax = Math.round(order.subtotal * rate * 100) / 100;
  const lines = [{ label: 'Subtotal', amount: order.subtotal }];
  if (tax > 0) lines.push({ label: 'Sales tax (' + region.name + ')', amount: tax });
  const total = lines.reduce((sum, l) => sum + l.amount, 0);
  return { id: order.id, lines, total };
}

module.exports = { invoice };
`;

const regions = `'use strict';

const REGIONS = {
  CA: { name: 'California', taxRate: 0.0725 },
  NY: { name: 'New York', taxRate: 0.04 },
  TX: { name: 'Texas', taxRate: 0.0625 },
  OR: { name: 'Oregon', taxRate: 0 },
};

module.exports = { REGIONS };
`;

const h = housekeeping('billing');

/** Rates are imported as "7.25%": Number() makes NaN, `tax > 0` is false, and the tax line disappears. */
export const taxRates: Scenario = {
  name: 'tax-rate-nan',
  service: 'billing',
  bug: 'NaN from a reformatted data table',
  question: 'Why is sales tax missing from invoices?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/invoices.js'],
  baseHoursAgo: 360,
  base: {
    'package.json': packageJson('billing'),
    'src/server.js': httpServer('billing', { '/invoices': { module: './invoices', fn: 'invoice' } }),
    'src/invoices.js': invoices,
    'src/regions.js': regions,
  },
  commits: [
    { subject: 'README', author: 'Ike Moss', hoursAgo: 340, edits: h.readme },
    { subject: 'Add Washington', author: 'Jen Park', hoursAgo: 300, edits: [{ file: 'src/regions.js', find: "  OR: { name: 'Oregon', taxRate: 0 },\n", replace: "  OR: { name: 'Oregon', taxRate: 0 },\n  WA: { name: 'Washington', taxRate: 0.065 },\n" }] },
    { subject: 'Smoke test', author: 'Ike Moss', hoursAgo: 260, edits: h.tests },
    { subject: 'Name the region on the tax line', author: 'Jen Park', hoursAgo: 210, edits: [{ file: 'src/invoices.js', find: "label: 'Sales tax (' + region.name + ')'", replace: "label: 'Sales tax, ' + region.name" }] },
    {
      subject: 'Import tax rates from the finance sheet',
      author: 'Kim Roe',
      hoursAgo: 140,
      culprit: true,
      edits: [
        { file: 'src/regions.js', find: "  CA: { name: 'California', taxRate: 0.0725 },\n  NY: { name: 'New York', taxRate: 0.04 },\n  TX: { name: 'Texas', taxRate: 0.0625 },", replace: "  CA: { name: 'California', taxRate: '7.25%' },\n  NY: { name: 'New York', taxRate: '4%' },\n  TX: { name: 'Texas', taxRate: '6.25%' }," },
      ],
    },
    { subject: 'Round totals to cents', author: 'Jen Park', hoursAgo: 90, edits: [{ file: 'src/invoices.js', find: 'const total = lines.reduce((sum, l) => sum + l.amount, 0);', replace: 'const total = Math.round(lines.reduce((sum, l) => sum + l.amount, 0) * 100) / 100;' }] },
    { subject: 'CI workflow', author: 'Dana Ops', hoursAgo: 60, edits: h.ci },
    { subject: 'Accept lowercase region codes', author: 'Ike Moss', hoursAgo: 22, edits: [{ file: 'src/invoices.js', find: 'region: body.region,', replace: "region: String(body.region || 'CA').toUpperCase()," }] },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 6, edits: h.version },
  ],
  request(i) {
    return { path: '/invoices', body: { id: i, region: ['CA', 'NY', 'TX', 'ca'][i % 4], subtotal: [19.99, 250, 1200, 75][i % 4] } };
  },
};
