import { pathToFileURL } from 'node:url';
import type { SnapshotFrame } from '../../backend/protocol/evidence';
import type { InlineSnapshot } from '../channel';
import { displayName } from '../engine/breakpointEngine';
import type { ScriptRegistry } from '../engine/scriptRegistry';
import type { SourceMapRegistry } from '../sourcemap/sourceMaps';
import { fitToBytes } from './fit';
import type { SnapshotEvidenceItem } from './snapshotCapturer';

/**
 * Turns an injected snapshot from the hook into snapshot evidence, in the worker (off the program's thread):
 * stack frames mapped to original positions through source maps, the top frame's locals attached, the whole
 * item fitted to the probe's byte limit.
 */
export function inlineSnapshotEvidence(snap: InlineSnapshot, scripts: ScriptRegistry, maps: SourceMapRegistry): SnapshotEvidenceItem {
  const frames: SnapshotFrame[] = snap.stack.map((f) => {
    const script = scriptOf(f.file, scripts);
    const mapped = script ? maps.originalPosition(script.scriptId, f.line, f.column) : f.file ? maps.originalPositionInFile(asFileUrl(f.file), f.line, f.column) : undefined;
    const where = mapped ?? { file: displayName(f.file || '(eval)'), line: f.line, column: f.column };
    return { function: f.functionName || '(anonymous)', file: where.file, line: where.line, ...(where.column ? { column: where.column } : {}) };
  });
  if (frames[0]) frames[0].locals = snap.locals;
  const item: SnapshotEvidenceItem = {
    kind: 'snapshot',
    probeId: snap.probeId,
    at: new Date(snap.at).toISOString(),
    frames,
    ...(snap.watches.length ? { watches: snap.watches } : {}),
    ...(snap.truncated ? { truncated: true } : {}),
    pauseMs: Math.round(snap.pauseMs * 1000) / 1000,
  };
  return fitToBytes(item, snap.maxBytes);
}

/**
 * Local files on the snapshot's stack that the session has not reported (loaded while the Debugger domain was off)
 * and whose source map was not looked for yet: read them (SourceMapRegistry.mapFile) before building the evidence.
 */
export function unreportedFiles(snap: InlineSnapshot, scripts: ScriptRegistry, maps: SourceMapRegistry): string[] {
  const urls = new Set<string>();
  for (const f of snap.stack) {
    if (!f.file || scriptOf(f.file, scripts)) continue;
    const url = asFileUrl(f.file);
    if (url.startsWith('file://') && !maps.triedFile(url)) urls.add(url);
  }
  return [...urls];
}

function scriptOf(file: string, scripts: ScriptRegistry) {
  return file ? (scripts.byUrl(file) ?? scripts.byUrl(asFileUrl(file))) : undefined;
}

function asFileUrl(file: string): string {
  try {
    return file.startsWith('/') ? pathToFileURL(file).href : file;
  } catch {
    return file;
  }
}
