"""Writes models/tiny-lm-saes/MODEL_CARD.md from public/models/tiny-lm-saes/saes.json and
models/tiny-lm-saes/train_log.json (train.py calls this at the end; it can also be run alone):

    /usr/bin/python3 models/tiny-lm-saes/card.py
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
INDEX = ROOT / "public" / "models" / "tiny-lm-saes" / "saes.json"
LOG = HERE / "train_log.json"
CARD = HERE / "MODEL_CARD.md"


def fmt(v, digits=3):
    return f"{v:.{digits}f}"


def render(index: dict, log: dict) -> str:
    data = index["data"]
    rows = []
    for s in index["saes"]:
        m, t = s["metrics"], s["training"]
        sparsity = f"k = {s['k']}" if s["kind"] == "topk" else f"λ = {s['l1']}"
        rows.append(
            f"| {s['label']} | {sparsity} | {fmt(m['l0'], 1)} | {fmt(m['fvu'])} | {fmt(m['ce_spliced'])} "
            f"| {fmt(m['loss_recovered'])} | {m['dead']} ({100 * m['dead_fraction']:.1f}%) "
            f"| {t.get('dead_on_training_activations', '–')} | {t['steps']} × {t['batch']} "
            f"| {t.get('seconds', 0):.0f} s |"
        )
    first = index["saes"][0]["metrics"] if index["saes"] else {}
    topk = next((s for s in index["saes"] if s["kind"] == "topk"), None)
    rec, ref = index["train_step"]["recommended"], index["train_step"]["reference"]
    cfgs = {k: log.get(k, {}).get("config", {}) for k in ("relu", "topk", "gated")}
    ce_line = (
        f"On the evaluation tokens tiny-lm's own loss is {fmt(first['ce_clean'])} nats per token; "
        f"zeroing the hook at every token position raises it to {fmt(first['ce_zero'])}."
        if first
        else ""
    )
    fraction = topk["metrics"]["exactly_k_fraction"] if topk else None
    exactly = (
        ""
        if fraction is None
        else "TopK: every evaluation position has exactly k active features (exactly_k_fraction = 1). "
        "The ReLU after the selection does not guarantee it: a position whose k-th largest "
        "pre-activation is ≤ 0 would have fewer."
        if fraction == 1
        else f"TopK: {100 * fraction:.2f}% of evaluation positions have exactly k active features "
        "(exactly_k_fraction); at the others some of the k largest pre-activations are ≤ 0, and "
        "the ReLU after the selection zeroes them."
    )
    relu, tk, gated = cfgs["relu"], cfgs["topk"], cfgs["gated"]
    return f"""# tiny-lm SAEs — model card

Three sparse autoencoders (SAEs) with 1024 features each, trained on one activation site of
tiny-lm (models/tiny-lm/), for the "SAE lab" widget. They share the site, the data and the
evaluation; they differ in how the encoder decides which features are on: a ReLU with an L1
penalty, a hard top-k, and a gate separate from the magnitude. The page reads
`public/models/tiny-lm-saes/saes.json` first; the file formats and the exact encoder semantics
are in `FORMAT.md` (see also `sae_lib.encode`).

## Site

`{index['hook']}` of tiny-lm (final weights, `models/tiny-lm/checkpoints/final.pt`): the residual
stream after the second of four blocks, d_in = {index['d_in']}. Activations at `<bos>` positions
(token id {index['bos']}, which starts every row and also separates documents) are never used for
training or metrics, and splicing leaves them untouched: the row-start `<bos>` activation is the
same in every row, and the SAE has nothing to learn from it.

## Data

All token windows come from `models/tiny-lm/data.py` (`make_windows`) with the task mix of
tiny-lm's last training stage (IOI 30%, years 10%, athletes 10%, cities 10%, sentiment 10%,
repeated random words 15%, news 7.5%, story 7.5%), but with data seeds that no training stage
(1, 3, 4) or evaluation set (7, 8, 9, 12) of tiny-lm uses:

| use | seed | what |
| --- | --- | --- |
| SAE training activations | {data['harvest_seed']} | {data['harvest_positions']:,} non-`<bos>` positions from 64-token windows, shuffled (seeded) |
| `eval-tokens.json` | {data['eval_seed']} | {index['eval']['sequences']} rows × {index['eval']['length']} tokens; every metric below |
| `train-tokens.json` | {data['train_seed']} | {index['train']['sequences']} rows × {index['train']['length']} tokens; the page's own training set |

