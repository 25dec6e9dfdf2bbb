#!/usr/bin/python3
"""report.py RAW RESULTS: the tables of `make bench` from build/bench/torch/raw.jsonl.
report.py --summary RAW: only the summary rows and lines that RAW's records give.

Prints the summary table, the SynOps and the profile line, and writes RESULTS
(bench/results.md) with the machine, the method, the summary, every
configuration and the cross-check.
Each input line is one JSON object written by bench.sh, spikec_bench.c or
torch_bench.py; see docs/bench.md for what each number means.
"""
import json
import sys

NAMES = {"mnist_rows": "spiking LSTM", "mnist_rows_lstm": "LSTM"}
PIXELS = "pixel-wise MNIST spiking LSTM (T = 784, H = 128)"
SIDES = ("spikec", "pytorch")


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def pool(a, b):
    """One record from two rounds of the same configuration: repetitions and
    runs pooled (medians over all of them), the larger peak RSS."""
    out = dict(a)
    for key in ("samples_per_s", "samples_per_cpu_s", "forward_ms", "forward_cpu_ms", "stream_ms"):
        if key in a:
            out[key] = a[key] + b[key]
    for key in ("reps", "runs"):
        if key in a:
            out[key] = a[key] + b[key]
    if "rss_peak_kib" in a and b["rss_peak_kib"] > a["rss_peak_kib"]:
        out["rss_peak_kib"], out["rss_base_kib"] = b["rss_peak_kib"], b["rss_base_kib"]
    out["rounds"] = a.get("rounds", 1) + 1
    return out


def load(path):
    recs = [json.loads(line) for line in open(path) if line.strip()]
    machine = next((r for r in recs if r["what"] == "machine"), {})
    for r in recs:
        if r["what"] == "load":
            machine["load_after"] = r["load_after"]
    by = {}
    for r in recs:
        if r.get("what") in ("train", "infer"):
            runs = by.setdefault((r["what"], r["side"], r["model"]), {})
            t = r["threads"]
            runs[t] = pool(runs[t], r) if t in runs else r
    for runs in by.values():
        for r in runs.values():
            r.setdefault("rounds", 1)
            if "samples_per_s" in r:
                r["median_samples_per_s"] = median(r["samples_per_s"])
                r["median_samples_per_cpu_s"] = median(r["samples_per_cpu_s"])
            if "forward_ms" in r:
                r["median_forward_ms"] = median(r["forward_ms"])
                r["median_forward_cpu_ms"] = median(r["forward_cpu_ms"])
                r["median_stream_ms"] = median(r["stream_ms"])
    return machine, recs, by


def fmt(v, unit):
    if unit in ("samples/s", "ops"):
        return f"{v:,.0f}"
    if unit == "ms":
        return f"{v:.3f}"
    return f"{v:.1f}"


def compare(label, unit, higher, s, p, word="faster"):
    """A summary row: (metric, spikec, PyTorch, ratio, verdict)."""
    ratio = s / p
    good = ratio > 1 if higher else ratio < 1
    factor = ratio if ratio >= 1 else 1 / ratio
    verdict = f"{'spikec' if good else 'PyTorch'} {factor:.2f}x {word}"
    if abs(ratio - 1) <= 0.02:
        verdict = "even"
    return (f"{label} [{unit}]", fmt(s, unit), fmt(p, unit), f"{ratio:.2f} ({'higher' if higher else 'lower'} is better)",
            verdict)


