"""Train the one-layer modular-addition transformer past grokking, saving snapshots on the way.

Run from the repository root (about 10-15 minutes on 2 shared CPU cores):
    /usr/bin/python3 models/modadd/train.py [--config models/modadd/config.json]

Writes
  models/modadd/checkpoints/final.pt   the final model (HookedTransformer.save: config + state_dict)
  models/modadd/tokenizer.json         for the exporter (numbers 0..p-1, "=", "<unk>")
  tmp/modadd/snapshots.pt              state_dicts at every snapshot step (git-ignored; read by
                                       analyse.py) and the loss/accuracy curve
  tmp/modadd/train_log.json            the curve alone, and timings

Full-batch AdamW on the fixed training pairs, as in Nanda et al. (2023), through the shared loop
(models/lab/train_loop.py). Deterministic: the same config gives the same numbers
(single-threaded CPU matmuls; see MODEL_CARD.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))  # repository root, for models.lab
sys.path.insert(0, str(HERE))  # data.py

from models.lab.cpu import tune_for_shared_cores  # noqa: E402

tune_for_shared_cores()  # before torch is imported

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import data  # noqa: E402
from models.lab.model import Config, HookedTransformer  # noqa: E402
from models.lab.train_loop import adamw, save_checkpoint, train  # noqa: E402


def build_model(cfg: dict) -> HookedTransformer:
    p = cfg["p"]
    return HookedTransformer(Config(d_vocab=p + 2, n_ctx=3, **cfg["model"]))


def final_position_logits(model: HookedTransformer, tokens: torch.Tensor) -> torch.Tensor:
    """Logits at the last position, [batch, d_vocab]; equal to model(tokens)[:, -1].

    A fast path for training and analysis of this one-layer model: only the last position's
    logits are ever used, and in one layer they depend on the earlier positions only through
    their keys and values, so the query, MLP and unembedding are computed for the last position
    alone (about 3x less work). tests/test_modadd.py checks it against the HookedTransformer."""
    cfg = model.cfg
    assert cfg.n_layers == 1 and cfg.normalization is None and cfg.d_mlp is not None
    attn, mlp = model.blocks[0].attn, model.blocks[0].mlp
    H, D, E = cfg.n_heads, cfg.d_model, cfg.d_head
    B, P = tokens.shape
    resid = model.embed.W_E[tokens] + model.pos_embed.W_pos[:P]  # [B, P, D]
    last = resid[:, -1]  # [B, D]
    # Heads folded into one matrix each: [D, H*E] (plain matmuls are much faster than einsum/bmm).
    W_Q = attn.W_Q.permute(1, 0, 2).reshape(D, H * E)
    W_K = attn.W_K.permute(1, 0, 2).reshape(D, H * E)
    W_V = attn.W_V.permute(1, 0, 2).reshape(D, H * E)
    q = (last @ W_Q + attn.b_Q.reshape(-1)).view(B, 1, H, E)  # [B, 1, H, E]
    flat = resid.reshape(B * P, D)
    k = (flat @ W_K + attn.b_K.reshape(-1)).view(B, P, H, E)  # [B, P, H, E]
    v = (flat @ W_V + attn.b_V.reshape(-1)).view(B, P, H, E)  # [B, P, H, E]
    pattern = ((q * k).sum(-1) * attn.scale).softmax(dim=1)  # [B, P, H] (last query sees all)
    z = (pattern.unsqueeze(-1) * v).sum(1)  # [B, H, E]
    resid_mid = last + z.reshape(B, H * E) @ attn.W_O.reshape(H * E, D) + attn.b_O  # [B, D]
    post = mlp.act(resid_mid @ mlp.W_in + mlp.b_in)  # [B, d_mlp]
    resid_post = resid_mid + post @ mlp.W_out + mlp.b_out  # [B, D]
    return resid_post @ model.unembed.W_U + model.unembed.b_U  # [B, d_vocab]


def snapshot_steps(tc: dict) -> list[int]:
    """Early steps (memorisation is fast) then every snapshot_every steps."""
    early = [s for s in tc["early_snapshots"] if s < tc["snapshot_every"]]
    regular = list(range(0, tc["steps"] + 1, tc["snapshot_every"]))
    return sorted(set(early + regular + [tc["steps"]]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default=str(HERE / "config.json"))
    parser.add_argument("--steps", type=int, default=None, help="override (for quick checks)")
    parser.add_argument("--out-dir", default=str(ROOT / "tmp" / "modadd"))
    parser.add_argument("--final", default=str(HERE / "checkpoints" / "final.pt"))
    parser.add_argument("--tokenizer", default=str(HERE / "tokenizer.json"))
    args = parser.parse_args(argv)

    cfg = json.loads(Path(args.config).read_text())
    tc = cfg["train"]
    if args.steps is not None:
        tc["steps"] = args.steps
    torch.set_num_threads(tc["threads"])
    torch.manual_seed(tc["seed"])
    p = cfg["p"]

    tokens, labels = data.all_pairs(p)
    is_train = data.train_mask(p, cfg["train_fraction"], cfg["split_seed"])
    train_tokens, train_labels = tokens[is_train], labels[is_train]
    test_tokens, test_labels = tokens[~is_train], labels[~is_train]

    model = build_model(cfg)
    optimizer = adamw(model, tc, decay_all=True)  # weight decay on every parameter, as in Nanda et al.
    snaps = set(snapshot_steps(tc))
    snapshots: dict[int, dict] = {}
    curve: dict[str, list] = {"step": [], "train_loss": [], "train_acc": [], "test_loss": [], "test_acc": []}

    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    last_logits: dict[str, torch.Tensor] = {}

    def loss_at(step: int) -> torch.Tensor:
        """Full batch: every training pair, every step."""
        last_logits["train"] = final_position_logits(model, train_tokens)[:, :p]  # [n_train, p]
        return F.cross_entropy(last_logits["train"], train_labels)

    def observe(step: int, loss: torch.Tensor) -> None:
        """The curve and the snapshots, of the weights that gave this step's loss."""
        if step % tc["log_every"] == 0 or step in snaps:
            with torch.no_grad():
                test_logits = final_position_logits(model, test_tokens)[:, :p]
                test_loss = F.cross_entropy(test_logits, test_labels).item()
                test_acc = (test_logits.argmax(-1) == test_labels).float().mean().item()
            train_acc = (last_logits["train"].argmax(-1) == train_labels).float().mean().item()
            curve["step"].append(step)
            curve["train_loss"].append(loss.item())
            curve["train_acc"].append(train_acc)
            curve["test_loss"].append(test_loss)
            curve["test_acc"].append(test_acc)
            if step % (tc["log_every"] * 10) == 0:
                print(
                    f"step {step:6d}  {time.time() - t0:6.0f}s  train {loss.item():.2e} "
                    f"{train_acc:.3f}  test {test_loss:.2e} {test_acc:.4f}",
                    flush=True,
                )
        if step in snaps:
            snapshots[step] = {k: v.detach().clone() for k, v in model.state_dict().items()}

    train(model, optimizer, tc["steps"], loss_at, observe=observe)
    observe(tc["steps"], loss_at(tc["steps"]))  # the curve's last point: the final weights
    seconds = time.time() - t0

    torch.save({"config": cfg, "curve": curve, "snapshots": snapshots}, out_dir / "snapshots.pt")
    (out_dir / "train_log.json").write_text(
        json.dumps({"seconds": seconds, "threads": tc["threads"], "curve": curve}) + "\n"
    )
    save_checkpoint(model, Path(args.final), step=tc["steps"], modadd=cfg)
    Path(args.tokenizer).write_text(json.dumps(data.tokenizer_json(p), indent=1) + "\n")
    print(f"done: {tc['steps']} steps in {seconds:.0f}s -> {args.final}", flush=True)


if __name__ == "__main__":
    main()
