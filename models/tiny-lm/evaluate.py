"""Evaluate tiny-lm on held-out prompts; write MODEL_CARD.md numbers, card.json and eval-sets.json.

Run from the repository root:
    /usr/bin/python3 models/tiny-lm/evaluate.py [--ckpt models/tiny-lm/checkpoints/final.pt]

Every metric reads the logits at the last position of a prompt that starts with <bos>.
Metric definitions (the Node test recomputes them from the ONNX model with the same definitions):
- ioi: logit diff = logit(IO) - logit(S); accuracy = share of prompts with logit diff > 0;
  top1 = share whose arg-max over the whole vocabulary is IO.
- greaterThan: softmax over the whole vocabulary; validMass = sum of p(YY) for two-digit tokens
  YY > start year; probDiff = validMass - sum of p(YY) for YY <= start year (Hanna et al.).
- facts: top1 = arg-max over the whole vocabulary is the answer; choiceAccuracy = the answer has
  the highest logit among the candidate answers of its kind (8 sports or the countries).
- induction: mean next-token loss over the first and over the second copy of 20 random words
  (the first token of each copy is excluded: it cannot be predicted).
- sentiment: p(positive words) vs p(negative words) after "I love/hate this X. It is";
  accuracy = share where the expected side has more mass.
- steering: as the steering-vectors widget does it (src/widgets/steering-vectors/
  steering.ts). The vector is resid_pre[L] on "<bos> love" minus on "<bos> hate", one row per
  position (the <bos> row is zero); coef times it is added to the neutral prompts
  "I think this X is" at the prompt's start (its rows at positions 0 and 1, as ActAdd), or its
  last row at every position after <bos>, or at every position with <bos>. The measure is the
  widget's: mean logit of the positive adjectives minus mean logit of the negative ones at the
  last position; report its mean over the prompts unsteered and its mean change with +coef
  (love - hate) and -coef (hate - love), for every layer and placement.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import torch  # noqa: E402

import data  # noqa: E402
from models.lab.model import HookedTransformer, Intervention  # noqa: E402
from models.lab.tokenizer import Tokenizer  # noqa: E402

# Steering: the steering-vectors widget's defaults (steering.ts STEERING_DEFAULTS) and placements.
STEER_PAIR = ("love", "hate")
STEER_COEF = 4.0
STEER_DEFAULT = {"layer": 0, "placement": "start"}
STEER_PLACEMENTS = ("start", "every", "everyWithBos")


@torch.no_grad()
def last_logits(model, tok: Tokenizer, prompts: list[str], interventions=None) -> torch.Tensor:
    """Logits at the final position for each prompt (run one by one: prompts differ in length)."""
    out = []
    for p in prompts:
        ids = torch.tensor([tok.encode(p)])
        if interventions is None:
            logits = model(ids)
        else:
            logits = model.run_with_interventions(ids, interventions)
        out.append(logits[0, -1])
    return torch.stack(out)  # [n, d_vocab]


def eval_ioi(model, tok, items) -> dict:
    logits = last_logits(model, tok, [x["prompt"] for x in items])
    io = torch.tensor([tok.token_to_id(x["answer"]) for x in items])
    s = torch.tensor([tok.token_to_id(x["distractor"]) for x in items])
    ar = torch.arange(len(items))
    diff = logits[ar, io] - logits[ar, s]
    res = {
        "prompts": len(items),
        "accuracy": round((diff > 0).float().mean().item(), 4),
        "meanLogitDiff": round(diff.mean().item(), 4),
        "top1": round((logits.argmax(-1) == io).float().mean().item(), 4),
    }
    for order in ("ABBA", "BABA"):
        mask = torch.tensor([x["order"] == order for x in items])
        res[f"meanLogitDiff{order}"] = round(diff[mask].mean().item(), 4)
    return res


def eval_years(model, tok, items) -> dict:
    probs = last_logits(model, tok, [x["prompt"] for x in items]).softmax(-1)
    yy_ids = torch.tensor([tok.token_to_id(f"{y:02d}") for y in range(100)])
    p_yy = probs[:, yy_ids]  # [n, 100]
    start = torch.tensor([x["startYear"] for x in items])
    years = torch.arange(100)
    valid = years[None, :] > start[:, None]
    valid_mass = (p_yy * valid).sum(-1)
    invalid_mass = (p_yy * ~valid).sum(-1)
    return {
        "prompts": len(items),
        "validMass": round(valid_mass.mean().item(), 4),
        "probDiff": round((valid_mass - invalid_mass).mean().item(), 4),
        "twoDigitMass": round(p_yy.sum(-1).mean().item(), 4),
    }


def eval_facts(model, tok, items) -> dict:
    logits = last_logits(model, tok, [x["prompt"] for x in items])
    ans = torch.tensor([tok.token_to_id(x["answer"]) for x in items])
    top1 = logits.argmax(-1) == ans
    choice_ok = []
    for i, x in enumerate(items):
        ids = torch.tensor([tok.token_to_id(c) for c in x["choices"]])
        choice_ok.append(x["choices"][int(logits[i, ids].argmax())] == x["answer"])
    res = {
        "prompts": len(items),
        "top1": round(top1.float().mean().item(), 4),
        "choiceAccuracy": round(sum(choice_ok) / len(items), 4),
    }
    for kind in ("athlete", "city"):
        mask = torch.tensor([x["kind"] == kind for x in items])
        res[f"top1_{kind}"] = round(top1[mask].float().mean().item(), 4)
    return res


@torch.no_grad()
def eval_induction(model, tok, seqs) -> dict:
    ids = torch.tensor(seqs)  # [n, 1 + 2 * L]
    length = (ids.shape[1] - 1) // 2
    logits = model(ids)
    loss = torch.nn.functional.cross_entropy(
        logits[:, :-1].transpose(1, 2), ids[:, 1:], reduction="none"
    )  # [n, pos-1]; loss[:, i] predicts token i + 1
    first = loss[:, 1 : length].mean()  # predicting tokens 2..L (first copy, excluding its first)
    second = loss[:, length + 1 :].mean()  # predicting tokens L+2..2L (second copy)
    return {
        "sequences": len(seqs),
        "length": length,
        "firstRepeatLoss": round(first.item(), 4),
        "secondRepeatLoss": round(second.item(), 4),
    }


def _sentiment_scores(logits, tok) -> torch.Tensor:
    """log p(positive words) - log p(negative words) per row."""
    lp = logits.log_softmax(-1)
    pos = torch.tensor([tok.token_to_id(w) for w in data.POSITIVE])
    neg = torch.tensor([tok.token_to_id(w) for w in data.NEGATIVE])
    return lp[:, pos].logsumexp(-1) - lp[:, neg].logsumexp(-1)


def eval_sentiment(model, tok, items) -> dict:
    score = _sentiment_scores(last_logits(model, tok, [x["prompt"] for x in items]), tok)
    sign = torch.tensor([1.0 if x["polarity"] == "pos" else -1.0 for x in items])
    return {
        "prompts": len(items),
        "accuracy": round(((score * sign) > 0).float().mean().item(), 4),
        "meanSignedLogRatio": round((score * sign).mean().item(), 4),
    }


def _mean_logit_sentiment(logits, tok) -> torch.Tensor:
    """Mean logit of the positive words minus mean logit of the negative words, per row."""
    pos = torch.tensor([tok.token_to_id(w) for w in data.POSITIVE])
    neg = torch.tensor([tok.token_to_id(w) for w in data.NEGATIVE])
    return logits[:, pos].mean(-1) - logits[:, neg].mean(-1)


@torch.no_grad()
def steering_vector(model, tok, layer: int) -> torch.Tensor:
    """resid_pre[layer] on the pair's first prompt minus on its second: [pos, d_model]."""
    hook = f"blocks.{layer}.hook_resid_pre"
    ids = torch.tensor([tok.encode(w) for w in STEER_PAIR])  # [2, pos]: <bos> love, <bos> hate
    _, cache = model.run_with_cache(ids, names_filter=lambda n: n == hook)
    return cache[hook][0] - cache[hook][1]  # [pos, d_model]