def summary(machine, recs, by):
    """Rows of (metric, spikec, PyTorch, ratio, verdict)."""
    rows = []
    one = min(int(t) for t in str(machine.get("threads", 1)).split())

    def add(label, unit, higher, what, model, get, best=True):
        """get(record) is the number; best: the better thread count per side, else `one` thread."""
        cells = []
        for side in SIDES:
            runs = {t: get(r) for t, r in by.get((what, side, model), {}).items()}
            if not runs:
                return
            if best:
                t = (max if higher else min)(runs, key=runs.get)
            else:
                t = one if one in runs else min(runs)
            cells.append((runs[t], t))
        (s, st), (p, pt) = cells
        tag = f" ({st}t / {pt}t)" if best else ""
        rows.append(compare(f"{NAMES[model]}: {label}{tag}", unit, higher, s, p,
                            "faster" if unit != "MiB" else "less"))

    for m in NAMES:
        add("training throughput, best threads", "samples/s", True, "train", m,
            lambda r: r["median_samples_per_s"])
        add(f"training throughput, {one} thread", "samples/s", True, "train", m,
            lambda r: r["median_samples_per_s"], best=False)
        add(f"training throughput per CPU second, {one} thread", "samples/s", True, "train", m,
            lambda r: r["median_samples_per_cpu_s"], best=False)
        add("batch-1 inference, forward, best threads", "ms", False, "infer", m,
            lambda r: r["median_forward_ms"])
        add(f"batch-1 inference, forward, {one} thread", "ms", False, "infer", m,
            lambda r: r["median_forward_ms"], best=False)
        add(f"batch-1 inference, forward, CPU time, {one} thread", "ms", False, "infer", m,
            lambda r: r["median_forward_cpu_ms"], best=False)
        add("batch-1 streaming, 28 stream steps, best threads", "ms", False, "infer", m,
            lambda r: r["median_stream_ms"])
        add(f"peak RSS while training, {one} thread", "MiB", False, "train", m,
            lambda r: r["rss_peak_kib"] / 1024, best=False)
        add(f"RSS growth while training (peak - base), {one} thread", "MiB", False, "train", m,
            lambda r: (r["rss_peak_kib"] - r["rss_base_kib"]) / 1024, best=False)
    for r in recs:
        if r["what"] == "synops" and r["dense_macs_done_per_sample"] == 0:
            rows.append(compare(f"{NAMES.get(r['model'], r['model'])}: forward work per sample, SynOps (spikec) "
                                "vs dense MACs (PyTorch)", "ops", False,
                                r["synops_per_sample"], r["macs_per_sample"], "fewer"))
        if r["what"] == "memory":
            s, p = r["spikec"], r["pytorch"]
            growth = lambda x: (x["rss_peak_kib"] - x["rss_base_kib"]) / 1024  # noqa: E731
            rows.append(compare(f"{PIXELS}: peak RSS while training, 1 thread", "MiB", False,
                                s["rss_peak_kib"] / 1024, p["rss_peak_kib"] / 1024, "less"))
            rows.append(compare(f"{PIXELS}: RSS growth while training (peak - base), 1 thread", "MiB", False,
                                growth(s), growth(p), "less"))
            rows.append(compare(f"{PIXELS}: training throughput, 1 thread, one step", "samples/s", True,
                                s["median_samples_per_s"], p["median_samples_per_s"]))
    return rows


def profile_line(recs):
    """The profile record's line, or None without one."""
    r = next((r for r in recs if r["what"] == "profile"), None)
    if r is None:
        return None
    if "skipped" in r:
        return f"profile: skipped ({r['skipped']})"
    top = ", ".join(f"{name} {share:.1f}%" for name, share in r["top"])
    return f"profile ({r['threads']} thread, row-MNIST spiking training, {r['steps']} steps, self time): {top}"


def synops_table(recs):
    rows = [(NAMES.get(r["model"], r["model"]), p["product"], "events" if p["events"] else "dense",
             f"{p['active_inputs']:,.1f}" if p["events"] else "", f"{p['synops']:,.0f}", f"{p['macs']:,}")
            for r in recs if r["what"] == "synops" for p in r["products"]]
    return table(("model", "forward product", "kernel", "active inputs per sample", "SynOps per sample",
                  "dense MACs per sample"), rows)


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def spread(v, fmt_):
    """The 10th .. 90th percentile of v."""
    v = sorted(v)
    return f"{v[len(v) // 10]:{fmt_}} .. {v[len(v) * 9 // 10]:{fmt_}}"


def details(by):
    train, infer = [], []
    order = lambda k: (list(NAMES).index(k[2]), SIDES.index(k[1]))  # noqa: E731
    for key in sorted(by, key=order):
        what, side, model = key
        for t, r in sorted(by[key].items()):
            if what == "train":
                v = sorted(r["samples_per_s"])
                train.append((NAMES[model], side, t, f"{r['median_samples_per_s']:,.0f}",
                              f"{v[0]:,.0f} .. {v[-1]:,.0f}", f"{r['median_samples_per_cpu_s']:,.0f}",
                              f"{r['reps']} x {r['steps_per_rep']} steps",
                              f"{r['rss_peak_kib'] / 1024:.1f}", f"{r['rss_base_kib'] / 1024:.1f}"))
            elif what == "infer":
                infer.append((NAMES[model], side, t, f"{r['median_forward_ms']:.3f}",
                              spread(r["forward_ms"], ".3f"), f"{r['median_forward_cpu_ms']:.3f}",
                              f"{r['median_stream_ms']:.3f}", spread(r["stream_ms"], ".3f"), r["runs"]))
    return train, infer


