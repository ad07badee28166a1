/**
 * What tiny-lm's experiment cards (src/widgets/kit/experiment-card.ts) draw their fresh settings
 * from: the held-out prompt sets of eval-sets.json and the model's layer count, read through the
 * card's ExperimentEnv (no model run), and a seeded pick from a list.
 */
import { z } from 'zod';
import type { ExperimentEnv } from '../kit/experiment-card';
import { parseEvalSets, type EvalSets } from './tasks';
import { TINY_LM } from './load';

/** tiny-lm's held-out sets; throws a readable error when eval-sets.json is not their shape. */
export async function heldOutSets(env: ExperimentEnv): Promise<EvalSets> {
  const sets = parseEvalSets(await env.json(TINY_LM, 'eval-sets.json'));
  if (!sets) throw new Error(`${TINY_LM}/eval-sets.json is not the held-out sets' shape`);
  return sets;
}

const layerCount = z.object({ config: z.object({ n_layers: z.number().int().positive() }) });

/** tiny-lm's number of blocks, from its manifest. */
export async function tinyLmLayers(env: ExperimentEnv): Promise<number> {
  return layerCount.parse(await env.json(TINY_LM, 'manifest.json')).config.n_layers;
}

/** One item of `items`, chosen by `random` (a mulberry32 stream); throws on an empty list. */
export function pick<T>(items: readonly T[], random: () => number): T {
  if (items.length === 0) throw new RangeError('nothing to draw from');
  return items[Math.floor(random() * items.length)]!;
}
