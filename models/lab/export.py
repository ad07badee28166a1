"""Export a trained HookedTransformer to the files the browser loads.

    /usr/bin/python3 -m models.lab.export tiny-lm            # models/tiny-lm/checkpoints/final.pt
    /usr/bin/python3 -m models.lab.export NAME --checkpoint PATH --tokenizer PATH --out DIR

writes public/models/<name>/:
  model.onnx       forward: tokens + (patch_mask|patch_value|add):<hook> -> logits + every hook
  model.plain.onnx forward without intervention inputs: tokens -> logits + every hook (the fast
                   path for runs without interventions: no per-hook inputs or elementwise ops)
  model.grad.onnx  forward + hand-written backward: tokens, logit_grad -> logits, hooks, grad:<hook>
  model.prefix.onnx the forward pass over a suffix given the prefix's keys and values, with the
                   intervention inputs: tokens, past_k:<l>, past_v:<l>, ... -> logits (patching
                   sweeps compute only the positions a patch can change; models/lab/prefix.py)
  model.attrib.onnx attribution patching of a pair in one call: prefix, tokens, logit_grad ->
                   prefix_logits, logits, attr, attr_pattern (only the positions after the shared
                   prefix, the target's backward pass alone; models/lab/attribution.py)
  weights.bin      the weights of all five graphs, stored once (ONNX external data: each graph's
                   large initializers point into this file by offset and length)
  tokenizer.json   copied from the trainer
  manifest.json    config, hooks with symbolic shapes, intervention hooks, files, sha256, bytes

The format is documented in models/README.md ("Export format").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import types
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
import torch.nn as nn

from .attribution import ATTRIBUTION_OUTPUTS, AttributionGraph, attribution_layout
from .backward import GradGraph, grad_output_names
from .attention import project_flat, project_per_head
from .model import Attention, HookedTransformer, Intervention, LayerNorm
from .prefix import PrefixForwardGraph, past_input_names

OPSET = 17
FORMAT_VERSION = 1
REPO_ROOT = Path(__file__).resolve().parents[2]
INTERVENTION_KINDS = ("patch_mask", "patch_value", "add")


class ForwardGraph(nn.Module):
    """Flat-argument wrapper for export: (tokens, *interventions) -> (logits, *hooks).

    Interventions come in the order of model.intervention_hook_names, three per hook
    (patch_mask, patch_value, add)."""

    def __init__(self, model: HookedTransformer):
        super().__init__()
        self.model = model

    def forward(self, tokens: torch.Tensor, *flat: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        names = self.model.intervention_hook_names
        interventions = {
            name: Intervention(*flat[3 * i : 3 * i + 3]) for i, name in enumerate(names)
        }
        logits, cache = self.model.run_with_cache(tokens, interventions=interventions)
        return (logits, *[cache[n] for n in self.model.hook_names])


class PlainForwardGraph(nn.Module):
    """(tokens) -> (logits, *hooks): the forward graph without intervention inputs."""

    def __init__(self, model: HookedTransformer):
        super().__init__()
        self.model = model

    def forward(self, tokens: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        logits, cache = self.model.run_with_cache(tokens)
        outs = [logits] + [cache[n] for n in self.model.hook_names]
        # Without interventions some hooks are the same tensor (resid_post[l] is
        # resid_pre[l+1]); ONNX needs one producer per output name.
        seen: set = set()
        distinct = []
        for t in outs:
            distinct.append(_distinct(t) if id(t) in seen else t)
            seen.add(id(t))
        return tuple(distinct)


class GradExportGraph(nn.Module):
    """(tokens, logit_grad) -> (logits, *hooks, *grads) in grad_output_names order."""

    def __init__(self, model: HookedTransformer):
        super().__init__()
        self.model = model
        self.grad_graph = GradGraph(model)

    def forward(self, tokens: torch.Tensor, logit_grad: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        logits, acts, grads = self.grad_graph(tokens, logit_grad)
        outs = [logits] + [acts[n] for n in self.model.hook_names]
        outs += [grads[n] for n in self.model.intervention_hook_names]
        # Several outputs are the same tensor (e.g. grad of resid_post[l] and resid_pre[l+1]);
        # ONNX needs one producer per output name, so each gets its own node.
        return tuple(_distinct(t) for t in outs)


def _distinct(t: torch.Tensor) -> torch.Tensor:
    """A copy that survives export as its own graph value (an Identity node)."""
    return t.clone()


# -- Export-time forms of two layers ------------------------------------------------------
# The same arithmetic as models/lab/model.py, written so that the exported forward graphs run
# faster in onnxruntime (the golden fixtures, computed by model.py itself, check that they agree):
# LayerNorm as one LayerNormalization op (opset 17) instead of nine elementwise ops, and each of
# q, k, v as one [d_model, n_heads*d_head] matmul straight into the hook layout instead of a
# matmul per head and two transposes.


def _layer_norm_forward(self: LayerNorm, x: torch.Tensor) -> torch.Tensor:
    d_model = int(self.w.shape[0])
    return self.hook_normalized(F.layer_norm(x, (d_model,), self.w, self.b, self.eps))


@contextmanager
def onnx_friendly(model: HookedTransformer):
    """Within the block, the model's LayerNorms and attention layers use the export-time forms."""
    patched = []
    for module in model.modules():
        if isinstance(module, LayerNorm):
            module.forward = types.MethodType(_layer_norm_forward, module)
            patched.append(module)
        if isinstance(module, Attention):
            module.project = project_flat
    try:
        yield model
    finally:
        for module in patched:
            del module.forward
        for module in model.modules():
            if isinstance(module, Attention):
                module.project = project_per_head


