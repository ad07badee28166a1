"""A small, readable HookedTransformer (TransformerLens names, nanoGPT clarity).

Reads top to bottom: Intervention -> HookPoint -> LayerNorm -> Attention -> MLP ->
Embed/PosEmbed/Unembed -> TransformerBlock -> Config -> HookedTransformer.

Every activation passes through a named ``HookPoint``. The name is derived from the module
tree (``blocks.0.attn.hook_pattern``), never typed by hand, so Python, ONNX and TypeScript
share one vocabulary. At an intervention hook the activation ``h`` becomes

    h' = h + patch_mask * (patch_value - h) + add

and everything downstream (and the cache) sees ``h'`` — the same contract as the exported
ONNX graph (see models/README.md, "Export format").

Import it from the repository root:  ``from models.lab.model import HookedTransformer, Config``
(run scripts as ``/usr/bin/python3 -m models.lab.export ...`` from the root, or insert the root
into ``sys.path`` in scripts that live in ``models/<name>/``).
"""

from __future__ import annotations

import json
import math
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

# Attention's arithmetic (shared with export.py, prefix.py and backward.py) is in attention.py.
from .attention import causal_attention, project_per_head

# INTERVENTION HOOKS. Every intervention hook costs four elementwise ops in the
# exported graph (and three inputs), which dominate a small model's run time in WASM, so only the
# hooks that experiments patch are intervenable: embeddings, every residual stream point, q/k/v
# (path patching into queries/keys/values), pattern, z (per-head ablation), attn_out, mlp
# hook_post (neurons) and mlp_out. LayerNorm outputs, attention scores, per-head results and
# mlp hook_pre are reported (read-only). Patch z instead of result: result[h] = z[h] @ W_O[h].



# ---------------------------------------------------------------------------------------------
# Hook points and interventions


@dataclass
class Intervention:
    """What to do to one hook's activation: h' = h + patch_mask*(patch_value - h) + add.

    Each field is a tensor that broadcasts to the hook's shape, or None (= no effect).
    Zero-ablate: mask 1, value 0. Mean-ablate: mask 1, value = mean. Resample: mask 1,
    value = another run's activation. Steer: add.
    """

    patch_mask: Optional[torch.Tensor] = None
    patch_value: Optional[torch.Tensor] = None
    add: Optional[torch.Tensor] = None

    def apply(self, h: torch.Tensor) -> torch.Tensor:
        if self.patch_mask is not None:
            value = self.patch_value if self.patch_value is not None else torch.zeros_like(h)
            h = h + self.patch_mask * (value - h)
        if self.add is not None:
            h = h + self.add
        return h


HookFn = Callable[[torch.Tensor, str], Optional[torch.Tensor]]


class _HookState:
    """Per-run state shared by all hook points: interventions, cache, Python hook functions."""

    def __init__(
        self,
        interventions: Optional[Dict[str, Intervention]] = None,
        cache: Optional[Dict[str, torch.Tensor]] = None,
        names_filter: Optional[Callable[[str], bool]] = None,
        hook_fns: Optional[Dict[str, List[HookFn]]] = None,
    ):
        self.interventions = interventions or {}
        self.cache = cache
        self.names_filter = names_filter
        self.hook_fns = hook_fns or {}


class HookPoint(nn.Module):
    """Identity that names an activation; applies interventions and records it for the cache."""

    def __init__(self, intervenable: bool = True):
        super().__init__()
        self.name = ""  # filled in by HookedTransformer from the module tree
        self.intervenable = intervenable
        self.state: Optional[_HookState] = None

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        state = self.state
        if state is None:
            return h
        intervention = state.interventions.get(self.name)
        if intervention is not None:
            if not self.intervenable:
                raise ValueError(f"{self.name} is not an intervention hook")
            h = intervention.apply(h)
        for fn in state.hook_fns.get(self.name, ()):
            out = fn(h, self.name)
            if out is not None:
                h = out
        keep = state.names_filter is None or state.names_filter(self.name)
        if state.cache is not None and keep:
            state.cache[self.name] = h
        return h


# ---------------------------------------------------------------------------------------------
# Layers


class LayerNorm(nn.Module):
    """Pre-LN LayerNorm with TransformerLens names (w, b) and a hook on the normalized output."""

    def __init__(self, d_model: int, eps: float = 1e-5):
        super().__init__()
        self.eps = eps
        self.w = nn.Parameter(torch.ones(d_model))
        self.b = nn.Parameter(torch.zeros(d_model))
        self.hook_normalized = HookPoint(intervenable=False)  # [batch, pos, d_model]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x - x.mean(-1, keepdim=True)  # [batch, pos, d_model]
        scale = (x.pow(2).mean(-1, keepdim=True) + self.eps).sqrt()  # [batch, pos, 1]
        return self.hook_normalized(x / scale * self.w + self.b)  # [batch, pos, d_model]


