"""models/lab/train_loop.py: the loop the recipes share, and each recipe's entry point running
through it (a few steps of a tiny model, written to a temporary folder)."""

import contextlib
import io
import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import torch
import torch.nn.functional as F

from models.lab.model import Config, HookedTransformer
from models.lab.train_loop import adamw, lr_at, train, train_language_model

ROOT = Path(__file__).resolve().parents[3]
TC = {"steps": 4, "batch_size": 2, "lr": 0.01, "min_lr": 0.001, "warmup_steps": 2,
      "weight_decay": 0.1, "betas": [0.9, 0.98], "grad_clip": 1.0, "eval_every": 2}  # fmt: skip


def tiny_model() -> HookedTransformer:
    return HookedTransformer(Config(n_layers=1, d_model=16, n_heads=2, d_head=8, d_mlp=32,
                                    d_vocab=20, n_ctx=8, seed=3))  # fmt: skip


def windows() -> torch.Tensor:
    gen = torch.Generator().manual_seed(4)
    return torch.randint(0, 20, (TC["steps"] * TC["batch_size"], 9), generator=gen)


def loop_before_sharing(model: HookedTransformer, all_tokens: torch.Tensor, tc: dict) -> None:
    """The loop tiny-lm and attn-only-2l each carried before train_loop.py (minus logging)."""
    decay = [p for n, p in model.named_parameters() if n.split(".")[-1].startswith("W_")]
    no_decay = [p for n, p in model.named_parameters() if not n.split(".")[-1].startswith("W_")]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": tc["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
        lr=tc["lr"], betas=tuple(tc["betas"]),
    )  # fmt: skip
    for step in range(tc["steps"]):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, tc)
        batch = all_tokens[step * tc["batch_size"] : (step + 1) * tc["batch_size"]]
        logits = model(batch[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), tc["grad_clip"])
        opt.step()


class SharedLoopTest(unittest.TestCase):
    def test_the_language_model_loop_gives_the_same_weights_as_the_loop_it_replaced(self) -> None:
        before, shared = tiny_model(), tiny_model()
        loop_before_sharing(before, windows(), TC)
        with contextlib.redirect_stdout(io.StringIO()):
            log, _ = train_language_model(shared, windows(), TC, evaluate=lambda m: {"n": 1})
        for (name, a), (_, b) in zip(before.state_dict().items(), shared.state_dict().items()):
            self.assertTrue(torch.equal(a, b), name)
        self.assertFalse(torch.equal(before.embed.W_E, tiny_model().embed.W_E))  # it trained
        self.assertEqual([entry["step"] for entry in log], [0, 3])
        self.assertEqual(log[-1]["eval"], {"n": 1})

    def test_observe_sees_each_loss_before_its_update_and_after_update_counts_updates(self) -> None:
        model = tiny_model()
        calls = []
        weights_at_observe = []

        def observe(step, loss):
            calls.append(("observe", step))
            weights_at_observe.append(model.unembed.W_U.detach().clone())

        train(model, adamw(model, TC), 3, lambda s: model(torch.zeros(1, 4, dtype=torch.long)).sum(),
              observe=observe, after_update=lambda n: calls.append(("after", n)))  # fmt: skip
        self.assertEqual(calls, [("observe", 0), ("after", 1), ("observe", 1), ("after", 2),
                                 ("observe", 2), ("after", 3)])  # fmt: skip
        self.assertTrue(torch.equal(weights_at_observe[0], tiny_model().unembed.W_U))
        self.assertFalse(torch.equal(weights_at_observe[1], weights_at_observe[0]))

    def test_the_schedule_warms_up_linearly_then_decays_to_min_lr(self) -> None:
        tc = {"lr": 1.0, "min_lr": 0.1, "warmup_steps": 4, "steps": 14}
        self.assertAlmostEqual(lr_at(0, tc), 0.25)
        self.assertAlmostEqual(lr_at(3, tc), 1.0)
        self.assertAlmostEqual(lr_at(4, tc), 1.0)
        self.assertAlmostEqual(lr_at(9, tc), 0.55)
        self.assertAlmostEqual(lr_at(14, tc), 0.1)
        self.assertTrue(all(lr_at(s, tc) >= lr_at(s + 1, tc) for s in range(4, 14)))

    def test_only_weight_matrices_decay_unless_every_parameter_should(self) -> None:
        model = tiny_model()
        decays = {id(p): g["weight_decay"] for g in adamw(model, TC).param_groups for p in g["params"]}
        for name, p in model.named_parameters():
            expected = TC["weight_decay"] if name.split(".")[-1].startswith("W_") else 0.0
            self.assertEqual(decays[id(p)], expected, name)
        everything = adamw(model, TC, decay_all=True).param_groups
        self.assertEqual([g["weight_decay"] for g in everything], [TC["weight_decay"]])


