/**
 * WebSocket close codes the relay uses (4000-4999 is the application range). They mirror HTTP statuses
 * so a peer can tell "fix your config" (4401, 4403, 4426) from "reconnect" (4409, 1001, 1013).
 */
export const CloseCode = {
  /** The relay is shutting down. */
  goingAway: 1001,
  /** Outbound buffer far past its limit: the peer is not reading. */
  tooSlow: 1013,
  internal: 1011,
  /** First message was not a hello, or the hello was refused for another reason. */
  handshake: 4400,
  /** Unknown, revoked or expired token / agent key. */
  unauthorized: 4401,
  forbidden: 4403,
  /** No hello within the handshake timeout. */
  handshakeTimeout: 4408,
  /** The same instance connected again; the newer connection wins. */
  replaced: 4409,
  unsupportedProtocol: 4426,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Closes that retrying cannot fix: the peer's configuration (credential, protocol version) must change first. */
const PERMANENT: ReadonlySet<number> = new Set<number>([CloseCode.unauthorized, CloseCode.forbidden, CloseCode.unsupportedProtocol]);

/** Whether a peer closed with `code` should reconnect (with backoff). 4409 means a newer connection took over: don't fight it. */
export function shouldReconnect(code: number): boolean {
  return !PERMANENT.has(code) && code !== CloseCode.replaced;
}
