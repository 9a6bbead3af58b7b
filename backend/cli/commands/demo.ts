import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { attach } from '../../../agent/attach';
import { startRelay } from '../../relay';
import { RelayClient } from '../../client/relayClient';
import type { Evidence } from '../../protocol';
import { parse, parseIntArg } from '../args';
import { formatEvidence } from '../output';

export const help = `runtruth demo [--port 7070] [--hits 12] [--exit]
  Runs the whole pipe on loopback with temporary data: a relay, the checkout example service (started with
  no flags), \`attach --pid\` into it, live traffic, and a logpoint on the line that compares the order amount,
  printing evidence as it arrives. Without --exit it keeps running so you can try the CLI or VS Code against it;
  Ctrl-C stops everything it started.`;

const ROOT = path.resolve(__dirname, '../../../..');
const APP = path.join(ROOT, 'examples/checkout/src/server.js');

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string' }, hits: { type: 'string' }, exit: { type: 'boolean' } });
  const wanted = parseIntArg('hits', values.hits ?? '12')!;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtruth-demo-'));
  const cleanups: Array<() => Promise<void> | void> = [() => fs.rmSync(dataDir, { recursive: true, force: true })];
  const stopAll = async () => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch(() => undefined);
  };
  try {
    const relay = await startRelay({ host: '127.0.0.1', port: parseIntArg('port', values.port ?? '7070', 0)!, dataDir, log: () => undefined });
    cleanups.push(() => relay.close());
    step(`relay on ${relay.url} (store: ${path.join(dataDir, 'relay.db')})`);

    const app = spawn(process.execPath, [APP], { env: { ...process.env, PORT: '0' }, cwd: path.dirname(APP), stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => void app.kill());
    const port = await new Promise<number>((resolve, reject) => {
      app.once('exit', (code) => reject(new Error(`the checkout example exited (${code})`)));
      app.stdout.on('data', (d: Buffer) => {
        const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(d.toString());
        if (m) resolve(Number(m[1]));
      });
    });
    step(`checkout service pid ${app.pid} on http://127.0.0.1:${port} — started with no flags`);

    const traffic = startTraffic(port);
    cleanups.push(() => clearInterval(traffic));
    const agentKey = fs.readFileSync(relay.agentKeyFile, 'utf8').trim();
    const attached = await attach({ pid: app.pid!, agent: { relay: relay.url, agentKey, service: 'checkout' }, log: () => undefined });
    step(`attached to pid ${attached.pid} as checkout/${attached.instanceId} (inspector port closed again)`);

    const client = await RelayClient.connect({ relay: relay.url, token: fs.readFileSync(relay.adminTokenFile, 'utf8').trim(), clientName: 'runtruth-demo' });
    cleanups.push(() => client.close());
    const template = 'amount={amount} ({typeof amount}) highValue={highValue}';
    const view = await client.request('probe.add', {
      probe: { kind: 'log', selector: { service: 'checkout' }, file: 'src/validate.js', line: 13, template },
    });
    step(`logpoint ${view.probe.id} at src/validate.js:13: "${template}"`);

    let seen = 0;
    let strings = 0;
    const done = new Promise<void>((resolve) => {
      void client.subscribe({ probeId: view.probe.id }, (items: Evidence[]) => {
        for (const e of items) {
          console.log(`  ${formatEvidence(e)}`);
          if (e.kind === 'log' && ++seen && / \(string\) highValue=false/.test(e.message)) strings++;
          if (seen >= wanted) resolve();
        }
      });
    });
    await done;
    step(`${seen} hits: ${strings} high-value orders arrived as strings and were NOT flagged — the evidence a log never had`);
    if (values.exit) return 0;
    console.log(`\nStill running. Try:\n  runtruth services --relay ${relay.url} --token $(cat ${relay.adminTokenFile})\n  runtruth evidence --follow --relay ${relay.url} --token $(cat ${relay.adminTokenFile})\nCtrl-C stops everything.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return 0;
  } finally {
    await stopAll();
  }
}

function step(text: string): void {
  console.log(`» ${text}`);
}

/** A steady mix of orders, including the formatted-string amount an upstream change might send. */
function startTraffic(port: number): NodeJS.Timeout {
  const amounts: unknown[] = [120, 15000, '15,000', 9999, 250000, '250000'];
  let i = 0;
  return setInterval(() => {
    const body = JSON.stringify({ amount: amounts[i++ % amounts.length], currency: 'USD' });
    const req = http.request({ host: '127.0.0.1', port, path: '/orders', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => res.resume());
    req.on('error', () => undefined);
    req.end(body);
  }, 100);
}
