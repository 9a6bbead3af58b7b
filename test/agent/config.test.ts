import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { resolveConfig } from '../../agent/config';
import { optionsFromEnv, parseLabelList } from '../../agent/envOptions';
import { detectCommit } from '../../agent/gitCommit';
import { tempDir } from '../support/tmp';

const KEY = 'agent-key-0123456789';

describe('agent: options', () => {
  it('completes options with defaults and the /agent endpoint', () => {
    const c = resolveConfig({ relay: 'ws://127.0.0.1:7070/', agentKey: KEY, service: 'checkout' }, {});
    assert.equal(c.relayUrl, 'ws://127.0.0.1:7070/agent');
    assert.equal(c.mode, 'in-process');
    assert.deepEqual(c.labels, {});
    assert.match(c.instanceId, new RegExp(`-${process.pid}-[0-9a-f]{4}$`));
  });

  it('throws one readable error for bad options, never echoing the key', () => {
    assert.throws(() => resolveConfig({ relay: 'http://x', agentKey: KEY, service: 'checkout' }), /relay: must be a ws:\/\/ or wss:\/\/ URL/);
    assert.throws(() => resolveConfig({ relay: 'ws://x', agentKey: 'short', service: 'checkout' }), /agentKey/);
    assert.throws(() => resolveConfig({ relay: 'ws://x', agentKey: KEY, service: 'bad name!' }), /service/);
    assert.throws(() => resolveConfig({ relay: 'ws://x', agentKey: KEY, service: 's', commit: 'NOTHEX' }), /commit/);
    assert.throws(() => resolveConfig({ relay: 'ws://x', agentKey: `${KEY}!`, service: 'bad name!' }), (e: Error) => !e.message.includes(KEY));
  });

  it('reads RUNTRUTH_* variables and names them in errors', () => {
    const env = { RUNTRUTH_RELAY: 'ws://r:1', RUNTRUTH_AGENT_KEY: KEY, RUNTRUTH_SERVICE: 'svc', RUNTRUTH_LABELS: 'team=pay, region=eu', RUNTRUTH_COMMIT: 'ABCDEF1' };
    assert.deepEqual(optionsFromEnv(env), { relay: 'ws://r:1', agentKey: KEY, service: 'svc', labels: { team: 'pay', region: 'eu' }, commit: 'abcdef1' });
    assert.throws(() => optionsFromEnv({ RUNTRUTH_RELAY: 'ws://r:1' }), /set RUNTRUTH_AGENT_KEY, RUNTRUTH_SERVICE/);
    assert.throws(() => optionsFromEnv({ ...env, RUNTRUTH_RELAY: 'nope' }), /RUNTRUTH_RELAY: must be a ws:\/\//);
    assert.throws(() => parseLabelList('a=1,b'), /"b" is not/);
  });

  it('reads the CPU budget as a percentage or a fraction of one core, and refuses what is out of range', () => {
    const env = { RUNTRUTH_RELAY: 'ws://r:1', RUNTRUTH_AGENT_KEY: KEY, RUNTRUTH_SERVICE: 'svc' };
    assert.equal(optionsFromEnv({ ...env, RUNTRUTH_CPU_BUDGET: '2.5%' }).cpuBudget, 0.025);
    assert.equal(optionsFromEnv({ ...env, RUNTRUTH_CPU_BUDGET: '0.05' }).cpuBudget, 0.05);
    assert.equal(resolveConfig(optionsFromEnv(env), {}).cpuBudget, 0.01);
    assert.throws(() => optionsFromEnv({ ...env, RUNTRUTH_CPU_BUDGET: 'lots' }), /RUNTRUTH_CPU_BUDGET must be a share of one core/);
    assert.throws(() => optionsFromEnv({ ...env, RUNTRUTH_CPU_BUDGET: '150%' }), /RUNTRUTH_CPU_BUDGET: /);
    assert.equal(optionsFromEnv({ ...env, RUNTRUTH_MAX_EDIT_PAUSE_MS: '250' }).maxEditPauseMs, 250);
    assert.equal(optionsFromEnv({ ...env, RUNTRUTH_MAX_EDIT_PAUSE_MS: ' 0ms ' }).maxEditPauseMs, 0);
    assert.equal(resolveConfig(optionsFromEnv(env), {}).maxEditPauseMs, 100);
    assert.throws(() => optionsFromEnv({ ...env, RUNTRUTH_MAX_EDIT_PAUSE_MS: 'soon' }), /RUNTRUTH_MAX_EDIT_PAUSE_MS must be a whole number of milliseconds/);
    assert.throws(() => optionsFromEnv({ ...env, RUNTRUTH_MAX_EDIT_PAUSE_MS: '90000' }), /RUNTRUTH_MAX_EDIT_PAUSE_MS: /);
    assert.throws(() => optionsFromEnv({ ...env, RUNTRUTH_CPU_BUDGET: '0' }), /RUNTRUTH_CPU_BUDGET: /);
  });
});

describe('agent: deployed commit', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('runtruth-git-')));
  afterEach(() => tmp.cleanup());

  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: tmp.dir, stdio: 'pipe' }).toString().trim();

  it('prefers RUNTRUTH_COMMIT, then GIT_COMMIT', () => {
    assert.equal(detectCommit(tmp.dir, { RUNTRUTH_COMMIT: 'abc1234', GIT_COMMIT: 'def5678' }), 'abc1234');
    assert.equal(detectCommit(tmp.dir, { GIT_COMMIT: 'DEF5678' }), 'def5678');
  });

  it('reads HEAD of the nearest repository above the cwd, through loose and packed refs', () => {
    git('init', '-q', '-b', 'main');
    git('commit', '-q', '--allow-empty', '-m', 'x');
    const sha = git('rev-parse', 'HEAD');
    const sub = path.join(tmp.dir, 'a/b');
    fs.mkdirSync(sub, { recursive: true });
    assert.equal(detectCommit(sub, {}), sha);
    git('pack-refs', '--all');
    assert.equal(fs.existsSync(path.join(tmp.dir, '.git/refs/heads/main')), false, 'the ref is packed now');
    assert.equal(detectCommit(sub, {}), sha);
    git('checkout', '-q', '--detach');
    assert.equal(detectCommit(sub, {}), sha);
  });

  it('is undefined outside a repository', () => {
    assert.equal(detectCommit(tmp.dir, {}), undefined);
  });
});