def main(raw, results=None):
    """Prints the summary; with results, also writes that file."""
    machine, recs, by = load(raw)
    rows = summary(machine, recs, by)
    head = ("metric", "spikec", "PyTorch", "spikec/PyTorch", "better")
    prof = profile_line(recs)
    if rows:
        print(table(head, rows))
    if prof:
        print(prof)
    if results is None:
        return

    spk = next((r for r in recs if r.get("side") == "spikec" and "blas" in r), {})
    pt = next((r for r in recs if r.get("side") == "pytorch"), {})
    train, infer = details(by)
    checks = [r for r in recs if r["what"] == "check" and r["side"] == "pytorch"]
    e2e = [r for r in recs if r["what"] == "run"]
    m = machine
    md = [
        "# spikec vs PyTorch: benchmark results",
        "",
        f"Generated by `make bench` (bench/bench.sh) on {m['date']}; do not edit. What is measured and how: "
        "[docs/bench.md](../docs/bench.md).",
        "",
        f"- Machine: {m['nproc']} CPUs ({m['cpu']}), load average {m['load_before']} before the run, "
        f"{m.get('load_after', '?')} after.",
    ]
    if m.get("note"):
        md.append(f"- Note: {m['note']}")
    md += [
        f"- spikec: emitted C built with `{m['cc']}` at -std=c99 -O2 -ftree-vectorize -march=native; {spk.get('blas', '?')}.",
        f"- PyTorch {pt.get('torch', '?')} (eager, CPU), BLAS: {pt.get('blas', '?')}.",
        f"- Threads tried on each side: {m['threads']} (spikec: OPENBLAS_NUM_THREADS; PyTorch: "
        "torch.set_num_threads, OMP_NUM_THREADS and OPENBLAS_NUM_THREADS).",
        f"- {m.get('rounds', 1)} rounds over every configuration (side, model, threads), interleaved. "
        f"Training: per round and process {m['warmup']} warm-up steps, then {m['reps']} timed repetitions of "
        f"{m['steps']} steps of batch 100 (zero grad, forward, loss, backward, Adam); the median over all "
        f"{m.get('rounds', 1) * m['reps']} repetitions. Inference: the median of "
        f"{m.get('rounds', 1) * m['runs']} timed sequences of 28 steps, batch 1.",
        "- Input: the same bytes on both sides (Bernoulli spikes of rate 0.3, random labels, fixed seed).",
        "",
        "## Summary",
        "",
        "Best threads: the thread count with the better median on each side, shown as "
        "(spikec t / PyTorch t).",
        "",
        table(head, rows),
        "",
    ]
    if prof:
        md += [prof + " (bench/profile.sh)", ""]
    mem = next((r for r in recs if r["what"] == "memory"), None)
    if mem:
        md += [f"The {PIXELS} rows are bench/memory.sh's: batch 100, one training step per side after one "
               "untimed one, on Bernoulli-0.3 spikes; spikec's training workspace is "
               f"{mem['spikec']['train_workspace_bytes_per_sample'] / 1024:,.1f} KiB per sample.", ""]
    if any(r["what"] == "synops" for r in recs):
        md += ["## SynOps: the forward pass's work per sample", "",
               "m_init(seed 1) on the benchmark's input; a SynOp is one accumulate of a weight row entry by "
               "an event kernel (active inputs x output width), a MAC one multiply-add of a dense product "
               "(docs/bench.md, \"SynOps\"):", "", synops_table(recs), ""]
    md += [
        "## Every configuration",
        "",
        "Training, pooled over the rounds (peak RSS: the larger of the rounds; base RSS: after the "
        "libraries and the input are loaded, before the model is built):",
        "",
        table(("model", "side", "threads", "median samples/s", "min .. max", "per CPU second", "repetitions",
               "peak RSS MiB",
               "base RSS MiB"), train),
        "",
        "Batch-1 inference, one sequence of 28 steps, pooled over the rounds (10th .. 90th percentile):",
        "",
        table(("model", "side", "threads", "forward ms", "p10 .. p90", "forward CPU ms", "streaming ms",
               "p10 .. p90", "runs"),
              infer),
        "",
        "## Cross-check: the same model on both sides",
        "",
        "spikec's first training step (its m_init parameters, seed 1, batch 0) redone by the PyTorch "
        "model on the same parameters and batch:",
        "",
    ]
    md.append(table(("model", "spikec loss", "PyTorch loss", "|difference|", "gradient rel. L2 difference",
                     "nn.LSTM vs step loop"),
                    [(NAMES[c["model"]], f"{c['spikec_loss']:.7f}", f"{c['torch_loss']:.7f}",
                      f"{c['loss_abs_diff']:.1e}", f"{c['grad_rel_l2_diff']:.1e}",
                      f"{c['nn_lstm_vs_loop_max_abs']:.1e}" if "nn_lstm_vs_loop_max_abs" in c else "")
                     for c in checks]))
    if e2e:
        md += ["", "## For reference: `spikec run --epochs 1` end to end", "",
               "Real MNIST digits (8,000 training samples), including Bernoulli encoding, per-batch checks, "
               "evaluation on 2,000 test samples and checkpoints; samples/s over the training part of the "
               "epoch, as metrics.jsonl reports it (one run each).", ""]
        md.append(table(("model", "threads", "samples/s", "epoch seconds", "test accuracy"),
                        [(NAMES[r["model"]], r["threads"], f"{r['metrics']['samples_per_s']:,.0f}",
                          f"{r['metrics']['epoch_seconds']:.2f}",
                          f"{100 * r['metrics']['test_accuracy']:.2f}%")
                         for r in e2e]))
    with open(results, "w") as f:
        f.write("\n".join(md) + "\n")
    print(f"\nwrote {results}")


if __name__ == "__main__":
    main(*sys.argv[2:3]) if sys.argv[1] == "--summary" else main(*sys.argv[1:])
