#!/usr/bin/python3
"""make_grad_fixtures.py: PyTorch autograd fixtures for spikec's training pass.

Regenerate (needs Debian's python3-torch and python3-numpy; run from anywhere):

    /usr/bin/python3 tests/torch/make_grad_fixtures.py

It rewrites tests/fixtures/grad/NAME/ for every model tests/grad/NAME.snn listed
in MODELS below, deterministically (fixed seeds); the result is committed, and
tests/grad/run_grad.sh (via tests/grad/torch_check.c) only reads the .npy files,
so CI never needs Python or torch. A model here and its .snn must agree (T, I,
hidden sizes, thresholds, surrogates, readout, loss); torch_check checks every
shape against the emitted header, not the hyper-parameters.

Each model is a twin written directly from DESIGN section 2 and dsl/prelude.snn
(not from the compiler): slstm with S(v) = v > 0 and a torch.autograd.Function
whose backward is the surrogate psi(v) of DESIGN's table; lstm = torch.nn.LSTM
with bias_hh = 0, written out with the same layout (and checked against
nn.LSTM); dense y = x W^T + b; last(h) = h_T; mean(h) = sum_t h_t / T;
lif, lif_learn and alif written out from docs/language.md's equations with
the same Spike function (reset by subtraction through the spike, not
detached); snntorch_slstm = that lstm (layer L.lstm_cell) thresholded by
Spike, as snnTorch's SLSTM with reset_mechanism "none"; cross_entropy = F.cross_entropy (mean over B rows, or T * B rows per step);
mse = F.mse_loss (mean over every element); dropout = PyTorch's inverted
dropout x * mask / (1 - p) (checked against F.dropout) with the mask spikec
draws, reproduced here from runtime/dropout.h and runtime/rng.h (Philox4x32-10
in numpy, checked against Random123's known answer) for the key that
torch_check.c sets: DROPOUT_KEY below; embed = torch.nn.Embedding (its
functional form F.embedding, checked against the module) of the token ids,
which x holds as floats (T, B, 1).

Parameters and inputs are drawn in float32; the reference loss and gradients
are computed in float64 from those same float32 values (the "true" gradient of
the float32 model; theta is the float32 value the emitted C compares with).
Draws are redrawn until every slstm gate fires 20-80% of the time (and its
output h at least 10% of the time), every lif/lif_learn/alif layer's spikes
fire 10-90% of the time, and no spike
pre-activation (nor a rect surrogate's edge) lies within MARGIN of its
threshold, so float32 summation order cannot flip a spike.

Files in tests/fixtures/grad/NAME/ (NumPy format 1.0, C order):

    <param>.npy       float32, by checkpoint name (h.weight_ih.npy, y.bias.npy, ...)
    x.npy             float32 (T, B, I)
    labels.npy        int32 (B) or (T, B) for cross_entropy (per step: (T, B))
    targets.npy       float32, shaped like y, for mse
    loss.npy          float64 scalar (0-d)
    grad.<param>.npy  float64, shaped like the parameter
"""
import math
import os
import shutil

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "grad")
MARGIN = 1e-4
THETA = 0.1
DROPOUT_KEY = (7, 3, 5)  # seed, step, row0: torch_check.c's DROPOUT_SEED, DROPOUT_STEP, DROPOUT_ROW0


# ---- spikec's dropout masks (runtime/rng.h, runtime/dropout.h) ------------

def philox4x32(ctr, key):
    """Philox4x32-10 of uint64 arrays holding 32-bit words: ctr 4 arrays, key 2 ints."""
    m32 = np.uint64(0xFFFFFFFF)
    x0, x1, x2, x3 = (np.asarray(c, dtype=np.uint64) & m32 for c in ctr)
    k0, k1 = np.uint64(key[0]), np.uint64(key[1])
    for r in range(10):
        p0 = np.uint64(0xD2511F53) * x0
        p1 = np.uint64(0xCD9E8D57) * x2
        if r > 0:
            k0 = (k0 + np.uint64(0x9E3779B9)) & m32
            k1 = (k1 + np.uint64(0xBB67AE85)) & m32
        x0, x1, x2, x3 = (p1 >> np.uint64(32)) ^ x1 ^ k0, p1 & m32, (p0 >> np.uint64(32)) ^ x3 ^ k1, p0 & m32
    return x0, x1, x2, x3


