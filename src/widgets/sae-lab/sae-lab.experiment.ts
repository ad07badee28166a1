/**
 * Experiment card for the SAE lab: one of tiny-lm's shipped sparse autoencoders (seeded) on a
 * seeded sample of the held-out text (eval-tokens.json, which no SAE trained on). The reader says
 * how much of the model's loss survives when the SAE's reconstruction replaces the residual stream
 * it reads; the page runs tiny-lm three ways (clean, with the reconstruction spliced in, with the
 * stream zeroed) and measures it. The principle (Bricken et al. 2023): a few dozen active
 * features out of a thousand carry almost everything the later layers use, so a good dictionary
 * recovers most of the loss — and "most" is the honest word, because the rest is still a cost.
 */
import type { ExperimentEnv, ExperimentResult, ExperimentRunner } from '../kit/experiment-card';
import { mulberry32 } from '../kit/random';
import { saeFromBytes } from './sae';
import { harvest, measureSae, splicedLoss } from './sae-eval';
import { parseSaeIndex, parseTokenRows } from './sae-index';
import { lossRecovered } from './sae-metrics';

const MODEL = 'tiny-lm';
const SAES = 'tiny-lm-saes';
/** Held-out sequences per card: enough for a stable loss, few enough for about a second. */
const ROWS = 24;
/** Tokens of the first sequence shown in the setup. */
const SNIPPET = 12;

export interface SaeSetting {
  /** The SAE's id in saes.json. */
  readonly sae: string;
  /** Indices of the held-out sequences used. */
  readonly rows: readonly number[];
}

/** The widget's own measurement, the worked example: the ReLU SAE on every held-out sequence. */
export function widgetDefault(sequences: number): SaeSetting {
  return { sae: 'relu', rows: Array.from({ length: sequences }, (_, i) => i) };
}

const CHOICES = [
  { value: 'little', label: 'less than half of it' },
  { value: 'much', label: 'half to 90% of it' },
  { value: 'most', label: 'more than 90% of it' },
] as const;

/** The choice a loss-recovered fraction falls in. */
export function recoveredChoice(recovered: number) {
  return CHOICES[recovered > 0.9 ? 2 : recovered >= 0.5 ? 1 : 0];
}

async function files(env: ExperimentEnv, onProgress?: Parameters<ExperimentEnv['model']>[1]) {
  const index = parseSaeIndex(await env.json(SAES, 'saes.json'));
  const model = await env.model(MODEL, onProgress);
  const sequences = parseTokenRows(
    await env.json(SAES, index.eval.file),
    index.eval.length,
    model.config.d_vocab,
  );
  return { index, model, sequences };
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

export const spliceLossRecovered: ExperimentRunner<SaeSetting> = {
  id: 'sae-lab/splice-loss-recovered',
  models: [MODEL, SAES],

  async pose(seed, env) {
    const random = mulberry32(seed);
    const { index, model, sequences } = await files(env);
    const entry = index.saes[Math.floor(random() * index.saes.length)]!;
    // A seeded sample of the held-out sequences, in file order.
    const order = sequences.map((_, i) => ({ i, key: random() }));
    const rows = order
      .sort((a, b) => a.key - b.key)
      .slice(0, ROWS)
      .map(({ i }) => i)
      .sort((a, b) => a - b);
    const shown = rows[Math.floor(random() * rows.length)]!;
    const size = entry.k ? `${entry.d_sae} features, k = ${entry.k}` : `${entry.d_sae} features`;
    return {
      setup: `The ${entry.label} SAE (${size}) reads tiny-lm's residual stream at ${index.hook}. Take ${ROWS} held-out sequences it never trained on, such as “${model.tokenizer.decode(sequences[shown]!.slice(1, SNIPPET + 1))} …”, and replace that stream by the SAE's reconstruction.`,
      question:
        'Of the loss gap between the clean model and one whose stream there is zeroed, how much does the reconstruction recover?',
      asked: { kind: 'choice', choices: CHOICES },
      data: { sae: entry.id, rows },
    };
  },

  async run(posed, env, onProgress): Promise<ExperimentResult> {
    const { index, model, sequences } = await files(env, onProgress);
    const entry = index.saes.find((s) => s.id === posed.data.sae);
    if (!entry) throw new Error(`saes.json has no SAE "${posed.data.sae}"`);
    const sae = saeFromBytes(entry, index.d_in, await env.bytes(SAES, entry.file, entry.sha256));
    const rows = posed.data.rows.map((i) => sequences[i]!);
    const data = await harvest(model, index.hook, rows, index.bos);
    const measures = measureSae(sae, data);
    const [spliced, zeroed] = await Promise.all([
      splicedLoss(model, data, measures.reconstruction),
      splicedLoss(model, data, null),
    ]);
    const recovered = lossRecovered(data.cleanLoss, spliced, zeroed);
    const choice = recoveredChoice(recovered);
    return {
      outcome: { kind: 'choice', value: choice.value, label: choice.label },
      result: `Loss ${data.cleanLoss.toFixed(2)} clean, ${spliced.toFixed(2)} with the reconstruction, ${zeroed.toFixed(2)} zeroed: ${percent(recovered)} recovered, with ${measures.l0.toFixed(1)} features active per token and ${percent(measures.fvu)} of the variance unexplained.`,
      reason:
        'A few dozen of the dictionary’s features per token carry what the later layers read, so most of the loss survives; the gap left over is the part of the stream the SAE does not explain.',
    };
  },
};
