'use strict';
// A small pricing service with a deployed commit and a PR branch, generated into a fresh git repository (the
// example must not nest a .git inside ours). The PR makes assumptions production traffic contradicts:
//   hunk 1 multiplies `amount` as a number (traffic sends it as a string in 1 of 4 requests),
//   hunk 2 deletes the legacy-pricing branch (1 of 5 requests still take it),
//   hunk 3 adds code reading `order.customer.tier` (1 of 10 requests have no customer),
//   hunk 4 changes refund(), which the traffic never calls (a cold hunk: 0 hits, no finding),
//   and in src/coupons.js it changes the check in parseCoupon() that throws for malformed coupons (1 in 20 requests).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const server = `'use strict';
const http = require('node:http');
const { priceOrder, refund } = require('./pricing');
const { parseCoupon } = require('./coupons');

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    let order;
    try {
      order = JSON.parse(body || '{}');
    } catch {
      res.writeHead(400);
      return res.end('invalid JSON');
    }
    let result;
    if (req.url === '/refund') result = refund(order);
    else {
      result = priceOrder(order);
      try {
        result.discount = parseCoupon(order);
      } catch {
        result.discount = 0; // a malformed coupon is ignored, not an error for the client
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(result));
  });
});
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log('listening on http://127.0.0.1:' + server.address().port);
});
`;

const deployedPricing = `'use strict';
// Prices orders for the checkout API.
const TAX = 0.2;

function priceOrder(order) {
  const amount = order.amount;
  let total = amount + amount * TAX;
  const currency = order.currency || 'EUR';
  if (order.legacy) {
    total = legacyPrice(total);
  }
  const customer = order.customer;
  return { total, currency, customer };
}

function legacyPrice(total) {
  return Math.round(total);
}

function refund(order) {
  const reason = order.reason;
  return { refunded: true, reason };
}

module.exports = { priceOrder, refund, legacyPrice };
`;

const prPricing = `'use strict';
// Prices orders for the checkout API.
const TAX = 0.2;

function priceOrder(order) {
  const amount = order.amount;
  let total = amount * 1.1;
  const currency = order.currency || 'EUR';
  const customer = order.customer;
  if (order.customer.tier === 'gold') total = total - 5;
  return { total, currency, customer };
}

function legacyPrice(total) {
  return Math.round(total);
}

function refund(order) {
  const reason = String(order.reason).trim();
  return { refunded: true, reason };
}

module.exports = { priceOrder, refund, legacyPrice };
`;

const deployedCoupons = `'use strict';
// Coupon codes: four capitals and the percentage.

function parseCoupon(order) {
  const code = order.coupon;
  if (code && !/^[A-Z]{4}[0-9]{2}$/.test(code)) throw new Error('malformed coupon ' + code);
  return code ? Number(code.slice(4)) : 0;
}

module.exports = { parseCoupon };
`;

const prCoupons = deployedCoupons.replace('[0-9]{2}$', '[0-9]{2,3}$');

/**
 * The i-th request of the traffic mix, deterministic but spread (a multiplicative hash, so a rate-limited
 * sampler does not alias with it): 25% string amounts, 20% legacy orders, 10% without a customer, 5% with a
 * malformed coupon (parseCoupon throws) and 10% with a valid one.
 */
function request(i) {
  const h = (seed) => mixBits(i * 3 + seed) % 100;
  const order = { amount: h(0) < 25 ? String(10 + (i % 50)) + '.50' : 10 + (i % 50), currency: 'EUR' };
  if (h(1) < 20) order.legacy = true;
  if (h(2) >= 10) order.customer = { id: 'c' + (i % 7), tier: i % 3 === 0 ? 'gold' : 'silver' };
  const coupon = h(3);
  if (coupon < 5) order.coupon = 'SAVE-' + (i % 9);
  else if (coupon < 15) order.coupon = 'SAVE' + (10 + (i % 20));
  return { path: '/price', body: order };
}

/** A 32-bit integer hash (murmur3's finaliser): neighbouring inputs give unrelated outputs. */
function mixBits(x) {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Shares of the first `n` requests (what a test compares the review's findings with). */
function mix(n) {
  let strings = 0, legacy = 0, noCustomer = 0, badCoupon = 0;
  for (let i = 0; i < n; i++) {
    const { body } = request(i);
    if (typeof body.amount === 'string') strings++;
    if (body.legacy) legacy++;
    if (!body.customer) noCustomer++;
    if (body.coupon && body.coupon.includes('-')) badCoupon++;
  }
  return { strings: strings / n, legacy: legacy / n, noCustomer: noCustomer / n, badCoupon: badCoupon / n };
}

function git(dir, args) {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir, GIT_AUTHOR_DATE: '2026-11-20T10:00:00Z', GIT_COMMITTER_DATE: '2026-11-20T10:00:00Z' } });
}

function commitAll(dir, subject) {
  git(dir, ['add', '-A']);
  git(dir, ['-c', 'user.name=Dana Dev', '-c', 'user.email=dana@example.com', 'commit', '-q', '--no-verify', '-m', subject]);
  return git(dir, ['rev-parse', 'HEAD']).trim();
}

/**
 * Creates the repository in `dir`: `main` is the deployed commit (checked out, so a service started there
 * reports it), `pr/pricing` is the branch under review.
 */
function buildReviewRepo(dir) {
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  fs.writeFileSync(path.join(dir, 'src/server.js'), server);
  fs.writeFileSync(path.join(dir, 'src/pricing.js'), deployedPricing);
  fs.writeFileSync(path.join(dir, 'src/coupons.js'), deployedCoupons);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'pricing', private: true, main: 'src/server.js' }, null, 2) + '\n');
  const deployed = commitAll(dir, 'Pricing service');
  git(dir, ['checkout', '-q', '-b', 'pr/pricing']);
  fs.writeFileSync(path.join(dir, 'src/pricing.js'), prPricing);
  fs.writeFileSync(path.join(dir, 'src/coupons.js'), prCoupons);
  const head = commitAll(dir, 'Simplify pricing: flat 10% markup, drop legacy pricing, gold discount');
  git(dir, ['checkout', '-q', 'main']);
  return { dir, deployed, head, branch: 'pr/pricing', entry: 'src/server.js', file: 'src/pricing.js' };
}

module.exports = { buildReviewRepo, request, mix };