def rng_uniform(seed, stream, index):
    """spk_rng_uniform for an array of indices: float32 in [0, 1)."""
    index = np.asarray(index, dtype=np.uint64)
    ctr = (index & np.uint64(0xFFFFFFFF), index >> np.uint64(32),
           np.full_like(index, stream & 0xFFFFFFFF), np.full_like(index, stream >> 32))
    r = philox4x32(ctr, (seed & 0xFFFFFFFF, seed >> 32))[0]
    return (r >> np.uint64(8)).astype(np.float32) * np.float32(1.0 / 16777216.0)


def dropout_mask(site, p, T, B, n, t=None):
    """The factors (B, n) of dropout site `site` at step t (None: after the loop)
    under DROPOUT_KEY: scale = float32(1 / (1 - p)) where u >= p, else 0."""
    seed, step, row0 = DROPOUT_KEY
    b = np.arange(B, dtype=np.uint64)[:, None]
    j = np.arange(n, dtype=np.uint64)[None, :]
    index = ((np.uint64(row0) + b) * np.uint64(T) + np.uint64(0 if t is None else t)) * np.uint64(n) + j
    u = rng_uniform(0x44524F50 << 32 | seed, step << 16 | site, index)
    p32 = np.float32(p)
    scale = np.float32(1.0 / (1.0 - float(p32)))
    return torch.from_numpy(np.where(u >= p32, scale, np.float32(0)))


def dropout(v, site, p, T):
    """x * mask, per step for (T, B, n), once for (B, n) after the loop of T steps."""
    if v.dim() == 2:
        return v * dropout_mask(site, p, T, v.shape[0], v.shape[1]).to(v.dtype)
    T, B, n = v.shape
    return v * torch.stack([dropout_mask(site, p, T, B, n, t) for t in range(T)]).to(v.dtype)


def check_dropout_rng():
    """philox4x32 against Random123's known answer (as tests/unit/test_rng.c),
    and the mask arithmetic against F.dropout's (x * mask / (1 - p))."""
    want = (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)
    got = philox4x32([[0x243F6A88], [0x85A308D3], [0x13198A2E], [0x03707344]], (0xA4093822, 0x299F31D0))
    assert tuple(int(w[0]) for w in got) == want, "numpy Philox disagrees with Random123"
    # spk_rng_uniform(SPK_DROPOUT_KEY << 32 | 7, 3 << 16 | 1, 123456789), printed by the C
    assert rng_uniform(0x44524F50 << 32 | 7, 3 << 16 | 1, [123456789])[0] == np.float32(0.222812951)
    x = torch.randn(64, 32, dtype=torch.float64)
    y = F.dropout(x, 0.3, training=True)
    keep = (y != 0).to(x.dtype)
    assert torch.equal(y, x * keep * (1.0 / (1.0 - 0.3))), "F.dropout is not x * mask / (1 - p)"


# ---- surrogates (DESIGN section 2's table; defaults as there) ---------------

def gaussian(var=0.15, peak=None):
    if peak is None:
        peak = 1.0 / math.sqrt(2.0 * math.pi * var)
    return ("gaussian", lambda v: peak * torch.exp(-v * v / (2.0 * var)), [])


def fast_sigmoid(slope=25.0):
    return ("fast_sigmoid", lambda v: 1.0 / (1.0 + slope * v.abs()) ** 2, [])


def atan(alpha=2.0):
    return ("atan", lambda v: (alpha / 2.0) / (1.0 + (math.pi / 2.0 * alpha * v) ** 2), [])


def sigmoid(slope=5.0):
    def psi(v):
        s = torch.sigmoid(slope * v)
        return slope * s * (1.0 - s)
    return ("sigmoid", psi, [])


def triangle(width=1.0):
    return ("triangle", lambda v: (1.0 - v.abs() / width).clamp(min=0.0) / width, [])


def rect(width=1.0):
    # psi jumps at |v| = width / 2: those points need a margin too.
    return ("rect", lambda v: (v.abs() < width / 2.0).to(v.dtype) / width, [width / 2.0])


def straight_through():
    return ("straight_through", lambda v: torch.ones_like(v), [])


