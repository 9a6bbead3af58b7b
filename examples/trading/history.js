'use strict';
// Generates the trading service's git history into a fresh repository (the example must not nest a .git
// inside ours). Each commit is a set of file contents; dates are fixed so the history is reproducible.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const tsconfig = JSON.stringify({
  compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true, outDir: 'dist', rootDir: 'src', sourceMap: true, esModuleInterop: true, skipLibCheck: true, types: ['node'] },
  include: ['src'],
}, null, 2) + '\n';

const server = (tail = '') => `import http from 'node:http';
import { normalizeOrder } from './intake';
import { validateTrade } from './validation';
import { book } from './booking';
import { stats } from './stats';

const port = Number(process.env.PORT || 8080);

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/trades') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      let raw: unknown;
      try {
        raw = JSON.parse(body || '{}');
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: 'invalid JSON' }));
      }
      const order = normalizeOrder(raw);
      const verdict = validateTrade(order);
      stats.record(verdict);
      const trade = book(order, verdict);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(trade));
    });
    return;
  }
  if (req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(stats.snapshot()));
  }
  if (req.url === '/health') return res.end('ok');
  res.writeHead(404).end();
});

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(\`trading listening on http://127.0.0.1:\${typeof address === 'object' && address ? address.port : port} (pid \${process.pid})\`);
});
${tail}`;

const types = (amount = 'number') => `export type Side = 'buy' | 'sell';
/** Money as it travels between steps. */
export type Amount = ${amount};

export interface Order {
  account: string;
  symbol: string;
  side: Side;
  quantity: number;
  price: number;
  notional: Amount;
}

export interface Verdict {
  ok: boolean;
  flags: string[];
  reasons: string[];
}
`;

const intake = (notional, imports = '') => `import { Order, Side } from './types';
${imports}
/** Turns a raw request body into an Order: upstream gateways send loosely typed JSON. */
export function normalizeOrder(raw: unknown): Order {
  // Gateways send loosely typed JSON; fields are checked or converted one by one below.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const r = (raw ?? {}) as Record<string, any>;
  const quantity = Number(r.quantity ?? 0);
  const price = Number(r.price ?? 0);
  const side: Side = r.side === 'sell' ? 'sell' : 'buy';
  return {
    account: String(r.account ?? 'anonymous'),
    symbol: String(r.symbol ?? '').toUpperCase(),
    side,
    quantity,
    price,
    notional: ${notional},
  };
}
`;

const validation = (limits) => `import { Order, Verdict } from './types';
import { limitsFor } from './limits';

/** Trades above this notional go to the fraud desk for review. */
const HIGH_VALUE_THRESHOLD = 10000;

export function validateTrade(order: Order): Verdict {
  const flags: string[] = [];
  const reasons: string[] = [];
  const limits = limitsFor(order.account);
  if (order.quantity <= 0) reasons.push('quantity must be positive');
  if (order.notional > HIGH_VALUE_THRESHOLD) flags.push('high-value-review');
${limits}  return { ok: reasons.length === 0, flags, reasons };
}
`;

const limitsV1 = `  if (order.quantity > limits.maxQuantity) reasons.push('quantity over account limit');
`;
const limitsV2 = `  if (order.quantity > limits.maxQuantity) reasons.push('quantity over account limit');
  if (limits.restricted.includes(order.symbol)) reasons.push(\`\${order.symbol} is restricted for this account\`);
`;

const limitsTs = (restricted) => `/** Per-account trading limits (a static table until the limits service exists). */
export interface Limits {
  maxQuantity: number;
  restricted: string[];
}

const DEFAULT: Limits = { maxQuantity: 100000, restricted: [${restricted}] };
const BY_ACCOUNT: Record<string, Limits> = {
  retail: { maxQuantity: 5000, restricted: ['GME', 'AMC'${restricted ? ', ' + restricted : ''}] },
};

export function limitsFor(account: string): Limits {
  return BY_ACCOUNT[account] ?? DEFAULT;
}
`;

const booking = (withIds) => `import { Order, Verdict } from './types';

export interface Trade {
  id: string;
  status: 'booked' | 'review' | 'rejected';
  order: Order;
  flags: string[];
  reasons: string[];
}

let seq = 0;
${withIds ? "const prefix = 'T' + new Date().toISOString().slice(0, 10).replace(/-/g, '');\n" : ''}
/** Books a validated trade; flagged trades wait for the fraud desk instead. */
export function book(order: Order, verdict: Verdict): Trade {
  const id = ${withIds ? "`${prefix}-${++seq}`" : "String(++seq)"};
  const status = !verdict.ok ? 'rejected' : verdict.flags.length ? 'review' : 'booked';
  return { id, status, order, flags: verdict.flags, reasons: verdict.reasons };
}
`;

const statsTs = `import { Verdict } from './types';

/** Counters the alerting rules read: the share of trades sent to review is watched per deploy. */
class Stats {
  private total = 0;
  private rejected = 0;
  private review = 0;
  record(v: Verdict): void {
    this.total++;
    if (!v.ok) this.rejected++;
    else if (v.flags.length) this.review++;
  }
  snapshot() {
    return { total: this.total, rejected: this.rejected, review: this.review, reviewRate: this.total ? this.review / this.total : 0 };
  }
}

export const stats = new Stats();
`;

