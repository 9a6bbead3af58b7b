import type { LanguageModel } from 'ai';
import { z } from 'zod';
import type { UserAction, UserFacingError } from '../../userErrors';
import { KEY_ENV, ModelSpecError, parseModelSpec, resolveModel, type ModelProvider, type ModelSpec } from '../model/providers';

/**
 * Which engine drives an investigation in the editor, from the `runtruth.assistant.model` setting:
 *   ""         VS Code's chat model (Copilot or another installed one) when there is one, else the built-in investigator
 *   "builtin"  always the built-in investigator
 *   SPEC       a model as the CLI's --model names it (openai:…, anthropic:…, openai-compatible:URL#model), its key
 *              from SecretStorage (Runtruth: Set Model API Key…) or the environment VS Code started in
 * No `vscode` here: the edge passes the setting, the secret reader and the chat model in.
 */
export const MODEL_SETTING = 'runtruth.assistant.model';
export const MODEL_PROVIDERS = ['openai', 'anthropic', 'openai-compatible'] as const satisfies readonly ModelProvider[];
export const modelProviderSchema = z.enum(MODEL_PROVIDERS);

/** Where SecretStorage keeps each provider's key: one per provider, never in settings. */
export const secretKeyFor = (provider: ModelProvider) => `runtruth.modelKey.${provider}`;

export type ModelSetting = { kind: 'auto' } | { kind: 'builtin' } | { kind: 'spec'; text: string; spec: ModelSpec };

/** A model with a name to show (never a key). */
export interface NamedModel {
  model: LanguageModel;
  name: string;
}

export type ModelChoice = { engine: 'builtin'; name: 'builtin'; reason: string } | ({ engine: 'editor' | 'model' } & NamedModel);

/** The setting names no usable model, or its key is missing: one sentence, shown with an Open Settings button. */
export class ModelChoiceError extends Error implements UserFacingError {
  override name = 'ModelChoiceError';
  readonly code = 'local';
  readonly transient = false;
  readonly actions: UserAction[] = ['openSettings'];
}

const settingSchema = z.string().max(1000);

export function parseModelSetting(value: unknown): ModelSetting {
  const parsed = settingSchema.safeParse(value ?? '');
  if (!parsed.success) throw new ModelChoiceError(`${MODEL_SETTING} must be a text of at most 1000 characters: empty, "builtin" or a model such as openai:gpt-4o.`);
  const text = parsed.data.trim();
  if (!text) return { kind: 'auto' };
  if (text === 'builtin') return { kind: 'builtin' };
  try {
    return { kind: 'spec', text, spec: parseModelSpec(text) };
  } catch (error) {
    if (!(error instanceof ModelSpecError)) throw error;
    // the CLI's wording names RUNTRUTH_MODEL_KEY for keys; in the editor the key goes to SecretStorage
    const reason = error.message.replace('put the endpoint key in RUNTRUTH_MODEL_KEY, not in the URL', 'keep the endpoint key out of the URL (use Runtruth: Set Model API Key…)');
    throw new ModelChoiceError(`${MODEL_SETTING} is not usable: ${reason}. Leave it empty for VS Code's chat model, or "builtin".`);
  }
}

export interface ChoiceInputs {
  /** The raw value of runtruth.assistant.model. */
  setting: unknown;
  /** The key stored for a provider (SecretStorage). */
  storedKey(provider: ModelProvider): PromiseLike<string | undefined>;
  /** VS Code's chat model, if one is available (the one picked in the Chat view, or the first offered). */
  editorModel(): PromiseLike<NamedModel | undefined>;
  /** Where environment keys are read from (the extension host's process.env). */
  env: Readonly<Record<string, string | undefined>>;
  fetch?: typeof globalThis.fetch;
}

/** Decides the engine; throws ModelChoiceError (before anything runs) when the setting cannot be honoured. */
export async function chooseModel(inputs: ChoiceInputs): Promise<ModelChoice> {
  const setting = parseModelSetting(inputs.setting);
  if (setting.kind === 'builtin') return { engine: 'builtin', name: 'builtin', reason: `${MODEL_SETTING} is "builtin"` };
  if (setting.kind === 'auto') {
    // no chat API (a fork) or no model extension: the built-in investigator, as before the setting existed
    const editor = await Promise.resolve(inputs.editorModel()).catch(() => undefined);
    return editor ? { engine: 'editor', ...editor } : { engine: 'builtin', name: 'builtin', reason: 'VS Code offers no chat model' };
  }
  const { provider } = setting.spec;
  const stored = nonEmpty(await inputs.storedKey(provider));
  const envName = KEY_ENV[provider];
  const fromEnv = nonEmpty(inputs.env.RUNTRUTH_MODEL_KEY) ?? (envName ? nonEmpty(inputs.env[envName]) : undefined);
  if (envName && !stored && !fromEnv) throw new ModelChoiceError(missingKeyMessage(provider, setting.text));
  try {
    const resolved = await resolveModel(setting.text, { env: inputs.env, ...(stored ? { apiKey: stored } : {}), ...(inputs.fetch ? { fetch: inputs.fetch } : {}) });
    return { engine: 'model', model: resolved.model, name: resolved.label };
  } catch (error) {
    if (error instanceof ModelSpecError) throw new ModelChoiceError(`${MODEL_SETTING} is not usable: ${error.message}.`);
    throw error;
  }
}

export function missingKeyMessage(provider: ModelProvider, spec: string): string {
  return `No API key for ${provider} (${MODEL_SETTING} is "${spec}"): run "Runtruth: Set Model API Key…", or start VS Code with ${KEY_ENV[provider] ?? 'RUNTRUTH_MODEL_KEY'} set.`;
}

/** A key as a person pastes it: trimmed, one line, no spaces inside. Returns the problem, or undefined. */
export function keyProblem(key: string): string | undefined {
  const trimmed = key.trim();
  if (!trimmed) return 'The key is empty.';
  if (trimmed.length > 4096) return 'That is longer than any API key (over 4096 characters).';
  if (/\s/.test(trimmed)) return 'An API key has no spaces or line breaks: paste only the key.';
  return undefined;
}

const nonEmpty = (s: string | undefined) => (s && s.trim() ? s.trim() : undefined);
