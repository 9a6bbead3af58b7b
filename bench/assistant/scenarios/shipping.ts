import { housekeeping, httpServer, packageJson, type Scenario } from '../scenario';

const quotes = `'use strict';
const { normaliseAddress } = require('./address');
const { shippingFee } = require('./rates');

function quote(body) {
  const address = normaliseAddress(body.address || {});
  const order = { id: String(body.id), country: address.country, weightKg: Number(body.weightKg || 1) };
  return { id: order.id, fee: shippingFee(order) };
}

module.exports = { quote };
`;

const address = `'use strict';

function normaliseAddress(raw) {
  return {
    line1: String(raw.line1 || '').trim(),
    city: String(raw.city || '').trim(),
    country: String(raw.country || 'US').toUpperCase(),
  };
}

module.exports = { normaliseAddress };
`;

const rates = `'use strict';
const HOME_COUNTRY = 'US';
const DOMESTIC_FEE = 5;
const INTERNATIONAL_FEE = 25;

function shippingFee(order) {
  const base = order.country === HOME_COUNTRY ? DOMESTIC_FEE : INTERNATIONAL_FEE;
  return base + Math.max(0, order.weightKg - 2) * 1.5;
}

module.exports = { shippingFee };
`;

const h = housekeeping('quotes');

/** Countries become ISO numeric codes: `840 === 'US'` is never true, so every order is "international". */
export const shippingCountry: Scenario = {
  name: 'shipping-strict-equality',
  service: 'quotes',
  bug: 'strict equality between a number and a string',
  question: 'Why are domestic orders being charged international shipping?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/quotes.js', 'src/rates.js'],
  baseHoursAgo: 280,
  base: {
    'package.json': packageJson('quotes'),
    'src/server.js': httpServer('quotes', { '/quotes': { module: './quotes', fn: 'quote' } }),
    'src/quotes.js': quotes,
    'src/address.js': address,
    'src/rates.js': rates,
  },
  commits: [
    { subject: 'README', author: 'Uma Das', hoursAgo: 270, edits: h.readme },
    { subject: 'Raise the international fee to 28', author: 'Vic Hale', hoursAgo: 230, edits: [{ file: 'src/rates.js', find: 'const INTERNATIONAL_FEE = 25;', replace: 'const INTERNATIONAL_FEE = 28;' }] },
    { subject: 'Keep the second address line', author: 'Uma Das', hoursAgo: 190, edits: [{ file: 'src/address.js', find: "    city: String(raw.city || '').trim(),\n", replace: "    line2: String(raw.line2 || '').trim(),\n    city: String(raw.city || '').trim(),\n" }] },
    { subject: 'Smoke test', author: 'Vic Hale', hoursAgo: 160, edits: h.tests },
    {
      subject: 'Store countries as ISO 3166 numeric codes',
      author: 'Wes Long',
      hoursAgo: 100,
      culprit: true,
      edits: [
        { file: 'src/address.js', find: "    country: String(raw.country || 'US').toUpperCase(),\n", replace: "    country: toNumericCode(String(raw.country || 'US').toUpperCase()),\n" },
        { file: 'src/address.js', find: "module.exports = { normaliseAddress };", replace: "const NUMERIC = { US: 840, CA: 124, MX: 484, DE: 276, FR: 250 };\n\nfunction toNumericCode(alpha2) {\n  return NUMERIC[alpha2] || 0;\n}\n\nmodule.exports = { normaliseAddress };" },
      ],
    },
    { subject: 'Explain the per-kilogram surcharge', author: 'Vic Hale', hoursAgo: 60, edits: [{ file: 'src/rates.js', find: '  return base + Math.max(0, order.weightKg - 2) * 1.5;', replace: '  // heavier parcels pay 1.5 per kilogram over 2 kg\n  return base + Math.max(0, order.weightKg - 2) * 1.5;' }] },
    { subject: 'CI workflow', author: 'Dana Ops', hoursAgo: 35, edits: h.ci },
    { subject: 'Quote in USD explicitly', author: 'Uma Das', hoursAgo: 15, edits: [{ file: 'src/quotes.js', find: 'return { id: order.id, fee: shippingFee(order) };', replace: "return { id: order.id, fee: shippingFee(order), currency: 'USD' };" }] },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 4, edits: h.version },
  ],
  request(i) {
    return { path: '/quotes', body: { id: i, weightKg: [1, 3, 6][i % 3], address: { line1: `${i} Main St`, city: 'Springfield', country: ['US', 'us', 'CA', 'US', 'DE'][i % 5] } } };
  },
};
