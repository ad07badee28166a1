"""Forward pass + hand-written backward pass of HookedTransformer, as an exportable module.

PyTorch cannot export autograd to ONNX and onnxruntime-web has no training API, so the
gradient of a metric with respect to every intervention hook is written out here with plain
tensor ops (LayerNorm, causal softmax attention from attention.py, GELU/ReLU, matmuls, embeddings). The module
is exported like any forward graph (model.grad.onnx) and checked against torch autograd in
models/lab/tests/test_backward.py.

    GradGraph(model)(tokens, logit_grad) -> logits, {hook: activation}, {hook: dMetric/dhook}

``logit_grad`` [batch, pos, d_vocab] is dMetric/dlogits (e.g. +1 at the answer token and -1 at
the distractor, at the final position, for a logit difference). Each grad is the total
derivative at the hook point, as a TransformerLens backward hook would see it: a perturbation
of that activation, propagated through everything downstream of it.
"""

from __future__ import annotations

import math
from typing import Dict, List, Tuple

import torch
import torch.nn as nn

from .attention import attend, attend_backward, heads_first
from .model import HookedTransformer, LayerNorm

Cache = Dict[str, torch.Tensor]


# ---------------------------------------------------------------------------------------------
# Local forward/backward pairs. Each forward returns what its backward needs.


def layer_norm_forward(x: torch.Tensor, ln: LayerNorm) -> Tuple[torch.Tensor, tuple]:
    centred = x - x.mean(-1, keepdim=True)  # [batch, pos, d_model]
    rstd = 1.0 / (centred.pow(2).mean(-1, keepdim=True) + ln.eps).sqrt()  # [batch, pos, 1]
    x_hat = centred * rstd  # [batch, pos, d_model]
    return x_hat * ln.w + ln.b, (x_hat, rstd)


def layer_norm_backward(d_out: torch.Tensor, ln: LayerNorm, saved: tuple) -> torch.Tensor:
    """d/dx of (x - mean)/std * w + b, given d/d(output)."""
    x_hat, rstd = saved
    d_hat = d_out * ln.w  # [batch, pos, d_model]
    return rstd * (
        d_hat
        - d_hat.mean(-1, keepdim=True)
        - x_hat * (d_hat * x_hat).mean(-1, keepdim=True)
    )


SQRT_2 = math.sqrt(2.0)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
TANH_C = math.sqrt(2.0 / math.pi)


def activation_forward(pre: torch.Tensor, act_fn: str) -> torch.Tensor:
    if act_fn == "gelu":
        return 0.5 * pre * (1.0 + torch.erf(pre / SQRT_2))
    if act_fn == "gelu_new":
        return 0.5 * pre * (1.0 + torch.tanh(TANH_C * (pre + 0.044715 * pre.pow(3))))
    if act_fn == "relu":
        return torch.relu(pre)
    raise ValueError(act_fn)


def activation_backward(d_post: torch.Tensor, pre: torch.Tensor, act_fn: str) -> torch.Tensor:
    if act_fn == "gelu":  # d/dx x*Phi(x) = Phi(x) + x*phi(x)
        cdf = 0.5 * (1.0 + torch.erf(pre / SQRT_2))
        pdf = torch.exp(-0.5 * pre * pre) * INV_SQRT_2PI
        return d_post * (cdf + pre * pdf)
    if act_fn == "gelu_new":
        t = torch.tanh(TANH_C * (pre + 0.044715 * pre.pow(3)))
        dt = (1.0 - t * t) * TANH_C * (1.0 + 3 * 0.044715 * pre * pre)
        return d_post * (0.5 * (1.0 + t) + 0.5 * pre * dt)
    if act_fn == "relu":
        return d_post * (pre > 0).to(d_post.dtype)
    raise ValueError(act_fn)


