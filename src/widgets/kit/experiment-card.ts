/**
 * Experiment cards: the contract between a technique widget's experiment and the review screens.
 * A card of kind "experiment" names a runner; in review the runner poses its prediction on a fresh
 * setting drawn from held-out templates (so the answer cannot be memorised), the reader commits,
 * the runner runs the model in the page, and judge() (prediction.ts) says whether it held. Where
 * the model cannot be had, the card's own front and back are the static worked example.
 *
 * Runners are pure apart from the models and files that `ExperimentEnv` hands them: the review
 * screens give them the page's cached loaders, the Node tests give them the committed files.
 */
import type { HookedModel, LoadProgress } from '../../ml';
import type { Outcome } from './prediction';

/** How the reader answers: one of a few choices, or a number in a range. */
export type PredictionAsked =
  | {
      readonly kind: 'choice';
      readonly choices: readonly { readonly value: string; readonly label: string }[];
    }
  | {
      readonly kind: 'number';
      readonly min: number;
      readonly max: number;
      /** Shown after the field, e.g. "logits". */
      readonly unit?: string;
    };

/** What the reader sees before the model runs. `T` is what `run` needs and the reader does not. */
export interface PosedExperiment<T = unknown> {
  /** The fresh setting in plain text: the prompt (or prompt pair), the setting of a slider. */
  readonly setup: string;
  /** The prediction asked for, one sentence ending in "?". */
  readonly question: string;
  readonly asked: PredictionAsked;
  readonly data: T;
}

/** What the model gave, judged against the reader's prediction with judge(). */
export interface ExperimentResult {
  readonly outcome: Outcome;
  /** One line: what the model did, in tokens and units. */
  readonly result: string;
  /** One line: why, in terms of the technique. */
  readonly reason: string;
}

/** What a runner may use: the models and files of public/models/, however the host gets them. */
export interface ExperimentEnv {
  /** A model by folder name (tiny-lm, attn-only-2l, modadd), loaded once per page. */
  model(name: string, onProgress?: (progress: LoadProgress) => void): Promise<HookedModel>;
  /** A JSON file of a model folder, e.g. ('tiny-lm', 'eval-sets.json'). */
  json(model: string, path: string): Promise<unknown>;
  /** A binary file of a model folder that its index names with a sha256 (SAEs, checkpoints). */
  bytes(model: string, path: string, sha256: string): Promise<Uint8Array>;
}

/** One experiment card's live part. */
export interface ExperimentRunner<T = unknown> {
  /** The id a deck card's `experiment` field names: `<widget-id>/<name>`. */
  readonly id: string;
  /** The model folders it needs, for "not downloaded yet" and the download offer. */
  readonly models: readonly string[];
  /** A fresh setting from held-out templates; the same seed gives the same setting. */
  pose(seed: number, env: ExperimentEnv): Promise<PosedExperiment<T>>;
  /** Runs the model on the setting `pose` drew. */
  run(
    posed: PosedExperiment<T>,
    env: ExperimentEnv,
    onProgress?: (progress: LoadProgress) => void,
  ): Promise<ExperimentResult>;
}
