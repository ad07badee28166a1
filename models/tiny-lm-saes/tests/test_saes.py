"""Unit tests for the SAE recipe: the hand-written train step, the encoders, the metrics.

    /usr/bin/python3 -m unittest discover -s models/tiny-lm-saes/tests -t .     # from the repo root
"""

from __future__ import annotations

import json
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # repository root
sys.path.insert(0, str(HERE.parent))  # models/tiny-lm-saes

import torch  # noqa: E402

import sae_lib  # noqa: E402
import sae_step  # noqa: E402
import step_artifacts  # noqa: E402
from models.lab.model import Config, HookedTransformer  # noqa: E402

ROOT = HERE.parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "models" / "tiny-lm-saes" / "train-step.json"


def random_state(d_in=12, S=7, B=9, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, d_in, generator=g, dtype=dtype) * 2 + 0.5
    W_enc = torch.randn(d_in, S, generator=g, dtype=dtype) * 0.5
    b_enc = torch.randn(S, generator=g, dtype=dtype) * 0.3
    W_dec = torch.randn(S, d_in, generator=g, dtype=dtype)
    W_dec = W_dec / W_dec.norm(dim=1, keepdim=True)
    b_dec = torch.randn(d_in, generator=g, dtype=dtype) * 0.2
    return x, [W_enc, b_enc, W_dec, b_dec]


def autograd_loss(x, params, l1):
    W_enc, b_enc, W_dec, b_dec = params
    f = torch.relu((x - b_dec) @ W_enc + b_enc)
    x_hat = f @ W_dec + b_dec
    return ((x_hat - x) ** 2).sum(1).mean() + l1 * f.sum(1).mean()


