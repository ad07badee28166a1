/**
 * The intervention semantics hold on every published model, not just the random test model:
 * patching every clean activation at blocks.0.hook_resid_pre into the corrupted run gives the clean
 * logits, and adding zero everywhere changes nothing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zeros, type HookedModel } from '../../../src/ml';
import { maxAbsDiff } from '../../../src/ml/tensor';
import { COMMITTED_MODELS, committedFile } from '../../support/committed';
import { ROOT, loadFromDisk } from './support';

const dir = join(ROOT, 'public/models');
for (const name of COMMITTED_MODELS) committedFile(`public/models/${name}/manifest.json`);
const published = readdirSync(dir).filter((name) => existsSync(join(dir, name, 'manifest.json')));

describe.each(published)('interventions on %s', (name) => {
  let model: HookedModel;
  let clean: number[];
  let corrupted: number[];
  beforeAll(async () => {
    model = await loadFromDisk(name);
    // Two prompts that differ in one token, within the vocabulary and context of any model.
    const n = Math.min(model.config.n_ctx, 3);
    clean = Array.from({ length: n }, (_, i) => (i * 7 + 1) % model.config.d_vocab);
    corrupted = clean.map((t, i) => (i === 0 ? (t + 1) % model.config.d_vocab : t));
  });
  afterAll(() => model?.release());

  it('gives the clean logits when every clean blocks.0.hook_resid_pre is patched into the corrupted run', async () => {
    const hook = 'blocks.0.hook_resid_pre';
    const cleanRun = await model.runWithCache(clean, [hook]);
    const corruptedRun = await model.runWithCache(corrupted);
    expect(maxAbsDiff(cleanRun.logits, corruptedRun.logits)).toBeGreaterThan(1e-3);
    const patched = await model.runWithInterventions(corrupted, [
      { hook, kind: 'patch', value: cleanRun.cache.get(hook)! },
    ]);
    expect(maxAbsDiff(patched.logits, cleanRun.logits)).toBeLessThan(1e-4);
  });

  it('changes nothing when zero is added at every intervention hook', async () => {
    const plain = await model.runWithCache(clean);
    const added = await model.runWithInterventions(
      clean,
      model.interventionHookNames.map((hook) => ({
        hook,
        kind: 'add' as const,
        value: zeros([1]),
      })),
    );
    expect(maxAbsDiff(added.logits, plain.logits)).toBe(0);
  });
});
