"""Attribution patching in one graph call that computes only what the estimates need
(model.attrib.onnx).

Attribution patching scores a patch of hook H by (a_source - a_target) . dMetric/dH, the gradient
taken at the target run. The graph serves a metric that reads one position (the one the patched
prompts are scored at). Under causal attention the two runs are identical before the first
position where their tokens differ, so every difference, and with it every score, is zero there;
and nothing after the position the metric reads reaches it, so every gradient is zero there. Only
the positions from the first differing one to the one read (the suffix) matter. So this graph
runs

- the shared prefix once (the target's tokens before the first difference) and both prompts'
  suffixes, as one sequence of prefix + 2 * suffix positions in which each suffix attends to the
  prefix and to itself (_pair_mask), with the position ids it has in its own prompt: one forward
  pass with larger matmuls instead of a prefix pass and a batch of two;
- the prefix only as far as it is read: its keys and values in every layer;
- the last layer only as far as it is read: the keys and values of every position, and its
  queries, its MLP and the unembedding at the last position of each suffix alone (the position
  the metric reads; every other position's later hooks have no gradient);
- the backward pass of the target alone, over the suffix alone;

and returns the scores themselves, summed in chunks, instead of every activation and gradient
for the page to multiply (models/lab/backward.py differentiates every position of every row of
its batch, and returns all of them). Each op of a graph costs onnxruntime-web a microsecond or
more however small its tensors, so the graph is written in few, large ops: one chunked sum for
the scores of each layer's hooks, one for the last position's, one for the patterns of all
layers; q, k and v kept as the one matmul output they are cut from; the attention's scale folded
into W_Q and the exact GELU's 1 / sqrt(2) into the MLP's weights (scaling an activation divides
its gradient by as much, so no score changes).

    AttributionGraph(model)(prefix, tokens, logit_grad) -> logits, attr, attr_pattern

- ``prefix`` int64 [1, prefix]: the target's tokens before the first differing one (prefix >= 1;
  a pair that differs at its first token goes through model.grad.onnx instead).
- ``tokens`` int64 [2, suffix]: the rest of the source prompt (row 0) and of the target (row 1),
  up to and including the position the metric reads.
- ``logit_grad`` [1, d_vocab]: dMetric/dlogits of the target at that position (its last).
- ``logits`` [2, d_vocab]: of each prompt at that position (source, target).
- ``attr`` [1, suffix, chunks]: for the hooks of scored_hooks(model), in that order, each hook's
  last axis flattened with its heads ([batch, pos, n_heads, d_head] -> n_heads*d_head), then all
  of them concatenated: (a_source - a_target) * dMetric/da summed over each run of ``chunk``
  consecutive values (attribution_chunk(cfg), which divides d_head, d_model and d_mlp). The
  last_position_hooks score zero before the suffix's last position.
- ``attr_pattern`` [1, n_layers * n_heads, suffix]: the same for each layer's attention pattern,
  summed over the key positions.

Every other intervention hook's score is one of these: blocks.{l}.hook_resid_post is
blocks.{l+1}.hook_resid_pre (the same tensor, the same gradient), hook_embed scores as
blocks.0.hook_resid_pre (the positional embeddings are the same in both prompts) and
hook_pos_embed scores zero.
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention import MASKED_SCORE
from .backward import SQRT_2, activation_backward, activation_forward
from .model import HookedTransformer, LayerNorm

TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _layer_hooks(model: HookedTransformer, l: int) -> List[str]:
    """The scored hooks of block l, in the order of its forward pass."""
    p = f"blocks.{l}."
    names = [p + "hook_resid_pre"] + [p + f"attn.hook_{r}" for r in "qkvz"] + [p + "hook_attn_out"]
    if not model.blocks[l].attn_only:
        names += [p + "hook_resid_mid", p + "mlp.hook_post", p + "hook_mlp_out"]
    return names


def _qkv_hooks(l: int) -> Tuple[str, ...]:
    """Block l's q, k and v hooks, which the graph keeps as the one tensor they are cut from."""
    return tuple(f"blocks.{l}.attn.hook_{r}" for r in "qkv")