def steering_addition(vec: torch.Tensor, length: int, placement: str) -> torch.Tensor:
    """What is added to a prompt of `length` tokens: [length, d_model] (steering.ts steeringAddition)."""
    add = torch.zeros(length, vec.shape[1])
    if placement == "start":
        rows = min(vec.shape[0], length)
        add[:rows] = vec[:rows]
    elif placement == "every":
        add[1:] = vec[-1]
    elif placement == "everyWithBos":
        add[:] = vec[-1]
    else:
        raise ValueError(placement)
    return add


@torch.no_grad()
def eval_steering(model, tok, coef: float = STEER_COEF) -> dict:
    prompts = [f"I think this {item} is" for item in data.ITEMS]
    base = _mean_logit_sentiment(last_logits(model, tok, prompts), tok)
    rows = []
    for layer in range(model.cfg.n_layers):
        vec = steering_vector(model, tok, layer)
        hook = f"blocks.{layer}.hook_resid_pre"
        for placement in STEER_PLACEMENTS:
            shifts = []
            for sign in (1.0, -1.0):
                steered = []
                for p in prompts:
                    add = sign * coef * steering_addition(vec, len(tok.encode(p)), placement)
                    steered.append(last_logits(model, tok, [p], {hook: Intervention(add=add)})[0])
                shift = _mean_logit_sentiment(torch.stack(steered), tok) - base
                shifts.append(round(shift.mean().item(), 4))
            rows.append({
                "layer": layer, "placement": placement,
                "loveMinusHateShift": shifts[0], "hateMinusLoveShift": shifts[1],
            })  # fmt: skip
    default = next(
        r for r in rows
        if r["layer"] == STEER_DEFAULT["layer"] and r["placement"] == STEER_DEFAULT["placement"]
    )  # fmt: skip
    return {
        "pair": list(STEER_PAIR),
        "coef": coef,
        "measure": "mean logit of the positive adjectives minus mean logit of the negative ones",
        "prompts": prompts,
        "baseSentiment": round(base.mean().item(), 4),
        "default": {
            **STEER_DEFAULT,
            "loveMinusHateShift": default["loveMinusHateShift"],
            "hateMinusLoveShift": default["hateMinusLoveShift"],
        },
        "byLayer": rows,
    }