class Attention(nn.Module):
    """Causal multi-head attention with one weight tensor per role, heads as the first axis."""

    def __init__(self, cfg: "Config"):
        super().__init__()
        H, D, E = cfg.n_heads, cfg.d_model, cfg.d_head
        self.W_Q = nn.Parameter(torch.empty(H, D, E))
        self.W_K = nn.Parameter(torch.empty(H, D, E))
        self.W_V = nn.Parameter(torch.empty(H, D, E))
        self.W_O = nn.Parameter(torch.empty(H, E, D))
        self.b_Q = nn.Parameter(torch.zeros(H, E))
        self.b_K = nn.Parameter(torch.zeros(H, E))
        self.b_V = nn.Parameter(torch.zeros(H, E))
        self.b_O = nn.Parameter(torch.zeros(D))
        self.scale = 1.0 / math.sqrt(E)
        future = torch.ones(cfg.n_ctx, cfg.n_ctx, dtype=torch.bool).triu(1)
        self.register_buffer("future_mask", future, persistent=False)  # [n_ctx, n_ctx]
        self.hook_q = HookPoint()  # [batch, pos, n_heads, d_head]
        self.hook_k = HookPoint()  # [batch, pos, n_heads, d_head]
        self.hook_v = HookPoint()  # [batch, pos, n_heads, d_head]
        # Reported but not patchable (see INTERVENTION HOOKS above): patch the pattern / z instead.
        self.hook_attn_scores = HookPoint(intervenable=False)  # [batch, n_heads, q_pos, k_pos]
        self.hook_pattern = HookPoint()  # [batch, n_heads, query_pos, key_pos]
        self.hook_z = HookPoint()  # [batch, pos, n_heads, d_head]
        self.hook_result = HookPoint(intervenable=False)  # [batch, pos, n_heads, d_model]
        self.project = project_per_head  # how x becomes q/k/v (export.py uses project_flat)
        self.past: Optional[Tuple[torch.Tensor, torch.Tensor]] = None  # prefix k, v (prefix.py)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # x: (B, T, C) -> (B, T, C); see attention.py. export.py swaps `project` for one
        # matmul per role, prefix.py sets `past` to a prefix's keys and values.
        return causal_attention(self, x, self.project, self.past)