# The prelude's slstm defaults: gates gaussian(var = 0.15), g and the cell
# gaussian(var = 0.5, peak = 1.0300645387285057) (= 1/sqrt(0.3 pi)).
GATE_DEFAULT = gaussian(var=0.15)
CELL_DEFAULT = gaussian(var=0.5, peak=1.0300645387285057)


class Spike(torch.autograd.Function):
    """S(v) = 1 if v > 0 else 0; backward: grad * psi(v)."""

    @staticmethod
    def forward(ctx, v, psi):
        ctx.save_for_backward(v)
        ctx.psi = psi
        return (v > 0).to(v.dtype)

    @staticmethod
    def backward(ctx, grad):
        (v,) = ctx.saved_tensors
        return grad * ctx.psi(v), None


# ---- the twin ---------------------------------------------------------------

class Run:
    """What one forward pass saw: spike pre-activations, firing rates."""

    def __init__(self):
        self.margin = math.inf
        self.rates = []  # (label, rate)

    def spike(self, v, surrogate):
        _, psi, edges = surrogate
        d = v.detach()
        self.margin = min(self.margin, d.abs().min().item())
        for e in edges:
            self.margin = min(self.margin, (d.abs() - e).abs().min().item())
        return Spike.apply(v, psi)


def slstm(run, p, name, x, H, theta, gs, cs):
    w_ih, w_hh, b = p[name + ".weight_ih"], p[name + ".weight_hh"], p[name + ".bias"]
    T, B, _ = x.shape
    theta = float(np.float32(theta))
    h = torch.zeros(B, H, dtype=x.dtype)
    c = torch.zeros(B, H, dtype=x.dtype)
    hs, gates = [], []
    for t in range(T):
        a = x[t] @ w_ih.T + h @ w_hh.T + b
        ai, af, ag, ao = a.split(H, dim=1)
        i = run.spike(ai - theta, gs)
        f = run.spike(af - theta, gs)
        g = run.spike(ag - theta, cs)
        o = run.spike(ao - theta, gs)
        c = run.spike(f * c + i * g - theta, cs)
        h = o * c
        hs.append(h)
        gates.append(torch.stack([i, f, g, o, c, h]).detach())
    rates = torch.stack(gates).mean(dim=(0, 2, 3))
    for k, label in enumerate("ifgoch"):
        run.rates.append((f"{name}.{label}", rates[k].item()))
    return torch.stack(hs)


def lstm(run, p, name, x, H):
    w_ih, w_hh, b = p[name + ".weight_ih"], p[name + ".weight_hh"], p[name + ".bias"]
    T, B, _ = x.shape
    h = torch.zeros(B, H, dtype=x.dtype)
    c = torch.zeros(B, H, dtype=x.dtype)
    hs = []
    for t in range(T):
        a = x[t] @ w_ih.T + h @ w_hh.T + b
        ai, af, ag, ao = a.split(H, dim=1)
        c = torch.sigmoid(af) * c + torch.sigmoid(ai) * torch.tanh(ag)
        h = torch.sigmoid(ao) * torch.tanh(c)
        hs.append(h)
    return torch.stack(hs)


def f32(v):
    """A DSL number as the float32 constant the emitted C uses."""
    return float(np.float32(v))


def lif(run, p, name, x, H, opts):
    """lif, lif_learn and alif (dsl/prelude.snn; docs/language.md's equations)."""
    w_ih, w_hh, b = p[name + ".weight_ih"], p[name + ".weight_hh"], p[name + ".bias"]
    T, B, _ = x.shape
    theta = f32(opts.get("theta", 1.0))
    surrogate = opts.get("surrogate", atan())
    if name + ".beta_raw" in p:
        beta = torch.sigmoid(p[name + ".beta_raw"] + f32(opts.get("beta_logit", 2.1972245773362196)))
    else:
        beta = f32(opts.get("beta", 0.9))
    adaptive = opts.get("adaptive", False)
    rho, adapt = f32(opts.get("rho", 0.95)), f32(opts.get("adapt", 0.1))
    u = torch.zeros(B, H, dtype=x.dtype)
    s = torch.zeros(B, H, dtype=x.dtype)
    a = torch.zeros(B, H, dtype=x.dtype)
    ss = []
    for t in range(T):
        if adaptive:
            reset = s * (theta + adapt * a)
            a = rho * a + s
        else:
            reset = theta * s
        u = beta * u + x[t] @ w_ih.T + s @ w_hh.T + b - reset
        s = run.spike(u - theta - adapt * a if adaptive else u - theta, surrogate)
        ss.append(s)
    out = torch.stack(ss)
    run.rates.append((f"{name}.s", out.detach().mean().item()))
    return out


