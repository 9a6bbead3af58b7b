import fs from 'node:fs';
import readline from 'node:readline';
import { AuditEntry } from '../../protocol';
import type { RelayClient } from '../../client/relayClient';
import { ChainVerifier } from '../../relay/audit-chain';
import { connectionOptions, parse, parseIntArg, resolveConnection, UsageError } from '../args';
import { formatAuditEntry } from '../output';
import { withClient } from '../session';

export const help = `runtruth audit [--limit N] [--json]
runtruth audit --verify [--file EXPORT.jsonl]
  Lists the audit log (needs an admin token): the newest N entries (default 50); with --json and no --limit,
  the whole log as one entry per line (an export). --verify checks the hash chain from the first entry and
  names the first broken one (exit 1); it prints the head hash, worth recording elsewhere so a truncated log
  can be told apart too. --file verifies an export instead of the relay's log.`;

const PAGE = 10_000;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { ...connectionOptions, limit: { type: 'string' }, verify: { type: 'boolean' }, file: { type: 'string' } });
  if (values.file && !values.verify) throw new UsageError('--file goes with --verify');
  if (values.verify) return verify(values.file ? fromFile(values.file) : undefined, values);
  const limit = parseIntArg('limit', values.limit);
  return withClient(resolveConnection(values), async (client) => {
    if (values.json && limit === undefined) {
      for await (const page of pages(client)) for (const e of page) console.log(JSON.stringify(e));
      return 0;
    }
    const { entries } = await client.request('audit.query', { newest: true, limit: limit ?? 50 });
    for (const e of entries) console.log(values.json ? JSON.stringify(e) : formatAuditEntry(e));
    return 0;
  });
}

async function verify(file: AsyncIterable<AuditEntry[]> | undefined, values: { relay?: string; token?: string; data?: string; json?: boolean }): Promise<number> {
  const verifier = new ChainVerifier();
  const check = async (source: AsyncIterable<AuditEntry[]>) => {
    for await (const page of source) {
      verifier.feed(page);
      if (verifier.broken) break;
    }
  };
  if (file) await check(file);
  else await withClient(resolveConnection(values), (client) => check(pages(client)));
  const { broken, checked, head } = verifier;
  if (values.json) console.log(JSON.stringify({ ok: !broken, checked, ...(broken ? { firstBroken: broken } : { head }) }));
  else if (broken) console.log(`audit chain BROKEN at entry #${broken.seq}: ${broken.reason} (${checked} entries before it are intact)`);
  else console.log(`audit chain intact: ${checked} entries, head ${head}`);
  return broken ? 1 : 0;
}

async function* pages(client: RelayClient): AsyncIterable<AuditEntry[]> {
  for (let afterSeq = 0; ; ) {
    const { entries, lastSeq } = await client.request('audit.query', { afterSeq, limit: PAGE });
    if (entries.length) yield entries;
    if (entries.length < PAGE) return;
    afterSeq = lastSeq;
  }
}

/** An export (`audit --json`), read back in pages; a line that is not an entry is reported with its number. */
async function* fromFile(file: string): AsyncIterable<AuditEntry[]> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let page: AuditEntry[] = [];
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let parsed;
    try {
      parsed = AuditEntry.safeParse(JSON.parse(line));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) throw new Error(`${file}:${n} is not an audit entry (the export is damaged)`);
    page.push(parsed.data);
    if (page.length === PAGE) {
      yield page;
      page = [];
    }
  }
  if (page.length) yield page;
}