def gelu_new(x: torch.Tensor) -> torch.Tensor:
    """GPT-2's tanh approximation of GELU (TransformerLens 'gelu_new')."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


ACTIVATIONS: Dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "gelu": F.gelu,  # exact (erf) GELU, as torch and TransformerLens 'gelu'
    "gelu_new": gelu_new,
    "relu": F.relu,
}


class MLP(nn.Module):
    def __init__(self, cfg: "Config"):
        super().__init__()
        assert cfg.d_mlp is not None
        self.W_in = nn.Parameter(torch.empty(cfg.d_model, cfg.d_mlp))
        self.b_in = nn.Parameter(torch.zeros(cfg.d_mlp))
        self.W_out = nn.Parameter(torch.empty(cfg.d_mlp, cfg.d_model))
        self.b_out = nn.Parameter(torch.zeros(cfg.d_model))
        self.act = ACTIVATIONS[cfg.act_fn]
        self.hook_pre = HookPoint(intervenable=False)  # [batch, pos, d_mlp]
        self.hook_post = HookPoint()  # [batch, pos, d_mlp]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pre = self.hook_pre(x @ self.W_in + self.b_in)  # [batch, pos, d_mlp]
        post = self.hook_post(self.act(pre))  # [batch, pos, d_mlp]
        return post @ self.W_out + self.b_out  # [batch, pos, d_model]


class Embed(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.W_E = nn.Parameter(torch.empty(cfg.d_vocab, cfg.d_model))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.W_E[tokens]  # [batch, pos, d_model]


class PosEmbed(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.W_pos = nn.Parameter(torch.empty(cfg.n_ctx, cfg.d_model))

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        n_pos = tokens.shape[1]
        return self.W_pos[:n_pos].unsqueeze(0).expand(tokens.shape[0], -1, -1)  # [b, p, d_model]


class Unembed(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.W_U = nn.Parameter(torch.empty(cfg.d_model, cfg.d_vocab))
        self.b_U = nn.Parameter(torch.zeros(cfg.d_vocab))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.W_U + self.b_U  # [batch, pos, d_vocab]


class TransformerBlock(nn.Module):
    """Pre-LN block. Attention-only blocks (d_mlp None) have no resid_mid:
    resid_post = resid_pre + attn_out."""

    def __init__(self, cfg: "Config"):
        super().__init__()
        self.attn_only = cfg.d_mlp is None
        use_ln = cfg.normalization == "LN"
        self.ln1 = LayerNorm(cfg.d_model, cfg.ln_eps) if use_ln else nn.Identity()
        self.attn = Attention(cfg)
        self.hook_resid_pre = HookPoint()  # [batch, pos, d_model]
        self.hook_attn_out = HookPoint()  # [batch, pos, d_model]
        if not self.attn_only:
            self.ln2 = LayerNorm(cfg.d_model, cfg.ln_eps) if use_ln else nn.Identity()
            self.mlp = MLP(cfg)
            self.hook_resid_mid = HookPoint()  # [batch, pos, d_model]
            self.hook_mlp_out = HookPoint()  # [batch, pos, d_model]
        self.hook_resid_post = HookPoint()  # [batch, pos, d_model]

    def forward(self, resid: torch.Tensor) -> torch.Tensor:
        resid = self.hook_resid_pre(resid)  # [batch, pos, d_model]
        attn_out = self.hook_attn_out(self.attn(self.ln1(resid)))  # [batch, pos, d_model]
        if self.attn_only:
            return self.hook_resid_post(resid + attn_out)
        resid = self.hook_resid_mid(resid + attn_out)  # [batch, pos, d_model]
        mlp_out = self.hook_mlp_out(self.mlp(self.ln2(resid)))  # [batch, pos, d_model]
        return self.hook_resid_post(resid + mlp_out)  # [batch, pos, d_model]


# ---------------------------------------------------------------------------------------------
# Config and model


@dataclass
class Config:
    n_layers: int
    d_model: int
    n_heads: int
    d_head: int
    d_vocab: int
    n_ctx: int
    d_mlp: Optional[int] = None  # None = attention-only
    act_fn: str = "gelu"  # 'gelu' (exact, erf), 'gelu_new' (tanh approx) or 'relu'
    normalization: Optional[str] = "LN"  # 'LN' or None
    ln_eps: float = 1e-5
    init_std: float = 0.02
    seed: int = 0

    def __post_init__(self) -> None:
        if self.act_fn not in ACTIVATIONS:
            raise ValueError(f"act_fn must be one of {sorted(ACTIVATIONS)}, got {self.act_fn!r}")
        if self.normalization not in ("LN", None):
            raise ValueError(f"normalization must be 'LN' or None, got {self.normalization!r}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Config":
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in known})

    @classmethod
    def load(cls, path: str) -> "Config":
        with open(path) as f:
            return cls.from_dict(json.load(f))


class HookedTransformer(nn.Module):
    """GPT-2-style decoder with TransformerLens parameter and hook names.

    forward(tokens) -> logits [batch, pos, d_vocab]
    run_with_cache(tokens, interventions=...) -> (logits, {hook name: activation})
    """

    def __init__(self, cfg: Config):
        super().__init__()
        self.cfg = cfg
        self.embed = Embed(cfg)
        self.pos_embed = PosEmbed(cfg)
        self.hook_embed = HookPoint()  # [batch, pos, d_model]
        self.hook_pos_embed = HookPoint()  # [batch, pos, d_model]
        self.blocks = nn.ModuleList([TransformerBlock(cfg) for _ in range(cfg.n_layers)])
        use_ln = cfg.normalization == "LN"
        self.ln_final = LayerNorm(cfg.d_model, cfg.ln_eps) if use_ln else nn.Identity()
        self.unembed = Unembed(cfg)
        hook_points: Dict[str, HookPoint] = {}
        for name, module in self.named_modules():
            if isinstance(module, HookPoint):
                module.name = name
                hook_points[name] = module
        self.init_weights()
        # Order the hooks as a forward pass visits them (module order differs: ln1 is built
        # before hook_resid_pre), so that hook_names reads like the computation.
        order: List[str] = []
        record = lambda h, name: order.append(name)  # noqa: E731
        with torch.no_grad(), self.hooks(hook_fns={n: [record] for n in hook_points}):
            self(torch.zeros(1, 1, dtype=torch.long))
        self.hook_dict: Dict[str, HookPoint] = {n: hook_points[n] for n in order}

    # -- construction ------------------------------------------------------------------------

    def init_weights(self) -> None:
        """Deterministic GPT-2-like init from cfg.seed: N(0, init_std) weights, zero biases,
        output projections scaled by 1/sqrt(2 n_layers) (nanoGPT); LayerNorm w=1, b=0."""
        gen = torch.Generator().manual_seed(self.cfg.seed)
        std = self.cfg.init_std
        for name, p in self.named_parameters():
            leaf = name.split(".")[-1]
            if leaf.startswith("W_"):
                s = std / math.sqrt(2 * self.cfg.n_layers) if leaf in ("W_O", "W_out") else std
                with torch.no_grad():
                    p.copy_(torch.randn(p.shape, generator=gen) * s)

    @property
    def hook_names(self) -> List[str]:
        """All hook names in execution order."""
        return list(self.hook_dict)

    @property
    def intervention_hook_names(self) -> List[str]:
        """Hooks that accept patch_mask / patch_value / add (see INTERVENTION HOOKS above)."""
        return [n for n, h in self.hook_dict.items() if h.intervenable]

    def hook_shape(self, name: str) -> List[str]:
        """Symbolic shape of a hook, e.g. ['batch', 'pos', 'd_model']."""
        leaf = name.split(".")[-1]
        if leaf in ("hook_attn_scores", "hook_pattern"):
            return ["batch", "n_heads", "query_pos", "key_pos"]
        if leaf in ("hook_q", "hook_k", "hook_v", "hook_z"):
            return ["batch", "pos", "n_heads", "d_head"]
        if leaf == "hook_result":
            return ["batch", "pos", "n_heads", "d_model"]
        if leaf in ("hook_pre", "hook_post"):
            return ["batch", "pos", "d_mlp"]
        return ["batch", "pos", "d_model"]

    # -- running -----------------------------------------------------------------------------

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        # tokens: [batch, pos] int64
        embed = self.hook_embed(self.embed(tokens))  # [batch, pos, d_model]
        pos_embed = self.hook_pos_embed(self.pos_embed(tokens))  # [batch, pos, d_model]
        resid = embed + pos_embed  # [batch, pos, d_model]
        for block in self.blocks:
            resid = block(resid)  # [batch, pos, d_model]
        return self.unembed(self.ln_final(resid))  # [batch, pos, d_vocab]

    @contextmanager
    def hooks(
        self,
        interventions: Optional[Dict[str, Intervention]] = None,
        cache: Optional[Dict[str, torch.Tensor]] = None,
        names_filter: Optional[Callable[[str], bool]] = None,
        hook_fns: Optional[Dict[str, List[HookFn]]] = None,
    ) -> Iterator[None]:
        """Within the block, forward() applies interventions, calls hook_fns(h, name) (a
        returned tensor replaces h) and records activations into ``cache``."""
        hook_points = [m for m in self.modules() if isinstance(m, HookPoint)]
        known = {hp.name for hp in hook_points}
        for name in list(interventions or {}) + list(hook_fns or {}):
            if name not in known:
                raise KeyError(f"unknown hook {name!r}")
        state = _HookState(interventions, cache, names_filter, hook_fns)
        for hp in hook_points:
            hp.state = state
        try:
            yield
        finally:
            for hp in hook_points:
                hp.state = None

    def run_with_cache(
        self,
        tokens: torch.Tensor,
        interventions: Optional[Dict[str, Intervention]] = None,
        names_filter: Optional[Callable[[str], bool]] = None,
    ) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
        """Logits and every hook activation (after interventions), keyed by hook name."""
        cache: Dict[str, torch.Tensor] = {}
        with self.hooks(interventions=interventions, cache=cache, names_filter=names_filter):
            logits = self(tokens)
        return logits, cache

    def run_with_interventions(
        self, tokens: torch.Tensor, interventions: Dict[str, Intervention]
    ) -> torch.Tensor:
        with self.hooks(interventions=interventions):
            return self(tokens)

    # -- persistence -------------------------------------------------------------------------

    def save(self, path: str, **extra) -> None:
        """Checkpoint = {'config': cfg dict, 'state_dict': ..., **extra} (torch.save)."""
        torch.save({"config": self.cfg.to_dict(), "state_dict": self.state_dict(), **extra}, path)

    @classmethod
    def load(cls, path: str) -> "HookedTransformer":
        ckpt = torch.load(path, map_location="cpu")
        model = cls(Config.from_dict(ckpt["config"]))
        model.load_state_dict(ckpt["state_dict"])
        return model
