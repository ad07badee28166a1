/**
 * Writing Python from TypeScript: literals for the settings cell, and the setup cells every
 * notebook of a flavour shares (install, load the model, tokenise, map positions). Pure strings.
 */
import type { Setting, Target } from './experiment';

/** A Python string literal (JSON's escapes are valid Python escapes). */
export function pyString(text: string): string {
  return JSON.stringify(text);
}

/** A Python literal for a JSON-like value (None / True / False where JSON has null / true / false). */
export function pyLiteral(value: Setting, indent = 0): string {
  const pad = ' '.repeat(indent + 4);
  const end = ' '.repeat(indent);
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 'float("nan")';
    return String(value);
  }
  if (typeof value === 'string') return pyString(value);
  if (Array.isArray(value)) {
    const items = value as readonly Setting[];
    if (items.every((v) => v === null || typeof v !== 'object'))
      return `[${items.map((v) => pyLiteral(v)).join(', ')}]`;
    return `[\n${items.map((v) => `${pad}${pyLiteral(v, indent + 4)},`).join('\n')}\n${end}]`;
  }
  const entries = Object.entries(value as Record<string, Setting>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${pad}${pyString(k)}: ${pyLiteral(v, indent + 4)},`).join('\n')}\n${end}}`;
}

/** The install line, commented so that the cell compiles as Python and runs nothing by surprise. */
export function installCell(target: Target): string {
  const packages =
    target.flavour === 'transformerlens'
      ? 'transformer_lens'
      : target.flavour === 'nnsight'
        ? '"nnsight>=0.5"'
        : 'torch';
  return [
    '# Install once (uncomment; in Colab use !pip):',
    `# %pip install ${packages}`,
    'import torch',
    '',
    'device = "cuda" if torch.cuda.is_available() else "cpu"',
  ].join('\n');
}

/** Loads the model and defines to_tokens (BOS first) and the model's sizes. */
export function loadCell(target: Target): string {
  if (target.flavour === 'transformerlens')
    return `
from transformer_lens import HookedTransformer

# HookedTransformer folds LayerNorm weights and centres the unembedding, as the papers did. On
# TransformerLens 3 the same hook names also work on a TransformerBridge after
# bridge.enable_compatibility_mode() (TransformerBridge.boot_transformers("gpt2")).
torch.set_grad_enabled(False)
model = HookedTransformer.from_pretrained(${pyString(target.model.name)}, device=device)
N_LAYERS, N_HEADS, D_MODEL = model.cfg.n_layers, model.cfg.n_heads, model.cfg.d_model


def to_tokens(text):
    """Token ids [1, pos] with BOS first, as Residual's models read a prompt."""
    return model.to_tokens(text, prepend_bos=True)


def token_id(word):
    """The token of a word as it follows a space (" Mary"); its first token if it splits."""
    return int(model.to_tokens(" " + word, prepend_bos=False)[0, 0])


def digits_id(text):
    """The token of digits that follow other digits ("45" in "1745"), no space before them."""
    return int(model.to_tokens(text, prepend_bos=False)[0, 0])
`;
  if (target.flavour === 'nnsight')
    return `
from nnsight import CONFIG, LanguageModel

REMOTE = ${target.model.remote ? 'True' : 'False'}
if REMOTE:
    # NDIF runs the model on its cluster; it needs a free API key (see nnsight.net), and the model
    # must be one NDIF hosts at the moment (nnsight.net/status).
    CONFIG.set_default_api_key("YOUR_NDIF_API_KEY")
torch.set_grad_enabled(False)
# Eager attention: only it returns attention weights (output_attentions=True).
model = LanguageModel(${pyString(target.model.name)}, device_map="auto", attn_implementation="eager", dispatch=not REMOTE)
cfg = model.config
N_LAYERS, N_HEADS, D_MODEL = cfg.num_hidden_layers, cfg.num_attention_heads, cfg.hidden_size
N_KV_HEADS = getattr(cfg, "num_key_value_heads", None) or N_HEADS
tokenizer = model.tokenizer


def to_tokens(text):
    """Token ids [1, pos] with BOS first, as Residual's models read a prompt."""
    ids = tokenizer(text, return_tensors="pt").input_ids.reshape(1, -1)
    if ids.shape[1] == 0 or ids[0, 0].item() != tokenizer.bos_token_id:
        ids = torch.cat([torch.tensor([[tokenizer.bos_token_id]]), ids], dim=1)
    return ids


def token_id(word):
    """The token of a word as it follows a space (" Mary"); its first token if it splits."""
    return tokenizer(" " + word, add_special_tokens=False).input_ids[0]


def digits_id(text):
    """The token of digits that follow other digits ("45" in "1745"), no space before them."""
    return tokenizer(text, add_special_tokens=False).input_ids[0]
`;
  return `
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
`;
}

/**
 * real_positions(text, positions): where each of the widget's positions sits after re-tokenising
 * with the real model's tokenizer. A widget position is a tiny-lm token, given with the character
 * offset where it ends in the prompt; its real position is the last real token of the same text.
 */
export const POSITIONS_CELL = `
def real_positions(text, positions):
    """Map the widget's token positions (BOS = 0) to the real tokenizer's, by the text they end at."""
    mapped = []
    for p in positions:
        if p["position"] == 0:
            mapped.append(0)
        else:
            mapped.append(to_tokens(text[: p["end"]]).shape[1] - 1)
    return mapped
`;