def snntorch_slstm(run, p, name, x, H, opts):
    """snnTorch's SLSTM, reset "none": S(h_t - threshold) of an lstm named name.lstm_cell."""
    h = lstm(run, p, name + ".lstm_cell", x, H)
    s = run.spike(h - f32(opts.get("theta", 1.0)), opts.get("surrogate", atan()))
    run.rates.append((f"{name}.s", s.detach().mean().item()))
    return s


def forward(m, p, x, labels, targets, run):
    """The model m on parameters p (dict name -> tensor); returns (loss, y)."""
    v = x
    for kind, name, H, opts in m["layers"]:
        if kind == "dropout":  # ("dropout", None, p, {"site": k})
            v = dropout(v, opts["site"], H, m["T"])
        elif kind == "embed":  # ("embed", name, dim, {}): v holds the ids
            v = F.embedding(v[..., 0].long(), p[name + ".weight"])
        elif kind == "slstm":
            v = slstm(run, p, name, v, H, opts.get("theta", THETA),
                      opts.get("gate", GATE_DEFAULT), opts.get("cell", CELL_DEFAULT))
        elif kind == "lstm":
            v = lstm(run, p, name, v, H)
        elif kind == "snntorch_slstm":
            v = snntorch_slstm(run, p, name, v, H, opts)
        else:
            v = lif(run, p, name, v, H, opts)
    if m["readout"] == "last":
        v = v[-1]
    elif m["readout"] == "mean":
        v = v.sum(dim=0) / v.shape[0]
    if "readout_dropout" in m:  # (p, site)
        v = dropout(v, m["readout_dropout"][1], m["readout_dropout"][0], m["T"])
    y = v @ p["y.weight"].T + p["y.bias"]
    if m["loss"] == "cross_entropy":
        loss = F.cross_entropy(y.reshape(-1, y.shape[-1]), labels.reshape(-1).long())
    else:
        loss = F.mse_loss(y, targets)
    return loss, y


def param_shapes(m):
    shapes = {}
    width = m["I"]
    for kind, name, H, _ in m["layers"]:
        if kind == "dropout":
            continue
        if kind == "embed":
            shapes[name + ".weight"] = (m["V"], H)
            width = H
            continue
        gates = 4 if kind in ("slstm", "lstm", "snntorch_slstm") else 1
        if kind == "snntorch_slstm":
            name += ".lstm_cell"
        shapes[name + ".weight_ih"] = (gates * H, width)
        shapes[name + ".weight_hh"] = (gates * H, H)
        shapes[name + ".bias"] = (gates * H,)
        if kind == "lif_learn":
            shapes[name + ".beta_raw"] = (H,)
        width = H
    shapes["y.weight"] = (m["O"], width)
    shapes["y.bias"] = (m["O"],)
    return shapes


def draw(m, gen):
    """float32 parameters (He-normal times m's scale, small random biases) and data."""
    p = {}
    for name, shape in param_shapes(m).items():
        if len(shape) == 2:
            std = math.sqrt(2.0 / shape[1]) * m.get("scale", 1.0)
            p[name] = torch.randn(shape, generator=gen) * std
        else:
            p[name] = torch.randn(shape, generator=gen) * m.get("bias_std", 0.3)
    T, B, I, O = m["T"], m["B"], m["I"], m["O"]
    if m["input"] == "spikes":
        x = (torch.rand(T, B, I, generator=gen) < m.get("input_rate", 0.4)).float()
    elif m["input"] == "tokens":
        x = torch.randint(0, m["V"], (T, B, I), generator=gen).float()
    else:
        x = torch.randn(T, B, I, generator=gen)
    rows = (T, B) if m["readout"] == "step" else (B,)
    labels = targets = None
    if m["loss"] == "cross_entropy":
        labels = torch.randint(0, O, rows, generator=gen, dtype=torch.int32)
    else:
        targets = torch.randn(rows + (O,), generator=gen) * 0.5
    return p, x, labels, targets


