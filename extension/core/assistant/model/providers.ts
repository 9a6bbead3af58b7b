import type { LanguageModel } from 'ai';

/**
 * Which hosted or local model drives an investigation, from one spec string the CLI and the extension share:
 *   openai:gpt-4o
 *   anthropic:claude-sonnet-4-5
 *   openai-compatible:http://127.0.0.1:11434/v1#llama3.1   (Ollama, vLLM, LM Studio: base URL, then the model)
 * Keys come from the environment (or the caller, e.g. VS Code's SecretStorage), never from the spec, so a
 * spec is safe to log and a key never is.
 */
export type ModelProvider = 'openai' | 'anthropic' | 'openai-compatible';

export interface ModelSpec {
  provider: ModelProvider;
  modelId: string;
  /** openai-compatible only: where the chat-completions API lives. */
  baseURL?: string;
}

export interface ResolvedModel extends ModelSpec {
  model: LanguageModel;
  /** Safe to print: provider, model and endpoint, never the key. */
  label: string;
}

/** A spec that cannot name a model, or a model whose key is missing: one clear message, before anything runs. */
export class ModelSpecError extends Error {
  override name = 'ModelSpecError';
}

/** The env variable each provider reads its key from; RUNTRUTH_MODEL_KEY overrides any of them. */
export const KEY_ENV: Record<ModelProvider, string | undefined> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  'openai-compatible': undefined,
};

const EXAMPLES = 'openai:gpt-4o, anthropic:claude-sonnet-4-5, or openai-compatible:http://127.0.0.1:11434/v1#llama3.1';
const MODEL_ID = /^[\w.:/@+-]{1,200}$/;

export function parseModelSpec(spec: string): ModelSpec {
  const colon = spec.indexOf(':');
  const provider = colon > 0 ? spec.slice(0, colon).trim() : '';
  const rest = colon > 0 ? spec.slice(colon + 1).trim() : '';
  if (provider !== 'openai' && provider !== 'anthropic' && provider !== 'openai-compatible') {
    throw new ModelSpecError(`unknown model provider in '${spec}': use ${EXAMPLES}`);
  }
  if (provider !== 'openai-compatible') {
    if (!MODEL_ID.test(rest)) throw new ModelSpecError(`'${spec}' names no model: use ${provider}:MODEL, e.g. ${provider === 'openai' ? 'openai:gpt-4o' : 'anthropic:claude-sonnet-4-5'}`);
    return { provider, modelId: rest };
  }
  const hash = rest.lastIndexOf('#');
  const baseURL = hash > 0 ? rest.slice(0, hash) : '';
  const modelId = hash > 0 ? rest.slice(hash + 1) : '';
  if (!baseURL || !MODEL_ID.test(modelId)) throw new ModelSpecError(`'${spec}' needs an endpoint and a model: openai-compatible:BASE_URL#MODEL, e.g. openai-compatible:http://127.0.0.1:11434/v1#llama3.1`);
  let url: URL;
  try {
    url = new URL(baseURL);
  } catch {
    throw new ModelSpecError(`'${baseURL}' is not a URL (openai-compatible:BASE_URL#MODEL)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ModelSpecError(`the endpoint must be http:// or https://, got '${url.protocol}'`);
  // a key in the URL would be printed wherever the spec is: keys belong in RUNTRUTH_MODEL_KEY
  if (url.username || url.password || url.search) throw new ModelSpecError('put the endpoint key in RUNTRUTH_MODEL_KEY, not in the URL (no user, password or query string)');
  return { provider, modelId, baseURL: url.href.replace(/\/$/, '') };
}

export interface ResolveOptions {
  /** Where keys are read from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** A key from elsewhere (VS Code's SecretStorage); wins over the environment. */
  apiKey?: string;
  /** For tests and proxies: the fetch the provider uses. */
  fetch?: typeof globalThis.fetch;
}

/**
 * Turns a spec into an `ai` SDK model. Throws ModelSpecError for a bad spec or a missing key, so the caller
 * fails before it proposes a single probe. The provider packages load only here (the built-in investigator
 * never pays for them).
 */
export async function resolveModel(spec: string, options: ResolveOptions = {}): Promise<ResolvedModel> {
  const parsed = parseModelSpec(spec);
  const env = options.env ?? process.env;
  const keyEnv = KEY_ENV[parsed.provider];
  const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env.RUNTRUTH_MODEL_KEY) ?? (keyEnv ? nonEmpty(env[keyEnv]) : undefined);
  if (!apiKey && keyEnv) throw new ModelSpecError(`no key for ${parsed.provider}: set ${keyEnv} (or RUNTRUTH_MODEL_KEY)`);
  const fetchOption = options.fetch ? { fetch: options.fetch } : {};
  switch (parsed.provider) {
    case 'openai': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      return { ...parsed, model: createOpenAI({ apiKey: apiKey!, ...fetchOption })(parsed.modelId), label: `openai:${parsed.modelId}` };
    }
    case 'anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      return { ...parsed, model: createAnthropic({ apiKey: apiKey!, ...fetchOption })(parsed.modelId), label: `anthropic:${parsed.modelId}` };
    }
    case 'openai-compatible': {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      // local servers (Ollama, LM Studio) need no key; vLLM and gateways take one as a bearer token
      const provider = createOpenAICompatible({ name: 'openai-compatible', baseURL: parsed.baseURL!, ...(apiKey ? { apiKey } : {}), ...fetchOption });
      return { ...parsed, model: provider.chatModel(parsed.modelId), label: `${parsed.modelId} at ${parsed.baseURL}` };
    }
  }
}

const nonEmpty = (s: string | undefined) => (s && s.trim() ? s.trim() : undefined);
