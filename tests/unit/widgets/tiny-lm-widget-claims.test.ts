/**
 * What the patching, circuit and steering widgets show, computed in Node (onnxruntime-web, WASM)
 * on the committed tiny-lm (public/models/tiny-lm): the same experiments the widgets run, checked
 * against the model card and the literature's claims, without a browser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pearson, type HookedModel } from '../../../src/ml';
import {
  findCircuit,
  ioiBatch,
  IOI_TEMPLATES,
  strongestDirectHead,
} from '../../../src/widgets/ioi-circuit/circuit';
import {
  START_YEARS,
  summariseYears,
  yearProbabilities,
  yearPromptBatch,
  YEAR_TEMPLATES,
} from '../../../src/widgets/greater-than/years';
import {
  attributionMaps,
  patchingMaps,
} from '../../../src/widgets/tiny-lm-experiments/experiments';
import {
  argmaxByRow,
  mapGrid,
  normalise,
} from '../../../src/widgets/tiny-lm-experiments/patching-views';
import {
  pairMetric,
  parseEvalSets,
  presetPairs,
  YEAR_TOKENS,
  type PromptPair,
} from '../../../src/widgets/tiny-lm-experiments/tasks';
import {
  sentimentByCoefficient,
  steeringVector,
  STEERING_DEFAULTS,
  STEERING_PLACEMENTS,
  type SteeringPlacement,
} from '../../../src/widgets/tiny-lm-experiments/steering';
import { loadFromDisk, modelDir, readJson } from '../ml/support';

let model: HookedModel;
let pairs: PromptPair[];
interface SteeringShift {
  layer: number;
  placement: SteeringPlacement;
  loveMinusHateShift: number;
  hateMinusLoveShift: number;
}
const card = readJson(join(modelDir('tiny-lm'), 'card.json')) as {
  metrics: {
    ioiHeads?: { nameMovers: string[] };
    steering: {
      pair: [string, string];
      coef: number;
      prompts: string[];
      baseSentiment: number;
      default: SteeringShift;
      byLayer: SteeringShift[];
    };
  };
};

beforeAll(async () => {
  model = await loadFromDisk('tiny-lm');
  const evalSets = parseEvalSets(
    JSON.parse(readFileSync(join(modelDir('tiny-lm'), 'eval-sets.json'), 'utf8')),
  );
  pairs = presetPairs(model.tokenizer, evalSets);
});
afterAll(() => model?.release());

describe('activation patching on the default IOI pair', () => {
  it('finds the answer at the repeated name in the first layer, then at the final position', async () => {
    const pair = pairs[0]!;
    expect(pair.cleanText).toBe('When Mary and John went to the store, John gave a drink to');
    const maps = await patchingMaps(model, pair, pairMetric(model.tokenizer, pair), 'denoise');
    expect(maps.clean).toBeGreaterThan(2);
    expect(maps.corrupted).toBeLessThan(-2);
    const resid = mapGrid(maps.families[0]!.grid, (v) => normalise(v, maps.clean, maps.corrupted));
    const argmax = argmaxByRow(resid);
    const final = pair.clean.length - 1;
    expect(argmax[0]).toBe(pair.names!.s2);
    expect(argmax[argmax.length - 1]).toBe(final);
    const moved = argmax.indexOf(final);
    expect(argmax.slice(moved).every((p) => p === final)).toBe(true);
  });
});

describe('attribution patching on the default IOI pair', () => {
  it('correlates above 0.9 with activation patching over every component', async () => {
    const pair = pairs[0]!;
    const metric = pairMetric(model.tokenizer, pair);
    const patching = await patchingMaps(model, pair, metric, 'denoise');
    const attribution = await attributionMaps(model, pair, metric, 'denoise');
    const truth = patching.families.flatMap(({ grid }) =>
      Array.from(grid.values, (v) => v - patching.corrupted),
    );
    const estimate = attribution.deltas.flatMap(({ grid }) => Array.from(grid.values));
    expect(pearson(truth, estimate)).toBeGreaterThan(0.9);
    expect(attribution.calls).toBe(1);
  });
});

describe('the IOI circuit by path patching', () => {
  it.each(IOI_TEMPLATES.map((t, i) => [i, t]))(
    'finds the name movers the model card names, and S-inhibition heads before them (template %i)',
    async (_, template) => {
      const circuit = await findCircuit(model, ioiBatch(model.tokenizer, template, 8));
      const label = (k: number) => `${Math.floor(k / circuit.heads)}.${k % circuit.heads}`;
      const movers = circuit.roles.flatMap((r, k) => (r === 'name mover' ? [label(k)] : []));
      const inhibitors = circuit.roles.flatMap((r, k) => (r === 'S-inhibition' ? [label(k)] : []));
      const named = card.metrics.ioiHeads?.nameMovers ?? [];
      expect(named.length).toBeGreaterThan(0);
      for (const head of named) expect(movers).toContain(head);
      expect(inhibitors.length).toBeGreaterThan(0);
      const lastMover = Math.max(...movers.map((h) => Number(h.split('.')[0])));
      for (const head of inhibitors) expect(Number(head.split('.')[0])).toBeLessThan(lastMover);
      // The widget's prediction asks where this head looks: a name mover, at the indirect object.
      const strongest = strongestDirectHead(circuit.direct);
      expect(circuit.roles[strongest]).toBe('name mover');
      const looks = circuit.attention[strongest]!;
      expect(looks.io).toBeGreaterThan(Math.max(looks.s1, looks.s2));
    },
  );
});

describe('greater-than', () => {
  it.each(YEAR_TEMPLATES.map((t, i) => [i, t]))(
    'puts at least 0.8 of the probability on later years, averaged over start years (template %i)',
    async (_, template) => {
      const yearIds = YEAR_TOKENS.map((y) => model.tokenizer.tokenToId(y));
      const { logits } = await model.runWithCache(
        yearPromptBatch(model.tokenizer, template, '17'),
        [],
      );
      const above = START_YEARS.map(
        (y, r) => summariseYears(yearProbabilities(logits, r, yearIds), y).above,
      );
      expect(above.reduce((a, b) => a + b, 0) / above.length).toBeGreaterThanOrEqual(0.8);
    },
  );
});

describe('steering as the model card reports it', () => {
  const steering = card.metrics.steering;
  const row = (layer: number, placement: SteeringPlacement) =>
    steering.byLayer.find((r) => r.layer === layer && r.placement === placement)!;

  it("starts from the widget's defaults: pair, coefficient, layer and placement", () => {
    const { positive, negative, coefficient, layer, placement } = STEERING_DEFAULTS;
    expect(steering.pair).toEqual([positive, negative]);
    expect(steering.coef).toBe(coefficient);
    expect(steering.default).toMatchObject({ layer, placement });
    expect(steering.default).toMatchObject(row(layer, placement));
    expect(new Set(steering.byLayer.map((r) => r.placement))).toEqual(new Set(STEERING_PLACEMENTS));
    expect(steering.byLayer).toHaveLength(model.config.n_layers * STEERING_PLACEMENTS.length);
  });

  /** The widget's sentiment with −coef, 0 and +coef, averaged over the card's prompts. */
  async function meanSentiment(
    layer: number,
    placement: SteeringPlacement,
  ): Promise<[number, number, number]> {
    const t = model.tokenizer;
    const [positive, negative] = steering.pair;
    const vector = await steeringVector(model, t.encode(positive), t.encode(negative), layer);
    const sum = [0, 0, 0];
    for (const prompt of steering.prompts) {
      const values = await sentimentByCoefficient(
        model,
        t.encode(prompt),
        { layer, vector, placement },
        [-steering.coef, 0, steering.coef],
      );
      values.forEach((v, i) => (sum[i]! += v));
    }
    const n = steering.prompts.length;
    return [sum[0]! / n, sum[1]! / n, sum[2]! / n];
  }

  it(
    'gives the numbers the widget’s own code measures, at every layer and placement',
    { timeout: 120_000 },
    async () => {
      expect(steering.prompts).toContain(STEERING_DEFAULTS.prompt);
      for (const expected of steering.byLayer) {
        const [minus, zero, plus] = await meanSentiment(expected.layer, expected.placement);
        const label = `before block ${expected.layer}, ${expected.placement}`;
        expect(zero, label).toBeCloseTo(steering.baseSentiment, 2);
        expect(plus - zero, label).toBeCloseTo(expected.loveMinusHateShift, 2);
        expect(minus - zero, label).toBeCloseTo(expected.hateMinusLoveShift, 2);
      }
    },
  );

  it('steers both ways at the default, and much less at the prompt’s start of a later layer', () => {
    const first = steering.default;
    expect(first.loveMinusHateShift).toBeGreaterThan(1);
    expect(first.hateMinusLoveShift).toBeLessThan(-1);
    for (let layer = 1; layer < model.config.n_layers; layer++) {
      const later = row(layer, 'start');
      expect(Math.abs(later.loveMinusHateShift)).toBeLessThan(first.loveMinusHateShift / 3);
      expect(Math.abs(later.hateMinusLoveShift)).toBeLessThan(-first.hateMinusLoveShift / 3);
    }
  });

  it('pushes the wrong way at every position after <bos> before blocks 1–3, and the right way before blocks 1 and 2 when <bos> gets it too', () => {
    for (let layer = 1; layer < model.config.n_layers; layer++) {
      expect(row(layer, 'every').loveMinusHateShift).toBeLessThan(0);
      expect(row(layer, 'every').hateMinusLoveShift).toBeGreaterThan(0);
    }
    for (const layer of [1, 2]) {
      expect(row(layer, 'everyWithBos').loveMinusHateShift).toBeGreaterThan(0);
      expect(row(layer, 'everyWithBos').hateMinusLoveShift).toBeLessThan(0);
    }
  });
});
