"""The three shipped SAE kinds (ReLU + L1, TopK, Gated): encoders exactly as the page computes
them, their training losses, and the metrics written to saes.json.

Shapes: x [N, d_in]; W_enc [d_in, d_sae]; b_enc [d_sae]; W_dec [d_sae, d_in]; b_dec [d_in];
gated adds r_mag [d_sae], b_mag [d_sae]. See models/tiny-lm-saes/FORMAT.md ("Semantics", "Metrics").
"""

from __future__ import annotations

import math
import time
from typing import Callable, Dict, List, Optional

import torch
import torch.nn.functional as F

from models.lab.model import HookedTransformer, Intervention

TENSOR_ORDER = {
    "relu": ["W_enc", "b_enc", "W_dec", "b_dec"],
    "topk": ["W_enc", "b_enc", "W_dec", "b_dec"],
    "gated": ["W_enc", "b_enc", "W_dec", "b_dec", "r_mag", "b_mag"],
}


# ---------------------------------------------------------------------------------------------
# Encoders (the page's semantics)


def topk_mask(z: torch.Tensor, k: int) -> torch.Tensor:
    """Boolean mask of the k largest entries per row; ties go to the lower index.

    A stable descending sort keeps equal values in index order, so the first k sorted positions
    are the k largest with ties resolved towards the lower index."""
    idx = torch.sort(z, dim=-1, descending=True, stable=True).indices[..., :k]
    mask = torch.zeros_like(z, dtype=torch.bool)
    mask.scatter_(-1, idx, True)
    return mask


def encode(kind: str, p: Dict[str, torch.Tensor], x: torch.Tensor, k: Optional[int] = None) -> torch.Tensor:
    x_c = x - p["b_dec"]
    pre = x_c @ p["W_enc"] + p["b_enc"]
    if kind == "relu":
        return torch.relu(pre)
    if kind == "topk":
        return torch.relu(pre * topk_mask(pre, k))
    if kind == "gated":
        mag = torch.relu(x_c @ (p["W_enc"] * torch.exp(p["r_mag"])[None, :]) + p["b_mag"])
        return (pre > 0).to(x.dtype) * mag
    raise ValueError(kind)


def decode(p: Dict[str, torch.Tensor], f: torch.Tensor) -> torch.Tensor:
    return f @ p["W_dec"] + p["b_dec"]


# ---------------------------------------------------------------------------------------------
# Metrics


@torch.no_grad()
def metrics(
    kind: str,
    p: Dict[str, torch.Tensor],
    model: HookedTransformer,
    tokens: torch.Tensor,
    hook: str,
    bos: int,
    k: Optional[int] = None,
) -> Dict[str, float]:
    """saes.json metrics on ``tokens`` [rows, length] (token positions = tokens != bos)."""
    _, cache = model.run_with_cache(tokens, names_filter=lambda n: n == hook)
    acts = cache[hook]  # [rows, length, d_in]
    pos = tokens != bos  # [rows, length]
    x = acts[pos]  # [N, d_in]
    f = encode(kind, p, x, k)
    x_hat = decode(p, f)
    fired = f > 0
    d_sae = f.shape[1]
    out = {
        "l0": float(fired.sum(1).double().mean()),
        "fvu": float(((x - x_hat).double() ** 2).sum() / ((x - x.mean(0)).double() ** 2).sum()),
    }

    def ce(value: Optional[torch.Tensor]) -> float:
        if value is None:
            logits = model(tokens)
        else:
            mask = pos[..., None].to(acts.dtype)
            logits = model.run_with_interventions(tokens, {hook: Intervention(mask, value)})
        lp = F.log_softmax(logits[:, :-1].double(), dim=-1)
        return float(-lp.gather(-1, tokens[:, 1:, None]).mean())

    spliced = torch.zeros_like(acts)
    spliced[pos] = x_hat
    out["ce_clean"] = ce(None)
    out["ce_spliced"] = ce(spliced)
    out["ce_zero"] = ce(torch.zeros_like(acts))
    out["loss_recovered"] = (out["ce_zero"] - out["ce_spliced"]) / (out["ce_zero"] - out["ce_clean"])
    dead = int((fired.sum(0) == 0).sum())
    out["dead"] = dead
    out["dead_fraction"] = dead / d_sae
    if kind == "topk":
        out["exactly_k_fraction"] = float((fired.sum(1) == k).double().mean())
    return out


# ---------------------------------------------------------------------------------------------
# Training


def init_params(kind: str, d_in: int, d_sae: int, x: torch.Tensor, seed: int) -> Dict[str, torch.Tensor]:
    """Decoder rows random unit vectors, encoder = decoder transpose (scaled for TopK/Gated so
    that initial pre-activations are O(1)), b_dec = the data's geometric-median stand-in: mean."""
    g = torch.Generator().manual_seed(seed)
    W_dec = torch.randn(d_sae, d_in, generator=g)
    W_dec = W_dec / W_dec.norm(dim=1, keepdim=True)
    p = {
        "W_enc": W_dec.t().contiguous().clone(),
        "b_enc": torch.zeros(d_sae),
        "W_dec": W_dec.clone(),
        "b_dec": x.mean(0).clone(),
    }
    if kind == "gated":
        p["r_mag"] = torch.zeros(d_sae)
        p["b_mag"] = torch.zeros(d_sae)
    return {n: t.requires_grad_(True) for n, t in p.items()}


