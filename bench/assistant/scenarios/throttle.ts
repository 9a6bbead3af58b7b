import { housekeeping, httpServer, packageJson, type Scenario } from '../scenario';

const api = `'use strict';
const { throttle } = require('./throttle');

function handle(body) {
  const verdict = throttle(String(body.client || 'anonymous'), Date.now());
  if (verdict.limited) return { status: 429, retryAfterMs: verdict.retryAfterMs };
  return { status: 200, served: body.path || '/' };
}

module.exports = { handle };
`;

const throttle = `'use strict';
const WINDOW_MS = 60000;
const MAX_REQUESTS_PER_WINDOW = 100;
const windows = new Map();

function throttle(client, now) {
  const entry = windows.get(client) || { start: now, count: 0 };
  if (now - entry.start > WINDOW_MS) {
    entry.start = now;
    entry.count = 0;
  }
  entry.count += 1;
  windows.set(client, entry);
  const limited = entry.count > MAX_REQUESTS_PER_WINDOW;
  return { limited, retryAfterMs: limited ? WINDOW_MS - (now - entry.start) : 0 };
}

module.exports = { throttle };
`;

const h = housekeeping('gateway');

/** The limit is re-expressed "per hour" while the window stays a minute: `count > limit` never fires again. */
export const throttleUnits: Scenario = {
  name: 'throttle-limit-units',
  service: 'gateway',
  bug: 'threshold changed units; the branch never fires',
  question: 'Why is no client being throttled anymore?',
  entry: 'src/server.js',
  stack: ['src/server.js', 'src/api.js', 'src/throttle.js'],
  baseHoursAgo: 500,
  base: {
    'package.json': packageJson('gateway'),
    'src/server.js': httpServer('gateway', { '/api': { module: './api', fn: 'handle' } }),
    'src/api.js': api,
    'src/throttle.js': throttle,
  },
  commits: [
    { subject: 'Add .gitignore', author: 'Dana Ops', hoursAgo: 480, edits: h.gitignore },
    { subject: 'README', author: 'Max Ruiz', hoursAgo: 420, edits: h.readme },
    { subject: 'Tell clients when to retry', author: 'Ola Berg', hoursAgo: 330, edits: [{ file: 'src/api.js', find: 'return { status: 429, retryAfterMs: verdict.retryAfterMs };', replace: 'return { status: 429, retryAfterMs: verdict.retryAfterMs, retryAfterS: Math.ceil(verdict.retryAfterMs / 1000) };' }] },
    { subject: 'Express the rate limit per hour, as the docs do', author: 'Pat Quinn', hoursAgo: 400, culprit: true, edits: [{ file: 'src/throttle.js', find: 'const MAX_REQUESTS_PER_WINDOW = 100;', replace: 'const MAX_REQUESTS_PER_WINDOW = 6000; // per hour' }] },
    { subject: 'Smoke test', author: 'Max Ruiz', hoursAgo: 120, edits: h.tests },
    { subject: 'Forget idle clients', author: 'Ola Berg', hoursAgo: 90, edits: [{ file: 'src/throttle.js', find: '  windows.set(client, entry);\n', replace: '  windows.set(client, entry);\n  if (windows.size > 10000) windows.delete(windows.keys().next().value);\n' }] },
    { subject: 'Serve the requested path', author: 'Max Ruiz', hoursAgo: 40, edits: [{ file: 'src/api.js', find: "served: body.path || '/'", replace: "served: String(body.path || '/')" }] },
    { subject: 'CI workflow', author: 'Dana Ops', hoursAgo: 20, edits: h.ci },
    { subject: 'Bump version to 1.4.0', author: 'Dana Ops', hoursAgo: 7, edits: h.version },
  ],
  request(i) {
    return { path: '/api', body: { client: `client-${i % 2}`, path: `/items/${i % 7}` } };
  },
};