def run_recipe(name: str, config: dict, *args: str) -> str:
    """Run models/<name>/train.py as a user would, on `config`; returns its output."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "config.json"
        path.write_text(json.dumps(config))
        done = subprocess.run(
            [sys.executable, str(ROOT / "models" / name / "train.py"), "--config", str(path),
             *[a.replace("{tmp}", tmp) for a in args]],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if done.returncode != 0:
            raise AssertionError(f"{name}/train.py failed:\n{done.stdout}\n{done.stderr}")
        ckpt = torch.load(Path(tmp) / "final.pt", map_location="cpu")
        model = HookedTransformer(Config.from_dict(ckpt["config"]))
        model.load_state_dict(ckpt["state_dict"])
        fresh = HookedTransformer(Config.from_dict(ckpt["config"]))
        if torch.equal(model.embed.W_E, fresh.embed.W_E):
            raise AssertionError(f"{name}: the checkpoint holds untrained weights")
        if not all(torch.isfinite(p).all() for p in model.parameters()):
            raise AssertionError(f"{name}: non-finite weights")
        return done.stdout + json.dumps({"step": ckpt["step"]})


LM_MODEL = {"n_layers": 1, "d_model": 16, "n_heads": 2, "d_head": 8, "d_vocab": 640, "n_ctx": 64,
            "act_fn": "gelu", "normalization": "LN", "seed": 0}  # fmt: skip
LM_TRAIN = {"seed": 0, "data_seed": 1, "steps": 3, "batch_size": 2, "lr": 0.001, "min_lr": 0.0001,
            "warmup_steps": 1, "weight_decay": 0.05, "betas": [0.9, 0.98], "grad_clip": 1.0,
            "eval_every": 2, "threads": 1}  # fmt: skip


class RecipesRunThroughTheSharedLoopTest(unittest.TestCase):
    def test_tiny_lm_trains_two_stages(self) -> None:
        config = {"model": {**LM_MODEL, "d_mlp": 32},
                  "train": {**LM_TRAIN, "stages": [{}, {"steps": 2, "data_seed": 3}]}}  # fmt: skip
        out = run_recipe("tiny-lm", config, "--out", "{tmp}/final.pt", "--tokenizer", "{tmp}/tok.json")
        self.assertIn("[stage1] step 0 loss", out)
        self.assertIn("[stage2] eval @ 2:", out)
        self.assertIn('"step": 5', out)

    def test_attn_only_2l_trains(self) -> None:
        config = {"model": {**LM_MODEL, "d_mlp": None},
                  "train": {**LM_TRAIN, "repeat_share": 0.5, "repeat_lengths": [3, 6]}}  # fmt: skip
        out = run_recipe("attn-only-2l", config, "--out", "{tmp}/final.pt", "--tokenizer", "{tmp}/tok.json")
        self.assertIn("eval @ 2:", out)
        self.assertIn("eval @ 3:", out)
        self.assertIn('"step": 3', out)

    def test_modadd_trains_and_keeps_its_snapshots(self) -> None:
        config = {"name": "modadd", "p": 7, "train_fraction": 0.5, "split_seed": 0,
                  "model": {"n_layers": 1, "d_model": 16, "n_heads": 2, "d_head": 8, "d_mlp": 32,
                            "act_fn": "relu", "normalization": None, "init_std": 0.07, "seed": 0},
                  "train": {"seed": 0, "steps": 4, "lr": 0.003, "weight_decay": 1.0,
                            "betas": [0.9, 0.98], "threads": 1, "log_every": 1,
                            "snapshot_every": 2, "early_snapshots": [0, 1]}}  # fmt: skip
        out = run_recipe("modadd", config, "--out-dir", "{tmp}", "--final", "{tmp}/final.pt",
                         "--tokenizer", "{tmp}/tok.json")  # fmt: skip
        self.assertIn("done: 4 steps", out)
        self.assertIn('"step": 4', out)


if __name__ == "__main__":
    unittest.main()
