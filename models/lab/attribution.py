"""Attribution patching in one graph call that computes only what the estimates need
(model.attrib.onnx).

Attribution patching scores a patch of hook H by (a_source - a_target) . dMetric/dH, the gradient
taken at the target run. Under causal attention the two runs are identical before the first
position where their tokens differ, so every difference, and with it every score, is zero there:
only the positions from that one on (the suffix) matter. A gradient at a suffix position flows
only from later positions, all in the suffix. So this graph runs

- the shared prefix once (the target's tokens before the first difference) and both prompts'
  suffixes, as one sequence of prefix + 2 * suffix positions in which each suffix attends to the
  prefix and to itself (_pair_mask), with the position ids it has in its own prompt: one forward
  pass with larger matmuls instead of a prefix pass and a batch of two;
- the prefix only as far as it is read: its keys and values in every layer, so the last layer
  goes on with the suffixes' positions alone, and no logits of the prefix are computed (a metric
  read at a suffix position needs none: src/ml/attribution-graph.ts);
- the backward pass of the target alone, over the suffix alone;

and returns the scores themselves, summed in chunks, instead of every activation and gradient
for the page to multiply (models/lab/backward.py differentiates every position of every row of
its batch, and returns all of them). Each op of a graph costs onnxruntime-web a few microseconds
however small its tensors, so the graph is written in few, large ops: one chunked sum for the
scores of every hook but the attention pattern, one for the patterns of all layers.

    AttributionGraph(model)(prefix, tokens, logit_grad) -> logits, attr, attr_pattern

- ``prefix`` int64 [1, prefix]: the target's tokens before the first differing one (prefix >= 1;
  a pair that differs at its first token goes through model.grad.onnx instead).
- ``tokens`` int64 [2, suffix]: the rest of the source prompt (row 0) and of the target (row 1).
- ``logit_grad`` [1, suffix, d_vocab]: dMetric/dlogits of the target at the suffix positions (a
  metric's gradient at a prefix position changes no score: it reaches only prefix positions).
- ``logits`` [2, suffix, d_vocab]: of each prompt's suffix (source, target).
- ``attr`` [1, suffix, chunks]: for the hooks of scored_hooks(model), in that order, each hook's
  last axis flattened with its heads ([batch, pos, n_heads, d_head] -> n_heads*d_head), then all
  of them concatenated: (a_source - a_target) * dMetric/da summed over each run of ``chunk``
  consecutive values (attribution_chunk(cfg), which divides d_head, d_model and d_mlp).
- ``attr_pattern`` [1, n_layers * n_heads, suffix]: the same for each layer's attention pattern,
  summed over the key positions.

Every other intervention hook's score is one of these: blocks.{l}.hook_resid_post is
blocks.{l+1}.hook_resid_pre (the same tensor, the same gradient), hook_embed scores as
blocks.0.hook_resid_pre (the positional embeddings are the same in both prompts) and
hook_pos_embed scores zero.
"""

from __future__ import annotations

import math
from typing import Dict, List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention import MASKED_SCORE, attend_backward
from .backward import activation_backward, activation_forward
from .model import HookedTransformer, LayerNorm

Past = List[Tuple[torch.Tensor, torch.Tensor]]


def scored_hooks(model: HookedTransformer) -> List[str]:
    """The hooks whose scores ``attr`` holds, in order (the attention patterns are apart)."""
    names = []
    for l, block in enumerate(model.blocks):
        p = f"blocks.{l}."
        names += [p + "hook_resid_pre"] + [p + f"attn.hook_{r}" for r in "qkvz"]
        names += [p + "hook_attn_out"]
        if not block.attn_only:
            names += [p + "hook_resid_mid", p + "mlp.hook_post", p + "hook_mlp_out"]
    return names + [f"blocks.{model.cfg.n_layers - 1}.hook_resid_post"]


def hook_width(model: HookedTransformer, name: str) -> int:
    """Values per position of a scored hook (heads flattened)."""
    cfg = model.cfg
    if name.endswith(("hook_q", "hook_k", "hook_v", "hook_z")):
        return cfg.n_heads * cfg.d_head
    return cfg.d_mlp if name.endswith("mlp.hook_post") else cfg.d_model


def scored_width(model: HookedTransformer) -> int:
    return sum(hook_width(model, name) for name in scored_hooks(model))


