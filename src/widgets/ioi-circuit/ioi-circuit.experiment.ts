/**
 * The IOI experiment card: where does tiny-lm keep the answer at a given depth? A held-out IOI
 * prompt is run clean and corrupted (the repeated subject S2 swapped for the indirect object, so
 * the answer flips), and the residual stream at the input of one block is patched from the
 * corrupted run into the clean one at a single position: the indirect object, the first subject
 * mention, S2 or the last word. The position whose patch drags the logit difference IO − S
 * furthest towards the corrupted answer is where the answer sits at that depth.
 *
 * Measured on tiny-lm (tests/unit/widgets/experiment-runners-b.test.ts): at block 0's input only
 * S2 differs between the prompts, so only S2 matters; from block 1 on, patching the last word
 * flips the answer and patching S2 leaves it where it was, on all 100 prompt × block settings
 * the test checks.
 */
import type { ExperimentRunner, PosedExperiment } from '../kit/experiment-card';
import { mulberry32 } from '../kit/random';
import { fixed } from '../kit/widget-parts';
import { heldOutSets, pick, tinyLmLayers } from '../tiny-lm-experiments/held-out';
import { TINY_LM } from '../tiny-lm-experiments/load';
import { ioiPair } from '../tiny-lm-experiments/tasks';
import type { HookedModel, Intervention } from '../../ml';

/** An IOI prompt, its two names, and the block at whose input the stream is patched. */
export interface IoiPositionSetting {
  readonly prompt: string;
  /** The indirect object (the clean answer) and the subject (named twice). */
  readonly answer: string;
  readonly distractor: string;
  readonly layer: number;
}

/** The four positions offered, in the order they appear in the prompt. */
export const IOI_POSITIONS = ['io', 's1', 's2', 'end'] as const;
export type IoiPosition = (typeof IOI_POSITIONS)[number];

/** How each position is offered as a choice, and how the result line names it. */
function positionNames(setting: IoiPositionSetting): {
  choice: Record<IoiPosition, string>;
  short: Record<IoiPosition, string>;
} {
  const lastWord = setting.prompt.trim().split(/\s+/).pop() ?? '';
  return {
    choice: {
      io: `${setting.answer}, the indirect object (IO)`,
      s1: `${setting.distractor}, first mention (S1)`,
      s2: `${setting.distractor}, repeated (S2)`,
      end: `"${lastWord}", the last word (END)`,
    },
    short: {
      io: `IO (${setting.answer})`,
      s1: `S1 (${setting.distractor})`,
      s2: `S2 (${setting.distractor})`,
      end: `END ("${lastWord}")`,
    },
  };
}

/** The posed card for one setting: used by `pose` and by the worked example's test. */
export function posedIoiPosition(setting: IoiPositionSetting): PosedExperiment<IoiPositionSetting> {
  const labels = positionNames(setting).choice;
  const corrupted = replaceLast(setting.prompt, setting.distractor, setting.answer);
  return {
    setup:
      `Clean: "${setting.prompt}" (→ ${setting.answer}). Corrupted: "${corrupted}" (→ ${setting.distractor}). ` +
      `The residual stream at the input of block ${setting.layer} is patched from the corrupted run into the clean one, one position at a time.`,
    question: `Which position's patch at block ${setting.layer} pulls logit(${setting.answer}) − logit(${setting.distractor}) furthest towards ${setting.distractor}?`,
    asked: {
      kind: 'choice',
      choices: IOI_POSITIONS.map((value) => ({ value, label: labels[value] })),
    },
    data: setting,
  };
}

/** `text` with the last whole-word `word` replaced by `by` (the repeated subject, S2). */
function replaceLast(text: string, word: string, by: string): string {
  const last = [...text.matchAll(new RegExp(`\\b${word}\\b`, 'g'))].pop();
  if (last?.index === undefined) return text;
  return text.slice(0, last.index) + by + text.slice(last.index + word.length);
}

/** Logit difference IO − S of the clean run, the corrupted run, and each single-position patch. */
export interface IoiPositionNumbers {
  readonly clean: number;
  readonly corrupted: number;
  readonly patched: Record<IoiPosition, number>;
}