def forward_input_names(model: HookedTransformer) -> List[str]:
    return ["tokens"] + [
        f"{kind}:{name}" for name in model.intervention_hook_names for kind in INTERVENTION_KINDS
    ]


def _symbolic_axes(model: HookedTransformer, name: str) -> Dict[int, str]:
    shape = model.hook_shape(name)
    symbolic = ("batch", "pos", "query_pos", "key_pos")
    return {i: dim for i, dim in enumerate(shape) if dim in symbolic}


def example_tokens(model: HookedTransformer) -> torch.Tensor:
    """Tracing input: pos within n_ctx, and batch != pos so that the two axes stay distinct."""
    n_pos = min(5, model.cfg.n_ctx)
    return torch.zeros(2 if n_pos != 2 else 3, n_pos, dtype=torch.long)


def export_forward(model: HookedTransformer, path: Path) -> None:
    model.eval()
    names = model.intervention_hook_names
    tokens = example_tokens(model)
    flat = []
    dynamic_axes: Dict[str, Dict[int, str]] = {"tokens": {0: "batch", 1: "pos"}}
    for name in names:
        rank = len(model.hook_shape(name))
        for kind in INTERVENTION_KINDS:
            flat.append(torch.zeros([1] * rank))
            dynamic_axes[f"{kind}:{name}"] = {i: f"{kind}:{name}:{i}" for i in range(rank)}
    output_names = ["logits"] + model.hook_names
    dynamic_axes["logits"] = {0: "batch", 1: "pos"}
    for name in model.hook_names:
        dynamic_axes[name] = _symbolic_axes(model, name)
    with torch.no_grad(), onnx_friendly(model):
        torch.onnx.export(
            ForwardGraph(model),
            (tokens, *flat),
            str(path),
            input_names=forward_input_names(model),
            output_names=output_names,
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            # Unfolded, the graph keeps the parameters as they are (shared with the other graphs
            # through weights.bin); onnxruntime folds the reshapes when the session starts.
            do_constant_folding=False,
        )
    _declare_output_shapes(path, model)


def export_plain(model: HookedTransformer, path: Path) -> None:
    model.eval()
    output_names = ["logits"] + model.hook_names
    dynamic_axes: Dict[str, Dict[int, str]] = {
        "tokens": {0: "batch", 1: "pos"},
        "logits": {0: "batch", 1: "pos"},
    }
    for name in model.hook_names:
        dynamic_axes[name] = _symbolic_axes(model, name)
    with torch.no_grad(), onnx_friendly(model):
        torch.onnx.export(
            PlainForwardGraph(model),
            (example_tokens(model),),
            str(path),
            input_names=["tokens"],
            output_names=output_names,
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            do_constant_folding=False,  # as in export_forward
        )
    _declare_output_shapes(path, model)


def prefix_input_names(model: HookedTransformer) -> List[str]:
    return ["tokens", *past_input_names(model), *forward_input_names(model)[1:]]


