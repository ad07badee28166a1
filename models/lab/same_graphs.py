"""Do two exports compute the same thing? For refactors of the model code that must not change
the committed graphs' behaviour.

    /usr/bin/python3 -m models.lab.same_graphs OLD_DIR NEW_DIR

Every value in each ONNX graph is identified by (op, domain, attributes, identities of its
inputs), starting from the graph inputs by name and the initializers by content, so node and
value names and the order of independent nodes do not matter. Two graphs are the same
computation when every output has the same identity; exits 1 otherwise. weights.bin must match
byte for byte.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import List, Tuple

import onnx
from onnx import helper

GRAPHS = (
    "model.onnx",
    "model.plain.onnx",
    "model.grad.onnx",
    "model.prefix.onnx",
    "model.attrib.onnx",
)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def output_identities(path: Path) -> List[Tuple[str, str]]:
    """(output name, identity of the computation that produces it) for every graph output."""
    graph = onnx.load(str(path), load_external_data=False).graph
    ident = {"": "absent"}
    for value in graph.input:
        ident[value.name] = "input:" + value.name
    for t in graph.initializer:
        external = {e.key: e.value for e in t.external_data}
        content = [t.dims, t.data_type, t.raw_data.hex(), list(t.float_data), list(t.int64_data),
                   external.get("offset"), external.get("length")]
        ident[t.name] = "init:" + _digest(repr(content))
    for node in graph.node:
        attrs = sorted((a.name, repr(helper.get_attribute_value(a))) for a in node.attribute)
        key = repr((node.op_type, node.domain, attrs, [ident[i] for i in node.input]))
        for j, out in enumerate(node.output):
            ident[out] = _digest(f"{key}#{j}")
    return [(value.name, ident[value.name]) for value in graph.output]


def main(argv: List[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    old, new = Path(argv[0]), Path(argv[1])
    same = True
    for name in GRAPHS:
        if not (old / name).exists() and not (new / name).exists():
            continue
        if not (old / name).exists() or not (new / name).exists():
            same = False
            print(f"{name}: only in {'NEW' if (new / name).exists() else 'OLD'}")
            continue
        a, b = output_identities(old / name), output_identities(new / name)
        differing = [x[0] for x, y in zip(a, b) if x != y]
        if len(a) != len(b):
            differing.append("(number of outputs)")
        same &= not differing
        verdict = "same computation" if not differing else f"DIFFERENT: {differing[:5]}"
        print(f"{name}: {len(a)} outputs, {verdict}")
    weights_same = (old / "weights.bin").read_bytes() == (new / "weights.bin").read_bytes()
    print("weights.bin: " + ("identical" if weights_same else "DIFFERENT"))
    return 0 if same and weights_same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
