import { createHash } from 'node:crypto';

/**
 * sha256 of a document's text, recorded when a probe is placed. The wire protocol has no field for it yet, so
 * the extension keeps it locally and tells the user when the file changed since the probe was placed (the
 * probe's line may then no longer be the line they meant on the deployed code).
 */
export function contentHash(text: string): string {
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;
}
