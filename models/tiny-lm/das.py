"""Distributed alignment search (DAS) on tiny-lm's IOI task, and the subspace illusion.

Run from the repository root:
    /usr/bin/python3 models/tiny-lm/das.py [--out public/models/tiny-lm/das.json]

What it does, after Makelov, Lange and Nanda (2023), "Is this the subspace you are looking for?":

1. Pairs. A base prompt ("When Mary and John went to the store, John gave a drink to", answer
   Mary) and its source: the same sentence with the second-clause subject replaced by the other
   name ("..., Mary gave a drink to", answer John). Both have the same length and differ in one
   token (S2). The metric is the base's logit difference, logit(IO) - logit(S) at the last
   position: positive on the base, negative on the source. Training pairs come from the training
   templates and name pairs, evaluation pairs from the held-out templates and name pairs
   (data.py's hold-out rules).

2. Sites. The MLP hidden activation blocks.L.mlp.hook_post [d_mlp = 512] at one position (S2
   or END). Patching along a unit vector v replaces h_base by h_base + v v^T (h_source - h_base)
   at that position only.

3. DAS. For every layer x position, v is learned by Adam (seeded, renormalised to unit length
   after each step) to minimise the mean patched logit difference on the training pairs.

4. Decomposition. The MLP's output is post @ W_out, so a vector u with u @ W_out = 0 is never
   read. v splits into v_dormant (its projection onto the column space of W_out, 128-d: read
   downstream) and v_disconnected (the rest, in the 384-d kernel of W_out^T: never read). The
   script reports, on the evaluation pairs, the logit difference after patching along v, along
   each normalised part alone and the full activation, how much each part's projection differs
   between base and source, and how strongly each part is read (||u @ W_out||).

Writes public/models/tiny-lm/das.json for the widget (src/widgets/das-illusion/).
Deterministic: seeds below, CPU, no clock in the output.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))  # models.lab
sys.path.insert(0, str(HERE))  # data.py

from models.lab.cpu import tune_for_shared_cores  # noqa: E402

tune_for_shared_cores()  # before torch is imported

import torch  # noqa: E402

import data  # noqa: E402
from models.lab.model import HookedTransformer  # noqa: E402
from models.lab.tokenizer import Tokenizer  # noqa: E402

SEED = 0  # DAS initialisation and training order
PAIR_SEED = 11  # training pairs
EVAL_SEED = 12  # evaluation pairs
N_TRAIN = 280
N_EVAL = 120
N_SHOWN = 24  # evaluation pairs shipped with their ids for the widget
STEPS = 300
LR = 0.01
BATCH = 70
CURVE_EVERY = 10
POSITIONS = ("S2", "END")


# ---------------------------------------------------------------------------------------------
# Pairs


def make_pairs(tok: Tokenizer, n: int, seed: int, held_out: bool) -> list[dict]:
    """n (base, source) pairs; source = base with the second-clause subject set to the IO."""
    rng = random.Random(seed)
    templates = data.IOI_EVAL_TEMPLATES if held_out else data.IOI_TRAIN_TEMPLATES
    pairs = [
        (a, b)
        for i, a in enumerate(data.NAMES)
        for b in data.NAMES[i + 1 :]
        if data.ioi_pair_is_held_out(a, b) == held_out
    ]
    out = []
    for k in range(n):
        a, b = rng.choice(pairs)
        if rng.random() < 0.5:
            a, b = b, a
        template = templates[k % len(templates)]
        abba = k % 2 == 0
        place, obj = rng.choice(data.PLACES), rng.choice(data.OBJECTS)
        s, io = (b, a) if abba else (a, b)
        cut = template[: template.rindex(" to {IO}") + len(" to")]
        base_text = cut.format(A=a, B=b, S=s, place=place, obj=obj)
        source_text = cut.format(A=a, B=b, S=io, place=place, obj=obj)
        base, source = tok.encode(base_text), tok.encode(source_text)
        assert len(base) == len(source) and tok.unk_id not in base + source, base_text
        diff = [i for i, (x, y) in enumerate(zip(base, source)) if x != y]
        assert len(diff) == 1, base_text
        out.append({
            "base": base_text, "source": source_text, "baseIds": base, "sourceIds": source,
            "io": tok.token_to_id(io), "s": tok.token_to_id(s),
            "positions": {"S2": diff[0], "END": len(base) - 1},
            "order": "ABBA" if abba else "BABA",
        })  # fmt: skip
    return out


def by_length(pairs: list[dict]) -> list[list[int]]:
    """Indices of the pairs grouped by token length (one batched run per group)."""
    groups: dict[int, list[int]] = {}
    for i, p in enumerate(pairs):
        groups.setdefault(len(p["baseIds"]), []).append(i)
    return [groups[k] for k in sorted(groups)]


# ---------------------------------------------------------------------------------------------
# Running with a patched MLP activation


def hook_name(layer: int) -> str:
    return f"blocks.{layer}.mlp.hook_post"


@torch.no_grad()
def site_activations(model, pairs, layer: int, position: str):
    """(base, source) activations at the site [n, d_mlp] and the base/source logit diffs [n]."""
    n = len(pairs)
    h_base = torch.zeros(n, model.cfg.d_mlp)
    h_source = torch.zeros(n, model.cfg.d_mlp)
    ld_base, ld_source = torch.zeros(n), torch.zeros(n)
    name = hook_name(layer)
    for idx in by_length(pairs):
        for key, h, ld in (("baseIds", h_base, ld_base), ("sourceIds", h_source, ld_source)):
            toks = torch.tensor([pairs[i][key] for i in idx])
            logits, cache = model.run_with_cache(toks, names_filter=lambda x: x == name)
            for r, i in enumerate(idx):
                h[i] = cache[name][r, pairs[i]["positions"][position]]
                ld[i] = logits[r, -1, pairs[i]["io"]] - logits[r, -1, pairs[i]["s"]]
    return h_base, h_source, ld_base, ld_source


def patched_logit_diff(model, pairs, idx, layer: int, position: str, new_h: torch.Tensor):
    """Base logit diff of pairs[idx] with the site's activation replaced by new_h [len(idx), d]."""
    toks = torch.tensor([pairs[i]["baseIds"] for i in idx])
    pos = torch.tensor([pairs[i]["positions"][position] for i in idx])
    rows = torch.arange(len(idx))

    def replace(h, _name):
        h = h.clone()
        h[rows, pos] = new_h
        return h

    with model.hooks(hook_fns={hook_name(layer): [replace]}):
        logits = model(toks)
    io = torch.tensor([pairs[i]["io"] for i in idx])
    s = torch.tensor([pairs[i]["s"] for i in idx])
    return logits[rows, -1, io] - logits[rows, -1, s]


