/**
 * Predict, then run: the pure part. A reader commits to a prediction (one of a few choices, or a
 * number) before a widget shows its result; these functions say whether the prediction held and
 * word the comparison. No DOM: predict.ts wires them to the Predict.astro markup.
 */

/** What a widget's experiment actually gave, in the terms its prediction was asked in. */
export type Outcome =
  | { readonly kind: 'choice'; readonly value: string; readonly label?: string }
  | { readonly kind: 'number'; readonly value: number; readonly tolerance: number };

/** Whether a prediction held, and a sentence comparing it with the outcome. */
export interface Verdict {
  readonly held: boolean;
  readonly comparison: string;
}

/** A number read from what the reader typed, or why it could not be read. */
export type ReadNumber = { readonly value: number } | { readonly problem: string };

/** Formats a number for a comparison sentence: at most `digits` decimals, no trailing zeros. */
function shown(value: number, digits = 2): string {
  return String(Number(value.toFixed(digits))).replace('-', '−');
}

/**
 * Judges a prediction against an outcome. A choice holds when it is the outcome's choice; a
 * number holds when it is within the outcome's tolerance (inclusive) of the outcome's value.
 */
export function judge(predicted: string | number, outcome: Outcome): Verdict {
  if (outcome.kind === 'choice') {
    const held = predicted === outcome.value;
    const actual = outcome.label ?? outcome.value;
    return {
      held,
      comparison: held ? `Your prediction held: ${actual}.` : `Not this time: it was ${actual}.`,
    };
  }
  if (typeof predicted !== 'number' || !Number.isFinite(predicted))
    throw new Error('a number prediction needs a finite number');
  const off = Math.abs(predicted - outcome.value);
  // The edge counts as within: 0.9 − 0.7 is 0.20000000000000007 in floating point.
  const held = off <= outcome.tolerance + 1e-9;
  const comparison = held
    ? `Your prediction held: ${shown(predicted, 3)} against ${shown(outcome.value, 3)} (within ${shown(outcome.tolerance, 3)}).`
    : `Not this time: you said ${shown(predicted, 3)}, the model gave ${shown(outcome.value, 3)} (off by ${shown(off, 3)}).`;
  return { held, comparison };
}

/**
 * Reads a predicted number from a text field: a decimal (a comma also counts as the decimal
 * point) between `min` and `max` inclusive; otherwise a message saying what is expected.
 */
export function readPredictedNumber(text: string, min: number, max: number): ReadNumber {
  const trimmed = text.trim().replace(',', '.').replace('−', '-');
  const expected = `Type a number from ${shown(min)} to ${shown(max)}.`;
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(trimmed)) return { problem: expected };
  const value = Number(trimmed);
  if (value < min || value > max) return { problem: expected };
  return { value };
}
