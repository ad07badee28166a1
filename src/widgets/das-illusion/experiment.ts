/**
 * The DAS widget's experiments on tiny-lm through src/ml's hook API (no DOM): read the site's
 * activation on the base and the source prompt (runWithCache), then run the base prompt with the
 * site's activation at one position replaced by a patched vector (runWithInterventions, kind
 * 'patch', one row per patched vector), and read the logit difference IO − S at the last
 * position.
 */
import { tensor, type HookedModel, type Intervention, type Tensor } from '../../ml';
import {
  CONDITIONS,
  mixAtAngle,
  patchAlong,
  projectedDelta,
  sitePosition,
  unit,
  type Condition,
  type DasPair,
  type DasSite,
  type Vector,
} from './subspace';

/** logit(io) − logit(s) at the last position of row r of logits [batch, pos, vocab]. */
export function lastLogitDiff(logits: Tensor, r: number, io: number, s: number): number {
  const [, pos, vocab] = logits.dims as [number, number, number];
  const at = (r * pos + pos - 1) * vocab;
  return logits.data[at + io]! - logits.data[at + s]!;
}

/** Row r, position p of an activation [batch, pos, width], copied. */
export function activationAt(h: Tensor, r: number, p: number): Float32Array {
  const [, pos, width] = h.dims as [number, number, number];
  const at = (r * pos + p) * width;
  return h.data.slice(at, at + width);
}

/** The site's activation on the base and the source prompt, and their unpatched logit diffs. */
export interface SiteActivations {
  readonly base: Float32Array;
  readonly source: Float32Array;
  readonly baseLogitDiff: number;
  readonly sourceLogitDiff: number;
}

export async function siteActivations(
  model: HookedModel,
  site: DasSite,
  pair: DasPair,
): Promise<SiteActivations> {
  const { logits, cache } = await model.runWithCache([pair.baseIds, pair.sourceIds], [site.hook]);
  const h = cache.get(site.hook);
  if (!h) throw new Error(`the model did not report ${site.hook}`);
  const p = sitePosition(site, pair);
  return {
    base: activationAt(h, 0, p),
    source: activationAt(h, 1, p),
    baseLogitDiff: lastLogitDiff(logits, 0, pair.io, pair.s),
    sourceLogitDiff: lastLogitDiff(logits, 1, pair.io, pair.s),
  };
}

/** One 'patch' intervention per row: row r's activation at `position` becomes vectors[r]. */
export function rowPatches(
  hook: string,
  position: number,
  vectors: readonly Float32Array[],
): Intervention[] {
  return vectors.map((v, r) => ({
    hook,
    kind: 'patch',
    value: tensor(v, [v.length]),
    rows: [r],
    positions: [position],
  }));
}

/**
 * The base prompt's logit difference with the site's activation replaced by each vector (one
 * batched call); `also` hooks are returned in the cache.
 */
export async function patchedLogitDiffs(
  model: HookedModel,
  site: DasSite,
  pair: DasPair,
  vectors: readonly Float32Array[],
  also: readonly string[] = [],
): Promise<{ logitDiffs: number[]; cache: ReadonlyMap<string, Tensor> }> {
  if (vectors.length === 0) return { logitDiffs: [], cache: new Map() };
  const tokens = vectors.map(() => pair.baseIds);
  const { logits, cache } = await model.runWithInterventions(
    tokens,
    rowPatches(site.hook, sitePosition(site, pair), vectors),
    also,
  );
  return { logitDiffs: vectors.map((_, r) => lastLogitDiff(logits, r, pair.io, pair.s)), cache };
}

/** The site's learned direction and its two parts as unit vectors. */
export interface SiteDirections {
  readonly v: Float32Array;
  readonly dormant: Float32Array;
  readonly disconnected: Float32Array;
}

export function siteDirections(site: DasSite): SiteDirections {
  return { v: unit(site.v), dormant: unit(site.dormant), disconnected: unit(site.disconnected) };
}

/** What the widget shows for one pair: the six logit differences and the angle sweep. */
export interface PairResult {
  readonly activations: SiteActivations;
  readonly logitDiff: Record<Condition, number>;
  /** (source − base) along each unit direction: how far the patch moves the activation. */
  readonly delta: { direction: number; dormant: number; disconnected: number };
  readonly angles: readonly number[];
  /** The logit difference when patching along cos θ · dormant + sin θ · disconnected. */
  readonly byAngle: readonly number[];
}

