/**
 * The logit lens and direct logit attribution on tiny-lm, computed through src/ml's hook API only
 * (no DOM): which words a prompt is made of, what the model would predict after each block, and
 * how much each attention head and MLP writes, directly, towards one answer's logit.
 */
import { softmax, type HookedModel, type Tensor, type Tokenizer } from '../../ml';

/** A prompt preset: text, the expected answer and a plausible wrong answer. */
export interface PromptPreset {
  readonly id: string;
  readonly label: string;
  readonly text: string;
  readonly answer: string;
  readonly distractor: string;
}

/** Prompts in the style of tiny-lm's training tasks (every word in its vocabulary). */
export const PROMPT_PRESETS: readonly PromptPreset[] = [
  {
    id: 'ioi',
    label: 'Indirect object (IOI)',
    text: 'When Mary and John went to the store, John gave a drink to',
    answer: 'Mary',
    distractor: 'John',
  },
  {
    id: 'city',
    label: 'Fact: city → country',
    text: 'Paris is a city in',
    answer: 'France',
    distractor: 'Italy',
  },
  {
    id: 'athlete',
    label: 'Fact: athlete → sport',
    text: 'Lionel Messi plays the sport of',
    answer: 'soccer',
    distractor: 'basketball',
  },
  {
    id: 'sentiment',
    label: 'Sentiment',
    text: 'I love this movie. It is',
    answer: 'great',
    distractor: 'terrible',
  },
  {
    id: 'years',
    label: 'Years',
    text: 'The war lasted from 1745 to 17',
    answer: '80',
    distractor: '30',
  },
];

/** One piece of a prompt as the tokenizer sees it. */
export interface PromptWord {
  readonly text: string;
  readonly id: number;
  /** False when the word is outside the vocabulary (it becomes <unk>). */
  readonly known: boolean;
}

/** A prompt split into the model's tokens; `ids` starts with <bos> when the model uses one. */
export interface ReadPrompt {
  readonly ids: number[];
  readonly words: PromptWord[];
  readonly unknown: string[];
}

/** Splits `text` into tiny-lm's words and marks the ones it does not know. */
export function readPrompt(tokenizer: Tokenizer, text: string): ReadPrompt {
  const words = tokenizer.preTokenize(text).map((piece) => {
    const id = tokenizer.tokenToId(piece);
    return { text: piece, id, known: id !== tokenizer.unkId };
  });
  const bos = tokenizer.prependBos && tokenizer.bosId !== null ? [tokenizer.bosId] : [];
  return {
    ids: [...bos, ...words.map((w) => w.id)],
    words,
    unknown: [...new Set(words.filter((w) => !w.known).map((w) => w.text))],
  };
}

/** One cell of the logit-lens grid: the top token read from the stream after `layer` blocks. */
export interface LensCell {
  /** 0 = the embeddings, r = after block r − 1; the last row is the model's own output. */
  readonly layer: number;
  readonly position: number;
  readonly token: string;
  readonly probability: number;
  /** Probability, at this layer, of the token the model finally predicts at this position. */
  readonly finalTokenProbability: number;
}

