import path from 'node:path';
import { startRelay } from '../../relay';
import { DEFAULT_DATA_DIR, parse, parseDuration, parseIntArg, UsageError } from '../args';

export const help = `runtruth relay [--port 7070] [--host 127.0.0.1] [--data .runtruth]
                [--tls-cert CERT.pem --tls-key KEY.pem] [--trust-proxy] [--rate N/s] [--metrics-public]
                [--retain 7d] [--retain-items N] [--retain-bytes 2GB]
  Starts the relay: agents and clients connect to it over WebSocket; probes, tokens, audit and evidence live
  in <data>/relay.db. On first start it writes an admin token and an agent key into <data> (or takes them from
  RUNTRUTH_ADMIN_TOKEN / RUNTRUTH_AGENT_KEY). With --tls-cert/--tls-key it serves wss:// and https://.
  --trust-proxy takes client addresses from X-Forwarded-For (only behind a proxy that sets it). --rate caps
  requests per token (default 50/s, bursts of 4x). GET /healthz and /metrics (Prometheus) are served too;
  /metrics needs a token (Authorization: Bearer <token>, any role) unless --metrics-public. Evidence is kept
  for --retain (default 7d), at most --retain-items (default 1,000,000) and --retain-bytes of stored JSON
  (default: no cap), oldest deleted first; deletions are counted in /metrics.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'trust-proxy': { type: 'boolean' },
    rate: { type: 'string' },
    'metrics-public': { type: 'boolean' },
    retain: { type: 'string' },
    'retain-items': { type: 'string' },
    'retain-bytes': { type: 'string' },
  });
  const retainSeconds = parseDuration('retain', values.retain);
  const retainItems = parseIntArg('retain-items', values['retain-items']);
  const retainBytes = parseBytes(values['retain-bytes']);
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
    ...(values['metrics-public'] ? { metricsPublic: true } : {}),
    retention: {
      ...(retainSeconds ? { maxAgeHours: retainSeconds / 3600 } : {}),
      ...(retainItems ? { maxItems: retainItems } : {}),
      ...(retainBytes ? { maxBytes: retainBytes } : {}),
    },
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

/** `500MB`, `2GB`, `1048576` → bytes (powers of 1024). */
function parseBytes(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const m = /^(\d+)\s*(B|KB|MB|GB|TB)?$/i.exec(raw.trim());
  if (!m || Number(m[1]) === 0) throw new UsageError(`--retain-bytes must be a size like 500MB or 2GB, got '${raw}'`);
  const unit = (m[2] ?? 'B').toUpperCase() as 'B' | 'KB' | 'MB' | 'GB' | 'TB';
  return Number(m[1]) * 1024 ** ['B', 'KB', 'MB', 'GB', 'TB'].indexOf(unit);
}