def attribution_chunk(cfg) -> int:
    """The run of values that ``attr`` sums: divides d_head, d_model and d_mlp."""
    return math.gcd(cfg.d_head, cfg.d_model, cfg.d_mlp or cfg.d_model)


ATTRIBUTION_OUTPUTS = ["logits", "attr", "attr_pattern"]


def _flat(W: torch.Tensor) -> torch.Tensor:
    """(nh, C, hs) -> (C, nh*hs): a per-head projection as one matmul (attention.project_flat)."""
    n_heads, d_model, d_head = (int(d) for d in W.shape)
    return W.permute(1, 0, 2).reshape(d_model, n_heads * d_head)


def _layer_norm(ln, x: torch.Tensor) -> torch.Tensor:
    """The forward LayerNorm as one op (or none, for models without)."""
    if not isinstance(ln, LayerNorm):
        return x
    return F.layer_norm(x, (int(ln.w.shape[0]),), ln.w, ln.b, ln.eps)


def _layer_norm_backward(
    ln, x: torch.Tensor, d: torch.Tensor, W_t: torch.Tensor
) -> torch.Tensor:
    """d/dx of LayerNorm at x, given d/d(output) = d @ W_t (the backward of the matmul after it).

    With x_hat = (x - mean) * rstd and d_hat = (d @ W_t) * w, the gradient is
    rstd * (d_hat - mean(d_hat) - x_hat * mean(d_hat * x_hat)). Both w and the centring are
    linear in d_hat, so they are folded into the matrix, W_t * w centred along its output axis,
    which onnxruntime computes once when the session starts (every input is a parameter); and
    mean(d_hat * x_hat) equals mean((d_hat - mean(d_hat)) * x_hat), since x_hat has mean zero. The
    statistics are computed again from x (the forward ran as one op that keeps none)."""
    if not isinstance(ln, LayerNorm):
        return d @ W_t
    folded = W_t * ln.w
    centred_d = d @ (folded - folded.mean(-1, keepdim=True))  # d_hat - mean(d_hat)
    centred = x - x.mean(-1, keepdim=True)
    rstd = (centred * centred).mean(-1, keepdim=True).add(ln.eps).rsqrt()
    x_hat = centred * rstd
    return rstd * (centred_d - x_hat * (centred_d * x_hat).mean(-1, keepdim=True))


# WebGPU's default limit is 8 storage buffers per shader stage, and onnxruntime-web's Concat binds
# every input and its output at once: a Concat of more than 7 tensors fails to compile there.
MAX_CONCAT = 7


def _cat(tensors: List[torch.Tensor], dim: int) -> torch.Tensor:
    """torch.cat in Concats of at most MAX_CONCAT inputs each (see above). Each partial result
    passes through an Identity (clone), or the exporter merges the Concats back into one;
    onnxruntime drops the Identity nodes when the session starts."""
    while len(tensors) > MAX_CONCAT:
        groups = [tensors[i : i + MAX_CONCAT] for i in range(0, len(tensors), MAX_CONCAT)]
        tensors = [torch.cat(g, dim=dim).clone() if len(g) > 1 else g[0] for g in groups]
    return torch.cat(tensors, dim=dim)


# Shapes below are written with constants and one -1 (the positions), never read from a tensor:
# a shape read from a tensor exports as a chain of Shape/Gather/Concat ops run on every call.


def _heads_first(flat: torch.Tensor, rows: int, n_heads: int, d_head: int) -> torch.Tensor:
    """(rows, T, nh*hs) -> (rows, nh, T, hs)."""
    return flat.reshape(rows, -1, n_heads, d_head).transpose(1, 2)


def _heads_flat(h: torch.Tensor, rows: int, width: int) -> torch.Tensor:
    """(rows, nh, T, hs) -> (rows, T, nh*hs = width)."""
    return h.transpose(1, 2).reshape(rows, -1, width)


def _pair_mask(n_prefix, n_suffix) -> torch.Tensor:
    """[T, T] with T = P + 2S, True where a query may not look: at a later position (causal), or,
    for the target's suffix (the last S positions), at the source's suffix before it."""
    known = n_prefix + n_suffix
    index = torch.arange(known + n_suffix)
    query, key = index.unsqueeze(1), index.unsqueeze(0)
    source_key = (key >= n_prefix) & (key < known)
    return (key > query) | ((query >= known) & source_key)


