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

import types
from contextlib import contextmanager
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn

from .model import MASKED_SCORE, Attention, HookedTransformer, Intervention


def past_input_names(model: HookedTransformer) -> List[str]:
    """past_k:0, past_v:0, past_k:1, ... in layer order."""
    return [f"past_{kv}:{l}" for l in range(model.cfg.n_layers) for kv in ("k", "v")]


def _prefix_attention_forward(self: Attention, x: torch.Tensor) -> torch.Tensor:
    """Attention of the suffix positions x [batch, suffix, d_model] over prefix + suffix; the
    prefix's keys and values are in self._past ([1 or batch, h, prefix, d_head] each). q/k/v
    projections as in export.py's export-time form (one matmul each)."""
    n_heads, d_model, d_head = (int(d) for d in self.W_Q.shape)
    batch, n_pos = x.shape[0], x.shape[1]
    past_k, past_v = self._past

    def project(W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:  # -> [batch, pos, h, d_head]
        flat = W.permute(1, 0, 2).reshape(d_model, n_heads * d_head)
        return (x @ flat + b.reshape(n_heads * d_head)).reshape(batch, n_pos, n_heads, d_head)

    q_h = self.hook_q(project(self.W_Q, self.b_Q)).transpose(1, 2)  # [batch, h, suffix, d_head]
    k_h = self.hook_k(project(self.W_K, self.b_K)).transpose(1, 2)
    v_h = self.hook_v(project(self.W_V, self.b_V)).transpose(1, 2)
    k_all = torch.cat([past_k.expand(batch, -1, -1, -1), k_h], dim=2)  # [batch, h, key, d_head]
    v_all = torch.cat([past_v.expand(batch, -1, -1, -1), v_h], dim=2)
    n_prefix = past_k.shape[2]
    scores = q_h @ k_all.transpose(2, 3) * self.scale  # [batch, h, suffix, prefix + suffix]
    future = self.future_mask[n_prefix : n_prefix + n_pos, : n_prefix + n_pos]
    scores = self.hook_attn_scores(scores.masked_fill(future, MASKED_SCORE))
    pattern = self.hook_pattern(scores.softmax(-1))
    z = self.hook_z((pattern @ v_all).transpose(1, 2))  # [batch, suffix, h, d_head]
    result_h = z.transpose(1, 2) @ self.W_O  # [batch, h, suffix, d_model]
    result = self.hook_result(result_h.transpose(1, 2))  # [batch, suffix, h, d_model]
    return result.sum(2) + self.b_O


@contextmanager
def _prefix_attention(model: HookedTransformer):
    """Within the block, attention reads the prefix's keys and values (any other form of the
    layer set on the instance, such as export.py's, is put back afterwards)."""
    saved = []
    for module in model.modules():
        if isinstance(module, Attention):
            saved.append((module, module.__dict__.get("forward")))
            module.forward = types.MethodType(_prefix_attention_forward, module)
    try:
        yield
    finally:
        for module, previous in saved:
            del module.forward
            if previous is not None:
                module.forward = previous
            module.__dict__.pop("_past", None)


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
    with _prefix_attention(model), model.hooks(interventions=interventions):
        for block, kv in zip(model.blocks, past):
            block.attn._past = kv
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
