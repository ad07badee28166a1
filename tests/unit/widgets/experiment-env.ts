/**
 * An ExperimentEnv (src/widgets/kit/experiment-card.ts) over the committed files of
 * public/models/, for running experiment cards' runners in Node (onnxruntime-web, WASM): each model
 * is loaded once per test file, and a binary file is refused when its sha256 is not the one named.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HookedModel } from '../../../src/ml';
import type { ExperimentEnv } from '../../../src/widgets/kit/experiment-card';
import { loadFromDisk, ROOT } from '../ml/support';

/** A fresh env: models load on first use and are kept for the env's life. */
export function diskExperimentEnv(): ExperimentEnv {
  const models = new Map<string, Promise<HookedModel>>();
  const file = (model: string, path: string) => join(ROOT, 'public/models', model, path);
  return {
    model(name) {
      let loading = models.get(name);
      if (!loading) {
        loading = loadFromDisk(name);
        models.set(name, loading);
      }
      return loading;
    },
    json: async (model, path) => JSON.parse(readFileSync(file(model, path), 'utf8')) as unknown,
    bytes: async (model, path, sha256) => {
      const bytes = new Uint8Array(readFileSync(file(model, path)));
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (actual !== sha256) throw new Error(`${model}/${path}: sha256 ${actual}, not ${sha256}`);
      return bytes;
    },
  };
}
