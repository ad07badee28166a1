/**
 * Names the service worker, its build step and the pages share. Paths are from the site's root;
 * the pages put them under the site's base (src/content/base.ts), the build under its folder.
 */

/**
 * Cache for onnxruntime's WASM and glue, too large to precache: the service worker stores them on
 * first use (or "make widgets available offline" does). Model files are kept by src/ml in its own
 * cache, so the service worker leaves /models/ alone and nothing is stored twice.
 */
export const WIDGET_CACHE = 'residual-widget-files';

/** Where onnxruntime's files are served (src/site/ort-assets.mjs copies them there). */
export const RUNTIME_PREFIX = '/ort/';

/** Where each model's folder is served: /models/<name>/manifest.json. */
export const MODELS_PREFIX = '/models/';

/** Written at build time: the widget files and their sizes, for "make widgets available offline". */
export const WIDGET_ASSET_LIST = '/offline-widgets.json';

export const SERVICE_WORKER_URL = '/sw.js';

/** The message a waiting service worker takes as "activate now" (Workbox's generateSW listens). */
export const SKIP_WAITING_MESSAGE = { type: 'SKIP_WAITING' } as const;

export interface WidgetAssetList {
  format: 'residual-widget-assets';
  /**
   * Every model folder: its files (paths within the folder), sizes and sha256 (measured at build,
   * the same hash the manifest, saes.json or checkpoints.json gives, so a file downloaded here
   * lands under the cache key the widget reads).
   */
  models: {
    name: string;
    bytes: number;
    files: { path: string; bytes: number; sha256: string }[];
  }[];
  /**
   * onnxruntime's files; `backend` marks a file of one ORT build, needed only where src/ml runs
   * that backend (the other build's files are never fetched there).
   */
  runtime: { url: string; bytes: number; backend?: 'wasm' | 'webgpu' }[];
  totalBytes: number;
}
