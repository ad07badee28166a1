/**
 * Experiment card for the max-activating-examples illusion: a seeded tiny-lm MLP neuron that
 * looks like a clean detector on one kind of text (its top contexts mostly fire on one token
 * typical of that text) is read on the other kind. The reader says what it does there; the page
 * runs tiny-lm on a seeded sample of the other text and lists its top contexts. The principle
 * (Bolukbasi et al. 2021): a unit's top examples describe it only on the data they came from; on
 * other data the same unit fires as strongly on unrelated tokens, so the label was an illusion.
 */
import type { HookedModel } from '../../ml';
import type { ExperimentEnv, ExperimentResult, ExperimentRunner } from '../kit/experiment-card';
import { mulberry32 } from '../kit/random';
import { firingTokens, tokenOwnership, topContexts, windowsOf } from './max-activation';
import texts from './texts.json';

const MODEL = 'tiny-lm';
/** Window length and top contexts per side, as the widget shows them. */
const WINDOW = 32;
const TOP = 8;
/** Documents sampled from each distribution's 60. */
const DOCUMENTS = 40;
/** A neuron looks clean when this many of its top contexts fire on one token … */
const CLEAN_COUNT = 5;
/** … that belongs to its text this much (tokenOwnership: 1 = only there), … */
const TYPICAL = 0.9;
/** … and its strongest activation is at least this. */
const MIN_ACTIVATION = 0.5;
/** "Fires as strongly" means at least this share of the first side's top activation. */
const STRONG_SHARE = 0.5;

type SideKey = 'news' | 'story';
const SIDE_LABEL: Record<SideKey, string> = { news: 'news-like', story: 'story-like' };

export interface IllusionSetting {
  readonly layer: number;
  readonly unit: number;
  /** The side the neuron was read on first, and the other. */
  readonly from: SideKey;
  readonly to: SideKey;
  /** Indices of the documents of each side used. */
  readonly documents: Readonly<Record<SideKey, readonly number[]>>;
  /** On the first side: its most common firing token, how many top contexts, strongest value. */
  readonly firstToken: number;
  readonly firstCount: number;
  readonly firstTop: number;
}

function documentsOf(side: SideKey): string[] {
  return texts.distributions[side];
}

function windowsFor(model: HookedModel, side: SideKey, indices: readonly number[]): number[][] {
  const all = documentsOf(side);
  const ids = indices.map((i) => model.tokenizer.encode(all[i]!));
  return windowsOf(ids, Math.min(WINDOW, model.config.n_ctx), model.tokenizer.bosId);
}

async function activations(model: HookedModel, windows: number[][], layer: number) {
  const hook = `blocks.${layer}.mlp.hook_post`;
  const { cache } = await model.runWithCache(windows, [hook]);
  return cache.get(hook)!;
}

/**
 * The neurons of `layer` that look like a clean detector on `windows`: most top contexts on one
 * token that is typical of that text. Each with its token, count and strongest activation.
 */
export async function cleanNeurons(
  model: HookedModel,
  windows: number[][],
  layer: number,
  ownership: ReadonlyMap<number, number>,
) {
  const acts = await activations(model, windows, layer);
  const width = acts.dims[2]!;
  return Array.from({ length: width }, (_, unit) => {
    const top = topContexts(acts, unit, TOP);
    const [first] = firingTokens(top, windows);
    return {
      unit,
      token: first?.token ?? -1,
      count: first?.count ?? 0,
      top: top[0]?.activation ?? 0,
    };
  }).filter(
    (n) =>
      n.count >= CLEAN_COUNT && (ownership.get(n.token) ?? 0) >= TYPICAL && n.top >= MIN_ACTIVATION,
  );
}

/** A seeded sample of `count` of `total` indices, in order. */
function sample(random: () => number, total: number, count: number): number[] {
  return Array.from({ length: total }, (_, i) => ({ i, key: random() }))
    .sort((a, b) => a.key - b.key)
    .slice(0, count)
    .map(({ i }) => i)
    .sort((a, b) => a - b);
}

const CHOICES = [
  { value: 'quiet', label: 'it stays mostly quiet (under half as strong)' },
  { value: 'same', label: 'among its top contexts, it fires on the same token again' },
  { value: 'other', label: 'it fires about as strongly on other tokens' },
] as const;

