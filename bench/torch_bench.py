#!/usr/bin/python3
"""torch_bench.py: the PyTorch side of `make bench` (bench/bench.sh; docs/bench.md).

    torch_bench.py data  DIR [--batches NB] [--batch B] [--seed S]
    torch_bench.py train DIR MODEL STEPS REPS WARMUP
    torch_bench.py infer DIR MODEL RUNS WARMUP
    torch_bench.py check DIR MODEL OUTDIR LOSS

`data` writes the synthetic input both sides read: Bernoulli spikes of rate
0.3 and uniform labels 0..9 from numpy's PCG64 with a fixed seed, as
DIR/shape.txt ("NB T B I"), DIR/x.f32 (NB, T, B, I) float32 and
DIR/labels.i32 (NB, B) int32. `train`, `infer` and `check` mirror
spikec_bench.c's modes and print one JSON object each. Threads: the caller
sets OMP_NUM_THREADS and OPENBLAS_NUM_THREADS (torch's GEMMs go to the
system OpenBLAS, whose pool torch.set_num_threads does not size in torch
1.13); this script also calls torch.set_num_threads(OMP_NUM_THREADS).

Eager mode only: torch.compile does not exist in torch 1.13 (Debian 12's
python3-torch), and TorchScript is not what a PyTorch user writes first.
Run with Debian's /usr/bin/python3.
"""
import json
import os
import resource
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models as tm  # noqa: E402


def rss_now_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def blas_library():
    """The BLAS shared object torch's GEMMs resolve to, from our own memory map."""
    found = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            if "blas" in os.path.basename(path):
                found.add(os.path.realpath(path))
    return ", ".join(sorted(found))


def load(d):
    with open(os.path.join(d, "shape.txt")) as f:
        nb, steps, batch, inputs = map(int, f.read().split())
    x = np.fromfile(os.path.join(d, "x.f32"), dtype=np.float32).reshape(nb, steps, batch, inputs)
    y = np.fromfile(os.path.join(d, "labels.i32"), dtype=np.int32).reshape(nb, batch)
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))


def header(model, what):
    return {"side": "pytorch", "model": model, "what": what, "threads": torch.get_num_threads(),
            "openblas_threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0")),
            "torch": torch.__version__, "blas": blas_library()}


def cmd_data(d, nb=8, batch=100, seed=20200709):
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(seed)
    x = (rng.random((nb, tm.T, batch, tm.I)) < 0.3).astype(np.float32)
    y = rng.integers(0, tm.O, size=(nb, batch), dtype=np.int32)
    x.tofile(os.path.join(d, "x.f32"))
    y.tofile(os.path.join(d, "labels.i32"))
    with open(os.path.join(d, "shape.txt"), "w") as f:
        f.write(f"{nb} {tm.T} {batch} {tm.I}\n")
    print(f"wrote {d}: {nb} batches of {batch} sequences, {tm.T} x {tm.I} spikes at rate "
          f"{x.mean():.4f}, seed {seed}")


def cmd_train(d, model, steps, reps, warmup):
    x, y = load(d)
    base = rss_now_kib()
    net = tm.build(model)
    opt = tm.optimizer(net)
    rates, cpu_rates, t, loss = [], [], 0, None
    for r in range(-1, reps):
        n = warmup if r < 0 else steps
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            k = t % x.shape[0]
            opt.zero_grad(set_to_none=True)
            loss = tm.loss_fn(net, x[k], y[k])
            loss.backward()
            opt.step()
            t += 1
        if r >= 0:
            rates.append(steps * x.shape[2] / (time.perf_counter() - t0))
            cpu_rates.append(steps * x.shape[2] / (time.process_time() - c0))
    out = header(model, "train")
    out.update(batch=x.shape[2], steps_per_rep=steps, warmup_steps=warmup, reps=reps, samples_per_s=rates,
               samples_per_cpu_s=cpu_rates,
               median_samples_per_s=float(np.median(rates)), last_loss=loss.item(), rss_base_kib=base,
               rss_peak_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    print(json.dumps(out))


def cmd_infer(d, model, runs, warmup):
    x, _ = load(d)
    net = tm.build(model).eval()
    x1 = x[0, :, 0:1, :].contiguous()          # sequence 0 of batch 0, (T, 1, I)
    fw, fwc, st = [], [], []
    with torch.inference_mode():
        for r in range(-warmup, runs):
            t0, c0 = time.perf_counter(), time.process_time()
            out = net(x1)
            t1, c1 = time.perf_counter(), time.process_time()
            if r >= 0:
                fw.append(t1 - t0)
                fwc.append(c1 - c0)
        for r in range(-warmup, runs):
            t0 = time.perf_counter()
            state = net.stream_reset()
            for t in range(tm.T):
                state, so = net.stream_step(state, x1[t])
            t1 = time.perf_counter()
            if r >= 0:
                st.append(t1 - t0)
    o = header(model, "infer")
    o.update(runs=runs, warmup_runs=warmup, forward_ms=[round(1e3 * v, 6) for v in fw],
             forward_cpu_ms=[round(1e3 * v, 6) for v in fwc],
             stream_ms=[round(1e3 * v, 6) for v in st], median_forward_ms=1e3 * float(np.median(fw)),
             median_stream_ms=1e3 * float(np.median(st)),
             stream_minus_forward_out0=float(so[0, 0] - out[0, 0]))
    print(json.dumps(o))


def cmd_check(d, model, outdir, spikec_loss):
    """spikec's first step (its parameters from m_init, batch 0) redone in torch.

    float32 like spikec; spikes compare v > 0 exactly, so a pre-activation
    within float rounding of the threshold may fire on one side only (the
    report gives how many spikes the float64 recomputation finds that close).
    """
    x, y = load(d)
    net = tm.build(model)
    flat = torch.from_numpy(np.fromfile(os.path.join(outdir, model + ".params.f32"), dtype=np.float32))
    tm.load_flat(net, flat)
    loss = tm.loss_fn(net, x[0], y[0])
    loss.backward()
    g = tm.flat_grad(net)
    want = torch.from_numpy(np.fromfile(os.path.join(outdir, model + ".grads.f32"), dtype=np.float32))
    rel = ((g - want).norm() / want.norm()).item()
    o = header(model, "check")
    o.update(torch_loss=loss.item(), spikec_loss=spikec_loss, loss_abs_diff=abs(loss.item() - spikec_loss),
             grad_rel_l2_diff=rel)
    if model == "mnist_rows_lstm":
        with torch.no_grad():   # nn.LSTM against the step-by-step transcription of the prelude's lstm
            o["nn_lstm_vs_loop_max_abs"] = (net(x[0]) - tm.LoopLSTM(net)(x[0])).abs().max().item()
    print(json.dumps(o))


def main(argv):
    threads = int(os.environ.get("OMP_NUM_THREADS", "0"))
    if threads > 0:
        torch.set_num_threads(threads)
    if len(argv) >= 2 and argv[0] == "data":
        opts = dict(zip(argv[2::2], argv[3::2]))
        return cmd_data(argv[1], int(opts.get("--batches", 8)), int(opts.get("--batch", 100)),
                        int(opts.get("--seed", 20200709)))
    if len(argv) == 6 and argv[0] == "train":
        return cmd_train(argv[1], argv[2], *map(int, argv[3:]))
    if len(argv) == 5 and argv[0] == "infer":
        return cmd_infer(argv[1], argv[2], *map(int, argv[3:]))
    if len(argv) == 5 and argv[0] == "check":
        return cmd_check(argv[1], argv[2], argv[3], float(argv[4]))
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