class TrainStepGradients(unittest.TestCase):
    def test_hand_written_gradients_equal_torch_autograd(self):
        for seed, l1 in [(0, 0.0), (1, 0.3), (2, 2.0)]:
            x, params = random_state(seed=seed)
            stats, grads = sae_step.forward_and_grads(x, *params, torch.tensor([l1], dtype=x.dtype))
            leaves = [p.clone().requires_grad_(True) for p in params]
            loss = autograd_loss(x, leaves, l1)
            loss.backward()
            self.assertAlmostEqual(float(stats["loss"]), float(loss), places=10)
            for name, mine, leaf in zip(sae_step.PARAMS, grads, leaves):
                self.assertTrue(
                    torch.allclose(mine, leaf.grad, atol=1e-10, rtol=1e-8),
                    f"d{name} differs from autograd (seed {seed}, l1 {l1})",
                )

    def test_some_features_are_inactive_so_the_relu_mask_is_exercised(self):
        x, params = random_state(seed=1)
        stats, _ = sae_step.forward_and_grads(x, *params, torch.tensor([0.3], dtype=x.dtype))
        self.assertGreater(float(stats["l0"]), 0)
        self.assertLess(float(stats["l0"]), params[1].numel())

    def test_one_step_equals_torch_adam_followed_by_decoder_row_renormalisation(self):
        x, params = random_state(seed=3)
        lr, l1 = 0.01, 0.5
        leaves = [p.clone().requires_grad_(True) for p in params]
        opt = torch.optim.Adam(leaves, lr=lr, betas=(0.9, 0.999), eps=1e-8)
        state = [p.clone() for p in params] + [torch.zeros_like(p) for p in params] * 2
        for step in range(1, 4):
            opt.zero_grad()
            autograd_loss(x, leaves, l1).backward()
            opt.step()
            with torch.no_grad():
                leaves[2] /= leaves[2].norm(dim=1, keepdim=True)
            t = lambda v: torch.tensor([v], dtype=x.dtype)  # noqa: E731
            out = sae_step.train_step(x, *state, t(lr), t(l1), t(float(step)))
            state = list(out[:12])
        for name, mine, ref in zip(sae_step.PARAMS, state[:4], leaves):
            self.assertTrue(torch.allclose(mine, ref.detach(), atol=1e-9), f"{name} after 3 steps")
        self.assertTrue(torch.allclose(state[2].norm(dim=1), torch.ones(state[2].shape[0], dtype=x.dtype)))

    def test_step_reports_mse_l0_and_per_feature_firing_counts(self):
        x, params = random_state(seed=4)
        zeros = [torch.zeros_like(p) for p in params]
        t = lambda v: torch.tensor([v], dtype=x.dtype)  # noqa: E731
        out = dict(zip(sae_step.OUTPUT_NAMES, sae_step.train_step(x, *params, *zeros, *zeros, t(1e-3), t(0.2), t(1.0))))
        W_enc, b_enc, W_dec, b_dec = params
        f = torch.relu((x - b_dec) @ W_enc + b_enc)
        self.assertEqual(out["fired"].tolist(), (f > 0).sum(0).to(x.dtype).tolist())
        self.assertAlmostEqual(float(out["l0"]), float((f > 0).sum(1).to(x.dtype).mean()))
        mse = float((((f @ W_dec + b_dec) - x) ** 2).sum(1).mean())
        self.assertAlmostEqual(float(out["mse"]), mse, places=10)
        self.assertAlmostEqual(float(out["loss"]), mse + 0.2 * float(f.sum(1).mean()), places=10)

    def test_committed_fixture_is_what_the_step_function_computes(self):
        if not FIXTURE.exists():
            self.skipTest("fixture not written yet (run models/tiny-lm-saes/train.py)")
        fx = json.loads(FIXTURE.read_text())
        self.assertEqual((fx["d_in"], fx["S"], fx["B"]), (128, 32, 16))
        names = fx["inputs"][1:13]
        state = [torch.tensor(fx["initial"][n]).reshape(fx["shapes"][n]) for n in names]
        for step in fx["steps"]:
            x = torch.tensor(step["x"]).reshape(fx["shapes"]["x"])
            t = lambda v: torch.tensor([float(v)])  # noqa: E731
            out = sae_step.train_step(x, *state, t(fx["lr"]), t(fx["l1"]), t(step["step"]))
            for name, got in zip(fx["outputs"], out):
                want = torch.tensor(step["outputs"][name]).reshape(got.shape)
                self.assertTrue(torch.allclose(got, want, atol=1e-5, rtol=1e-5), f"step {step['step']} {name}")
            state = [torch.tensor(step["outputs"][f"next.{n}"]).reshape(fx["shapes"][n]) for n in names]

    def test_the_exported_graph_has_the_contract_names_and_dynamic_axes(self):
        import onnx

        with tempfile.TemporaryDirectory() as d:
            path = str(Path(d) / "step.onnx")
            sae_step.export_onnx(path)
            m = onnx.load(path)
        onnx.checker.check_model(m)
        self.assertEqual([i.name for i in m.graph.input], sae_step.INPUT_NAMES)
        self.assertEqual([o.name for o in m.graph.output], sae_step.OUTPUT_NAMES)
        self.assertEqual(len(sae_step.OUTPUT_NAMES), 16)
        dims = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim] for i in m.graph.input}
        self.assertEqual(dims["x"], ["B", 128])
        self.assertEqual(dims["W_enc"], [128, "S"])
        self.assertEqual(dims["v.W_dec"], ["S", 128])
        self.assertEqual(m.opset_import[0].version, 17)
        self.assertEqual({n.op_type for n in m.graph.node} & {"Gradient", "TopK"}, set())


