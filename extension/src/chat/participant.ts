import * as vscode from 'vscode';
import { runChatTurn } from '../../core/assistant/ide/chatTurn';
import type { InvestigationController } from '../assistant/investigationController';
import { editorModel } from './vscodeChatModel';

export const PARTICIPANT_ID = 'runtruth.assistant';

/**
 * `@runtruth` in the Chat view: a question becomes an investigation (also shown in the side panel's
 * Investigation tab), streamed step by step with Approve/Reject buttons. It drives the investigation with the
 * model runtruth.assistant.model names, else the chat model the person picked in the Chat view; the built-in
 * investigator runs when there is none.
 */
export function registerParticipant(controller: InvestigationController, extensionUri: vscode.Uri): vscode.Disposable {
  const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, async (request, _context, response, token) => {
    const cancel = token.onCancellationRequested(() => controller.runner.stop());
    try {
      // runtruth.assistant.model decides; when it is empty, the model picked in the Chat view drives it
      const model = await controller.chooseModel(async () => (request.model ? editorModel(request.model) : undefined));
      const metadata = await runChatTurn(
        request.prompt,
        {
          markdown: (text) => response.markdown(text),
          progress: (text) => response.progress(text),
          button: (command, title, args) => response.button({ command, title, arguments: args }),
        },
        {
          investigator: model?.name ?? 'builtin',
          investigate: (question, onEvent) => {
            const listening = controller.onEvent(onEvent);
            return controller.investigate({ question, investigator: model ?? 'builtin' }).finally(() => listening.dispose());
          },
        },
      );
      return { metadata };
    } catch (error) {
      return { errorDetails: { message: error instanceof Error ? error.message : String(error) } };
    } finally {
      cancel.dispose();
    }
  });
  participant.iconPath = vscode.Uri.joinPath(extensionUri, 'extension', 'media', 'runtruth.svg');
  return participant;
}
