/**
 * Loading a model's files: one path for the page and for Node. A ModelSource says how bytes are
 * read — over HTTP with Cache Storage in the page (httpSource), from disk or memory in Node
 * (readSource) — and readModelParts does the rest the same way for both: read and check the
 * manifest, read every file it names against its sha256 and size, parse the tokenizer, and leave
 * the backward graph to be read when gradients are first needed.
 */
import { ManifestError, ModelFileCorruptError } from './errors';
import {
  fetchJson,
  fetchModelFile,
  integrityProblem,
  type FileFetchOptions,
  type FileProgress,
} from './files';
import { parseManifest, parseTokenizerSpec, type Manifest, type ModelFile } from './manifest';
import { Tokenizer } from './tokenizer';

export interface LoadProgress {
  readonly stage: 'manifest' | 'download' | 'session' | 'ready';
  /** 0..1 over the whole load (downloads weigh most). */
  readonly fraction: number;
  readonly file?: FileProgress;
}

/** Where a model's files come from; everything after reading the bytes is shared. */
export interface ModelSource {
  /** The parsed JSON of a file in the model's folder (manifest.json). */
  json(path: string): Promise<unknown>;
  /** The bytes of a file the manifest names, checked against its sha256 and size. */
  bytes(file: ModelFile, onProgress?: (progress: FileProgress) => void): Promise<Uint8Array>;
}

/** The page's source: files under `modelUrl`, fetched through Cache Storage under their sha256. */
export function httpSource(modelUrl: string, options: FileFetchOptions = {}): ModelSource {
  return {
    json: (path) => fetchJson(new URL(path, modelUrl).href, options),
    bytes: (file, onProgress) =>
      fetchModelFile(modelUrl, file, { ...options, ...(onProgress && { onProgress }) }),
  };
}

/** Node's source (tests, benchmarks): `read(path)` gives a file of the model's folder. */
export function readSource(read: (path: string) => Uint8Array | Promise<Uint8Array>): ModelSource {
  return {
    json: async (path) => JSON.parse(new TextDecoder().decode(await read(path))),
    async bytes(file, onProgress) {
      const bytes = await read(file.path);
      const problem = await integrityProblem(bytes, file);
      if (problem !== null) throw new ModelFileCorruptError(problem, file.path);
      onProgress?.({ file: file.path, loaded: bytes.length, total: bytes.length, cached: true });
      return bytes;
    },
  };
}

/** Everything a HookedModel is built from. */
export interface ModelParts {
  readonly manifest: Manifest;
  readonly tokenizer: Tokenizer;
  readonly forward: Uint8Array;
  /** The graph without intervention inputs, when the model has one. */
  readonly plain: Uint8Array | null;
  /** The weights file the graphs share, when they keep their weights apart. */
  readonly weights: Uint8Array | null;
  /** Reads the backward graph (null: the model has none); called on the first gradient. */
  readonly backward: (() => Promise<Uint8Array>) | null;
  /** Reads the prefix graph (null: the model has none); called on the first patching sweep. */
  readonly prefix?: (() => Promise<Uint8Array>) | null;
  /** Reads the attribution graph (null: the model has none); called on the first attribution. */
  readonly attribution?: (() => Promise<Uint8Array>) | null;
}

/**
 * Reads a model's manifest and every file the forward pass needs from `source`, reporting
 * progress (the manifest, then downloads up to 0.9). Throws ModelFileMissingError,
 * ModelFileCorruptError or ManifestError with a readable message.
 */
export async function readModelParts(
  source: ModelSource,
  report?: (progress: LoadProgress) => void,
): Promise<ModelParts> {
  report?.({ stage: 'manifest', fraction: 0 });
  const manifest = parseManifest(await source.json('manifest.json'));
  const tokenizerFile = manifest.files.tokenizer ?? {
    path: 'tokenizer.json',
    sha256: null,
    bytes: null,
  };
  const { forward, plain, weights, backward, prefix, attribution } = manifest.files;
  const files = [forward, tokenizerFile, plain, weights].filter((f): f is ModelFile => !!f);
  const loaded = new Map<string, number>();
  const totalBytes = files.reduce((s, f) => s + (f.bytes ?? 0), 0);
  const read = (file: ModelFile) =>
    source.bytes(file, (p) => {
      loaded.set(p.file, p.loaded);
      const done = [...loaded.values()].reduce((s, n) => s + n, 0);
      report?.({
        stage: 'download',
        fraction: totalBytes > 0 ? Math.min(0.9, (0.9 * done) / totalBytes) : 0,
        file: p,
      });
    });
  const [forwardBytes, tokenizerBytes, ...rest] = await Promise.all(files.map(read));
  const plainBytes = plain ? rest.shift()! : null;
  const weightsBytes = weights ? rest.shift()! : null;
  let tokenizerJson: unknown;
  try {
    tokenizerJson = JSON.parse(new TextDecoder().decode(tokenizerBytes));
  } catch (cause) {
    throw new ManifestError('tokenizer.json is not valid JSON', tokenizerFile.path, { cause });
  }
  return {
    manifest,
    tokenizer: new Tokenizer(parseTokenizerSpec(tokenizerJson)),
    forward: forwardBytes!,
    plain: plainBytes,
    weights: weightsBytes,
    backward: backward ? () => source.bytes(backward) : null,
    prefix: prefix ? () => source.bytes(prefix) : null,
    attribution: attribution ? () => source.bytes(attribution) : null,
  };
}