class Encoders(unittest.TestCase):
    def params(self, d_in=6, d_sae=10, seed=0, gated=False):
        g = torch.Generator().manual_seed(seed)
        p = {
            "W_enc": torch.randn(d_in, d_sae, generator=g),
            "b_enc": torch.randn(d_sae, generator=g) * 0.1,
            "W_dec": torch.randn(d_sae, d_in, generator=g),
            "b_dec": torch.randn(d_in, generator=g) * 0.1,
        }
        if gated:
            p["r_mag"] = torch.randn(d_sae, generator=g) * 0.5
            p["b_mag"] = torch.randn(d_sae, generator=g) * 0.5
        return p

    def test_topk_keeps_exactly_k_features_and_they_are_the_largest(self):
        p = self.params(d_sae=40)
        p["b_enc"] += 5.0  # every pre-activation positive, so ReLU cannot drop any kept entry
        x = torch.randn(50, 6, generator=torch.Generator().manual_seed(1))
        for k in (1, 4, 16):
            f = sae_lib.encode("topk", p, x, k)
            self.assertTrue(((f > 0).sum(1) == k).all(), f"k={k}")
            pre = (x - p["b_dec"]) @ p["W_enc"] + p["b_enc"]
            kth = pre.topk(k, dim=1).values[:, -1:]
            self.assertTrue(((f > 0) == (pre >= kth)).all())

    def test_topk_breaks_ties_towards_the_lower_index_and_drops_negative_kept_values(self):
        z = torch.tensor([[1.0, 3.0, 3.0, 3.0, -1.0, 0.5]])
        self.assertEqual(sae_lib.topk_mask(z, 2).tolist(), [[False, True, True, False, False, False]])
        p = {"W_enc": torch.eye(6), "b_enc": torch.zeros(6), "W_dec": torch.eye(6), "b_dec": torch.zeros(6)}
        x = torch.tensor([[-1.0, -2.0, 0.5, -3.0, -4.0, -5.0]])
        self.assertEqual(sae_lib.encode("topk", p, x, 2).tolist(), [[0.0, 0.0, 0.5, 0.0, 0.0, 0.0]])

    def test_gated_encoder_is_the_spec_formula_feature_by_feature(self):
        p = self.params(gated=True)
        x = torch.randn(20, 6, generator=torch.Generator().manual_seed(2))
        f = sae_lib.encode("gated", p, x)
        x_c = x - p["b_dec"]
        for j in range(10):
            pi = x_c @ p["W_enc"][:, j] + p["b_enc"][j]
            mag = torch.relu(x_c @ (p["W_enc"][:, j] * torch.exp(p["r_mag"][j])) + p["b_mag"][j])
            want = torch.where(pi > 0, mag, torch.zeros_like(mag))
            self.assertTrue(torch.allclose(f[:, j], want, atol=1e-6), f"feature {j}")
        self.assertTrue((f > 0).any() and (f == 0).any())

    def test_relu_encoder_and_decoder(self):
        p = self.params()
        x = torch.randn(5, 6)
        f = sae_lib.encode("relu", p, x)
        self.assertTrue(torch.allclose(f, torch.relu((x - p["b_dec"]) @ p["W_enc"] + p["b_enc"])))
        self.assertTrue(torch.allclose(sae_lib.decode(p, f), f @ p["W_dec"] + p["b_dec"]))


