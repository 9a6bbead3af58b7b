import { housekeeping, httpServer, packageJson, type Scenario } from '../scenario';

// Held-out scenarios: written after the investigator's heuristics were frozen, and reported separately, so the
// bench says how it does on incidents it was not tuned on.

const coupons = `'use strict';
const { loadCoupon } = require('./couponStore');

function redeem(body) {
  const coupon = loadCoupon(String(body.code || ''));
  if (!coupon) return { ok: false, reason: 'unknown coupon' };
  const now = Date.now();
  if (coupon.expiresAt < now) return { ok: false, reason: 'coupon expired' };
  return { ok: true, percentOff: coupon.percentOff };
}

module.exports = { redeem };
`;

const couponStore = `'use strict';
const ROWS = {
  SPRING: { code: 'SPRING', percent_off: 10, expires: '2020-05-31T23:59:59Z' },
  SUMMER: { code: 'SUMMER', percent_off: 15, expires: '2099-08-31T23:59:59Z' },
  WELCOME: { code: 'WELCOME', percent_off: 5, expires: '2099-12-31T23:59:59Z' },
};

function loadCoupon(code) {
  const row = ROWS[code.toUpperCase()];
  if (!row) return undefined;
  return { code: row.code, percentOff: row.percent_off, expiresAt: Date.parse(row.expires) };
}

module.exports = { loadCoupon };
`;

const hc = housekeeping('promotions');

/** Expiry dates stay ISO strings: `'2020-05-31…' < Date.now()` is false (NaN), so expired coupons are accepted. */
export const couponExpiry: Scenario = {
  name: 'heldout-coupon-expiry',
  service: 'promotions',
  bug: 'date string compared with a timestamp',
  question: 'Why are expired coupons still being accepted at checkout?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/coupons.js'],
  baseHoursAgo: 300,
  base: {
    'package.json': packageJson('promotions'),
    'src/server.js': httpServer('promotions', { '/coupons/redeem': { module: './coupons', fn: 'redeem' } }),
    'src/coupons.js': coupons,
    'src/couponStore.js': couponStore,
  },
  commits: [
    { subject: 'README', author: 'Ines Roy', hoursAgo: 290, edits: hc.readme },
    { subject: 'Add the WELCOME coupon', author: 'Jad Saleh', hoursAgo: 240, edits: [{ file: 'src/couponStore.js', find: "  WELCOME: { code: 'WELCOME', percent_off: 5, expires: '2099-12-31T23:59:59Z' },\n", replace: "  WELCOME: { code: 'WELCOME', percent_off: 5, expires: '2099-12-31T23:59:59Z' },\n  AUTUMN: { code: 'AUTUMN', percent_off: 12, expires: '2099-11-30T23:59:59Z' },\n" }] },
    { subject: 'Smoke test', author: 'Ines Roy', hoursAgo: 200, edits: hc.tests },
    { subject: 'Keep coupon expiry as the store returns it', author: 'Kit Yu', hoursAgo: 130, culprit: true, edits: [{ file: 'src/couponStore.js', find: 'expiresAt: Date.parse(row.expires) };', replace: 'expiresAt: row.expires };' }] },
    { subject: 'Trim coupon codes', author: 'Jad Saleh', hoursAgo: 90, edits: [{ file: 'src/coupons.js', find: "loadCoupon(String(body.code || ''))", replace: "loadCoupon(String(body.code || '').trim())" }] },
    { subject: 'Say which coupon expired', author: 'Ines Roy', hoursAgo: 60, edits: [{ file: 'src/coupons.js', find: "reason: 'coupon expired' }", replace: "reason: 'coupon ' + coupon.code + ' expired' }" }] },
    { subject: 'CI workflow', author: 'Dana Ops', hoursAgo: 30, edits: hc.ci },
    { subject: 'Return the coupon code on success', author: 'Kit Yu', hoursAgo: 16, edits: [{ file: 'src/coupons.js', find: 'return { ok: true, percentOff: coupon.percentOff };', replace: 'return { ok: true, code: coupon.code, percentOff: coupon.percentOff };' }] },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 5, edits: hc.version },
  ],
  request(i) {
    return { path: '/coupons/redeem', body: { code: ['spring', 'SUMMER', 'welcome', 'nope'][i % 4] } };
  },
};

const convert = `'use strict';
const { parseRequest } = require('./request');
const RATES = { USD: 1, EUR: 1.08, GBP: 1.27, JPY: 0.0067 };

function toUsd(body) {
  const req = parseRequest(body);
  const rate = RATES[req.currency];
  const usd = Math.round(req.amount * rate * 100) / 100;
  if (!(usd >= 0)) return { ok: false, reason: 'could not convert' };
  return { ok: true, usd };
}

module.exports = { toUsd };
`;

const request = `'use strict';

function parseRequest(body) {
  return {
    amount: Number(body.amount),
    currency: String(body.currency || 'USD').toUpperCase(),
  };
}

module.exports = { parseRequest };
`;

const hx = housekeeping('fx');

