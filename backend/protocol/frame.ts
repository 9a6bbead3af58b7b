import { z } from 'zod';
import { describeIssues, RuntruthError } from './errors';
import { MAX_FRAME_BYTES } from './messages';

/**
 * Decodes one WebSocket frame against a schema. Never throws anything but a RuntruthError with a wire code,
 * so every receiver can answer a bad frame with a typed error and carry on.
 */
export function decodeFrame<S extends z.ZodType>(schema: S, data: unknown, isBinary = false, seen?: { json?: unknown }): z.infer<S> {
  if (isBinary) throw new RuntruthError('bad_message', 'binary frames are not part of the protocol; send JSON text');
  const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data instanceof ArrayBuffer ? Buffer.from(data).toString('utf8') : undefined;
  if (text === undefined) throw new RuntruthError('bad_message', 'frame is not text');
  if (Buffer.byteLength(text) > MAX_FRAME_BYTES) throw new RuntruthError('too_large', `frame exceeds ${MAX_FRAME_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RuntruthError('bad_message', 'frame is not valid JSON');
  }
  // handed back so a receiver can look at a failed frame (its type, its request id) without parsing it again
  if (seen) seen.json = json;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const type = json && typeof json === 'object' && 'type' in json ? String((json as { type: unknown }).type).slice(0, 64) : undefined;
    throw new RuntruthError('bad_message', `invalid ${type ? `'${type}' ` : ''}message: ${describeIssues(parsed.error)}`, parsed.error.issues.slice(0, 10));
  }
  return parsed.data;
}

/** The request id of a frame that failed validation, when one can be read, so the error reply can echo it. */
export function peekRequestId(data: unknown): string | undefined {
  try {
    return requestIdOf(JSON.parse(String(data)));
  } catch {
    return undefined;
  }
}

/** The request id of an already-parsed frame, when it has a usable one. */
export function requestIdOf(json: unknown): string | undefined {
  const id = json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length <= 128 ? id : undefined;
}
