import path from 'node:path';
import { startRelay } from '../../relay';
import { DEFAULT_DATA_DIR, parse, parseIntArg } from '../args';

export const help = `runtruth relay [--port 7070] [--host 127.0.0.1] [--data .runtruth]
  Starts the relay: agents and clients connect to it over WebSocket; probes, tokens and evidence live in
  <data>/relay.db. On first start it writes an admin token and an agent key into <data> (or takes them from
  RUNTRUTH_ADMIN_TOKEN / RUNTRUTH_AGENT_KEY).`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' } });
  const port = parseIntArg('port', values.port ?? '7070', 0)!;
  const dataDir = path.resolve(values.data ?? DEFAULT_DATA_DIR);
  const relay = await startRelay({
    host: values.host ?? '127.0.0.1',
    port,
    dataDir,
    adminToken: process.env.RUNTRUTH_ADMIN_TOKEN || undefined,
    agentKey: process.env.RUNTRUTH_AGENT_KEY || undefined,
    log: (line) => console.error(line),
  });
  console.log(`runtruth relay listening on ${relay.url}`);
  console.log(`  admin token: ${relay.adminTokenFile}`);
  console.log(`  agent key:   ${relay.agentKeyFile}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void relay.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
