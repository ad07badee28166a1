/**
 * Experiment cards as the review screens (src/ui) see them: the runner registry, the page's
 * ExperimentEnv, and the judging of a prediction. src/ui may not reach into the kit, so what it
 * needs of it passes through here.
 */
export { experimentRunner } from './experiment-cards';
export { pageExperimentEnv } from './kit/page-experiment-env';
export { judge, readPredictedNumber, type Outcome, type Verdict } from './kit/prediction';
export type {
  ExperimentEnv,
  ExperimentResult,
  ExperimentRunner,
  PosedExperiment,
  PredictionAsked,
} from './kit/experiment-card';
