import fs from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Source maps larger than this are not loaded (a probe in such a script binds by its generated lines only). */
export const MAX_SOURCE_MAP_BYTES = 32 * 1024 * 1024;

export interface RawSourceMap {
  /** The map's JSON text. */
  json: string;
  /** Where the map lives: its sources resolve against this (the script's URL for inline maps). */
  mapUrl: string;
}

/** Thrown for a map that cannot be read; its message goes to the agent's log. */
export class SourceMapUnavailable extends Error {
  override name = 'SourceMapUnavailable';
}

/**
 * Reads the source map a script points at: an inline `data:` URL, or a file next to (or relative to) the script.
 * Only local files are read: the agent never fetches http(s) maps from inside a production process.
 */
export async function loadSourceMap(scriptUrl: string, sourceMapURL: string, readFile = (path: string) => fs.readFile(path, 'utf8')): Promise<RawSourceMap> {
  if (sourceMapURL.startsWith('data:')) return { json: decodeDataUrl(sourceMapURL), mapUrl: scriptUrl };
  let mapUrl: URL;
  try {
    mapUrl = new URL(sourceMapURL, baseOf(scriptUrl));
  } catch {
    throw new SourceMapUnavailable(`cannot resolve source map "${sourceMapURL}" against ${scriptUrl}`);
  }
  if (mapUrl.protocol !== 'file:') throw new SourceMapUnavailable(`source map ${mapUrl.href} is not a local file; only file and inline maps are read`);
  const path = fileURLToPath(mapUrl);
  const stat = await fs.stat(path).catch((e: Error) => {
    throw new SourceMapUnavailable(`cannot read source map ${path}: ${e.message}`);
  });
  if (stat.size > MAX_SOURCE_MAP_BYTES) throw new SourceMapUnavailable(`source map ${path} is ${stat.size} bytes, over the ${MAX_SOURCE_MAP_BYTES} limit`);
  return { json: await readFile(path), mapUrl: mapUrl.href };
}

/** Scripts loaded from plain paths (CommonJS on some platforms) still resolve relative maps as file URLs. */
function baseOf(scriptUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(scriptUrl) && !/^[A-Za-z]:[\\/]/.test(scriptUrl)) return scriptUrl;
  return pathToFileURL(scriptUrl).href;
}

function decodeDataUrl(url: string): string {
  const comma = url.indexOf(',');
  if (comma < 0) throw new SourceMapUnavailable('malformed data: URL source map');
  const meta = url.slice(5, comma);
  const body = url.slice(comma + 1);
  if (body.length > MAX_SOURCE_MAP_BYTES * 1.4) throw new SourceMapUnavailable('inline source map over the size limit');
  return meta.split(';').includes('base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
}
