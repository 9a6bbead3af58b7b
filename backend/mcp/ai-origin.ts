import { SecretVerifier, type TokenCheck } from '../relay/secrets';

/**
 * Tokens presented at /mcp act as AI: the identity is marked `ai`, so the relay's one authorisation rule
 * applies — probes become proposals unless the policy auto-approves them, and approving, rejecting, minting
 * tokens or changing policy are refused — and every audit entry of the session says origin `ai`.
 */
export class AiOriginVerifier extends SecretVerifier {
  override checkToken(token: string, now: Date): TokenCheck {
    const check = super.checkToken(token, now);
    return check.ok ? { ...check, identity: { ...check.identity, ai: true } } : check;
  }
}
