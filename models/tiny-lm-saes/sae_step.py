"""One Adam step of a ReLU + L1 sparse autoencoder with hand-written gradients.

This is the function behind public/models/tiny-lm-saes/sae-train-step.onnx, the graph the
"SAE lab" page runs to train a small SAE in the browser. The graph has no autograd: every
gradient below is derived by hand and checked against torch autograd in
tests/test_sae_step.py.

Model (x is a batch [B, d_in], S features):
    x_c   = x - b_dec
    pre   = x_c @ W_enc + b_enc                    [B, S]
    f     = ReLU(pre)                              [B, S]
    x_hat = f @ W_dec + b_dec                      [B, d_in]
    mse   = mean_b ||x_hat_b - x_b||^2
    loss  = mse + l1 * mean_b sum_j f_bj

Gradients (e = x_hat - x, 1/B folded into g):
    g        = 2 e / B                             dloss/dx_hat
    dW_dec   = f^T g
    df       = g W_dec^T + l1 / B
    dpre     = df * 1[pre > 0]
    dW_enc   = x_c^T dpre
    db_enc   = sum_b dpre
    db_dec   = sum_b g - sum_b (dpre W_enc^T)      (b_dec enters both the decoder and x_c)

Then Adam (betas 0.9 / 0.999, eps 1e-8, bias correction with the 1-based ``step``) and every row
of W_dec is divided by its L2 norm (clamped below at 1e-8 so a zero row cannot produce NaN).
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import torch

BETA1 = 0.9
BETA2 = 0.999
ADAM_EPS = 1e-8
NORM_EPS = 1e-8

PARAMS = ["W_enc", "b_enc", "W_dec", "b_dec"]
INPUT_NAMES = (
    ["x"]
    + PARAMS
    + [f"m.{p}" for p in PARAMS]
    + [f"v.{p}" for p in PARAMS]
    + ["lr", "l1", "step"]
)
OUTPUT_NAMES = (
    [f"next.{p}" for p in PARAMS]
    + [f"next.m.{p}" for p in PARAMS]
    + [f"next.v.{p}" for p in PARAMS]
    + ["loss", "mse", "l0", "fired"]
)


def forward_and_grads(
    x: torch.Tensor,
    W_enc: torch.Tensor,
    b_enc: torch.Tensor,
    W_dec: torch.Tensor,
    b_dec: torch.Tensor,
    l1: torch.Tensor,
) -> Tuple[Dict[str, torch.Tensor], List[torch.Tensor]]:
    """Loss terms and the hand-written gradients [dW_enc, db_enc, dW_dec, db_dec]."""
    # Batch size as a tensor (ReduceSum over a column of ones) so the exported graph keeps B dynamic.
    n = torch.ones_like(x[:, 0]).sum()  # []
    x_c = x - b_dec  # [B, d_in]
    pre = x_c @ W_enc + b_enc  # [B, S]
    active = (pre > 0).to(x.dtype)  # [B, S]
    f = pre * active  # ReLU, [B, S]
    x_hat = f @ W_dec + b_dec  # [B, d_in]
    e = x_hat - x  # [B, d_in]
    mse = (e * e).sum() / n
    loss = mse + l1.reshape(()) * f.sum() / n

    g = 2.0 * e / n  # [B, d_in]
    dW_dec = f.t() @ g  # [S, d_in]
    df = g @ W_dec.t() + l1 / n  # [B, S]
    dpre = df * active  # [B, S]
    dW_enc = x_c.t() @ dpre  # [d_in, S]
    db_enc = dpre.sum(0)  # [S]
    db_dec = g.sum(0) - (dpre @ W_enc.t()).sum(0)  # [d_in]

    stats = {
        "loss": loss.reshape(1),
        "mse": mse.reshape(1),
        "l0": (active.sum() / n).reshape(1),
        "fired": active.sum(0),
    }
    return stats, [dW_enc, db_enc, dW_dec, db_dec]


def train_step(
    x: torch.Tensor,
    W_enc: torch.Tensor,
    b_enc: torch.Tensor,
    W_dec: torch.Tensor,
    b_dec: torch.Tensor,
    mW_enc: torch.Tensor,
    mb_enc: torch.Tensor,
    mW_dec: torch.Tensor,
    mb_dec: torch.Tensor,
    vW_enc: torch.Tensor,
    vb_enc: torch.Tensor,
    vW_dec: torch.Tensor,
    vb_dec: torch.Tensor,
    lr: torch.Tensor,
    l1: torch.Tensor,
    step: torch.Tensor,
) -> Tuple[torch.Tensor, ...]:
    """Inputs and outputs in INPUT_NAMES / OUTPUT_NAMES order (lr, l1, step are shape [1])."""
    stats, grads = forward_and_grads(x, W_enc, b_enc, W_dec, b_dec, l1)
    params = [W_enc, b_enc, W_dec, b_dec]
    ms = [mW_enc, mb_enc, mW_dec, mb_dec]
    vs = [vW_enc, vb_enc, vW_dec, vb_dec]
    bc1 = 1.0 - torch.pow(torch.full_like(step, BETA1), step)  # [1]
    bc2 = 1.0 - torch.pow(torch.full_like(step, BETA2), step)  # [1]
    new_p, new_m, new_v = [], [], []
    for p, m, v, gr in zip(params, ms, vs, grads):
        m2 = BETA1 * m + (1.0 - BETA1) * gr
        v2 = BETA2 * v + (1.0 - BETA2) * gr * gr
        p2 = p - lr * (m2 / bc1) / (torch.sqrt(v2 / bc2) + ADAM_EPS)
        new_p.append(p2)
        new_m.append(m2)
        new_v.append(v2)
    norms = torch.sqrt((new_p[2] * new_p[2]).sum(1, keepdim=True))  # [S, 1]
    new_p[2] = new_p[2] / torch.clamp(norms, min=NORM_EPS)
    return (*new_p, *new_m, *new_v, stats["loss"], stats["mse"], stats["l0"], stats["fired"])


class TrainStepGraph(torch.nn.Module):
    """nn.Module wrapper so torch.onnx.export can trace train_step."""

    def forward(self, *args: torch.Tensor) -> Tuple[torch.Tensor, ...]:  # noqa: D401
        return train_step(*args)


def example_inputs(d_in: int = 128, S: int = 8, B: int = 4, seed: int = 0) -> List[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    W_dec = torch.randn(S, d_in, generator=g)
    W_dec = W_dec / W_dec.norm(dim=1, keepdim=True)
    params = [W_dec.t().contiguous(), torch.zeros(S), W_dec, torch.zeros(d_in)]
    zeros = [torch.zeros_like(p) for p in params]
    x = torch.randn(B, d_in, generator=g)
    scal = [torch.tensor([1e-3]), torch.tensor([1e-3]), torch.tensor([1.0])]
    return [x, *params, *zeros, *[z.clone() for z in zeros], *scal]


def export_onnx(path: str) -> None:
    """Write the step graph (opset 17; x has a dynamic batch axis B, the feature axis is S)."""
    dynamic = {"x": {0: "B"}}
    for prefix in ["", "m.", "v."]:
        dynamic[prefix + "W_enc"] = {1: "S"}
        dynamic[prefix + "b_enc"] = {0: "S"}
        dynamic[prefix + "W_dec"] = {0: "S"}
    for prefix in ["next.", "next.m.", "next.v."]:
        dynamic[prefix + "W_enc"] = {1: "S"}
        dynamic[prefix + "b_enc"] = {0: "S"}
        dynamic[prefix + "W_dec"] = {0: "S"}
    dynamic["fired"] = {0: "S"}
    torch.onnx.export(
        TrainStepGraph(),
        tuple(example_inputs()),
        path,
        input_names=INPUT_NAMES,
        output_names=OUTPUT_NAMES,
        dynamic_axes=dynamic,
        opset_version=17,
        do_constant_folding=True,
    )
