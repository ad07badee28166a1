"""Train attn-only-2l on repeated random segments + tiny-lm text (models/attn-only-2l/data.py).

Deterministic from the config seeds. Run from the repository root:
    /usr/bin/python3 models/attn-only-2l/train.py [--steps N] [--out .../checkpoints/final.pt]

The loop itself is models/lab/train_loop.py (train_language_model), shared with tiny-lm.

Writes models/attn-only-2l/tokenizer.json (same vocabulary as tiny-lm), the checkpoint, and a
JSON training log beside it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # repository root, for models.lab
sys.path.insert(0, str(HERE))  # data.py, evaluate.py

from models.lab.cpu import tune_for_shared_cores  # noqa: E402

tune_for_shared_cores()  # before torch is imported

import torch  # noqa: E402

import data  # noqa: E402
import evaluate  # noqa: E402
from models.lab.model import Config, HookedTransformer  # noqa: E402
from models.lab.tokenizer import Tokenizer  # noqa: E402
from models.lab.train_loop import save_checkpoint, train_language_model  # noqa: E402


def build_tokenizer() -> Tokenizer:
    return Tokenizer.from_corpus(data.vocabulary_texts())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default=str(HERE / "config.json"))
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--out", default=str(HERE / "checkpoints" / "final.pt"))
    parser.add_argument("--tokenizer", default=str(HERE / "tokenizer.json"))
    args = parser.parse_args(argv)

    spec = json.loads(Path(args.config).read_text())
    tc = spec["train"]
    if args.steps is not None:
        tc["steps"] = args.steps
    torch.set_num_threads(tc["threads"])
    torch.manual_seed(tc["seed"])

    tok = build_tokenizer()
    tok.save(Path(args.tokenizer))
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

    log, train_seconds = train_language_model(
        model, all_tokens, tc, lambda m: evaluate.quick_summary(m, tok)
    )
    out = Path(args.out)
    save_checkpoint(
        model,
        out,
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