def reference(m, p32, x, labels, targets, dtype):
    p = {k: v.to(dtype).clone().requires_grad_(True) for k, v in p32.items()}
    tg = targets.to(dtype) if targets is not None else None
    run = Run()
    loss, _ = forward(m, p, x.to(dtype), labels, tg, run)
    loss.backward()
    return loss.item(), {k: v.grad.detach() for k, v in p.items()}, run


def check_lstm_twin(m, p32, x):
    """The hand-written lstm against torch.nn.LSTM (bias_hh = 0), float64."""
    for kind, name, H, _ in m["layers"]:
        if kind == "snntorch_slstm":
            name += ".lstm_cell"
        elif kind != "lstm":
            continue
        width = p32[name + ".weight_ih"].shape[1]
        xin = x if width == m["I"] and m["input"] != "tokens" else \
            torch.randn(x.shape[0], x.shape[1], width, generator=torch.Generator().manual_seed(0))
        ref = torch.nn.LSTM(width, H).double()
        with torch.no_grad():
            ref.weight_ih_l0.copy_(p32[name + ".weight_ih"])
            ref.weight_hh_l0.copy_(p32[name + ".weight_hh"])
            ref.bias_ih_l0.copy_(p32[name + ".bias"])
            ref.bias_hh_l0.zero_()
            want, _ = ref(xin.double())
            got = lstm(Run(), {k: v.double() for k, v in p32.items()}, name, xin.double(), H)
        assert torch.allclose(got, want, atol=1e-12), "lstm twin disagrees with nn.LSTM"


def check_embed_twin(m, p32, x):
    """F.embedding of the ids against the torch.nn.Embedding module."""
    for kind, name, H, _ in m["layers"]:
        if kind != "embed":
            continue
        ref = torch.nn.Embedding(m["V"], H)
        with torch.no_grad():
            ref.weight.copy_(p32[name + ".weight"])
            assert torch.equal(ref(x[..., 0].long()), F.embedding(x[..., 0].long(), p32[name + ".weight"])), \
                "embed twin disagrees with nn.Embedding"