/** Currency codes are lower-cased upstream: the rate lookup misses and every conversion fails. */
export const fxLookup: Scenario = {
  name: 'heldout-fx-rate-lookup',
  service: 'fx',
  bug: 'lookup key changed case: undefined rate, NaN amount',
  question: 'Why do all currency conversions fail since the last release?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/convert.js'],
  baseHoursAgo: 250,
  base: {
    'package.json': packageJson('fx'),
    'src/server.js': httpServer('fx', { '/convert': { module: './convert', fn: 'toUsd' } }),
    'src/convert.js': convert,
    'src/request.js': request,
  },
  commits: [
    { subject: 'Add .gitignore', author: 'Dana Ops', hoursAgo: 240, edits: hx.gitignore },
    { subject: 'Add JPY', author: 'Lea Marx', hoursAgo: 200, edits: [{ file: 'src/convert.js', find: 'GBP: 1.27, JPY: 0.0067 }', replace: 'GBP: 1.27, JPY: 0.0067, CHF: 1.13 }' }] },
    { subject: 'README', author: 'Lea Marx', hoursAgo: 180, edits: hx.readme },
    { subject: 'Use ISO 4217 style codes from the partner feed', author: 'Moe Chan', hoursAgo: 50, culprit: true, edits: [{ file: 'src/request.js', find: "currency: String(body.currency || 'USD').toUpperCase(),", replace: "currency: String(body.currency || 'usd').toLowerCase()," }] },
    { subject: 'Reject negative amounts', author: 'Lea Marx', hoursAgo: 120, edits: [{ file: 'src/request.js', find: 'amount: Number(body.amount),', replace: 'amount: Math.abs(Number(body.amount)),' }] },
    { subject: 'Explain conversion failures', author: 'Moe Chan', hoursAgo: 36, edits: [{ file: 'src/convert.js', find: "reason: 'could not convert' }", replace: "reason: 'could not convert ' + req.currency }" }] },
    { subject: 'Smoke test', author: 'Lea Marx', hoursAgo: 24, edits: hx.tests },
    { subject: 'CI workflow', author: 'Dana Ops', hoursAgo: 12, edits: hx.ci },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 3, edits: hx.version },
  ],
  request(i) {
    return { path: '/convert', body: { amount: [10, 250, 99.5][i % 3], currency: ['EUR', 'GBP', 'USD', 'JPY'][i % 4] } };
  },
};

const risk = `'use strict';
const { normalise } = require('./amounts');
const REVIEW_ABOVE = 10000;

function assess(body) {
  const amount = normalise(body);
  const review = amount > REVIEW_ABOVE;
  return { review, band: review ? 'manual' : 'auto' };
}

module.exports = { assess };
`;

const amounts = `'use strict';

function normalise(body) {
  const value = Number(body.amount);
  return Math.round(value * 100) / 100;
}

module.exports = { normalise };
`;

const hr = housekeeping('risk');

/** Amounts switch to integer cents upstream: every order looks 100× larger and goes to manual review. No type changes. */
export const centsUnits: Scenario = {
  name: 'heldout-cents-units',
  service: 'risk',
  bug: 'unit change (dollars → cents), no type anomaly',
  question: 'Why is almost every order going to manual review since yesterday?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/risk.js'],
  baseHoursAgo: 260,
  base: {
    'package.json': packageJson('risk'),
    'src/server.js': httpServer('risk', { '/assess': { module: './risk', fn: 'assess' } }),
    'src/risk.js': risk,
    'src/amounts.js': amounts,
  },
  commits: [
    { subject: 'README', author: 'Nia Bell', hoursAgo: 250, edits: hr.readme },
    { subject: 'Smoke test', author: 'Nia Bell', hoursAgo: 210, edits: hr.tests },
    { subject: 'Name the review bands', author: 'Oto Lang', hoursAgo: 160, edits: [{ file: 'src/risk.js', find: "band: review ? 'manual' : 'auto'", replace: "band: review ? 'manual-review' : 'auto-approve'" }] },
    { subject: 'Keep amounts in integer cents end to end', author: 'Pia Holm', hoursAgo: 30, culprit: true, edits: [{ file: 'src/amounts.js', find: '  return Math.round(value * 100) / 100;', replace: '  return Math.round(value * 100);' }] },
    { subject: 'Accept amounts sent as strings', author: 'Oto Lang', hoursAgo: 110, edits: [{ file: 'src/amounts.js', find: 'const value = Number(body.amount);', replace: "const value = Number(String(body.amount).replace(/[^0-9.]/g, ''));" }] },
    { subject: 'CI workflow', author: 'Dana Ops', hoursAgo: 70, edits: hr.ci },
    { subject: 'Add .gitignore', author: 'Dana Ops', hoursAgo: 50, edits: hr.gitignore },
    { subject: 'Return the amount assessed', author: 'Nia Bell', hoursAgo: 20, edits: [{ file: 'src/risk.js', find: "return { review, band: review ? 'manual-review' : 'auto-approve' };", replace: "return { review, amount, band: review ? 'manual-review' : 'auto-approve' };" }] },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 6, edits: hr.version },
  ],
  request(i) {
    return { path: '/assess', body: { amount: [120, 45.5, 2500, 15000, 980][i % 5] } };
  },
};

export const heldOut: readonly Scenario[] = [couponExpiry, fxLookup, centsUnits];
