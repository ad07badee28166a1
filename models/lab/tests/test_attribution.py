"""The attribution graph (models/lab/attribution.py) gives every intervention hook the score that
the full forward + backward pass over both prompts gives it: (a_source - a_target) . dMetric/da,
summed over the hook's last axis, at every position (zero before the first differing token)."""

import unittest

import torch

from models.lab.attribution import AttributionGraph, attribution_layout
from models.lab.backward import GradGraph
from models.lab.model import Config, HookedTransformer

CONFIGS = {
    "mlp, LayerNorm, exact gelu": dict(d_mlp=64, act_fn="gelu"),
    "mlp, LayerNorm, tanh gelu": dict(d_mlp=64, act_fn="gelu_new"),
    "attention-only, LayerNorm": dict(d_mlp=None),
    "one layer, relu, no LayerNorm (modadd-like)": dict(
        n_layers=1, d_mlp=64, act_fn="relu", normalization=None
    ),
}


def build(**overrides) -> HookedTransformer:
    cfg = dict(n_layers=2, d_model=32, n_heads=4, d_head=8, d_vocab=40, n_ctx=16, init_std=0.3,
               seed=11)
    cfg.update(overrides)
    return HookedTransformer(Config(**cfg)).eval().double()


def graph_scores(model, outputs, start: int):
    """{hook: [suffix] or [suffix, n_heads] or [n_heads, suffix]} from the graph's outputs."""
    _, attr, attr_pattern = outputs
    layout = attribution_layout(model)
    heads = model.cfg.n_heads
    scores, offset = {}, 0
    for name, chunks in layout["scored"]:
        part = attr[0, :, offset : offset + chunks]
        offset += chunks
        with_heads = name.split(".")[-1] in ("hook_q", "hook_k", "hook_v", "hook_z")
        if with_heads:
            scores[name] = part.reshape(part.shape[0], heads, -1).sum(-1)
        else:
            scores[name] = part.sum(-1)
    for i, name in enumerate(layout["patterns"]):
        scores[name] = attr_pattern[0, i * heads : (i + 1) * heads]
    for name, other in layout["same"].items():
        scores[name] = scores[other]
    return scores


class AttributionGraphTest(unittest.TestCase):
    def check(self, model: HookedTransformer, start: int, read: int) -> None:
        """A metric read at position ``read`` of prompts that first differ at ``start``."""
        gen = torch.Generator().manual_seed(start)
        n, vocab = 9, model.cfg.d_vocab
        source = torch.randint(0, vocab, (1, n), generator=gen)
        target = source.clone()
        # Every token from `start` on differs (shifted by 1 .. vocab - 1).
        shift = 1 + torch.randint(0, vocab - 1, (n - start,), generator=gen)
        target[0, start:] = (source[0, start:] + shift) % vocab
        logit_grad = torch.zeros(2, n, vocab, dtype=torch.double)
        logit_grad[1, read] = torch.randn(vocab, generator=gen)
        with torch.no_grad():
            logits, acts, grads = GradGraph(model)(torch.cat([source, target]), logit_grad)
            # The graph runs the prompts up to the position the metric reads.
            suffixes = torch.cat([source[:, start : read + 1], target[:, start : read + 1]])
            outputs = AttributionGraph(model)(target[:, :start], suffixes, logit_grad[1:, read])
        torch.testing.assert_close(outputs[0], logits[:, read])
        scores = graph_scores(model, outputs, start)
        for name in model.intervention_hook_names:
            full = ((acts[name][:1] - acts[name][1:]) * grads[name][1:]).sum(-1)[0]
            pattern = name.endswith("hook_pattern")
            before = full[:, :start] if pattern else full[:start]
            after = full[:, read + 1 :] if pattern else full[read + 1 :]
            scored = full[:, start : read + 1] if pattern else full[start : read + 1]
            with self.subTest(hook=name):
                # Before the first differing token the two runs are the same, and after the
                # position the metric reads nothing reaches it: nothing to score.
                for unscored in (before, after):
                    self.assertLess(unscored.abs().max().item() if unscored.numel() else 0.0, 1e-9)
                if name == "hook_pos_embed":
                    self.assertNotIn(name, scores)
                    self.assertLess(scored.abs().max().item(), 1e-9)
                    continue
                torch.testing.assert_close(scores[name], scored)

    def test_scores_every_hook_as_the_full_backward_pass_does(self):
        for label, overrides in CONFIGS.items():
            model = build(**overrides)
            for start, read in ((1, 8), (4, 8), (8, 8), (1, 5), (4, 4)):
                with self.subTest(config=label, start=start, read=read):
                    self.check(model, start, read)

    def test_layout_accounts_for_every_intervention_hook(self):
        for label, overrides in CONFIGS.items():
            model = build(**overrides)
            layout = attribution_layout(model)
            named = {n for n, _ in layout["scored"]} | set(layout["patterns"]) | set(layout["same"])
            with self.subTest(config=label):
                self.assertEqual(named | set(layout["zero"]), set(model.intervention_hook_names))


if __name__ == "__main__":
    unittest.main()
