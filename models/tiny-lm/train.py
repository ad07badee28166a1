"""Train tiny-lm on the generated corpus (models/tiny-lm/data.py). Deterministic from config seeds.

Run from the repository root:
    /usr/bin/python3 models/tiny-lm/train.py [--out models/tiny-lm/checkpoints/final.pt]

Training runs the stages listed in config.json ("train.stages", each overriding the base keys:
steps, data_seed, task_weights, learning rate, ...) one after the other on the same weights, with
a fresh optimizer per stage. Every stage but the last saves checkpoints/stage<N>.pt, from which
``--resume-stage N`` continues.

Writes models/tiny-lm/tokenizer.json, the checkpoint, and a JSON training log beside it.
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


def train_stage(model, tok, cfg, tc: dict, label: str) -> tuple[list, float]:
    """One stage: its own data (seed, task weights), then the shared loop with a fresh AdamW and
    learning-rate schedule (models/lab/train_loop.py)."""
    t0 = time.time()
    windows = data.make_windows(
        tok,
        tc["steps"] * tc["batch_size"],
        cfg.n_ctx,
        tc["data_seed"],
        tc.get("task_weights"),
        tuple(tc.get("repeat_lengths", (5, 25))),
        tuple(tc.get("repeat_copies", (2,))),
        tc.get("ioi_extra_templates", False),
    )
    all_tokens = torch.tensor(windows.tokens, dtype=torch.long)  # [n_windows, n_ctx + 1]
    print(f"[{label}] data {tuple(all_tokens.shape)} in {time.time() - t0:.1f}s; docs {windows.task_counts}", flush=True)

    return train_language_model(model, all_tokens, tc, lambda m: evaluate.quick_summary(m, tok), label)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", default=str(HERE / "config.json"))
    parser.add_argument("--out", default=str(HERE / "checkpoints" / "final.pt"))
    parser.add_argument("--tokenizer", default=str(HERE / "tokenizer.json"))
    parser.add_argument(
        "--resume-stage",
        type=int,
        default=0,
        help="start at this stage (0-based) from the checkpoint the previous stage saved",
    )
    args = parser.parse_args(argv)

    spec = json.loads(Path(args.config).read_text())
    base = {k: v for k, v in spec["train"].items() if k != "stages"}
    stages = spec["train"].get("stages") or [{}]
    torch.set_num_threads(base["threads"])
    torch.manual_seed(base["seed"])

    tok = build_tokenizer()
    tok.save(Path(args.tokenizer))
    cfg = Config.from_dict(spec["model"])
    if cfg.d_vocab != len(tok):
        raise SystemExit(f"config d_vocab {cfg.d_vocab} != tokenizer size {len(tok)}: update config.json")
    model = HookedTransformer(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"params {n_params:,}  vocab {len(tok)}", flush=True)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    log, seconds, tokens = [], [], 0
    if args.resume_stage:
        prev = torch.load(out.parent / f"stage{args.resume_stage}.pt", map_location="cpu")
        model.load_state_dict(prev["state_dict"])
        log, seconds, tokens = prev["log"], prev["stage_seconds"], prev["tokens_seen"]
    for i, overrides in enumerate(stages):
        if i < args.resume_stage:
            continue
        tc = {**base, **overrides}
        stage_log, stage_seconds = train_stage(model, tok, cfg, tc, f"stage{i + 1}")
        log += stage_log
        seconds.append(round(stage_seconds, 1))
        tokens += tc["steps"] * tc["batch_size"] * cfg.n_ctx
        last = i == len(stages) - 1
        save_checkpoint(
            model,
            out if last else out.parent / f"stage{i + 1}.pt",
            step=sum(({**base, **s}["steps"] for s in stages[: i + 1])),
            train={**spec["train"]},
            train_seconds=round(sum(seconds), 1),
            stage_seconds=seconds,
            tokens_seen=tokens,
            log=log,
        )
    (out.parent / "train_log.json").write_text(
        json.dumps({"train_seconds": round(sum(seconds), 1), "stage_seconds": seconds,
                    "params": n_params, "log": log}, indent=1)  # fmt: skip
    )
    print(f"saved {out} after {sum(seconds):.0f}s", flush=True)


if __name__ == "__main__":
    main()
