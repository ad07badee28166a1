/**
 * The domain and tick count of a chart axis (or colour scale) that counts whole things: cards due,
 * reviews a day, cards in a state. Left to Plot, a scale whose values are all zero has the domain
 * [0, 0], which draws every bar at full height, every heatmap cell in the ramp's middle colour and
 * one tick labelled 0.000000; and a small maximum gets fractional ticks (0.5 cards).
 */
export interface CountScale {
  domain: [number, number];
  /** Plot's `ticks`: at most one tick per whole count, and never more than `maxTicks`. */
  ticks: number;
}

export function countScale(values: readonly number[], maxTicks: number): CountScale {
  const max = values.reduce((top, value) => Math.max(top, value), 0);
  const top = Math.max(1, Math.ceil(max));
  return { domain: [0, top], ticks: Math.max(1, Math.min(top, maxTicks)) };
}