def last_position_hooks(model: HookedTransformer) -> List[str]:
    """The hooks of the last layer that only the last position's patch can change the metric
    through (every hook but the residual stream before it and the keys and values), and the
    residual stream after it: the graph runs them at the last position alone."""
    p = f"blocks.{model.cfg.n_layers - 1}."
    every_position = (p + "hook_resid_pre", p + "attn.hook_k", p + "attn.hook_v")
    last_layer = _layer_hooks(model, model.cfg.n_layers - 1)
    return [n for n in last_layer if n not in every_position] + [p + "hook_resid_post"]


def scored_hooks(model: HookedTransformer) -> List[str]:
    """The hooks whose scores ``attr`` holds, in order (the attention patterns are apart): those
    scored at every suffix position, then last_position_hooks."""
    at_last = last_position_hooks(model)
    every = [n for l in range(model.cfg.n_layers) for n in _layer_hooks(model, l)]
    return [n for n in every if n not in at_last] + at_last


def hook_width(model: HookedTransformer, name: str) -> int:
    """Values per position of a scored hook (heads flattened)."""
    cfg = model.cfg
    if name.endswith(("hook_q", "hook_k", "hook_v", "hook_z")):
        return cfg.n_heads * cfg.d_head
    return cfg.d_mlp if name.endswith("mlp.hook_post") else cfg.d_model


def attribution_chunk(cfg) -> int:
    """The run of values that ``attr`` sums: divides d_head, d_model and d_mlp."""
    return math.gcd(cfg.d_head, cfg.d_model, cfg.d_mlp or cfg.d_model)


ATTRIBUTION_OUTPUTS = ["logits", "attr", "attr_pattern"]

# The graph's inputs and outputs, as manifest.json's "attribution"."version" (src/ml/manifest.ts
# ATTRIBUTION_GRAPH_VERSION): 2 runs the prompts up to the position the metric reads. Version 1
# (no field) took the gradient at every suffix position and returned every suffix position's logits.
ATTRIBUTION_VERSION = 2


def _flat(W: torch.Tensor) -> torch.Tensor:
    """(nh, C, hs) -> (C, nh*hs): a per-head projection as one matmul (attention.project_flat)."""
    n_heads, d_model, d_head = (int(d) for d in W.shape)
    return W.permute(1, 0, 2).reshape(d_model, n_heads * d_head)


def _normalize(ln, x: torch.Tensor) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """LayerNorm's x_hat = (x - mean) * rstd and rstd = 1 / sqrt(var + eps), written out (x, and
    no rstd, for models without LayerNorm). The backward pass reads both at the target's
    positions; onnxruntime-web's LayerNormalization op keeps neither, and takes longer than these
    few ops (15 against 11 us on [20, 128]). Its weight and bias go into the matmul after it
    (_normalized_matmul)."""
    if not isinstance(ln, LayerNorm):
        return x, None
    centred = x - x.mean(-1, keepdim=True)
    rstd = (centred * centred).mean(-1, keepdim=True).add(ln.eps).rsqrt()
    return centred * rstd, rstd


