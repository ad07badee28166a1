/**
 * Personal FSRS parameters: the reader's review log → training items → the FSRS project's
 * optimizer (fsrs-browser, FSRS-rs compiled to WebAssembly) → parameters, with the fit of the
 * defaults and of the new parameters measured on the same history. The optimizer is passed in
 * (`Trainer`), so the pipeline runs the same in the page's worker, in Node tests and in the bench.
 */
import type { Fsrs, Progress } from 'fsrs-browser';
import {
  DEFAULT_PARAMETERS,
  evaluateFit,
  packItems,
  trainingItems,
  type Fit,
  type PackedItems,
  type TrainingItem,
} from './memory-model';
import { fsrsParametersSchema } from './settings';
import type { ReviewLogEntry } from './types';

/**
 * Fewer predictable reviews than this and the optimizer is not run: on small logs the fitted
 * parameters swing from run to run of the reader's next reviews, so the fit would mislead.
 */
export const MIN_TRAINING_ITEMS = 1000;

/** Runs the optimizer on packed items and returns its parameters. */
export type Trainer = (items: PackedItems) => number[] | Promise<number[]>;

export type OptimizerStage =
  'preparing' | 'evaluating-defaults' | 'training' | 'evaluating-personal';

export type OptimizerResult =
  | { status: 'too-few'; items: number; needed: number }
  | {
      status: 'fitted';
      items: number;
      parameters: number[];
      defaults: Fit;
      personal: Fit;
      /** The personal parameters predict this history better (lower log loss) than the defaults. */
      better: boolean;
      trainingMs: number;
    };

export class OptimizerError extends Error {
  override name = 'OptimizerError';
}

/** Check what the optimizer returned before anything can store it. */
export function checkedParameters(raw: ArrayLike<number>): number[] {
  const parsed = fsrsParametersSchema.safeParse(Array.from(raw));
  if (!parsed.success || parsed.data.some((value) => !Number.isFinite(value))) {
    throw new OptimizerError('the optimizer returned parameters FSRS cannot use');
  }
  return parsed.data;
}

/** Fit personal parameters to training items (see `fitPersonalParameters`). */
export async function fitItems(
  items: readonly TrainingItem[],
  train: Trainer,
  onStage: (stage: OptimizerStage) => void = () => {},
  clock: () => number = () => performance.now(),
): Promise<OptimizerResult> {
  if (items.length < MIN_TRAINING_ITEMS) {
    return { status: 'too-few', items: items.length, needed: MIN_TRAINING_ITEMS };
  }
  onStage('evaluating-defaults');
  const defaults = evaluateFit(items, DEFAULT_PARAMETERS);
  onStage('training');
  const started = clock();
  const parameters = checkedParameters(await train(packItems(items)));
  const trainingMs = clock() - started;
  onStage('evaluating-personal');
  const personal = evaluateFit(items, parameters);
  return {
    status: 'fitted',
    items: items.length,
    parameters,
    defaults,
    personal,
    better: personal.logLoss < defaults.logLoss,
    trainingMs,
  };
}

/**
 * Fit personal parameters to a review log. Too few predictable reviews: says so and runs nothing.
 */
export function fitPersonalParameters(
  log: readonly Pick<ReviewLogEntry, 'cardId' | 'grade' | 'review'>[],
  dayStartHour: number,
  train: Trainer,
  onStage: (stage: OptimizerStage) => void = () => {},
): Promise<OptimizerResult> {
  onStage('preparing');
  return fitItems(trainingItems(log, dayStartHour), train, onStage);
}

/** The parts of the fsrs-browser module the trainer uses (after its WebAssembly is loaded). */
export interface FsrsBrowser {
  Fsrs: typeof Fsrs;
  Progress: typeof Progress;
}

/**
 * A Trainer that runs fsrs-browser's optimizer on the calling thread (in the page: the worker).
 * `onProgressPointer` receives the address in WebAssembly memory where the optimizer counts its
 * progress ([items processed, items total]), before training starts.
 */
export function fsrsBrowserTrainer(
  fsrs: FsrsBrowser,
  onProgressPointer: (pointer: number) => void = () => {},
): Trainer {
  return (items) => {
    const progress = fsrs.Progress.new();
    onProgressPointer(progress.pointer());
    const optimizer = new fsrs.Fsrs();
    // computeParameters consumes the optimizer and the progress object (Rust frees both).
    const fitted = optimizer.computeParameters(
      items.ratings,
      items.deltaTs,
      items.lengths,
      progress,
      true,
    );
    return Array.from(fitted);
  };
}