def heads_back_to_model(d_heads: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """Backward of heads_first: d_heads [batch, h, pos, d_head], W [h, d_model, d_head]
    -> [batch, pos, d_model] (= sum over heads of d_heads[:, h] @ W[h].T)."""
    return (d_heads @ W.transpose(1, 2)).sum(1)


# ---------------------------------------------------------------------------------------------


class GradGraph(nn.Module):
    """tokens [batch, pos], logit_grad [batch, pos, d_vocab] ->
    (logits, activations by hook name, grads by intervention hook name)."""

    def __init__(self, model: HookedTransformer):
        super().__init__()
        self.model = model
        self.cfg = model.cfg

    def forward(
        self, tokens: torch.Tensor, logit_grad: torch.Tensor
    ) -> Tuple[torch.Tensor, Cache, Cache]:
        m, cfg = self.model, self.cfg
        use_ln = cfg.normalization == "LN"
        acts: Cache = {}
        saved: Dict[str, tuple] = {}

        # ---- forward, keeping what the backward needs ----
        n_pos = tokens.shape[1]
        acts["hook_embed"] = m.embed.W_E[tokens]  # [batch, pos, d_model]
        acts["hook_pos_embed"] = m.pos_embed(tokens)  # [batch, pos, d_model]
        resid = acts["hook_embed"] + acts["hook_pos_embed"]
        for l, block in enumerate(m.blocks):
            p = f"blocks.{l}."
            attn = block.attn
            acts[p + "hook_resid_pre"] = resid
            if use_ln:
                x, saved[p + "ln1"] = layer_norm_forward(resid, block.ln1)
                acts[p + "ln1.hook_normalized"] = x
            else:
                x = resid
            # Attention math runs heads-first ([batch, h, pos, d_head]); hooks are heads-second.
            q_h = heads_first(x, attn.W_Q, attn.b_Q)
            k_h = heads_first(x, attn.W_K, attn.b_K)
            v_h = heads_first(x, attn.W_V, attn.b_V)
            q, k, v = q_h.transpose(1, 2), k_h.transpose(1, 2), v_h.transpose(1, 2)
            saved[p + "attn"] = (q_h, k_h, v_h)
            future = attn.future_mask[:n_pos, :n_pos]  # [q_pos, k_pos]
            # scores, pattern [batch, h, q_pos, k_pos]; z_h [batch, h, pos, d_head]
            scores, pattern, z_h = attend(q_h, k_h, v_h, attn.scale, future)
            result_h = z_h @ attn.W_O  # [batch, h, pos, d_model]
            attn_out = result_h.sum(1) + attn.b_O  # [batch, pos, d_model]
            z, result = z_h.transpose(1, 2), result_h.transpose(1, 2)
            acts[p + "attn.hook_q"], acts[p + "attn.hook_k"], acts[p + "attn.hook_v"] = q, k, v
            acts[p + "attn.hook_attn_scores"] = scores
            acts[p + "attn.hook_pattern"] = pattern
            acts[p + "attn.hook_z"] = z
            acts[p + "attn.hook_result"] = result
            acts[p + "hook_attn_out"] = attn_out
            resid = resid + attn_out
            if not block.attn_only:
                acts[p + "hook_resid_mid"] = resid
                if use_ln:
                    x, saved[p + "ln2"] = layer_norm_forward(resid, block.ln2)
                    acts[p + "ln2.hook_normalized"] = x
                else:
                    x = resid
                pre = x @ block.mlp.W_in + block.mlp.b_in  # [batch, pos, d_mlp]
                post = activation_forward(pre, cfg.act_fn)  # [batch, pos, d_mlp]
                mlp_out = post @ block.mlp.W_out + block.mlp.b_out  # [batch, pos, d_model]
                acts[p + "mlp.hook_pre"], acts[p + "mlp.hook_post"] = pre, post
                acts[p + "hook_mlp_out"] = mlp_out
                resid = resid + mlp_out
            acts[p + "hook_resid_post"] = resid
        if use_ln:
            x, saved["ln_final"] = layer_norm_forward(resid, m.ln_final)
            acts["ln_final.hook_normalized"] = x
        else:
            x = resid
        logits = x @ m.unembed.W_U + m.unembed.b_U  # [batch, pos, d_vocab]

        # ---- backward: d_resid is dMetric/d(residual stream) at the current point ----
        grads: Cache = {}
        d_x = logit_grad @ m.unembed.W_U.t()  # [batch, pos, d_model]
        if use_ln:
            grads["ln_final.hook_normalized"] = d_x
            d_resid = layer_norm_backward(d_x, m.ln_final, saved["ln_final"])
        else:
            d_resid = d_x
        for l in reversed(range(cfg.n_layers)):
            p = f"blocks.{l}."
            block = m.blocks[l]
            attn = block.attn
            grads[p + "hook_resid_post"] = d_resid
            if not block.attn_only:
                grads[p + "hook_mlp_out"] = d_resid
                d_post = d_resid @ block.mlp.W_out.t()  # [batch, pos, d_mlp]
                d_pre = activation_backward(d_post, acts[p + "mlp.hook_pre"], cfg.act_fn)
                grads[p + "mlp.hook_post"], grads[p + "mlp.hook_pre"] = d_post, d_pre
                d_x = d_pre @ block.mlp.W_in.t()  # [batch, pos, d_model]
                if use_ln:
                    grads[p + "ln2.hook_normalized"] = d_x
                    d_x = layer_norm_backward(d_x, block.ln2, saved[p + "ln2"])
                d_resid = d_resid + d_x
                grads[p + "hook_resid_mid"] = d_resid
            grads[p + "hook_attn_out"] = d_resid
            # result -> attn_out is a sum over heads, so every head sees the same gradient.
            grads[p + "attn.hook_result"] = d_resid.unsqueeze(2).expand(
                -1, -1, cfg.n_heads, -1
            )  # [batch, pos, h, d_model]
            pattern = acts[p + "attn.hook_pattern"]  # [batch, h, q_pos, k_pos]
            q_h, k_h, v_h = saved[p + "attn"]  # [batch, h, pos, d_head]
            d_z_h = d_resid.unsqueeze(1) @ attn.W_O.transpose(1, 2)  # [batch, h, pos, d_head]
            d_pattern, d_q_h, d_k_h, d_v_h = attend_backward(
                d_z_h, q_h, k_h, v_h, pattern, attn.scale
            )  # [batch, h, q_pos, k_pos], then [batch, h, pos, d_head] each
            grads[p + "attn.hook_z"] = d_z_h.transpose(1, 2)  # [batch, pos, h, d_head]
            grads[p + "attn.hook_pattern"] = d_pattern
            grads[p + "attn.hook_q"] = d_q_h.transpose(1, 2)
            grads[p + "attn.hook_k"] = d_k_h.transpose(1, 2)
            grads[p + "attn.hook_v"] = d_v_h.transpose(1, 2)
            # back through heads_first: sum over heads of d_{q,k,v} @ W^T
            d_x = (
                heads_back_to_model(d_q_h, attn.W_Q)
                + heads_back_to_model(d_k_h, attn.W_K)
                + heads_back_to_model(d_v_h, attn.W_V)
            )  # [batch, pos, d_model]
            if use_ln:
                grads[p + "ln1.hook_normalized"] = d_x
                d_x = layer_norm_backward(d_x, block.ln1, saved[p + "ln1"])
            d_resid = d_resid + d_x
            grads[p + "hook_resid_pre"] = d_resid
        grads["hook_embed"] = d_resid
        grads["hook_pos_embed"] = d_resid
        return logits, acts, {n: grads[n] for n in m.intervention_hook_names}


def grad_output_names(model: HookedTransformer) -> List[str]:
    """Output order of the exported grad graph: logits, every hook, then grad:<hook>."""
    return (
        ["logits"]
        + model.hook_names
        + [f"grad:{name}" for name in model.intervention_hook_names]
    )
