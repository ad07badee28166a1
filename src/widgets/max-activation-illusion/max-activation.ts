/**
 * Max-activating examples on two text distributions (Bolukbasi et al. 2021, "An Interpretability
 * Illusion for BERT"): cut each distribution into windows of equal length, read one unit's
 * activation at every token, and list the contexts where it is largest — separately per
 * distribution, so the two "interpretations" can be compared. Pure numbers and token ids; the
 * widget supplies the activations through src/ml.
 */

/**
 * Consecutive windows of `length` token ids cut from the documents joined end to end: each
 * window starts with `bos` (when given) followed by length − 1 (or length) document tokens. The
 * documents' own leading bos is dropped; a final partial window is left out, so every window has
 * the same length (one batched model call).
 */
export function windowsOf(
  documents: readonly (readonly number[])[],
  length: number,
  bos: number | null,
): number[][] {
  const body = bos === null ? length : length - 1;
  if (!Number.isInteger(length) || body < 1) throw new RangeError(`window length ${length}`);
  const stream = documents.flatMap((doc) => (bos !== null && doc[0] === bos ? doc.slice(1) : doc));
  const windows: number[][] = [];
  for (let start = 0; start + body <= stream.length; start += body) {
    const piece = stream.slice(start, start + body);
    windows.push(bos === null ? piece : [bos, ...piece]);
  }
  return windows;
}

