import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { withTransientModules } from '../../agent/transientModules';
import { ROOT } from '../support/proc';
import { tempDir } from '../support/tmp';

describe('agent: validation modules are let go after start-up', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('runtruth-transient-')));
  afterEach(() => tmp.cleanup());

  it('releases what the function loaded (cache and parent), keeps what was loaded before, and returns its result', () => {
    const file = (name: string, text: string) => fs.writeFileSync(path.join(tmp.dir, name), text);
    file('shared.js', 'module.exports = { n: 1 };');
    file('schema.js', "require('./shared'); module.exports = { check: (x) => x * 2 };");
    const shared = path.join(tmp.dir, 'shared.js');
    const schema = path.join(tmp.dir, 'schema.js');
    require(shared);
    const result = withTransientModules(() => (require(schema) as { check: (x: number) => number }).check(21));
    assert.equal(result, 42);
    assert.equal(require.cache[schema], undefined, 'loaded inside: released');
    assert.ok(require.cache[shared], 'loaded before: kept');
    assert.ok(!module.children.some((m) => m.id === schema), 'no longer listed as a child of the module that required it');
  });

  it('releases them when the function throws too (a bad option)', () => {
    const schema = path.join(tmp.dir, 'bad.js');
    fs.writeFileSync(schema, "module.exports = () => { throw new Error('bad option') };");
    assert.throws(() => withTransientModules(() => (require(schema) as () => void)()), /bad option/);
    assert.equal(require.cache[schema], undefined);
  });

  it('leaves no zod, protocol or config module on the main thread of a service started with --require', () => {
    const out = execFileSync(process.execPath, ['--require', path.join(ROOT, 'dist/agent/register.js'), '-e', "setTimeout(() => console.log(JSON.stringify(Object.keys(require.cache))), 300)"], {
      env: { ...process.env, RUNTRUTH_RELAY: 'ws://127.0.0.1:9', RUNTRUTH_AGENT_KEY: 'k'.repeat(16), RUNTRUTH_SERVICE: 'svc' },
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    const loaded = JSON.parse(out.trim().split('\n').at(-1)!) as string[];
    assert.ok(loaded.some((id) => id.endsWith(path.join('dist', 'agent', 'hook', 'hitHook.js'))), 'the agent is loaded');
    assert.deepEqual(loaded.filter((id) => /[\\/]zod[\\/]|[\\/]protocol[\\/]|[\\/]agent[\\/](config|envOptions)\.js$/.test(id)), []);
  });
});