class AttributionGraph(nn.Module):
    def __init__(self, model: HookedTransformer):
        super().__init__()
        self.model = model
        self.cfg = model.cfg

    def _qkv(self, attn, x: torch.Tensor):
        """q, k, v flat (B, T, nh*hs) from one matmul."""
        W = torch.cat([_flat(attn.W_Q), _flat(attn.W_K), _flat(attn.W_V)], dim=1)
        b = torch.cat([attn.b_Q.reshape(-1), attn.b_K.reshape(-1), attn.b_V.reshape(-1)])
        return (x @ W + b).split(int(W.shape[1]) // 3, dim=-1)

    def forward(
        self, prefix: torch.Tensor, tokens: torch.Tensor, logit_grad: torch.Tensor
    ) -> Tuple[torch.Tensor, ...]:
        m, cfg = self.model, self.cfg
        n_heads, d_head, last = cfg.n_heads, cfg.d_head, cfg.n_layers - 1
        width = n_heads * d_head
        # One sequence of T = P + 2S positions: the prefix, then the source's suffix, then the
        # target's, each suffix attending to the prefix and to itself (_pair_mask).
        n_prefix, n_suffix = prefix.shape[1], tokens.shape[1]
        known = n_prefix + n_suffix
        mask = _pair_mask(n_prefix, n_suffix)
        W_pos = m.pos_embed.W_pos
        seq = torch.cat([prefix, tokens.reshape(1, -1)], dim=1)  # [1, T]
        resid = m.embed.W_E[seq] + torch.cat([W_pos[:known], W_pos[n_prefix:known]])

        # ---- forward. Nothing of the prefix is read but the keys and values it gives each
        # layer, so the last layer goes on with the 2S positions of the suffixes alone. ----
        acts: List[torch.Tensor] = []  # [1, 2S, width] per scored hook, in scored_hooks order
        patterns: List[torch.Tensor] = []  # [1, h, 2S, T] per layer
        saved: Dict[str, tuple] = {}  # what the target's backward needs, its positions only
        for l, block in enumerate(m.blocks):
            attn = block.attn
            q_f, k_f, v_f = self._qkv(attn, _layer_norm(block.ln1, resid))
            if l == last:
                resid, q_f, mask = resid[:, n_prefix:], q_f[:, n_prefix:], mask[n_prefix:]
            # Rows of resid from here: T, or 2S in the last layer; `cut` keeps the suffixes'.
            first = 0 if l == last else n_prefix
            cut = (lambda t: t) if l == last else (lambda t: t[:, n_prefix:])
            q, k, v = (_heads_first(t, 1, n_heads, d_head) for t in (q_f, k_f, v_f))
            scores = (q @ k.transpose(2, 3) * attn.scale).masked_fill(mask, MASKED_SCORE)
            pattern = scores.softmax(-1)  # [1, h, rows, T]
            z_f = _heads_flat(pattern @ v, 1, width)
            attn_out = z_f @ attn.W_O.reshape(width, -1) + attn.b_O
            acts += [cut(resid), cut(q_f), k_f[:, n_prefix:], v_f[:, n_prefix:]]
            acts += [cut(z_f), cut(attn_out)]
            patterns.append(pattern if l == last else pattern[:, :, n_prefix:])
            # The target's backward reads every key: the source's, masked (pattern 0), get no
            # gradient.
            target = first + n_suffix
            saved[f"{l}.attn"] = (resid[:, target:], q[:, :, target:], k, v, pattern[:, :, target:])
            resid = resid + attn_out
            if not block.attn_only:
                pre = _layer_norm(block.ln2, resid) @ block.mlp.W_in + block.mlp.b_in
                post = activation_forward(pre, cfg.act_fn)
                mlp_out = post @ block.mlp.W_out + block.mlp.b_out
                acts += [cut(resid), cut(post), cut(mlp_out)]
                saved[f"{l}.mlp"] = (resid[:, target:], pre[:, target:])
                resid = resid + mlp_out
        acts.append(resid)
        logits = _layer_norm(m.ln_final, resid) @ m.unembed.W_U + m.unembed.b_U  # [1, 2S, V]
        logits = logits.reshape(2, -1, cfg.d_vocab)  # [2, S, V]: source, target

        # ---- backward of the target over its suffix: gradients in scored_hooks order ----
        grads: List[torch.Tensor] = []  # built last layer first, reversed at the end
        d_patterns: List[torch.Tensor] = []
        d_resid = _layer_norm_backward(
            m.ln_final, resid[:, n_suffix:], logit_grad, m.unembed.W_U.t()
        )
        grads.append(d_resid)  # the last layer's resid_post
        for l in reversed(range(cfg.n_layers)):
            block = m.blocks[l]
            attn = block.attn
            if not block.attn_only:
                resid_mid, pre = saved[f"{l}.mlp"]
                d_post = d_resid @ block.mlp.W_out.t()  # [1, S, d_mlp]
                d_pre = activation_backward(d_post, pre, cfg.act_fn)
                d_x = _layer_norm_backward(block.ln2, resid_mid, d_pre, block.mlp.W_in.t())
                grads += [d_resid, d_post]  # mlp_out, mlp.hook_post
                d_resid = d_resid + d_x
                grads.append(d_resid)  # resid_mid
            resid_pre, q, k, v, pattern = saved[f"{l}.attn"]
            d_z_f = d_resid @ attn.W_O.reshape(width, -1).t()  # [1, S, h*hs]
            d_pattern, d_q, d_k, d_v = attend_backward(
                _heads_first(d_z_f, 1, n_heads, d_head), q, k, v, pattern, attn.scale
            )  # d_pattern [1, h, S, T]; d_k, d_v [1, h, T, hs]
            d_q_f = _heads_flat(d_q, 1, width)
            d_k_f = _heads_flat(d_k[:, :, known:], 1, width)  # the target suffix's keys, values
            d_v_f = _heads_flat(d_v[:, :, known:], 1, width)
            W_qkv = torch.cat([_flat(attn.W_Q), _flat(attn.W_K), _flat(attn.W_V)], dim=1)
            d_qkv = torch.cat([d_q_f, d_k_f, d_v_f], dim=-1)
            grads += [d_resid, d_z_f, d_v_f, d_k_f, d_q_f]  # attn_out, z, v, k, q
            d_patterns.append(d_pattern)
            d_resid = d_resid + _layer_norm_backward(block.ln1, resid_pre, d_qkv, W_qkv.t())
            grads.append(d_resid)  # resid_pre
        grads.reverse()
        d_patterns.reverse()

        # ---- scores: (a_source - a_target) * grad, summed in chunks ----
        chunk = attribution_chunk(cfg)
        a_source, a_target = _cat(acts, dim=-1).reshape(2, -1, scored_width(m)).split(1)
        prod = (a_source - a_target) * _cat(grads, dim=-1)  # [1, S, total]
        attr = prod.reshape(1, -1, scored_width(m) // chunk, chunk).sum(-1)
        # The target's keys are the prefix, (the source's suffix,
        # masked) and its own suffix; the source's the prefix and its suffix: its weight on its
        # suffix's key i meets the target's gradient at the target suffix's key i.
        p = _cat(patterns, dim=1)  # [1, L*h, 2S, T]
        d_pattern = _cat(d_patterns, dim=1)  # [1, L*h, S, T]
        d_aligned = torch.cat([d_pattern[..., :n_prefix], d_pattern[..., known:]], dim=-1)
        attr_pattern = (p[:, :, :n_suffix, :known] * d_aligned).sum(-1) - (
            p[:, :, n_suffix:] * d_pattern
        ).sum(-1)
        return logits, attr, attr_pattern


def attribution_layout(model: HookedTransformer) -> dict:
    """Where each intervention hook's score lies in the outputs (manifest.json "attribution"):
    ``scored`` lists [hook, chunks] in the order of ``attr``'s chunks (a hook with heads spends
    chunks / n_heads on each head); ``patterns`` the hooks of ``attr_pattern``, n_heads rows each;
    ``same`` hooks whose score is another's; ``zero`` hooks that always score zero."""
    cfg = model.cfg
    chunk = attribution_chunk(cfg)
    last = cfg.n_layers - 1
    same = {f"blocks.{l}.hook_resid_post": f"blocks.{l + 1}.hook_resid_pre" for l in range(last)}
    same["hook_embed"] = "blocks.0.hook_resid_pre"
    layout = {
        "chunk": chunk,
        "scored": [[name, hook_width(model, name) // chunk] for name in scored_hooks(model)],
        "patterns": [f"blocks.{l}.attn.hook_pattern" for l in range(cfg.n_layers)],
        "same": same,
        "zero": ["hook_pos_embed"],
    }
    covered = {n for n, _ in layout["scored"]} | set(layout["patterns"]) | set(same)
    hooks = set(model.intervention_hook_names)
    assert covered | {"hook_pos_embed"} == hooks, (covered | {"hook_pos_embed"}) ^ hooks
    return layout
