/**
 * Experiment cards in review, the pure part: whether a card can run its model now, what the
 * reader is told when it cannot, how a prediction is read from the form, and the grade its verdict
 * suggests. The DOM (experiment-card.ts) follows these decisions.
 */
import type { Grade } from '../../srs/types';
import type { ExperimentEnv, PredictionAsked } from '../../widgets/experiment-host';
import { readPredictedNumber } from '../../widgets/experiment-host';
import { formatBytes, type WidgetDownloadPlan } from '../offline/widget-download';

/** What the card does on showing: run the model, offer its download, or show the worked example. */
export type Availability =
  | { readonly kind: 'run' }
  | { readonly kind: 'offer'; readonly bytes: number }
  | { readonly kind: 'unavailable'; readonly reason: string };

/**
 * The models are here when none of their files is missing from the caches; then the card runs
 * without asking (online, onnxruntime's files come from the network if they are not saved yet, as
 * for any widget). Otherwise an online reader is offered the download, and an offline one gets
 * the worked example.
 */
export function experimentAvailability(
  plan: Pick<WidgetDownloadPlan, 'missing'>,
  online: boolean,
  models: readonly string[],
): Availability {
  // A runner that needs no model folder (one that trains a toy model in the page) always runs.
  if (models.length === 0) return { kind: 'run' };
  const modelsMissing = plan.missing.some((file) => file.kind !== 'runtime');
  const runtimeMissing = plan.missing.some((file) => file.kind === 'runtime');
  if (!modelsMissing && (online || !runtimeMissing)) return { kind: 'run' };
  if (online) {
    return { kind: 'offer', bytes: plan.missing.reduce((sum, file) => sum + file.bytes, 0) };
  }
  return {
    kind: 'unavailable',
    reason: modelsMissing
      ? `You are offline and ${modelNames(models)} ${models.length === 1 ? 'is' : 'are'} not saved in this browser, so this card shows its worked example instead.`
      : 'You are offline and the runtime the models need is not saved in this browser, so this card shows its worked example instead.',
  };
}

/** "tiny-lm", "tiny-lm and tiny-lm-saes". */
export function modelNames(models: readonly string[]): string {
  if (models.length <= 1) return models[0] ?? 'its model';
  return `${models.slice(0, -1).join(', ')} and ${models.at(-1)}`;
}

/** The download offer's sentence: "This card runs tiny-lm (16.3 MB, not downloaded yet)." */
export function downloadOffer(models: readonly string[], bytes: number): string {
  return `This card runs ${modelNames(models)} in the page (${formatBytes(bytes)}, not downloaded yet).`;
}

/** Why the card shows its worked example when the model could not run (or load). */
export function failureMessage(error: unknown): string {
  const detail = error instanceof Error ? error.message : String(error);
  return `The model could not run here (${detail}), so this card shows its worked example instead.`;
}

/** What the reader committed to, or why the form's value is not a prediction yet. */
export type ReadPrediction = { readonly value: string | number } | { readonly problem: string };

/**
 * Reads the reader's prediction: a choice must be one of those offered, a number must be a number
 * in the asked range (a comma counts as the decimal point). `raw` is the form's value, null when
 * no choice is checked.
 */
export function readPrediction(asked: PredictionAsked, raw: string | null): ReadPrediction {
  if (asked.kind === 'choice') {
    const chosen = asked.choices.find((choice) => choice.value === raw);
    return chosen ? { value: chosen.value } : { problem: 'Choose one answer first.' };
  }
  const read = readPredictedNumber(raw ?? '', asked.min, asked.max);
  return 'problem' in read ? { problem: read.problem } : { value: read.value };
}

/** The grade the verdict pre-selects: Good when the prediction held, Again when it did not. */
export function suggestedGrade(held: boolean): Grade {
  return held ? 3 : 1;
}

/**
 * A fresh seed for each showing of a card, so the runner poses another held-out setting every
 * review (a card cannot be answered from memory of its prompt).
 */
export function freshSeed(
  random: (values: Uint32Array) => Uint32Array = (values) => crypto.getRandomValues(values),
): number {
  return random(new Uint32Array(1))[0] ?? 0;
}

/**
 * Wraps `env` so that it notes the backend of every model the runner actually loads through it,
 * in load order without repeats: the card says where the model ran without loading anything
 * itself (a runner may list a model folder it only reads files from, or one that is no model).
 */
export function backendRecordingEnv(env: ExperimentEnv): {
  readonly env: ExperimentEnv;
  readonly backends: () => readonly string[];
} {
  const seen = new Set<string>();
  return {
    env: {
      ...env,
      model: async (name, onProgress) => {
        const model = await env.model(name, onProgress);
        seen.add(model.backend);
        return model;
      },
    },
    backends: () => [...seen],
  };
}

/** "on WASM", "on WEBGPU, WASM", or '' when the run loaded no model. */
export function backendsPhrase(backends: readonly string[]): string {
  return backends.length
    ? ` on ${backends.map((backend) => backend.toUpperCase()).join(', ')}`
    : '';
}
