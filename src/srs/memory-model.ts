/**
 * FSRS's memory model, apart from scheduling: turning a review log into the training items the
 * FSRS optimizer reads, and measuring how well a set of parameters predicts that log. With
 * scheduler.ts, the only module that imports ts-fsrs. The optimizer itself is the FSRS project's
 * (fsrs-browser, run by optimizer.ts); nothing here fits parameters.
 */
import { dayNumber } from './day';
import { createMemoryModel, DEFAULT_PARAMETERS, type MemoryState } from './scheduler';
import type { Grade, ReviewLogEntry } from './types';

export { DEFAULT_PARAMETERS };

/**
 * One training item, as the FSRS optimizer defines it: a card's reviews up to and including one
 * whose outcome is to be predicted. `deltaDays[i]` is the number of scheduler days since the
 * previous review (0 for the first and for same-day reviews).
 */
export interface TrainingItem {
  grades: Grade[];
  deltaDays: number[];
}

/** Items packed as fsrs-browser's `computeParameters` takes them. */
export interface PackedItems {
  ratings: Uint32Array;
  deltaTs: Uint32Array;
  lengths: Uint32Array;
}

/**
 * Every card's history cut at each review that came on a later day than the one before it: the
 * reviews whose outcome the model's forgetting curve predicts. Same-day reviews stay in the
 * histories (they move stability) but are not predicted, as in the FSRS optimizer.
 */
export function trainingItems(
  log: readonly Pick<ReviewLogEntry, 'cardId' | 'grade' | 'review'>[],
  dayStartHour: number,
): TrainingItem[] {
  const byCard = new Map<string, { grade: Grade; review: number }[]>();
  for (const row of log) {
    const rows = byCard.get(row.cardId);
    if (rows) rows.push(row);
    else byCard.set(row.cardId, [row]);
  }
  const items: TrainingItem[] = [];
  for (const cardId of [...byCard.keys()].sort()) {
    const rows = byCard.get(cardId)!.sort((a, b) => a.review - b.review);
    const grades: Grade[] = [];
    const deltaDays: number[] = [];
    let lastDay: number | null = null;
    for (const row of rows) {
      const day = dayNumber(row.review, dayStartHour);
      const delta = lastDay === null ? 0 : Math.max(0, day - lastDay);
      grades.push(row.grade);
      deltaDays.push(delta);
      lastDay = day;
      if (grades.length > 1 && delta > 0) {
        items.push({ grades: [...grades], deltaDays: [...deltaDays] });
      }
    }
  }
  return items;
}

export function packItems(items: readonly TrainingItem[]): PackedItems {
  const total = items.reduce((sum, item) => sum + item.grades.length, 0);
  const ratings = new Uint32Array(total);
  const deltaTs = new Uint32Array(total);
  const lengths = new Uint32Array(items.length);
  let at = 0;
  for (const [index, item] of items.entries()) {
    ratings.set(item.grades, at);
    deltaTs.set(item.deltaDays, at);
    at += item.grades.length;
    lengths[index] = item.grades.length;
  }
  return { ratings, deltaTs, lengths };
}

/** How well parameters predict whether each item's last review was recalled. */
export interface Fit {
  /** Mean negative log-likelihood of the outcomes (lower is better). */
  logLoss: number;
  /**
   * Calibration error: predictions grouped into 20 bins of predicted recall, the root of the
   * count-weighted mean squared gap between each bin's mean prediction and its recall rate.
   */
  rmse: number;
  /** Items evaluated. */
  count: number;
}

const BINS = 20;
const EPSILON = 1e-6;

/** The predicted probability of recalling each item's last review under `parameters`. */
export function predictRecall(items: readonly TrainingItem[], parameters: readonly number[]) {
  const model = createMemoryModel(parameters);
  return items.map((item) => {
    let state: MemoryState | null = null;
    const last = item.grades.length - 1;
    for (let i = 0; i < last; i++) state = model.next(state, item.deltaDays[i]!, item.grades[i]!);
    return model.recall(item.deltaDays[last]!, state!.stability);
  });
}

/** Log loss and binned RMSE of `parameters` on `items` (NaN for both when there are none). */
export function evaluateFit(items: readonly TrainingItem[], parameters: readonly number[]): Fit {
  const predictions = predictRecall(items, parameters);
  const sums = Array.from({ length: BINS }, () => ({ n: 0, predicted: 0, recalled: 0 }));
  let loss = 0;
  for (const [index, item] of items.entries()) {
    const p = Math.min(1 - EPSILON, Math.max(EPSILON, predictions[index]!));
    const recalled = item.grades[item.grades.length - 1]! > 1 ? 1 : 0;
    loss -= recalled ? Math.log(p) : Math.log(1 - p);
    const bin = sums[Math.min(BINS - 1, Math.floor(p * BINS))]!;
    bin.n++;
    bin.predicted += p;
    bin.recalled += recalled;
  }
  let squared = 0;
  for (const bin of sums) {
    if (bin.n > 0) squared += bin.n * ((bin.predicted - bin.recalled) / bin.n) ** 2;
  }
  const count = items.length;
  return { logLoss: loss / count, rmse: Math.sqrt(squared / count), count };
}
