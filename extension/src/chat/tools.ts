import * as vscode from 'vscode';
import { invokeTool, TOOL_INPUTS, ToolInputError, type ToolName } from '../../core/assistant/ide/lmTools';
import type { InvestigationController } from '../assistant/investigationController';
import type { Runtime } from '../runtime';

/**
 * Registers Runtruth's Language Model Tools (declared in package.json `contributes.languageModelTools`), so
 * Copilot's agent mode — or any extension through vscode.lm.invokeTool — can list services, propose probes,
 * read evidence and run investigations. Errors come back as the tool's text, which a model can act on.
 */
export function registerTools(rt: Runtime, controller: InvestigationController): vscode.Disposable[] {
  return (Object.keys(TOOL_INPUTS) as ToolName[]).map((name) =>
    vscode.lm.registerTool<object>(name, {
      async invoke(options) {
        try {
          const text = await invokeTool(name, options.input, {
            session: () => controller.relay(),
            investigate: async (question, service) => (await controller.investigate({ question, ...(service ? { service } : {}) })).report,
          });
          return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
        } catch (error) {
          const message = error instanceof ToolInputError ? error.message : `Runtruth could not do that: ${error instanceof Error ? error.message : String(error)}`;
          rt.channels.log(`tool ${name} failed: ${message}`);
          return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(message)]);
        }
      },
      prepareInvocation(options) {
        if (name !== 'runtruth_propose_probe') return undefined;
        const input = options.input as { file?: string; line?: number; template?: string };
        return { invocationMessage: `Proposing a read-only probe at ${input.file}:${input.line} (a person approves it before it runs)` };
      },
    }),
  );
}