def remove_parallel_grad(W_dec: torch.Tensor) -> None:
    """For unit-norm decoder rows: drop the gradient component along each row (Bricken et al.)."""
    if W_dec.grad is not None:
        W_dec.grad -= (W_dec.grad * W_dec.data).sum(1, keepdim=True) * W_dec.data


@torch.no_grad()
def renorm_rows(W_dec: torch.Tensor) -> None:
    W_dec.data /= W_dec.data.norm(dim=1, keepdim=True).clamp_min(1e-8)


def loss_relu(p, x, cfg, state):
    f = encode("relu", p, x)
    x_hat = decode(p, f)
    mse = ((x_hat - x) ** 2).sum(1).mean()
    sparsity = f.sum(1).mean()
    return mse + cfg["l1"] * sparsity, mse, f


def loss_topk(p, x, cfg, state):
    """TopK reconstruction + AuxK (Gao et al. 2024): the top ``aux_k`` pre-activations among
    features dead for ``dead_tokens`` tokens reconstruct the residual x - x_hat; coefficient
    ``aux_coef``; the AuxK term is divided by the residual's variance-like scale as in the paper
    (normalised MSE)."""
    k = cfg["k"]
    x_c = x - p["b_dec"]
    pre = x_c @ p["W_enc"] + p["b_enc"]
    # torch.topk is much faster than the stable sort in topk_mask; exact ties between float
    # pre-activations do not occur in training, so the choice is the same.
    vals, idx = pre.topk(k, dim=-1)
    f = torch.zeros_like(pre).scatter(-1, idx, torch.relu(vals))
    x_hat = decode(p, f)
    err = x - x_hat
    mse = (err**2).sum(1).mean()
    loss = mse
    dead = state["since_fired"] >= cfg["dead_tokens"]
    n_dead = int(dead.sum())
    if n_dead > 0 and cfg["aux_coef"] > 0:
        k_aux = min(cfg["aux_k"], n_dead)
        pre_dead = pre.masked_fill(~dead[None, :], float("-inf"))
        vals, idx = pre_dead.topk(k_aux, dim=-1)
        f_aux = torch.zeros_like(pre).scatter(-1, idx, torch.relu(vals))
        e_hat = f_aux @ p["W_dec"]
        target = err.detach()
        aux = ((e_hat - target) ** 2).sum(1).mean() / (target - target.mean(0)).pow(2).sum(1).mean()
        aux = torch.nan_to_num(aux, nan=0.0)
        loss = loss + cfg["aux_coef"] * aux
    return loss, mse, f


def loss_gated(p, x, cfg, state):
    """Gated SAE loss (Rajamanoharan et al. 2024, eq. 7/8):
        L = ||x - x_hat(f)||^2                                    reconstruction through gate * mag
          + l1 * sum_j ReLU(pi_gate)_j * ||W_dec[j]||              sparsity on the gate path
          + ||x - (ReLU(pi_gate) @ W_dec_frozen + b_dec_frozen)||^2  auxiliary, decoder detached
    The Heaviside gate passes no gradient; the gate weights learn from the last two terms and,
    through the shared W_enc (W_mag = W_enc * exp(r_mag)), from the first."""
    x_c = x - p["b_dec"]
    pi = x_c @ p["W_enc"] + p["b_enc"]
    mag = torch.relu(x_c @ (p["W_enc"] * torch.exp(p["r_mag"])[None, :]) + p["b_mag"])
    f = (pi > 0).to(x.dtype) * mag
    x_hat = f @ p["W_dec"] + p["b_dec"]
    mse = ((x_hat - x) ** 2).sum(1).mean()
    gate = torch.relu(pi)
    dec_norm = p["W_dec"].norm(dim=1)
    sparsity = (gate * dec_norm[None, :]).sum(1).mean()
    x_aux = gate @ p["W_dec"].detach() + p["b_dec"].detach()
    aux = ((x_aux - x) ** 2).sum(1).mean()
    return mse + cfg["l1"] * sparsity + aux, mse, f


LOSSES: Dict[str, Callable] = {"relu": loss_relu, "topk": loss_topk, "gated": loss_gated}


def lr_at(step: int, cfg: Dict) -> float:
    """Constant after a short warm-up, linear decay to 0 over the last ``decay_frac`` of steps."""
    total, lr = cfg["steps"], cfg["lr"]
    warm = cfg.get("warmup", 50)
    if step < warm:
        return lr * (step + 1) / warm
    start = int(total * (1 - cfg.get("decay_frac", 0.2)))
    if step >= start:
        return lr * (total - step) / max(1, total - start)
    return lr


