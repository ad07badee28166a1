/**
 * tiny-lm for the widgets of one page: loaded once and shared (two widgets in one chapter need
 * one model, not two sessions), with its held-out prompt sets when they are published. A failed
 * load is forgotten, so that Retry loads again (kit/page-models.ts).
 */
import type { HookedModel, LoadProgress } from '../../ml';
import { pageModel, pageModelFor } from '../kit/page-models';
import type { ComputeBackend, WidgetContext } from '../kit/types';
import { parseEvalSets, type EvalSets } from './tasks';
import { modelFolderUrl } from '../kit/model-url';

/** The model every tiny-lm widget loads, by name, from public/models/. */
export const TINY_LM = 'tiny-lm';

let evalSets: Promise<EvalSets | null> | null = null;

/**
 * The page's tiny-lm, loading it on first call (shared with every other user of the page's
 * models, kit/page-models.ts). `onProgress` hears the download's progress while it lasts (every
 * caller does, also one that joins a load already under way).
 */
export function loadTinyLm(onProgress?: (progress: LoadProgress) => void): Promise<HookedModel> {
  return pageModel(TINY_LM, onProgress);
}

/**
 * The page's tiny-lm for one widget: the download and start show in the widget's progress bar,
 * and the backend it runs on in its frame.
 */
export function loadTinyLmFor(
  context: Pick<WidgetContext, 'progress' | 'setBackend'>,
): Promise<HookedModel> {
  return pageModelFor(TINY_LM, context);
}

/** tiny-lm's held-out prompt sets (eval-sets.json), or null when absent or malformed. */
export function loadEvalSets(): Promise<EvalSets | null> {
  evalSets ??= fetch(new URL('eval-sets.json', modelFolderUrl(TINY_LM)))
    .then((response) => (response.ok ? response.json() : null))
    .then((json: unknown) => (json === null ? null : parseEvalSets(json)))
    .catch(() => null);
  return evalSets;
}

const modelJson = new Map<string, Promise<unknown>>();

/**
 * A JSON file of a model folder (held-out-figures.json, say), fetched once per page; null when it
 * is absent or unreadable, so that a widget can do without it.
 */
export function loadModelJson(model: string, file: string): Promise<unknown> {
  const key = `${model}/${file}`;
  let pending = modelJson.get(key);
  if (!pending) {
    pending = fetch(new URL(file, modelFolderUrl(model)))
      .then((response) => (response.ok ? (response.json() as Promise<unknown>) : null))
      .catch(() => null);
    modelJson.set(key, pending);
  }
  return pending;
}

/** Milliseconds since `start`, rounded, for the "time to first result" the widgets report. */
export function elapsed(start: number): number {
  return Math.round(performance.now() - start);
}

/**
 * Starts the clock of a widget's time to first result; call it as `mount` starts. Call what it
 * returns when a result shows: the first call puts the time on `root` (data-first-result-ms, which
 * the tests and bench:widgets:first-result read) and in the console; later calls do nothing.
 */
export function firstResultTimer(
  root: HTMLElement,
  widget: string,
): (backend: ComputeBackend) => void {
  const started = performance.now();
  let reported = false;
  return (backend) => {
    if (reported) return;
    reported = true;
    const ms = elapsed(started);
    root.dataset['firstResultMs'] = String(ms);
    console.info(`[${widget}] first result in ${ms} ms (${backend})`);
  };
}
