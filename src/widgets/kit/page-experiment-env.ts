/**
 * The ExperimentEnv (experiment-card.ts) of a page: models through the page's shared loader
 * (page-models.ts), files through src/ml's fetchers, so that everything an experiment card reads
 * lands in, and is read from, the same Cache Storage entries the widgets and "Make widgets
 * available offline" use (JSON by URL, a hashed binary by URL and sha256).
 */
import { fetchJson, fetchModelFile } from '../../ml';
import type { ExperimentEnv } from './experiment-card';
import { modelFolderUrl } from './model-url';
import { pageModel } from './page-models';

/** The page's env; every call shares the page's models. */
export function pageExperimentEnv(): ExperimentEnv {
  return {
    model: (name, onProgress) => pageModel(name, onProgress),
    json: (model, path) => fetchJson(new URL(path, modelFolderUrl(model)).href),
    bytes: (model, path, sha256) =>
      fetchModelFile(modelFolderUrl(model), { path, sha256, bytes: null }),
  };
}
