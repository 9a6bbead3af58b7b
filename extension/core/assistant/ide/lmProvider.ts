import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3Content, LanguageModelV3FinishReason, LanguageModelV3Prompt, LanguageModelV3StreamPart, LanguageModelV3ToolResultOutput, LanguageModelV3Usage } from '@ai-sdk/provider';

/**
 * VS Code's Language Model API (Copilot and any installed chat model) as an `ai` SDK LanguageModelV3, so the
 * assistant's tool loop runs on the model the person already has, with no key. This side knows no `vscode`:
 * it speaks to a small port (the editor edge adapts vscode.LanguageModelChat to it), so the mapping is tested
 * with plain mocha and the same loop runs in the CLI, the extension and tests.
 */

/** A message as VS Code's API takes it: user or assistant (it has no system or tool role). */
export interface ChatMessage {
  role: 'user' | 'assistant';
  parts: ChatPart[];
}

export type ChatPart = { type: 'text'; text: string } | { type: 'tool-call'; callId: string; name: string; input: object } | { type: 'tool-result'; callId: string; text: string };

export interface ChatTool {
  name: string;
  description: string;
  inputSchema: object;
}

/** One chat model behind the port: sends messages, yields the response's text and tool-call parts. */
export interface ChatModelPort {
  readonly id: string;
  readonly vendor: string;
  readonly name: string;
  send(messages: ChatMessage[], options: { tools: ChatTool[]; toolMode: 'auto' | 'required'; signal?: AbortSignal }): Promise<AsyncIterable<Exclude<ChatPart, { type: 'tool-result' }>>>;
}

const NO_USAGE: LanguageModelV3Usage = {
  inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: undefined, text: undefined, reasoning: undefined },
};

export function chatModelAsLanguageModel(port: ChatModelPort): LanguageModelV3 {
  const call = async (options: LanguageModelV3CallOptions) => {
    const { tools, toolMode } = toolsFor(options);
    return port.send(toChatMessages(options.prompt), { tools, toolMode, ...(options.abortSignal ? { signal: options.abortSignal } : {}) });
  };
  return {
    specificationVersion: 'v3',
    provider: `vscode-lm.${port.vendor}`,
    modelId: port.id,
    supportedUrls: {},
    async doGenerate(options) {
      const content: LanguageModelV3Content[] = [];
      let text = '';
      for await (const part of await call(options)) {
        if (part.type === 'text') text += part.text;
        else content.push({ type: 'tool-call', toolCallId: part.callId, toolName: part.name, input: JSON.stringify(part.input ?? {}) });
      }
      if (text) content.unshift({ type: 'text', text });
      return { content, finishReason: finish(content.some((c) => c.type === 'tool-call')), usage: NO_USAGE, warnings: [] };
    },
    async doStream(options) {
      const parts = await call(options);
      const stream = new ReadableStream<LanguageModelV3StreamPart>({
        async start(controller) {
          controller.enqueue({ type: 'stream-start', warnings: [] });
          let textOpen = false;
          let calls = 0;
          try {
            for await (const part of parts) {
              if (part.type === 'text') {
                if (!textOpen) controller.enqueue({ type: 'text-start', id: 't0' });
                textOpen = true;
                controller.enqueue({ type: 'text-delta', id: 't0', delta: part.text });
              } else {
                calls++;
                controller.enqueue({ type: 'tool-call', toolCallId: part.callId, toolName: part.name, input: JSON.stringify(part.input ?? {}) });
              }
            }
            if (textOpen) controller.enqueue({ type: 'text-end', id: 't0' });
            controller.enqueue({ type: 'finish', usage: NO_USAGE, finishReason: finish(calls > 0) });
          } catch (error) {
            controller.enqueue({ type: 'error', error });
          }
          controller.close();
        },
      });
      return { stream };
    },
  };
}

const finish = (toolCalls: boolean): LanguageModelV3FinishReason => ({ unified: toolCalls ? 'tool-calls' : 'stop', raw: toolCalls ? 'tool-calls' : 'stop' });

function toolsFor(options: LanguageModelV3CallOptions): { tools: ChatTool[]; toolMode: 'auto' | 'required' } {
  const all = (options.tools ?? []).flatMap((t) => (t.type === 'function' ? [{ name: t.name, description: t.description ?? t.name, inputSchema: t.inputSchema as object }] : []));
  const choice = options.toolChoice ?? { type: 'auto' };
  if (choice.type === 'none') return { tools: [], toolMode: 'auto' };
  if (choice.type === 'tool') return { tools: all.filter((t) => t.name === choice.toolName), toolMode: 'required' };
  return { tools: all, toolMode: choice.type === 'required' ? 'required' : 'auto' };
}

/**
 * The `ai` prompt as VS Code messages: the system prompt becomes the opening user message (VS Code has no
 * system role), tool results go back as user messages carrying tool-result parts, files and reasoning are dropped.
 */
export function toChatMessages(prompt: LanguageModelV3Prompt): ChatMessage[] {
  const out: ChatMessage[] = [];
  const push = (role: ChatMessage['role'], parts: ChatPart[]) => {
    if (!parts.length) return;
    const last = out[out.length - 1];
    // VS Code (and the models behind it) expect roles to alternate; merge runs of the same role
    if (last && last.role === role && !parts.some((p) => p.type === 'tool-result') && !last.parts.some((p) => p.type === 'tool-result')) last.parts.push(...parts);
    else out.push({ role, parts });
  };
  for (const m of prompt) {
    if (m.role === 'system') push('user', [{ type: 'text', text: m.content }]);
    else if (m.role === 'user') push('user', m.content.flatMap((p) => (p.type === 'text' ? [{ type: 'text' as const, text: p.text }] : [])));
    else if (m.role === 'assistant') {
      push(
        'assistant',
        m.content.flatMap((p): ChatPart[] => {
          if (p.type === 'text') return [{ type: 'text', text: p.text }];
          if (p.type === 'tool-call') return [{ type: 'tool-call', callId: p.toolCallId, name: p.toolName, input: asObject(p.input) }];
          if (p.type === 'tool-result') return [{ type: 'tool-result', callId: p.toolCallId, text: outputText(p.output) }];
          return [];
        }),
      );
    } else push('user', m.content.flatMap((p) => (p.type === 'tool-result' ? [{ type: 'tool-result' as const, callId: p.toolCallId, text: outputText(p.output) }] : [])));
  }
  return out;
}

function asObject(input: unknown): object {
  if (typeof input === 'string') {
    try {
      const parsed: unknown = JSON.parse(input);
      return parsed && typeof parsed === 'object' ? parsed : { value: parsed };
    } catch {
      return { value: input };
    }
  }
  return input && typeof input === 'object' ? input : {};
}

export function outputText(output: LanguageModelV3ToolResultOutput): string {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return output.type === 'error-text' ? `Error: ${output.value}` : output.value;
    case 'json':
    case 'error-json':
      return (output.type === 'error-json' ? 'Error: ' : '') + JSON.stringify(output.value);
    case 'execution-denied':
      return `The tool call was denied${output.reason ? `: ${output.reason}` : ''}.`;
    default:
      return JSON.stringify(output);
  }
}
