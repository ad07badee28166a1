/**
 * One experiment per widget, built the way each widget builds it (its own presets, tiny-lm's or
 * attn-only-2l's real tokenizer), for the notebook tests. `prompts` and `positions` are what the
 * widget used, which the notebook's EXPERIMENT dict must repeat.
 */
import { readFileSync } from 'node:fs';
import { Tokenizer } from '../../../src/ml';
import type { Experiment } from '../../../src/notebook/experiment';
import { logitLensExperiment } from '../../../src/notebook/widgets/logit-lens';
import { directLogitAttributionExperiment } from '../../../src/notebook/widgets/direct-logit-attribution';
import { inductionExperiment } from '../../../src/notebook/widgets/induction-heads';
import {
  activationPatchingExperiment,
  attributionPatchingExperiment,
  type MapsShown,
} from '../../../src/notebook/widgets/activation-patching';
import { greaterThanExperiment } from '../../../src/notebook/widgets/greater-than';
import { ioiExperiment } from '../../../src/notebook/widgets/ioi-circuit';
import { IOI_TEMPLATES, ioiBatch } from '../../../src/widgets/ioi-circuit/circuit';
import { YEAR_TEMPLATES } from '../../../src/widgets/greater-than/years';
import { steeringExperiment } from '../../../src/notebook/widgets/steering-vectors';
import { saeLabExperiment } from '../../../src/notebook/widgets/sae-lab';
import { maxActivationExperiment } from '../../../src/notebook/widgets/max-activation-illusion';
import { dasExperiment } from '../../../src/notebook/widgets/das-illusion';
import { toySuperpositionExperiment } from '../../../src/notebook/widgets/toy-superposition';
import { grokkingExperiment } from '../../../src/notebook/widgets/grokking';
import { parseDasFile } from '../../../src/widgets/das-illusion/subspace';
import {
  NEGATIVE_WORDS,
  POSITIVE_WORDS,
  STEERING_DEFAULTS,
} from '../../../src/widgets/tiny-lm-experiments/steering';
import {
  parseEvalSets,
  presetPairs,
  type PromptPair,
} from '../../../src/widgets/tiny-lm-experiments/tasks';

export function tokenizerOf(model: string): Tokenizer {
  const url = new URL(`../../../public/models/${model}/tokenizer.json`, import.meta.url);
  return Tokenizer.fromJson(JSON.parse(readFileSync(url, 'utf8')));
}

export interface WidgetCase {
  readonly widget: string;
  readonly experiment: Experiment;
  /** Prompts the widget ran, each of which the notebook's EXPERIMENT must hold. */
  readonly prompts: readonly string[];
  /** The widget's positions (tiny-lm token index and token), where it has any. */
  readonly positions: readonly { readonly position: number; readonly token: string }[];
}

const tinyLm = tokenizerOf('tiny-lm');
const tokensOf = (text: string) => tinyLm.tokens(tinyLm.encode(text));

function logitLensCase(): WidgetCase {
  const prompt = 'When Mary and John went to the store, John gave a drink to';
  const positions = tokensOf(prompt);
  const row = positions.map((token) => ({ token, probability: 0.5 }));
  const grid = {
    layers: ['embed', 'after block 0', 'after block 1', 'after block 2', 'after block 3'],
    positions,
    cells: [
      row,
      row,
      row,
      row,
      row.map((c, i) => (i === row.length - 1 ? { token: 'Mary', probability: 0.9 } : c)),
    ],
  };
  return {
    widget: 'logit-lens',
    experiment: logitLensExperiment(prompt, grid, tinyLm),
    prompts: [prompt],
    positions: positions.map((token, position) => ({ position, token })),
  };
}

const positionsOf = (text: string) =>
  tokensOf(text).map((token, position) => ({ position, token }));

