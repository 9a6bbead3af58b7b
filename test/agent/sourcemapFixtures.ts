import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/proc';

/**
 * TypeScript sources whose compiled lines differ from the original ones (interfaces and type-only lines vanish),
 * so a probe on an original line only lands right through the source map. Line numbers tests use are named here.
 */
export const VALIDATE_TS = `// Order validation, in TypeScript.
export interface Order {
  amount: number | string;
  currency?: string;
}

type Verdict = { ok: boolean; kind: string };

export function validate(order: Order): Verdict {
  const limit: number = 10000;
  const amount = order.amount;
  const ok = typeof amount === 'number' ? amount <= limit : false;
  return { ok, kind: typeof amount };
}
`;
export const TS_LINES = { limit: 10, compare: 12, typeOnly: 7, comment: 1, total: 15 } as const;

export const LATE_TS = `export interface Tick {
  n: number;
}

export function check(t: Tick): boolean {
  const even = t.n % 2 === 0;
  return even;
}
`;
export const LATE_LINES = { even: 6 } as const;

export const MAIN_TS = `import { validate } from './validate';

const inputs = [15000, '15,000', 120];
let tick = 0;
let late: typeof import('./late') | undefined;
setInterval(() => {
  const verdict = validate({ amount: inputs[tick % 3]! });
  console.log('tick ' + tick + ' ' + JSON.stringify(verdict));
  if (late) late.check({ n: tick });
  if (caller) caller.viaCaller(tick);
  tick++;
}, 20);
let caller: typeof import('./caller') | undefined;
process.on('message', (m) => {
  if (m === 'load-late') late = require('./late');
  if (m === 'load-caller') caller = require('./caller');
});
`;

/** Loaded on request, late: its calls reach validate() through a frame of its own (line 7 in the original). */
export const CALLER_TS = `import { validate } from './validate';

// loaded late
type Amount = number;

export function viaCaller(amount: Amount): boolean {
  const verdict = validate({ amount: amount * 1000 });
  return verdict.ok;
}
`;
export const CALLER_LINES = { call: 7 } as const;

/** Two files named util.ts in different folders, bundled together. */
export const UTIL_A_TS = `export function a(x: number): number {
  const doubled = x * 2;
  return doubled;
}
`;
export const UTIL_B_TS = `// b's util: a different file with the same name
export interface Box {
  v: number;
}

export function b(box: Box): number {
  const tripled = box.v * 3;
  return tripled;
}
`;
export const UTIL_LINES = { aDoubled: 2, bTripled: 7 } as const;

export const BUNDLE_MAIN_TS = `import { a } from './a/util';
import { b } from './b/util';

let n = 0;
setInterval(() => {
  console.log('tick ' + n + ' ' + a(n) + ' ' + b({ v: n }));
  n++;
}, 20);
`;

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

/** A TypeScript service compiled by the real tsc into `out/` (file maps, or inline maps with sources). Returns the entry. */
export function buildTscService(dir: string, maps: 'file' | 'inline'): string {
  write(dir, { 'src/validate.ts': VALIDATE_TS, 'src/late.ts': LATE_TS, 'src/caller.ts': CALLER_TS, 'src/main.ts': MAIN_TS });
  const mapArgs = maps === 'file' ? ['--sourceMap'] : ['--inlineSourceMap', '--inlineSources'];
  execFileSync(
    path.join(ROOT, 'node_modules/.bin/tsc'),
    ['--outDir', 'out', '--rootDir', 'src', '--target', 'es2020', '--module', 'commonjs', '--strict', '--skipLibCheck', '--typeRoots', path.join(ROOT, 'node_modules/@types'), '--types', 'node', ...mapArgs, 'src/main.ts', 'src/validate.ts', 'src/late.ts', 'src/caller.ts'],
    { cwd: dir, stdio: 'pipe', env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') }, timeout: 60_000 },
  );
  return path.join(dir, 'out/main.js');
}

/** The two-util.ts service bundled by the real esbuild into one file with an external source map. Returns the entry. */
export function buildBundle(dir: string): string {
  write(dir, { 'src/a/util.ts': UTIL_A_TS, 'src/b/util.ts': UTIL_B_TS, 'src/main.ts': BUNDLE_MAIN_TS });
  execFileSync(path.join(ROOT, 'node_modules/.bin/esbuild'), ['src/main.ts', '--bundle', '--platform=node', '--sourcemap', '--outfile=dist/bundle.js', '--log-level=warning'], {
    cwd: dir,
    stdio: 'pipe',
    timeout: 60_000,
  });
  return path.join(dir, 'dist/bundle.js');
}
