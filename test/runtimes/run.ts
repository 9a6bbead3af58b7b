import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * `npm run test:runtimes`: the agent's tests on the other Node majors we support,
 * with the `node` package from the npm registry installed into .runtimes/node-<major> (a cache dir, never a project
 * dependency: its `node` bin would shadow the machine's in npm scripts). Mocha and every child process a test starts
 * (process.execPath) run on that binary. RUNTRUTH_TEST_NODES picks the majors (default "22,24"), RUNTRUTH_TEST_RUNTIME_SUITES
 * the test globs.
 */
const ROOT = path.resolve(__dirname, '../../..');
const MAJORS = (process.env.RUNTRUTH_TEST_NODES ?? '22,24').split(',').map((v) => v.trim()).filter(Boolean);
const SUITES = (process.env.RUNTRUTH_TEST_RUNTIME_SUITES ?? 'dist/test/agent/*.test.js').split(',');
/**
 * Suites that start a relay: the relay's SQLite driver (better-sqlite3) is a native module built for the Node that
 * ran `npm install`, and the relay is a separate service users run on it; the agent's side of them is covered by
 * the FakeRelay suites. The CLI flow end to end is left out for the same reason.
 */
const NEEDS_RELAY = ['dist/test/agent/snapshotRelay.test.js', 'dist/test/agent/policyPush.test.js'];

/** What a compiled suite requires when it starts a relay: the relay itself, or the helper that starts one. */
const RELAY_MARKERS = ['require("../../backend/relay")', 'require("./helpers/relayWorld")'];

/** The listed suites plus any that load the relay (so a new relay-backed agent test cannot break this run). */
function relaySuites(): string[] {
  const dir = path.join(ROOT, 'dist/test/agent');
  const direct = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.js') && RELAY_MARKERS.some((marker) => fs.readFileSync(path.join(dir, f), 'utf8').includes(marker)))
    .map((f) => `dist/test/agent/${f}`);
  return [...new Set([...NEEDS_RELAY, ...direct])];
}

function ensureNode(major: string): string {
  const prefix = path.join(ROOT, '.runtimes', `node-${major}`);
  const bin = path.join(prefix, 'node_modules', 'node', 'bin', 'node');
  const works = () => fs.existsSync(bin) && spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.startsWith(`${major}.`);
  if (!works()) {
    console.log(`[runtimes] installing node@${major} into ${path.relative(ROOT, prefix)} (npm registry)`);
    fs.mkdirSync(prefix, { recursive: true });
    const npm = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', `node@${major}`], { stdio: 'inherit', cwd: prefix });
    if (npm.status !== 0 || !works()) throw new Error(`could not install node@${major} from the npm registry into ${prefix}`);
  }
  return bin;
}

function main(): number {
  const mocha = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
  let failed = 0;
  for (const major of MAJORS) {
    const bin = ensureNode(major);
    const version = spawnSync(bin, ['-v'], { encoding: 'utf8' }).stdout.trim();
    console.log(`\n[runtimes] agent tests on Node ${version} (${path.relative(ROOT, bin)})`);
    const run = spawnSync(bin, [mocha, '--no-config', '--timeout', '60000', ...relaySuites().flatMap((f) => ['--ignore', f]), ...SUITES], { stdio: 'inherit', cwd: ROOT, env: { ...process.env, RUNTRUTH_TEST_NODE: version } });
    if (run.status !== 0) {
      console.log(`[runtimes] FAILED on Node ${version}`);
      failed++;
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = main();
