/**
 * Experiment card for the toy-superposition widget: a seeded toy model (n features, m < n hidden
 * dimensions, a feature sparsity that is either dense or very sparse, decaying importance) is
 * trained in the page in well under a second, and the reader says beforehand whether it will
 * represent more features than it has dimensions. The principle (Elhage et al. 2022): dense
 * features collide on every input, so the model keeps only the m most important, one dimension
 * each; sparse features rarely fire together, so packing extra ones in at an angle costs little
 * interference and the model stores more than m — superposition.
 */
import type { ExperimentResult, ExperimentRunner } from '../kit/experiment-card';
import { mulberry32 } from '../kit/random';
import { featureGeometry, representedFeatures, ToyModel, type ToyModelConfig } from './toy-model';

/** Training as the widget's sparsity sweep trains each model: short, small batches. */
export const TRAINING = { steps: 2000, batchSize: 256 } as const;

/** Sparsities the card draws from: clearly dense or clearly sparse, never the phase change between. */
const DENSE = [0, 0.1, 0.2] as const;
const SPARSE = [0.9, 0.93, 0.95, 0.97] as const;
/** Shapes (features, dimensions) and importance decays the card draws from. */
const SHAPES = [
  [5, 2],
  [6, 2],
  [7, 2],
  [6, 3],
  [8, 3],
] as const;
const DECAYS = [0.75, 0.8, 0.85, 0.9] as const;

/** The toy model to train: the widget's knobs and a seed for its weights and data. */
export type ToySetting = Required<
  Pick<ToyModelConfig, 'features' | 'dimensions' | 'sparsity' | 'importanceDecay' | 'seed'>
>;

/** The widget's default knobs (ToySuperposition.astro) with its first seed: the worked example. */
export const WIDGET_DEFAULT: ToySetting = {
  features: 5,
  dimensions: 2,
  sparsity: 0.95,
  importanceDecay: 0.9,
  seed: 1,
};

/** A seeded setting: shape, decay and a dense-or-sparse sparsity. */
export function toySetting(seed: number): ToySetting {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const [features, dimensions] = pick(SHAPES);
  const importanceDecay = pick(DECAYS);
  const sparsity = random() < 0.5 ? pick(DENSE) : pick(SPARSE);
  return { features, dimensions, sparsity, importanceDecay, seed: 1 + Math.floor(random() * 1e6) };
}

/** Trains the setting's model and counts the features it represents (direction norm > 0.5). */
export function trainToy(setting: ToySetting) {
  const model = new ToyModel({ ...setting, batchSize: TRAINING.batchSize });
  model.train(TRAINING.steps);
  const geometry = featureGeometry(model.weights, model.n, model.m);
  return {
    represented: representedFeatures(geometry.norms).length,
    dimensionsPerFeature: geometry.dimensionsPerFeature,
    loss: model.loss,
  };
}

const CHOICES = [
  { value: 'at-most-m', label: 'no: at most one feature per dimension' },
  { value: 'more-than-m', label: 'yes: more features than dimensions' },
] as const;

export const moreFeaturesThanDimensions: ExperimentRunner<ToySetting> = {
  id: 'toy-superposition/more-features-than-dimensions',
  models: [],

  async pose(seed) {
    const setting = toySetting(seed);
    const { features: n, dimensions: m, sparsity, importanceDecay } = setting;
    return {
      setup: `A toy model squeezes ${n} features into ${m} hidden dimensions and reads them back through a ReLU. Each feature is zero with probability S = ${sparsity} (${sparsity === 0 ? 'every feature is active on every input' : `active on ${Math.round((1 - sparsity) * 100)}% of inputs`}); feature i matters ${importanceDecay}^i as much as the first.`,
      question: `Trained on this data, will the model represent more than ${m} of its ${n} features?`,
      asked: { kind: 'choice', choices: CHOICES },
      data: setting,
    };
  },

  async run(posed): Promise<ExperimentResult> {
    const setting = posed.data;
    const { represented, dimensionsPerFeature } = trainToy(setting);
    const more = represented > setting.dimensions;
    const choice = CHOICES[more ? 1 : 0];
    return {
      outcome: { kind: 'choice', value: choice.value, label: choice.label },
      result: `After ${TRAINING.steps} training steps it represents ${represented} of ${setting.features} features in ${setting.dimensions} dimensions (${dimensionsPerFeature.toFixed(2)} dimensions per feature).`,
      reason:
        setting.sparsity >= 0.5
          ? 'Sparse features seldom fire together, so sharing directions costs little interference: the model packs extra features in at angles (superposition).'
          : 'Dense features are all active at once, so any two sharing a direction would corrupt each other: the model keeps the most important ones, one dimension each.',
    };
  },
};
