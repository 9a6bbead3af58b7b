import { housekeeping, httpServer, packageJson, type Scenario } from '../scenario';

const signups = `'use strict';
const { creditReferral } = require('./referrals');

function register(body) {
  const signup = {
    email: String(body.email || ''),
    plan: body.plan || 'free',
    metadata: JSON.stringify(body.meta || {}),
  };
  const referral = creditReferral(signup);
  return { ok: true, plan: signup.plan, referral };
}

module.exports = { register };
`;

const referrals = `'use strict';
const REFERRAL_BONUS = 20;
const PARTNERS = new Set(['acme', 'globex']);

function creditReferral(signup) {
  let meta;
  try {
    meta = JSON.parse(signup.metadata);
  } catch (err) {
    meta = {};
  }
  if (!meta.partner || !PARTNERS.has(meta.partner)) return { credited: false };
  return { credited: true, partner: meta.partner, bonus: REFERRAL_BONUS };
}

module.exports = { creditReferral };
`;

const h = housekeeping('growth');

/** Metadata is now sent as a query string: JSON.parse throws, the catch swallows it, referrals are never credited. */
export const referral: Scenario = {
  name: 'referral-swallowed-exception',
  service: 'growth',
  bug: 'exception swallowed by a catch block',
  question: 'Why are partner referrals no longer being credited?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/signups.js', 'src/referrals.js'],
  baseHoursAgo: 220,
  base: {
    'package.json': packageJson('growth'),
    'src/server.js': httpServer('growth', { '/signups': { module: './signups', fn: 'register' } }),
    'src/signups.js': signups,
    'src/referrals.js': referrals,
  },
  commits: [
    { subject: 'README', author: 'Jo March', hoursAgo: 210, edits: h.readme },
    { subject: 'Add umbrella as a partner', author: 'Sid Roy', hoursAgo: 170, edits: [{ file: 'src/referrals.js', find: "['acme', 'globex']", replace: "['acme', 'globex', 'umbrella']" }] },
    { subject: 'Smoke test', author: 'Jo March', hoursAgo: 150, edits: h.tests },
    { subject: 'Default new signups to the trial plan', author: 'Sid Roy', hoursAgo: 110, edits: [{ file: 'src/signups.js', find: "plan: body.plan || 'free',", replace: "plan: body.plan || 'trial'," }] },
    { subject: 'Encode signup metadata as a query string for the partner API', author: 'Lou Park', hoursAgo: 75, culprit: true, edits: [{ file: 'src/signups.js', find: 'metadata: JSON.stringify(body.meta || {}),', replace: 'metadata: new URLSearchParams(body.meta || {}).toString(),' }] },
    { subject: 'Raise the referral bonus to 25', author: 'Sid Roy', hoursAgo: 45, edits: [{ file: 'src/referrals.js', find: 'const REFERRAL_BONUS = 20;', replace: 'const REFERRAL_BONUS = 25;' }] },
    { subject: 'CI workflow', author: 'Dana Ops', hoursAgo: 30, edits: h.ci },
    { subject: 'Trim emails on signup', author: 'Jo March', hoursAgo: 14, edits: [{ file: 'src/signups.js', find: "email: String(body.email || ''),", replace: "email: String(body.email || '').trim()," }] },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 5, edits: h.version },
  ],
  request(i) {
    return { path: '/signups', body: { email: `p${i}@example.com`, meta: i % 3 ? { partner: ['acme', 'globex'][i % 2], campaign: 'spring' } : {} } };
  },
};