def export_prefix(model: HookedTransformer, path: Path) -> None:
    """model.prefix.onnx (see models/lab/prefix.py): logits of a suffix after a prefix given by
    its keys and values, with the intervention inputs of model.onnx."""
    model.eval()
    cfg = model.cfg
    # Tracing input: prefix 2, suffix 3 (within n_ctx), batch 2 with a past of batch 1, so that
    # every axis stays distinct and the past broadcasts.
    n_prefix = 2 if cfg.n_ctx >= 3 else 1
    n_suffix = max(1, min(3, cfg.n_ctx - n_prefix))
    tokens = torch.zeros(4, n_suffix, dtype=torch.long)
    past = [torch.zeros(1, cfg.n_heads, n_prefix, cfg.d_head) for _ in past_input_names(model)]
    flat = []
    dynamic_axes: Dict[str, Dict[int, str]] = {"tokens": {0: "batch", 1: "pos"}}
    for name in past_input_names(model):
        dynamic_axes[name] = {0: "past_batch", 2: "prefix"}
    for name in model.intervention_hook_names:
        rank = len(model.hook_shape(name))
        for kind in INTERVENTION_KINDS:
            flat.append(torch.zeros([1] * rank))
            dynamic_axes[f"{kind}:{name}"] = {i: f"{kind}:{name}:{i}" for i in range(rank)}
    dynamic_axes["logits"] = {0: "batch", 1: "pos"}
    with torch.no_grad(), onnx_friendly(model):
        torch.onnx.export(
            PrefixForwardGraph(model),
            (tokens, *past, *flat),
            str(path),
            input_names=prefix_input_names(model),
            output_names=["logits"],
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            do_constant_folding=False,  # as in export_forward
        )
    _declare_output_shapes(path, model)


ATTRIBUTION_INPUTS = ["prefix", "tokens", "logit_grad"]


def export_attribution(model: HookedTransformer, path: Path) -> None:
    """model.attrib.onnx (see models/lab/attribution.py): the scores of attribution patching of
    a pair, computed after the prefix the two prompts share, with the target's backward pass
    alone."""
    model.eval()
    cfg = model.cfg
    # Tracing input: prefix 2, suffix 1 (n_ctx 3) or 3, so that the two axes stay distinct.
    n_prefix = 2 if cfg.n_ctx >= 3 else 1
    n_suffix = max(1, min(3, cfg.n_ctx - n_prefix))
    inputs = (
        torch.zeros(1, n_prefix, dtype=torch.long),
        torch.zeros(2, n_suffix, dtype=torch.long),
        torch.zeros(1, cfg.d_vocab),
    )
    dynamic_axes: Dict[str, Dict[int, str]] = {
        "prefix": {1: "prefix"},
        "tokens": {1: "suffix"},
        "attr": {1: "suffix"},
        "attr_pattern": {2: "suffix"},
    }
    with torch.no_grad():
        torch.onnx.export(
            AttributionGraph(model),
            inputs,
            str(path),
            input_names=ATTRIBUTION_INPUTS,
            output_names=ATTRIBUTION_OUTPUTS,
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            do_constant_folding=False,  # as in export_backward
        )
    onnx.checker.check_model(onnx.load(str(path)))


def export_backward(model: HookedTransformer, path: Path) -> None:
    model.eval()
    tokens = example_tokens(model)
    logit_grad = torch.zeros(*tokens.shape, model.cfg.d_vocab)
    output_names = grad_output_names(model)
    dynamic_axes: Dict[str, Dict[int, str]] = {
        "tokens": {0: "batch", 1: "pos"},
        "logit_grad": {0: "batch", 1: "pos"},
        "logits": {0: "batch", 1: "pos"},
    }
    for name in model.hook_names:
        dynamic_axes[name] = _symbolic_axes(model, name)
    for name in model.intervention_hook_names:
        dynamic_axes[f"grad:{name}"] = _symbolic_axes(model, name)
    with torch.no_grad():
        torch.onnx.export(
            GradExportGraph(model),
            (tokens, logit_grad),
            str(path),
            input_names=["tokens", "logit_grad"],
            output_names=output_names,
            dynamic_axes=dynamic_axes,
            opset_version=OPSET,
            # Folding would store each weight twice (as used forward and transposed backward);
            # onnxruntime folds/fuses the transposes itself when the session is created.
            do_constant_folding=False,
        )
    _declare_output_shapes(path, model)