const format = `/** Display helpers shared by the audit trail and the UI feed. */
export function formatAmount(value: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}
`;

const readme = (extra = '') => `# trading

Order intake → validation → booking. \`npm run build && node dist/server.js\`.
${extra}`;

const people = {
  ana: 'Ana Ruiz <ana@trading.example>',
  ben: 'Ben Okafor <ben@trading.example>',
  chen: 'Chen Wei <chen@trading.example>',
};

/** The history, oldest first. `culprit` marks the commit that breaks the high-value check. */
const COMMITS = [
  { by: 'ana', msg: 'Initial trading service: intake, validation, booking', files: { 'tsconfig.json': tsconfig, 'README.md': readme(), 'src/types.ts': types(), 'src/intake.ts': intake('quantity * price'), 'src/validation.ts': validation(limitsV1), 'src/limits.ts': limitsTs(''), 'src/booking.ts': booking(false), 'src/stats.ts': statsTs, 'src/server.ts': server() } },
  { by: 'ben', msg: 'Add restricted-symbol check to validation', files: { 'src/validation.ts': validation(limitsV2) } },
  { by: 'chen', msg: 'Booking: date-prefixed trade ids', files: { 'src/booking.ts': booking(true) } },
  { by: 'ana', msg: 'Restrict TSLA for default accounts pending review', files: { 'src/limits.ts': limitsTs("'TSLA'") } },
  { by: 'ben', msg: 'Docs: how to run locally', files: { 'README.md': readme('\nSend a trade: `curl -XPOST localhost:8080/trades -d \'{"symbol":"ACME","quantity":100,"price":42}\'`\n') } },
  { by: 'chen', msg: 'Add formatAmount helper for the audit feed', files: { 'src/format.ts': format } },
  { by: 'ana', msg: 'Types: document Amount units', files: { 'src/types.ts': types().replace('/** Money as it travels between steps. */', '/** Money as it travels between steps, in the account currency (not minor units). */') } },
  { by: 'ben', msg: 'Intake: use the gateway-computed notional when it is provided', culprit: true, files: { 'src/intake.ts': intake('r.notional ?? quantity * price') } },
  { by: 'chen', msg: 'Stats: expose review rate for alerting', files: { 'README.md': readme('\nSend a trade: `curl -XPOST localhost:8080/trades -d \'{"symbol":"ACME","quantity":100,"price":42}\'`\n\n`GET /stats` reports the review rate the alert watches.\n') } },
  { by: 'ana', msg: 'Server: drain connections on SIGTERM', files: { 'src/server.ts': server("\n// Let in-flight trades finish before a deploy replaces this process.\nprocess.on('SIGTERM', () => server.close(() => process.exit(0)));\n") } },
];

const FIX = { by: 'ben', msg: 'Intake: parse the gateway notional ("15,000.00") into a number', files: { 'src/intake.ts': intake('parseAmount(r.notional) ?? quantity * price', "import { parseAmount } from './format';\n"), 'src/format.ts': format + `
/** Gateway amounts arrive formatted for display ("15,000.00"); undefined when absent or unreadable. */
export function parseAmount(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const n = Number(value.replace(/,/g, ''));
  return Number.isFinite(n) ? n : undefined;
}
` } };

function git(dir, args, env = {}) {
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
}

/**
 * Writes the history into `dir` (created if needed). Returns every commit's sha and message, which one is the
 * culprit, the deployed commit (main's head) and the fix (on branch fix/notional-type).
 */
function buildTradingRepo(dir, { start = Date.parse('2026-11-10T09:00:00Z') } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['config', 'user.name', 'Runtruth Demo']);
  git(dir, ['config', 'user.email', 'demo@runtruth.invalid']);
  git(dir, ['config', 'commit.gpgsign', 'false']);
  const commit = (c, at) => {
    for (const [file, text] of Object.entries(c.files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    }
    git(dir, ['add', '-A']);
    const [name, email] = /^(.*) <(.*)>$/.exec(people[c.by]).slice(1);
    const date = new Date(at).toISOString();
    git(dir, ['commit', '-q', '-m', c.msg], { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_AUTHOR_DATE: date, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email, GIT_COMMITTER_DATE: date });
    return { sha: git(dir, ['rev-parse', 'HEAD']), message: c.msg, author: name, date, culprit: !!c.culprit };
  };
  const commits = COMMITS.map((c, i) => commit(c, start + i * 31 * 3600 * 1000));
  const deployed = commits[commits.length - 1].sha;
  git(dir, ['checkout', '-q', '-b', 'fix/notional-type']);
  const fix = commit(FIX, start + COMMITS.length * 31 * 3600 * 1000);
  git(dir, ['checkout', '-q', 'main']);
  return { dir, commits, culprit: commits.find((c) => c.culprit), deployed, fix };
}

module.exports = { buildTradingRepo };

if (require.main === module) {
  const out = buildTradingRepo(path.resolve(process.argv[2] || 'trading-repo'));
  for (const c of out.commits) console.log(`${c.sha.slice(0, 10)} ${c.culprit ? '*' : ' '} ${c.message}`);
  console.log(`fix: ${out.fix.sha.slice(0, 10)} ${out.fix.message}`);
}
