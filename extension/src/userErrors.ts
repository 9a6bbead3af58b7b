import * as vscode from 'vscode';
import { describeError, type UserAction, type UserFacingError } from '../core/userErrors';

const LABELS: Record<UserAction, string> = {
  signIn: 'Sign in',
  openSettings: 'Open settings',
  retry: 'Retry',
  showOutput: 'Show log',
  showServices: 'Show deployed commit',
};
const COMMANDS: Record<UserAction, string> = {
  signIn: 'runtruth.signIn',
  openSettings: 'runtruth.openSettings',
  retry: 'runtruth.reconnect',
  showOutput: 'runtruth.showLog',
  showServices: 'runtruth.services.focus',
};

/** Shows an error as one sentence with buttons that fix it, and runs the button the user picks. */
export async function showUserError(error: UserFacingError | unknown, relay: string, extra: string[] = []): Promise<string | undefined> {
  const described = isUserFacing(error) ? error : describeError(error, relay);
  const picked = await vscode.window.showErrorMessage(`Runtruth: ${described.message}`, ...described.actions.map((a) => LABELS[a]), ...extra);
  const action = described.actions.find((a) => LABELS[a] === picked);
  if (action) await vscode.commands.executeCommand(COMMANDS[action]);
  return picked;
}

function isUserFacing(e: unknown): e is UserFacingError {
  return !!e && typeof e === 'object' && 'actions' in e && 'message' in e && 'transient' in e;
}