@torch.no_grad()
def resample_dead(p, opt, x, dead: torch.Tensor, kind: str, g: torch.Generator) -> int:
    """Re-initialise dead features (relu, gated) towards inputs the SAE reconstructs badly
    (Bricken et al. 2023, simplified): decoder row = normalised residual of a sampled
    high-loss input, encoder column = 0.2 x that direction x mean alive encoder norm, biases 0,
    Adam moments of those entries zeroed."""
    idx = dead.nonzero().flatten()
    n = idx.numel()
    if n == 0:
        return 0
    f = encode(kind, p, x)
    err = x - decode(p, f)
    w = (err**2).sum(1)
    pick = torch.multinomial(w / w.sum(), n, replacement=n > x.shape[0], generator=g)
    dirs = err[pick]
    dirs = dirs / dirs.norm(dim=1, keepdim=True).clamp_min(1e-8)
    alive = ~dead
    enc_norm = p["W_enc"][:, alive].norm(dim=0).mean() if alive.any() else torch.tensor(1.0)
    p["W_dec"][idx] = dirs
    p["W_enc"][:, idx] = (0.2 * enc_norm * dirs).t()
    p["b_enc"][idx] = 0.0
    if kind == "gated":
        p["r_mag"][idx] = 0.0
        p["b_mag"][idx] = 0.0
    for name, t in p.items():
        st = opt.state.get(t)
        if not st:
            continue
        for key in ("exp_avg", "exp_avg_sq"):
            if name == "W_enc":
                st[key][:, idx] = 0.0
            elif name in ("W_dec", "b_enc", "r_mag", "b_mag"):
                st[key][idx] = 0.0
    return n


def train(kind: str, x: torch.Tensor, cfg: Dict, log: Callable[[str], None] = print) -> Dict:
    """Train one SAE on activations x [N, d_in] (already shuffled). Returns params + a log."""
    torch.manual_seed(cfg["seed"])
    g = torch.Generator().manual_seed(cfg["seed"])
    d_in = x.shape[1]
    p = init_params(kind, d_in, cfg["d_sae"], x, cfg["seed"])
    if kind in ("topk", "gated"):
        # Smaller encoder at the start so that the first TopK / gate choices are not saturated.
        with torch.no_grad():
            p["W_enc"].mul_(cfg.get("enc_init_scale", 1.0))
    opt = torch.optim.Adam(list(p.values()), lr=cfg["lr"], betas=(0.9, 0.999))
    unit_norm = kind in ("relu", "topk") or cfg.get("unit_norm", False)
    state = {"since_fired": torch.zeros(cfg["d_sae"], dtype=torch.long)}
    fired_window = torch.zeros(cfg["d_sae"], dtype=torch.long)
    N, B = x.shape[0], cfg["batch"]
    perm = torch.randperm(N, generator=g)
    pos = 0
    history = []
    resampled = 0
    t0 = time.time()
    for step in range(cfg["steps"]):
        if pos + B > N:
            perm = torch.randperm(N, generator=g)
            pos = 0
        xb = x[perm[pos : pos + B]]
        pos += B
        for group in opt.param_groups:
            group["lr"] = lr_at(step, cfg)
        loss, mse, f = LOSSES[kind](p, xb, cfg, state)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if unit_norm:
            remove_parallel_grad(p["W_dec"])
        opt.step()
        if unit_norm:
            renorm_rows(p["W_dec"])
        with torch.no_grad():
            fired = (f > 0).any(0)
            state["since_fired"] += B
            state["since_fired"][fired] = 0
            fired_window |= fired.long().bool().long()
        every = cfg.get("resample_every", 0)
        if every and kind != "topk" and (step + 1) % every == 0 and step + 1 <= cfg.get("resample_until", 0):
            dead = fired_window == 0
            n = resample_dead(p, opt, x[perm[:8192]], dead, kind, g)
            resampled += n
            fired_window.zero_()
            if n:
                log(f"[{kind}] step {step + 1}: resampled {n} dead features")
        elif every and (step + 1) % every == 0:
            fired_window.zero_()
        if step % 200 == 0 or step == cfg["steps"] - 1:
            with torch.no_grad():
                var = ((xb - xb.mean(0)) ** 2).sum(1).mean()
                l0 = float((f > 0).float().sum(1).mean())
            dead_now = int((state["since_fired"] >= cfg.get("dead_tokens", 100_000)).sum())
            rec = {
                "step": step,
                "loss": round(float(loss), 5),
                "fvu_batch": round(float(mse / var), 5),
                "l0_batch": round(l0, 2),
                "dead_tokens_window": dead_now,
                "seconds": round(time.time() - t0, 1),
            }
            history.append(rec)
            log(f"[{kind}] {rec}")
    params = {n: t.detach().clone() for n, t in p.items()}
    return {"params": params, "history": history, "seconds": time.time() - t0, "resampled": resampled}


def nonfinite(p: Dict[str, torch.Tensor]) -> List[str]:
    return [n for n, t in p.items() if not torch.isfinite(t).all()]


__all__ = ["encode", "decode", "metrics", "train", "topk_mask", "TENSOR_ORDER", "math"]
