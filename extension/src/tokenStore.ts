import type * as vscode from 'vscode';

/**
 * Relay tokens live in VS Code's SecretStorage (the OS keychain on desktop), one per relay URL, never in
 * settings: settings sync, get committed and show up in screenshots.
 */
export class TokenStore {
  /** When this window last wrote each key: change events that soon after are its own writes coming back. */
  private readonly ownWrites = new Map<string, number>();

  constructor(private readonly secrets: vscode.SecretStorage) {}

  get(relay: string): Thenable<string | undefined> {
    return this.secrets.get(keyFor(relay));
  }

  set(relay: string, token: string): Thenable<void> {
    this.noteOwnWrite(keyFor(relay));
    return this.secrets.store(keyFor(relay), token);
  }

  delete(relay: string): Thenable<void> {
    this.noteOwnWrite(keyFor(relay));
    return this.secrets.delete(keyFor(relay));
  }

  /**
   * Fires when a token changes elsewhere (another window of the same profile). Changes this store made are
   * skipped: reacting to them late would undo a sign-in that happened in between.
   */
  onDidChange(listener: (relay: string) => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => {
      if (!e.key.startsWith(PREFIX)) return;
      if (Date.now() - (this.ownWrites.get(e.key) ?? 0) < OWN_WRITE_ECHO_MS) return;
      listener(e.key.slice(PREFIX.length));
    });
  }

  private noteOwnWrite(key: string): void {
    this.ownWrites.set(key, Date.now());
  }
}

const PREFIX = 'runtruth.token:';
/** Own writes echo back within milliseconds; a real change from another window within this window is re-read anyway on the next sign-in or settings change. */
const OWN_WRITE_ECHO_MS = 2000;
const keyFor = (relay: string) => PREFIX + relay.replace(/\/+$/, '');
