import assert from 'node:assert/strict';
import fs from 'node:fs';
import { ModelSpecError, parseModelSpec, resolveModel } from '../../extension/core/assistant/model/providers';
import { trading } from '../../bench/assistant/scenarios/trading';
import { startWorld, type World } from '../../bench/assistant/world';
import { runCli } from '../support/proc';
import { lastToolResult, startChatServer, type ChatRequest, type Turn } from './helpers/chatServer';

const KEY = 'sk-test-7f3a9c1e5b2d';

/** The process env without any model key or Runtruth setting, so each case sets exactly what it tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(RUNTRUTH_|OPENAI_|ANTHROPIC_)/.test(k)));
  return { ...env, ...extra };
}

describe('assistant: model providers (--model)', () => {
  it('parses the three spec forms and normalises the endpoint', () => {
    assert.deepEqual(parseModelSpec('openai:gpt-4o'), { provider: 'openai', modelId: 'gpt-4o' });
    assert.deepEqual(parseModelSpec('anthropic:claude-sonnet-4-5'), { provider: 'anthropic', modelId: 'claude-sonnet-4-5' });
    assert.deepEqual(parseModelSpec('openai-compatible:http://127.0.0.1:11434/v1/#llama3.1:8b'), { provider: 'openai-compatible', modelId: 'llama3.1:8b', baseURL: 'http://127.0.0.1:11434/v1' });
  });

  it('rejects a bad spec with one clear error', () => {
    const cases: [string, RegExp][] = [
      ['gpt-4o', /unknown model provider/],
      ['mistral:large', /unknown model provider/],
      ['openai:', /names no model/],
      ['openai-compatible:http://127.0.0.1:11434/v1', /needs an endpoint and a model/],
      ['openai-compatible:not a url#m', /is not a URL/],
      ['openai-compatible:ftp://host/v1#m', /http:\/\/ or https:\/\//],
      ['openai-compatible:http://user:secret@host/v1#m', /RUNTRUTH_MODEL_KEY, not in the URL/],
      ['openai-compatible:https://gateway.example/v1?api-key=secret#m', /no user, password or query string/],
    ];
    for (const [spec, message] of cases) assert.throws(() => parseModelSpec(spec), (e: unknown) => e instanceof ModelSpecError && message.test(e.message), spec);
  });

  it('needs a key for hosted providers, takes RUNTRUTH_MODEL_KEY for any, and none for a local endpoint', async () => {
    await assert.rejects(resolveModel('openai:gpt-4o', { env: {} }), /no key for openai: set OPENAI_API_KEY/);
    await assert.rejects(resolveModel('anthropic:claude-sonnet-4-5', { env: { OPENAI_API_KEY: KEY } }), /set ANTHROPIC_API_KEY/);
    const openai = await resolveModel('openai:gpt-4o', { env: { OPENAI_API_KEY: KEY } });
    assert.equal(typeof openai.model, 'object');
    assert.equal((openai.model as { modelId: string }).modelId, 'gpt-4o');
    const anthropic = await resolveModel('anthropic:claude-sonnet-4-5', { env: { RUNTRUTH_MODEL_KEY: KEY } });
    assert.equal((anthropic.model as { provider: string }).provider, 'anthropic.messages');
    const local = await resolveModel('openai-compatible:http://127.0.0.1:11434/v1#llama3.1', { env: {} });
    assert.equal(local.label, 'llama3.1 at http://127.0.0.1:11434/v1');
    for (const r of [openai, anthropic, local]) assert.ok(!r.label.includes(KEY));
  });

  it('the CLI fails on a bad spec or a missing key before it contacts the relay', async () => {
    // nothing listens on this relay: reaching it would be a connection error, not a usage error
    const base = ['investigate', 'why?', '--relay', 'ws://127.0.0.1:9', '--token', 'x'];
    const bad = await runCli([...base, '--model', 'gpt-4o'], { env: cleanEnv() });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--model: unknown model provider in 'gpt-4o'/);
    const keyless = await runCli([...base, '--model', 'anthropic:claude-sonnet-4-5'], { env: cleanEnv() });
    assert.equal(keyless.code, 2, keyless.stderr);
    assert.match(keyless.stderr, /--model: no key for anthropic: set ANTHROPIC_API_KEY \(or RUNTRUTH_MODEL_KEY\)/);
  });
});

/**
 * A model behind a real OpenAI-compatible HTTP endpoint on 127.0.0.1 (the stand-in for a hosted LLM or
 * Ollama) drives the CLI's investigation of a live service: the scripted model reads the tool results it is
 * sent over the wire, makes one invalid call, and proposes probes by line.
 */
