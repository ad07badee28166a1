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
  'activation-patching/restoring-position': () =>
    import('./activation-patching/activation-patching.experiment').then((m) => m.restoringPosition),
  'attribution-patching/token-swap-estimate': () =>
    import('./attribution-patching/attribution-patching.experiment').then(
      (m) => m.tokenSwapEstimate,
    ),
  'das-illusion/carrying-part': () =>
    import('./das-illusion/das-illusion.experiment').then((m) => m.carryingPartRunner),
  'direct-logit-attribution/largest-component': () =>
    import('./direct-logit-attribution/direct-logit-attribution.experiment').then(
      (m) => m.largestComponent,
    ),
  'greater-than/later-years-share': () =>
    import('./greater-than/greater-than.experiment').then((m) => m.laterYearsShare),
  'grokking/hidden-progress': () =>
    import('./grokking/grokking.experiment').then((m) => m.hiddenProgress),
  'induction-heads/induction-target': () =>
    import('./induction-heads/induction-heads.experiment').then((m) => m.inductionTarget),
  'ioi-circuit/where-the-answer-sits': () =>
    import('./ioi-circuit/ioi-circuit.experiment').then((m) => m.whereTheAnswerSits),
  'logit-lens/first-top-layer': () =>
    import('./logit-lens/logit-lens.experiment').then((m) => m.firstTopLayer),
  'max-activation-illusion/other-distribution': () =>
    import('./max-activation-illusion/max-activation-illusion.experiment').then(
      (m) => m.otherDistribution,
    ),
  'sae-lab/splice-loss-recovered': () =>
    import('./sae-lab/sae-lab.experiment').then((m) => m.spliceLossRecovered),
  'steering-vectors/sentiment-shift': () =>
    import('./steering-vectors/steering-vectors.experiment').then((m) => m.sentimentShiftRunner),
  'toy-superposition/more-features-than-dimensions': () =>
    import('./toy-superposition/toy-superposition.experiment').then(
      (m) => m.moreFeaturesThanDimensions,
    ),
};

/** The runner of experiment `id`, or null when there is none (the card then shows its example). */
export async function experimentRunner(id: string): Promise<ExperimentRunner | null> {
  const load = RUNNERS[id];
  return load ? load() : null;
}

/** Ids of every runner, for the tests that tie cards to runners. */
export const EXPERIMENT_RUNNER_IDS: readonly string[] = Object.keys(RUNNERS);
