import { describe, expect, it } from 'vitest';
import { countScale } from '../../../src/ui/stats/count-scale';

describe('countScale', () => {
  it('gives all-zero counts the domain [0, 1] and one tick step, not [0, 0]', () => {
    expect(countScale([0, 0, 0], 6)).toEqual({ domain: [0, 1], ticks: 1 });
    expect(countScale([], 6)).toEqual({ domain: [0, 1], ticks: 1 });
  });

  it('asks for no more ticks than whole counts, so a small maximum gets no fractional tick', () => {
    expect(countScale([0, 2, 1], 6)).toEqual({ domain: [0, 2], ticks: 2 });
  });

  it('runs from zero to the largest count, with at most maxTicks ticks', () => {
    expect(countScale([12, 300, 7], 6)).toEqual({ domain: [0, 300], ticks: 6 });
  });
});
