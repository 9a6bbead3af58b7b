// `npm run bench [-- --only agent|relay|assistant] [--seconds 5] [--rounds 3]`: every benchmark, reported as ratios
// against a baseline run side by side in the same process/run.
import { parseArgs } from 'node:util';
import { benchAgent } from './agentBench';
import { benchAssistant, formatSummary } from './assistant/suite';
import { benchRelay } from './relay';

const ONLY = ['agent', 'relay', 'assistant'];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, seconds: { type: 'string' }, rounds: { type: 'string' } } });
  if (values.only !== undefined && !ONLY.includes(values.only)) {
    console.error(`--only takes one of ${ONLY.join(', ')}; got '${values.only}'`);
    process.exit(2);
  }
  const want = (name: string) => !values.only || values.only === name;
  if (want('agent')) {
    console.log('\n## agent: probe overhead\n');
    for (const line of await benchAgent({ seconds: Number(values.seconds ?? 5), rounds: Number(values.rounds ?? 3) })) console.log(line);
  }
  if (want('relay')) {
    console.log('\n## relay: 1,000 agents, 20 clients\n');
    await benchRelay({ agents: 1000, clients: 20, seconds: 10, rates: [10_000, 20_000, 40_000] });
  }
  if (want('assistant')) {
    console.log('\n## assistant: scenario suite\n');
    for (const g of await benchAssistant()) formatSummary(g).forEach((line) => console.log(line));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
