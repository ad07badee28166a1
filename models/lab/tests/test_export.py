"""Exported ONNX files follow the contract and reproduce the PyTorch fixtures in onnxruntime-web."""

import contextlib
import hashlib
import io
import json
import shutil
import subprocess
import tempfile
import unittest
from pathlib import Path

import onnx
import torch

from models.lab import same_graphs
from models.lab.export import export_model
from models.lab.fixtures import write_fixtures
from models.lab.model import Config, HookedTransformer

REPO_ROOT = Path(__file__).resolve().parents[3]
NODE = REPO_ROOT / "node_modules" / ".bin" / "node"
VERIFY = REPO_ROOT / "models" / "lab" / "verify_onnx.mjs"
HAS_ORT = NODE.exists() and (REPO_ROOT / "node_modules" / "onnxruntime-web").exists()


def write_tokenizer(path: Path, d_vocab: int) -> None:
    vocab = ["<bos>", "<unk>"] + [f"w{i}" for i in range(d_vocab - 2)]
    path.write_text(json.dumps({"type": "word-level", "vocab": vocab, "unk": "<unk>", "bos": "<bos>"}))


def dims(value_info) -> list:
    return [d.dim_param or d.dim_value for d in value_info.type.tensor_type.shape.dim]


def verify(model_dir: Path, fixture_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NODE), str(VERIFY), str(model_dir), str(fixture_dir), "--json"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )


class ExportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp())
        cls.configs = {
            "lm": Config(n_layers=2, d_model=32, n_heads=4, d_head=8, d_mlp=64, d_vocab=40,
                         n_ctx=16, init_std=0.2, seed=1),
            "attn-only": Config(n_layers=2, d_model=32, n_heads=2, d_head=16, d_vocab=40, n_ctx=16,
                                init_std=0.2, seed=2),
            # modadd-like: one layer, no LayerNorm, relu, a context of three tokens
            "no-ln-relu": Config(n_layers=1, d_model=32, n_heads=4, d_head=8, d_mlp=64, d_vocab=40,
                                 n_ctx=3, act_fn="relu", normalization=None, init_std=0.2, seed=3),
        }
        cls.models = {k: HookedTransformer(c) for k, c in cls.configs.items()}
        write_tokenizer(cls.tmp / "tokenizer.json", 40)
        cls.manifests = {}
        for name, model in cls.models.items():
            cls.manifests[name] = export_model(name, model, cls.tmp / "tokenizer.json", cls.tmp / name)
            write_fixtures(name, model, None, cls.tmp / f"{name}-fixtures")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_same_graphs_tells_a_re_export_from_a_changed_computation(self):
        model, tok = self.models["attn-only"], self.tmp / "tokenizer.json"
        export_model("attn-only", model, tok, self.tmp / "attn-only-again")
        attn = model.blocks[0].attn
        attn.scale *= 2  # the same weights, a different computation
        try:
            export_model("attn-only", model, tok, self.tmp / "attn-only-changed")
        finally:
            attn.scale /= 2
        with contextlib.redirect_stdout(io.StringIO()) as out:
            again = same_graphs.main([str(self.tmp / "attn-only"), str(self.tmp / "attn-only-again")])
            changed = same_graphs.main([str(self.tmp / "attn-only"), str(self.tmp / "attn-only-changed")])
        self.assertEqual(again, 0, out.getvalue())
        self.assertEqual(changed, 1, out.getvalue())
        self.assertIn("model.onnx: 26 outputs, DIFFERENT", out.getvalue())
        self.assertIn("weights.bin: identical", out.getvalue())

    def test_forward_graph_has_tokens_and_three_intervention_inputs_per_hook(self):
        model = self.models["lm"]
        graph = onnx.load(str(self.tmp / "lm" / "model.onnx")).graph
        names = [i.name for i in graph.input]
        self.assertEqual(names[0], "tokens")
        self.assertEqual(dims(graph.input[0]), ["batch", "pos"])
        self.assertEqual(len(names), 1 + 3 * len(model.intervention_hook_names))
        self.assertIn("patch_mask:blocks.1.attn.hook_pattern", names)
        self.assertIn("patch_value:blocks.0.hook_resid_pre", names)
        self.assertIn("add:blocks.1.mlp.hook_post", names)
        pattern_mask = next(i for i in graph.input if i.name == "patch_mask:blocks.1.attn.hook_pattern")
        self.assertEqual(len(dims(pattern_mask)), 4)
        self.assertTrue(all(isinstance(d, str) for d in dims(pattern_mask)), "all dims dynamic")

    def test_forward_graph_outputs_logits_and_every_hook_with_its_shape(self):
        model = self.models["lm"]
        graph = onnx.load(str(self.tmp / "lm" / "model.onnx")).graph
        outputs = {o.name: dims(o) for o in graph.output}
        self.assertEqual(list(outputs), ["logits"] + model.hook_names)
        self.assertEqual(outputs["logits"], ["batch", "pos", 40])
        self.assertEqual(outputs["blocks.0.attn.hook_pattern"], ["batch", 4, "query_pos", "key_pos"])
        self.assertEqual(outputs["blocks.1.attn.hook_z"], ["batch", "pos", 4, 8])
        self.assertEqual(outputs["blocks.1.mlp.hook_post"], ["batch", "pos", 64])

    def test_grad_graph_takes_tokens_and_logit_grad_and_returns_grads_for_every_intervention_hook(self):
        model = self.models["attn-only"]
        graph = onnx.load(str(self.tmp / "attn-only" / "model.grad.onnx")).graph
        self.assertEqual([i.name for i in graph.input], ["tokens", "logit_grad"])
        outputs = [o.name for o in graph.output]
        for hook in model.intervention_hook_names:
            self.assertIn(f"grad:{hook}", outputs)
        self.assertIn("blocks.1.attn.hook_attn_scores", outputs)
        self.assertNotIn("grad:blocks.1.attn.hook_attn_scores", outputs)

    def test_plain_graph_takes_only_tokens_and_outputs_logits_and_every_hook(self):
        model = self.models["lm"]
        graph = onnx.load(str(self.tmp / "lm" / "model.plain.onnx"), load_external_data=False).graph
        self.assertEqual([i.name for i in graph.input], ["tokens"])
        outputs = {o.name: dims(o) for o in graph.output}
        self.assertEqual(list(outputs), ["logits"] + model.hook_names)
        self.assertEqual(outputs["blocks.1.attn.hook_z"], ["batch", "pos", 4, 8])
        forward = onnx.load(str(self.tmp / "lm" / "model.onnx"), load_external_data=False).graph
        # h + mask*(value - h) + add is 4 elementwise ops per intervention hook.
        n_hooks = len(model.intervention_hook_names)
        self.assertLessEqual(len(graph.node), len(forward.node) - 3 * n_hooks,
                             "no per-hook intervention arithmetic")
        manifest = self.manifests["lm"]
        self.assertEqual(manifest["inputs"]["plain"], ["tokens"])
        self.assertEqual(manifest["outputs"]["plain"], ["logits"] + model.hook_names)

    def test_the_three_graphs_share_one_weights_file_that_stores_each_parameter_once(self):
        folder = self.tmp / "lm"
        params = sum(p.numel() * 4 for p in self.models["lm"].parameters() if p.numel() * 4 >= 1024)
        weights = (folder / "weights.bin").stat().st_size
        self.assertGreaterEqual(weights, params)
        self.assertLess(weights, params + 64 * 64, "each large tensor stored once (+ alignment)")
        for file in ("model.onnx", "model.plain.onnx", "model.grad.onnx", "model.attrib.onnx"):
            graph = onnx.load(str(folder / file), load_external_data=False).graph
            external = [t for t in graph.initializer if t.data_location == onnx.TensorProto.EXTERNAL]
            self.assertTrue(external, file)
            locations = {e.value for t in external for e in t.external_data if e.key == "location"}
            self.assertEqual(locations, {"weights.bin"}, file)
            inline = [t.name for t in graph.initializer if len(t.raw_data) >= 1024]
            self.assertEqual(inline, [], f"{file} keeps no large tensor inline")

    def test_manifest_describes_config_hooks_and_file_hashes(self):
        manifest = json.loads((self.tmp / "no-ln-relu" / "manifest.json").read_text())
        self.assertEqual(manifest["config"]["normalization"], None)
        self.assertEqual(manifest["config"]["act_fn"], "relu")
        self.assertEqual(manifest["files"], {"forward": "model.onnx", "plain": "model.plain.onnx",
                                             "backward": "model.grad.onnx", "weights": "weights.bin",
                                             "prefix": "model.prefix.onnx",
                                             "attribution": "model.attrib.onnx"})
        self.assertEqual(manifest["inputs"]["prefix"][:3], ["tokens", "past_k:0", "past_v:0"])
        self.assertEqual(manifest["inputs"]["attribution"], ["prefix", "tokens", "logit_grad"])
        self.assertEqual(manifest["attribution"]["patterns"], ["blocks.0.attn.hook_pattern"])
        self.assertEqual(manifest["outputs"]["prefix"], ["logits"])
        self.assertEqual(manifest["tokenizer"], "tokenizer.json")
        self.assertIn({"name": "blocks.0.attn.hook_z", "shape": ["batch", "pos", "n_heads", "d_head"]},
                      manifest["hooks"])
        for file, digest in manifest["sha256"].items():
            data = (self.tmp / "no-ln-relu" / file).read_bytes()
            self.assertEqual(hashlib.sha256(data).hexdigest(), digest)
            self.assertEqual(len(data), manifest["bytes"][file])

    def test_fixtures_are_small(self):
        for name in self.models:
            size = sum(f.stat().st_size for f in (self.tmp / f"{name}-fixtures").iterdir())
            self.assertLess(size, 2_000_000)

    @unittest.skipUnless(HAS_ORT, "needs node_modules (npm install) for onnxruntime-web")
    def test_onnxruntime_web_reproduces_pytorch_fixtures_and_autograd_grads(self):
        for name in self.models:
            with self.subTest(name):
                result = verify(self.tmp / name, self.tmp / f"{name}-fixtures")
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                report = json.loads(result.stdout)
                self.assertEqual(set(report["cases"]), {"forward/plain", "forward/interventions",
                                                        "plain/plain", "backward/grad"})
                for case in report["cases"].values():
                    self.assertLess(case["maxAbsError"], 1e-4)

    @unittest.skipUnless(HAS_ORT, "needs node_modules (npm install) for onnxruntime-web")
    def test_verification_fails_for_a_model_that_differs_from_the_fixtures(self):
        model = HookedTransformer(self.configs["lm"])
        with torch.no_grad():
            model.blocks[1].mlp.W_out.mul_(1.05)
        export_model("lm", model, self.tmp / "tokenizer.json", self.tmp / "lm-wrong")
        result = verify(self.tmp / "lm-wrong", self.tmp / "lm-fixtures")
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()


