import { parse } from '../args';
import { runTradingDemo } from '../demo/tradingDemo';
import { parseIntArg } from '../args';
import { IdeUnavailable, openDemoIde } from '../demo/ide';

export const help = `runtruth demo [--port 7070] [--exit] [--json] [--ide]
  The failed-trade-validation investigation, end to end on loopback with temporary data: a relay (embedded
  SQLite), the examples/trading service (TypeScript, source maps, its own git history) deployed twice with the
  agent preloaded, live trades, the review-rate alert, the built-in investigator proposing read-only probes
  (approved by the demo's low-risk policy), the RCA report with the culprit commit, then the fix deployed and
  re-checked with the same probes. Without --exit it keeps running so you can connect the CLI or VS Code;
  Ctrl-C stops everything it started. --json (with --exit) prints the outcome as one JSON object.
  --ide also opens the real VS Code in the browser on the running demo (the extension installed, the demo
  repository as the workspace, the relay configured) and prints its URL; it needs the VS Code server the
  extension tests install (npm run test:extension) and carries on without it when it is missing.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: 'string' }, exit: { type: 'boolean' }, json: { type: 'boolean' }, ide: { type: 'boolean' } });
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
    if (values.ide) await openIde(demo.stage, tokenFile);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return 0;
  } finally {
    await demo.stop();
  }
}

/** `--ide`: the browser VS Code on the running demo; where it cannot start, says why and carries on. */
async function openIde(stage: Parameters<typeof openDemoIde>[0], tokenFile: string): Promise<void> {
  try {
    const url = await openDemoIde(stage, `${stage.work}/ide`, (l) => console.log(l));
    console.log(`
VS Code in the browser (the Runtruth extension installed, the demo repository open, the relay configured):
  ${url}
Run "Runtruth: Sign In" there with the token from ${tokenFile}, then open the Runtruth view: the Investigation
tab runs the same investigation from the editor, and src/validation.ts shows the evidence inline.`);
  } catch (e) {
    if (!(e instanceof IdeUnavailable)) throw e;
    console.log(`\n--ide: ${e.message} Continuing without the browser IDE.`);
  }
}
