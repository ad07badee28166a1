"""Train the SAE lab's sparse autoencoders on tiny-lm's blocks.1.hook_resid_post and write the
files the page loads. Deterministic from the seeds below and in harvest.py.

Run from the repository root (15-25 minutes on two shared CPU cores, depending on load):
    /usr/bin/python3 models/tiny-lm-saes/train.py               # everything
    /usr/bin/python3 models/tiny-lm-saes/train.py --skip-saes   # step graph, fixture, tokens only
    /usr/bin/python3 models/tiny-lm-saes/train.py --kinds topk  # retrain one SAE (others kept)

Writes public/models/tiny-lm-saes/ (saes.json, relu.bin, topk.bin, gated.bin, unembed.bin,
eval-tokens.json, train-tokens.json, sae-train-step.onnx), the page's parity fixture
tests/fixtures/models/tiny-lm-saes/train-step.json and models/tiny-lm-saes/train_log.json.
The file format is models/tiny-lm-saes/FORMAT.md; MODEL_CARD.md describes the SAEs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))  # models.lab
sys.path.insert(0, str(HERE))  # harvest, sae_lib, sae_step, step_artifacts

from models.lab.cpu import tune_for_shared_cores  # noqa: E402

tune_for_shared_cores()  # before torch is imported

import numpy as np  # noqa: E402
import torch  # noqa: E402

import card  # noqa: E402
import harvest  # noqa: E402
import sae_lib  # noqa: E402
import sae_step  # noqa: E402
import step_artifacts  # noqa: E402

OUT = ROOT / "public" / "models" / "tiny-lm-saes"
FIXTURE = ROOT / "tests" / "fixtures" / "models" / "tiny-lm-saes" / "train-step.json"
LOG = HERE / "train_log.json"

N_POSITIONS = 300_000
EVAL_ROWS, TRAIN_ROWS, ROW_LENGTH = 128, 512, 32
D_SAE = 1024

# The in-page default (ReLU + L1 through sae-train-step.onnx on train-tokens.json activations).
RECOMMENDED = {"d_sae": 512, "batch": 256, "lr": 0.003, "l1": 0.6, "steps": 800, "seed": 0}

SAES = [
    {
        "id": "relu",
        "kind": "relu",
        "label": "ReLU + L1",
        "cfg": {
            "d_sae": D_SAE, "batch": 1024, "lr": 0.002, "l1": 0.6, "steps": 6000, "seed": 1,
            "warmup": 50, "decay_frac": 0.2, "resample_every": 400, "resample_until": 3600,
        },
    },
    {
        "id": "topk",
        "kind": "topk",
        "label": "TopK",
        "cfg": {
            "d_sae": D_SAE, "batch": 1024, "lr": 0.002, "k": 16, "steps": 2500, "seed": 2,
            "warmup": 50, "decay_frac": 0.2, "aux_k": 64, "aux_coef": 1 / 32,
            "dead_tokens": 200_000,
        },
    },
    {
        "id": "gated",
        "kind": "gated",
        "label": "Gated",
        "cfg": {
            "d_sae": D_SAE, "batch": 1024, "lr": 0.002, "l1": 1.5, "steps": 2500, "seed": 3,
            "warmup": 50, "decay_frac": 0.2, "resample_every": 300, "resample_until": 1500,
            "unit_norm": True, "enc_init_scale": 0.1,
        },
    },
]  # fmt: skip


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_entry(path: Path) -> dict:
    return {"file": path.name, "sha256": sha256(path), "bytes": path.stat().st_size}


def write_bin(path: Path, tensors: list) -> list:
    """Concatenate float32 little-endian tensors; returns [{name, shape, offset}]."""
    entries, chunks, offset = [], [], 0
    for name, t in tensors:
        a = t.detach().contiguous().numpy().astype("<f4")
        entries.append({"name": name, "shape": list(t.shape), "offset": offset})
        chunks.append(a.tobytes())
        offset += a.nbytes
    path.write_bytes(b"".join(chunks))
    return entries


def read_bin(path: Path, tensors: list) -> dict:
    raw = path.read_bytes()
    out = {}
    for e in tensors:
        n = int(np.prod(e["shape"]))
        a = np.frombuffer(raw, dtype="<f4", count=n, offset=e["offset"]).reshape(e["shape"])
        out[e["name"]] = torch.from_numpy(a.copy())
    return out


def write_tokens(path: Path, rows: list) -> None:
    path.write_text(json.dumps({"sequences": rows}, separators=(",", ":")) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-saes", action="store_true", help="only the step graph, fixture, tokens")
    ap.add_argument("--kinds", nargs="*", default=None, help="SAE ids to (re)train; others are kept")
    ap.add_argument("--positions", type=int, default=N_POSITIONS)
    ap.add_argument("--steps", type=int, default=None, help="override every SAE's step count")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    OUT.mkdir(parents=True, exist_ok=True)
    t_start = time.time()

    model, tok = harvest.load_model_and_tokenizer()
    bos = tok.bos_id
    d_in = model.cfg.d_model

    # Token sets shipped with the page.
    eval_rows = harvest.windows(tok, EVAL_ROWS, ROW_LENGTH, harvest.EVAL_SEED)
    train_rows = harvest.windows(tok, TRAIN_ROWS, ROW_LENGTH, harvest.TRAIN_SEED)
    write_tokens(OUT / "eval-tokens.json", eval_rows)
    write_tokens(OUT / "train-tokens.json", train_rows)
    eval_tokens = torch.tensor(eval_rows, dtype=torch.long)
    train_tokens = torch.tensor(train_rows, dtype=torch.long)

    # Logit weights: ln_final.w[:, None] * W_U.
    unembed = model.ln_final.w.detach()[:, None] * model.unembed.W_U.detach()
    write_bin(OUT / "unembed.bin", [("unembed", unembed)])

    # In-page training: graph, parity fixture, recommended config and its reference numbers.
    sae_step.export_onnx(str(OUT / "sae-train-step.onnx"))
    x_train = harvest.activations(model, train_tokens)[train_tokens != bos]
    step_artifacts.dump_fixture(FIXTURE, step_artifacts.fixture(x_train))
    ref = step_artifacts.run_in_page_training(x_train, RECOMMENDED)
    print(f"recommended {RECOMMENDED}: {ref}", flush=True)

    index_path = OUT / "saes.json"
    old = json.loads(index_path.read_text()) if index_path.exists() else {"saes": []}
    old_by_id = {s["id"]: s for s in old.get("saes", [])}
    log = json.loads(LOG.read_text()) if LOG.exists() else {}
    log["recommended"] = {"config": RECOMMENDED, **ref}

    saes = []
    if not args.skip_saes:
        wanted = set(args.kinds) if args.kinds else {s["id"] for s in SAES}
        x = None
        for spec in SAES:
            path = OUT / f"{spec['id']}.bin"
            if spec["id"] not in wanted and spec["id"] in old_by_id and path.exists():
                saes.append(old_by_id[spec["id"]])
                continue
            if x is None:
                t0 = time.time()
                x = harvest.harvest(model, tok, args.positions)
                print(f"harvested {tuple(x.shape)} in {time.time() - t0:.1f}s", flush=True)
            cfg = dict(spec["cfg"])
            if args.steps:
                cfg["steps"] = args.steps
            res = sae_lib.train(spec["kind"], x, cfg)
            p = res["params"]
            bad = sae_lib.nonfinite(p)
            if bad:
                raise SystemExit(f"{spec['id']}: non-finite parameters {bad}")
            names = sae_lib.TENSOR_ORDER[spec["kind"]]
            tensors = write_bin(path, [(n, p[n]) for n in names])
            with torch.no_grad():
                ever = torch.zeros(cfg["d_sae"], dtype=torch.bool)
                for i in range(0, x.shape[0], 16384):
                    ever |= (sae_lib.encode(spec["kind"], p, x[i : i + 16384], cfg.get("k")) > 0).any(0)
            dead_harvest = int((~ever).sum())
            # Metrics from the written file, so they describe exactly what the page loads.
            loaded = read_bin(path, tensors)
            m = sae_lib.metrics(spec["kind"], loaded, model, eval_tokens, harvest.HOOK, bos, cfg.get("k"))
            print(f"[{spec['id']}] metrics {m} ({res['seconds']:.0f}s)", flush=True)
            entry = {"id": spec["id"], "kind": spec["kind"], "label": spec["label"], "d_sae": cfg["d_sae"]}
            if spec["kind"] == "topk":
                entry["k"] = cfg["k"]
            else:
                entry["l1"] = cfg["l1"]
            entry.update(file_entry(path))
            entry["tensors"] = tensors
            entry["metrics"] = step_artifacts.round_floats(m, 6)
            entry["training"] = {
                "tokens": cfg["steps"] * cfg["batch"],
                "steps": cfg["steps"],
                "batch": cfg["batch"],
                "lr": cfg["lr"],
                "seed": cfg["seed"],
                "seconds": round(res["seconds"], 1),
                "resampled": res["resampled"],
                "dead_on_training_activations": dead_harvest,
            }
            saes.append(entry)
            log[spec["id"]] = {"config": cfg, "metrics": m, "history": res["history"],
                               "seconds": res["seconds"], "resampled": res["resampled"],
                               "harvest": {"positions": int(x.shape[0]), "seed": harvest.HARVEST_SEED}}  # fmt: skip
    else:
        saes = [s for s in old.get("saes", []) if (OUT / s["file"]).exists()]

    index = {
        "format": 1,
        "model": "tiny-lm",
        "hook": harvest.HOOK,
        "d_in": d_in,
        "bos": bos,
        "eval": {**file_entry(OUT / "eval-tokens.json"), "sequences": EVAL_ROWS, "length": ROW_LENGTH},
        "train": {**file_entry(OUT / "train-tokens.json"), "sequences": TRAIN_ROWS, "length": ROW_LENGTH},
        "unembed": {**file_entry(OUT / "unembed.bin"), "shape": list(unembed.shape)},
        "train_step": {
            **file_entry(OUT / "sae-train-step.onnx"),
            "recommended": RECOMMENDED,
            "reference": {"fvu": round(ref["fvu"], 4), "l0": round(ref["l0"], 2)},
        },
        "data": {
            "source": "models/tiny-lm/data.py make_windows, task mix of tiny-lm's last training stage",
            "harvest_seed": harvest.HARVEST_SEED,
            "eval_seed": harvest.EVAL_SEED,
            "train_seed": harvest.TRAIN_SEED,
            "harvest_positions": args.positions,
        },
        "saes": saes,
    }
    index_path.write_text(json.dumps(index, indent=1) + "\n")
    LOG.write_text(json.dumps(log, indent=1) + "\n")
    if saes:
        card.main()
    total = sum(f.stat().st_size for f in OUT.iterdir())
    print(f"wrote {OUT} ({total / 1e6:.2f} MB) in {time.time() - t_start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