function tradingScript(request: ChatRequest, step: number): Turn {
  const json = <T>(tool: string) => JSON.parse(lastToolResult(request, tool)!) as T;
  switch (step) {
    case 1:
      return { calls: [{ name: 'list_services', input: {} }, { name: 'recent_commits', input: { limit: 20 } }, { name: 'search_code', input: { query: 'high-value validation' } }] };
    case 2:
      return { calls: [{ name: 'propose_probe', input: { file: 'src/validation.js', line: -3, hypothesisIds: ['h1'], reason: 'oops' } }] };
    case 3: {
      const commits = json<{ sha: string; subject: string }[]>('recent_commits');
      const notional = commits.find((c) => /notional/i.test(c.subject))!;
      const other = commits.find((c) => /wording/i.test(c.subject))!;
      return {
        calls: [
          {
            name: 'update_hypotheses',
            input: {
              hypotheses: [
                { id: 'h1', claim: 'The notional format change makes amount a string', suspectCommits: [notional.sha], suspectLocations: [{ file: 'src/intake.js', line: 9, reason: 'formats the amount' }], prediction: { description: 'amount is a string at the high-value comparison', anomalies: ['type-mismatch'], identifiers: ['amount'] } },
                { id: 'h2', claim: 'The wording change broke validation', suspectCommits: [other.sha], prediction: { description: 'the quantity check misbehaves', anomalies: ['type-mismatch', 'nan'] } },
              ],
            },
          },
          { name: 'read_code', input: { file: 'src/intake.js', startLine: 1, endLine: 20 } },
        ],
      };
    }
    case 4: {
      const search = json<{ file: string; lines: { line: number; text: string }[] }[]>('search_code');
      const compare = search.flatMap((f) => f.lines.map((l) => ({ ...l, file: f.file }))).find((l) => /highValue = amount >/.test(l.text))!;
      const intake = lastToolResult(request, 'read_code')!.split('\n');
      const produced = Number(intake.find((l) => /formatNotional\(qty/.test(l))!.split(':')[0]);
      return {
        calls: [
          { name: 'propose_probe', input: { file: compare.file, line: compare.line, hypothesisIds: ['h1', 'h2'], reason: 'the high-value decision', role: 'symptom' } },
          { name: 'propose_probe', input: { file: 'src/intake.js', line: produced + 1, captures: ['amount', 'qty', 'price'], hypothesisIds: ['h1'], reason: 'what the new format produced', role: 'written' } },
        ],
      };
    }
    case 5:
      return { calls: [{ name: 'wait_for_evidence', input: { seconds: 60 } }] };
    case 6:
      return { calls: [{ name: 'get_scores', input: {} }] };
    case 7:
      return { calls: [{ name: 'finish', input: { summary: 'amount became a formatted string in parseOrder; the > comparison is always false' } }] };
    default:
      return { text: 'done' };
  }
}

describe('assistant: an OpenAI-compatible endpoint drives runtruth investigate --model', function () {
  this.timeout(150_000);
  let world: World;
  let chat: Awaited<ReturnType<typeof startChatServer>>;
  before(async () => {
    world = await startWorld(trading);
    chat = await startChatServer(tradingScript);
  });
  after(async () => {
    await chat?.close();
    await world?.close();
  });

  it('confirms the culprit through our tools and scorer; the key goes only to the endpoint', async () => {
    const admin = fs.readFileSync(world.relay.adminTokenFile, 'utf8').trim();
    const spec = `openai-compatible:${chat.url}#scripted-sre`;
    const r = await runCli(['investigate', trading.question, '--repo', world.repo.dir, '--model', spec, '--approve-low-risk', '--json', '--max-minutes', '2', '--relay', world.relay.url, '--token', admin], {
      timeoutMs: 120_000,
      env: cleanEnv({ RUNTRUTH_MODEL_KEY: KEY }),
    });
    assert.equal(r.code, 0, r.stderr + r.stdout.slice(-2000));
    const { result, report } = JSON.parse(r.stdout);

    // the conversation went over HTTP: seven model calls, the tools advertised, the key as a bearer token
    assert.equal(chat.requests.length, 7, 'the loop stops at finish');
    assert.ok(chat.requests.every((q) => q.authorization === `Bearer ${KEY}` && q.model === 'scripted-sre'));
    const tools = chat.requests[0]!.tools!.map((t) => t.function.name).sort();
    assert.deepEqual(tools, ['blame', 'commit_diff', 'finish', 'get_baselines', 'get_scores', 'list_services', 'propose_probe', 'read_code', 'recent_commits', 'search_code', 'update_hypotheses', 'wait_for_evidence']);
    assert.match(lastToolResult(chat.requests[2]!, 'propose_probe')!, /line/i, 'the invalid call came back to the model as a tool error');

    assert.equal(result.investigator, 'model');
    assert.equal(result.status, 'confirmed', report);
    assert.equal(result.culprit.sha, world.repo.culprit);
    assert.equal(result.scores[0].hypothesisId, 'h1');
    assert.ok(result.scores[0].evidence.some((i: { factor: string }) => i.factor === 'own-anomaly'), 'scored by Runtruth from the evidence the model asked for');
    assert.ok(result.sites.every((s: { approval: { origin: string; decision: string } }) => s.approval.origin === 'ai' && s.approval.decision === 'approved'));

    // the key never appears in what the CLI prints, nor in the relay's store or audit log
    assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY));
    const { entries } = await world.admin.request('audit.query', { newest: true, limit: 10_000 });
    assert.ok(!JSON.stringify(entries).includes(KEY));
  });
});