def _concrete_dims(model: HookedTransformer, name: str) -> List[object]:
    """Hook shape with config sizes filled in and batch/pos axes left symbolic."""
    cfg = model.cfg
    sizes = dict(d_model=cfg.d_model, n_heads=cfg.n_heads, d_head=cfg.d_head, d_mlp=cfg.d_mlp)
    return [sizes.get(dim, dim) for dim in model.hook_shape(name)]


def _declare_output_shapes(path: Path, model: HookedTransformer) -> None:
    """torch cannot infer hook output shapes through the broadcasting intervention inputs, so
    it invents names like 'Addhook_embed_dim_2'; write the true shapes into the graph."""
    onnx_model = onnx.load(str(path))
    for output in onnx_model.graph.output:
        name = output.name[len("grad:") :] if output.name.startswith("grad:") else output.name
        dims = (
            ["batch", "pos", model.cfg.d_vocab] if name == "logits" else _concrete_dims(model, name)
        )
        shape = output.type.tensor_type.shape
        assert len(shape.dim) == len(dims), (output.name, shape, dims)
        for dim, value in zip(shape.dim, dims):
            if isinstance(value, int):
                dim.dim_value = value
            else:
                dim.dim_param = value
    onnx.checker.check_model(onnx_model)
    onnx.save(onnx_model, str(path))


# Initializers smaller than this stay inside each graph (shape constants, scalars, small biases).
EXTERNAL_MIN_BYTES = 1024
EXTERNAL_ALIGN = 64


def share_weights(graph_paths: List[Path], weights_path: Path) -> None:
    """Move the large initializers of every graph into one external data file, each distinct
    tensor stored once: the graphs of a model hold the same parameters, so all three point at
    the same bytes. Each graph then references ``weights_path.name`` (same folder)."""
    data = bytearray()
    offsets: Dict[bytes, Tuple[int, int]] = {}
    models = []
    for path in graph_paths:
        onnx_model = onnx.load(str(path))
        for init in onnx_model.graph.initializer:
            assert init.data_location != onnx.TensorProto.EXTERNAL, (path, init.name)
            array = numpy_helper.to_array(init)
            raw = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
            if len(raw) < EXTERNAL_MIN_BYTES:
                continue
            key = hashlib.sha256(raw).digest()
            if key not in offsets:
                data.extend(b"\0" * (-len(data) % EXTERNAL_ALIGN))
                offsets[key] = (len(data), len(raw))
                data.extend(raw)
            offset, length = offsets[key]
            # Clear every inline data field, then point at the shared file.
            for field in ("raw_data", "float_data", "int32_data", "int64_data", "double_data"):
                init.ClearField(field)
            init.data_location = onnx.TensorProto.EXTERNAL
            del init.external_data[:]
            for k, v in (("location", weights_path.name), ("offset", offset), ("length", length)):
                entry = init.external_data.add()
                entry.key, entry.value = k, str(v)
        models.append((path, onnx_model))
    weights_path.write_bytes(bytes(data))
    for path, onnx_model in models:
        # Serialise directly: onnx.save would try to (re)write the external data itself.
        path.write_bytes(onnx_model.SerializeToString())
        onnx.checker.check_model(str(path))


def _file_info(path: Path) -> Dict[str, object]:
    data = path.read_bytes()
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def build_manifest(
    name: str, model: HookedTransformer, out_dir: Path, files: Dict[str, Optional[str]], extra: dict
) -> dict:
    cfg = model.cfg
    file_names = [f for f in files.values() if f] + ["tokenizer.json"]
    return {
        "name": name,
        "version": FORMAT_VERSION,
        "config": {
            "n_layers": cfg.n_layers,
            "d_model": cfg.d_model,
            "n_heads": cfg.n_heads,
            "d_head": cfg.d_head,
            "d_mlp": cfg.d_mlp,
            "d_vocab": cfg.d_vocab,
            "n_ctx": cfg.n_ctx,
            "act_fn": cfg.act_fn,
            "normalization": cfg.normalization,
            "ln_eps": cfg.ln_eps,
            "seed": cfg.seed,
        },
        "hooks": [{"name": n, "shape": model.hook_shape(n)} for n in model.hook_names],
        "interventionHooks": model.intervention_hook_names,
        "inputs": {
            "forward": forward_input_names(model),
            "plain": ["tokens"] if files.get("plain") else None,
            "backward": ["tokens", "logit_grad"] if files.get("backward") else None,
            "prefix": prefix_input_names(model) if files.get("prefix") else None,
            "attribution": ATTRIBUTION_INPUTS if files.get("attribution") else None,
        },
        "outputs": {
            "forward": ["logits"] + model.hook_names,
            "plain": ["logits"] + model.hook_names if files.get("plain") else None,
            "backward": grad_output_names(model) if files.get("backward") else None,
            "prefix": ["logits"] if files.get("prefix") else None,
            "attribution": ATTRIBUTION_OUTPUTS if files.get("attribution") else None,
        },
        **({"attribution": attribution_layout(model)} if files.get("attribution") else {}),
        "files": files,
        "tokenizer": "tokenizer.json",
        "sha256": {f: _file_info(out_dir / f)["sha256"] for f in file_names},
        "bytes": {f: _file_info(out_dir / f)["bytes"] for f in file_names},
        "opset": OPSET,
        **extra,
    }


