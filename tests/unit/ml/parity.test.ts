/**
 * onnxruntime-web (WASM, in Node) reproduces the PyTorch golden fixtures of every exported model:
 * logits and every hook, runs with interventions, and the backward graph's gradients (checked
 * against torch autograd).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HookedModel, InterventionFeed } from '../../../src/ml';
import { maxAbsDiff } from '../../../src/ml/tensor';
import { fixtureModels, loadFromDisk, readFixtures } from './support';

const TOLERANCE = 1e-4;

describe.each(fixtureModels())('%s in onnxruntime-web', (name) => {
  const { index, array } = readFixtures(name);
  let model: HookedModel;
  beforeAll(async () => {
    model = await loadFromDisk(name);
  });
  afterAll(() => model.release());

  const plain = index.cases.find((c) => c.id === 'plain')!;
  it(`reproduces the logits and all hooks within ${TOLERANCE}`, async () => {
    const hooks = Object.keys(plain.hooks!);
    expect(hooks.length).toBe(model.hookNames.length);
    const { logits, cache } = await model.runWithCache(plain.tokens, hooks);
    expect(maxAbsDiff(logits, array(plain.logits))).toBeLessThan(TOLERANCE);
    for (const hook of hooks) {
      expect(maxAbsDiff(cache.get(hook)!, array(plain.hooks![hook]!)), hook).toBeLessThan(
        TOLERANCE,
      );
    }
  });

  it(`gives the same logits and hooks through the intervention graph fed zeros`, async () => {
    // runWithCache without interventions runs the plain graph; any intervention input (here an
    // empty one for hook_embed) sends the run through model.onnx with zero interventions.
    const hooks = Object.keys(plain.hooks!);
    const viaPlain = await model.runWithCache(plain.tokens, hooks);
    const viaForward = await model.runWithHookInputs(
      plain.tokens,
      new Map([['hook_embed', {}]]),
      hooks,
    );
    expect(maxAbsDiff(viaForward.logits, array(plain.logits))).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(viaForward.logits, viaPlain.logits)).toBeLessThan(TOLERANCE);
    for (const hook of hooks) {
      expect(maxAbsDiff(viaForward.cache.get(hook)!, viaPlain.cache.get(hook)!), hook).toBeLessThan(
        TOLERANCE,
      );
    }
  });

  const intervened = index.cases.find((c) => c.id === 'interventions')!;
  it(`reproduces runs with patches, ablations and additions within ${TOLERANCE}`, async () => {
    const inputs = new Map<string, Partial<InterventionFeed>>(
      Object.entries(intervened.interventions!).map(([hook, iv]) => [
        hook,
        {
          ...(iv.patch_mask && { mask: array(iv.patch_mask) }),
          ...(iv.patch_value && { value: array(iv.patch_value) }),
          ...(iv.add && { add: array(iv.add) }),
        },
      ]),
    );
    const hooks = Object.keys(intervened.hooks!);
    const { logits, cache } = await model.runWithHookInputs(intervened.tokens, inputs, hooks);
    expect(maxAbsDiff(logits, array(intervened.logits))).toBeLessThan(TOLERANCE);
    // The interventions really changed something.
    expect(maxAbsDiff(logits, array(plain.logits))).toBeGreaterThan(1e-3);
    for (const hook of hooks) {
      expect(maxAbsDiff(cache.get(hook)!, array(intervened.hooks![hook]!)), hook).toBeLessThan(
        TOLERANCE,
      );
    }
  });

  const grad = index.cases.find((c) => c.id === 'grad');
  it.runIf(grad)(
    `reproduces torch autograd's gradient at every intervention hook within ${TOLERANCE}`,
    async () => {
      const hooks = Object.keys(grad!.grads!);
      const { logits, grads } = await model.runWithGradients(
        grad!.tokens,
        array(grad!.logit_grad!),
        hooks,
      );
      expect(maxAbsDiff(logits, array(grad!.logits))).toBeLessThan(TOLERANCE);
      for (const hook of hooks) {
        expect(maxAbsDiff(grads.get(hook)!, array(grad!.grads![hook]!)), hook).toBeLessThan(
          TOLERANCE,
        );
      }
    },
  );
});
