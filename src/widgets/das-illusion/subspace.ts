/**
 * The maths of the DAS widget, without the DOM or the model: patching an activation along a
 * one-dimensional subspace, splitting a direction into the part a weight matrix reads and the
 * part it ignores, mixing the two parts at an angle, and reading das.json (written by
 * models/tiny-lm/das.py).
 *
 * Patching along u (Makelov, Lange & Nanda 2023): h' = h_base + û ûᵀ (h_source − h_base). Only the
 * coordinate of h along û changes; every direction orthogonal to û keeps its base value.
 */
import { z } from 'zod';

export type Vector = Float32Array | Float64Array | readonly number[];

export function dot(a: Vector, b: Vector): number {
  if (a.length !== b.length) throw new RangeError(`lengths differ: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export function norm(a: Vector): number {
  return Math.sqrt(dot(a, a));
}

/** a / |a| (a must not be zero). */
export function unit(a: Vector): Float32Array {
  const n = norm(a);
  if (!(n > 0)) throw new RangeError('cannot normalise a zero vector');
  return Float32Array.from(a, (x) => x / n);
}

/** The coordinate of (source − base) along û: how far the patch moves h. */
export function projectedDelta(base: Vector, source: Vector, direction: Vector): number {
  const u = unit(direction);
  let sum = 0;
  for (let i = 0; i < u.length; i++) sum += u[i]! * (source[i]! - base[i]!);
  return sum;
}

/**
 * h_base + û ûᵀ (h_source − h_base): the base activation with its coordinate along `direction`
 * taken from the source. `direction` need not have unit length.
 */
export function patchAlong(base: Vector, source: Vector, direction: Vector): Float32Array {
  const u = unit(direction);
  const step = projectedDelta(base, source, u);
  return Float32Array.from(base, (x, i) => x + step * u[i]!);
}

/**
 * cos θ · d̂ + sin θ · ĉ for θ in degrees: θ = 0 is the dormant part alone, θ = 90 the
 * disconnected part alone, and the learned direction sits at `angleOf(dormant, disconnected)`.
 * The two parts are orthogonal, so the result has unit length.
 */
export function mixAtAngle(dormant: Vector, disconnected: Vector, degrees: number): Float32Array {
  const d = unit(dormant);
  const c = unit(disconnected);
  const t = (degrees * Math.PI) / 180;
  const [cos, sin] = [Math.cos(t), Math.sin(t)];
  return Float32Array.from(d, (x, i) => cos * x + sin * c[i]!);
}

/** The angle in degrees of v = dormant + disconnected from the dormant axis. */
export function angleOf(dormant: Vector, disconnected: Vector): number {
  return (Math.atan2(norm(disconnected), norm(dormant)) * 180) / Math.PI;
}

/**
 * Splits v into its projection onto the column space of W (the part W ᵀ-reads: v·W ≠ 0) and the
 * rest (v·W = 0). `columns` is W's columns as vectors of v's length; they are orthonormalised
 * (Gram–Schmidt) first, so any basis of the read subspace works.
 */
export function splitByReadSpace(
  v: Vector,
  columns: readonly Vector[],
): { read: Float32Array; unread: Float32Array } {
  const basis: Float64Array[] = [];
  for (const column of columns) {
    const q = Float64Array.from(column);
    // Twice, for numerical orthogonality.
    for (let pass = 0; pass < 2; pass++)
      for (const b of basis) {
        const c = dot(q, b);
        for (let i = 0; i < q.length; i++) q[i]! -= c * b[i]!;
      }
    const n = norm(q);
    if (n > 1e-9) basis.push(q.map((x) => x / n));
  }
  const read = new Float32Array(v.length);
  for (const b of basis) {
    const c = dot(v, b);
    for (let i = 0; i < v.length; i++) read[i]! += c * b[i]!;
  }
  const unread = Float32Array.from(v, (x, i) => x - read[i]!);
  return { read, unread };
}

/** Row vector u times a matrix given as rows ([u.length][k]): u @ W. */
export function times(u: Vector, rows: readonly Vector[]): Float32Array {
  const out = new Float32Array(rows[0]?.length ?? 0);
  u.forEach((x, i) => {
    const r = rows[i]!;
    for (let j = 0; j < out.length; j++) out[j]! += x * r[j]!;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// das.json

const conditions = z.object({
  base: z.number(),
  source: z.number(),
  full: z.number(),
  direction: z.number(),
  dormant: z.number(),
  disconnected: z.number(),
});

const parts = z.object({ direction: z.number(), dormant: z.number(), disconnected: z.number() });

const pairSchema = z.object({
  base: z.string(),
  source: z.string(),
  baseIds: z.array(z.number().int()),
  sourceIds: z.array(z.number().int()),
  io: z.number().int(),
  s: z.number().int(),
  positions: z.object({ S2: z.number().int(), END: z.number().int() }),
});

const summary = z.object({
  layer: z.number().int(),
  position: z.enum(['S2', 'END']),
  logitDiff: conditions,
  fractions: z.object({ dormant: z.number(), disconnected: z.number() }),
  meanAbsDeltaProjection: parts,
  readNorm: parts,
});

const siteSchema = summary.extend({
  role: z.enum(['illusory', 'faithful']),
  hook: z.string(),
  perPair: z.object({
    base: z.array(z.number()),
    source: z.array(z.number()),
    full: z.array(z.number()),
    direction: z.array(z.number()),
    dormant: z.array(z.number()),
    disconnected: z.array(z.number()),
  }),
  curve: z.array(z.object({ step: z.number().int(), logitDiff: z.number() })),
  v: z.array(z.number()),
  dormant: z.array(z.number()),
  disconnected: z.array(z.number()),
});

const dasSchema = z.object({
  model: z.string(),
  recipe: z.string(),
  seeds: z.object({ das: z.number(), trainPairs: z.number(), evalPairs: z.number() }),
  training: z.object({ steps: z.number().int(), lr: z.number(), batch: z.number().int() }),
  trainPairs: z.array(pairSchema),
  evalPairs: z.array(pairSchema).min(1),
  survey: z.array(summary),
  sites: z.array(siteSchema).min(1),
});

export type DasPair = z.infer<typeof pairSchema>;
export type DasSite = z.infer<typeof siteSchema>;
export type DasFile = z.infer<typeof dasSchema>;
export type Condition = keyof z.infer<typeof conditions>;

/** The six logit differences the widget compares, in the order it shows them. */
export const CONDITIONS: readonly Condition[] = [
  'base',
  'source',
  'full',
  'direction',
  'dormant',
  'disconnected',
];

export const CONDITION_LABELS: Record<Condition, string> = {
  base: 'base, unpatched',
  source: 'source, unpatched',
  full: 'whole activation patched',
  direction: 'along v (DAS)',
  dormant: 'dormant part only (read by W_out)',
  disconnected: 'disconnected part only (unread)',
};

/** das.json checked against its schema; throws a readable error when it does not fit. */
export function parseDasFile(json: unknown): DasFile {
  const parsed = dasSchema.safeParse(json);
  if (!parsed.success) throw new Error(`das.json is malformed: ${parsed.error.issues[0]?.message}`);
  const file = parsed.data;
  for (const site of file.sites) {
    const width = site.v.length;
    if (site.dormant.length !== width || site.disconnected.length !== width)
      throw new Error(`das.json: the directions at ${site.hook} differ in length`);
    if (site.perPair.direction.length !== file.evalPairs.length)
      throw new Error(`das.json: ${site.hook} has numbers for another set of pairs`);
  }
  return file;
}

/** Where a site patches in a pair: the token position its rule names. */
export function sitePosition(site: Pick<DasSite, 'position'>, pair: DasPair): number {
  return pair.positions[site.position];
}

/** Held-out pairs the widget offers in its menu (its mean uses all of them). */
export const SHOWN_PAIRS = 24;

/**
 * The pair the widget opens on: of the offered pairs, the one where patching along v moves the
 * answer most at the first site, by the recipe's numbers (the illusion is uneven across pairs).
 */
export function openingPair(das: Pick<DasFile, 'sites' | 'evalPairs'>): number {
  const { base, direction } = das.sites[0]!.perPair;
  const moveOf = (k: number) => base[k]! - direction[k]!;
  let start = 0;
  for (let k = 1; k < Math.min(SHOWN_PAIRS, das.evalPairs.length); k++)
    if (moveOf(k) > moveOf(start)) start = k;
  return start;
}
