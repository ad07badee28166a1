"""The forward pass over a suffix, given the keys and values of the prefix (model.prefix.onnx).

Activation patching runs the same prompt many times with one patch each. Under causal attention
every position before the first patched one computes exactly what the unpatched run computed, so
a patched run only needs the positions from there on, plus the keys and values that the
unpatched run computed for the prefix (the only thing later positions read from earlier ones).

    PrefixForwardGraph(model)(tokens, past_k:0, past_v:0, ..., *interventions) -> logits

- ``tokens`` int64 [batch, suffix]: the suffix's tokens; their positions are prefix, prefix+1, ...
  where prefix = past_k:0.shape[2] (the positions follow from the past, so they cannot disagree).
- ``past_k:{l}``, ``past_v:{l}`` float32 [1 or batch, n_heads, prefix, d_head]: layer l's
  blocks.{l}.attn.hook_k / hook_v over the prefix, heads first (a batch of 1 is shared by every
  row); prefix >= 1.
- then the intervention inputs of model.onnx, in the same order, for the suffix positions (every
  hook's pos / query_pos axis is the suffix; an attention pattern's key_pos axis is the whole
  prompt, prefix then suffix).
- output: ``logits`` [batch, suffix, d_vocab].

The same arithmetic as the full forward pass (checked in models/lab/tests/test_prefix.py and, on
the exported graphs, by tests/unit/ml/prefix-sweep.test.ts).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn

from .model import HookedTransformer, Intervention


def past_input_names(model: HookedTransformer) -> List[str]:
    """past_k:0, past_v:0, past_k:1, ... in layer order."""
    return [f"past_{kv}:{l}" for l in range(model.cfg.n_layers) for kv in ("k", "v")]


@contextmanager
def _prefix_attention(model: HookedTransformer, past: List[Tuple[torch.Tensor, torch.Tensor]]):
    """Within the block, layer l's attention reads the prefix's keys and values past[l]
    (attention.causal_attention prepends them)."""
    attns = [block.attn for block in model.blocks]
    for attn, kv in zip(attns, past):
        attn.past = kv
    try:
        yield
    finally:
        for attn in attns:
            attn.past = None


def run_suffix(
    model: HookedTransformer,
    tokens: torch.Tensor,
    past: List[Tuple[torch.Tensor, torch.Tensor]],
    interventions: Optional[Dict[str, Intervention]] = None,
) -> torch.Tensor:
    """Logits [batch, suffix, d_vocab] of the suffix `tokens` after a prefix whose keys and values
    per layer are past[l] = (k, v), each [1 or batch, n_heads, prefix, d_head]."""
    batch, n_pos = tokens.shape
    n_prefix = past[0][0].shape[2]
    with _prefix_attention(model, past), model.hooks(interventions=interventions):
        embed = model.hook_embed(model.embed(tokens))
        w_pos = model.pos_embed.W_pos[n_prefix : n_prefix + n_pos]
        pos_embed = model.hook_pos_embed(w_pos.unsqueeze(0).expand(batch, -1, -1))
        resid = embed + pos_embed
        for block in model.blocks:
            resid = block(resid)
        return model.unembed(model.ln_final(resid))


class PrefixForwardGraph(nn.Module):
    """Flat-argument wrapper for export: (tokens, *past, *interventions) -> logits."""

    def __init__(self, model: HookedTransformer):
        super().__init__()
        self.model = model

    def forward(self, tokens: torch.Tensor, *flat: torch.Tensor) -> torch.Tensor:
        n_layers = self.model.cfg.n_layers
        past = [(flat[2 * l], flat[2 * l + 1]) for l in range(n_layers)]
        rest = flat[2 * n_layers :]
        names = self.model.intervention_hook_names
        interventions = {
            name: Intervention(*rest[3 * i : 3 * i + 3]) for i, name in enumerate(names)
        }
        return run_suffix(self.model, tokens, past, interventions)
