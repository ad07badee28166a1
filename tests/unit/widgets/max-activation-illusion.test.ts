import { describe, expect, it } from 'vitest';
import {
  firingTokens,
  overlap,
  pooledShare,
  rankByIllusion,
  tokenOwnership,
  topContexts,
  twoFaces,
  unitValues,
  windowsOf,
  type Activations,
} from '../../../src/widgets/max-activation-illusion/max-activation';

const BOS = 0;

/** Activations [windows, positions, width] where unit u at (w, p) is value(w, p, u). */
function activations(
  windows: number,
  positions: number,
  width: number,
  value: (w: number, p: number, u: number) => number,
): Activations {
  const data = new Float32Array(windows * positions * width);
  for (let w = 0; w < windows; w++)
    for (let p = 0; p < positions; p++)
      for (let u = 0; u < width; u++) data[(w * positions + p) * width + u] = value(w, p, u);
  return { data, dims: [windows, positions, width] };
}

describe('cutting documents into windows of equal length', () => {
  it('joins the documents, drops their own bos, and starts every window with bos', () => {
    const docs = [
      [BOS, 1, 2, 3],
      [BOS, 4, 5],
      [BOS, 6, 7, 8, 9],
    ];
    expect(windowsOf(docs, 4, BOS)).toEqual([
      [BOS, 1, 2, 3],
      [BOS, 4, 5, 6],
      [BOS, 7, 8, 9],
    ]);
  });

  it('leaves out the last partial window, so one batch has one length', () => {
    expect(windowsOf([[1, 2, 3, 4, 5]], 2, null)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(() => windowsOf([[1]], 1, BOS)).toThrow(RangeError);
  });
});

describe('the top-activating contexts of one unit', () => {
  // Unit 0 fires at (window 2, position 3) most, then (0, 1); unit 1 is the negative of unit 0.
  const peaks = new Map([
    ['2,3', 9],
    ['0,1', 5],
    ['0,2', 4],
    ['1,2', 2],
  ]);
  const acts = activations(
    3,
    4,
    2,
    (w, p, u) => (u === 0 ? 1 : -1) * (peaks.get(`${w},${p}`) ?? 0),
  );

  it('takes each window at its strongest token and ranks windows by it', () => {
    expect(topContexts(acts, 0, 3)).toEqual([
      { window: 2, position: 3, activation: 9 },
      { window: 0, position: 1, activation: 5 },
      { window: 1, position: 2, activation: 2 },
    ]);
    expect(topContexts(acts, 0, 1)).toHaveLength(1);
  });

  it('ignores the bos position, where every unit reads the same token', () => {
    const atBos = activations(1, 3, 1, (_, p) => (p === 0 ? 100 : p));
    expect(topContexts(atBos, 0, 1)[0]).toEqual({ window: 0, position: 2, activation: 2 });
    expect(Array.from(unitValues(atBos, 0))).toEqual([1, 2]);
  });

  it('refuses a unit outside the layer', () => {
    expect(() => topContexts(acts, 2, 1)).toThrow(RangeError);
  });

  it('counts the tokens a unit fires on, most frequent first', () => {
    const windows = [
      [BOS, 7, 8, 9],
      [BOS, 7, 5, 9],
      [BOS, 1, 2, 7],
    ];
    const contexts = [
      { window: 0, position: 1, activation: 3 },
      { window: 1, position: 3, activation: 2 },
      { window: 2, position: 3, activation: 1 },
    ];
    expect(firingTokens(contexts, windows)).toEqual([
      { token: 7, count: 2 },
      { token: 9, count: 1 },
    ]);
  });
});

describe('a unit with two faces', () => {
  // Two distributions with disjoint vocabularies: "news" tokens 10..19, "story" tokens 20..29.
  const news = [0, 1, 2, 3].map((w) => [BOS, 10 + w, 11 + w, 12 + w]);
  const story = [0, 1, 2, 3].map((w) => [BOS, 20 + w, 21 + w, 22 + w]);
  // Unit 0 fires on token 12 in news and token 23 in story (two faces); unit 1 fires on the
  // last token everywhere (different tokens too, but weakly on story); unit 2 fires on nothing.
  const actsFor = (windows: number[][], strongOn: number) =>
    activations(windows.length, 4, 3, (w, p, u) => {
      const token = windows[w]![p]!;
      if (u === 0) return token === strongOn ? 5 : 0.1;
      if (u === 1) return p === 3 ? (strongOn === 12 ? 4 : 0.5) : 0;
      return 0;
    });
  const first = { acts: actsFor(news, 12), windows: news };
  const second = { acts: actsFor(story, 23), windows: story };

  it('shows different firing tokens on each distribution, and fires strongly on both', () => {
    const faces = twoFaces(0, first, second, 2);
    expect(firingTokens(faces.first, news)[0]!.token).toBe(12);
    expect(firingTokens(faces.second, story)[0]!.token).toBe(23);
    expect(faces.tokenOverlap).toBe(0);
    expect(faces.score).toBeCloseTo(1, 10);
  });

  it('ranks the convincing two-faced unit first and the silent one last', () => {
    const ranking = rankByIllusion(first, second, 2);
    expect(ranking.map((faces) => faces.unit)).toEqual([0, 1, 2]);
    // Unit 1: weak on story (0.5 against 4), and each top context ends on a different token.
    expect(ranking[1]!.score).toBeCloseTo((0.5 / 4) * 0.5, 10);
    expect(ranking[2]!.score).toBe(0);
  });

  it('measures token overlap as a Jaccard index', () => {
    expect(overlap([1, 2, 3], [3, 4])).toBeCloseTo(1 / 4, 12);
    expect(overlap([], [])).toBe(0);
  });

  it('says how many of the pooled top contexts each distribution supplies', () => {
    const a = [9, 8, 1].map((activation, window) => ({ window, position: 1, activation }));
    const b = [7, 2, 0.5].map((activation, window) => ({ window, position: 1, activation }));
    expect(pooledShare(a, b, 4)).toEqual({ first: 2, second: 2 });
    expect(pooledShare(a, b, 3)).toEqual({ first: 2, second: 1 });
  });

  it('says how much each token belongs to one distribution rather than the other', () => {
    const ownership = tokenOwnership(
      [
        [BOS, 1, 2, 9],
        [BOS, 1, 9, 9],
      ],
      [[BOS, 3, 9]],
    );
    expect(ownership.get(1)).toBe(1);
    expect(ownership.get(3)).toBe(0);
    // Token 9 is half of the first text and half of the second: shared, a function word.
    expect(ownership.get(9)).toBeCloseTo(0.5, 12);
    expect(ownership.has(BOS)).toBe(false);
  });

  it('prefers faces typical of their own text over a token both texts share', () => {
    // Both distributions end every window with token 99 (a full stop); unit 1 fires on it in
    // news and on a story word; unit 0 fires on a news word and a story word.
    const newsWindows = [0, 1, 2, 3].map((w) => [BOS, 10 + w, 11 + w, 99]);
    const storyWindows = [0, 1, 2, 3].map((w) => [BOS, 20 + w, 21 + w, 99]);
    const acts = (windows: number[][], word: number) =>
      activations(windows.length, 4, 2, (w, p, u) => {
        const token = windows[w]![p]!;
        if (u === 0) return token === word ? 3 : 0;
        return token === (word < 20 ? 99 : word) ? 3 : 0;
      });
    const ranking = rankByIllusion(
      { acts: acts(newsWindows, 12), windows: newsWindows },
      { acts: acts(storyWindows, 22), windows: storyWindows },
      2,
    );
    expect(ranking.map((faces) => faces.unit)).toEqual([0, 1]);
    expect(ranking[1]!.score).toBeLessThan(ranking[0]!.score * 0.8);
  });
});