def make(m):
    name = m["name"]
    for attempt in range(1000):
        gen = torch.Generator().manual_seed(m["seed"] * 1000 + attempt)
        p32, x, labels, targets = draw(m, gen)
        loss, grads, run = reference(m, p32, x, labels, targets, torch.float64)
        gate_rates = [r for label, r in run.rates if label[-1] in "ifgo"]
        out_rates = [r for label, r in run.rates if label[-1] == "h"]
        lif_rates = [r for label, r in run.rates if label[-1] == "s"]
        if run.margin < MARGIN or any(not 0.2 <= r <= 0.8 for r in gate_rates) \
                or any(r < 0.1 for r in out_rates) \
                or any(not 0.1 <= r <= 0.9 for r in lif_rates):
            continue
        if any(g.abs().max().item() == 0 for g in grads.values()):
            continue
        break
    else:
        raise SystemExit(f"{name}: no draw with gate rates in 20-80%, h rates >= 10%, "
                         "lif spike rates in 10-90% and no near-threshold spike")
    check_lstm_twin(m, p32, x)
    check_embed_twin(m, p32, x)
    loss32, grads32, _ = reference(m, p32, x, labels, targets, torch.float32)

    d = os.path.join(ROOT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for key, value in p32.items():
        np.save(os.path.join(d, key + ".npy"), value.numpy().astype(np.float32))
        np.save(os.path.join(d, "grad." + key + ".npy"), grads[key].numpy().astype(np.float64))
    np.save(os.path.join(d, "x.npy"), x.numpy().astype(np.float32))
    if labels is not None:
        np.save(os.path.join(d, "labels.npy"), labels.numpy().astype(np.int32))
    else:
        np.save(os.path.join(d, "targets.npy"), targets.numpy().astype(np.float32))
    np.save(os.path.join(d, "loss.npy"), np.float64(loss))

    # float32 autograd against float64: the noise a float32 implementation has.
    noise = max((grads32[k].double() - grads[k]).norm().item() / grads[k].norm().item()
                for k in grads)
    rates = " ".join(f"{label} {r:.2f}" for label, r in run.rates)
    print(f"{name}: T={m['T']} B={m['B']} I={m['I']} loss {loss:.6f} (attempt {attempt})")
    if rates:
        print(f"    firing rates: {rates}")
        print(f"    min distance of a spike pre-activation from its threshold {run.margin:.2e}")
    print(f"    float32 torch vs float64: loss rel {abs(loss32 - loss) / abs(loss):.1e}, "
          f"worst gradient normwise rel {noise:.1e}")


# The twins of tests/grad/*.snn; keep them in step with the model files.
MODELS = [
    dict(name="g_slstm", T=24, B=4, I=5, O=4, input="analog", readout="last",
         loss="cross_entropy", layers=[("slstm", "h", 8, {})], seed=1),
    dict(name="g_lstm", T=20, B=3, I=5, O=4, input="analog", readout="last",
         loss="cross_entropy", layers=[("lstm", "h", 8, {})], seed=2),
    dict(name="g_slstm_mse", T=20, B=3, I=3, O=2, input="analog", readout="step",
         loss="mse", layers=[("slstm", "h", 8, {"theta": 0.05})], seed=3),
    dict(name="g_stacked", T=20, B=4, I=4, O=3, input="spikes", readout="last",
         loss="cross_entropy",
         layers=[("slstm", "h1", 8, {}), ("slstm", "h2", 6, {"theta": 0.2})], seed=4),
    dict(name="g_slstm_mean", T=20, B=4, I=6, O=3, input="spikes", readout="mean",
         loss="cross_entropy", layers=[("slstm", "h", 8, {})], seed=5),
    dict(name="g_surrogates", T=20, B=3, I=5, O=4, input="analog", readout="last",
         loss="cross_entropy",
         layers=[("slstm", "h", 8, {"gate": fast_sigmoid(slope=10), "cell": atan(alpha=3)})],
         seed=6),
    dict(name="g_per_step", T=20, B=3, I=4, O=3, input="spikes", readout="step",
         loss="cross_entropy",
         layers=[("slstm", "h", 6, {"theta": 0.2, "gate": sigmoid(slope=4),
                                    "cell": triangle(width=1.5)})], seed=7),
    dict(name="g_rect", T=20, B=3, I=5, O=4, input="analog", readout="last",
         loss="cross_entropy",
         layers=[("slstm", "h", 8, {"gate": rect(width=1), "cell": straight_through()})],
         seed=8),
    dict(name="g_lif", T=20, B=4, I=5, O=4, input="analog", readout="last",
         loss="cross_entropy", layers=[("lif", "h", 8, {})], seed=9),
    dict(name="g_lif_learn", T=20, B=3, I=4, O=3, input="spikes", readout="mean",
         loss="cross_entropy", layers=[("lif_learn", "h", 8, {"beta_logit": 1.5,
                                                              "surrogate": gaussian(var=0.3)})],
         seed=10),
    dict(name="g_alif", T=24, B=4, I=5, O=4, input="analog", readout="last",
         loss="cross_entropy",
         layers=[("alif", "h", 8, {"adaptive": True, "rho": 0.9, "adapt": 0.3})], seed=11),
    dict(name="g_snntorch_slstm", T=20, B=4, I=5, O=4, input="analog", readout="last",
         loss="cross_entropy", layers=[("snntorch_slstm", "h", 8, {"theta": 0.1})], seed=12),
    dict(name="g_dropout", T=10, B=4, I=5, O=4, input="analog", readout="last",
         loss="cross_entropy",
         layers=[("dropout", None, 0.2, {"site": 0}), ("lstm", "h1", 8, {}),
                 ("dropout", None, 0.3, {"site": 1}), ("lstm", "h2", 6, {})],
         readout_dropout=(0.5, 2), seed=13),
    dict(name="g_embed", T=10, B=4, I=1, V=13, O=4, input="tokens", readout="last",
         loss="cross_entropy", layers=[("embed", "e", 6, {}), ("lstm", "h", 8, {})], seed=14),
]


def main():
    torch.set_num_threads(1)
    check_dropout_rng()
    for m in MODELS:
        make(m)


if __name__ == "__main__":
    main()
