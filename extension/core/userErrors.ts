import { RelayConnectionError } from '../../backend/client/relayClient';
import { RuntruthError } from '../../backend/protocol';

/** Things a person can do about an error; the edge turns each into a button. */
export type UserAction = 'signIn' | 'openSettings' | 'retry' | 'showOutput' | 'showServices';

export interface UserFacingError {
  message: string;
  actions: UserAction[];
  /** The wire error code, or 'unreachable' / 'local'. */
  code: string;
  /** Whether retrying by itself can help (the connection manager keeps trying these). */
  transient: boolean;
}

/** Thrown when an action needs the relay and there is no session; carries what the user can do about it. */
export class NotConnectedError extends Error {
  override name = 'NotConnectedError';
  constructor(
    message: string,
    readonly actions: UserAction[],
  ) {
    super(message);
  }
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Turns any failure into one sentence and the actions that fix it. Never includes the token. */
export function describeError(error: unknown, relay: string): UserFacingError {
  if (error instanceof RuntruthError) {
    switch (error.code) {
      case 'unauthorized':
        return { code: error.code, transient: false, actions: ['signIn'], message: `The relay at ${relay} refused the token (${error.message}). Sign in with a valid token.` };
      case 'forbidden':
        return { code: error.code, transient: false, actions: ['signIn'], message: `Not allowed: ${error.message}. Sign in with a token that has the operator role.` };
      case 'unsupported_protocol':
        return { code: error.code, transient: false, actions: ['openSettings'], message: `The relay at ${relay} speaks a different protocol version: ${error.message}. Update Runtruth or the relay.` };
      case 'no_such_service':
        return { code: error.code, transient: false, actions: ['showServices', 'openSettings'], message: `${error.message}.` };
      case 'rate_limited':
      case 'internal':
        return { code: error.code, transient: true, actions: ['retry', 'showOutput'], message: `The relay could not do that: ${error.message}` };
      default:
        return { code: error.code, transient: false, actions: [], message: error.message };
    }
  }
  if (error instanceof NotConnectedError) return { code: 'local', transient: false, actions: error.actions, message: error.message };
  if (error instanceof RelayConnectionError) {
    return { code: 'unreachable', transient: true, actions: ['retry', 'openSettings'], message: `Cannot reach the Runtruth relay: ${error.message}. Is it running, and is runtruth.relay right?` };
  }
  return { code: 'local', transient: false, actions: ['showOutput'], message: errorText(error) };
}

/** A relay URL problem, checked before dialling; undefined when it is usable. */
export function relayUrlProblem(relay: string): string | undefined {
  try {
    const url = new URL(relay);
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return `runtruth.relay must start with ws:// or wss://, not ${url.protocol}//`;
    return undefined;
  } catch {
    return `runtruth.relay is not a URL: "${relay}" (expected e.g. ws://127.0.0.1:7070)`;
  }
}
