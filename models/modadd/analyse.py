"""Progress measures for grokking (Nanda et al. 2023, "Progress measures for grokking via
mechanistic interpretability"), and the export of training checkpoints for the browser widget.

Library part (pure functions, unit-tested in tests/test_modadd.py):
  fourier_basis             the 1-D Fourier basis over Z_p (constant, cos k, sin k, orthonormal)
  embedding_frequency_norms how much of W_E lies on each frequency k
  neuron_key_frequencies    the frequency that best explains each MLP neuron; the key frequencies
  restricted_logits / excluded_logits   keep only / remove the cos(w_k(a+b)), sin(w_k(a+b))
                            components of the logits (w_k = 2 pi k / p) for the key frequencies

Script part: reads the training snapshots written by train.py, picks ~30 checkpoints (denser
where the curves move), computes the measures and writes public/models/modadd/checkpoints.json,
checkpoints.bin (float16 W_E per checkpoint) and card.json.

    /usr/bin/python3 models/modadd/analyse.py          # from the repository root
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


# ---------------------------------------------------------------------------------------------
# Fourier basis and frequency norms


def fourier_basis(p: int) -> Tuple[torch.Tensor, List[str]]:
    """Orthonormal Fourier basis of functions on Z_p, as rows: [p, p] float64 and row names.

    Row 0 is the constant; rows 2k-1 and 2k are cos(2 pi k x / p) and sin(2 pi k x / p) for
    k = 1..(p-1)/2 (p odd). basis @ basis.T = I."""
    if p % 2 == 0:
        raise ValueError("p must be odd")
    x = torch.arange(p, dtype=torch.float64)
    rows = [torch.ones(p, dtype=torch.float64)]
    names = ["const"]
    for k in range(1, (p - 1) // 2 + 1):
        rows.append(torch.cos(2 * math.pi * k * x / p))
        rows.append(torch.sin(2 * math.pi * k * x / p))
        names += [f"cos {k}", f"sin {k}"]
    basis = torch.stack(rows)  # [p, p]
    return basis / basis.norm(dim=1, keepdim=True), names


def embedding_frequency_norms(W_E_numbers: torch.Tensor) -> torch.Tensor:
    """Norm of the embedding on each frequency: [(p+1)/2] float64.

    W_E_numbers: [p, d_model], the embeddings of the numbers 0..p-1. Entry 0 is the constant
    component; entry k (1 <= k <= (p-1)/2) is sqrt(|cos k row|^2 + |sin k row|^2) of
    fourier_basis(p) @ W_E_numbers. The squares sum to |W_E_numbers|^2 (Parseval)."""
    p = W_E_numbers.shape[0]
    basis, _ = fourier_basis(p)
    coeffs = basis @ W_E_numbers.double()  # [p, d_model]
    sq = coeffs.pow(2).sum(-1)  # [p]
    norms = [sq[0]] + [sq[2 * k - 1] + sq[2 * k] for k in range(1, (p - 1) // 2 + 1)]
    return torch.stack(norms).sqrt()


# ---------------------------------------------------------------------------------------------
# Key frequencies from the MLP neurons


def neuron_frequency_fractions(post: torch.Tensor, p: int) -> torch.Tensor:
    """For each neuron and frequency k, the fraction of the neuron's (non-constant) activation
    variance over the (a, b) grid explained by terms of frequency k alone: the 2-D Fourier terms
    {const, cos k, sin k} x {const, cos k, sin k} minus const x const.

    post: [p*p, d_mlp] activations at the final position in pair-index order (a*p + b).
    Returns [d_mlp, (p-1)/2 + 1]; column 0 is unused (0)."""
    basis, _ = fourier_basis(p)
    acts = post.double().reshape(p, p, -1)  # [a, b, neuron]
    coeffs = torch.einsum("ia,jb,abn->ijn", basis, basis, acts)  # [p, p, neuron]
    energy = coeffs.pow(2)
    energy[0, 0] = 0.0
    total = energy.sum((0, 1)).clamp_min(1e-30)  # [neuron]
    n_freq = (p - 1) // 2
    out = torch.zeros(post.shape[1], n_freq + 1, dtype=torch.float64)
    for k in range(1, n_freq + 1):
        idx = torch.tensor([0, 2 * k - 1, 2 * k])
        out[:, k] = energy[idx][:, idx].sum((0, 1)) / total
    return out


def neuron_key_frequencies(
    post: torch.Tensor, p: int, threshold: float = 0.85, min_share: float = 0.01
) -> Tuple[List[int], Dict[int, int]]:
    """Key frequencies as in Nanda et al.: give each neuron the frequency that best explains its
    activations; the key frequencies are those that explain at least `threshold` of some neurons
    and that at least `min_share` of all neurons are assigned to. Returns (sorted key frequencies,
    {frequency: number of neurons})."""
    frac = neuron_frequency_fractions(post, p)  # [neuron, freq]
    best_frac, best_freq = frac.max(dim=1)
    counts: Dict[int, int] = {}
    for f, fr in zip(best_freq.tolist(), best_frac.tolist()):
        if fr >= threshold:
            counts[f] = counts.get(f, 0) + 1
    n = post.shape[1]
    keys = sorted(f for f, c in counts.items() if c >= max(1, min_share * n))
    return keys, {f: counts[f] for f in keys}


# ---------------------------------------------------------------------------------------------
# Restricted and excluded logits


def xpy_directions(p: int, k: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Unit vectors over the p*p pairs (pair-index order): cos(w_k (a+b)) and sin(w_k (a+b))."""
    a = torch.arange(p, dtype=torch.float64).repeat_interleave(p)
    b = torch.arange(p, dtype=torch.float64).repeat(p)
    phase = 2 * math.pi * k * (a + b) / p
    cos, sin = torch.cos(phase), torch.sin(phase)
    return cos / cos.norm(), sin / sin.norm()


