import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One message of the OpenAI chat-completions protocol, as a client sends it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content?: string | null;
  tool_call_id?: string;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: { type: 'function'; function: { name: string; description?: string; parameters: unknown } }[];
  stream?: boolean;
  /** The Authorization header it came with. */
  authorization?: string;
}

export interface ToolCall {
  name: string;
  input: unknown;
}

/** A turn the script returns: tool calls, or text that ends the conversation. */
export type Turn = { calls: ToolCall[] } | { text: string };

/**
 * A local HTTP server that speaks the OpenAI chat-completions protocol (non-streaming, tool calls): our
 * stand-in for a hosted model or Ollama. A script decides each reply from the conversation so far, the way a
 * model reads the tool results it was given. Binds 127.0.0.1.
 */
export async function startChatServer(script: (request: ChatRequest, step: number) => Turn): Promise<{ url: string; requests: ChatRequest[]; close(): Promise<void> }> {
  const requests: ChatRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
        return;
      }
      let reply: unknown;
      try {
        const request = { ...(JSON.parse(body) as ChatRequest), ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) };
        requests.push(request);
        reply = completion(request.model, script(request, requests.length), requests.length);
      } catch (e) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: (e as Error).stack ?? String(e) } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function completion(model: string, turn: Turn, step: number) {
  const message =
    'calls' in turn
      ? { role: 'assistant', content: null, tool_calls: turn.calls.map((c, i) => ({ id: `call_${step}_${i}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input) } })) }
      : { role: 'assistant', content: turn.text };
  return {
    id: `chatcmpl-${step}`,
    object: 'chat.completion',
    created: 1_700_000_000 + step,
    model,
    choices: [{ index: 0, message, finish_reason: 'calls' in turn ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  };
}

/** The latest result the client sent back for a tool, as text (the protocol carries tool results as strings). */
export function lastToolResult(request: ChatRequest, toolName: string): string | undefined {
  const names = new Map<string, string>();
  let found: string | undefined;
  for (const m of request.messages) {
    for (const c of m.tool_calls ?? []) names.set(c.id, c.function.name);
    if (m.role === 'tool' && m.tool_call_id && names.get(m.tool_call_id) === toolName) found = m.content ?? '';
  }
  return found;
}
