// Every binary file a page fetches from public/models/ is named, with its sha256, by the index the
// page reads first (manifest.json, saes.json, checkpoints.json): src/ml checks the bytes against
// that hash and caches them under it, so a retrained file never reaches a returning reader stale.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest, modelFiles } from '../../../src/ml/manifest';
import { parseSaeIndex } from '../../../src/widgets/sae-lab/sae-index';
import { parseReplay } from '../../../src/widgets/grokking/checkpoints';
import { committedFile } from '../../support/committed';
import { ROOT } from './support';

const MODELS = join(ROOT, 'public/models');
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const json = (path: string): unknown => JSON.parse(readFileSync(committedFile(path), 'utf8'));

/** Every file the indexes name, with the hash they give: folder → path → sha256. */
function hashedFiles(): Map<string, Map<string, string | null>> {
  const named = new Map<string, Map<string, string | null>>();
  const add = (folder: string, path: string, hash: string | null) =>
    named.set(folder, (named.get(folder) ?? new Map()).set(path, hash));
  for (const folder of ['tiny-lm', 'attn-only-2l', 'modadd']) {
    const manifest = parseManifest(json(`public/models/${folder}/manifest.json`));
    for (const file of modelFiles(manifest)) add(folder, file.path, file.sha256);
  }
  const saes = parseSaeIndex(json('public/models/tiny-lm-saes/saes.json'));
  for (const file of [saes.eval, saes.train, saes.unembed, saes.train_step, ...saes.saes])
    add('tiny-lm-saes', file.file, file.sha256);
  const replay = parseReplay(json('public/models/modadd/checkpoints.json'));
  add('modadd', replay.weights.file, replay.weights.sha256);
  return named;
}

describe('the files under public/models', () => {
  const named = hashedFiles();

  it('that are not JSON are each named by an index, with a sha256', () => {
    const unnamed: string[] = [];
    for (const folder of readdirSync(MODELS)) {
      for (const file of readdirSync(join(MODELS, folder))) {
        if (file.endsWith('.json')) continue;
        if (!named.get(folder)?.get(file)) unnamed.push(`${folder}/${file}`);
      }
    }
    expect(unnamed).toEqual([]);
  });

  it('match the sha256 their index gives', () => {
    const wrong: string[] = [];
    for (const [folder, files] of named) {
      for (const [path, hash] of files) {
        const actual = sha256(committedFile(`public/models/${folder}/${path}`));
        if (hash !== null && actual !== hash) wrong.push(`${folder}/${path}`);
      }
    }
    expect(wrong).toEqual([]);
    expect([...named.values()].reduce((n, files) => n + files.size, 0)).toBeGreaterThan(20);
  });
});
