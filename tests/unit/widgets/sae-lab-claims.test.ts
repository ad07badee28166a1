/**
 * The shipped SAEs (public/models/tiny-lm-saes/) measured in Node, through src/ml (WASM) and the
 * widget's own code, on the committed tiny-lm: every file is the one saes.json describes, and
 * each SAE's sparsity, reconstruction and loss recovered are what its model card says.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HookedModel } from '../../../src/ml';
import { saeFromBytes } from '../../../src/widgets/sae-lab/sae';
import {
  evaluateSae,
  harvest,
  splicedLoss,
  type Harvest,
} from '../../../src/widgets/sae-lab/sae-eval';
import {
  parseSaeIndex,
  parseTokenRows,
  type SaeIndex,
} from '../../../src/widgets/sae-lab/sae-index';
import { loadFromDisk, ROOT } from '../ml/support';

const DIR = join(ROOT, 'public/models/tiny-lm-saes');
const index: SaeIndex = parseSaeIndex(JSON.parse(readFileSync(join(DIR, 'saes.json'), 'utf8')));
const bytesOf = (file: string) => new Uint8Array(readFileSync(join(DIR, file)));

let model: HookedModel;
let data: Harvest;
let zeroLoss: number;

beforeAll(async () => {
  model = await loadFromDisk('tiny-lm');
  const rows = parseTokenRows(
    JSON.parse(readFileSync(join(DIR, index.eval.file), 'utf8')),
    index.eval.length,
    model.config.d_vocab,
  );
  data = await harvest(model, index.hook, rows, index.bos);
  zeroLoss = await splicedLoss(model, data, null);
}, 120_000);
afterAll(() => model?.release());

describe("tiny-lm's shipped SAEs", () => {
  it('are the files saes.json describes (size and sha256)', () => {
    const files = [index.eval, index.train, index.unembed, index.train_step, ...index.saes];
    for (const { file, bytes, sha256 } of files) {
      const content = bytesOf(file);
      expect(content.byteLength, file).toBe(bytes);
      expect(createHash('sha256').update(content).digest('hex'), file).toBe(sha256);
    }
  });

  it('read a hook tiny-lm has, on token sets of the stated shape', () => {
    expect(model.hookNames).toContain(index.hook);
    expect(index.d_in).toBe(model.config.d_model);
    expect(data.rows.length).toBe(index.eval.sequences);
    expect(index.unembed.shape).toEqual([model.config.d_model, model.config.d_vocab]);
  });

  it.each(index.saes.map((s) => [s.id, s] as const))(
    '%s: L0, FVU, loss recovered and dead features match the model card',
    async (_, entry) => {
      const sae = saeFromBytes(entry, index.d_in, bytesOf(entry.file));
      const result = await evaluateSae(model, sae, data, zeroLoss);
      const card = entry.metrics;
      expect(result.ceClean).toBeCloseTo(card.ce_clean, 3);
      expect(result.ceZero).toBeCloseTo(card.ce_zero, 3);
      expect(Math.abs(result.l0 - card.l0)).toBeLessThan(0.01 * card.l0 + 0.05);
      expect(Math.abs(result.fvu - card.fvu)).toBeLessThan(2e-3);
      expect(Math.abs(result.lossRecovered - card.loss_recovered)).toBeLessThan(5e-3);
      expect(Math.abs(result.dead - card.dead)).toBeLessThanOrEqual(2);
      if (entry.kind === 'topk') {
        expect(result.activeRange).toEqual([entry.k, entry.k]);
        expect(card.exactly_k_fraction).toBe(1);
      }
      // An SAE worth shipping: sparse, and most of the stream's variance and loss kept.
      expect(result.l0).toBeLessThan(64);
      expect(result.fvu).toBeLessThan(0.25);
      expect(result.lossRecovered).toBeGreaterThan(0.8);
    },
    60_000,
  );
});
