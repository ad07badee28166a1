"""PyTorch eager side of scripts/bench-ml.mjs: a long-lived worker that times forward passes
with every hook cached (models/lab/model.py, run_with_cache) on the same checkpoint and tokens.

Protocol (one JSON object per line): stdin {"runs": N} -> stdout {"ms": [...], "cpu": [...]}
(wall-clock and process CPU milliseconds per run).

It also answers {"skeleton": PATH, "runs": N}: it writes to PATH an ONNX graph of the model's
weight matmuls alone (every W_Q, W_K, W_V, W_O, W_in, W_out and W_U product of a 24-token forward,
chained, nothing else) and times the same chain in PyTorch, so that the bench can compare the two
runtimes' arithmetic apart from everything else a forward pass does.

And {"tl_sweep": {"clean": [...], "corrupted": [...], "answer": id, "distractor": id}, "runs": N}:
the resid_pre patching sweep done the way a TransformerLens user writes it (a clean run with a
cache, then for every layer and position one forward pass of the corrupted prompt with a forward
hook that patches the clean activation in at that position), timed per whole sweep; it answers
the scores too, so the bench can check that both sides computed the same thing.
"""
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# torch.set_num_threads does not reach Debian's OpenBLAS, which otherwise runs the matmuls on every
# core (seen as CPU time = 2x wall-clock on an idle 2-core machine): give it the same thread count.
if len(sys.argv) > 3:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(var, sys.argv[3])
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from models.lab.model import HookedTransformer  # noqa: E402


def skeleton_shapes(cfg, tokens: int) -> list:
    """(k, n) of each weight matmul in a forward pass, in order: [tokens, k] @ [k, n]."""
    d = cfg.d_model
    block = [(d, cfg.n_heads * cfg.d_head)] * 3 + [(cfg.n_heads * cfg.d_head, d)]
    if cfg.d_mlp is not None:
        block += [(d, cfg.d_mlp), (cfg.d_mlp, d)]
    return block * cfg.n_layers + [(d, cfg.d_vocab)]


def skeleton_weights(shapes: list) -> list:
    """Chainable weights ([k, n] each, and each n feeds the next k), scaled to keep values O(1)."""
    gen = torch.Generator().manual_seed(0)
    weights, k = [], shapes[0][0]
    for _, n in shapes:
        weights.append(torch.randn(k, n, generator=gen) / k**0.5)
        k = n
    return weights


def write_skeleton_onnx(path: str, weights: list, tokens: int) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    inits = [numpy_helper.from_array(w.numpy(), f"W{i}") for i, w in enumerate(weights)]
    nodes = [
        helper.make_node("MatMul", ["x" if i == 0 else f"y{i - 1}", f"W{i}"], [f"y{i}"])
        for i in range(len(weights))
    ]
    last = len(weights) - 1
    graph = helper.make_graph(
        nodes,
        "weight-matmuls",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [tokens, weights[0].shape[0]])],
        [helper.make_tensor_value_info(f"y{last}", TensorProto.FLOAT, [tokens, weights[-1].shape[1]])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)


def time_skeleton(weights: list, tokens: int, runs: int) -> tuple:
    x = torch.randn(tokens, weights[0].shape[0])
    ms, cpu = [], []
    for i in range(runs + 5):
        c0, t0 = time.process_time(), time.perf_counter()
        y = x
        for w in weights:
            y = y @ w
        if i >= 5:
            ms.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    return ms, cpu


def tl_style_sweep(model, clean, corrupted, answer: int, distractor: int) -> list:
    """The resid_pre x position sweep as TransformerLens's demos write it, with PyTorch forward
    hooks (register_forward_hook on each layer's hook_resid_pre) and one forward pass per patch."""

    def logit_diff(logits):
        return (logits[0, -1, answer] - logits[0, -1, distractor]).item()

    _, clean_cache = model.run_with_cache(clean)
    scores = []
    for layer, block in enumerate(model.blocks):
        clean_act = clean_cache[f"blocks.{layer}.hook_resid_pre"]
        for position in range(clean.shape[1]):

            def patch(module, inputs, output, position=position, clean_act=clean_act):
                output = output.clone()
                output[:, position] = clean_act[:, position]
                return output

            handle = block.hook_resid_pre.register_forward_hook(patch)
            try:
                scores.append(logit_diff(model(corrupted)))
            finally:
                handle.remove()
    return scores


def main() -> None:
    checkpoint, tokens_json, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(threads)
    model = HookedTransformer.load(checkpoint).eval()
    tokens = torch.tensor([json.loads(tokens_json)], dtype=torch.long)
    with torch.no_grad():
        logits, cache = model.run_with_cache(tokens)
        print(json.dumps({"ready": True, "hooks": len(cache), "threads": torch.get_num_threads()}), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            runs = request["runs"]
            if "tl_sweep" in request:
                job = request["tl_sweep"]
                clean = torch.tensor([job["clean"]], dtype=torch.long)
                corrupted = torch.tensor([job["corrupted"]], dtype=torch.long)
                args = (model, clean, corrupted, job["answer"], job["distractor"])
                ms, cpu = [], []
                for _ in range(runs):
                    c0, t0 = time.process_time(), time.perf_counter()
                    scores = tl_style_sweep(*args)
                    ms.append((time.perf_counter() - t0) * 1000)
                    cpu.append((time.process_time() - c0) * 1000)
                print(json.dumps({"ms": ms, "cpu": cpu, "scores": scores}), flush=True)
                continue
            if "skeleton" in request:
                shapes = skeleton_shapes(model.cfg, tokens.shape[1])
                weights = skeleton_weights(shapes)
                write_skeleton_onnx(request["skeleton"], weights, tokens.shape[1])
                ms, cpu = time_skeleton(weights, tokens.shape[1], runs)
                macs = sum(tokens.shape[1] * k * n for k, n in shapes)
                print(json.dumps({"ms": ms, "cpu": cpu, "matmuls": len(shapes), "macs": macs}), flush=True)
                continue
            ms, cpu = [], []
            for _ in range(runs):
                c0, t0 = time.process_time(), time.perf_counter()
                model.run_with_cache(tokens)
                ms.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            print(json.dumps({"ms": ms, "cpu": cpu}), flush=True)


if __name__ == "__main__":
    main()
