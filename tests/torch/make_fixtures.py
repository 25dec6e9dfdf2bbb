#!/usr/bin/python3
"""make_fixtures.py: PyTorch fixtures for the reference cells and the emitted C.

Regenerate (needs Debian's python3-torch and python3-numpy; run from anywhere):

    /usr/bin/python3 tests/torch/make_fixtures.py

It rewrites tests/fixtures/torch/NAME/*.npy deterministically (torch.manual_seed),
and the result is committed: CI and `make check` only read the .npy files and never
need Python or torch. Every array is float32, C order, NumPy format 1.0:

    weight_ih (4H, I)  weight_hh (4H, H)  bias (4H)    gate order i, f, g, o
    x (T, B, I)        h (T, B, H)        c (T, B, H)  h and c after every step

lstm_*   torch.nn.LSTM(I, H) with bias_hh zeroed (its bias_ih is the single
         `bias` of DESIGN section 2), run one step at a time to record c.
slstm_*  the slstm equations of DESIGN section 2 written with torch tensor ops
         (a second, independent transcription next to tests/ref/ref_cells.c),
         plus theta.npy and binary_cell.npy (float32, shape (1,); binary_cell 1 or 0).
         Inputs are redrawn until every spike decision is at least MARGIN away
         from its threshold, so float rounding order cannot flip a spike.
"""
import os

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "torch")
MARGIN = 1e-4


def save(name, arrays):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    for key, value in arrays.items():
        a = np.ascontiguousarray(np.asarray(value, dtype=np.float32))
        np.save(os.path.join(d, key + ".npy"), a)


def lstm_fixture(name, T, B, I, H, seed):
    torch.manual_seed(seed)
    lstm = torch.nn.LSTM(I, H)
    with torch.no_grad():
        lstm.bias_hh_l0.zero_()
    x = torch.randn(T, B, I)
    hs, cs = [], []
    h = torch.zeros(1, B, H)
    c = torch.zeros(1, B, H)
    with torch.no_grad():
        full, (h_n, c_n) = lstm(x)
        for t in range(T):
            _, (h, c) = lstm(x[t:t + 1], (h, c))
            hs.append(h[0])
            cs.append(c[0])
    h_all = torch.stack(hs)
    c_all = torch.stack(cs)
    assert torch.allclose(h_all, full, atol=1e-6) and torch.allclose(c_all[-1], c_n[0], atol=1e-6)
    save(name, {
        "weight_ih": lstm.weight_ih_l0.detach(), "weight_hh": lstm.weight_hh_l0.detach(),
        "bias": lstm.bias_ih_l0.detach(), "x": x, "h": h_all, "c": c_all,
    })
    print(f"{name}: T={T} B={B} I={I} H={H}")


def slstm_run(w_ih, w_hh, bias, theta, binary_cell, x):
    """DESIGN section 2, in the dtype of the arguments; returns h, c, pre-activations."""
    T, B, _ = x.shape
    H = w_hh.shape[1]
    S = lambda v: (v > 0).to(x.dtype)  # noqa: E731  Heaviside
    h = torch.zeros(B, H, dtype=x.dtype)
    c = torch.zeros(B, H, dtype=x.dtype)
    hs, cs, pres = [], [], []
    for t in range(T):
        a = x[t] @ w_ih.T + h @ w_hh.T + bias
        ai, af, ag, ao = a.split(H, dim=1)
        i, f, g, o = S(ai - theta), S(af - theta), S(ag - theta), S(ao - theta)
        s = f * c + i * g
        c = S(s - theta) if binary_cell else s
        h = o * c
        hs.append(h)
        cs.append(c)
        pres.append(a)
    return torch.stack(hs), torch.stack(cs), torch.stack(pres)


def slstm_fixture(name, T, B, I, H, theta, binary_cell, seed):
    torch.manual_seed(seed)
    w_ih = torch.rand(4 * H, I) * 2 - 1
    w_hh = torch.rand(4 * H, H) * 2 - 1
    bias = (torch.rand(4 * H) * 2 - 1) * 0.5
    for attempt in range(1000):
        x = torch.rand(T, B, I) * 2 - 1
        h, c, pre = slstm_run(w_ih, w_hh, bias, theta, binary_cell, x)
        h64, _, pre64 = slstm_run(w_ih.double(), w_hh.double(), bias.double(),
                                  float(np.float32(theta)), binary_cell, x.double())
        margin = (pre64 - float(np.float32(theta))).abs().min().item()
        if margin >= MARGIN and torch.equal(h.double(), h64):
            break
    else:
        raise SystemExit(f"{name}: no input without near-threshold ties")
    rate = (pre > theta).float().mean().item()
    save(name, {
        "weight_ih": w_ih, "weight_hh": w_hh, "bias": bias, "x": x, "h": h, "c": c,
        "theta": np.float32(theta), "binary_cell": np.float32(binary_cell),
    })
    print(f"{name}: T={T} B={B} I={I} H={H} theta={theta} binary_cell={binary_cell} "
          f"gate firing rate {rate:.2f}, h rate {h.mean().item():.2f}, "
          f"min |a - theta| {margin:.2e} (attempt {attempt})")


def main():
    lstm_fixture("lstm_t20_b3_i5_h8", T=20, B=3, I=5, H=8, seed=1)
    lstm_fixture("lstm_t25_b2_i3_h16", T=25, B=2, I=3, H=16, seed=2)
    slstm_fixture("slstm_t20_b3_i5_h8", T=20, B=3, I=5, H=8, theta=0.1, binary_cell=1, seed=3)
    slstm_fixture("slstm_keep_t25_b2_i3_h16", T=25, B=2, I=3, H=16, theta=0.1, binary_cell=0,
                  seed=4)


if __name__ == "__main__":
    main()