## Architectures and losses

Common to all three: x_c = x − b_dec, decoder x̂ = f W_dec + b_dec, W_enc [128, 1024],
W_dec [1024, 128]. Initialisation: decoder rows random unit vectors, W_enc = W_dec^T, b_enc = 0,
b_dec = the mean training activation. Adam (β 0.9 / 0.999), learning-rate warm-up over 50 steps,
constant, then linear decay to 0 over the last 20% of steps. Batches are drawn without
replacement from a fresh seeded permutation of the 300k activations each epoch.

**ReLU + L1.** f = ReLU(x_c W_enc + b_enc). Loss = mean ‖x − x̂‖² + λ · mean Σ_j f_j, with the
decoder rows held at unit norm (after every step each row is renormalised and the gradient's
component along the row is removed first), so the L1 penalty cannot be dodged by shrinking f
and growing W_dec. λ = {relu.get('l1')}, lr {relu.get('lr')}, batch {relu.get('batch')}, {relu.get('steps')} steps.
Dead-feature resampling every {relu.get('resample_every')} steps up to step {relu.get('resample_until')}:
a feature that did not fire once in the last window gets the (normalised) residual x − x̂ of an
input drawn with probability ∝ its squared error as decoder row, 0.2 × that direction × the mean
live encoder norm as encoder column, zero bias, and zeroed Adam moments.

**TopK** (Gao et al. 2024). z = x_c W_enc + b_enc; the k = {tk.get('k')} largest entries are kept (ties
to the lower index), the rest zeroed, then ReLU. There is no sparsity penalty: L0 ≤ k by
construction. Loss = mean ‖x − x̂‖² + {tk.get('aux_coef', 0):.5g} · AuxK, where AuxK is the squared
error of reconstructing the residual x − x̂ (treated as a constant) from the top {tk.get('aux_k')}
pre-activations among features that have not fired for {tk.get('dead_tokens', 0):,} training tokens,
divided by the residual's variance. Decoder rows at unit norm as for ReLU. lr {tk.get('lr')},
batch {tk.get('batch')}, {tk.get('steps')} steps. The AuxK term is what keeps features from dying; no resampling.
k = 16 was kept (other values of k were not tried): at k = 16 the TopK SAE already recovers
almost all of the loss, and a small L0 keeps the widget's per-token feature lists short.

**Gated** (Rajamanoharan et al. 2024). Gate π = x_c W_enc + b_enc; magnitude
m = ReLU(x_c (W_enc ⊙ exp(r_mag)) + b_mag) — the magnitude path shares the gate's weights up to
a per-feature scale exp(r_mag); f = 1[π > 0] ⊙ m. Loss, following the paper:

    L = ‖x − x̂(f)‖²  +  λ Σ_j ReLU(π_j) ‖W_dec[j]‖  +  ‖x − (ReLU(π) W_dec' + b_dec')‖²

where W_dec', b_dec' are stop-gradient copies of the decoder (the auxiliary term trains the gate
to reconstruct on its own, without moving the decoder). The Heaviside step passes no gradient,
so the gate learns from the last two terms and, through the shared W_enc, from the magnitude
path. Decoder rows are held at unit norm as for ReLU: in trial runs without that constraint
(λ 0.8 and 2) L0 kept climbing during training, to about 450 and 210 at the end, while with unit
rows it settled at 13–15. With unit rows the ‖W_dec[j]‖ factor is 1; it stays in the code so
that the loss reads as in the paper and still applies if the constraint is switched off. The encoder starts at 0.1 × W_dec^T
so that the magnitudes of the ~512 features that pass the gate at step 0 do not blow up the
first reconstruction. λ = {gated.get('l1')}, lr {gated.get('lr')}, batch {gated.get('batch')}, {gated.get('steps')} steps,
resampling as for ReLU (every {gated.get('resample_every')} steps up to step {gated.get('resample_until')}; r_mag and b_mag reset to 0).

## Metrics