export interface LensGrid {
  /** Row labels: "embed", "after block 0", … */
  readonly layers: readonly string[];
  /** Column labels: the input token at each position. */
  readonly positions: readonly string[];
  /** cells[layer][position]. */
  readonly cells: readonly (readonly LensCell[])[];
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/**
 * The grid from logitLens's logits [n_layers + 1, pos, d_vocab]: for each layer and position the
 * most likely next token and its probability.
 */
export function lensGrid(
  logits: Tensor,
  layerLabels: readonly string[],
  ids: readonly number[],
  tokenizer: Tokenizer,
): LensGrid {
  const [layers, pos, vocab] = logits.dims as [number, number, number];
  const probs = (layer: number, position: number) => {
    const start = (layer * pos + position) * vocab;
    return softmax(logits.data.subarray(start, start + vocab));
  };
  const finalTokens = Array.from({ length: pos }, (_, p) => argmax(probs(layers - 1, p)));
  const cells = Array.from({ length: layers }, (_, layer) =>
    Array.from({ length: pos }, (_, position) => {
      const p = probs(layer, position);
      const top = argmax(p);
      return {
        layer,
        position,
        token: tokenizer.vocab[top] ?? '?',
        probability: p[top]!,
        finalTokenProbability: p[finalTokens[position]!]!,
      };
    }),
  );
  return { layers: layerLabels, positions: tokenizer.tokens([...ids]), cells };
}

/** The k most likely next tokens after the prompt, from the model's logits [1, pos, d_vocab]. */
export function topPredictions(
  logits: Tensor,
  tokenizer: Tokenizer,
  k: number,
): { id: number; token: string; probability: number }[] {
  const vocab = logits.dims[logits.dims.length - 1]!;
  const last = logits.data.subarray(logits.data.length - vocab);
  const probs = softmax(last);
  return [...probs.keys()]
    .sort((a, b) => probs[b]! - probs[a]!)
    .slice(0, k)
    .map((id) => ({ id, token: tokenizer.vocab[id] ?? '?', probability: probs[id]! }));
}

/** What writes into the residual stream: the parts whose sum is the final stream. */
export type ComponentKind = 'embed' | 'pos_embed' | 'head' | 'attn_bias' | 'mlp';

export interface StreamComponent {
  readonly kind: ComponentKind;
  /** "embed", "pos", "L0H3", "L0 attn bias", "MLP 0". */
  readonly label: string;
  readonly layer: number | null;
  readonly head: number | null;
}

/** Direct effects on every logit at the final position, one row per component. */
export interface DirectLogitAttribution {
  readonly components: readonly StreamComponent[];
  /** effects[c][token]: component c's direct contribution to that token's logit. */
  readonly effects: readonly Float32Array[];
  /** What no component writes: the final LayerNorm's bias and the unembedding bias. */
  readonly constant: Float32Array;
  /** The model's own logits at the final position (= constant + Σ effects). */
  readonly logits: Float32Array;
}

/** LayerNorm's ε in models/lab (TransformerLens's default); the parsed config does not carry it. */
const LN_EPS = 1e-5;

function centeredVariance(v: Float32Array): number {
  let mean = 0;
  for (const x of v) mean += x;
  mean /= v.length;
  let variance = 0;
  for (const x of v) variance += (x - mean) ** 2;
  return variance / v.length;
}

/**
 * Direct logit attribution at the prompt's last position. Each component's output vector c there
 * (embeddings, each head's hook_result, each layer's attention bias, each MLP's output) is read
 * through the unembedding with the final LayerNorm's scale frozen at the real stream's, as
 * TransformerLens's `apply_ln_to_stack` does, so the effects add up to the model's logits.
 *
 * The hook API exposes activations, not weights, so the unembedding is applied by the model
 * itself: one batched call in which row c writes c over the last block's output at the last
 * position. LayerNorm undoes any scale, so row c's logits minus the zero row's are
 * W_U·(w ⊙ (c − mean c)) / √(var c + ε); multiplying by √(var c + ε) / √(var final + ε) gives the
 * frozen-scale effect exactly.
 */
export async function directLogitAttribution(
  model: HookedModel,
  ids: readonly number[],
): Promise<DirectLogitAttribution> {
  const { n_layers: layers, n_heads: heads, d_model: dModel, d_vocab: vocab } = model.config;
  const hasMlp = model.config.d_mlp !== null;
  const last = ids.length - 1;
  const finalHook = `blocks.${layers - 1}.hook_resid_post`;
  const hooks = [
    'hook_embed',
    'hook_pos_embed',
    ...model.blockHooks('attn.hook_result'),
    ...model.blockHooks('hook_attn_out'),
    ...(hasMlp ? model.blockHooks('hook_mlp_out') : []),
    finalHook,
  ];
  const { logits, cache } = await model.runWithCache(ids, hooks);
  // The d_model vector a [1, pos, (heads,) d_model] hook holds at the last position (of head h).
  const at = (hook: string, head: number | null = null): Float32Array => {
    const t = cache.get(hook)!;
    const perPos = head === null ? dModel : heads * dModel;
    const start = last * perPos + (head ?? 0) * dModel;
    return t.data.slice(start, start + dModel);
  };

  const components: StreamComponent[] = [
    { kind: 'embed', label: 'embed', layer: null, head: null },
    { kind: 'pos_embed', label: 'pos', layer: null, head: null },
  ];
  const vectors: Float32Array[] = [at('hook_embed'), at('hook_pos_embed')];
  for (let l = 0; l < layers; l++) {
    const attnOut = at(`blocks.${l}.hook_attn_out`);
    const bias = attnOut.slice();
    for (let h = 0; h < heads; h++) {
      const result = at(`blocks.${l}.attn.hook_result`, h);
      for (let i = 0; i < dModel; i++) bias[i]! -= result[i]!;
      components.push({ kind: 'head', label: `L${l}H${h}`, layer: l, head: h });
      vectors.push(result);
    }
    components.push({ kind: 'attn_bias', label: `L${l} attn bias`, layer: l, head: null });
    vectors.push(bias);
    if (hasMlp) {
      components.push({ kind: 'mlp', label: `MLP ${l}`, layer: l, head: null });
      vectors.push(at(`blocks.${l}.hook_mlp_out`));
    }
  }

  // Row c writes vector c at the last position; the final row writes zeros.
  const rows = vectors.length + 1;
  const value = new Float32Array(rows * dModel);
  vectors.forEach((v, c) => value.set(v, c * dModel));
  const patched = await model.runWithInterventions(
    Array.from({ length: rows }, () => ids),
    [
      {
        hook: finalHook,
        kind: 'patch',
        value: { data: value, dims: [rows, 1, dModel] },
        positions: [last],
      },
    ],
  );
  const pos = ids.length;
  const lastLogits = (r: number) =>
    patched.logits.data.subarray((r * pos + last) * vocab, (r * pos + last + 1) * vocab);
  const constant = lastLogits(rows - 1).slice();
  const normalized = model.config.normalization !== null;
  const finalScale = normalized ? Math.sqrt(centeredVariance(at(finalHook)) + LN_EPS) : 1;
  const effects = vectors.map((v, c) => {
    const scale = normalized ? Math.sqrt(centeredVariance(v) + LN_EPS) / finalScale : 1;
    const row = lastLogits(c);
    const out = new Float32Array(vocab);
    for (let t = 0; t < vocab; t++) out[t] = (row[t]! - constant[t]!) * scale;
    return out;
  });
  return {
    components,
    effects,
    constant,
    logits: logits.data.slice(last * vocab, (last + 1) * vocab),
  };
}

/** Each component's direct effect on logit(answer) − logit(distractor) (or on logit(answer)). */
export function effectsOn(
  dla: DirectLogitAttribution,
  answer: number,
  distractor: number | null,
): number[] {
  return dla.effects.map((e) => e[answer]! - (distractor === null ? 0 : e[distractor]!));
}
