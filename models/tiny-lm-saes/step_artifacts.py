"""The in-page training step: ONNX export, the page's parity fixture, the recommended config.

- sae-train-step.onnx: sae_step.train_step exported (opset 17).
- tests/fixtures/models/tiny-lm-saes/train-step.json: a tiny case (d_in 128, S 32, B 16) run for
  three chained steps in PyTorch; the page runs the ONNX graph on the same inputs and compares.
- recommended: the config the page offers by default, and what the same step function reaches
  with it on the activations of train-tokens.json (``reference``).
"""

from __future__ import annotations

import json
import math
import time
from typing import Dict, List

import numpy as np
import torch

import sae_step

FIXTURE_D_IN, FIXTURE_S, FIXTURE_B = 128, 32, 16
FIXTURE_LR, FIXTURE_L1 = 0.005, 0.1
FIXTURE_SEED = 7


def f32_list(t: torch.Tensor) -> List[float]:
    """Flat list of float32 values written with the shortest repr that round-trips in float32."""
    return [float(repr(v)) for v in t.detach().reshape(-1).numpy().astype(np.float32)]


def page_init(d_sae: int, x_train: torch.Tensor, seed: int) -> List[torch.Tensor]:
    """The page's initialisation: W_dec rows random unit vectors, W_enc = W_dec^T, b_enc = 0,
    b_dec = mean of the training activations. Returns [params(4), m(4), v(4)]."""
    g = torch.Generator().manual_seed(seed)
    d_in = x_train.shape[1]
    W_dec = torch.randn(d_sae, d_in, generator=g)
    W_dec = W_dec / W_dec.norm(dim=1, keepdim=True)
    params = [W_dec.t().contiguous(), torch.zeros(d_sae), W_dec, x_train.mean(0)]
    return params + [torch.zeros_like(p) for p in params] + [torch.zeros_like(p) for p in params]


def fixture(x_pool: torch.Tensor) -> Dict:
    """Three chained steps from page_init on batches of x_pool (rows 0-15, 16-31, 32-47)."""
    B, S = FIXTURE_B, FIXTURE_S
    batches = [x_pool[i * B : (i + 1) * B].contiguous() for i in range(3)]
    state = page_init(S, x_pool[: 3 * B], FIXTURE_SEED)
    names = sae_step.INPUT_NAMES
    state_names = names[1:13]
    out: Dict = {
        "description": (
            "sae-train-step.onnx parity case: three chained ReLU+L1 Adam steps computed in PyTorch "
            "(models/tiny-lm-saes/sae_step.py). Step k feeds x = steps[k].x, the state = the "
            "previous step's next.* outputs (step 1: initial), lr, l1, step = k. Tensors are flat, "
            "row-major float32 values; shapes gives each tensor's shape."
        ),
        "d_in": FIXTURE_D_IN,
        "S": S,
        "B": B,
        "lr": FIXTURE_LR,
        "l1": FIXTURE_L1,
        "tolerance": 1e-4,
        "inputs": names,
        "outputs": sae_step.OUTPUT_NAMES,
        "shapes": {},
        "initial": {},
        "steps": [],
    }
    shapes = {"x": [B, FIXTURE_D_IN], "lr": [1], "l1": [1], "step": [1]}
    for n, t in zip(state_names, state):
        shapes[n] = list(t.shape)
        out["initial"][n] = f32_list(t)
    lr = torch.tensor([FIXTURE_LR])
    l1 = torch.tensor([FIXTURE_L1])
    for k, x in enumerate(batches, start=1):
        res = sae_step.train_step(x, *state, lr, l1, torch.tensor([float(k)]))
        outputs = {}
        for n, t in zip(sae_step.OUTPUT_NAMES, res):
            shapes[n] = list(t.shape)
            outputs[n] = f32_list(t)
        out["steps"].append({"step": k, "x": f32_list(x), "outputs": outputs})
        state = list(res[:12])
    out["shapes"] = shapes
    return out


def fvu_l0(params: List[torch.Tensor], x: torch.Tensor) -> Dict[str, float]:
    W_enc, b_enc, W_dec, b_dec = params
    f = torch.relu((x - b_dec) @ W_enc + b_enc)
    x_hat = f @ W_dec + b_dec
    fvu = ((x - x_hat) ** 2).sum() / ((x - x.mean(0)) ** 2).sum()
    return {
        "fvu": float(fvu),
        "l0": float((f > 0).float().sum(1).mean()),
        "dead": int(((f > 0).sum(0) == 0).sum()),
    }


def run_in_page_training(x: torch.Tensor, cfg: Dict) -> Dict:
    """What the page does with ``cfg``: page_init, then ``steps`` calls of the step function on
    batches drawn in order from a permutation of x (a fresh permutation per epoch, seeded)."""
    t0 = time.time()
    state = page_init(cfg["d_sae"], x, cfg["seed"])
    g = torch.Generator().manual_seed(cfg["seed"] + 1)
    lr = torch.tensor([float(cfg["lr"])])
    l1 = torch.tensor([float(cfg["l1"])])
    perm = torch.randperm(x.shape[0], generator=g)
    pos = 0
    history = []
    for k in range(1, cfg["steps"] + 1):
        if pos + cfg["batch"] > x.shape[0]:
            perm = torch.randperm(x.shape[0], generator=g)
            pos = 0
        xb = x[perm[pos : pos + cfg["batch"]]]
        pos += cfg["batch"]
        res = sae_step.train_step(xb, *state, lr, l1, torch.tensor([float(k)]))
        state = list(res[:12])
        if k % 100 == 0 or k == cfg["steps"]:
            history.append({"step": k, "loss": float(res[12]), "mse": float(res[13]), "l0": float(res[14])})
    m = fvu_l0(state[:4], x)
    m["seconds"] = round(time.time() - t0, 1)
    m["history"] = history
    return m


def round_floats(d, digits: int = 4):
    if isinstance(d, float):
        return float(f"{d:.{digits}g}") if math.isfinite(d) else d
    if isinstance(d, dict):
        return {k: round_floats(v, digits) for k, v in d.items()}
    if isinstance(d, list):
        return [round_floats(v, digits) for v in d]
    return d


def dump_fixture(path, fx: Dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(fx, separators=(",", ":")) + "\n")
