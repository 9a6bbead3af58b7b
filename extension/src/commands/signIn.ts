import * as vscode from 'vscode';
import type { ConnectionManager, ConnectionState } from '../../core/connection';
import type { Runtime } from '../runtime';
import { showUserError } from '../userErrors';

/**
 * `Runtruth: Sign In`: asks for the relay token (or takes it as the argument), connects, and keeps the token in
 * SecretStorage only if the relay accepted it (or could not be reached to say); a refused token is never stored.
 * Resolves true when connected.
 */
export async function signIn(rt: Runtime, tokenArg?: unknown): Promise<boolean> {
  const { relay } = rt.settings();
  const token =
    typeof tokenArg === 'string'
      ? tokenArg
      : await vscode.window.showInputBox({
          title: 'Runtruth: Sign In',
          prompt: `Token for the relay at ${relay}. It is kept in VS Code's secret storage, never in settings. (Change the relay in settings: runtruth.relay.)`,
          placeHolder: 'rt_…',
          password: true,
          ignoreFocusOut: true,
          validateInput: (t) => (t.trim().length < 8 ? 'A relay token is at least 8 characters' : undefined),
        });
  if (!token?.trim()) return false;
  rt.connection.configure(relay, token.trim(), true);
  const outcome = await settled(rt.connection);
  if (outcome.status === 'connected') {
    await rt.tokens.set(relay, token.trim());
    void vscode.window.showInformationMessage(`Runtruth: connected to ${relay} as ${outcome.identity.name}.`);
    return true;
  }
  if (outcome.status === 'retrying') {
    await rt.tokens.set(relay, token.trim()); // could not check it: keep it, the connection keeps trying
    void showUserError(outcome.error, relay);
    return false;
  }
  if (outcome.status === 'failed') {
    void showUserError(outcome.error, relay);
    // A token that worked before stays: go back to it rather than leave the user disconnected by a typo.
    const previous = await rt.tokens.get(relay);
    if (previous) rt.connection.configure(relay, previous);
  }
  return false;
}

export async function signOut(rt: Runtime): Promise<void> {
  const { relay } = rt.settings();
  await rt.tokens.delete(relay);
  rt.connection.configure(relay, undefined);
  void vscode.window.showInformationMessage(`Runtruth: signed out of ${relay}.`);
}

/** The first state after 'connecting' that says how the attempt went. */
function settled(connection: ConnectionManager): Promise<ConnectionState> {
  if (connection.state.status !== 'connecting') return Promise.resolve(connection.state);
  return new Promise((resolve) => {
    const sub = connection.onDidChangeState((s) => {
      if (s.status === 'connecting') return;
      sub.dispose();
      resolve(s);
    });
  });
}
