"""PyTorch eager side of scripts/bench-ml.mjs: a long-lived worker that times forward passes
with every hook cached (models/lab/model.py, run_with_cache) on the same checkpoint and tokens.

Protocol (one JSON object per line): stdin {"runs": N} -> stdout {"ms": [...], "cpu": [...]}
(wall-clock and process CPU milliseconds per run).
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


def main() -> None:
    checkpoint, tokens_json, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(threads)
    model = HookedTransformer.load(checkpoint).eval()
    tokens = torch.tensor([json.loads(tokens_json)], dtype=torch.long)
    with torch.no_grad():
        logits, cache = model.run_with_cache(tokens)
        print(json.dumps({"ready": True, "hooks": len(cache), "threads": torch.get_num_threads()}), flush=True)
        for line in sys.stdin:
            runs = json.loads(line)["runs"]
            ms, cpu = [], []
            for _ in range(runs):
                c0, t0 = time.process_time(), time.perf_counter()
                model.run_with_cache(tokens)
                ms.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            print(json.dumps({"ms": ms, "cpu": cpu}), flush=True)


if __name__ == "__main__":
    main()