COMMITTED = sorted(p.parent for p in (REPO_ROOT / "public" / "models").glob("*/manifest.json"))


@unittest.skipUnless(COMMITTED, "no exported models in public/models yet")
class CommittedArtifactsTest(unittest.TestCase):
    """The ONNX files in public/models/ are the ones their manifests describe, and they still
    reproduce the committed PyTorch fixtures."""

    def test_manifest_hashes_and_sizes_match_the_files(self):
        for model_dir in COMMITTED:
            manifest = json.loads((model_dir / "manifest.json").read_text())
            for file, digest in manifest["sha256"].items():
                with self.subTest(model=model_dir.name, file=file):
                    data = (model_dir / file).read_bytes()
                    self.assertEqual(hashlib.sha256(data).hexdigest(), digest)
                    self.assertEqual(len(data), manifest["bytes"][file])

    def test_all_models_together_fit_the_20_mb_budget(self):
        total = sum(f.stat().st_size for f in (REPO_ROOT / "public" / "models").rglob("*") if f.is_file())
        self.assertLessEqual(total, 20_000_000)

    @unittest.skipUnless(HAS_ORT, "needs node_modules (npm install) for onnxruntime-web")
    def test_committed_onnx_reproduces_committed_fixtures(self):
        for model_dir in COMMITTED:
            fixture_dir = REPO_ROOT / "tests" / "fixtures" / "models" / model_dir.name
            with self.subTest(model_dir.name):
                self.assertTrue(fixture_dir.exists(), f"no fixtures for {model_dir.name}")
                result = verify(model_dir, fixture_dir)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
