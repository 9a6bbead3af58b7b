import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { InspectorClient } from '../inspectorClient';
import type { Resolution } from './locator';
import { displayPath, type SourceMapRegistry } from './sourceMaps';

/** The deployed text of the file a probe resolved to: the original source for mapped probes, else the script. */
export async function deployedText(
  resolution: Extract<Resolution, { kind: 'direct' | 'mapped' }>,
  deps: { client: InspectorClient; maps: SourceMapRegistry },
): Promise<string | undefined> {
  if (resolution.kind === 'mapped') {
    const { mapped, source } = resolution;
    return deps.maps.contentOf(mapped, source) ?? (source.startsWith('file://') ? readTextFile(displayPath(source)) : undefined);
  }
  const { url, scriptId } = resolution.script;
  // the file on disk is what the editor hashed; V8's copy may carry a wrapper or a stripped shebang
  const fromDisk = url.startsWith('file://') ? readTextFile(safePath(url)) : undefined;
  if (fromDisk !== undefined) return fromDisk;
  try {
    return (await deps.client.post('Debugger.getScriptSource', { scriptId })).scriptSource;
  } catch {
    return undefined;
  }
}

/** Whether `text` is what the editor hashed: sha256 of the text as is, or with CRLF line ends made LF (either side). */
export function matchesContentHash(text: string, contentHash: string): boolean {
  const want = contentHash.toLowerCase();
  const lf = text.replace(/\r\n/g, '\n');
  return sha256(text) === want || sha256(lf) === want || sha256(lf.replace(/\n/g, '\r\n')) === want;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A file's text, or undefined when it cannot be read. Small, rare reads (probe placement): sync is fine in the worker. */
export function readTextFile(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function safePath(url: string): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}
