/**
 * Experiment card for the grokking widget: two seeded checkpoints of modadd's training replay
 * from the long plateau, after the network has memorised its training pairs and before test
 * accuracy climbs. The reader says whether the number embedding's energy on the final model's
 * key Fourier frequencies grew between them; the page decodes both checkpoints' embeddings from
 * checkpoints.bin and measures it. The principle (Nanda et al. 2023): generalisation is not
 * sudden — the Fourier circuit forms steadily during the plateau, which progress measures see and
 * the test loss does not.
 */
import type { ExperimentEnv, ExperimentResult, ExperimentRunner } from '../kit/experiment-card';
import { mulberry32 } from '../kit/random';
import { embeddingAt, parseReplay, type Replay } from './checkpoints';
import { embeddingFrequencyNorms, fourierBasis, frequencyShare } from './fourier';

const MODEL = 'modadd';
/** The plateau: checkpoints after this step whose test loss is still above this. */
const PLATEAU = { fromStep: 300, testLossAbove: 7 } as const;
/** The two checkpoints are at least this many steps apart. */
const MIN_GAP = 400;
/** "About the same" is a change of at most this share of the earlier value. */
const SAME_WITHIN = 0.1;

/** Two checkpoints of the replay, by index. */
export interface CheckpointPair {
  readonly from: number;
  readonly to: number;
}

/** Every pair of plateau checkpoints at least MIN_GAP steps apart. */
export function plateauPairs(replay: Replay): CheckpointPair[] {
  const plateau = replay.checkpoints.flatMap((c, i) =>
    c.step >= PLATEAU.fromStep && c.testLoss > PLATEAU.testLossAbove && c.trainAcc === 1 ? [i] : [],
  );
  return plateau.flatMap((from) =>
    plateau
      .filter((to) => replay.checkpoints[to]!.step - replay.checkpoints[from]!.step >= MIN_GAP)
      .map((to) => ({ from, to })),
  );
}

async function loadReplay(env: ExperimentEnv) {
  const replay = parseReplay(await env.json(MODEL, 'checkpoints.json'));
  const { file, sha256 } = replay.weights;
  return { replay, bytes: await env.bytes(MODEL, file, sha256) };
}

/** Share of checkpoint `index`'s number-embedding energy on the key frequencies. */
export function keyShare(replay: Replay, bytes: Uint8Array, index: number): number {
  const { p } = replay;
  const norms = embeddingFrequencyNorms(
    embeddingAt(replay, bytes, index),
    p,
    replay.weights.shape[1],
    fourierBasis(p),
  );
  return frequencyShare(norms, replay.keyFrequencies);
}

const CHOICES = [
  { value: 'grew', label: 'it grew' },
  { value: 'same', label: `it stayed about the same (within ${SAME_WITHIN * 100}%)` },
  { value: 'shrank', label: 'it shrank' },
] as const;

/** The choice a change from `before` to `after` falls in. */
export function changeChoice(before: number, after: number) {
  const ratio = after / before;
  return CHOICES[ratio > 1 + SAME_WITHIN ? 0 : ratio < 1 - SAME_WITHIN ? 2 : 1];
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

export const hiddenProgress: ExperimentRunner<CheckpointPair> = {
  id: 'grokking/hidden-progress',
  models: [MODEL],

  async pose(seed, env) {
    const json = await env.json(MODEL, 'checkpoints.json');
    const replay = parseReplay(json);
    const share = (json as { trainFraction?: unknown }).trainFraction;
    const pairs = plateauPairs(replay);
    if (pairs.length === 0) throw new Error('checkpoints.json has no plateau to draw from');
    const pair = pairs[Math.floor(mulberry32(seed)() * pairs.length)]!;
    const [a, b] = [replay.checkpoints[pair.from]!, replay.checkpoints[pair.to]!];
    const keys = replay.keyFrequencies.join(', ');
    return {
      setup: `modadd learns a + b mod ${replay.p} from ${typeof share === 'number' ? `${Math.round(share * 100)}% of the pairs` : 'some of the pairs'}. It first gets every training pair right at step ${replay.grokking.trainAcc100Step ?? '?'}, yet at steps ${a.step} and ${b.step} its test loss is still worse than a uniform guess's ${Math.log(replay.p).toFixed(1)} (${a.testLoss.toFixed(1)} and ${b.testLoss.toFixed(1)}).`,
      question: `Between those two steps, what happened to the share of the number embedding's energy on the final model's key frequencies (${keys})?`,
      asked: { kind: 'choice', choices: CHOICES },
      data: pair,
    };
  },

  async run(posed, env): Promise<ExperimentResult> {
    const { replay, bytes } = await loadReplay(env);
    const { from, to } = posed.data;
    const [start, before, after] = [0, from, to].map((i) => keyShare(replay, bytes, i)) as [
      number,
      number,
      number,
    ];
    const choice = changeChoice(before, after);
    const [a, b] = [replay.checkpoints[from]!, replay.checkpoints[to]!];
    return {
      outcome: { kind: 'choice', value: choice.value, label: choice.label },
      result: `The key frequencies hold ${percent(before)} of the embedding's energy at step ${a.step} and ${percent(after)} at step ${b.step} (${percent(start)} at initialisation).`,
      reason:
        'While the test loss looks stuck, the model is building the Fourier circuit that generalises alongside its memorised lookup; progress measures see it before test accuracy does.',
    };
  },
};
