"""The suffix forward pass (models/lab/prefix.py) computes what the full forward pass computes."""

import unittest

import torch

from models.lab.model import Config, HookedTransformer, Intervention
from models.lab.prefix import run_suffix

CONFIGS = {
    "lm": Config(n_layers=2, d_model=32, n_heads=4, d_head=8, d_mlp=64, d_vocab=40, n_ctx=16,
                 init_std=0.2, seed=1),
    "attn-only": Config(n_layers=2, d_model=32, n_heads=2, d_head=16, d_vocab=40, n_ctx=16,
                        init_std=0.2, seed=2),
    "no-ln-relu": Config(n_layers=1, d_model=32, n_heads=4, d_head=8, d_mlp=64, d_vocab=40,
                         n_ctx=3, act_fn="relu", normalization=None, init_std=0.2, seed=3),
}


def heads_first(cache, name):
    return cache[name].transpose(1, 2)  # [batch, pos, h, d_head] -> [batch, h, pos, d_head]


class PrefixTest(unittest.TestCase):
    def check(self, model, n_prefix, interventions=None, suffix_interventions=None):
        gen = torch.Generator().manual_seed(0)
        n_pos = model.cfg.n_ctx
        tokens = torch.randint(0, model.cfg.d_vocab, (3, n_pos), generator=gen)
        with torch.no_grad():
            _, cache = model.run_with_cache(tokens[:1])  # the unpatched run of row 0's prompt
            past = [
                (heads_first(cache, f"blocks.{l}.attn.hook_k")[:, :, :n_prefix],
                 heads_first(cache, f"blocks.{l}.attn.hook_v")[:, :, :n_prefix])
                for l in range(model.cfg.n_layers)
            ]
            # Every row shares row 0's prefix; the rest of each row is its own.
            tokens[:, :n_prefix] = tokens[0, :n_prefix]
            full = model.run_with_interventions(tokens, interventions or {})
            suffix = run_suffix(model, tokens[:, n_prefix:], past, suffix_interventions)
        torch.testing.assert_close(suffix, full[:, n_prefix:], atol=1e-5, rtol=0)

    def test_matches_the_full_pass_after_any_prefix(self):
        for name, cfg in CONFIGS.items():
            model = HookedTransformer(cfg).eval()
            for n_prefix in range(1, cfg.n_ctx):
                with self.subTest(model=name, prefix=n_prefix):
                    self.check(model, n_prefix)

    def test_applies_interventions_to_the_suffix_positions(self):
        cfg = CONFIGS["lm"]
        model = HookedTransformer(cfg).eval()
        n_pos, n_prefix = cfg.n_ctx, 5
        value = torch.randn(1, n_pos, cfg.d_model, generator=torch.Generator().manual_seed(1))
        mask = torch.zeros(3, n_pos, 1)
        mask[0, 7] = mask[1, 5] = mask[2, 12] = 1  # one patched position per row, all >= prefix
        head_mask = torch.zeros(3, 1, cfg.n_heads, 1)
        head_mask[1, 0, 2] = 1  # zero-ablate head 2 of row 1 at the suffix positions
        in_suffix = torch.cat([torch.zeros(3, n_prefix, 1, 1), torch.ones(3, n_pos - n_prefix, 1, 1)], 1)
        full = {
            "blocks.1.hook_resid_pre": Intervention(mask, value),
            "blocks.0.attn.hook_z": Intervention(head_mask * in_suffix, torch.zeros(1)),
        }
        suffix = {
            "blocks.1.hook_resid_pre": Intervention(mask[:, n_prefix:], value[:, n_prefix:]),
            "blocks.0.attn.hook_z": Intervention(head_mask, torch.zeros(1)),
        }
        self.check(model, n_prefix, full, suffix)


if __name__ == "__main__":
    unittest.main()