Computed by `sae_lib.metrics` on `eval-tokens.json` from the shipped `.bin` files (float32), as
the spec defines them: token positions are the non-`<bos>` positions; L0 = mean number of
non-zero features; FVU = Σ‖x − x̂‖² / Σ‖x − x̄‖²; CE = mean next-token cross-entropy over every row
and position but the last, with the hook value replaced by x̂ (spliced) or by 0 (zero) at token
positions; loss recovered = (CE_zero − CE_spliced) / (CE_zero − CE_clean). "Dead (eval)" counts
features that never fire on the {index['eval']['sequences']} × {index['eval']['length']} evaluation tokens
(~3.9k positions, so rare features count as dead too); "dead (train)" counts features that never
fire on the 300k training activations. {ce_line}

| SAE | sparsity | L0 | FVU | CE spliced | loss recovered | dead (eval) | dead (train) | steps × batch | training time |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}

{exactly}

Training times are wall-clock on the two shared CPU cores of the build machine, PyTorch 1.13,
2 threads, while other jobs were running (load average 2–11), so they vary: a TopK step took
34 ms in a quiet moment and 89 ms under load.

Schedules that were tried and not shipped (same data, seeds and metrics): ReLU with 3000 steps
reached L0 33.3, FVU 0.082, loss recovered 0.962; TopK with 6000 steps reached FVU 0.037, loss
recovered 0.990, but on 2 of the evaluation positions only 15 of its 16 largest pre-activations were
positive, so those tokens had 15 active features: the shipped TopK is the 2500-step run, on which
every evaluation position has exactly k active, which is what the widget shows; Gated with 6000 steps and resampling until step 4000 ended at L0 9.3, FVU 0.058, loss
recovered 0.978 with more dead features (66 on the evaluation tokens, 46 on the training
activations), so the shipped Gated SAE is the 2500-step one.

## In-page training

`sae-train-step.onnx` is one Adam step of a ReLU + L1 SAE with hand-written gradients
(`sae_step.py`, opset 17, dynamic batch B and feature count S); after the update every decoder
row is divided by its norm. Unlike the shipped ReLU SAE there is no gradient projection and no
resampling. The page starts from W_dec rows random unit vectors, W_enc = W_dec^T, b_enc = 0,
b_dec = mean of the training activations. Recommended default: d_sae {rec['d_sae']}, batch {rec['batch']},
lr {rec['lr']}, λ {rec['l1']}, {rec['steps']} steps; the same step function in PyTorch from that
initialisation (seed {rec['seed']}) reaches FVU {ref['fvu']} and L0 {ref['l0']} on the
activations of `train-tokens.json`. Parity fixture: `tests/fixtures/models/tiny-lm-saes/train-step.json`
(d_in 128, S 32, B 16, three chained steps); `verify_step.mjs` runs the graph in onnxruntime-web
(Node) against it.

## Files (public/models/tiny-lm-saes/)

`saes.json` (index: sha256 and bytes of every file, tensor names/shapes/byte offsets, metrics,
training settings), `relu.bin`, `topk.bin`, `gated.bin` (float32 little-endian W_enc, b_enc, W_dec,
b_dec, and for gated r_mag, b_mag), `unembed.bin` (ln_final.w[:, None] · W_U, [128, 640], for
features' logit weights), `eval-tokens.json`, `train-tokens.json`, `sae-train-step.onnx`.

## Reproduce

From the repository root (15–25 minutes on two shared cores, depending on load):

```sh
/usr/bin/python3 models/tiny-lm-saes/train.py                  # everything above
/usr/bin/python3 models/tiny-lm-saes/train.py --skip-saes      # graph, fixture, tokens only (~10 s)
/usr/bin/python3 -m unittest discover -s models/tiny-lm-saes/tests -t .
npx node models/tiny-lm-saes/verify_step.mjs                    # ONNX step vs the fixture
```

Everything is seeded (data seeds above, SAE seeds {relu.get('seed')}/{tk.get('seed')}/{gated.get('seed')}); reruns on the same
machine give the same files, other BLAS builds may differ in the last bits.

## Limitations

- A small model on a synthetic corpus: the features are features of this corpus (names, years,
  templates, random repeated words), not of natural text.
- The evaluation set is small (~3.9k positions), so "dead" on it includes rare features; the
  training-set count is the better measure of truly dead features.
- The SAEs see only non-`<bos>` positions; splicing leaves `<bos>` positions untouched.
"""


def main() -> None:
    index = json.loads(INDEX.read_text())
    log = json.loads(LOG.read_text()) if LOG.exists() else {}
    CARD.write_text(render(index, log))


if __name__ == "__main__":
    main()