def key_frequency_component(logits: torch.Tensor, p: int, key_freqs: Sequence[int]) -> torch.Tensor:
    """The part of the logits [p*p, n_out] along cos/sin(w_k (a+b)) for the key frequencies,
    projected separately for every output column."""
    logits64 = logits.double()
    total = torch.zeros_like(logits64)
    for k in key_freqs:
        for direction in xpy_directions(p, k):
            total += direction[:, None] * (direction @ logits64)[None, :]
    return total


def restricted_logits(logits: torch.Tensor, p: int, key_freqs: Sequence[int]) -> torch.Tensor:
    """Only the key-frequency components, plus each output's mean over all pairs (the bias
    correction of Nanda et al., so that the restricted logits are not penalised for an offset)."""
    component = key_frequency_component(logits, p, key_freqs)
    return component + (logits.double() - component).mean(0, keepdim=True)


def excluded_logits(logits: torch.Tensor, p: int, key_freqs: Sequence[int]) -> torch.Tensor:
    """The logits with the key-frequency components removed."""
    return logits.double() - key_frequency_component(logits, p, key_freqs)


def loss_and_accuracy(logits: torch.Tensor, labels: torch.Tensor) -> Tuple[float, float]:
    """Mean cross-entropy (float64) and accuracy of logits [n, n_out] against labels [n]."""
    loss = F.cross_entropy(logits.double(), labels).item()
    acc = (logits.argmax(-1) == labels).double().mean().item()
    return loss, acc


# ---------------------------------------------------------------------------------------------
# Choosing checkpoints


def choose_checkpoints(curve: Dict[str, List[float]], available: Sequence[int], n: int) -> List[int]:
    """Pick about n of the saved steps: half evenly spaced in steps, half evenly spaced in how
    much the curves have moved (log test loss, log train loss, test and train accuracy), so the
    choice is denser where training changes. Always includes the first and the last step."""
    steps = curve["step"]
    moved = [0.0]
    for i in range(1, len(steps)):
        d = abs(math.log(curve["test_loss"][i]) - math.log(curve["test_loss"][i - 1]))
        d += abs(math.log(max(curve["train_loss"][i], 1e-12)) - math.log(max(curve["train_loss"][i - 1], 1e-12))) / 4
        d += 4 * abs(curve["test_acc"][i] - curve["test_acc"][i - 1])
        d += 4 * abs(curve["train_acc"][i] - curve["train_acc"][i - 1])
        moved.append(moved[-1] + d)
    span = steps[-1] - steps[0]
    position = [0.5 * (s - steps[0]) / span + 0.5 * m / moved[-1] for s, m in zip(steps, moved)]
    available = sorted(available)
    chosen = {available[0], available[-1]}
    for i in range(1, n - 1):
        target = i / (n - 1)
        j = min(range(len(position)), key=lambda t: abs(position[t] - target))
        step = min(available, key=lambda s: abs(s - steps[j]))
        chosen.add(step)
    return sorted(chosen)


# ---------------------------------------------------------------------------------------------
# Script: snapshots -> checkpoints.json, checkpoints.bin, card.json


def first_step(curve: Dict[str, List[float]], key: str, threshold: float, stay: bool = True) -> int | None:
    """First logged step at which curve[key] >= threshold (and stays there to the end, if stay)."""
    values, steps = curve[key], curve["step"]
    for i, v in enumerate(values):
        if v >= threshold and (not stay or all(x >= threshold for x in values[i:])):
            return steps[i]
    return None


