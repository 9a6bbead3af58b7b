import { createHash } from 'node:crypto';

/**
 * sha256 (lowercase hex, the protocol's `contentHash`) of a document's text when a probe is placed. It goes with
 * the probe: an agent whose deployed file hashes differently reports `version_mismatch` instead of binding to
 * what may be another line; the editor also uses it to notice the file changed since.
 */
export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
