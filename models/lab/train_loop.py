"""The training loop the recipes share (models/<name>/train.py bring their data, model and config).

    opt = adamw(model, tc)                                  # AdamW, decay on W_* only (or all)
    seconds = train(model, opt, tc["steps"], loss_at,       # loss_at(step) -> scalar loss
                    schedule=lambda s: lr_at(s, tc), grad_clip=tc["grad_clip"],
                    observe=..., after_update=...)          # logging, evaluation, snapshots
    save_checkpoint(model, path, step=..., **extra)

A step is nanoGPT's: set the learning rate, compute the loss, backward, clip, AdamW step.
``observe(step, loss)`` runs before the update, so it sees the weights that gave ``loss``;
``after_update(n)`` runs after update n (1-based), for evaluations of the updated weights.

``train_language_model`` is the whole loop of the next-token recipes (tiny-lm, attn-only-2l):
fixed windows, warm-up + cosine schedule, a log line every 50 steps and an evaluation hook.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Callable, List, Optional, Tuple

import torch
import torch.nn.functional as F

from .model import HookedTransformer


def lr_at(step: int, tc: dict) -> float:
    """Linear warm-up over tc['warmup_steps'], then cosine decay from tc['lr'] to tc['min_lr']
    at tc['steps']."""
    if step < tc["warmup_steps"]:
        return tc["lr"] * (step + 1) / tc["warmup_steps"]
    progress = (step - tc["warmup_steps"]) / max(1, tc["steps"] - tc["warmup_steps"])
    return tc["min_lr"] + 0.5 * (tc["lr"] - tc["min_lr"]) * (1 + math.cos(math.pi * progress))


def adamw(model: torch.nn.Module, tc: dict, decay_all: bool = False) -> torch.optim.Optimizer:
    """AdamW with tc['lr'], tc['betas'], tc['weight_decay']. Weight decay applies to the weight
    matrices (W_*) only, not to biases or LayerNorm, unless ``decay_all`` (modadd decays every
    parameter, as in Nanda et al. 2023)."""
    if decay_all:
        return torch.optim.AdamW(
            model.parameters(), lr=tc["lr"], weight_decay=tc["weight_decay"], betas=tuple(tc["betas"])
        )
    decay = [p for n, p in model.named_parameters() if n.split(".")[-1].startswith("W_")]
    no_decay = [p for n, p in model.named_parameters() if not n.split(".")[-1].startswith("W_")]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": tc["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=tc["lr"],
        betas=tuple(tc["betas"]),
    )


def train(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    steps: int,
    loss_at: Callable[[int], torch.Tensor],
    *,
    schedule: Optional[Callable[[int], float]] = None,
    grad_clip: Optional[float] = None,
    observe: Optional[Callable[[int, torch.Tensor], None]] = None,
    after_update: Optional[Callable[[int], None]] = None,
) -> float:
    """Run ``steps`` optimizer steps on loss_at(step); returns the seconds taken."""
    t_start = time.time()
    for step in range(steps):
        if schedule is not None:
            lr = schedule(step)
            for group in optimizer.param_groups:
                group["lr"] = lr
        loss = loss_at(step)
        if observe is not None:
            observe(step, loss)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
        optimizer.step()
        if after_update is not None:
            after_update(step + 1)
    return time.time() - t_start


def next_token_loss(model: torch.nn.Module, windows: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of predicting windows[:, 1:] from windows[:, :-1]; windows (B, T+1)."""
    logits = model(windows[:, :-1])  # (B, T, d_vocab)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), windows[:, 1:].reshape(-1))


def train_language_model(
    model: HookedTransformer,
    windows: torch.Tensor,
    tc: dict,
    evaluate: Callable[[HookedTransformer], dict],
    label: Optional[str] = None,
) -> Tuple[List[dict], float]:
    """Next-token training on fixed windows (n, T+1), tc['batch_size'] per step, in order.

    Fresh AdamW (decay on W_*), warm-up + cosine (lr_at), gradient clipping at tc['grad_clip'].
    Logs loss every 50 steps and at the last; every tc['eval_every'] updates and after the last
    one, ``evaluate(model)`` (in eval mode) is attached to the latest log entry. Returns
    (log, seconds)."""
    prefix = f"[{label}] " if label else ""
    stage = {"stage": label} if label else {}
    steps, batch_size = tc["steps"], tc["batch_size"]
    optimizer = adamw(model, tc)
    log: List[dict] = []
    t_start = time.time()

    def loss_at(step: int) -> torch.Tensor:
        return next_token_loss(model, windows[step * batch_size : (step + 1) * batch_size])

    def observe(step: int, loss: torch.Tensor) -> None:
        if step % 50 == 0 or step == steps - 1:
            elapsed = time.time() - t_start
            tps = (step + 1) * batch_size * (windows.shape[1] - 1) / max(elapsed, 1e-9)
            lr = optimizer.param_groups[0]["lr"]
            line = f"step {step} loss {loss.item():.4f} lr {lr:.2e} {elapsed:.0f}s {tps:.0f} tok/s"
            print(prefix + line, flush=True)
            log.append({**stage, "step": step, "loss": round(loss.item(), 5), "seconds": round(elapsed, 1)})

    def after_update(n: int) -> None:
        if n % tc["eval_every"] == 0 or n == steps:
            model.eval()
            summary = evaluate(model)
            model.train()
            print(f"{prefix}eval @ {n}: {json.dumps(summary)}", flush=True)
            log[-1]["eval"] = summary

    seconds = train(
        model, optimizer, steps, loss_at,
        schedule=lambda step: lr_at(step, tc), grad_clip=tc["grad_clip"],
        observe=observe, after_update=after_update,
    )  # fmt: skip
    return log, seconds


def save_checkpoint(model: HookedTransformer, path: Path, **extra) -> None:
    """model.save into ``path``, creating its folder."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    model.save(str(path), **extra)
