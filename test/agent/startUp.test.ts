import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import type { WorkerToHook } from '../../agent/channel';
import { HitHook } from '../../agent/hook/hitHook';
import { createHitRingMemory } from '../../agent/hook/hitRing';
import { ROOT } from '../support/proc';
import { tempDir } from '../support/tmp';
import { waitUntil } from './helpers/wait';

const AGENT = path.join(ROOT, 'dist/agent');
const runNode = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  execFileSync(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 }).toString();

describe('agent start-up: options are validated in the worker, never on the service thread', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir('runtruth-startup-')));
  afterEach(() => tmp.cleanup());

  it('never loads zod, the protocol or the option schemas on the main thread of a service started with --require', () => {
    // loaded before the agent, this records every module the main thread ever loads (not only those still cached)
    const recorder = path.join(tmp.dir, 'recorder.js');
    fs.writeFileSync(recorder, `const Module = require('module'); const load = Module._load; const seen = [];
      Module._load = function (request, parent, isMain) { const m = load.apply(this, arguments); try { seen.push(Module._resolveFilename(request, parent)); } catch {} return m; };
      process.on('exit', () => process.stdout.write(JSON.stringify(seen) + '\\n'));`);
    const out = runNode(['--require', recorder, '--require', path.join(AGENT, 'register.js'), '-e', 'setTimeout(() => {}, 300)'], {
      RUNTRUTH_RELAY: 'ws://127.0.0.1:9',
      RUNTRUTH_AGENT_KEY: 'k'.repeat(16),
      RUNTRUTH_SERVICE: 'svc',
    });
    const loaded = JSON.parse(out.trim().split('\n').at(-1)!) as string[];
    assert.ok(loaded.some((id) => id.endsWith(path.join('dist', 'agent', 'hook', 'hitHook.js'))), 'the agent is loaded');
    assert.deepEqual(loaded.filter((id) => /[\\/]zod[\\/]|[\\/]protocol[\\/]|[\\/]agent[\\/](config|envOptions)\.js$/.test(id)), []);
  });

  it('rejects ready with one readable message for bad options, names no secret, and leaves the app running', () => {
    const script = `const agent = require(${JSON.stringify(AGENT)});
      const handle = agent.start({ relay: 'http://127.0.0.1:1', agentKey: 'secret-key-0123456789', service: 'svc' });
      console.log('id ' + handle.instanceId);
      handle.ready.then(() => console.log('ready?!'), (e) => console.log('rejected ' + e.message));
      let ticks = 0; const t = setInterval(() => { if (++ticks === 3) { clearInterval(t); console.log('app done'); } }, 50);`;
    const lines = runNode(['-e', script]).trim().split('\n');
    assert.match(lines[0]!, /^id \S+-\d+-[0-9a-f]{4}$/);
    assert.ok(lines.includes('rejected agent not started: invalid runtruth agent options: relay: must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:7070'), lines.join('\n'));
    assert.ok(lines.includes('app done'));
    assert.ok(!lines.join('\n').includes('secret-key'));
  });

  it('gives the hook the configured CPU budget, sent by the worker once it has validated it', async () => {
    const { port1, port2 } = new MessageChannel();
    let now = 1000;
    const hook = new HitHook(port1, createHitRingMemory(), { writeStdout: () => undefined, now: () => now });
    port2.on('message', () => undefined);
    const arm = async (probeId: string) => {
      port2.postMessage({ type: 'arm', probe: { probeId, parts: ['v=', ''], maxPerSecond: 100_000, stdout: false } } satisfies WorkerToHook);
      await waitUntil(() => hook.admit(probeId) && (hook.hit(probeId, [0]), true), 'the arm message');
    };
    /** 2 ms per hit every 20 ms (10% of a core) for a second: whether the probe is still admitted at the end. */
    const survives = (probeId: string) => {
      let last = false;
      for (let i = 0; i < 50; i++, now += 18) {
        last = hook.admit(probeId);
        if (!last) continue;
        now += 2;
        hook.hit(probeId, [i]);
      }
      return last;
    };
    await arm('default');
    assert.equal(survives('default'), false, 'over the default 1% budget: throttled');
    port2.postMessage({ type: 'cpuBudget', share: 0.5 } satisfies WorkerToHook);
    await arm('generous');
    assert.equal(survives('generous'), true, 'within a 50% budget: still admitted');
    hook.clear();
    port2.close();
  });
});
