#!/usr/bin/python3
"""synops.py SPIKEC MODEL.snn < COUNTS: SynOps and dense MACs per sample, forward.

COUNTS is the JSON line of `spikec_bench synops DATA` (spikes per sample of
m_init(seed 1) on DATA). The products come from the forward (infer) section
of `SPIKEC ir MODEL.snn --after kernels`. Prints one JSON object:

- macs_per_sample: every gemm's m * k per sample and application (T
  applications inside the time loop, else one): what a dense forward pass
  multiplies and adds;
- synops_per_sample: for each gemm marked `(spike events)`, the active
  inputs it reads per sample times its output width m, summed: the
  accumulates the event kernels do. The spike input's active inputs are
  counted exactly; a spike state's are its mean count per step (count / T)
  times the applications that can read a nonzero value (inside the loop, a
  state zeroed before it is silent at the first step);
- dense_macs_done_per_sample: the MACs of the products that stay dense.

The definition, and what it leaves out: docs/bench.md, "SynOps".
"""
import json
import re
import subprocess
import sys

BUF = re.compile(r"buf\s+(\S+)\s+(\S+)\s+(?:(?:infer|train)\s+)?(\w+)\[([^\]]*)\]")
GEMM = re.compile(r"gemm (\S+) \+?= (\S+) @ (\S+?)\^T( +\(spike events\))?$")


def forward_section(ir):
    """(bufs, lines): each buffer's (kind, shape) and the infer section's lines, stripped."""
    bufs, lines, where = {}, [], None
    for line in ir.splitlines():
        m = BUF.match(line)
        if m:
            bufs.setdefault(m[1], (m[2], m[4].split(",")))
        elif line in ("infer:", "train:"):
            where = line
        elif where == "infer:":
            lines.append(line.strip())
    return bufs, lines


def spike_of(buf, lines, spikes):
    """The named spike value (layer.value) that the forward pass stores into buf."""
    stored = {m[1] for l in lines for m in [re.match(r"store (\S+) -> (\S+)$", l)] if m and m[2] == buf}
    names = [s for s in spikes if s.split(".")[1] in stored and
             (buf.startswith(s.split(".")[0] + "_") or buf == "last_" + s.split(".")[0])]
    if len(names) != 1:
        sys.exit(f"synops.py: cannot tell which spike value {buf} holds (candidates {names})")
    return names[0]


def products(ir, counts):
    bufs, lines = forward_section(ir)
    steps = counts["steps"]
    blocks, zeroed, out = [], set(), []
    for l in lines:
        depth = blocks.count("loop")
        if l.endswith("{"):
            blocks.append(l.split()[0])
        elif l == "}":
            blocks.pop()
        elif l.startswith("zero ") and depth == 0:
            zeroed.add(l.split()[1])
        elif l.startswith("gemm"):
            m = GEMM.match(l)
            if not m:
                sys.exit(f"synops.py: unexpected product in the kernel IR: {l}")
            x, w, events = m[2], m[3], bool(m[4])
            rows, k = (int(v) for v in bufs[w][1])
            apps = steps if depth or bufs[x][1][0] == "T" else 1
            active = None
            if events and bufs[x][0] == "input":
                active = counts["input_ones_per_sample"]
            elif events:
                name = spike_of(x, lines, counts["spikes_per_sample"])
                live = apps - (1 if depth and x in zeroed else 0)
                active = counts["spikes_per_sample"][name] / steps * live
            out.append({"product": f"{x} @ {w}^T", "events": events, "macs": rows * k * apps,
                        "active_inputs": active, "synops": active * rows if events else 0})
    return out


def main(spikec, model):
    counts = json.loads(sys.stdin.readline())
    ir = subprocess.run([spikec, "ir", model, "--after", "kernels"], check=True, capture_output=True,
                        text=True).stdout
    prods = products(ir, counts)
    macs = sum(p["macs"] for p in prods)
    synops = sum(p["synops"] for p in prods)
    dense = sum(p["macs"] for p in prods if not p["events"])
    print(json.dumps({"side": "spikec", "what": "synops", "model": counts["model"], "samples": counts["samples"],
                      "synops_per_sample": synops, "macs_per_sample": macs, "synops_per_mac": synops / macs,
                      "dense_macs_done_per_sample": dense,
                      "products": prods}))


if __name__ == "__main__":
    main(*sys.argv[1:])