def accuracy_dips(curve: Dict[str, List[float]], after_step: int | None) -> List[dict]:
    """Loss spikes after memorisation (Adam "slingshots") show as dips of train accuracy below
    100%: one entry per contiguous dip, at its lowest point."""
    dips: List[dict] = []
    if after_step is None:
        return dips
    current = None
    for step, train_acc, test_acc in zip(curve["step"], curve["train_acc"], curve["test_acc"]):
        if step < after_step:
            continue
        if train_acc < 1.0:
            if current is None or train_acc < current["trainAcc"]:
                current = current or {}
                current.update({"step": step, "trainAcc": train_acc, "testAcc": test_acc})
        elif current is not None:
            dips.append(current)
            current = None
    if current is not None:
        dips.append(current)
    return dips


def main() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    import data  # noqa: E402
    from models.lab.model import Config, HookedTransformer  # noqa: E402
    from train import final_position_logits  # noqa: E402

    parser = argparse.ArgumentParser()
    parser.add_argument("--snapshots", default=str(ROOT / "tmp" / "modadd" / "snapshots.pt"))
    parser.add_argument("--out", default=str(ROOT / "public" / "models" / "modadd"))
    parser.add_argument("--n-checkpoints", type=int, default=34)
    args = parser.parse_args()
    torch.set_num_threads(1)

    run = torch.load(args.snapshots)
    cfg, curve, snapshots = run["config"], run["curve"], run["snapshots"]
    p = cfg["p"]
    n_freq = (p - 1) // 2
    tokens, labels = data.all_pairs(p)
    is_train = data.train_mask(p, cfg["train_fraction"], cfg["split_seed"])
    log = json.loads((Path(args.snapshots).parent / "train_log.json").read_text())

    model = HookedTransformer(Config(d_vocab=p + 2, n_ctx=3, **cfg["model"]))

    def run_model(state: dict) -> torch.Tensor:
        """Final-position logits over the numbers: [p*p, p]."""
        model.load_state_dict(state)
        with torch.no_grad():
            return final_position_logits(model, tokens)[:, :p]

    final_step = max(snapshots)
    final_logits = run_model(snapshots[final_step])
    with torch.no_grad():  # the reference forward, with hooks, for the MLP activations
        _, cache = model.run_with_cache(tokens, names_filter=lambda n: n == "blocks.0.mlp.hook_post")
    final_post = cache["blocks.0.mlp.hook_post"][:, -1]  # [p*p, d_mlp]
    key_freqs, neuron_counts = neuron_key_frequencies(final_post, p)
    final_norms = embedding_frequency_norms(snapshots[final_step]["embed.W_E"][:p])
    embed_top = sorted(range(1, n_freq + 1), key=lambda k: -final_norms[k].item())[: len(key_freqs)]
    print("key frequencies (neurons):", key_freqs, neuron_counts, " top embedding frequencies:", sorted(embed_top))

    chosen = choose_checkpoints(curve, list(snapshots), args.n_checkpoints)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    blobs: List[bytes] = []
    offset = 0
    checkpoints = []
    for step in chosen:
        state = snapshots[step]
        logits = run_model(state)
        train_loss, train_acc = loss_and_accuracy(logits[is_train], labels[is_train])
        test_loss, test_acc = loss_and_accuracy(logits[~is_train], labels[~is_train])
        restricted = restricted_logits(logits, p, key_freqs)
        excluded = excluded_logits(logits, p, key_freqs)
        restricted_loss, restricted_acc = loss_and_accuracy(restricted, labels)
        excluded_loss, excluded_acc = loss_and_accuracy(excluded[is_train], labels[is_train])
        norms = embedding_frequency_norms(state["embed.W_E"][:p])
        energy = norms.pow(2)
        W_E = state["embed.W_E"][: p + 1].to(torch.float16).contiguous()  # numbers and "="
        blob = W_E.numpy().tobytes()
        checkpoints.append(
            {
                "step": step,
                "trainLoss": train_loss,
                "trainAcc": train_acc,
                "testLoss": test_loss,
                "testAcc": test_acc,
                "restrictedLoss": restricted_loss,
                "restrictedAcc": restricted_acc,
                "excludedLoss": excluded_loss,
                "excludedAcc": excluded_acc,
                "weightNormSq": sum(v.double().pow(2).sum().item() for v in state.values()),
                "embedFourierNorms": [round(x, 5) for x in norms.tolist()],
                "keyFreqEnergyFraction": (energy[key_freqs].sum() / energy[1:].sum()).item(),
                "W_E": {"offset": offset, "bytes": len(blob)},
            }
        )
        blobs.append(blob)
        offset += len(blob)
        print(
            f"step {step:6d} train {train_loss:.2e}/{train_acc:.3f} test {test_loss:.2e}/{test_acc:.4f} "
            f"restricted {restricted_loss:.2e} excluded {excluded_loss:.2e}",
            flush=True,
        )

    checkpoints_bin = b"".join(blobs)
    (out_dir / "checkpoints.bin").write_bytes(checkpoints_bin)
    train100 = first_step(curve, "train_acc", 1.0, stay=False)
    test99 = first_step(curve, "test_acc", 0.99)
    train_dips = accuracy_dips(curve, train100)
    final_train = loss_and_accuracy(final_logits[is_train], labels[is_train])
    final_test = loss_and_accuracy(final_logits[~is_train], labels[~is_train])
    thin = max(1, len(curve["step"]) // 400)  # the dense curve, thinned to ~400 points
    checkpoints_doc = {
        "name": "modadd",
        "p": p,
        "trainFraction": cfg["train_fraction"],
        "splitSeed": cfg["split_seed"],
        "keyFrequencies": key_freqs,
        "frequencyNames": ["const"] + [f"{k}" for k in range(1, n_freq + 1)],
        "weights": {
            "file": "checkpoints.bin",
            # The page checks the file against these and caches it under the hash, so a
            # retrained file of the same size never reaches a returning reader stale.
            "sha256": hashlib.sha256(checkpoints_bin).hexdigest(),
            "bytes": len(checkpoints_bin),
            "tensor": "embed.W_E",
            "rows": "tokens 0..p (the numbers and '=')",
            "dtype": "float16",
            "byteOrder": "little-endian",
            "shape": [p + 1, cfg["model"]["d_model"]],
        },
        "measures": {
            "trainLoss": "cross-entropy on the training pairs (logits over the p numbers)",
            "testLoss": "cross-entropy on the held-out pairs",
            "restrictedLoss": "cross-entropy on all pairs of the logits restricted to the "
            "cos/sin(w_k(a+b)) components of the key frequencies (+ per-output mean)",
            "excludedLoss": "cross-entropy on the training pairs of the logits with those "
            "components removed",
            "embedFourierNorms": "norm of W_E (numbers) on the constant and on each frequency k",
            "keyFreqEnergyFraction": "share of W_E's non-constant squared norm on the key frequencies",
        },
        "grokking": {"trainAcc100Step": train100, "testAcc99Step": test99, "trainAccDips": train_dips},
        "curve": {k: v[::thin] for k, v in curve.items()},
        "checkpoints": checkpoints,
    }
    (out_dir / "checkpoints.json").write_text(json.dumps(checkpoints_doc, separators=(",", ":")) + "\n")

    card = {
        "name": "modadd",
        "task": "(a + b) mod p from the prompt 'a b =' (token ids [a, b, p]); prediction = argmax "
        "of the last position's logits over ids 0..p-1",
        "p": p,
        "config": {**cfg["model"], "d_vocab": p + 2, "n_ctx": 3},
        "split": {
            "method": "mulberry32(splitSeed) Fisher-Yates shuffle of pair indices a*p+b "
            "(for i = n-1..1: j = floor(rand()*(i+1)); swap); the first floor(trainFraction*p*p) "
            "are train, the rest test",
            "trainFraction": cfg["train_fraction"],
            "splitSeed": cfg["split_seed"],
            "nTrain": int(is_train.sum()),
            "nTest": int((~is_train).sum()),
            "trainMaskBase64": data.mask_to_base64(is_train),
            "maskEncoding": "bit i = pair index i, least significant bit first within each byte",
        },
        "training": {
            "steps": final_step,
            "optimizer": "AdamW full batch",
            "lr": cfg["train"]["lr"],
            "weightDecay": cfg["train"]["weight_decay"],
            "betas": cfg["train"]["betas"],
            "seed": cfg["train"]["seed"],
            "seconds": round(log["seconds"], 1),
            "threads": log["threads"],
        },
        "evaluation": {
            "trainLoss": final_train[0],
            "trainAccuracy": final_train[1],
            "testLoss": final_test[0],
            "testAccuracy": final_test[1],
            "testPairs": int((~is_train).sum()),
        },
        "grokking": {
            "trainAcc100Step": train100,
            "testAcc99Step": test99,
            "trainAccDips": train_dips,
            "keyFrequencies": key_freqs,
            "neuronsPerKeyFrequency": {str(k): v for k, v in neuron_counts.items()},
            "topEmbeddingFrequencies": sorted(embed_top),
            "finalRestrictedLoss": checkpoints[-1]["restrictedLoss"],
            "finalExcludedLoss": checkpoints[-1]["excludedLoss"],
        },
    }
    (out_dir / "card.json").write_text(json.dumps(card, indent=1) + "\n")
    print(json.dumps({k: card[k] for k in ("evaluation", "grokking")}, indent=1))
    print(f"checkpoints: {len(checkpoints)}, bin {offset} bytes")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # repository root, for models.lab
    from models.lab.cpu import tune_for_shared_cores

    tune_for_shared_cores()
    main()
