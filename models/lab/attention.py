"""Causal multi-head attention, written once.

The model (models/lab/model.py), the exported graphs (export.py, prefix.py) and the hand-written
backward (backward.py) all run attention through the functions here, so its arithmetic lives in
one place. Shapes follow nanoGPT: B batch, nh heads, T positions (Tq queries, Tk keys, which
differ only when a prefix's keys and values are prepended), C d_model, hs d_head.

Inside, heads come first ``(B, nh, T, hs)``; the hooks see them second ``(B, T, nh, hs)``, as in
TransformerLens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional, Tuple

import torch

if TYPE_CHECKING:  # model.py imports this module
    from .model import Attention

# Masked attention scores are set to this finite value (not -inf) so that the scores hook is
# JSON-serialisable and the softmax still gives exactly 0 to future positions.
MASKED_SCORE = -1e9

Hook = Callable[[torch.Tensor], torch.Tensor]


def _identity(t: torch.Tensor) -> torch.Tensor:
    return t


def heads_first(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """x (B, T, C) @ W (nh, C, hs) + b (nh, hs) -> (B, nh, T, hs): one broadcast matmul per
    role, no reshapes."""
    return x.unsqueeze(1) @ W + b.unsqueeze(1)


def project_per_head(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The model's q/k/v projection: x (B, T, C) -> (B, T, nh, hs), the hook layout."""
    return heads_first(x, W, b).transpose(1, 2)


def project_flat(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The same projection as one (C, nh*hs) matmul straight into the hook layout
    (B, T, nh, hs): fewer, larger ops, which onnxruntime runs faster (export-time form)."""
    n_heads, d_model, d_head = (int(d) for d in W.shape)
    batch, n_pos = x.shape[0], x.shape[1]
    flat = W.permute(1, 0, 2).reshape(d_model, n_heads * d_head)  # (C, nh*hs)
    return (x @ flat + b.reshape(n_heads * d_head)).reshape(batch, n_pos, n_heads, d_head)


def attend(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    scale: float,
    future: torch.Tensor,
    hook_scores: Hook = _identity,
    hook_pattern: Hook = _identity,
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Masked softmax attention, heads first.

    q (B, nh, Tq, hs), k and v (B, nh, Tk, hs), future (Tq, Tk) bool, True where a query may
    not look. Returns scores and pattern (B, nh, Tq, Tk) and z (B, nh, Tq, hs). The hooks see
    (and may replace) the masked scores and the pattern.
    """
    scores = q @ k.transpose(2, 3) * scale  # (B, nh, Tq, Tk)
    scores = hook_scores(scores.masked_fill(future, MASKED_SCORE))
    pattern = hook_pattern(scores.softmax(-1))  # (B, nh, Tq, Tk)
    z = pattern @ v  # (B, nh, Tq, hs)
    return scores, pattern, z


def attend_backward(
    d_z: torch.Tensor,
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    pattern: torch.Tensor,
    scale: float,
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Backward of ``attend`` given dMetric/dz (B, nh, Tq, hs): returns the gradients at the
    pattern (B, nh, Tq, Tk) and at q, k, v (heads first, shaped like them)."""
    d_pattern = d_z @ v.transpose(2, 3)  # (B, nh, Tq, Tk)
    d_v = pattern.transpose(2, 3) @ d_z  # (B, nh, Tk, hs)
    # softmax backward; masked entries have pattern 0 and so get no gradient.
    d_scores = pattern * (d_pattern - (d_pattern * pattern).sum(-1, keepdim=True))
    d_scores = d_scores * scale  # (B, nh, Tq, Tk)
    d_q = d_scores @ k  # (B, nh, Tq, hs)
    d_k = d_scores.transpose(2, 3) @ q  # (B, nh, Tk, hs)
    return d_pattern, d_q, d_k, d_v


def causal_attention(
    attn: "Attention",
    x: torch.Tensor,
    project: Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor] = project_per_head,
    past: Optional[Tuple[torch.Tensor, torch.Tensor]] = None,
) -> torch.Tensor:
    """An ``Attention`` layer's forward pass through its hook points: x (B, T, C) -> (B, T, C).

    ``project`` is project_per_head (the model) or project_flat (export). ``past`` = (k, v),
    each (1 or B, nh, T_prefix, hs): a prefix's keys and values that the T positions of x follow
    (model.prefix.onnx); the queries are then positions T_prefix .. T_prefix + T - 1.
    """
    q = attn.hook_q(project(x, attn.W_Q, attn.b_Q)).transpose(1, 2)  # (B, nh, T, hs)
    k = attn.hook_k(project(x, attn.W_K, attn.b_K)).transpose(1, 2)  # (B, nh, T, hs)
    v = attn.hook_v(project(x, attn.W_V, attn.b_V)).transpose(1, 2)  # (B, nh, T, hs)
    batch, n_pos = x.shape[0], x.shape[1]
    if past is None:
        future = attn.future_mask[:n_pos, :n_pos]  # (T, T), True above the diagonal
    else:
        past_k, past_v = past
        n_prefix = past_k.shape[2]
        k = torch.cat([past_k.expand(batch, -1, -1, -1), k], dim=2)  # (B, nh, Tk, hs)
        v = torch.cat([past_v.expand(batch, -1, -1, -1), v], dim=2)  # (B, nh, Tk, hs)
        future = attn.future_mask[n_prefix : n_prefix + n_pos, : n_prefix + n_pos]  # (T, Tk)
    _, _, z = attend(q, k, v, attn.scale, future, attn.hook_attn_scores, attn.hook_pattern)
    z = attn.hook_z(z.transpose(1, 2))  # (B, T, nh, hs)
    result = z.transpose(1, 2) @ attn.W_O  # (B, nh, T, C)
    result = attn.hook_result(result.transpose(1, 2))  # (B, T, nh, C)
    return result.sum(2) + attn.b_O  # (B, T, C)
