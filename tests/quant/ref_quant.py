"""ref_quant.py: the quantized forward pass of docs/quantize.md, written again
in numpy from the documentation, to check spikec's bit for bit.

  ref_quant.py derive FLOAT.safetensors QUANT.safetensors LAYER... THETA
      the int8 weights, scales and thresholds that `spikec quantize` must have
      written for slstm layers LAYER (threshold THETA) read by dense layers
  ref_quant.py forward QUANT.safetensors X.npy Y.npy H READOUT
      the outputs of an slstm layer `h` (H units) and a dense layer `y` over
      last(h) (READOUT "last") or every step's h ("step"), to compare with
      `spikec infer --quantized`

Exits 1 naming the first difference. Needs only numpy."""
import json
import sys

import numpy as np


def load(path):
    """The tensors of a safetensors file, by name."""
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        head = json.loads(f.read(n))
        data = f.read()
    dt = {"F32": np.float32, "I32": np.int32, "I8": np.int8}
    out = {}
    for name, t in head.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype=dt[t["dtype"]]).reshape(t["shape"])
    return out, head.get("__metadata__", {})


def quantize(ws):
    """One scale per row shared by the weights ws summed into one
    accumulator: max |w| / 127 in float32; q = w / scale rounded half away
    from zero in double, clamped to +-127."""
    maxabs = np.max(np.abs(np.concatenate(ws, axis=1)), axis=1).astype(np.float32)
    scale = (maxabs / np.float32(127)).astype(np.float32)
    qs = []
    for w in ws:
        with np.errstate(divide="ignore", invalid="ignore"):
            v = w.astype(np.float64) / scale.astype(np.float64)[:, None]
        v = np.where(scale[:, None] > 0, np.sign(v) * np.floor(np.abs(v) + 0.5), 0)
        qs.append(np.clip(v, -127, 127).astype(np.int8))
    return scale, qs


def derive(fpath, qpath, layers, theta):
    f, _ = load(fpath)
    q, meta = load(qpath)
    if "quantized" not in meta:
        sys.exit(f"{qpath}: no 'quantized' in its metadata")
    want = {}
    for L in layers:
        if f"{L}.weight_ih" in f:  # an slstm layer: thresholds of its four gates
            scale, (qi, qh) = quantize([f[f"{L}.weight_ih"], f[f"{L}.weight_hh"]])
            want[f"{L}.weight_ih"], want[f"{L}.weight_hh"] = qi, qh
            off = f[f"{L}.bias"].astype(np.float64) + np.float64(np.float32(-theta))
            with np.errstate(divide="ignore", invalid="ignore"):
                t = np.where(scale > 0, np.floor(-off / scale.astype(np.float64)), np.where(off > 0, -1, 0))
            want[f"{L}.threshold"] = np.clip(t, -(1 << 30), 1 << 30).astype(np.int32)
        else:  # a dense readout
            scale, (qw,) = quantize([f[f"{L}.weight"]])
            want[f"{L}.weight"] = qw
        want[f"{L}.scale"] = scale
    for name, w in want.items():
        if name not in q:
            sys.exit(f"{qpath}: no tensor '{name}'")
        got = q[name]
        if got.dtype != w.dtype or got.shape != w.shape or not np.array_equal(got.view(np.uint8), w.view(np.uint8)):
            bad = np.argwhere(got != w)[:1]
            sys.exit(f"{name}: {got.dtype}{list(got.shape)} differs from the reference {w.dtype}{list(w.shape)}"
                     f" (first at {bad.tolist()}: {got[tuple(bad[0])] if len(bad) else '-'} vs "
                     f"{w[tuple(bad[0])] if len(bad) else '-'})")
    print(f"derive: {len(want)} tensors equal the reference")


def forward(qpath, xpath, ypath, H, readout):
    q, _ = load(qpath)
    x = np.load(xpath)
    T, B, _ = x.shape
    wi, wh = q["h.weight_ih"].astype(np.int32), q["h.weight_hh"].astype(np.int32)
    thr = q["h.threshold"]
    h = np.zeros((B, H), np.int32)
    c = np.zeros((B, H), np.int32)
    wy = q["y.weight"].astype(np.int32)

    def dense(s):  # float32(acc) * scale + bias, in float32 as C computes it
        acc = s @ wy.T
        return acc.astype(np.float32) * q["y.scale"] + q["y.bias"]

    outs = []
    for t in range(T):
        acc = (x[t] != 0).astype(np.int32) @ wi.T + h @ wh.T
        gate = (acc > thr).astype(np.int32)
        i, f, g, o = gate[:, :H], gate[:, H:2 * H], gate[:, 2 * H:3 * H], gate[:, 3 * H:]
        c = (f * c + i * g > 0).astype(np.int32)
        h = o * c
        if readout == "step":
            outs.append(dense(h))
    want = np.stack(outs) if readout == "step" else dense(h)
    got = np.load(ypath)
    if got.shape != want.shape or not np.array_equal(got.view(np.uint32), want.astype(np.float32).view(np.uint32)):
        d = np.max(np.abs(got - want)) if got.shape == want.shape else "shape"
        sys.exit(f"{ypath}: differs from the reference forward pass (largest difference {d})")
    print(f"forward: {want.size} outputs equal the reference bit for bit")


if __name__ == "__main__":
    if sys.argv[1] == "derive":
        derive(sys.argv[2], sys.argv[3], sys.argv[4:-1], float(sys.argv[-1]))
    else:
        forward(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6])
