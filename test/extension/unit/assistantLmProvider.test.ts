import assert from 'node:assert/strict';
import { generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import { chatModelAsLanguageModel, toChatMessages, type ChatMessage, type ChatModelPort, type ChatPart, type ChatTool } from '../../../extension/core/assistant/ide/lmProvider';

type Reply = Array<Exclude<ChatPart, { type: 'tool-result' }>>;

/** A scripted VS Code chat model behind the port: answers each request with the next reply, recording what it was sent. */
function scriptedModel(replies: Reply[]) {
  const calls: Array<{ messages: ChatMessage[]; tools: ChatTool[]; toolMode: string }> = [];
  const port: ChatModelPort = {
    id: 'copilot-gpt-test',
    vendor: 'copilot',
    name: 'GPT test',
    async send(messages, options) {
      calls.push({ messages: structuredClone(messages), tools: options.tools, toolMode: options.toolMode });
      const reply = replies[calls.length - 1] ?? [{ type: 'text', text: 'done' }];
      return (async function* () {
        for (const part of reply) yield part;
      })();
    },
  };
  return { model: chatModelAsLanguageModel(port), calls };
}

const weatherTool = tool({ description: 'Reads a gauge', inputSchema: z.object({ gauge: z.string() }), execute: async ({ gauge }) => ({ gauge, value: gauge === 'notional' ? '27,000.00' : 0 }) });

describe('VS Code Language Model API as an `ai` LanguageModelV3 provider', () => {
  it('runs an ai tool loop: the model\'s tool call is executed and its result goes back as a tool-result part', async () => {
    const { model, calls } = scriptedModel([
      [{ type: 'text', text: 'Let me look. ' }, { type: 'tool-call', callId: 'call-1', name: 'read_gauge', input: { gauge: 'notional' } }],
      [{ type: 'text', text: 'The notional is a string.' }],
    ]);
    const result = await generateText({ model, system: 'You are Runtruth.', prompt: 'Why?', tools: { read_gauge: weatherTool }, stopWhen: stepCountIs(5) });
    assert.equal(result.text, 'The notional is a string.');
    assert.equal(calls.length, 2);
    // first request: the system prompt as the opening user message (VS Code has no system role), the tool declared
    assert.deepEqual(calls[0]!.messages, [{ role: 'user', parts: [{ type: 'text', text: 'You are Runtruth.' }, { type: 'text', text: 'Why?' }] }]);
    assert.equal(calls[0]!.tools[0]!.name, 'read_gauge');
    assert.deepEqual((calls[0]!.tools[0]!.inputSchema as { required?: string[] }).required, ['gauge']);
    assert.equal(calls[0]!.toolMode, 'auto');
    // second request: the assistant's call, then the executed result
    const [, assistant, toolResult] = calls[1]!.messages;
    assert.deepEqual(assistant, { role: 'assistant', parts: [{ type: 'text', text: 'Let me look. ' }, { type: 'tool-call', callId: 'call-1', name: 'read_gauge', input: { gauge: 'notional' } }] });
    assert.equal(toolResult!.role, 'user');
    assert.equal(toolResult!.parts[0]!.type, 'tool-result');
    assert.deepEqual(JSON.parse((toolResult!.parts[0] as { text: string }).text), { gauge: 'notional', value: '27,000.00' });
  });

  it('feeds a tool\'s validation error back to the model, which can correct its call', async () => {
    const { model, calls } = scriptedModel([[{ type: 'tool-call', callId: 'c1', name: 'read_gauge', input: { gauge: 42 } }], [{ type: 'tool-call', callId: 'c2', name: 'read_gauge', input: { gauge: 'rate' } }], [{ type: 'text', text: 'ok' }]]);
    const result = await generateText({ model, prompt: 'go', tools: { read_gauge: weatherTool }, stopWhen: stepCountIs(5) });
    assert.equal(result.text, 'ok');
    const errorPart = calls[1]!.messages.at(-1)!.parts[0] as { type: string; text: string };
    assert.equal(errorPart.type, 'tool-result');
    assert.match(errorPart.text, /^Error: .*gauge/is);
  });

  it('streams text deltas and tool calls (doStream) and honours toolChoice', async () => {
    const { model, calls } = scriptedModel([[{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }]]);
    const stream = streamText({ model, prompt: 'hi', tools: { read_gauge: weatherTool }, toolChoice: { type: 'tool', toolName: 'read_gauge' } });
    let text = '';
    for await (const delta of stream.textStream) text += delta;
    assert.equal(text, 'ab');
    assert.equal(calls[0]!.toolMode, 'required');
    assert.deepEqual(calls[0]!.tools.map((t) => t.name), ['read_gauge']);
    const none = scriptedModel([[{ type: 'text', text: 'x' }]]);
    await generateText({ model: none.model, prompt: 'hi', tools: { read_gauge: weatherTool }, toolChoice: 'none' });
    assert.deepEqual(none.calls[0]!.tools, []);
  });

  it('maps every prompt role: tool results as user tool-result parts, denied and error outputs as text', () => {
    const messages = toChatMessages([
      { role: 'system', content: 'sys' },
      { role: 'user', content: [{ type: 'text', text: 'q' }] },
      { role: 'assistant', content: [{ type: 'reasoning', text: 'hmm' }, { type: 'tool-call', toolCallId: 't1', toolName: 'x', input: '{"a":1}' }, { type: 'tool-call', toolCallId: 't2', toolName: 'y', input: {} }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 't1', toolName: 'x', output: { type: 'execution-denied', reason: 'no' } }, { type: 'tool-result', toolCallId: 't2', toolName: 'y', output: { type: 'error-text', value: 'bad' } }] },
    ]);
    assert.deepEqual(messages, [
      { role: 'user', parts: [{ type: 'text', text: 'sys' }, { type: 'text', text: 'q' }] },
      { role: 'assistant', parts: [{ type: 'tool-call', callId: 't1', name: 'x', input: { a: 1 } }, { type: 'tool-call', callId: 't2', name: 'y', input: {} }] },
      { role: 'user', parts: [{ type: 'tool-result', callId: 't1', text: 'The tool call was denied: no.' }, { type: 'tool-result', callId: 't2', text: 'Error: bad' }] },
    ]);
  });
});
