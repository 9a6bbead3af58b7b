import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RelayClient } from '../backend/client/relayClient';
import { startRelay } from '../backend/relay';

/** A relay in this process and an admin client of it, for benches whose services send little evidence. */
export interface LocalRelay {
  relayUrl: string;
  agentKey: string;
  client: RelayClient;
}

/** Runs `run` against a relay storing its data under `dir`, and closes both whichever way it ends. */
export async function withLocalRelay<T>(dir: string, run: (relay: LocalRelay) => Promise<T>): Promise<T> {
  const relay = await startRelay({ host: '127.0.0.1', port: 0, dataDir: path.join(dir, 'relay'), log: () => undefined });
  try {
    const client = await RelayClient.connect({ relay: relay.url, token: fs.readFileSync(relay.adminTokenFile, 'utf8').trim() });
    try {
      return await run({ relayUrl: relay.url, agentKey: fs.readFileSync(relay.agentKeyFile, 'utf8').trim(), client });
    } finally {
      client.close();
    }
  } finally {
    await relay.close();
  }
}

/** What a scenario run gets: the relay, the bench's temp dir (its files) and a service name of its own. */
export type ScenarioEnv = LocalRelay & { dir: string; service: string };

/**
 * Writes `files` into a temp dir, and runs every scenario `rounds` times against a local relay, the rounds
 * interleaved so a drift in the machine's load spreads over all; each run gets a service name of its own. The
 * results by scenario name, in round order; the dir is removed whichever way it ends.
 */
export async function localRounds<S extends { name: string }, R>(
  opts: { name: string; files: Record<string, string>; scenarios: readonly S[]; rounds: number },
  run: (scenario: S, env: ScenarioEnv) => Promise<R>,
): Promise<Map<string, R[]>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `runtruth-bench-${opts.name}-`));
  const results = new Map<string, R[]>();
  try {
    for (const [file, text] of Object.entries(opts.files)) fs.writeFileSync(path.join(dir, file), text);
    let n = 0;
    await withLocalRelay(dir, async (relay) => {
      for (let round = 0; round < opts.rounds; round++) {
        for (const s of opts.scenarios) results.set(s.name, [...(results.get(s.name) ?? []), await run(s, { ...relay, dir, service: `bench-${opts.name}-${n++}` })]);
      }
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` every 50 ms until it gives a truthy value; throws after `ms`. */
export async function until<T>(probe: () => Promise<T | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error('bench: timed out');
    await sleep(50);
  }
}

/** The middle value (the upper one of an even count). */
export const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