@torch.no_grad()
def ioi_head_attribution(model, tok, items) -> dict:
    """Direct logit attribution of each head to logit(IO) - logit(S) at the last position.

    Each head's output (hook_result) is centred and divided by the final LayerNorm's scale of that
    run (as TransformerLens's apply_ln_to_stack), times ln_final.w, dotted with W_U[IO] - W_U[S];
    averaged over the prompts. Heads with mean > 1 are listed as name movers, < -1 as negative
    name movers.
    """
    n_layers, n_heads = model.cfg.n_layers, model.cfg.n_heads
    last = f"blocks.{n_layers - 1}.hook_resid_post"
    total = torch.zeros(n_layers, n_heads)
    for x in items:
        ids = torch.tensor([tok.encode(x["prompt"])])
        _, cache = model.run_with_cache(
            ids, names_filter=lambda n: n.endswith("hook_result") or n == last
        )
        resid = cache[last][0, -1]  # [d_model]
        resid = resid - resid.mean()
        scale = (resid.pow(2).mean() + model.cfg.ln_eps).sqrt()
        direction = model.unembed.W_U[:, tok.token_to_id(x["answer"])] - model.unembed.W_U[
            :, tok.token_to_id(x["distractor"])
        ]  # [d_model]
        for layer in range(n_layers):
            result = cache[f"blocks.{layer}.attn.hook_result"][0, -1]  # [n_heads, d_model]
            result = result - result.mean(-1, keepdim=True)
            total[layer] += (result / scale * model.ln_final.w) @ direction
    mean = total / len(items)
    dla = {f"{l}.{h}": round(mean[l, h].item(), 3) for l in range(n_layers) for h in range(n_heads)}
    return {
        "prompts": len(items),
        "directLogitAttribution": dla,
        "nameMovers": [k for k, v in sorted(dla.items(), key=lambda kv: -kv[1]) if v > 1.0],
        "negativeNameMovers": [k for k, v in sorted(dla.items(), key=lambda kv: kv[1]) if v < -1.0],
    }


def eval_sets(tok) -> dict:
    facts = data.facts_eval_set()
    return {
        "ioi": data.ioi_eval_set(),
        "greaterThan": data.years_eval_set(),
        "facts": facts["heldOutCombinations"],
        "factsUnseenTemplate": facts["unseenTemplate"],
        "sentiment": data.sentiment_eval_set(),
        "induction": data.induction_eval_set(tok),
    }


def evaluate_all(model, tok) -> dict:
    sets = eval_sets(tok)
    return {
        "ioi": eval_ioi(model, tok, sets["ioi"]),
        "greaterThan": eval_years(model, tok, sets["greaterThan"]),
        "facts": eval_facts(model, tok, sets["facts"]),
        "factsUnseenTemplate": eval_facts(model, tok, sets["factsUnseenTemplate"]),
        "induction": eval_induction(model, tok, sets["induction"]),
        "sentiment": eval_sentiment(model, tok, sets["sentiment"]),
        "steering": eval_steering(model, tok),
        "ioiHeads": ioi_head_attribution(model, tok, sets["ioi"]),
    }


