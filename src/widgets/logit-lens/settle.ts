/**
 * When the logit lens "settles": the first layer from which the lens's top token at a position is
 * already the model's final one, and which third of the columns that falls in. Shared by the
 * widget's prediction and its experiment card, so both judge the same way.
 */
import type { LensGrid } from '../tiny-lm-experiments/lens';

/** Where the answer first shows for good: early columns, later ones, or only the model's output. */
export type SettleChoice = 'early' | 'late' | 'last';

/**
 * The first layer (row of `grid.cells`) from which every later layer's top token at `position`
 * is the model's final top token there. The last layer when only the output shows it.
 */
export function settledLayer(grid: LensGrid, position = grid.positions.length - 1): number {
  const layers = grid.cells.length;
  const final = grid.cells[layers - 1]![position]!.token;
  let settled = layers - 1;
  while (settled > 0 && grid.cells[settled - 1]![position]!.token === final) settled--;
  return settled;
}

/** Which part of `layers` columns layer `settled` is in: the first half, later, or the last. */
export function settleChoice(settled: number, layers: number): SettleChoice {
  if (settled === layers - 1) return 'last';
  return settled < layers / 2 ? 'early' : 'late';
}