function dlaCase(): WidgetCase {
  const prompt = 'When Mary and John went to the store, John gave a drink to';
  const answer = String(tinyLm.tokenToId('Mary'));
  const distractor = String(tinyLm.tokenToId('John'));
  const shown = {
    label: 'logit(Mary) − logit(John)',
    total: 11.2,
    bars: [
      { label: 'embed', value: 0.4 },
      { label: 'L3H1', value: 6.1 },
      { label: 'L2 mlp', value: -0.8 },
    ],
  };
  const experiment = directLogitAttributionExperiment(prompt, tinyLm, answer, distractor, shown);
  return {
    widget: 'direct-logit-attribution',
    experiment,
    prompts: [prompt, 'Mary', 'John'],
    positions: positionsOf(prompt),
  };
}

function inductionCase(): WidgetCase {
  const run = {
    previousTokenHead: { layer: 0, head: 2, score: 0.31 },
    inductionHead: { layer: 1, head: 0, score: 0.8 },
    firstCopyLoss: 6.4,
    secondCopyLoss: 0.8,
  };
  const experiment = inductionExperiment({
    length: 25,
    batch: 4,
    seed: 3,
    words: 'cat dog sun',
    run,
  });
  return { widget: 'induction-heads', experiment, prompts: ['cat dog sun'], positions: [] };
}

const evalSets = parseEvalSets(
  JSON.parse(
    readFileSync(new URL('../../../public/models/tiny-lm/eval-sets.json', import.meta.url), 'utf8'),
  ),
);
/** The pairs the patching widgets offer, the default (IOI) first. */
export const WIDGET_PAIRS: readonly PromptPair[] = presetPairs(tinyLm, evalSets);

/** Patching maps of the widget's shape (values made up: the notebook only reports them). */
function mapsFor(pair: PromptPair): MapsShown {
  const columns = tokensOf(pair.cleanText);
  const grid = (rows: string[]) => ({
    rows,
    columns,
    values: rows.flatMap((_, r) => columns.map((_, c) => r + c / 10)),
  });
  return {
    clean: 11,
    corrupted: -11,
    families: [
      { family: { title: 'Residual stream' }, grid: grid(['pre L0', 'pre L1']) },
      { family: { title: 'Attention output' }, grid: grid(['L0 attn', 'L1 attn']) },
    ],
  };
}

function patchingCases(): WidgetCase[] {
  return WIDGET_PAIRS.filter((p, i, all) => all.findIndex((q) => q.task === p.task) === i).flatMap(
    (pair) => {
      const prompts = [pair.cleanText, pair.corruptedText];
      const positions = positionsOf(pair.cleanText);
      return [
        {
          widget: `activation-patching (${pair.task})`,
          experiment: activationPatchingExperiment(pair, tinyLm, 'denoise', mapsFor(pair)),
          prompts,
          positions,
        },
        {
          widget: `attribution-patching (${pair.task})`,
          experiment: attributionPatchingExperiment(pair, tinyLm, 'noise', mapsFor(pair), 0.99),
          prompts,
          positions,
        },
      ];
    },
  );
}

function greaterThanCase(): WidgetCase {
  const template = YEAR_TEMPLATES[1];
  const probabilities = Array.from({ length: 100 }, (_, y) => (y > 45 ? 0.018 : 0.001));
  const shown = {
    template,
    century: '17',
    startYear: 45,
    probabilities,
    patching: { clean: 0.8, corrupted: 0.95 },
  };
  const prompt = template.replaceAll('{c}', '17').replace('{x}', '45');
  return {
    widget: 'greater-than',
    experiment: greaterThanExperiment(shown, tinyLm),
    prompts: [prompt, template],
    positions: positionsOf(prompt),
  };
}

function ioiCase(): WidgetCase {
  const prompts = ioiBatch(tinyLm, IOI_TEMPLATES[0], 8);
  const roles = Array.from({ length: 16 }, (_, k) =>
    k === 13 ? 'name mover' : k === 9 ? 'S-inhibition' : '',
  );
  const shown = { layers: 4, heads: 4, prompts, clean: 11.3, corrupted: 0.2, roles };
  return {
    widget: 'ioi-circuit',
    experiment: ioiExperiment(shown, tinyLm),
    prompts: prompts.map((p) => p.text),
    positions: positionsOf(prompts[0]!.text),
  };
}

