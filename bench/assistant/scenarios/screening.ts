import { housekeeping, httpServer, packageJson, type Scenario } from '../scenario';

const signup = `'use strict';
const { config } = require('./config');
const { basicChecks, deepScreen } = require('./screening');

function signup(body) {
  const user = { email: String(body.email || ''), country: body.country || 'US', ip: body.ip || '0.0.0.0' };
  const checks = basicChecks(user);
  if (config.strictScreening) {
    checks.push(deepScreen(user));
  }
  return { accepted: checks.every((c) => c.ok), checks: checks.map((c) => c.name) };
}

module.exports = { signup };
`;

const config = `'use strict';

const config = {
  strictScreening: process.env.STRICT_SCREENING === 'true',
  region: process.env.REGION || 'eu-west',
  maxSignupsPerIp: 5,
};

module.exports = { config };
`;

const screening = `'use strict';

function basicChecks(user) {
  return [
    { name: 'email', ok: user.email.includes('@') },
    { name: 'country', ok: user.country !== 'XX' },
  ];
}

function deepScreen(user) {
  // the expensive vendor check: only for strict mode
  return { name: 'deep-fraud-screen', ok: !user.ip.startsWith('10.') };
}

module.exports = { basicChecks, deepScreen };
`;

const h = housekeeping('accounts');

/** Flags now come from a file of strings: `if (config.strictScreening)` is true for the string 'false'. */
export const screeningFlag: Scenario = {
  name: 'screening-string-flag',
  service: 'accounts',
  bug: "the string 'false' tested as a boolean",
  question: 'Why is deep fraud screening running on every signup now?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/signup.js'],
  baseHoursAgo: 400,
  base: {
    'package.json': packageJson('accounts'),
    'src/server.js': httpServer('accounts', { '/signup': { module: './signup', fn: 'signup' } }),
    'src/signup.js': signup,
    'src/config.js': config,
    'src/screening.js': screening,
  },
  commits: [
    { subject: 'Add .gitignore', author: 'Dana Ops', hoursAgo: 390, edits: h.gitignore },
    { subject: 'Reject the XX test country', author: 'Ana Costa', hoursAgo: 330, edits: [{ file: 'src/screening.js', find: "{ name: 'country', ok: user.country !== 'XX' },", replace: "{ name: 'country', ok: user.country !== 'XX' && user.country !== 'ZZ' },\n    { name: 'email-length', ok: user.email.length < 200 }," }] },
    { subject: 'Lower the per-IP signup limit', author: 'Ben Ode', hoursAgo: 280, edits: [{ file: 'src/config.js', find: 'maxSignupsPerIp: 5,', replace: 'maxSignupsPerIp: 3,' }] },
    { subject: 'README', author: 'Ana Costa', hoursAgo: 200, edits: h.readme },
    {
      subject: 'Read feature flags from flags.js',
      author: 'Chen Liu',
      hoursAgo: 120,
      culprit: true,
      edits: [
        { file: 'src/flags.js', content: "'use strict';\n// Flags as the ops dashboard writes them.\nmodule.exports = { strict_screening: process.env.STRICT_SCREENING || 'false', beta_banner: 'false' };\n" },
        { file: 'src/config.js', find: "'use strict';\n", replace: "'use strict';\nconst FLAGS = require('./flags');\n" },
        { file: 'src/config.js', find: "strictScreening: process.env.STRICT_SCREENING === 'true',", replace: 'strictScreening: FLAGS.strict_screening,' },
      ],
    },
    { subject: 'Normalise signup emails to lower case', author: 'Ben Ode', hoursAgo: 90, edits: [{ file: 'src/signup.js', find: "email: String(body.email || '')", replace: "email: String(body.email || '').trim().toLowerCase()" }] },
    { subject: 'Smoke test', author: 'Chen Liu', hoursAgo: 48, edits: h.tests },
    { subject: 'Explain the deep screen', author: 'Ana Costa', hoursAgo: 30, edits: [{ file: 'src/screening.js', find: '  // the expensive vendor check: only for strict mode\n', replace: '  // the expensive vendor check (about 400 ms, billed per call): only for strict mode\n' }] },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 10, edits: h.version },
  ],
  request(i) {
    return { path: '/signup', body: { email: `user${i}@example.com`, country: ['US', 'DE', 'FR'][i % 3], ip: i % 4 ? '203.0.113.9' : '10.0.0.8' } };
  },
};