/** Every number of one pair in two calls: one cached run of base and source, one patched batch. */
export async function pairResult(
  model: HookedModel,
  site: DasSite,
  pair: DasPair,
  angles: readonly number[],
): Promise<PairResult> {
  const acts = await siteActivations(model, site, pair);
  const dirs = siteDirections(site);
  const vectors = [
    acts.source,
    patchAlong(acts.base, acts.source, dirs.v),
    patchAlong(acts.base, acts.source, dirs.dormant),
    patchAlong(acts.base, acts.source, dirs.disconnected),
    ...angles.map((a) =>
      patchAlong(acts.base, acts.source, mixAtAngle(dirs.dormant, dirs.disconnected, a)),
    ),
  ];
  const { logitDiffs } = await patchedLogitDiffs(model, site, pair, vectors);
  const [full, direction, dormant, disconnected, ...byAngle] = logitDiffs as [
    number,
    number,
    number,
    number,
    ...number[],
  ];
  const delta = (u: Vector) => projectedDelta(acts.base, acts.source, u);
  return {
    activations: acts,
    logitDiff: {
      base: acts.baseLogitDiff,
      source: acts.sourceLogitDiff,
      full,
      direction,
      dormant,
      disconnected,
    },
    delta: {
      direction: delta(dirs.v),
      dormant: delta(dirs.dormant),
      disconnected: delta(dirs.disconnected),
    },
    angles,
    byAngle,
  };
}

/** Every condition on a set of pairs: per pair and the mean. */
export interface PairsResult {
  readonly perPair: Record<Condition, number[]>;
  readonly mean: Record<Condition, number>;
}

/** The patched conditions, in the order pairsResult batches them per pair. */
const PATCHED: readonly Condition[] = ['full', 'direction', 'dormant', 'disconnected'];

/**
 * Each condition on every pair, and the means, in two calls per group of pairs of one length
 * (base and source runs cached together, then every patch of the group as one batch).
 */
export async function pairsResult(
  model: HookedModel,
  site: DasSite,
  pairs: readonly DasPair[],
  onGroup?: (done: number) => void,
  signal?: AbortSignal,
): Promise<PairsResult> {
  const perPair = Object.fromEntries(
    CONDITIONS.map((c) => [c, new Array<number>(pairs.length).fill(Number.NaN)]),
  ) as Record<Condition, number[]>;
  const groups = new Map<number, number[]>();
  pairs.forEach((pair, k) =>
    groups.set(pair.baseIds.length, [...(groups.get(pair.baseIds.length) ?? []), k]),
  );
  const dirs = siteDirections(site);
  let done = 0;
  for (const indices of groups.values()) {
    if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const { logits, cache } = await model.runWithCache(
      indices.flatMap((k) => [pairs[k]!.baseIds, pairs[k]!.sourceIds]),
      [site.hook],
    );
    const h = cache.get(site.hook);
    if (!h) throw new Error(`the model did not report ${site.hook}`);
    const rows: number[][] = [];
    const interventions: Intervention[] = [];
    indices.forEach((k, j) => {
      const pair = pairs[k]!;
      const p = sitePosition(site, pair);
      const [base, source] = [activationAt(h, 2 * j, p), activationAt(h, 2 * j + 1, p)];
      perPair.base[k] = lastLogitDiff(logits, 2 * j, pair.io, pair.s);
      perPair.source[k] = lastLogitDiff(logits, 2 * j + 1, pair.io, pair.s);
      const vectors = [
        source,
        patchAlong(base, source, dirs.v),
        patchAlong(base, source, dirs.dormant),
        patchAlong(base, source, dirs.disconnected),
      ];
      for (const v of vectors) {
        interventions.push({
          hook: site.hook,
          kind: 'patch',
          value: tensor(v, [v.length]),
          rows: [rows.length],
          positions: [p],
        });
        rows.push(pair.baseIds);
      }
    });
    const patched = await model.runWithInterventions(rows, interventions);
    indices.forEach((k, j) => {
      const pair = pairs[k]!;
      PATCHED.forEach((c, i) => {
        perPair[c][k] = lastLogitDiff(patched.logits, 4 * j + i, pair.io, pair.s);
      });
    });
    done += indices.length;
    onGroup?.(done);
  }
  const mean = Object.fromEntries(
    CONDITIONS.map((c) => [c, perPair[c].reduce((a, b) => a + b, 0) / perPair[c].length]),
  ) as Record<Condition, number>;
  return { perPair, mean };
}
