/**
 * Which experiment runners exist: a deck card's `experiment` id → a loader of its runner, kept in
 * the widget's own folder (`<widget>/<widget>.experiment.ts`) and loaded only when a card needs it.
 * The review screens (src/ui) look runners up here; the registry test checks that every
 * experiment card in the deck names a runner listed here and that every runner has a card.
 */
import type { ExperimentRunner } from './kit/experiment-card';

type RunnerLoader = () => Promise<ExperimentRunner>;

/** Runner id → loader. Each widget's helper adds its lines (see kit/experiment-card.ts). */
const RUNNERS: Record<string, RunnerLoader> = {
  'logit-lens/first-top-layer': () =>
    import('./logit-lens/logit-lens.experiment').then((m) => m.firstTopLayer),
};

/** The runner of experiment `id`, or null when there is none (the card then shows its example). */
export async function experimentRunner(id: string): Promise<ExperimentRunner | null> {
  const load = RUNNERS[id];
  return load ? load() : null;
}

/** Ids of every runner, for the tests that tie cards to runners. */
export const EXPERIMENT_RUNNER_IDS: readonly string[] = Object.keys(RUNNERS);
