/** The logit lens over a HookedModel, through its public run methods. */
import type { HookedModel } from './hooked-model';
import { row, stack, type Tensor } from './tensor';

/**
 * Logit lens: what the model would predict from the residual stream before the first block
 * and after each block, read out through the model's own final LayerNorm and unembedding.
 * Row r of `logits` [n_layers + 1, pos, d_vocab] is the stream after r blocks (the last row is
 * the real output). One cached run plus one batched call, in which row r replaces the last
 * block's resid_post with the stream after r blocks.
 */
export async function logitLens(
  model: HookedModel,
  tokens: readonly number[],
): Promise<{ labels: string[]; logits: Tensor }> {
  const last = `blocks.${model.config.n_layers - 1}.hook_resid_post`;
  const streams = ['blocks.0.hook_resid_pre', ...model.blockHooks('hook_resid_post')];
  const { cache } = await model.runWithCache(tokens, streams);
  const value = stack(streams.map((h) => row(cache.get(h)!, 0)));
  const { logits } = await model.runWithInterventions(
    streams.map(() => tokens),
    [{ hook: last, kind: 'patch', value }],
  );
  return { labels: ['embed', ...streams.slice(1).map((_, l) => `after block ${l}`)], logits };
}
