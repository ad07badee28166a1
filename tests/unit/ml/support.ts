/** Loading fixture models from disk for the Node (WASM) tests of src/ml. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HookedModel, type Tensor } from '../../../src/ml';

export const ROOT = join(import.meta.dirname, '../../..');

/** A model folder: public/models/<name> for the real models, a fixture folder otherwise. */
export function modelDir(name: string): string {
  const published = join(ROOT, 'public/models', name);
  return existsSync(join(published, 'manifest.json'))
    ? published
    : join(ROOT, 'tests/fixtures/models', name);
}

export function fixtureDir(name: string): string {
  return join(ROOT, 'tests/fixtures/models', name);
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * Loads a model's files from disk (every file its manifest names: graphs, shared weights,
 * tokenizer) into a HookedModel on the WASM backend.
 */
export async function loadFromDisk(name: string): Promise<HookedModel> {
  const dir = modelDir(name);
  return HookedModel.fromFiles((p) => new Uint8Array(readFileSync(join(dir, p))), {
    backend: 'wasm',
  });
}

/** A float32 array stored in a fixtures.bin, referenced from fixtures.json. */
export interface ArrayRef {
  offset: number;
  shape: number[];
}

export interface FixtureCase {
  id: string;
  tokens: number[][];
  logits: ArrayRef;
  hooks?: Record<string, ArrayRef>;
  interventions?: Record<string, { patch_mask?: ArrayRef; patch_value?: ArrayRef; add?: ArrayRef }>;
  logit_grad?: ArrayRef;
  grads?: Record<string, ArrayRef>;
}

export interface Fixtures {
  name: string;
  tolerance: number;
  binary: string;
  cases: FixtureCase[];
  tokenizer: { text: string; ids: number[]; tokens: string[] }[];
}

/** Golden fixtures of a model (models/lab/fixtures.py) with a reader for its binary arrays. */
export function readFixtures(name: string): { index: Fixtures; array: (ref: ArrayRef) => Tensor } {
  const dir = fixtureDir(name);
  const index = readJson(join(dir, 'fixtures.json')) as Fixtures;
  const blob = readFileSync(join(dir, index.binary));
  const array = (ref: ArrayRef): Tensor => {
    const n = ref.shape.reduce((a, b) => a * b, 1);
    const view = new DataView(blob.buffer, blob.byteOffset + ref.offset, n * 4);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(i * 4, true);
    return { data, dims: ref.shape };
  };
  return { index, array };
}

/** Names of fixture folders that hold golden fixtures (fixtures.json). */
export function fixtureModels(): string[] {
  const root = join(ROOT, 'tests/fixtures/models');
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'fixtures.json')))
    .map((d) => d.name);
}
