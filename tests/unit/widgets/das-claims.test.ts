/**
 * What the DAS widget claims, computed in Node (onnxruntime-web, WASM) on the committed tiny-lm
 * and public/models/tiny-lm/das.json: patching along the learned direction through the hook API
 * gives the logit differences the recipe (PyTorch) reported; the disconnected part is invisible
 * to everything after the MLP; the dormant part is exactly the share of v that W_out reads; and
 * at the illusory site the parts alone do much less than their sum.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HookedModel } from '../../../src/ml';
import {
  activationAt,
  pairResult,
  pairsResult,
  patchedLogitDiffs,
  siteActivations,
  siteDirections,
} from '../../../src/widgets/das-illusion/experiment';
import {
  norm,
  patchAlong,
  parseDasFile,
  sitePosition,
  splitByReadSpace,
  type DasFile,
  type DasSite,
} from '../../../src/widgets/das-illusion/subspace';
import { loadFromDisk, modelDir } from '../ml/support';

let model: HookedModel;
const das: DasFile = parseDasFile(
  JSON.parse(readFileSync(join(modelDir('tiny-lm'), 'das.json'), 'utf8')),
);
/** Pairs checked one by one against the recipe's numbers: all of them (about 4 s per site). */
const CHECKED = das.evalPairs.length;
/** ONNX (float32, WASM) against PyTorch (float32, CPU): different summation orders. */
const TOLERANCE = 2e-3;

beforeAll(async () => {
  model = await loadFromDisk('tiny-lm');
});
afterAll(() => model?.release());

const bySite = das.sites.map((site) => [`${site.role} (${site.hook} at ${site.position})`, site]);
const mlpOut = (site: DasSite) => site.hook.replace('mlp.hook_post', 'hook_mlp_out');

describe.each(bySite as [string, DasSite][])('the %s site', (_, site) => {
  it("reproduces the recipe's logit differences for every patch on the held-out pairs", async () => {
    for (const [k, pair] of das.evalPairs.slice(0, CHECKED).entries()) {
      const { logitDiff } = await pairResult(model, site, pair, []);
      for (const condition of Object.keys(logitDiff) as (keyof typeof logitDiff)[]) {
        const expected = site.perPair[condition][k]!;
        expect(
          Math.abs(logitDiff[condition] - expected),
          `pair ${k}, ${condition}: page ${logitDiff[condition]}, recipe ${expected}`,
        ).toBeLessThan(TOLERANCE * Math.max(1, Math.abs(expected)));
      }
    }
  });

  it('gives the same numbers for all pairs at once (batched by length) as pair by pair, and the means das.json reports', async () => {
    const all = await pairsResult(model, site, das.evalPairs);
    for (const condition of Object.keys(all.mean) as (keyof typeof all.mean)[]) {
      expect(Math.abs(all.mean[condition] - site.logitDiff[condition]), condition).toBeLessThan(
        TOLERANCE * Math.max(1, Math.abs(site.logitDiff[condition])),
      );
      all.perPair[condition].forEach((x, k) =>
        expect(Math.abs(x - site.perPair[condition][k]!), `${condition} ${k}`).toBeLessThan(
          TOLERANCE * Math.max(1, Math.abs(x)),
        ),
      );
    }
  });

  it('leaves the MLP output unchanged when patching along the disconnected part alone', async () => {
    const pair = das.evalPairs[0]!;
    const acts = await siteActivations(model, site, pair);
    const { disconnected, v } = siteDirections(site);
    const { cache } = await patchedLogitDiffs(
      model,
      site,
      pair,
      [
        acts.base,
        patchAlong(acts.base, acts.source, disconnected),
        patchAlong(acts.base, acts.source, v),
      ],
      [site.hook, mlpOut(site)],
    );
    const p = sitePosition(site, pair);
    const post = cache.get(site.hook)!;
    const out = cache.get(mlpOut(site))!;
    // The patch did change the hidden activation…
    const moved = activationAt(post, 1, p).map((x, i) => x - activationAt(post, 0, p)[i]!);
    expect(norm(moved)).toBeGreaterThan(0.05);
    // …but nothing after W_out sees it, whereas patching along v does change the output.
    const unread = activationAt(out, 1, p).map((x, i) => x - activationAt(out, 0, p)[i]!);
    const read = activationAt(out, 2, p).map((x, i) => x - activationAt(out, 0, p)[i]!);
    expect(norm(unread)).toBeLessThan(1e-4);
    expect(norm(read)).toBeGreaterThan(100 * norm(unread));
  });

  it("splits v exactly at W_out's column space, with W_out read back through the hook API", async () => {
    // Row i of W_out is the MLP output for the i-th unit hidden activation, minus the output for
    // a zero activation (b_out): one patched batch of d_mlp + 1 rows on a two-token prompt.
    const width = site.v.length;
    const tokens = [model.tokenizer.bosId ?? 0, model.tokenizer.tokenToId('When')];
    const rows = Array.from({ length: width + 1 }, () => tokens);
    const interventions = rows.map((_, r) => {
      const value = new Float32Array(width);
      if (r < width) value[r] = 1;
      return {
        hook: site.hook,
        kind: 'patch' as const,
        value: { data: value, dims: [width] },
        rows: [r],
      };
    });
    const { cache } = await model.runWithInterventions(rows, interventions, [mlpOut(site)]);
    const out = cache.get(mlpOut(site))!;
    const bias = activationAt(out, width, 1);
    const W = Array.from({ length: width }, (_, i) =>
      activationAt(out, i, 1).map((x, j) => x - bias[j]!),
    );
    const columns = Array.from(bias, (_, j) => Float32Array.from(W, (r) => r[j]!));
    const { read, unread } = splitByReadSpace(site.v, columns);
    read.forEach((x, i) => expect(Math.abs(x - site.dormant[i]!)).toBeLessThan(1e-3));
    unread.forEach((x, i) => expect(Math.abs(x - site.disconnected[i]!)).toBeLessThan(1e-3));
    expect(norm(site.dormant) ** 2).toBeCloseTo(site.fractions.dormant, 3);
  });
});

describe('the illusion', () => {
  const illusory = das.sites.find((s) => s.role === 'illusory')!;

  it('is at a site where the whole activation barely matters, yet v moves the answer', () => {
    const ld = illusory.logitDiff;
    const gap = ld.base - ld.source;
    expect(Math.abs(ld.base - ld.full)).toBeLessThan(0.05 * gap);
    expect(ld.base - ld.direction).toBeGreaterThan(2 * Math.abs(ld.base - ld.full));
  });

  it('needs both parts: each alone moves the logit difference much less than v', () => {
    const ld = illusory.logitDiff;
    const effect = (x: number) => ld.base - x;
    expect(Math.abs(effect(ld.disconnected))).toBeLessThan(0.01 * effect(ld.direction));
    expect(Math.abs(effect(ld.dormant))).toBeLessThan(0.5 * effect(ld.direction));
  });

  it('has a dormant part that is read but varies less between base and source than the disconnected part', () => {
    expect(illusory.readNorm.disconnected).toBeLessThan(1e-3);
    expect(illusory.readNorm.dormant).toBeGreaterThan(0.1);
    expect(illusory.meanAbsDeltaProjection.dormant).toBeLessThan(
      illusory.meanAbsDeltaProjection.disconnected,
    );
  });
});
