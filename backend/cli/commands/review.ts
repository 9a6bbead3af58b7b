import fs from 'node:fs';
import path from 'node:path';
// the review's modules, not the assistant's index: no model SDK for a command that needs none
import { relayRuntime } from '../../../extension/core/assistant/runtime';
import { externalReviewApprover, lowRiskReviewApprover, type ReviewApprover } from '../../../extension/core/review/approval';
import type { ReviewEvent } from '../../../extension/core/review/events';
import { renderReviewMarkdown } from '../../../extension/core/review/markdown';
import { reviewBranch, ReviewError } from '../../../extension/core/review/review';
import { connectionOptions, parse, parseDuration, resolveConnection, UsageError } from '../args';
import { withClient } from '../session';

export const help = `runtruth review [--service NAME] [--base deployed|REF] [--head REF] [--repo DIR] [--window 30s]
                 [--approve-low-risk] [--json|--markdown] [--report FILE]
  Reviews a branch against live behaviour: diffs --head (default HEAD) against the commit the service's
  instances run (--base deployed, the default), maps each changed hunk onto the deployed lines, proposes hit
  counters there and captures of the values the change reads, collects for --window (default 30s, at least
  10s: metric windows flush every 5s), removes the probes, and reports per hunk: hits/minute, observed types
  and ranges, calls that leave the changed function by throwing, and findings where production contradicts
  the change (a number that is sometimes a string, a field that is sometimes missing, deleted code that
  still runs).
  Every probe is PROPOSED (AI origin): --approve-low-risk approves the low-risk ones with your token (hit
  counters and call timers, which read no data; logpoints with small limits); otherwise the policy or a
  person approves them while it waits.
  --json prints the report object; --markdown prints Markdown to paste into the PR (the default for a person
  is a short summary plus the Markdown). --report FILE also writes the Markdown there.
  Exit code 0: no warnings; 3: warnings found.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    ...connectionOptions,
    service: { type: 'string' },
    base: { type: 'string' },
    head: { type: 'string' },
    repo: { type: 'string' },
    window: { type: 'string' },
    'approve-low-risk': { type: 'boolean' },
    markdown: { type: 'boolean' },
    report: { type: 'string' },
  });
  if (values.json && values.markdown) throw new UsageError('--json and --markdown are alternatives: pick one');
  const windowSeconds = parseDuration('window', values.window ?? '30s')!;
  if (windowSeconds < 10) throw new UsageError(`--window must be at least 10s (metric windows flush every 5s), got '${values.window}'`);
  const repo = path.resolve(values.repo ?? '.');
  if (!fs.existsSync(repo)) throw new UsageError(`--repo ${repo} does not exist`);
  const quiet = values.json || values.markdown;
  const print = quiet ? () => undefined : (line: string) => console.log(line);

  return withClient(resolveConnection(values), async (client) => {
    if (values['approve-low-risk'] && client.identity.ai) throw new UsageError(`--approve-low-risk needs a person's token: ${client.identity.name} is an AI token (a person approves its proposals)`);
    const approver: ReviewApprover = values['approve-low-risk'] ? lowRiskReviewApprover(client, (l) => print(`  ! ${l}`)) : externalReviewApprover;
    const stop = new AbortController();
    const onSigint = () => stop.abort();
    process.once('SIGINT', onSigint);
    try {
      const report = await reviewBranch({
        repo,
        runtime: relayRuntime(client),
        approver,
        windowSeconds,
        ...(values.service ? { service: values.service } : {}),
        ...(values.base ? { base: values.base } : {}),
        ...(values.head ? { head: values.head } : {}),
        policy: async () => (await client.request('policy.get', {})).policy,
        onEvent: (e) => describe(e, approver).forEach((l) => print(l)),
        signal: stop.signal,
      });
      const markdown = renderReviewMarkdown(report);
      if (values.report) fs.writeFileSync(values.report, markdown);
      if (values.json) console.log(JSON.stringify(report));
      else if (values.markdown) process.stdout.write(markdown);
      else print(`\n${markdown}`);
      return report.summary.warnings ? 3 : 0;
    } catch (e) {
      // what the user can fix (wrong directory, ref, service) is a usage error: exit 2 with the hint
      if (e instanceof ReviewError) throw new UsageError(e.message);
      throw e;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  });
}

function describe(e: ReviewEvent, approver: ReviewApprover): string[] {
  switch (e.type) {
    case 'context':
      return [`» ${e.service}: ${e.instances} instance(s); reviewing ${e.headRef} (${e.head.slice(0, 8)}) against ${e.baseRef === 'deployed' ? 'the deployed' : e.baseRef} ${e.base.slice(0, 8)}`];
    case 'planned':
      return [`» ${e.hunks} hunk(s), ${e.probes} probe(s) to propose; ${approver.describe}`];
    case 'proposed':
      return [`  proposed ${e.probeId} ${e.summary}${e.state === 'proposed' ? '' : ` [${e.state}]`}`];
    case 'decided':
      return [`  ${e.probeId} ${e.state === 'live' ? 'approved' : e.state}${e.decidedBy ? ` by ${e.decidedBy}` : ''}`];
    case 'collecting':
      return [`» collecting for ${e.seconds}s with ${e.probes} live probe(s)…`];
    case 'removed':
      return [`» removed ${e.count} probe(s)`];
    case 'note':
      return [`  note: ${e.text}`];
  }
}
