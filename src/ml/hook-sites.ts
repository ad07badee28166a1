/**
 * Where Residual's hook names live in a real model under nnsight.
 *
 * Residual's hook names are TransformerLens's (`blocks.{l}.attn.hook_z`, …). nnsight has no hook
 * names: it reads the input or output of any PyTorch module, so each hook becomes a module path in
 * the Hugging Face model, a side (input or output) and, for per-head hooks, a reshape. Pure data
 * and string work, no DOM; the notebook generator (src/notebook) uses it.
 *
 * Sources, checked on 2026-12-06 against the repositories' current default branches:
 * - TransformerLens 3's own map from its component names to Hugging Face modules:
 *   transformer_lens/model_bridge/supported_architectures/gpt2.py (embed → transformer.wte,
 *   pos_embed → transformer.wpe, blocks → transformer.h, ln1 → ln_1, attn → attn with qkv → c_attn
 *   and o → c_proj, ln2 → ln_2, mlp → mlp with in → c_fc and out → c_proj, ln_final →
 *   transformer.ln_f, unembed → lm_head) and …/supported_architectures/llama.py (embed →
 *   model.embed_tokens, blocks → model.layers, ln1 → input_layernorm, ln2 →
 *   post_attention_layernorm, attn → self_attn with q/k/v/o → q_proj/k_proj/v_proj/o_proj, mlp →
 *   mlp with gate → gate_proj, in → up_proj, out → down_proj, ln_final → model.norm, unembed →
 *   lm_head).
 * - The legacy names TransformerLens 3's TransformerBridge keeps as aliases (registered by
 *   `enable_compatibility_mode()`, docs/source/content/compatibility_mode.md and
 *   migrating_to_v3.md): transformer_lens/model_bridge/generalized_components/block.py
 *   (hook_resid_pre → hook_in, hook_resid_mid → ln2.hook_in, hook_resid_post → hook_out,
 *   hook_attn_out → attn.hook_out, hook_mlp_out → mlp.hook_out), …/attention.py (hook_q/k/v →
 *   q/k/v.hook_out, hook_z → o.hook_in: the input of the output projection), …/mlp.py (hook_pre →
 *   in.hook_out, hook_post → out.hook_in), …/gated_mlp.py (hook_pre → gate.hook_out, hook_post →
 *   out.hook_in), transformer_lens/model_bridge/bridge.py (hook_embed → embed.hook_out,
 *   hook_pos_embed → pos_embed.hook_out). So the same legacy names run unchanged on
 *   HookedTransformer (TransformerLens 2 and 3) and on a TransformerBridge in compatibility mode;
 *   TransformerBridge's canonical names are the hook_in / hook_out ones above.
 * - Hugging Face's GPT-2 (transformers src/transformers/models/gpt2/modeling_gpt2.py): c_attn
 *   computes q, k and v in one [.., 3 × d_model] output; the attention output (input of c_proj) is
 *   heads merged into d_model; attention weights go through `attn_dropout` and are returned only
 *   with `output_attentions=True` on the eager implementation. The nnsight README
 *   (ndif-team/nnsight README.md) reads GPT-2 blocks as `model.transformer.h[l].output[0]` and
 *   Llama layers as `model.model.layers[l].output`; src/nnsight/intervention/envoy.py: `.input` is
 *   a module's first positional argument, `.output` its return value.
 *
 * What has no single module boundary is null with the reason (attention scores before softmax,
 * per-head results): read them with nnsight's `.source` or compute them from hook_z and W_O.
 */

/** The real-model families the map covers. */
export type ModelFamily = 'gpt2' | 'llama';

/** Where one hook is in a Hugging Face model, for nnsight. Module paths use `{l}` for the layer. */
export interface NnsightSite {
  /** Dotted module path from the model root, e.g. `transformer.h.{l}.attn.c_proj`. */
  readonly module: string;
  /** Read the module's first input or its output. */
  readonly side: 'input' | 'output';
  /** The output is a tuple whose element 0 is the activation (attention modules). */
  readonly tupleFirst?: boolean;
  /** The last dimension is heads × d_head merged: view it as [.., n_heads, d_head]. */
  readonly splitHeads?: 'heads' | 'kv_heads';
  /** GPT-2's fused c_attn: the activation is this third of the last dimension (0 q, 1 k, 2 v). */
  readonly third?: 0 | 1 | 2;
  /** For the last layer, where the same activation is read instead (no next block there). */
  readonly lastLayer?: { readonly module: string; readonly side: 'input' | 'output' };
  /** Read from the model's own output instead of a module (attention weights). */
  readonly modelOutput?: 'attentions';
  /** Where the real model's activation differs from TransformerLens's (folded LayerNorm, …). */
  readonly note?: string;
}

