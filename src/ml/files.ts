/**
 * Fetching model files: progress while downloading, integrity checked against the manifest's
 * sha256, kept in Cache Storage so that a second visit (or an offline one) needs no network.
 * Uses only web APIs (fetch, Cache Storage, crypto.subtle), so it runs in pages, workers and Node.
 */
import { ModelFileCorruptError, ModelFileMissingError } from './errors';
import type { ModelFile } from './manifest';

/** Download progress of one file. `total` is null when neither manifest nor server knows it. */
export interface FileProgress {
  readonly file: string;
  readonly loaded: number;
  readonly total: number | null;
  /** True when the bytes came from Cache Storage. */
  readonly cached: boolean;
}

export interface FileFetchOptions {
  /** Cache Storage cache name; null disables caching. Default 'residual-models-v1'. */
  readonly cacheName?: string | null;
  readonly onProgress?: (progress: FileProgress) => void;
  readonly signal?: AbortSignal;
}

const DEFAULT_CACHE = 'residual-models-v1';

async function openCache(options: FileFetchOptions): Promise<Cache | null> {
  const name = options.cacheName === undefined ? DEFAULT_CACHE : options.cacheName;
  if (name === null || typeof caches === 'undefined') return null;
  try {
    return await caches.open(name);
  } catch {
    return null; // Cache Storage can be unavailable (private browsing, quota): just download.
  }
}

/** Hex SHA-256 of some bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function readWithProgress(
  response: Response,
  file: string,
  expectedBytes: number | null,
  onProgress: FileFetchOptions['onProgress'],
): Promise<Uint8Array> {
  const header = Number(response.headers.get('content-length'));
  // A compressed transfer reports the compressed length, so prefer the manifest's size.
  const total = expectedBytes ?? (Number.isFinite(header) && header > 0 ? header : null);
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    onProgress?.({ file, loaded: bytes.length, total, cached: false });
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  onProgress?.({ file, loaded, total, cached: false });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.({ file, loaded, total, cached: false });
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** Why `bytes` are not the file the manifest describes, or null when they are. */
export async function integrityProblem(
  bytes: Uint8Array,
  expected: ModelFile,
): Promise<string | null> {
  if (expected.bytes !== null && bytes.length !== expected.bytes) {
    return `${expected.path} has ${bytes.length} bytes, the manifest says ${expected.bytes}`;
  }
  // crypto.subtle exists only in secure contexts (https, localhost); elsewhere the size check
  // above is all we can do.
  if (expected.sha256 !== null && globalThis.crypto?.subtle) {
    const actual = await sha256Hex(bytes);
    if (actual !== expected.sha256) {
      return `${expected.path} has sha256 ${actual.slice(0, 12)}…, the manifest says ${expected.sha256.slice(0, 12)}…`;
    }
  }
  return null;
}

/**
 * Fetches `expected.path` relative to `baseUrl`, checked against the manifest. Served from
 * Cache Storage when a good copy is there; a bad cached copy is dropped and downloaded again.
 * Throws ModelFileMissingError (not found / offline) or ModelFileCorruptError (wrong bytes).
 */
export async function fetchModelFile(
  baseUrl: string,
  expected: ModelFile,
  options: FileFetchOptions = {},
): Promise<Uint8Array> {
  const url = new URL(expected.path, baseUrl).href;
  const cache = await openCache(options);
  // The sha256 in the key means a new model version never reads an old cached file.
  const key = expected.sha256 ? `${url}?sha256=${expected.sha256}` : url;
  if (cache) {
    const hit = await cache.match(key);
    if (hit) {
      const bytes = new Uint8Array(await hit.arrayBuffer());
      if ((await integrityProblem(bytes, expected)) === null) {
        options.onProgress?.({
          file: expected.path,
          loaded: bytes.length,
          total: bytes.length,
          cached: true,
        });
        return bytes;
      }
      await cache.delete(key);
    }
  }

  let response: Response;
  try {
    response = await fetch(url, { signal: options.signal ?? null });
  } catch (cause) {
    throw new ModelFileMissingError(
      `could not download ${expected.path} (offline?)`,
      expected.path,
      {
        cause,
      },
    );
  }
  if (!response.ok) {
    throw new ModelFileMissingError(
      `could not download ${expected.path}: HTTP ${response.status}`,
      expected.path,
    );
  }
  const bytes = await readWithProgress(response, expected.path, expected.bytes, options.onProgress);
  const problem = await integrityProblem(bytes, expected);
  if (problem !== null) throw new ModelFileCorruptError(problem, expected.path);
  if (cache) {
    try {
      await cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>));
    } catch {
      // Quota exceeded: the model still runs, it is just downloaded again next time.
    }
  }
  return bytes;
}

/**
 * Fetches a small JSON file (manifest). Network first so that a new model version is seen at
 * once; the cached copy is used when offline.
 */
export async function fetchJson(url: string, options: FileFetchOptions = {}): Promise<unknown> {
  const cache = await openCache(options);
  const file = url.slice(url.lastIndexOf('/') + 1);
  let response: Response | undefined;
  try {
    response = await fetch(url, { signal: options.signal ?? null, cache: 'no-cache' });
  } catch (cause) {
    response = (await cache?.match(url)) ?? undefined;
    if (!response)
      throw new ModelFileMissingError(`could not download ${file} (offline?)`, file, { cause });
  }
  if (!response.ok) {
    const cached = await cache?.match(url);
    if (!cached)
      throw new ModelFileMissingError(`could not download ${file}: HTTP ${response.status}`, file);
    response = cached;
  }
  const text = await response.clone().text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ModelFileCorruptError(`${file} is not valid JSON`, file, { cause });
  }
  if (cache) {
    try {
      await cache.put(url, new Response(text, { headers: { 'content-type': 'application/json' } }));
    } catch {
      // ignore quota errors, as above
    }
  }
  return json;
}