def _normalized_matmul(ln, x_hat: torch.Tensor, W: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """LayerNorm's output (x_hat * w + b_ln) @ W + b, as x_hat @ (w * W) + (b_ln @ W + b): both
    are parameters only, which onnxruntime computes once when the session starts."""
    if not isinstance(ln, LayerNorm):
        return x_hat @ W + b
    return x_hat @ (ln.w.unsqueeze(1) * W) + (ln.b @ W + b)


def _target_rows(stats: Tuple[torch.Tensor, Optional[torch.Tensor]], first) -> Optional[tuple]:
    """_normalize's (x_hat, rstd) at the rows from ``first`` on (None without LayerNorm)."""
    x_hat, rstd = stats
    return None if rstd is None else (x_hat[:, first:], rstd[:, first:])


def _layer_norm_backward(
    ln, stats: Optional[Tuple[torch.Tensor, ...]], d: torch.Tensor, W_t: torch.Tensor
) -> torch.Tensor:
    """d/dx of LayerNorm at x, given d/d(output) = d @ W_t (the backward of the matmul after it)
    and x's (x_hat, rstd) (_normalize).

    With d_hat = (d @ W_t) * w, the gradient is
    rstd * (d_hat - mean(d_hat) - x_hat * mean(d_hat * x_hat)). Both w and the centring are
    linear in d_hat, so they are folded into the matrix, W_t * w centred along its output axis,
    which onnxruntime computes once when the session starts (every input is a parameter); and
    mean(d_hat * x_hat) equals mean((d_hat - mean(d_hat)) * x_hat), since x_hat has mean zero."""
    if not isinstance(ln, LayerNorm):
        return d @ W_t
    folded = W_t * ln.w
    centred_d = d @ (folded - folded.mean(-1, keepdim=True))  # d_hat - mean(d_hat)
    x_hat, rstd = stats
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


def _mlp_scale(act_fn: str) -> float:
    """What the graph multiplies the MLP's input and output weights by: 1 / sqrt(2) for the exact
    GELU (see _activation_keeping), else 1."""
    return 1.0 / SQRT_2 if act_fn == "gelu" else 1.0


def _activation_keeping(pre: torch.Tensor, act_fn: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """The activation, and what its backward reuses, of ``pre`` = the MLP's input times
    _mlp_scale: for the exact GELU, with s = x / sqrt(2), s * (1 + erf(s)) = sqrt(2) * GELU(x)
    (the output weights are divided by sqrt(2) too), keeping 1 + erf(s). Three ops instead of five,
    and hook_post's scores are unchanged: an activation times c has its gradient divided by c.
    The erf is written out rather than left to onnxruntime's Gelu fusion (its reuse keeps the
    fusion from matching): onnxruntime-web's fused Gelu kernel costs more than erf and the
    elementwise ops around it, and the backward then needs no erf of its own."""
    if act_fn == "gelu":
        kept = 1.0 + torch.erf(pre)
        return pre * kept, kept
    return activation_forward(pre, act_fn), pre


def _activation_backward_kept(
    d_post: torch.Tensor, pre: torch.Tensor, kept: torch.Tensor, act_fn: str
) -> torch.Tensor:
    """activation_backward of _activation_keeping, with what the forward pass kept."""
    if act_fn == "gelu":  # d/ds s * (1 + erf(s)) = 1 + erf(s) + s * 2 / sqrt(pi) * exp(-s^2)
        return d_post * (kept + pre * (torch.exp(-pre * pre) * TWO_OVER_SQRT_PI))
    return activation_backward(d_post, pre, act_fn)


def _at_last(t: torch.Tensor, n: torch.Tensor, dim: int) -> torch.Tensor:
    """t, of length 1 along ``dim``, as the last of n positions there, zeros before it."""
    shape = list(t.shape)
    shape[dim] = n - 1
    return torch.cat([torch.zeros(shape, dtype=t.dtype), t], dim=dim)


def _hook_tensors(
    names: List[str], table: Dict[str, torch.Tensor], merged: Dict[Tuple[str, ...], torch.Tensor]
) -> List[torch.Tensor]:
    """``table``'s tensors of ``names``, in order, but a run of names that ``merged`` holds as one
    tensor (a layer's q, k and v: the matmul output they are cut from) as that tensor."""
    out, i = [], 0
    while i < len(names):
        run = next((r for r in merged if tuple(names[i : i + len(r)]) == r), None)
        out.append(table[names[i]] if run is None else merged[run])
        i += 1 if run is None else len(run)
    return out


def _attend_backward(
    d_z: torch.Tensor,
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    pattern: torch.Tensor,
    first_key,
) -> Tuple[torch.Tensor, ...]:
    """attention.attend_backward for scores q @ k^T (the scale is in q: AttributionGraph._w_qkv),
    with the gradients at the keys and values from ``first_key`` on alone (the target suffix's:
    the prefix's score zero, and the source's get none).

    Scaling q leaves every score as it was: a hook's activation times c has its gradient divided
    by c, and (a_source - a_target) . dMetric/da does not change."""
    d_pattern = d_z @ v.transpose(2, 3)  # (B, nh, Tq, Tk)
    # softmax backward; masked entries have pattern 0 and so get no gradient.
    d_scores = pattern * (d_pattern - (d_pattern * pattern).sum(-1, keepdim=True))
    d_q = d_scores @ k  # (B, nh, Tq, hs)
    d_k = d_scores[..., first_key:].transpose(2, 3) @ q  # (B, nh, Tk - first_key, hs)
    d_v = pattern[..., first_key:].transpose(2, 3) @ d_z
    return d_pattern, d_q, d_k, d_v


def _pattern_scores(p: torch.Tensor, d: torch.Tensor, rows, n_prefix, known) -> torch.Tensor:
    """Each query row's pattern score, summed over the keys: p [1, H, 2 * rows, T] (the
    source's query rows, then the target's), d = dMetric/dpattern of the target's [1, H, rows, T]
    -> [1, H, rows]. The target's keys are the prefix, (the source's suffix, masked) and its own
    suffix; the source's the prefix and its suffix: its weight on its suffix's key i meets the
    target's gradient at the target suffix's key i."""
    d_aligned = torch.cat([d[..., :n_prefix], d[..., known:]], dim=-1)
    return (p[:, :, :rows, :known] * d_aligned).sum(-1) - (p[:, :, rows:] * d).sum(-1)


class AttributionGraph(nn.Module):
    def __init__(self, model: HookedTransformer):
        super().__init__()
        self.model = model
        self.cfg = model.cfg

    def _w_qkv(self, attn) -> Tuple[torch.Tensor, torch.Tensor]:
        """W_Q, W_K and W_V side by side (C, 3 * nh * hs), and their biases; W_Q and b_Q times
        the attention's scale, so that its scores are q @ k^T (see _attend_backward)."""
        W = torch.cat([_flat(attn.W_Q) * attn.scale, _flat(attn.W_K), _flat(attn.W_V)], dim=1)
        b_q = attn.b_Q.reshape(-1) * attn.scale
        b = torch.cat([b_q, attn.b_K.reshape(-1), attn.b_V.reshape(-1)])
        return W, b

    def _w_mlp(self, mlp) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """W_in, b_in and W_out times _mlp_scale."""
        scale = _mlp_scale(self.cfg.act_fn)
        return mlp.W_in * scale, mlp.b_in * scale, mlp.W_out * scale

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
        ends = torch.arange(2) * n_suffix + (known - 1)  # the source's last position, the target's
        W_pos = m.pos_embed.W_pos
        seq = torch.cat([prefix, tokens.reshape(1, -1)], dim=1)  # [1, T]
        resid = m.embed.W_E[seq] + torch.cat([W_pos[:known], W_pos[n_prefix:known]])

        # ---- forward. Nothing of the prefix is read but the keys and values it gives each
        # layer; the last layer reads nothing of the suffixes but their keys and values and the
        # last position, so it runs its queries, its MLP and the unembedding there alone. ----
        # [1, T, w] (each layer's suffix rows are cut out when its scores are computed), or
        # [1, 2, w] for last_position_hooks
        acts: Dict[str, torch.Tensor] = {}
        merged_acts: Dict[Tuple[str, ...], torch.Tensor] = {}  # see _hook_tensors
        patterns: List[torch.Tensor] = []  # [1, h, 2S, T] per layer but the last
        saved: Dict[str, tuple] = {}  # what the target's backward needs, its positions only
        stats: Dict[str, Optional[tuple]] = {}  # each LayerNorm's (x_hat, rstd) there
        for l, block in enumerate(m.blocks):
            attn, p = block.attn, f"blocks.{l}."
            x, rstd = _normalize(block.ln1, resid)
            W, b = self._w_qkv(attn)
            qkv_names = _qkv_hooks(l)
            # q, k and v stay the one matmul output they are cut from (merged_acts), its heads
            # put first in one Reshape and one Transpose
            if l < last:
                qkv = _normalized_matmul(block.ln1, x, W, b)
                merged_acts[qkv_names] = qkv
                q, k, v = _heads_first(qkv, 1, 3 * n_heads, d_head).split(n_heads, dim=1)
                rows, layer_mask, first = resid, mask, known
            else:
                kv = _normalized_matmul(block.ln1, x, W[:, width:], b[width:])
                merged_acts[qkv_names[1:]] = kv
                k, v = _heads_first(kv, 1, 2 * n_heads, d_head).split(n_heads, dim=1)
                x_ends = x.index_select(1, ends)
                q_f = _normalized_matmul(block.ln1, x_ends, W[:, :width], b[:width])  # [1, 2, w]
                acts[p + "attn.hook_q"] = q_f
                q = _heads_first(q_f, 1, n_heads, d_head)
                rows, layer_mask = resid.index_select(1, ends), mask.index_select(0, ends)
                first = 1  # rows: the source's last position, the target's
            scores = (q @ k.transpose(2, 3)).masked_fill(layer_mask, MASKED_SCORE)
            pattern = scores.softmax(-1)  # [1, h, rows, T]
            z_f = _heads_flat(pattern @ v, 1, width)
            attn_out = z_f @ attn.W_O.reshape(width, -1) + attn.b_O
            acts[p + "hook_resid_pre"], acts[p + "attn.hook_z"] = resid, z_f
            acts[p + "hook_attn_out"] = attn_out
            if l < last:
                patterns.append(pattern[:, :, n_prefix:])
            else:
                last_pattern = pattern  # [1, h, 2, T]
            # The target's backward reads every key: the source's, masked (pattern 0), get no
            # gradient.
            saved[f"{l}.attn"] = (q[:, :, first:], k, v, pattern[:, :, first:])
            stats[f"{l}.ln1"] = _target_rows((x, rstd), known)
            resid = rows + attn_out
            if not block.attn_only:
                x, rstd = _normalize(block.ln2, resid)
                W_in, b_in, W_out = self._w_mlp(block.mlp)
                pre = _normalized_matmul(block.ln2, x, W_in, b_in)
                post, kept = _activation_keeping(pre, cfg.act_fn)
                mlp_out = post @ W_out + block.mlp.b_out
                acts[p + "hook_resid_mid"], acts[p + "mlp.hook_post"] = resid, post
                acts[p + "hook_mlp_out"] = mlp_out
                saved[f"{l}.mlp"] = (pre[:, first:], kept[:, first:])
                stats[f"{l}.ln2"] = _target_rows((x, rstd), first)
                resid = resid + mlp_out
        acts[f"blocks.{last}.hook_resid_post"] = resid  # [1, 2, d_model]
        x, rstd = _normalize(m.ln_final, resid)
        logits = _normalized_matmul(m.ln_final, x, m.unembed.W_U, m.unembed.b_U)  # [1, 2, V]
        logits = logits.reshape(2, cfg.d_vocab)  # source, target
        stats["final"] = _target_rows((x, rstd), 1)

        # ---- backward of the target, from its last position ----
        grads: Dict[str, torch.Tensor] = {}  # [1, S, w], or [1, 1, w] for last_position_hooks
        merged_grads: Dict[Tuple[str, ...], torch.Tensor] = {}
        d_patterns: List[torch.Tensor] = []  # built last layer first, reversed at the end
        d_resid = _layer_norm_backward(
            m.ln_final, stats["final"], logit_grad.reshape(1, 1, -1), m.unembed.W_U.t()
        )
        grads[f"blocks.{last}.hook_resid_post"] = d_resid
        for l in reversed(range(cfg.n_layers)):
            block, p = m.blocks[l], f"blocks.{l}."
            attn = block.attn
            if not block.attn_only:
                pre, kept = saved[f"{l}.mlp"]
                W_in, _, W_out = self._w_mlp(block.mlp)
                d_post = d_resid @ W_out.t()
                d_pre = _activation_backward_kept(d_post, pre, kept, cfg.act_fn)
                ln2 = stats[f"{l}.ln2"]
                d_x = _layer_norm_backward(block.ln2, ln2, d_pre, W_in.t())
                grads[p + "hook_mlp_out"], grads[p + "mlp.hook_post"] = d_resid, d_post
                d_resid = d_resid + d_x
                grads[p + "hook_resid_mid"] = d_resid
            q, k, v, pattern = saved[f"{l}.attn"]
            grads[p + "hook_attn_out"] = d_resid
            d_z_f = d_resid @ attn.W_O.reshape(width, -1).t()
            grads[p + "attn.hook_z"] = d_z_f
            d_pattern, d_q, d_k, d_v = _attend_backward(
                _heads_first(d_z_f, 1, n_heads, d_head), q, k, v, pattern, known
            )  # d_pattern [1, h, rows, T]; d_k, d_v [1, h, S, hs] (the target suffix's)
            d_patterns.append(d_pattern)
            qkv_names = _qkv_hooks(l)
            if l < last:
                d_qkv = _heads_flat(torch.cat([d_q, d_k, d_v], dim=1), 1, 3 * width)
                merged_grads[qkv_names] = d_qkv
            else:  # the query and the residual stream: the last position's alone
                d_kv = _heads_flat(torch.cat([d_k, d_v], dim=1), 1, 2 * width)
                merged_grads[qkv_names[1:]] = d_kv
                grads[p + "attn.hook_q"] = d_q_f = _heads_flat(d_q, 1, width)
                d_qkv = torch.cat([_at_last(d_q_f, n_suffix, 1), d_kv], dim=-1)
                d_resid = _at_last(d_resid, n_suffix, 1)
            W_qkv_t = self._w_qkv(attn)[0].t()
            ln1 = stats[f"{l}.ln1"]
            d_resid = d_resid + _layer_norm_backward(block.ln1, ln1, d_qkv, W_qkv_t)
            grads[p + "hook_resid_pre"] = d_resid
        d_patterns.reverse()

        # ---- scores: (a_source - a_target) * grad, summed in chunks, a layer at a time: each
        # layer's activations are concatenated once, and only their suffixes' rows are
        # subtracted (concatenating every layer's, prefix and all, copied more than it saved) ----
        chunk = attribution_chunk(cfg)

        def chunked(names: List[str], source: slice, target: slice) -> torch.Tensor:
            """The scores of ``names``, whose activations hold the source's suffix at the rows
            ``source`` and the target's at ``target``: [1, rows, chunks]."""
            total = sum(hook_width(m, n) for n in names)
            a = _cat(_hook_tensors(names, acts, merged_acts), -1)
            prod = (a[:, source] - a[:, target]) * _cat(
                _hook_tensors(names, grads, merged_grads), -1
            )
            return prod.reshape(1, -1, total // chunk, chunk).sum(-1)

        at_last = last_position_hooks(m)
        every = [n for n in scored_hooks(m) if n not in at_last]
        suffixes = (slice(n_prefix, known), slice(known, None))
        layer_scores = [
            chunked([n for n in every if n.startswith(f"blocks.{l}.")], *suffixes)
            for l in range(cfg.n_layers)
        ]
        last_row = _at_last(chunked(at_last, slice(0, 1), slice(1, 2)), n_suffix, 1)
        attr = _cat(layer_scores + [last_row], -1)
        last_scores = _pattern_scores(last_pattern, d_patterns[last], 1, n_prefix, known)
        attr_pattern = _at_last(last_scores, n_suffix, 2)  # [1, h, S]
        if last > 0:
            earlier_patterns = _cat(patterns, dim=1)  # [1, (L-1)*h, 2S, T]
            d_earlier = _cat(d_patterns[:last], dim=1)  # [1, (L-1)*h, S, T]
            earlier = _pattern_scores(earlier_patterns, d_earlier, n_suffix, n_prefix, known)
            attr_pattern = torch.cat([earlier, attr_pattern], dim=1)
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
        "version": ATTRIBUTION_VERSION,
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