/** One unit's activations over a batch of windows: [windows, positions, width] row-major. */
export interface Activations {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** A context where a unit fires: which window, at which token, how strongly. */
export interface TopContext {
  readonly window: number;
  readonly position: number;
  readonly activation: number;
}

function shape(acts: Activations): [number, number, number] {
  const [windows, positions, width] = acts.dims as [number, number, number];
  if (acts.dims.length !== 3 || acts.data.length !== windows * positions * width) {
    throw new RangeError(`activations must be [windows, positions, width], got [${acts.dims}]`);
  }
  return [windows, positions, width];
}

/**
 * The `k` windows where `unit` fires most, each at its strongest token, strongest first (one
 * context per window, as a reader would see the top examples). Positions before `fromPosition`
 * (the bos token) are ignored.
 */
export function topContexts(
  acts: Activations,
  unit: number,
  k: number,
  fromPosition = 1,
): TopContext[] {
  const [windows, positions, width] = shape(acts);
  if (!Number.isInteger(unit) || unit < 0 || unit >= width) throw new RangeError(`unit ${unit}`);
  const best: TopContext[] = [];
  for (let w = 0; w < windows; w++) {
    let position = -1;
    let activation = -Infinity;
    for (let p = fromPosition; p < positions; p++) {
      const value = acts.data[(w * positions + p) * width + unit]!;
      if (value > activation) {
        activation = value;
        position = p;
      }
    }
    if (position >= 0) best.push({ window: w, position, activation });
  }
  return best.sort((a, b) => b.activation - a.activation || a.window - b.window).slice(0, k);
}

/** Every activation of `unit` (positions from `fromPosition`), for its histogram. */
export function unitValues(acts: Activations, unit: number, fromPosition = 1): Float32Array {
  const [windows, positions, width] = shape(acts);
  const out = new Float32Array(windows * (positions - fromPosition));
  let i = 0;
  for (let w = 0; w < windows; w++)
    for (let p = fromPosition; p < positions; p++)
      out[i++] = acts.data[(w * positions + p) * width + unit]!;
  return out;
}

/** The tokens a unit fires on in its top contexts, most frequent first (ties: first seen). */
export function firingTokens(
  contexts: readonly TopContext[],
  windows: readonly (readonly number[])[],
): { token: number; count: number }[] {
  const counts = new Map<number, number>();
  for (const { window, position } of contexts) {
    const token = windows[window]![position]!;
    counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  return [...counts].map(([token, count]) => ({ token, count })).sort((a, b) => b.count - a.count);
}

/** Share of the token ids two lists have in common (Jaccard index of the two sets, 0…1). */
export function overlap(a: readonly number[], b: readonly number[]): number {
  const left = new Set(a);
  const right = new Set(b);
  let shared = 0;
  for (const token of left) if (right.has(token)) shared += 1;
  const union = left.size + right.size - shared;
  return union === 0 ? 0 : shared / union;
}

/**
 * How much each token belongs to the first distribution rather than the second: its relative
 * frequency in the first over the sum of its relative frequencies in both (1: only in the first,
 * 0.5: as common in both — function words and punctuation). Positions before `fromPosition`
 * (bos) are not counted.
 */
export function tokenOwnership(
  first: readonly (readonly number[])[],
  second: readonly (readonly number[])[],
  fromPosition = 1,
): Map<number, number> {
  const frequencies = (windows: readonly (readonly number[])[]) => {
    const counts = new Map<number, number>();
    let total = 0;
    for (const window of windows)
      for (const token of window.slice(fromPosition)) {
        counts.set(token, (counts.get(token) ?? 0) + 1);
        total += 1;
      }
    for (const [token, count] of counts) counts.set(token, count / Math.max(1, total));
    return counts;
  };
  const a = frequencies(first);
  const b = frequencies(second);
  const ownership = new Map<number, number>();
  for (const token of new Set([...a.keys(), ...b.keys()])) {
    const fa = a.get(token) ?? 0;
    ownership.set(token, fa / (fa + (b.get(token) ?? 0)));
  }
  return ownership;
}

/** A unit's two faces: its top contexts on each distribution and how different they look. */
export interface TwoFaces {
  readonly unit: number;
  readonly first: TopContext[];
  readonly second: TopContext[];
  /** Jaccard overlap of the tokens fired on in the two top lists (0: nothing in common). */
  readonly tokenOverlap: number;
  /**
   * How convincing the illusion is, 0…1: it fires strongly on both distributions (the weaker top
   * activation over the stronger), on different tokens (1 − overlap), each face looks like one
   * clear thing (the share of the top contexts on each side's most common token), and that thing
   * is typical of its own distribution (the token's ownership, see tokenOwnership) — the last two
   * as geometric means over the two sides.
   */
  readonly score: number;
}

/** The two faces of one unit on two distributions (activations of the same layer). */
export function twoFaces(
  unit: number,
  first: { acts: Activations; windows: readonly (readonly number[])[] },
  second: { acts: Activations; windows: readonly (readonly number[])[] },
  k: number,
  ownership: ReadonlyMap<number, number> = tokenOwnership(first.windows, second.windows),
): TwoFaces {
  const a = topContexts(first.acts, unit, k);
  const b = topContexts(second.acts, unit, k);
  const firingA = firingTokens(a, first.windows);
  const firingB = firingTokens(b, second.windows);
  const tokenOverlap = overlap(
    firingA.map((t) => t.token),
    firingB.map((t) => t.token),
  );
  const topA = a[0]?.activation ?? 0;
  const topB = b[0]?.activation ?? 0;
  const strength = topA > 0 && topB > 0 ? Math.min(topA, topB) / Math.max(topA, topB) : 0;
  const clarity = Math.sqrt(
    ((firingA[0]?.count ?? 0) / Math.max(1, a.length)) *
      ((firingB[0]?.count ?? 0) / Math.max(1, b.length)),
  );
  const typical = Math.sqrt(
    (firingA[0] ? (ownership.get(firingA[0].token) ?? 0) : 0) *
      (firingB[0] ? 1 - (ownership.get(firingB[0].token) ?? 1) : 0),
  );
  return {
    unit,
    first: a,
    second: b,
    tokenOverlap,
    score: strength * (1 - tokenOverlap) * clarity * typical,
  };
}

/**
 * The units of a layer ranked by how different their two faces look (score, highest first):
 * where to start looking for the illusion.
 */
export function rankByIllusion(
  first: { acts: Activations; windows: readonly (readonly number[])[] },
  second: { acts: Activations; windows: readonly (readonly number[])[] },
  k: number,
): TwoFaces[] {
  const width = shape(first.acts)[2];
  const ownership = tokenOwnership(first.windows, second.windows);
  return Array.from({ length: width }, (_, unit) =>
    twoFaces(unit, first, second, k, ownership),
  ).sort((x, y) => y.score - x.score || x.unit - y.unit);
}

/**
 * Where the top-k contexts come from when the two distributions are pooled: how many of the
 * pooled top k each distribution supplies. A reader with only the pooled list sees mostly one
 * side's story.
 */
export function pooledShare(a: readonly TopContext[], b: readonly TopContext[], k: number) {
  const pooled = [
    ...a.map((c) => ({ ...c, from: 0 as const })),
    ...b.map((c) => ({ ...c, from: 1 as const })),
  ]
    .sort((x, y) => y.activation - x.activation)
    .slice(0, k);
  const first = pooled.filter((c) => c.from === 0).length;
  return { first, second: pooled.length - first };
}