/** Reads the first side and describes the setting for `unit` (also the worked example's path). */
export async function settingFor(
  model: HookedModel,
  base: Omit<IllusionSetting, 'firstToken' | 'firstCount' | 'firstTop'>,
): Promise<IllusionSetting> {
  const windows = windowsFor(model, base.from, base.documents[base.from]);
  const acts = await activations(model, windows, base.layer);
  const top = topContexts(acts, base.unit, TOP);
  const [first] = firingTokens(top, windows);
  return {
    ...base,
    firstToken: first!.token,
    firstCount: first!.count,
    firstTop: top[0]!.activation,
  };
}

export const otherDistribution: ExperimentRunner<IllusionSetting> = {
  id: 'max-activation-illusion/other-distribution',
  models: [MODEL],

  async pose(seed, env: ExperimentEnv) {
    const random = mulberry32(seed);
    const model = await env.model(MODEL);
    const layers = model.config.n_layers;
    const documents = {
      news: sample(random, documentsOf('news').length, DOCUMENTS),
      story: sample(random, documentsOf('story').length, DOCUMENTS),
    };
    const [from, to]: [SideKey, SideKey] = random() < 0.5 ? ['news', 'story'] : ['story', 'news'];
    const windows = {
      news: windowsFor(model, 'news', documents.news),
      story: windowsFor(model, 'story', documents.story),
    };
    const ownership = tokenOwnership(windows[from], windows[to]);
    // Try layers from a seeded start until one has a clean-looking neuron (every layer has dozens).
    const start = Math.floor(random() * layers);
    for (let i = 0; i < layers; i++) {
      const layer = (start + i) % layers;
      const clean = await cleanNeurons(model, windows[from], layer, ownership);
      if (clean.length === 0) continue;
      const chosen = clean[Math.floor(random() * clean.length)]!;
      const { unit } = chosen;
      const data: IllusionSetting = {
        layer,
        unit,
        from,
        to,
        documents,
        firstToken: chosen.token,
        firstCount: chosen.count,
        firstTop: chosen.top,
      };
      const token = model.tokenizer.tokens([data.firstToken])[0];
      return {
        setup: `Neuron ${unit} of tiny-lm's MLP layer ${layer}: on ${SIDE_LABEL[from]} text, ${data.firstCount} of its ${TOP} strongest contexts fire on “${token}” (peak ${data.firstTop.toFixed(2)}), so it looks like a detector of “${token}”.`,
        question: `On ${SIDE_LABEL[to]} text, what does the same neuron do?`,
        asked: { kind: 'choice', choices: CHOICES },
        data,
      };
    }
    throw new Error('tiny-lm has no neuron that looks clean on this text');
  },

  async run(posed, env, onProgress): Promise<ExperimentResult> {
    const setting = posed.data;
    const model = await env.model(MODEL, onProgress);
    const windows = windowsFor(model, setting.to, setting.documents[setting.to]);
    const acts = await activations(model, windows, setting.layer);
    const top = topContexts(acts, setting.unit, TOP);
    const firing = firingTokens(top, windows);
    const peak = top[0]?.activation ?? 0;
    const share = peak / setting.firstTop;
    const choice =
      CHOICES[
        firing.some((t) => t.token === setting.firstToken) ? 1 : share >= STRONG_SHARE ? 2 : 0
      ];
    const word = (id: number) => `“${model.tokenizer.tokens([id])[0] ?? '?'}”`;
    const named = firing
      .slice(0, 3)
      .map(({ token, count }) => `${word(token)} ×${count}`)
      .join(', ');
    return {
      outcome: { kind: 'choice', value: choice.value, label: choice.label },
      result: `On ${SIDE_LABEL[setting.to]} text its top ${TOP} contexts fire on ${named}, peaking at ${peak.toFixed(2)} (${Math.round(share * 100)}% of its ${word(setting.firstToken)} peak).`,
      reason:
        'Top examples only show what a unit does on the data they were drawn from; the neuron is polysemantic, and other text reveals another, equally confident face.',
    };
  },
};
