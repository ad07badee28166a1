/**
 * The DAS experiment card, on the subspace illusion: a held-out IOI pair on which patching along
 * the learned direction v moves the answer towards the source prompt (by more than one logit in
 * das.json's record), at one of the two sites the widget shows. Patched alone, which part of v
 * carries that move: the part W_out reads (dormant), the part it ignores (disconnected), or
 * neither, so that only their sum does it?
 *
 * The principle (Makelov, Lange & Nanda): at an illusory site the disconnected part carries the
 * prompts' difference but nothing reads it, and the dormant part is read but barely differs
 * between the prompts, so neither moves the answer alone; at a faithful site the read part is
 * also the part that differs, and carries the move by itself. Measured on tiny-lm
 * (tests/unit/widgets/experiment-runners-b.test.ts): that holds on 83 of the 84 pooled pairs
 * (12 at the illusory site, 72 at the faithful one, where one pair's read part gives half).
 */
import type { ExperimentEnv, ExperimentRunner, PosedExperiment } from '../kit/experiment-card';
import { mulberry32 } from '../kit/random';
import { fixed } from '../kit/widget-parts';
import { pick } from '../tiny-lm-experiments/held-out';
import { TINY_LM } from '../tiny-lm-experiments/load';
import type { HookedModel } from '../../ml';
import { pairResult } from './experiment';
import { openingPair, parseDasFile, type DasFile, type DasSite } from './subspace';

/** A site of das.json and one of its held-out pairs, by index. */
export interface CarryingPartSetting {
  readonly site: number;
  readonly pair: number;
}

/** The move along v, in logits, above which das.json's record puts a pair in the pool. */
export const RECORDED_MOVE = 1;
/** The share of v's move a part must give alone to count as carrying it. */
export const CARRIES = 2 / 3;

export const PART_CHOICES = [
  { value: 'dormant', label: 'the dormant part (the part W_out reads)' },
  { value: 'disconnected', label: 'the disconnected part (the part W_out ignores)' },
  { value: 'neither', label: 'neither alone: it takes both parts together' },
] as const;
export type CarryingPart = (typeof PART_CHOICES)[number]['value'];

const parsed = new WeakMap<ExperimentEnv, Promise<DasFile>>();

/** das.json, read through the card's env and checked once per env (pose and run both need it). */
export function dasFile(env: ExperimentEnv): Promise<DasFile> {
  let file = parsed.get(env);
  if (!file) {
    file = env.json(TINY_LM, 'das.json').then(parseDasFile);
    parsed.set(env, file);
    file.catch(() => parsed.delete(env));
  }
  return file;
}

/**
 * Pairs where das.json records a move of more than RECORDED_MOVE along v at `site`, toward the
 * source; the pair the widget opens on is left out, as it is the card's worked example.
 */
export function pairPool(das: DasFile, site: number): number[] {
  const { base, direction } = das.sites[site]!.perPair;
  const opening = openingPair(das);
  return das.evalPairs.flatMap((_, k) =>
    k !== opening && base[k]! - direction[k]! > RECORDED_MOVE ? [k] : [],
  );
}

function siteName(site: DasSite): string {
  const where = site.position === 'S2' ? 'the repeated subject (S2)' : 'the last word (END)';
  return `MLP ${site.layer}'s hidden activation at ${where}, where the widget calls v ${site.role}`;
}

/** The posed card for one setting: used by `pose` and by the worked example's test. */
export function posedCarryingPart(
  das: DasFile,
  setting: CarryingPartSetting,
): PosedExperiment<CarryingPartSetting> {
  const site = das.sites[setting.site];
  const pair = das.evalPairs[setting.pair];
  if (!site || !pair) throw new RangeError('das.json has no such site or pair');
  return {
    setup:
      `Base: "${pair.base}". Source: "${pair.source}". At ${siteName(site)}, ` +
      'patching along v from the source moves the base prompt’s answer toward the source’s.',
    question: 'Patched alone, which part of v carries most of that move (at least two thirds)?',
    asked: { kind: 'choice', choices: PART_CHOICES },
    data: setting,
  };
}

/** How far each patch moves logit(IO) − logit(S) toward the source (base minus patched). */
export interface PartMoves {
  readonly base: number;
  readonly direction: number;
  readonly dormant: number;
  readonly disconnected: number;
  readonly full: number;
}

/** The part that gives at least CARRIES of v's move alone, or 'neither'. */
export function carryingPart(moves: PartMoves): CarryingPart {
  if (!(moves.direction > 0)) return 'neither';
  if (moves.dormant >= CARRIES * moves.direction) return 'dormant';
  if (moves.disconnected >= CARRIES * moves.direction) return 'disconnected';
  return 'neither';
}

/** Runs the four patches of one setting live; exported for the worked example's test. */
export async function partMoves(
  model: HookedModel,
  das: DasFile,
  setting: CarryingPartSetting,
): Promise<PartMoves> {
  const site = das.sites[setting.site]!;
  const { logitDiff } = await pairResult(model, site, das.evalPairs[setting.pair]!, []);
  return {
    base: logitDiff.base,
    direction: logitDiff.base - logitDiff.direction,
    dormant: logitDiff.base - logitDiff.dormant,
    disconnected: logitDiff.base - logitDiff.disconnected,
    full: logitDiff.base - logitDiff.full,
  };
}

/** `x` to `digits` decimals, without the "-0.00" that float noise gives a part W_out ignores. */
function shown(x: number, digits: number): string {
  return fixed(Math.abs(x) < 0.5 * 10 ** -digits ? 0 : x, digits);
}

export const carryingPartRunner: ExperimentRunner<CarryingPartSetting> = {
  id: 'das-illusion/carrying-part',
  models: [TINY_LM],
  async pose(seed, env) {
    const random = mulberry32(seed);
    const das = await dasFile(env);
    const site = Math.floor(random() * das.sites.length);
    return posedCarryingPart(das, { site, pair: pick(pairPool(das, site), random) });
  },
  async run(posed, env, onProgress) {
    const das = await dasFile(env);
    const model = await env.model(TINY_LM, onProgress);
    const moves = await partMoves(model, das, posed.data);
    const part = carryingPart(moves);
    const label = PART_CHOICES.find((choice) => choice.value === part)!.label;
    const logits = (x: number) => shown(x, 2);
    const share = (x: number) => `${shown((100 * x) / moves.direction, 0)}%`;
    const illusory = das.sites[posed.data.site]!.role === 'illusory';
    return {
      outcome: { kind: 'choice', value: part, label },
      result:
        `Toward the source, in logits: along v ${logits(moves.direction)}; dormant part alone ${logits(moves.dormant)} (${share(moves.dormant)}); ` +
        `disconnected part alone ${logits(moves.disconnected)} (${share(moves.disconnected)}); whole activation ${logits(moves.full)}.`,
      reason: illusory
        ? 'The disconnected part differs between the prompts but W_out ignores it; the dormant part is read but barely differs: only their sum both varies and acts.'
        : 'Here the part W_out reads is also the part that differs between the prompts, so it carries the move alone; an unread part never moves anything.',
    };
  },
};
