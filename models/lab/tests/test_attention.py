"""models/lab/attention.py: the one attention implementation the model, export and backward share."""

import math
import unittest

import torch

from models.lab.attention import (
    MASKED_SCORE,
    attend,
    attend_backward,
    causal_attention,
    project_flat,
    project_per_head,
)
from models.lab.export import onnx_friendly
from models.lab.model import Config, HookedTransformer

B, T, C, NH, HS = 3, 7, 24, 4, 6


def small_model() -> HookedTransformer:
    cfg = Config(n_layers=1, d_model=C, n_heads=NH, d_head=HS, d_vocab=30, n_ctx=16,
                 init_std=0.3, seed=5)
    model = HookedTransformer(cfg).double().eval()
    with torch.no_grad():  # non-zero biases, so that a bias in the wrong place shows
        for name, p in model.named_parameters():
            if name.split(".")[-1].startswith("b_"):
                p.copy_(torch.randn(p.shape, generator=torch.Generator().manual_seed(1)) * 0.5)
    return model


def textbook_attention(attn, x: torch.Tensor) -> torch.Tensor:
    """Causal multi-head attention written head by head with einsum, as in the papers: each
    head h attends with softmax(q k^T / sqrt(d_head)) over positions <= its own."""
    out = attn.b_O.expand(x.shape[0], x.shape[1], -1).clone()
    allowed = torch.ones(x.shape[1], x.shape[1], dtype=torch.bool).tril()
    for h in range(attn.W_Q.shape[0]):
        q = torch.einsum("btc,cd->btd", x, attn.W_Q[h]) + attn.b_Q[h]
        k = torch.einsum("btc,cd->btd", x, attn.W_K[h]) + attn.b_K[h]
        v = torch.einsum("btc,cd->btd", x, attn.W_V[h]) + attn.b_V[h]
        scores = torch.einsum("bqd,bkd->bqk", q, k) / math.sqrt(q.shape[-1])
        pattern = scores.masked_fill(~allowed, float("-inf")).softmax(-1)
        out = out + torch.einsum("bqk,bkd->bqd", pattern, v) @ attn.W_O[h]
    return out


class SharedAttentionTest(unittest.TestCase):
    def setUp(self) -> None:
        self.model = small_model()
        self.attn = self.model.blocks[0].attn
        self.x = torch.randn(B, T, C, generator=torch.Generator().manual_seed(2), dtype=torch.float64)

    def test_matches_the_textbook_formula(self) -> None:
        expected = textbook_attention(self.attn, self.x)
        torch.testing.assert_close(causal_attention(self.attn, self.x), expected)

    def test_the_model_layer_runs_the_shared_function(self) -> None:
        torch.testing.assert_close(self.attn(self.x), textbook_attention(self.attn, self.x))

    def test_the_export_projection_equals_the_per_head_one(self) -> None:
        for W, b in ((self.attn.W_Q, self.attn.b_Q), (self.attn.W_V, self.attn.b_V)):
            per_head = project_per_head(self.x, W, b)
            self.assertEqual(tuple(per_head.shape), (B, T, NH, HS))
            torch.testing.assert_close(project_flat(self.x, W, b), per_head)
        with onnx_friendly(self.model):
            self.assertIs(self.attn.project, project_flat)
            torch.testing.assert_close(self.attn(self.x), textbook_attention(self.attn, self.x))
        self.assertIs(self.attn.project, project_per_head)

    def test_a_prefix_past_gives_the_later_positions_of_the_full_run(self) -> None:
        n_prefix = 3
        cache: dict = {}
        with self.model.hooks(cache=cache):
            full = self.attn(self.x)
        k = cache["blocks.0.attn.hook_k"].transpose(1, 2)[:, :, :n_prefix]  # (B, nh, prefix, hs)
        v = cache["blocks.0.attn.hook_v"].transpose(1, 2)[:, :, :n_prefix]
        suffix = causal_attention(self.attn, self.x[:, n_prefix:], past=(k, v))
        torch.testing.assert_close(suffix, full[:, n_prefix:])

    def test_future_positions_get_exactly_zero_weight(self) -> None:
        q, k, v = (torch.randn(B, NH, T, HS, dtype=torch.float64) for _ in range(3))
        future = torch.ones(T, T, dtype=torch.bool).triu(1)
        scores, pattern, z = attend(q, k, v, 0.5, future)
        self.assertTrue(bool((scores[..., future] == MASKED_SCORE).all()))
        self.assertTrue(bool((pattern[..., future] == 0).all()))
        self.assertEqual(tuple(z.shape), (B, NH, T, HS))

    def test_the_hand_written_backward_matches_autograd(self) -> None:
        gen = torch.Generator().manual_seed(3)
        q, k, v = (torch.randn(B, NH, T, HS, generator=gen, dtype=torch.float64).requires_grad_()
                   for _ in range(3))
        future = torch.ones(T, T, dtype=torch.bool).triu(1)
        d_z = torch.randn(B, NH, T, HS, generator=gen, dtype=torch.float64)
        captured = {}

        def keep_pattern(p: torch.Tensor) -> torch.Tensor:
            p.retain_grad()
            captured["pattern"] = p
            return p

        _, pattern, z = attend(q, k, v, 0.4, future, hook_pattern=keep_pattern)
        (z * d_z).sum().backward()
        d_pattern, d_q, d_k, d_v = attend_backward(d_z, q, k, v, pattern.detach(), 0.4)
        torch.testing.assert_close(d_pattern, captured["pattern"].grad)
        torch.testing.assert_close(d_q, q.grad)
        torch.testing.assert_close(d_k, k.grad)
        torch.testing.assert_close(d_v, v.grad)


if __name__ == "__main__":
    unittest.main()
