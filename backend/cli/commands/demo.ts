import { parse } from '../args';
import { runTradingDemo } from '../demo/tradingDemo';
import { parseIntArg } from '../args';

export const help = `runtruth demo [--port 7070] [--exit] [--json]
  The failed-trade-validation investigation, end to end on loopback with temporary data: a relay (embedded
  SQLite), the examples/trading service (TypeScript, source maps, its own git history) deployed twice with the
  agent preloaded, live trades, the review-rate alert, the built-in investigator proposing read-only probes
  (approved by the demo's low-risk policy), the RCA report with the culprit commit, then the fix deployed and
  re-checked with the same probes. Without --exit it keeps running so you can connect the CLI or VS Code;
  Ctrl-C stops everything it started. --json (with --exit) prints the outcome as one JSON object.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string' }, exit: { type: 'boolean' }, json: { type: 'boolean' } });
  const json = values.json ?? false;
  const demo = await runTradingDemo({ port: parseIntArg('port', values.port ?? '7070', 0), print: json ? () => undefined : (l) => console.log(l) });
  const { outcome } = demo;
  try {
    const ok = outcome.result.culprit?.sha === outcome.culprit && outcome.fixCheck.passed && outcome.responsesUnchanged;
    if (json) console.log(JSON.stringify(outcome));
    if (values.exit) return ok ? 0 : 1;
    const tokenFile = `${outcome.dataDir}/admin.token`;
    console.log(`
Still running: relay ${outcome.relayUrl}, the fixed trading service with live traffic, and the investigation's probes.
  runtruth services --relay ${outcome.relayUrl} --token "$(cat ${tokenFile})"
  runtruth evidence --follow --relay ${outcome.relayUrl} --token "$(cat ${tokenFile})"
VS Code: install the extension (npm run package:vsix; code --install-extension dist/runtruth.vsix), set
"runtruth.relay": "${outcome.relayUrl}", run "Runtruth: Sign In" with the token above, and open
${outcome.repo}/src/validation.ts to see the probes and their evidence inline.
Ctrl-C stops everything.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return 0;
  } finally {
    await demo.stop();
  }
}
