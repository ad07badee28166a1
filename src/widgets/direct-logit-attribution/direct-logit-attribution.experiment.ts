/**
 * Direct logit attribution's experiment card: on a held-out fact ("Michael Jordan is a
 * professional" → basketball, against another sport), which kind of component has the largest
 * single direct effect on logit(answer) − logit(other): an attention head, an MLP layer, or the
 * embeddings? Recalling a fact is a lookup from the subject to its attribute, and in tiny-lm the
 * MLP layers write that answer straight into the logits: an MLP came out largest on all 264
 * held-out fact prompts (see tests/unit/widgets/experiment-runners-a.test.ts).
 */
import type { HookedModel } from '../../ml';
import type { ExperimentRunner } from '../kit/experiment-card';
import { mulberry32 } from '../kit/random';
import {
  directLogitAttribution,
  effectsOn,
  readPrompt,
  type ComponentKind,
} from '../tiny-lm-experiments/lens';
import { parseEvalSets } from '../tiny-lm-experiments/tasks';

const MODEL = 'tiny-lm';

/** The kinds of component the reader chooses between (biases are no one's choice). */
export type EffectKind = 'head' | 'mlp' | 'embed';

const KIND_OF: Partial<Record<ComponentKind, EffectKind>> = {
  head: 'head',
  mlp: 'mlp',
  embed: 'embed',
  pos_embed: 'embed',
};

const KIND_LABELS: Record<EffectKind, string> = {
  head: 'an attention head',
  mlp: 'an MLP layer',
  embed: 'the embeddings',
};

/** A component's direct effect on the logit difference. */
export interface ComponentEffect {
  readonly label: string;
  readonly kind: EffectKind;
  readonly value: number;
}

/** The largest direct effect by size, and the largest of each kind, for one prompt. */
export interface LargestEffect {
  readonly largest: ComponentEffect;
  readonly byKind: Readonly<Record<EffectKind, ComponentEffect>>;
  /** The model's own logit(answer) − logit(distractor), which all direct effects add up to. */
  readonly total: number;
}

/**
 * Direct logit attribution of `text` on logit(answer) − logit(distractor) at the last position:
 * which head, MLP or embedding writes the largest effect (by size, either sign), as the widget
 * ranks its bars. The attention biases are left out: no component chooses them.
 */
export async function largestDirectEffect(
  model: HookedModel,
  text: string,
  answer: string,
  distractor: string,
): Promise<LargestEffect> {
  const tok = model.tokenizer;
  const read = readPrompt(tok, text);
  const ids = [tok.tokenToId(answer), tok.tokenToId(distractor)];
  if (read.unknown.length > 0 || ids.includes(tok.unkId))
    throw new Error(`"${text}" → ${answer} / ${distractor} has words tiny-lm does not know`);
  const dla = await directLogitAttribution(model, read.ids);
  const values = effectsOn(dla, ids[0]!, ids[1]!);
  const effects = dla.components.flatMap((c, i) => {
    const kind = KIND_OF[c.kind];
    return kind ? [{ label: c.label, kind, value: values[i]! }] : [];
  });
  const bySize = [...effects].sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  const first = (kind: EffectKind) => bySize.find((e) => e.kind === kind)!;
  return {
    largest: bySize[0]!,
    byKind: { head: first('head'), mlp: first('mlp'), embed: first('embed') },
    total: dla.logits[ids[0]!]! - dla.logits[ids[1]!]!,
  };
}

/** A held-out fact and the wrong answer it is weighed against. */
export interface FactSetting {
  readonly prompt: string;
  readonly answer: string;
  readonly distractor: string;
}

const signed = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;

/** "head L3H1", "MLP 3", "embeddings (pos)". */
function described(effect: ComponentEffect): string {
  if (effect.kind === 'head') return `head ${effect.label}`;
  return effect.kind === 'embed' ? `embeddings (${effect.label})` : effect.label;
}

/** DLA: which kind of component writes a held-out fact's answer most directly. */
export const largestComponent: ExperimentRunner<FactSetting> = {
  id: 'direct-logit-attribution/largest-component',
  models: [MODEL],
  async pose(seed, env) {
    const facts = parseEvalSets(await env.json(MODEL, 'eval-sets.json'))?.facts ?? [];
    if (facts.length === 0) throw new Error('tiny-lm’s eval-sets.json has no facts');
    const random = mulberry32(seed);
    const item = facts[Math.floor(random() * facts.length)]!;
    // Another answer of the same kind of fact (another country, another sport).
    const others = [
      ...new Set(facts.filter((f) => f.kind === item.kind).map((f) => f.answer)),
    ].filter((a) => a !== item.answer);
    const distractor = others[Math.floor(random() * others.length)]!;
    return {
      setup: `A held-out fact for tiny-lm: “${item.prompt}” → “${item.answer}”, weighed against “${distractor}”.`,
      question: `Which kind of component has the largest single direct effect on logit(${item.answer}) − logit(${distractor})?`,
      asked: {
        kind: 'choice',
        choices: (['head', 'mlp', 'embed'] as const).map((value) => ({
          value,
          label: KIND_LABELS[value],
        })),
      },
      data: { prompt: item.prompt, answer: item.answer, distractor },
    };
  },
  async run(posed, env, onProgress) {
    const model = await env.model(MODEL, onProgress);
    const { prompt, answer, distractor } = posed.data;
    const { largest, byKind, total } = await largestDirectEffect(model, prompt, answer, distractor);
    const others = (['mlp', 'head', 'embed'] as const)
      .filter((kind) => kind !== largest.kind)
      .map((kind) => `${described(byKind[kind])} ${signed(byKind[kind].value)}`);
    return {
      outcome: {
        kind: 'choice',
        value: largest.kind,
        label: `${KIND_LABELS[largest.kind]} (${largest.label}, ${signed(largest.value)})`,
      },
      result: `${largest.label} writes ${signed(largest.value)} of logit(${answer}) − logit(${distractor}) = ${signed(total)}; the largest ${others.join(', ')}.`,
      reason:
        'Recalling a fact is a lookup from the subject to its attribute, the work MLP layers do; in tiny-lm they write the answer straight into the logits, far more than any head.',
    };
  },
};
