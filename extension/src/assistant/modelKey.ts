import * as vscode from 'vscode';
import { z } from 'zod';
import { chooseModel, keyProblem, MODEL_PROVIDERS, MODEL_SETTING, modelProviderSchema, parseModelSetting, secretKeyFor, type ModelChoice, type NamedModel } from '../../core/assistant/ide/modelChoice';
import type { ModelProvider } from '../../core/assistant/model/providers';
import { firstEditorModel } from '../chat/vscodeChatModel';
import type { Runtime } from '../runtime';
import { showUserError } from '../userErrors';

/** What the key commands accept from automation (tests, companion extensions); from the palette they ask. */
const setKeyArgs = z.object({ provider: modelProviderSchema, key: z.string() }).strict();
const clearKeyArgs = z.object({ provider: modelProviderSchema }).strict();

const settingValue = () => vscode.workspace.getConfiguration().get<unknown>(MODEL_SETTING, '');

/** The engine an investigation uses now: the setting, the key in SecretStorage, VS Code's chat model (see core). */
export function modelChoiceFor(secrets: vscode.SecretStorage, editorModel: () => PromiseLike<NamedModel | undefined>): Promise<ModelChoice> {
  return chooseModel({ setting: settingValue(), storedKey: (p) => secrets.get(secretKeyFor(p)), editorModel, env: process.env });
}

/**
 * Runtruth: Set Model API Key… / Clear Model API Key, and a check of runtruth.assistant.model whenever it
 * changes. Keys go to SecretStorage only: never to settings, logs or messages.
 */
export function registerModelKeys(rt: Runtime): vscode.Disposable[] {
  const secrets = rt.context.secrets;
  const fail = (error: unknown) => void showUserError(error, rt.settings().relay);
  return [
    vscode.commands.registerCommand('runtruth.setModelKey', async (arg?: unknown): Promise<boolean> => {
      try {
        const given = arg === undefined ? undefined : setKeyArgs.safeParse(arg);
        if (given && !given.success) throw new Error(`runtruth.setModelKey takes { provider: ${MODEL_PROVIDERS.join(' | ')}, key }.`);
        const provider = given?.data.provider ?? (await pickProvider('Store an API key for which provider?', MODEL_PROVIDERS));
        if (!provider) return false;
        const key = given?.data.key ?? (await askKey(provider));
        if (key === undefined) return false;
        const problem = keyProblem(key);
        if (problem) throw new Error(problem);
        await secrets.store(secretKeyFor(provider), key.trim());
        rt.channels.log(`model key for ${provider} stored in secret storage`);
        if (!given) void vscode.window.showInformationMessage(`Runtruth: the ${provider} key is in VS Code's secret storage.`);
        return true;
      } catch (error) {
        fail(error);
        return false;
      }
    }),
    vscode.commands.registerCommand('runtruth.clearModelKey', async (arg?: unknown): Promise<boolean> => {
      try {
        const given = arg === undefined ? undefined : clearKeyArgs.safeParse(arg);
        if (given && !given.success) throw new Error(`runtruth.clearModelKey takes { provider: ${MODEL_PROVIDERS.join(' | ')} }.`);
        const stored = given ? [given.data.provider] : await storedProviders(secrets);
        if (!given && !stored.length) {
          void vscode.window.showInformationMessage('Runtruth: no model API key is stored.');
          return false;
        }
        const provider = given?.data.provider ?? (await pickProvider('Clear the API key of which provider?', stored));
        if (!provider) return false;
        const had = (await secrets.get(secretKeyFor(provider))) !== undefined;
        await secrets.delete(secretKeyFor(provider));
        rt.channels.log(`model key for ${provider} cleared`);
        if (!given) void vscode.window.showInformationMessage(`Runtruth: the ${provider} key was removed.`);
        return had;
      } catch (error) {
        fail(error);
        return false;
      }
    }),
    // not in the palette: which engine an investigation would use now (no key in it), for companion extensions and tests
    vscode.commands.registerCommand('runtruth.modelChoice', async () => {
      try {
        const choice = await modelChoiceFor(secrets, firstEditorModel);
        return { engine: choice.engine, name: choice.name };
      } catch (error) {
        return { engine: 'error', error: error instanceof Error ? error.message : String(error) };
      }
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(MODEL_SETTING)) return;
      try {
        parseModelSetting(settingValue());
      } catch (error) {
        fail(error);
      }
    }),
  ];
}

async function pickProvider(placeHolder: string, providers: readonly ModelProvider[]): Promise<ModelProvider | undefined> {
  const current = (() => {
    try {
      const s = parseModelSetting(settingValue());
      return s.kind === 'spec' ? s.spec.provider : undefined;
    } catch {
      return undefined;
    }
  })();
  // the provider the setting names comes first
  const ordered = [...providers].sort((a, b) => Number(b === current) - Number(a === current));
  const picked = await vscode.window.showQuickPick(
    ordered.map((p) => ({ label: p, provider: p, description: p === current ? `used by ${MODEL_SETTING}` : '' })),
    { placeHolder },
  );
  return picked?.provider;
}

function askKey(provider: ModelProvider): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: `Runtruth: ${provider} API key`,
    prompt: `Stored in VS Code's secret storage (the OS keychain on desktop), never in settings.${provider === 'openai-compatible' ? ' Sent as a bearer token to the endpoint in runtruth.assistant.model.' : ''}`,
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value ? keyProblem(value) : undefined),
  });
}

async function storedProviders(secrets: vscode.SecretStorage): Promise<ModelProvider[]> {
  const present = await Promise.all(MODEL_PROVIDERS.map(async (p) => ((await secrets.get(secretKeyFor(p))) ? p : undefined)));
  return present.filter((p): p is ModelProvider => p !== undefined);
}
