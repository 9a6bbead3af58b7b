/**
 * The relay under benchmark, in its own process so the load generator does not share its event loop.
 * Prints one JSON line with its URL and secrets, then answers `{ memory: true }` IPC messages with its RSS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startRelay } from '../backend/relay';

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtruth-bench-'));
  const relay = await startRelay({ port: 0, dataDir, log: () => undefined, requestRate: { perSecond: 1e6, burst: 1e6 }, retention: { maxItems: 5_000_000 } });
  const peakRss = { value: process.memoryUsage().rss };
  // --quiet: no timers of its own (the agent bench: the relay shares the load generator's core, and a 5 ms timer
  // waking it 200 times a second slowed the generator, and so every HTTP row, by several percent)
  const quiet = process.argv.includes('--quiet');
  const loop = monitorEventLoopDelay({ resolution: 5 });
  if (!quiet) loop.enable();
  const sampler = quiet ? undefined : setInterval(() => (peakRss.value = Math.max(peakRss.value, process.memoryUsage().rss)), 200);
  process.on('message', (msg: { memory?: boolean; stop?: boolean }) => {
    if (msg.memory) {
      const rss = process.memoryUsage().rss;
      peakRss.value = Math.max(peakRss.value, rss); // --quiet samples nothing in between: the peak is at least now
      process.send?.({ rss, peakRss: peakRss.value, stats: relay.stats(), loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6 });
      loop.reset();
    }
    if (msg.stop) {
      clearInterval(sampler);
      void relay.close().then(() => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  });
  process.send?.({ url: relay.url, adminToken: fs.readFileSync(relay.adminTokenFile, 'utf8'), agentKey: fs.readFileSync(relay.agentKeyFile, 'utf8') });
}

void main();