const json = (path: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8'));

function steeringCase(): WidgetCase {
  const d = STEERING_DEFAULTS;
  const shown = {
    positive: d.positive,
    negative: d.negative,
    prompt: d.prompt,
    layer: d.layer,
    nLayers: 4,
    placement: d.placement,
    coefficient: d.coefficient,
    plainSentiment: 0.1,
    steeredSentiment: 2.3,
    positiveWords: POSITIVE_WORDS,
    negativeWords: NEGATIVE_WORDS,
  };
  return {
    widget: 'steering-vectors',
    experiment: steeringExperiment(shown),
    prompts: [d.prompt, d.positive, d.negative],
    positions: [],
  };
}

function saeCase(): WidgetCase {
  const texts = ['<bos> the cat sat on the mat .', '<bos> Mary gave a book to John .'];
  const entry = (label: string, kind: string, k?: number) => ({
    sae: { label, kind, dIn: 128, dSae: 1024, ...(k ? { k } : {}) },
    result: { l0: 16, fvu: 0.04, dead: 43 },
    loss: { lossRecovered: 0.99 },
  });
  const experiment = saeLabExperiment('blocks.1.hook_resid_post', 4, texts, [
    entry('ReLU + L1', 'relu'),
    entry('TopK', 'topk', 16),
  ]);
  return {
    widget: 'sae-lab',
    experiment,
    prompts: ['the cat sat on the mat .', 'Mary gave a book to John .'],
    positions: [],
  };
}

function maxActivationCase(): WidgetCase {
  const texts = json('src/widgets/max-activation-illusion/texts.json') as {
    distributions: Record<string, string[]>;
  };
  const sides = [
    { label: 'news-like text', documents: texts.distributions['news']! },
    { label: 'story-like text', documents: texts.distributions['story']! },
  ];
  const experiment = maxActivationExperiment({
    sides,
    layer: 3,
    unit: 17,
    nLayers: 4,
    summary: 'Neuron 17 of layer 3: …',
    window: 32,
    top: 8,
  });
  return {
    widget: 'max-activation-illusion',
    experiment,
    prompts: [sides[0]!.documents[0]!, sides[1]!.documents[0]!],
    positions: [],
  };
}

function dasCase(): WidgetCase {
  const das = parseDasFile(json('public/models/tiny-lm/das.json'));
  const conditions = {
    base: 5,
    source: -5,
    full: 0.1,
    direction: -6.9,
    dormant: -1.4,
    disconnected: 0,
  };
  const experiment = dasExperiment(
    das,
    0,
    4,
    tinyLm,
    { logitDiff: conditions },
    { mean: conditions },
  );
  return {
    widget: 'das-illusion',
    experiment,
    prompts: [das.evalPairs[0]!.base, das.evalPairs[0]!.source, das.trainPairs[0]!.base],
    positions: [],
  };
}

function toyCase(): WidgetCase {
  const shown = {
    features: 5,
    dimensions: 2,
    sparsity: 0.97,
    importanceDecay: 1,
    seed: 1,
    steps: 3000,
    represented: 5,
    summary: '5 of 5 features represented in 2 dimensions — a regular pentagon.',
  };
  return {
    widget: 'toy-superposition',
    experiment: toySuperpositionExperiment(shown),
    prompts: [],
    positions: [],
  };
}

function grokkingCase(): WidgetCase {
  const experiment = grokkingExperiment({
    card: json('public/models/modadd/card.json'),
    keys: [7, 12, 15, 16],
  });
  return { widget: 'grokking', experiment, prompts: [], positions: [] };
}

export const WIDGET_CASES: readonly WidgetCase[] = [
  steeringCase(),
  saeCase(),
  maxActivationCase(),
  dasCase(),
  toyCase(),
  grokkingCase(),
  greaterThanCase(),
  ioiCase(),
  logitLensCase(),
  dlaCase(),
  inductionCase(),
  ...patchingCases(),
];