class Metrics(unittest.TestCase):
    """A toy model and two hand-made SAEs whose metrics are known in advance."""

    HOOK = "blocks.1.hook_resid_post"

    def setUp(self):
        cfg = Config(n_layers=2, d_model=8, n_heads=2, d_head=4, d_mlp=16, d_vocab=12, n_ctx=8, init_std=0.3, seed=5)
        self.model = HookedTransformer(cfg).eval()
        g = torch.Generator().manual_seed(0)
        self.tokens = torch.randint(1, 12, (4, 8), generator=g)
        self.tokens[:, 0] = 0
        self.tokens[1, 4] = 0  # a document separator inside a row

    def exact_sae(self):
        """d_sae = 2 d_in: ReLU(x) - ReLU(-x) = x, so reconstruction is perfect."""
        eye = torch.eye(8)
        return {
            "W_enc": torch.cat([eye, -eye], 1),
            "b_enc": torch.zeros(16),
            "W_dec": torch.cat([eye, -eye], 0),
            "b_dec": torch.zeros(8),
        }

    def test_a_perfect_reconstruction_recovers_all_the_loss(self):
        m = sae_lib.metrics("relu", self.exact_sae(), self.model, self.tokens, self.HOOK, 0)
        self.assertAlmostEqual(m["fvu"], 0.0, places=10)
        self.assertAlmostEqual(m["ce_spliced"], m["ce_clean"], places=5)
        self.assertAlmostEqual(m["loss_recovered"], 1.0, places=4)
        self.assertNotAlmostEqual(m["ce_zero"], m["ce_clean"], places=3)
        # Each coordinate of a non-bos activation fires exactly one of its two features.
        _, cache = self.model.run_with_cache(self.tokens)
        x = cache[self.HOOK][self.tokens != 0]
        self.assertAlmostEqual(m["l0"], float((x != 0).sum(1).double().mean()))
        self.assertEqual(m["dead"], 0)

    def test_a_sae_that_outputs_zero_is_zero_ablation(self):
        p = self.exact_sae()
        p["W_dec"] = torch.zeros_like(p["W_dec"])
        m = sae_lib.metrics("relu", p, self.model, self.tokens, self.HOOK, 0)
        self.assertAlmostEqual(m["ce_spliced"], m["ce_zero"], places=6)
        self.assertAlmostEqual(m["loss_recovered"], 0.0, places=6)
        _, cache = self.model.run_with_cache(self.tokens)
        x = cache[self.HOOK][self.tokens != 0].double()
        self.assertAlmostEqual(m["fvu"], float((x**2).sum() / ((x - x.mean(0)) ** 2).sum()), places=6)

    def test_dead_features_and_exactly_k(self):
        p = self.exact_sae()
        p["b_enc"][3] = -1e6  # can never fire
        p["b_enc"][11] = -1e6
        m = sae_lib.metrics("topk", p, self.model, self.tokens, self.HOOK, 0, k=8)
        self.assertEqual(m["dead"], 2)
        self.assertAlmostEqual(m["dead_fraction"], 2 / 16)
        # Among the 16 features per position at most 8 are positive; minus the ones killed.
        self.assertLess(m["exactly_k_fraction"], 1.0)
        m4 = sae_lib.metrics("topk", self.exact_sae(), self.model, self.tokens, self.HOOK, 0, k=4)
        self.assertEqual(m4["exactly_k_fraction"], 1.0)
        self.assertAlmostEqual(m4["l0"], 4.0)

    def test_ce_averages_over_every_row_and_position_but_the_last(self):
        m = sae_lib.metrics("relu", self.exact_sae(), self.model, self.tokens, self.HOOK, 0)
        logits = self.model(self.tokens).double()
        lp = torch.log_softmax(logits, -1)
        total = sum(-float(lp[r, t, self.tokens[r, t + 1]]) for r in range(4) for t in range(7))
        self.assertAlmostEqual(m["ce_clean"], total / 28, places=6)


class PageInit(unittest.TestCase):
    def test_page_init_is_unit_decoder_rows_tied_encoder_zero_bias_mean_b_dec(self):
        x = torch.randn(100, 128, generator=torch.Generator().manual_seed(0)) + 3
        state = step_artifacts.page_init(64, x, seed=0)
        W_enc, b_enc, W_dec, b_dec = state[:4]
        self.assertTrue(torch.allclose(W_dec.norm(dim=1), torch.ones(64)))
        self.assertTrue(torch.equal(W_enc, W_dec.t()))
        self.assertEqual(float(b_enc.abs().sum()), 0.0)
        self.assertTrue(torch.allclose(b_dec, x.mean(0)))
        self.assertTrue(all(float(t.abs().sum()) == 0.0 for t in state[4:]))


if __name__ == "__main__":
    unittest.main()