/** A hook with no single module boundary in the real model. */
export interface MissingSite {
  readonly missing: string;
}

type SiteTable = Readonly<Record<string, NnsightSite | MissingSite>>;

const AFFINE =
  'includes the norm’s own weight (and bias); HookedTransformer folds it into the next weights';

const GPT2: SiteTable = {
  hook_embed: { module: 'transformer.wte', side: 'output' },
  hook_pos_embed: { module: 'transformer.wpe', side: 'output' },
  hook_resid_pre: { module: 'transformer.h.{l}', side: 'input' },
  'ln1.hook_normalized': { module: 'transformer.h.{l}.ln_1', side: 'output', note: AFFINE },
  'attn.hook_q': {
    module: 'transformer.h.{l}.attn.c_attn',
    side: 'output',
    third: 0,
    splitHeads: 'heads',
  },
  'attn.hook_k': {
    module: 'transformer.h.{l}.attn.c_attn',
    side: 'output',
    third: 1,
    splitHeads: 'heads',
  },
  'attn.hook_v': {
    module: 'transformer.h.{l}.attn.c_attn',
    side: 'output',
    third: 2,
    splitHeads: 'heads',
  },
  'attn.hook_attn_scores': {
    missing: 'computed inside the attention function; read it with nnsight’s .source',
  },
  'attn.hook_pattern': {
    module: '',
    side: 'output',
    modelOutput: 'attentions',
    note: 'needs attn_implementation="eager" and output_attentions=True; [batch, head, query, key]',
  },
  'attn.hook_z': { module: 'transformer.h.{l}.attn.c_proj', side: 'input', splitHeads: 'heads' },
  'attn.hook_result': {
    missing: 'per-head output: hook_z of one head times that head’s rows of W_O',
  },
  hook_attn_out: { module: 'transformer.h.{l}.attn', side: 'output', tupleFirst: true },
  hook_resid_mid: { module: 'transformer.h.{l}.ln_2', side: 'input' },
  'ln2.hook_normalized': { module: 'transformer.h.{l}.ln_2', side: 'output', note: AFFINE },
  'mlp.hook_pre': { module: 'transformer.h.{l}.mlp.c_fc', side: 'output' },
  'mlp.hook_post': { module: 'transformer.h.{l}.mlp.c_proj', side: 'input' },
  hook_mlp_out: { module: 'transformer.h.{l}.mlp', side: 'output' },
  hook_resid_post: {
    module: 'transformer.h.{l+1}',
    side: 'input',
    lastLayer: { module: 'transformer.ln_f', side: 'input' },
  },
  'ln_final.hook_normalized': { module: 'transformer.ln_f', side: 'output', note: AFFINE },
};

const LLAMA: SiteTable = {
  hook_embed: { module: 'model.embed_tokens', side: 'output' },
  hook_pos_embed: { missing: 'rotary models add no position embedding to the stream' },
  hook_resid_pre: { module: 'model.layers.{l}', side: 'input' },
  'ln1.hook_normalized': {
    module: 'model.layers.{l}.input_layernorm',
    side: 'output',
    note: AFFINE,
  },
  'attn.hook_q': {
    module: 'model.layers.{l}.self_attn.q_proj',
    side: 'output',
    splitHeads: 'heads',
  },
  'attn.hook_k': {
    module: 'model.layers.{l}.self_attn.k_proj',
    side: 'output',
    splitHeads: 'kv_heads',
    note: 'grouped-query attention: n_key_value_heads, not n_heads; before the rotary embedding',
  },
  'attn.hook_v': {
    module: 'model.layers.{l}.self_attn.v_proj',
    side: 'output',
    splitHeads: 'kv_heads',
    note: 'grouped-query attention: n_key_value_heads, not n_heads',
  },
  'attn.hook_attn_scores': {
    missing: 'computed inside the attention function; read it with nnsight’s .source',
  },
  'attn.hook_pattern': {
    module: '',
    side: 'output',
    modelOutput: 'attentions',
    note: 'needs attn_implementation="eager" and output_attentions=True; [batch, head, query, key]',
  },
  'attn.hook_z': {
    module: 'model.layers.{l}.self_attn.o_proj',
    side: 'input',
    splitHeads: 'heads',
  },
  'attn.hook_result': {
    missing: 'per-head output: hook_z of one head times that head’s rows of W_O',
  },
  hook_attn_out: { module: 'model.layers.{l}.self_attn', side: 'output', tupleFirst: true },
  hook_resid_mid: { module: 'model.layers.{l}.post_attention_layernorm', side: 'input' },
  'ln2.hook_normalized': {
    module: 'model.layers.{l}.post_attention_layernorm',
    side: 'output',
    note: AFFINE,
  },
  'mlp.hook_pre': {
    module: 'model.layers.{l}.mlp.gate_proj',
    side: 'output',
    note: 'gated MLP: the gate before its activation (up_proj is the other factor)',
  },
  'mlp.hook_post': {
    module: 'model.layers.{l}.mlp.down_proj',
    side: 'input',
    note: 'gated MLP: act(gate) × up',
  },
  hook_mlp_out: { module: 'model.layers.{l}.mlp', side: 'output' },
  hook_resid_post: {
    module: 'model.layers.{l+1}',
    side: 'input',
    lastLayer: { module: 'model.norm', side: 'input' },
  },
  'ln_final.hook_normalized': { module: 'model.norm', side: 'output', note: AFFINE },
};

