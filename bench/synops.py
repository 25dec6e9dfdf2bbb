#!/usr/bin/python3
"""synops.py SPIKEC MODEL.snn DATA: SynOps and dense MACs per sample, forward.

DATA is the folder of `torch_bench.py data` (shape.txt, x.f32 (NB, T, B, I)).
The numbers are `SPIKEC report MODEL.snn --checkpoint INIT --input X --json`
(docs/report.md): INIT is `SPIKEC init --seed 1`, the parameters the bench
driver trains from (<model>_init(params, 1)), and X is every batch of DATA
as one (T, NB * B, I) array. Prints one JSON object, the report's numbers
under bench's names:

- macs_per_sample: every forward product's m * k per sample and application;
- synops_per_sample: the accumulates of the products marked `(spike
  events)`, from the active inputs they read (docs/bench.md, "SynOps");
- dense_macs_done_per_sample: the MACs of the products that stay dense;
- products: each product's macs, active inputs and SynOps.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def main(spikec, model, data):
    with open(os.path.join(data, "shape.txt")) as f:
        nb, steps, batch, inputs = (int(v) for v in f.read().split())
    x = np.fromfile(os.path.join(data, "x.f32"), dtype=np.float32).reshape(nb, steps, batch, inputs)
    with tempfile.TemporaryDirectory() as tmp:
        xs, init = os.path.join(tmp, "x.npy"), os.path.join(tmp, "init.safetensors")
        np.save(xs, np.ascontiguousarray(x.transpose(1, 0, 2, 3).reshape(steps, nb * batch, inputs)))
        subprocess.run([spikec, "init", model, "--seed", "1", "--output", init], check=True, capture_output=True)
        rep = json.loads(subprocess.run([spikec, "report", model, "--checkpoint", init, "--input", xs, "--json"],
                                        check=True, capture_output=True, text=True).stdout)
    prods = [{k: p[k] for k in ("product", "events", "macs", "active_inputs", "synops")} for p in rep["products"]]
    m = rep["measured"]
    print(json.dumps({"side": "spikec", "what": "synops", "model": rep["model"], "samples": m["samples"],
                      "synops_per_sample": m["synops_per_sample"], "macs_per_sample": rep["macs_per_sample"],
                      "synops_per_mac": m["synops_per_mac"],
                      "dense_macs_done_per_sample": rep["dense_macs_done_per_sample"], "products": prods}))


if __name__ == "__main__":
    main(*sys.argv[1:])
