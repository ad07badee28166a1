/**
 * The logit lens's experiment card: on a held-out indirect-object sentence, from which layer on
 * does the lens already show tiny-lm's final answer at the last position? The answer is a name
 * from earlier in the sentence, so it reaches the last position only once attention has copied it
 * there, and the lens finds it late. Measured over tiny-lm's 200 held-out IOI prompts, the answer
 * first shows for good only at the output in 171 (after block 2 in 25): see
 * tests/unit/widgets/experiment-runners-a.test.ts.
 */
import type { HookedModel } from '../../ml';
import type { ExperimentRunner } from '../kit/experiment-card';
import { mulberry32 } from '../kit/random';
import { lensGrid, readPrompt } from '../tiny-lm-experiments/lens';
import { parseEvalSets } from '../tiny-lm-experiments/tasks';
import { settledLayer } from './settle';

const MODEL = 'tiny-lm';
/** tiny-lm's blocks; the lens has one more row, the embeddings. */
const BLOCKS = 4;
/** Row labels of the lens, as src/ml's logitLens names them. */
const LAYER_LABELS = ['embed', ...Array.from({ length: BLOCKS }, (_, b) => `after block ${b}`)];

/** Where the lens settles on the model's answer at a prompt's last position. */
export interface LensSettling {
  /** The model's own top next token after the prompt, and its probability. */
  readonly answer: string;
  readonly probability: number;
  /** The first lens row (0 = embed) from which the top token stays `answer`. */
  readonly settled: number;
  /** The row labels ("embed", "after block 0", …). */
  readonly layers: readonly string[];
  /** The lens's top token one row before it settled (null when it settled at the embeddings). */
  readonly before: string | null;
}

/** Runs the logit lens on `text` and reads where the last position settles. */
export async function lensSettling(model: HookedModel, text: string): Promise<LensSettling> {
  const read = readPrompt(model.tokenizer, text);
  if (read.unknown.length > 0)
    throw new Error(`"${text}" has words tiny-lm does not know: ${read.unknown.join(', ')}`);
  const lens = await model.logitLens(read.ids);
  const grid = lensGrid(lens.logits, lens.labels, read.ids, model.tokenizer);
  const last = grid.positions.length - 1;
  const settled = settledLayer(grid, last);
  const final = grid.cells[grid.cells.length - 1]![last]!;
  return {
    answer: final.token,
    probability: final.probability,
    settled,
    layers: grid.layers,
    before: settled > 0 ? grid.cells[settled - 1]![last]!.token : null,
  };
}

/** The held-out sentence a card poses, with the name the task expects. */
export interface LensSetting {
  readonly prompt: string;
  readonly indirectObject: string;
}

const layerLabel = (layer: number) =>
  layer === BLOCKS ? `${LAYER_LABELS[layer]!} (the output)` : LAYER_LABELS[layer]!;

/** Logit lens: the first layer from which the lens ranks the final answer first. */
export const firstTopLayer: ExperimentRunner<LensSetting> = {
  id: 'logit-lens/first-top-layer',
  models: [MODEL],
  async pose(seed, env) {
    const sets = parseEvalSets(await env.json(MODEL, 'eval-sets.json'));
    const items = sets?.ioi ?? [];
    if (items.length === 0) throw new Error('tiny-lm’s eval-sets.json has no IOI prompts');
    const item = items[Math.floor(mulberry32(seed)() * items.length)]!;
    return {
      setup: `tiny-lm reads “${item.prompt}” and names who gets the thing (here, ${item.answer}).`,
      question:
        'At the last word, from which layer on does the logit lens rank the model’s final answer first?',
      asked: {
        kind: 'choice',
        choices: LAYER_LABELS.map((_, layer) => ({
          value: String(layer),
          label: layerLabel(layer),
        })),
      },
      data: { prompt: item.prompt, indirectObject: item.answer },
    };
  },
  async run(posed, env, onProgress) {
    const model = await env.model(MODEL, onProgress);
    if (model.config.n_layers !== BLOCKS) throw new Error(`expected ${BLOCKS} blocks in tiny-lm`);
    const s = await lensSettling(model, posed.data.prompt);
    const before = s.before === null ? '' : `; one layer earlier it read “${s.before}”`;
    return {
      outcome: { kind: 'choice', value: String(s.settled), label: layerLabel(s.settled) },
      result: `tiny-lm answers “${s.answer}” (p ${s.probability.toFixed(2)}); the lens ranks it first from ${s.layers[s.settled]!} on${before}.`,
      reason:
        'The answer is a name from earlier in the sentence: it reaches the last word only once attention has copied it there, which takes tiny-lm’s later blocks, so earlier layers read another word.',
    };
  },
};
