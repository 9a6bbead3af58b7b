import type { Evidence } from '../../protocol';
import { connectionOptions, parse, parseIntArg, resolveConnection } from '../args';
import { formatEvidence } from '../output';
import { withClient } from '../session';

export const help = `runtruth evidence [--probe ID] [--service NAME] [--limit N] [--after ID] [--follow] [--json]
  Prints stored evidence (oldest first), then with --follow keeps streaming new evidence until Ctrl-C; if the
  relay restarts, --follow reconnects and resumes from the last evidence id it printed (no gaps, no duplicates).
  --json prints one object a line: kind, probeId, service, instance, at, message (logs), id.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...connectionOptions,
    probe: { type: 'string' },
    service: { type: 'string' },
    limit: { type: 'string' },
    after: { type: 'string' },
    follow: { type: 'boolean', short: 'f' },
  });
  const filter = { ...(values.probe ? { probeId: values.probe } : {}), ...(values.service ? { service: values.service } : {}) };
  const print = (items: Evidence[]) => {
    for (const e of items) console.log(values.json ? JSON.stringify(e) : formatEvidence(e));
  };
  return withClient(resolveConnection(values), async (client) => {
    const limit = parseIntArg('limit', values.limit ?? '500')!;
    const { items, lastId } = await client.request('evidence.query', { ...filter, limit, afterId: parseIntArg('after', values.after, 0) ?? 0 });
    // The query returns the oldest `limit` after `afterId`; when following, start the stream where it ended.
    print(items);
    if (!values.follow) return 0;
    const resumeFrom = items.length ? items[items.length - 1]!.kind === 'gap' ? lastId : (items[items.length - 1] as { id: number }).id : lastId;
    await client.subscribe({ ...filter, afterId: resumeFrom }, print);
    client.onConnectionChange((change) =>
      console.error(change.state === 'lost' ? `runtruth: relay ${change.reason}; reconnecting in ${change.retryInMs} ms` : 'runtruth: reconnected to the relay; resumed following'),
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      client.onClose((reason) => {
        console.error(`runtruth: relay ${reason}`);
        process.exitCode = 1;
        resolve();
      });
    });
    return Number(process.exitCode ?? 0);
  }, values.follow ? { reconnect: true } : {});
}
