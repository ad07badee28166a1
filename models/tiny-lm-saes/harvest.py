"""Token windows and blocks.1.hook_resid_post activations of tiny-lm.

Windows come from models/tiny-lm/data.py with the task mix of tiny-lm's last training stage
(config.json, train.stages[-1]) but with data seeds that no tiny-lm training stage (1, 3, 4) or
evaluation set (7, 8, 9, 12) uses, nor attn-only-2l (seed + 1000):

    HARVEST_SEED 5101  windows the shipped SAEs are trained on (64 tokens each, the model's n_ctx)
    EVAL_SEED    5102  eval-tokens.json  (128 rows x 32 tokens; the metrics in saes.json)
    TRAIN_SEED   5103  train-tokens.json (512 rows x 32 tokens; the in-page training set)
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import List, Tuple

import torch

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TINY = ROOT / "models" / "tiny-lm"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.lab.model import HookedTransformer  # noqa: E402
from models.lab.tokenizer import Tokenizer  # noqa: E402

HOOK = "blocks.1.hook_resid_post"
HARVEST_SEED = 5101
EVAL_SEED = 5102
TRAIN_SEED = 5103
CHECKPOINT = TINY / "checkpoints" / "final.pt"


def tiny_data():
    """models/tiny-lm/data.py, loaded by path under its own name (the folder has a hyphen)."""
    name = "tiny_lm_data"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, TINY / "data.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def last_stage_mix() -> dict:
    """Keyword arguments of make_windows for tiny-lm's final training stage."""
    stage = json.loads((TINY / "config.json").read_text())["train"]["stages"][-1]
    return {
        "weights": stage.get("task_weights"),
        "repeat_lengths": tuple(stage.get("repeat_lengths", (5, 25))),
        "repeat_copies": tuple(stage.get("repeat_copies", (2,))),
        "ioi_extra_templates": stage.get("ioi_extra_templates", False),
    }


def load_model_and_tokenizer() -> Tuple[HookedTransformer, Tokenizer]:
    model = HookedTransformer.load(str(CHECKPOINT))
    model.eval()
    return model, Tokenizer.load(TINY / "tokenizer.json")


def windows(tok: Tokenizer, n: int, length: int, seed: int) -> List[List[int]]:
    """n rows of ``length`` token ids, each starting with <bos>."""
    w = tiny_data().make_windows(tok, n, length - 1, seed, **last_stage_mix())
    rows = [r[:length] for r in w.tokens]
    assert all(len(r) == length and r[0] == tok.bos_id for r in rows)
    return rows


@torch.no_grad()
def activations(model: HookedTransformer, tokens: torch.Tensor, batch: int = 256) -> torch.Tensor:
    """Hook activations [rows, length, d_model] (the forward stops being useful after block 1,
    but the model is small enough that running it to the end costs little)."""
    out = []
    for i in range(0, tokens.shape[0], batch):
        _, cache = model.run_with_cache(tokens[i : i + batch], names_filter=lambda n: n == HOOK)
        out.append(cache[HOOK])
    return torch.cat(out)


@torch.no_grad()
def harvest(model, tok, n_positions: int, seed: int = HARVEST_SEED, length: int = 64) -> torch.Tensor:
    """At least n_positions non-<bos> activations [N, d_model] in window order, then shuffled
    with a generator seeded by ``seed``; trimmed to exactly n_positions."""
    per_window = length - 6  # rough count of non-bos positions per window; topped up below
    rows: List[List[int]] = []
    acts = []
    total = 0
    n_windows = n_positions // per_window + 1
    rows = windows(tok, n_windows, length, seed)
    tokens = torch.tensor(rows, dtype=torch.long)
    a = activations(model, tokens)
    keep = tokens != tok.bos_id
    acts = a[keep]
    total = acts.shape[0]
    extra_seed = seed * 1000
    while total < n_positions:
        extra_seed += 1
        more = torch.tensor(windows(tok, 256, length, extra_seed), dtype=torch.long)
        acts = torch.cat([acts, activations(model, more)[more != tok.bos_id]])
        total = acts.shape[0]
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(acts.shape[0], generator=g)
    return acts[perm][:n_positions].contiguous()
