/**
 * One experiment per widget, built the way each widget builds it (its own presets, tiny-lm's or
 * attn-only-2l's real tokenizer), for the notebook tests. `prompts` and `positions` are what the
 * widget used, which the notebook's EXPERIMENT dict must repeat.
 */
import { readFileSync } from 'node:fs';
import { Tokenizer } from '../../../src/ml';
import type { Experiment } from '../../../src/notebook/experiment';
import { logitLensExperiment } from '../../../src/notebook/widgets/logit-lens';

export function tokenizerOf(model: string): Tokenizer {
  const url = new URL(`../../../public/models/${model}/tokenizer.json`, import.meta.url);
  return Tokenizer.fromJson(JSON.parse(readFileSync(url, 'utf8')));
}

export interface WidgetCase {
  readonly widget: string;
  readonly experiment: Experiment;
  /** Prompts the widget ran, each of which the notebook's EXPERIMENT must hold. */
  readonly prompts: readonly string[];
  /** The widget's positions (tiny-lm token index and token), where it has any. */
  readonly positions: readonly { readonly position: number; readonly token: string }[];
}

const tinyLm = tokenizerOf('tiny-lm');
const tokensOf = (text: string) => tinyLm.tokens(tinyLm.encode(text));

function logitLensCase(): WidgetCase {
  const prompt = 'When Mary and John went to the store, John gave a drink to';
  const positions = tokensOf(prompt);
  const row = positions.map((token) => ({ token, probability: 0.5 }));
  const grid = {
    layers: ['embed', 'after block 0', 'after block 1', 'after block 2', 'after block 3'],
    positions,
    cells: [
      row,
      row,
      row,
      row,
      row.map((c, i) => (i === row.length - 1 ? { token: 'Mary', probability: 0.9 } : c)),
    ],
  };
  return {
    widget: 'logit-lens',
    experiment: logitLensExperiment(prompt, grid),
    prompts: [prompt],
    positions: positions.map((token, position) => ({ position, token })),
  };
}

export const WIDGET_CASES: readonly WidgetCase[] = [logitLensCase()];