def along(v: torch.Tensor, h_base: torch.Tensor, h_source: torch.Tensor) -> torch.Tensor:
    """h_base + v v^T (h_source - h_base), row by row (v need not be unit: projection onto v)."""
    u = v / v.norm()
    return h_base + ((h_source - h_base) @ u)[:, None] * u[None, :]


def patched_all(model, pairs, layer, position, new_h) -> torch.Tensor:
    out = torch.zeros(len(pairs))
    with torch.no_grad():
        for idx in by_length(pairs):
            out[idx] = patched_logit_diff(model, pairs, idx, layer, position, new_h[idx])
    return out


# ---------------------------------------------------------------------------------------------
# DAS


def learn_direction(model, pairs, layer: int, position: str, seed: int, steps: int, lr: float):
    """Unit v minimising the mean patched logit difference; returns v and the training curve."""
    h_base, h_source, _, _ = site_activations(model, pairs, layer, position)
    gen = torch.Generator().manual_seed(seed)
    v = torch.randn(model.cfg.d_mlp, generator=gen)
    v = (v / v.norm()).requires_grad_(True)
    opt = torch.optim.Adam([v], lr=lr)
    order_rng = random.Random(seed)
    groups = by_length(pairs)
    curve = []
    for step in range(steps + 1):
        if step % CURVE_EVERY == 0 or step == steps:
            with torch.no_grad():
                ld = patched_all(model, pairs, layer, position, along(v.detach(), h_base, h_source))
            curve.append({"step": step, "logitDiff": round(ld.mean().item(), 4)})
        if step == steps:
            break
        batch = sorted(order_rng.sample(range(len(pairs)), BATCH))
        opt.zero_grad()
        losses = []
        for g in groups:
            idx = [i for i in g if i in set(batch)]
            if not idx:
                continue
            new_h = along(v, h_base[idx], h_source[idx])
            losses.append(patched_logit_diff(model, pairs, idx, layer, position, new_h))
        loss = torch.cat(losses).mean()
        loss.backward()
        opt.step()
        with torch.no_grad():
            v /= v.norm()
    return v.detach(), curve