async function measure(
  setting: IoiPositionSetting,
  model: HookedModel,
): Promise<IoiPositionNumbers> {
  if (
    !Number.isInteger(setting.layer) ||
    setting.layer < 0 ||
    setting.layer >= model.config.n_layers
  )
    throw new RangeError(`tiny-lm has no block ${setting.layer}`);
  const pair = ioiPair(model.tokenizer, setting);
  const names = pair.names!;
  const where: Record<IoiPosition, number> = {
    io: names.io,
    s1: names.s1,
    s2: names.s2,
    end: pair.clean.length - 1,
  };
  const hook = `blocks.${setting.layer}.hook_resid_pre`;
  const { logits, cache } = await model.runWithCache([pair.clean, pair.corrupted], [hook]);
  const stream = cache.get(hook)!; // [2, pos, d_model]
  const half = stream.data.length / 2;
  const corruptedStream = { data: stream.data.slice(half), dims: stream.dims.slice(1) };
  const io = model.tokenizer.tokenToId(setting.answer);
  const s = model.tokenizer.tokenToId(setting.distractor);
  const diff = (l: typeof logits, r: number) => {
    const [, pos, vocab] = l.dims as [number, number, number];
    const at = (r * pos + pos - 1) * vocab;
    return l.data[at + io]! - l.data[at + s]!;
  };
  const patches: Intervention[] = IOI_POSITIONS.map((p, r) => ({
    hook,
    kind: 'patch',
    value: corruptedStream,
    rows: [r],
    positions: [where[p]],
  }));
  const run = await model.runWithInterventions(
    IOI_POSITIONS.map(() => pair.clean),
    patches,
  );
  const patched = Object.fromEntries(
    IOI_POSITIONS.map((p, r) => [p, diff(run.logits, r)]),
  ) as Record<IoiPosition, number>;
  return { clean: diff(logits, 0), corrupted: diff(logits, 1), patched };
}

/** The position whose patch leaves the smallest logit difference (the most corrupted answer). */
export function carryingPosition(numbers: IoiPositionNumbers): IoiPosition {
  return IOI_POSITIONS.reduce((a, b) => (numbers.patched[b] < numbers.patched[a] ? b : a));
}

/** Runs the card's experiment on one setting; exported for the worked example's test. */
export async function runIoiPosition(
  setting: IoiPositionSetting,
  model: HookedModel,
): Promise<{ numbers: IoiPositionNumbers; position: IoiPosition }> {
  const numbers = await measure(setting, model);
  return { numbers, position: carryingPosition(numbers) };
}

export const whereTheAnswerSits: ExperimentRunner<IoiPositionSetting> = {
  id: 'ioi-circuit/where-the-answer-sits',
  models: [TINY_LM],
  async pose(seed, env) {
    const random = mulberry32(seed);
    const [sets, layers] = await Promise.all([heldOutSets(env), tinyLmLayers(env)]);
    const item = pick(sets.ioi, random);
    const layer = Math.floor(random() * layers);
    return posedIoiPosition({
      prompt: item.prompt,
      answer: item.answer,
      distractor: item.distractor,
      layer,
    });
  },
  async run(posed, env, onProgress) {
    const setting = posed.data;
    const model = await env.model(TINY_LM, onProgress);
    const { numbers, position } = await runIoiPosition(setting, model);
    const { choice, short } = positionNames(setting);
    const other: IoiPosition = position === 'end' ? 's2' : 'end';
    const metric = `logit(${setting.answer}) − logit(${setting.distractor})`;
    return {
      outcome: { kind: 'choice', value: position, label: choice[position] },
      result:
        `At block ${setting.layer}'s input, patching ${short[position]} takes ${metric} from ${fixed(numbers.clean, 1)} to ${fixed(numbers.patched[position], 1)}; ` +
        `patching ${short[other]} leaves ${fixed(numbers.patched[other], 1)} (corrupted prompt: ${fixed(numbers.corrupted, 1)}).`,
      reason:
        setting.layer === 0
          ? 'At block 0’s input the two prompts differ only at the repeated name, so no other position has anything to patch.'
          : 'Only attention moves information between positions, and tiny-lm’s block 0 already copies what the repeated name signals to the last word, where the answer is read.',
    };
  },
};