def quick_summary(model, tok) -> dict:
    """A few headline numbers for the training log (smaller sets, same definitions)."""
    facts = data.facts_eval_set()["heldOutCombinations"]
    return {
        "ioiAcc": eval_ioi(model, tok, data.ioi_eval_set(60))["accuracy"],
        "ioiLD": eval_ioi(model, tok, data.ioi_eval_set(60))["meanLogitDiff"],
        "gtValid": eval_years(model, tok, data.years_eval_set(60))["validMass"],
        "facts": eval_facts(model, tok, facts[::3])["top1"],
        "ind2nd": eval_induction(model, tok, data.induction_eval_set(tok, 10))["secondRepeatLoss"],
        "sent": eval_sentiment(model, tok, data.sentiment_eval_set())["accuracy"],
    }


TARGETS = {
    "IOI accuracy (held-out templates and name pairs)": ("ioi", "accuracy", 0.9),
    "IOI mean logit diff": ("ioi", "meanLogitDiff", 2.0),
    "Greater-than probability mass on valid years": ("greaterThan", "validMass", 0.8),
    "Fact recall, top-1 (held-out template combinations)": ("facts", "top1", 0.9),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ckpt", default=str(HERE / "checkpoints" / "final.pt"))
    parser.add_argument("--public", default=str(ROOT / "public" / "models" / "tiny-lm"))
    args = parser.parse_args()
    torch.set_num_threads(2)

    tok = Tokenizer.load(HERE / "tokenizer.json")
    ckpt = torch.load(args.ckpt, map_location="cpu")
    model = HookedTransformer.load(args.ckpt)
    model.eval()
    results = evaluate_all(model, tok)
    targets = []
    for label, (group, key, threshold) in TARGETS.items():
        value = results[group][key]
        targets.append({"metric": label, "value": value, "target": threshold, "met": value >= threshold})
    ind = results["induction"]
    targets.append({
        "metric": "Induction: second-repeat loss below half of first-repeat loss",
        "value": ind["secondRepeatLoss"], "target": round(ind["firstRepeatLoss"] / 2, 4),
        "met": ind["secondRepeatLoss"] < ind["firstRepeatLoss"] / 2,
    })  # fmt: skip

    public = Path(args.public)
    public.mkdir(parents=True, exist_ok=True)
    sets = eval_sets(tok)
    (public / "eval-sets.json").write_text(json.dumps(sets, separators=(",", ":")) + "\n")
    card = {
        "name": "tiny-lm",
        "config": ckpt["config"],
        "training": {
            "steps": ckpt.get("step"),
            "tokensSeen": ckpt.get("tokens_seen"),
            "trainSeconds": ckpt.get("train_seconds"),
            "stageSeconds": ckpt.get("stage_seconds"),
            "seed": ckpt["train"]["seed"],
            "dataSeed": ckpt["train"]["data_seed"],
            "stages": ckpt["train"].get("stages"),
            "recipe": "/usr/bin/python3 models/tiny-lm/train.py",
        },
        "evalSets": "eval-sets.json",
        "evalSetsGenerator": "models/tiny-lm/data.py (ioi_eval_set, years_eval_set, facts_eval_set, "
        "sentiment_eval_set, induction_eval_set) with their default seeds",
        "metrics": results,
        "targets": targets,
        "untrainedTokens": data.tokens_never_in_training_text(tok),
        "textDistributions": {
            "news": "models/tiny-lm/data.py generate_distribution('news', n, seed)",
            "story": "models/tiny-lm/data.py generate_distribution('story', n, seed)",
        },
    }
    (public / "card.json").write_text(json.dumps(card, indent=1) + "\n")
    write_model_card(card, tok)
    print(json.dumps(results, indent=1))
    for t in targets:
        print(("MET  " if t["met"] else "MISS ") + f"{t['metric']}: {t['value']} (target {t['target']})")


PLACEMENT_LABELS = {
    "start": "at the prompt's start",
    "every": "at every position after `<bos>`",
    "everyWithBos": "at every position with `<bos>`",
}


def steering_lines(st: dict) -> list[str]:
    """The steering bullet and its table of shifts by layer and placement."""
    d = st["default"]
    positive, negative = st["pair"]
    lines = [
        f"- Steering, measured as the steering-vectors widget measures it ({st['measure']} after "
        f"the prompt, averaged over {len(st['prompts'])} neutral prompts \"I think this X is\"): "
        f"{st['coef']} times (resid_pre on \"{positive}\" minus on \"{negative}\") added "
        f"{PLACEMENT_LABELS[d['placement']]} before block {d['layer']} (the widget's default) "
        f"moves it by {d['loveMinusHateShift']} ({positive} - {negative}) and "
        f"{d['hateMinusLoveShift']} ({negative} - {positive}) from {st['baseSentiment']}. "
        f"The same coefficient by layer and placement ({positive} - {negative} / "
        f"{negative} - {positive}):",
        "",
        "  | before block | " + " | ".join(PLACEMENT_LABELS[p] for p in STEER_PLACEMENTS) + " |",
        "  | --- | " + " | ".join("---" for _ in STEER_PLACEMENTS) + " |",
    ]
    for layer in sorted({r["layer"] for r in st["byLayer"]}):
        cells = []
        for placement in STEER_PLACEMENTS:
            r = next(x for x in st["byLayer"] if x["layer"] == layer and x["placement"] == placement)
            cells.append(f"{r['loveMinusHateShift']:+.2f} / {r['hateMinusLoveShift']:+.2f}")
        lines.append(f"  | {layer} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def write_model_card(card: dict, tok: Tokenizer) -> None:
    """Replace the generated evaluation section of MODEL_CARD.md (between the markers)."""
    path = HERE / "MODEL_CARD.md"
    text = path.read_text()
    start, end = "<!-- eval:start -->", "<!-- eval:end -->"
    m = card["metrics"]
    tr = card["training"]
    dla = m["ioiHeads"]["directLogitAttribution"]
    movers = ", ".join(f"{h} ({dla[h]})" for h in m["ioiHeads"]["nameMovers"])
    negative = ", ".join(f"{h} ({dla[h]})" for h in m["ioiHeads"]["negativeNameMovers"])
    lines = [
        start,
        f"Training: {tr['steps']} steps in {len(tr['stages'] or [1])} stages, {tr['tokensSeen']:,} "
        f"tokens, {tr['trainSeconds']} s (stages: {tr['stageSeconds']} s) on 2 shared CPU threads "
        f"(model seed {tr['seed']}). Vocabulary: {len(tok)} tokens.",
        "",
        "| target | value | threshold | met |",
        "| --- | --- | --- | --- |",
    ]
    for t in card["targets"]:
        lines.append(f"| {t['metric']} | {t['value']} | {t['target']} | {'yes' if t['met'] else 'NO'} |")
    lines += [
        "",
        "All numbers:",
        "",
        f"- IOI ({m['ioi']['prompts']} prompts): accuracy {m['ioi']['accuracy']}, mean logit diff "
        f"{m['ioi']['meanLogitDiff']} (ABBA {m['ioi']['meanLogitDiffABBA']}, BABA "
        f"{m['ioi']['meanLogitDiffBABA']}), top-1 {m['ioi']['top1']}.",
        f"- Greater-than ({m['greaterThan']['prompts']} prompts): valid-year mass "
        f"{m['greaterThan']['validMass']}, probability difference {m['greaterThan']['probDiff']}, "
        f"mass on two-digit tokens {m['greaterThan']['twoDigitMass']}.",
        f"- Facts, held-out template combinations ({m['facts']['prompts']} prompts): top-1 "
        f"{m['facts']['top1']} (athletes {m['facts']['top1_athlete']}, cities "
        f"{m['facts']['top1_city']}), among candidates {m['facts']['choiceAccuracy']}.",
        f"- Facts, a template never used in training ({m['factsUnseenTemplate']['prompts']} prompts): "
        f"top-1 {m['factsUnseenTemplate']['top1']}, among candidates "
        f"{m['factsUnseenTemplate']['choiceAccuracy']}.",
        f"- Induction ({m['induction']['sequences']} sequences of {m['induction']['length']} random "
        f"words, repeated): loss {m['induction']['firstRepeatLoss']} on the first copy, "
        f"{m['induction']['secondRepeatLoss']} on the second.",
        f"- Sentiment ({m['sentiment']['prompts']} held-out prompts): accuracy "
        f"{m['sentiment']['accuracy']}, mean signed log p(pos)/p(neg) "
        f"{m['sentiment']['meanSignedLogRatio']}.",
        *steering_lines(m["steering"]),
        f"- IOI heads by direct logit attribution to logit(IO) - logit(S) (mean over the IOI "
        f"prompts): name movers {movers or 'none'}; negative name movers {negative or 'none'}.",
        end,
    ]
    if start in text and end in text:
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end) :]
        text = before + "\n".join(lines) + after
    else:
        text = text.rstrip() + "\n\n" + "\n".join(lines) + "\n"
    path.write_text(text)


if __name__ == "__main__":
    main()
