/**
 * "Make widgets available offline": the models and onnxruntime's files, fetched all at once with
 * progress. Every file of a model folder goes through src/ml's own fetchers, so it lands in the
 * cache, under the key, that the widgets read it from: the files a manifest names are checked
 * against its sha256; the other binary files (the SAEs, the grokking checkpoints) against the
 * sha256 the build measured, which is the one their index (saes.json, checkpoints.json) gives; JSON
 * files are keyed by URL, as widgets load them. onnxruntime's files go into WIDGET_CACHE, which
 * the service worker answers /ort/ from.
 */
import { fetchJson, fetchModelFile } from '../../ml/files';
import { modelFiles, parseManifest, type ModelFile } from '../../ml/manifest';
import { chooseBackend, type Backend } from '../../ml/runtime';
import { withBase } from '../../content/base';
import { MODELS_PREFIX, WIDGET_ASSET_LIST, WIDGET_CACHE, type WidgetAssetList } from './constants';

/** src/ml's Cache Storage cache and key scheme (see fetchModelFile in src/ml/files.ts). */
const MODEL_CACHE = 'residual-models-v1';
const modelCacheKey = (url: string, file: ModelFile) =>
  file.sha256 ? `${url}?sha256=${file.sha256}` : url;

export type PlannedFile =
  /** A binary file of a model folder: through src/ml's fetchModelFile, into its cache. */
  | { kind: 'model'; modelUrl: string; file: ModelFile; bytes: number }
  /**
   * A JSON file of a model folder other than the manifest. Widgets read an index (saes.json,
   * checkpoints.json) by URL through src/ml's fetchJson, and a data file that an index names with
   * its hash (the SAE lab's token files) through fetchModelFile: both keys are stored (the files
   * are small), so either reader finds it offline.
   */
  | { kind: 'json'; url: string; modelUrl: string; file: ModelFile; bytes: number }
  /** An onnxruntime file: into WIDGET_CACHE. */
  | { kind: 'runtime'; url: string; bytes: number };

export interface WidgetDownloadPlan {
  files: PlannedFile[];
  totalBytes: number;
  /** Bytes already in the caches. */
  cachedBytes: number;
  /** The planned files not yet in the caches. */
  missing: PlannedFile[];
}

async function isCached(planned: PlannedFile): Promise<boolean> {
  if (typeof caches === 'undefined') return false;
  if (planned.kind === 'runtime') {
    return (await (await caches.open(WIDGET_CACHE)).match(planned.url)) !== undefined;
  }
  const cache = await caches.open(MODEL_CACHE);
  const url = new URL(planned.file.path, planned.modelUrl).href;
  const byHash = (await cache.match(modelCacheKey(url, planned.file))) !== undefined;
  if (planned.kind === 'json') return byHash && (await cache.match(planned.url)) !== undefined;
  return byHash;
}

/**
 * The onnxruntime files that a browser running `backend` loads: those of its build, and those
 * every build needs.
 */
export function runtimeFilesFor(
  runtime: WidgetAssetList['runtime'],
  backend: Backend,
): WidgetAssetList['runtime'] {
  return runtime.filter((file) => file.backend === undefined || file.backend === backend);
}

/**
 * What would be downloaded and how much of it is here already: every model (or only the model
 * folders named in `models`, as an experiment card needs), and the runtime files of the backend
 * this browser's widgets run on (as src/ml chooses it). Reads the manifests from the network, or
 * from the cache when offline.
 */
export async function planWidgetDownload(
  models: readonly string[] | null = null,
): Promise<WidgetDownloadPlan> {
  const response = await fetch(withBase(WIDGET_ASSET_LIST));
  if (!response.ok) throw new Error(`the list of widget files is missing (${response.status})`);
  const list = (await response.json()) as WidgetAssetList;
  const unknown = models?.filter((name) => !list.models.some((model) => model.name === name));
  if (unknown?.length) throw new Error(`no model folder is named ${unknown.join(', ')}`);
  const files: PlannedFile[] = [];
  for (const model of list.models.filter((m) => models === null || models.includes(m.name))) {
    const modelUrl = new URL(withBase(`${MODELS_PREFIX}${model.name}/`), location.href).href;
    const named = new Set(['manifest.json']);
    const hasManifest = model.files.some((file) => file.path === 'manifest.json');
    const manifest = hasManifest
      ? parseManifest(await fetchJson(new URL('manifest.json', modelUrl).href))
      : null;
    // Every file the manifest names (graphs, their shared weights, tokenizer), checked against
    // its sha256 and kept under the key src/ml reads it from.
    for (const file of manifest ? modelFiles(manifest) : []) {
      named.add(file.path);
      // A manifest may leave out sizes: the build measured every file.
      const measured = model.files.find((candidate) => candidate.path === file.path)?.bytes;
      files.push({ kind: 'model', modelUrl, file, bytes: file.bytes ?? measured ?? 0 });
    }
    for (const extra of model.files.filter((file) => !named.has(file.path))) {
      const url = new URL(extra.path, modelUrl).href;
      const file = { path: extra.path, sha256: extra.sha256, bytes: extra.bytes };
      if (extra.path.endsWith('.json'))
        files.push({ kind: 'json', url, modelUrl, file, bytes: extra.bytes });
      else files.push({ kind: 'model', modelUrl, file, bytes: extra.bytes });
    }
  }
  for (const { url, bytes } of runtimeFilesFor(list.runtime, await chooseBackend('auto')))
    files.push({ kind: 'runtime', url: withBase(url), bytes });
  const missing: PlannedFile[] = [];
  for (const file of files) if (!(await isCached(file))) missing.push(file);
  const totalBytes = files.reduce((sum, file) => sum + file.bytes, 0);
  const cachedBytes = totalBytes - missing.reduce((sum, file) => sum + file.bytes, 0);
  return { files, totalBytes, cachedBytes, missing };
}

async function readAll(response: Response, onChunk: (bytes: number) => void): Promise<void> {
  const reader = response.body?.getReader();
  if (!reader) {
    onChunk((await response.arrayBuffer()).byteLength);
    return;
  }
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    onChunk(value.length);
  }
}

/** Downloads every planned file, reporting bytes so far out of the plan's total. */
export async function downloadWidgets(
  plan: WidgetDownloadPlan,
  onProgress: (loaded: number, total: number) => void,
): Promise<void> {
  let finished = 0;
  const report = (current: number) => onProgress(finished + current, plan.totalBytes);
  for (const planned of plan.files) {
    if (planned.kind === 'model') {
      await fetchModelFile(planned.modelUrl, planned.file, {
        onProgress: (progress) => report(Math.min(progress.loaded, planned.bytes)),
      });
    } else if (planned.kind === 'json') {
      await fetchJson(planned.url);
      await fetchModelFile(planned.modelUrl, planned.file);
    } else {
      const response = await fetch(planned.url, { cache: 'no-cache' });
      if (!response.ok)
        throw new Error(`${planned.url} could not be downloaded (${response.status})`);
      const cache = await caches.open(WIDGET_CACHE);
      let loaded = 0;
      await Promise.all([
        cache.put(planned.url, response.clone()),
        readAll(response, (bytes) => {
          loaded += bytes;
          report(Math.min(loaded, planned.bytes));
        }),
      ]);
    }
    finished += planned.bytes;
    report(0);
  }
}

/** "31.2 MB" */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(0)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
