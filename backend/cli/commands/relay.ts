import path from 'node:path';
import { startRelay } from '../../relay';
import { DEFAULT_DATA_DIR, parse, parseIntArg, UsageError } from '../args';

export const help = `runtruth relay [--port 7070] [--host 127.0.0.1] [--data .runtruth]
                [--tls-cert CERT.pem --tls-key KEY.pem] [--trust-proxy] [--rate N/s]
  Starts the relay: agents and clients connect to it over WebSocket; probes, tokens, audit and evidence live
  in <data>/relay.db. On first start it writes an admin token and an agent key into <data> (or takes them from
  RUNTRUTH_ADMIN_TOKEN / RUNTRUTH_AGENT_KEY). With --tls-cert/--tls-key it serves wss:// and https://.
  --trust-proxy takes client addresses from X-Forwarded-For (only behind a proxy that sets it). --rate caps
  requests per token (default 50/s, bursts of 4x). GET /healthz and /metrics (Prometheus) are served too.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'trust-proxy': { type: 'boolean' },
    rate: { type: 'string' },
  });
  const port = parseIntArg('port', values.port ?? '7070', 0)!;
  if (!values['tls-cert'] !== !values['tls-key']) throw new UsageError('--tls-cert and --tls-key go together');
  const rate = values.rate === undefined ? undefined : parseIntArg('rate', values.rate.replace(/\/s$/, ''));
  const dataDir = path.resolve(values.data ?? DEFAULT_DATA_DIR);
  const relay = await startRelay({
    host: values.host ?? '127.0.0.1',
    port,
    dataDir,
    adminToken: process.env.RUNTRUTH_ADMIN_TOKEN || undefined,
    agentKey: process.env.RUNTRUTH_AGENT_KEY || undefined,
    ...(values['tls-cert'] ? { tls: { cert: path.resolve(values['tls-cert']), key: path.resolve(values['tls-key']!) } } : {}),
    ...(values['trust-proxy'] ? { trustProxy: true } : {}),
    ...(rate ? { requestRate: { perSecond: rate, burst: rate * 4 } } : {}),
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