def decompose(v: torch.Tensor, W_out: torch.Tensor):
    """(v_dormant, v_disconnected): v's projection onto colspace(W_out) and the rest."""
    q, _ = torch.linalg.qr(W_out)  # [d_mlp, d_model], orthonormal basis of the column space
    dormant = q @ (q.T @ v)
    return dormant, v - dormant


def site_report(model, pairs, layer, position, v) -> dict:
    """Every number the widget shows, as means over `pairs`, and per pair."""
    W_out = model.blocks[layer].mlp.W_out.detach()
    dormant, disconnected = decompose(v, W_out)
    h_base, h_source, ld_base, ld_source = site_activations(model, pairs, layer, position)
    delta = h_source - h_base
    lds = {
        "base": ld_base,
        "source": ld_source,
        "full": patched_all(model, pairs, layer, position, h_source),
        "direction": patched_all(model, pairs, layer, position, along(v, h_base, h_source)),
        "dormant": patched_all(model, pairs, layer, position, along(dormant, h_base, h_source)),
        "disconnected": patched_all(
            model, pairs, layer, position, along(disconnected, h_base, h_source)
        ),
    }
    unit = lambda x: x / x.norm()  # noqa: E731
    return {
        "logitDiff": {k: round(x.mean().item(), 4) for k, x in lds.items()},
        "perPair": {k: [round(y, 4) for y in x.tolist()] for k, x in lds.items()},
        "fractions": {
            "dormant": round(dormant.norm().item() ** 2, 4),
            "disconnected": round(disconnected.norm().item() ** 2, 4),
        },
        # mean |projection(source) - projection(base)| onto each unit vector
        "meanAbsDeltaProjection": {
            "direction": round((delta @ v).abs().mean().item(), 4),
            "dormant": round((delta @ unit(dormant)).abs().mean().item(), 4),
            "disconnected": round((delta @ unit(disconnected)).abs().mean().item(), 4),
        },
        # how much each unit vector is read: ||u @ W_out||
        "readNorm": {
            "direction": round((v @ W_out).norm().item(), 4),
            "dormant": round((unit(dormant) @ W_out).norm().item(), 4),
            "disconnected": round((unit(disconnected) @ W_out).norm().item(), 6),
        },
        "directions": {"dormant": dormant, "disconnected": disconnected},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkpoint", default=str(HERE / "checkpoints" / "final.pt"))
    parser.add_argument("--out", default=str(ROOT / "public" / "models" / "tiny-lm" / "das.json"))
    parser.add_argument("--layers", default="0,1,2,3")
    parser.add_argument("--positions", default=",".join(POSITIONS))
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--lr", type=float, default=LR)
    args = parser.parse_args()
    torch.manual_seed(SEED)
    torch.set_num_threads(2)

    model = HookedTransformer.load(args.checkpoint).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    tok = Tokenizer.load(HERE / "tokenizer.json")
    train = make_pairs(tok, N_TRAIN, PAIR_SEED, held_out=False)
    evals = make_pairs(tok, N_EVAL, EVAL_SEED, held_out=True)

    sites = []
    for layer in [int(x) for x in args.layers.split(",")]:
        for position in args.positions.split(","):
            v, curve = learn_direction(model, train, layer, position, SEED, args.steps, args.lr)
            print(curve[:: max(1, len(curve) // 8)], flush=True)
            report = site_report(model, evals, layer, position, v)
            print(
                f"L{layer} {position:3s}: LD base {report['logitDiff']['base']:+.3f} "
                f"source {report['logitDiff']['source']:+.3f} "
                f"full {report['logitDiff']['full']:+.3f} v {report['logitDiff']['direction']:+.3f} "
                f"dormant {report['logitDiff']['dormant']:+.3f} "
                f"disconnected {report['logitDiff']['disconnected']:+.3f} | "
                f"|v_dorm|^2 {report['fractions']['dormant']:.3f} "
                f"dproj v/dorm/disc {report['meanAbsDeltaProjection']['direction']:.3f}/"
                f"{report['meanAbsDeltaProjection']['dormant']:.3f}/"
                f"{report['meanAbsDeltaProjection']['disconnected']:.3f} "
                f"read dorm {report['readNorm']['dormant']:.3f}",
                flush=True,
            )
            sites.append({"layer": layer, "position": position, "v": v, "curve": curve, **report})

    survey = [{k: s[k] for k in SUMMARY_KEYS} for s in sites]
    chosen = choose_sites(sites)
    for role, site in chosen.items():
        print(f"{role}: blocks.{site['layer']}.mlp.hook_post at {site['position']}")

    def vector(x: torch.Tensor) -> list[float]:
        return [round(float(y), 6) for y in x.tolist()]

    def pair_json(p: dict) -> dict:
        return {k: p[k] for k in ("base", "source", "baseIds", "sourceIds", "io", "s", "positions")}

    doc = {
        "model": "tiny-lm",
        "recipe": "models/tiny-lm/das.py",
        "paper": "subspace-patching-illusion",
        "metric": "logit(IO) - logit(S) of the base prompt at the last position",
        "patch": "h' = h_base + v v^T (h_source - h_base) at one position of blocks.L.mlp.hook_post",
        "seeds": {"das": SEED, "trainPairs": PAIR_SEED, "evalPairs": EVAL_SEED},
        "training": {"steps": args.steps, "lr": args.lr, "batch": BATCH, "optimizer": "Adam",
                     "objective": "minimise the mean patched logit difference",
                     "renormalise": "v / |v| after every step"},  # fmt: skip
        "trainPairs": [pair_json(p) for p in train],
        "evalPairs": [pair_json(p) for p in evals],
        "survey": survey,
        "sites": [
            {
                "role": role,
                "hook": hook_name(site["layer"]),
                "layer": site["layer"],
                "position": site["position"],
                **{k: site[k] for k in SUMMARY_KEYS if k not in ("layer", "position")},
                "perPair": site["perPair"],
                "curve": site["curve"],
                "v": vector(site["v"]),
                "dormant": vector(site["directions"]["dormant"]),
                "disconnected": vector(site["directions"]["disconnected"]),
            }
            for role, site in chosen.items()
        ],
    }
    out = Path(args.out)
    out.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
    print(f"wrote {out} ({out.stat().st_size // 1024} KB)")


SUMMARY_KEYS = ("layer", "position", "logitDiff", "fractions", "meanAbsDeltaProjection", "readNorm")


def choose_sites(sites: list[dict]) -> dict[str, dict]:
    """The two sites the widget shows, by a fixed rule on the evaluation numbers.

    effect(x) = LD(base) - LD(x), the move toward the source. Illusory: among the sites where
    patching the whole activation moves the logit difference by less than 5% of the base-source
    gap, the one where patching along v moves it most. Faithful: among the other sites, the one
    where the read (dormant) part alone gives the largest share of v's effect.
    """
    def effect(site, key):
        return site["logitDiff"]["base"] - site["logitDiff"][key]

    def gap(site):
        return site["logitDiff"]["base"] - site["logitDiff"]["source"]

    quiet = [s for s in sites if abs(effect(s, "full")) < 0.05 * gap(s)]
    illusory = max(quiet, key=lambda s: effect(s, "direction"))
    rest = [s for s in sites if s is not illusory and effect(s, "direction") > 0.05 * gap(s)]
    faithful = max(rest, key=lambda s: effect(s, "dormant") / effect(s, "direction"))
    return {"illusory": illusory, "faithful": faithful}


if __name__ == "__main__":
    main()