def export_model(
    name: str,
    model: HookedTransformer,
    tokenizer_path: Path,
    out_dir: Path,
    with_backward: bool = True,
    extra: Optional[dict] = None,
) -> dict:
    """Write model.onnx, model.plain.onnx (+ model.grad.onnx), model.prefix.onnx, their shared
    weights.bin,
    tokenizer.json and manifest.json to out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model = model.float().eval()
    export_forward(model, out_dir / "model.onnx")
    export_plain(model, out_dir / "model.plain.onnx")
    files: Dict[str, Optional[str]] = {
        "forward": "model.onnx",
        "plain": "model.plain.onnx",
        "backward": None,
        "weights": "weights.bin",
    }
    if with_backward:
        export_backward(model, out_dir / "model.grad.onnx")
        files["backward"] = "model.grad.onnx"
    elif (out_dir / "model.grad.onnx").exists():
        (out_dir / "model.grad.onnx").unlink()
    # Last, so that the other graphs' weights keep their offsets in weights.bin.
    export_prefix(model, out_dir / "model.prefix.onnx")
    files["prefix"] = "model.prefix.onnx"
    if with_backward:
        # After the prefix graph, for the same reason (it adds no weights of its own).
        export_attribution(model, out_dir / "model.attrib.onnx")
        files["attribution"] = "model.attrib.onnx"
    elif (out_dir / "model.attrib.onnx").exists():
        (out_dir / "model.attrib.onnx").unlink()
    graphs = [out_dir / f for k, f in files.items() if f and k != "weights"]
    share_weights(graphs, out_dir / "weights.bin")
    if tokenizer_path.resolve() != (out_dir / "tokenizer.json").resolve():
        shutil.copyfile(tokenizer_path, out_dir / "tokenizer.json")
    manifest = build_manifest(name, model, out_dir, files, extra or {})
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def trained_models() -> List[str]:
    """Names of models with a trained checkpoint (models/<name>/checkpoints/final.pt)."""
    return sorted(p.parents[1].name for p in (REPO_ROOT / "models").glob("*/checkpoints/final.pt"))


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="model names, e.g. tiny-lm (default: all trained)")
    parser.add_argument("--checkpoint", help="default models/<name>/checkpoints/final.pt")
    parser.add_argument("--tokenizer", help="default models/<name>/tokenizer.json")
    parser.add_argument("--out", help="default public/models/<name>")
    parser.add_argument("--no-backward", action="store_true", help="skip model.grad.onnx")
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    names = args.names or trained_models()
    if len(names) != 1 and (args.checkpoint or args.tokenizer or args.out):
        parser.error("--checkpoint/--tokenizer/--out need exactly one model name")
    for name in names:
        ckpt = Path(args.checkpoint or REPO_ROOT / "models" / name / "checkpoints" / "final.pt")
        tok = Path(args.tokenizer or REPO_ROOT / "models" / name / "tokenizer.json")
        out = Path(args.out or REPO_ROOT / "public" / "models" / name)
        model = HookedTransformer.load(str(ckpt))
        manifest = export_model(name, model, tok, out, with_backward=not args.no_backward)
        for f, n in manifest["bytes"].items():
            print(f"{out / f}: {n} bytes")


if __name__ == "__main__":
    main()
