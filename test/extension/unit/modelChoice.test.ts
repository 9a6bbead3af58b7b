import assert from 'node:assert/strict';
import { generateText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { chooseModel, keyProblem, ModelChoiceError, parseModelSetting, secretKeyFor, type ChoiceInputs, type NamedModel } from '../../../extension/core/assistant/ide/modelChoice';
import type { ModelProvider } from '../../../extension/core/assistant/model/providers';

const STORED = 'sk-stored-4b1d9e';
const FROM_ENV = 'sk-env-77c2a0';
const copilot: NamedModel = { model: new MockLanguageModelV3(), name: 'GPT-4o (copilot, via VS Code)' };

/** The inputs the edge passes, with what each reader was asked recorded. */
function inputs(setting: unknown, keys: Partial<Record<ModelProvider, string>> = {}, editor?: NamedModel | Error, env: Record<string, string> = {}) {
  const asked = { keys: [] as ModelProvider[], editor: 0 };
  const wire: string[] = [];
  const fetch: typeof globalThis.fetch = async (_url, init) => {
    wire.push(new Headers(init?.headers).get('authorization') ?? '(none)');
    const body = { id: 'c1', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  const given: ChoiceInputs = {
    setting,
    storedKey: async (p) => (asked.keys.push(p), keys[p]),
    editorModel: async () => {
      asked.editor++;
      if (editor instanceof Error) throw editor;
      return editor;
    },
    env,
    fetch,
  };
  return { given, asked, wire };
}

const choiceError = (pattern: RegExp) => (e: unknown) => e instanceof ModelChoiceError && pattern.test(e.message) && e.actions.includes('openSettings') && !e.message.includes(STORED);

describe('assistant in the editor: which model drives an investigation (runtruth.assistant.model)', () => {
  it('reads the setting: empty means auto, "builtin" the built-in investigator, anything else a model spec', () => {
    for (const v of ['', '   ', undefined, null]) assert.deepEqual(parseModelSetting(v), { kind: 'auto' }, String(v));
    assert.deepEqual(parseModelSetting(' builtin '), { kind: 'builtin' });
    assert.deepEqual(parseModelSetting('openai:gpt-4o'), { kind: 'spec', text: 'openai:gpt-4o', spec: { provider: 'openai', modelId: 'gpt-4o' } });
    assert.deepEqual(parseModelSetting('openai-compatible:http://127.0.0.1:11434/v1/#llama3.1').kind, 'spec');
  });

  it('an unusable setting is one clear error with Open Settings, naming the setting and the fix', () => {
    const cases: [unknown, RegExp][] = [
      ['gpt-4o', /^runtruth\.assistant\.model is not usable: unknown model provider in 'gpt-4o'.*Leave it empty for VS Code's chat model, or "builtin"\.$/],
      ['openai:', /names no model/],
      ['openai-compatible:http://127.0.0.1:11434/v1', /needs an endpoint and a model/],
      ['openai-compatible:http://me:secret@host/v1#m', /keep the endpoint key out of the URL \(use Runtruth: Set Model API Key…\)/],
      [42, /must be a text/],
      ['x'.repeat(1001), /must be a text of at most 1000 characters/],
    ];
    for (const [value, message] of cases) assert.throws(() => parseModelSetting(value), choiceError(message), String(value).slice(0, 40));
  });

  it('empty: VS Code chat model when there is one, else the built-in investigator (also when the chat API fails)', async () => {
    const withChat = inputs('', {}, copilot);
    assert.deepEqual(await chooseModel(withChat.given), { engine: 'editor', ...copilot });
    assert.deepEqual(withChat.asked.keys, [], 'no key is read when no model is named');
    assert.deepEqual(await chooseModel(inputs('', {}, undefined).given), { engine: 'builtin', name: 'builtin', reason: 'VS Code offers no chat model' });
    assert.equal((await chooseModel(inputs('', {}, new Error('no lm API')).given)).engine, 'builtin');
  });

  it('"builtin" wins over an available chat model and a stored key', async () => {
    const run = inputs('builtin', { openai: STORED }, copilot);
    assert.deepEqual(await chooseModel(run.given), { engine: 'builtin', name: 'builtin', reason: 'runtruth.assistant.model is "builtin"' });
    assert.equal(run.asked.editor, 0);
  });

  it('a named model with its stored key: the model, never the chat model; the stored key reaches the wire', async () => {
    const run = inputs('openai-compatible:http://127.0.0.1:9/v1#llama3.1', { 'openai-compatible': STORED }, copilot, { RUNTRUTH_MODEL_KEY: FROM_ENV });
    const choice = await chooseModel(run.given);
    assert.equal(choice.engine, 'model');
    assert.equal(choice.name, 'llama3.1 at http://127.0.0.1:9/v1');
    assert.deepEqual(run.asked, { keys: ['openai-compatible'], editor: 0 });
    assert.ok(choice.engine === 'model');
    const { text } = await generateText({ model: choice.model, prompt: 'hi', maxRetries: 0 });
    assert.equal(text, 'ok');
    assert.deepEqual(run.wire, [`Bearer ${STORED}`], 'the stored key wins over the environment');
  });

  it('keys are per provider: an openai key does not unlock anthropic, and the error says how to add one', async () => {
    const run = inputs('anthropic:claude-sonnet-4-5', { openai: STORED }, copilot);
    await assert.rejects(chooseModel(run.given), choiceError(/^No API key for anthropic \(runtruth\.assistant\.model is "anthropic:claude-sonnet-4-5"\): run "Runtruth: Set Model API Key…", or start VS Code with ANTHROPIC_API_KEY set\.$/));
    assert.deepEqual(run.asked, { keys: ['anthropic'], editor: 0 }, 'no silent fallback to the chat model');
    await assert.rejects(chooseModel(inputs('openai:gpt-4o', { openai: '   ' }).given), choiceError(/No API key for openai/), 'a blank stored key is no key');
  });

  it('without a stored key, the environment VS Code started in still counts (as in the CLI)', async () => {
    const run = inputs('openai:gpt-4o', {}, undefined, { OPENAI_API_KEY: FROM_ENV });
    const choice = await chooseModel(run.given);
    assert.equal(choice.engine, 'model');
    assert.equal(choice.name, 'openai:gpt-4o');
    // the reply is not an OpenAI Responses body, so the call fails after the request: only its header matters
    await generateText({ model: (choice as NamedModel).model, prompt: 'hi', maxRetries: 0 }).catch(() => undefined);
    assert.deepEqual(run.wire, [`Bearer ${FROM_ENV}`]);
  });

  it('a local openai-compatible endpoint needs no key', async () => {
    const run = inputs('openai-compatible:http://127.0.0.1:9/v1#m');
    const choice = await chooseModel(run.given);
    assert.equal(choice.engine, 'model');
    await generateText({ model: (choice as NamedModel).model, prompt: 'hi', maxRetries: 0 });
    assert.deepEqual(run.wire, ['(none)']);
  });

  it('an unusable setting fails even when a chat model is available (no silent fallback)', async () => {
    const run = inputs('mistral:large', {}, copilot);
    await assert.rejects(chooseModel(run.given), choiceError(/unknown model provider in 'mistral:large'/));
    assert.equal(run.asked.editor, 0);
  });

  it('checks a pasted key and names one SecretStorage entry per provider', () => {
    assert.equal(keyProblem(`  ${STORED}\n`), undefined);
    assert.match(keyProblem('  ')!, /empty/);
    assert.match(keyProblem('sk-a sk-b')!, /no spaces or line breaks/);
    assert.match(keyProblem('k'.repeat(4097))!, /longer than any API key/);
    assert.deepEqual((['openai', 'anthropic', 'openai-compatible'] as const).map(secretKeyFor), ['runtruth.modelKey.openai', 'runtruth.modelKey.anthropic', 'runtruth.modelKey.openai-compatible']);
  });
});
