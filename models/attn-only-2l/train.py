"""Train attn-only-2l on repeated random segments + tiny-lm text (models/attn-only-2l/data.py).

Deterministic from the config seeds. Run from the repository root:
    /usr/bin/python3 models/attn-only-2l/train.py [--steps N] [--out .../checkpoints/final.pt]

Writes models/attn-only-2l/tokenizer.json (same vocabulary as tiny-lm), the checkpoint, and a
JSON training log beside it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # repository root, for models.lab
sys.path.insert(0, str(HERE))  # data.py, evaluate.py

from models.lab.cpu import tune_for_shared_cores  # noqa: E402

tune_for_shared_cores()  # before torch is imported

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import data  # noqa: E402
import evaluate  # noqa: E402
from models.lab.model import Config, HookedTransformer  # noqa: E402
from models.lab.tokenizer import Tokenizer  # noqa: E402


def build_tokenizer() -> Tokenizer:
    return Tokenizer.from_corpus(data.vocabulary_texts())


def lr_at(step: int, tc: dict) -> float:
    """Linear warm-up, then cosine decay from lr to min_lr."""
    if step < tc["warmup_steps"]:
        return tc["lr"] * (step + 1) / tc["warmup_steps"]
    progress = (step - tc["warmup_steps"]) / max(1, tc["steps"] - tc["warmup_steps"])
    return tc["min_lr"] + 0.5 * (tc["lr"] - tc["min_lr"]) * (1 + math.cos(math.pi * progress))


def make_optimizer(model: torch.nn.Module, tc: dict) -> torch.optim.Optimizer:
    """AdamW; weight decay only on weight matrices (W_*), not on biases or LayerNorm."""
    decay = [p for n, p in model.named_parameters() if n.split(".")[-1].startswith("W_")]
    no_decay = [p for n, p in model.named_parameters() if not n.split(".")[-1].startswith("W_")]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": tc["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=tc["lr"],
        betas=tuple(tc["betas"]),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default=str(HERE / "config.json"))
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--out", default=str(HERE / "checkpoints" / "final.pt"))
    args = parser.parse_args()

    spec = json.loads(Path(args.config).read_text())
    tc = spec["train"]
    if args.steps is not None:
        tc["steps"] = args.steps
    torch.set_num_threads(tc["threads"])
    torch.manual_seed(tc["seed"])

    tok = build_tokenizer()
    tok.save(HERE / "tokenizer.json")
    cfg = Config.from_dict(spec["model"])
    if cfg.d_vocab != len(tok):
        raise SystemExit(f"config d_vocab {cfg.d_vocab} != tokenizer size {len(tok)}: update config.json")
    model = HookedTransformer(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"params {n_params:,}  vocab {len(tok)}", flush=True)

    t0 = time.time()
    windows = data.make_windows(
        tok, tc["steps"] * tc["batch_size"], cfg.n_ctx, tc["data_seed"], tc["repeat_share"],
        tuple(tc["repeat_lengths"]),
    )
    all_tokens = torch.tensor(windows, dtype=torch.long)  # [n_windows, n_ctx + 1]
    print(f"data {tuple(all_tokens.shape)} in {time.time() - t0:.1f}s", flush=True)

    opt = make_optimizer(model, tc)
    log = []
    t_start = time.time()
    for step in range(tc["steps"]):
        lr = lr_at(step, tc)
        for g in opt.param_groups:
            g["lr"] = lr
        batch = all_tokens[step * tc["batch_size"] : (step + 1) * tc["batch_size"]]
        logits = model(batch[:, :-1])  # [batch, n_ctx, d_vocab]
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), tc["grad_clip"])
        opt.step()
        if step % 50 == 0 or step == tc["steps"] - 1:
            elapsed = time.time() - t_start
            tps = (step + 1) * batch[:, :-1].numel() / max(elapsed, 1e-9)
            print(f"step {step} loss {loss.item():.4f} lr {lr:.2e} {elapsed:.0f}s {tps:.0f} tok/s", flush=True)
            log.append({"step": step, "loss": round(loss.item(), 5), "seconds": round(elapsed, 1)})
        if (step + 1) % tc["eval_every"] == 0 or step == tc["steps"] - 1:
            model.eval()
            summary = evaluate.quick_summary(model, tok)
            model.train()
            print(f"eval @ {step + 1}: {json.dumps(summary)}", flush=True)
            log[-1]["eval"] = summary

    train_seconds = time.time() - t_start
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(
        str(out),
        step=tc["steps"],
        train=tc,
        train_seconds=round(train_seconds, 1),
        tokens_seen=tc["steps"] * tc["batch_size"] * cfg.n_ctx,
    )
    (out.parent / "train_log.json").write_text(
        json.dumps({"train_seconds": round(train_seconds, 1), "params": n_params, "log": log}, indent=1)
    )
    print(f"saved {out} after {train_seconds:.0f}s", flush=True)


if __name__ == "__main__":
    main()