const TABLES: Record<ModelFamily, SiteTable> = { gpt2: GPT2, llama: LLAMA };

/** Where the logits come from (the unembedding), per family. */
export const UNEMBED_MODULE: Record<ModelFamily, string> = { gpt2: 'lm_head', llama: 'lm_head' };
/** The final norm, per family (applied before the unembedding in a logit lens). */
export const FINAL_NORM_MODULE: Record<ModelFamily, string> = {
  gpt2: 'transformer.ln_f',
  llama: 'model.norm',
};

/** A hook name split into its layer (null outside the blocks) and its suffix. */
export function splitHookName(hook: string): { layer: number | null; suffix: string } {
  const match = /^blocks\.(\d+)\.(.+)$/.exec(hook);
  if (match) return { layer: Number(match[1]), suffix: match[2]! };
  return { layer: null, suffix: hook };
}

/**
 * The nnsight site of a TransformerLens hook name (`blocks.3.attn.hook_z`, or a suffix such as
 * `attn.hook_z`) in a model family. Throws for a name the map does not know; returns a
 * MissingSite for a hook that has no single module boundary.
 */
export function nnsightSite(hook: string, family: ModelFamily): NnsightSite | MissingSite {
  const { suffix } = splitHookName(hook);
  const site = TABLES[family][suffix];
  if (!site) throw new Error(`No nnsight site for the hook “${hook}” (${family})`);
  return site;
}

/** Every hook suffix the map knows, in one family. */
export function mappedHookSuffixes(family: ModelFamily): string[] {
  return Object.keys(TABLES[family]);
}

/** Whether a site is missing (no module boundary). */
export function isMissing(site: NnsightSite | MissingSite): site is MissingSite {
  return 'missing' in site;
}

/**
 * The Python expression (nnsight, inside a trace) that reads `hook` at a given layer, the layer
 * being a Python expression (`"3"`, `"layer"`). `model` is the nnsight LanguageModel; `lastLayer`
 * the Python expression of the index of the model's last block, used by hooks read at the next
 * block's input. The expression is a view: writing into it in place edits the model's activation.
 * `raw` leaves per-head activations merged ([.., n_heads × d_head]), as the model holds them.
 */
export function nnsightExpression(
  hook: string,
  family: ModelFamily,
  layer: string,
  options: { lastLayer?: string; raw?: boolean } = {},
): string {
  const lastLayer = options.lastLayer ?? 'N_LAYERS - 1';
  const site = nnsightSite(hook, family);
  if (isMissing(site)) throw new Error(`${hook} has no module in ${family}: ${site.missing}`);
  if (site.modelOutput === 'attentions') return `model.output.attentions[${layer}]`;
  const access = (module: string, side: string) =>
    `model.${modulePath(module, layer)}.${side}${site.tupleFirst ? '[0]' : ''}`;
  let expression = access(site.module, site.side);
  if (site.lastLayer && layer === lastLayer)
    expression = access(site.lastLayer.module, site.lastLayer.side);
  else if (site.lastLayer)
    expression = `(${access(site.lastLayer.module, site.lastLayer.side)} if ${layer} == ${lastLayer} else ${expression})`;
  if (site.third !== undefined)
    expression = `${expression}[..., ${site.third} * D_MODEL:${site.third + 1} * D_MODEL]`;
  // Raw: the tensor the model itself computed (a gradient reaches it; a reshaped view it does not).
  if (site.splitHeads && !options.raw) {
    const heads = site.splitHeads === 'heads' ? 'N_HEADS' : 'N_KV_HEADS';
    expression = `${expression}.unflatten(-1, (${heads}, -1))`;
  }
  return expression;
}

/** `transformer.h.{l}.attn` → `transformer.h[layer].attn` (Python indexing of ModuleLists). */
function modulePath(module: string, layer: string): string {
  return module
    .replace('.{l+1}', `[${layer} + 1]`)
    .replace('.{l}', `[${layer}]`)
    .replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}
