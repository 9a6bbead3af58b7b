import * as vscode from 'vscode';
import type { LanguageModel } from 'ai';
import { chatModelAsLanguageModel, type ChatMessage, type ChatModelPort, type ChatPart } from '../../core/assistant/ide/lmProvider';

/** A VS Code chat model (Copilot or another installed one) as an `ai` SDK model, plus a name to show. */
export interface EditorModel {
  model: LanguageModel;
  name: string;
}

export function editorModel(chat: vscode.LanguageModelChat): EditorModel {
  return { model: chatModelAsLanguageModel(portFor(chat)), name: `${chat.name} (${chat.vendor}, via VS Code)` };
}

/** The first chat model VS Code offers, if any (none without Copilot or another model extension). */
export async function firstEditorModel(): Promise<EditorModel | undefined> {
  const models = await vscode.lm.selectChatModels();
  return models[0] ? editorModel(models[0]) : undefined;
}

/** Adapts vscode.LanguageModelChat to the vscode-free port the provider speaks (extension/core/assistant/ide/lmProvider.ts). */
function portFor(chat: vscode.LanguageModelChat): ChatModelPort {
  return {
    id: chat.id,
    vendor: chat.vendor,
    name: chat.name,
    async send(messages, options) {
      const cancel = new vscode.CancellationTokenSource();
      options.signal?.addEventListener('abort', () => cancel.cancel(), { once: true });
      const response = await chat.sendRequest(
        messages.map(toVsCode),
        {
          justification: 'Runtruth investigates a production question with read-only probes you approve.',
          ...(options.tools.length ? { tools: options.tools, toolMode: options.toolMode === 'required' ? vscode.LanguageModelChatToolMode.Required : vscode.LanguageModelChatToolMode.Auto } : {}),
        },
        cancel.token,
      );
      return (async function* () {
        try {
          for await (const part of response.stream) {
            if (part instanceof vscode.LanguageModelTextPart) yield { type: 'text' as const, text: part.value };
            else if (part instanceof vscode.LanguageModelToolCallPart) yield { type: 'tool-call' as const, callId: part.callId, name: part.name, input: part.input };
          }
        } finally {
          cancel.dispose();
        }
      })();
    },
  };
}

function toVsCode(m: ChatMessage): vscode.LanguageModelChatMessage {
  const parts = m.parts.map((p: ChatPart) => {
    if (p.type === 'text') return new vscode.LanguageModelTextPart(p.text);
    if (p.type === 'tool-call') return new vscode.LanguageModelToolCallPart(p.callId, p.name, p.input);
    return new vscode.LanguageModelToolResultPart(p.callId, [new vscode.LanguageModelTextPart(p.text)]);
  });
  return new vscode.LanguageModelChatMessage(m.role === 'user' ? vscode.LanguageModelChatMessageRole.User : vscode.LanguageModelChatMessageRole.Assistant, parts);
}
