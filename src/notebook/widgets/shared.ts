/** What several widgets' notebooks share: the tokenizer view they need, and Python snippets. */
import { FINAL_NORM_MODULE, type ModelFamily } from '../../ml/hook-sites';

/** The part of src/ml's Tokenizer a describer needs. */
export interface TokenNames {
  encode(text: string): number[];
  tokens(ids: readonly number[]): string[];
  /** The text pieces a prompt splits into, one per token after BOS (unknown words included). */
  preTokenize(text: string): string[];
}

/**
 * The widget tokenizer's pieces of `text` after BOS, as text (an unknown word is itself, not
 * <unk>), so that each can be found again in the prompt.
 */
export const piecesOf = (tokenizer: TokenNames, text: string): string[] =>
  tokenizer.preTokenize(text);

/** A number as the widget shows it. */
export const fixed = (value: number, digits = 2): string =>
  Number.isFinite(value) ? value.toFixed(digits) : 'n/a';

/**
 * Python (inside an nnsight trace) that defines `W_O_heads(layer)` → [n_heads, d_head, d_model]:
 * the rows of the attention output projection each head writes through. GPT-2's c_proj is a
 * Conv1D (weight [in, out]); Llama's o_proj an nn.Linear (weight [out, in]).
 */
export function headWritersPython(family: ModelFamily): string {
  const weight =
    family === 'gpt2'
      ? 'model.transformer.h[layer].attn.c_proj.weight'
      : 'model.model.layers[layer].self_attn.o_proj.weight.T';
  return `def W_O_heads(layer):\n    return ${weight}.reshape(N_HEADS, -1, D_MODEL)`;
}

/**
 * Python that linearises the final norm at one position: `through_final_norm(x, final)` maps a
 * component's write x [.., d_model] to what it adds to the normalised stream, dividing by the
 * scale of the whole stream `final` (as TransformerLens's apply_ln_to_stack does).
 */
export function finalNormPython(family: ModelFamily): string {
  const norm = `model.${FINAL_NORM_MODULE[family]}`;
  if (family === 'gpt2')
    return `def through_final_norm(x, final):
    scale = (final - final.mean(-1, keepdim=True)).pow(2).mean(-1, keepdim=True).add(${norm}.eps).sqrt()
    return (x - x.mean(-1, keepdim=True)) / scale * ${norm}.weight`;
  return `def through_final_norm(x, final):
    scale = final.pow(2).mean(-1, keepdim=True).add(${norm}.variance_epsilon).sqrt()
    return x / scale * ${norm}.weight`;
}
