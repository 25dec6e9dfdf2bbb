"""check_nir.py: a NIR file of `spikec export --nir`, read as nir.read reads it,
checked field by field against the checkpoint, and stepped with numpy.

    python3 check_nir.py structure FILE.nir CK.safetensors MODE DT LAYER=BETA:THRESHOLD...
    python3 check_nir.py simulate FILE.nir X.npy Y.npy READOUT DT RESET same|differs
    python3 check_nir.py perturb CK.safetensors NAME SEED OUT.safetensors

structure: every node group holds "type" (bytes, as nir's reader compares it)
and exactly its NIR fields (nir.read passes each dataset to the node's
constructor, so an extra one would fail there); every edge joins nodes of its
graph whose shapes agree (nir's check_types); the Affine and Linear weights are
the checkpoint's bits (weight_hh less threshold on the diagonal under
--exact-reset), and tau, r give back beta = 1 - dt / tau with r dt / tau = 1.
MODE is lif or exact; each LAYER=BETA:THRESHOLD names a lif layer of the
model, BETA "learn" for lif_learn's sigmoid(beta_raw + logit(0.9)).

simulate: steps the graph as a time-stepped simulator does (forward Euler,
dt; an edge that closes a cycle carries the previous step's value; a node sums
its inputs) on X (T, B, I), and compares the Output at the last step (READOUT
last) or its mean over the steps (mean) with spikec infer's Y. RESET is how a
LIF node resets: subtract (snnTorch's Leaky, reset_mechanism "subtract": the
threshold comes off at the next step, after the decay, as in spikec's lif) or
zero (NIR's v_reset = 0). The outputs must be Y's (same) or must not
(differs: the comparison tells the resets apart). Prints the spike rate and
the largest difference.

perturb: writes CK with tensor NAME replaced by seeded normal draws (lif_learn's
beta_raw, so that its neurons get different time constants).

Exits 1 with a message at the first failure.
"""
import json
import sys

import h5py
import numpy as np

FIELDS = {
    "Input": {"shape"}, "Output": {"shape"}, "Affine": {"weight", "bias"}, "Linear": {"weight"},
    "LIF": {"tau", "r", "v_leak", "v_threshold"}, "LI": {"tau", "r", "v_leak"}, "Threshold": {"threshold"},
    "NIRGraph": {"nodes", "edges"},
}


def fail(msg):
    print("check_nir.py: " + msg)
    sys.exit(1)


def load_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    return header, n, data


def tensors(path):
    header, _, data = load_safetensors(path)
    return {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], np.float32).reshape(v["shape"])
            for k, v in header.items() if k != "__metadata__" and v["dtype"] == "F32"}


def read_group(g, path):
    """The group as nir.read's hdf2dict makes it, after checking each node's fields."""
    raw = g["type"][()]
    if not isinstance(raw, bytes):
        fail("%s/type is %r, not bytes" % (path, raw))
    node = {}
    for k, item in g.items():
        if isinstance(item, h5py.Group):
            node[k] = {n: read_group(sub, "%s/%s/%s" % (path, k, n)) for n, sub in item.items()}
        else:
            v = item[()]
            node[k] = v.decode("utf8") if isinstance(v, bytes) else v
    t = node["type"]
    if t not in FIELDS:
        fail("%s: unknown NIR type %r" % (path, t))
    if set(node) != FIELDS[t] | {"type"}:
        fail("%s (%s): fields %s, NIR's are %s" % (path, t, sorted(set(node) - {"type"}), sorted(FIELDS[t])))
    if t == "NIRGraph":
        node["edges"] = [(a.decode("utf8"), b.decode("utf8")) for a, b in node["edges"]]
    return node


def shape_in(n):
    t = n["type"]
    if t in ("Input", "Output"):
        return list(n["shape"])
    if t in ("Affine", "Linear"):
        return [n["weight"].shape[1]]
    if t == "NIRGraph":
        return next(shape_in(m) for m in n["nodes"].values() if m["type"] == "Input")
    return [len(n["threshold" if t == "Threshold" else "tau"])]


def shape_out(n):
    t = n["type"]
    if t in ("Affine", "Linear"):
        return [n["weight"].shape[0]]
    if t == "NIRGraph":
        return next(shape_out(m) for m in n["nodes"].values() if m["type"] == "Output")
    return shape_in(n)


def check_edges(g, path):
    for a, b in g["edges"]:
        if a not in g["nodes"] or b not in g["nodes"]:
            fail("%s: edge %s -> %s names a node the graph does not have" % (path, a, b))
        if shape_out(g["nodes"][a]) != shape_in(g["nodes"][b]):
            fail("%s: edge %s -> %s: shape %s into %s" % (path, a, b, shape_out(g["nodes"][a]),
                                                         shape_in(g["nodes"][b])))
    for k, n in g["nodes"].items():
        if n["type"] == "NIRGraph":
            check_edges(n, path + "/" + k)


def same_bits(what, a, b):
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    if a.shape != b.shape or not np.array_equal(a.view(np.uint32), b.view(np.uint32)):
        fail("%s: not the checkpoint's bits" % what)


def structure(path, ck_path, mode, dt, specs):
    with h5py.File(path, "r") as f:
        version = f["version"][()]
        if not isinstance(version, bytes) or not version.startswith(b"1."):
            fail("version is %r" % version)
        top = read_group(f["node"], "node")
    if top["type"] != "NIRGraph":
        fail("the top node is %s, not a NIRGraph" % top["type"])
    check_edges(top, "node")
    ck = tensors(ck_path)
    checked = 0
    for name, n in top["nodes"].items():
        if n["type"] == "Affine" and name.endswith(".ih"):
            layer = name[:-3]
            same_bits(name + ".weight", n["weight"], ck[layer + ".weight_ih"])
            same_bits(name + ".bias", n["bias"], ck[layer + ".bias"])
            checked += 1
        elif n["type"] == "Affine":
            same_bits(name + ".weight", n["weight"], ck[name + ".weight"])
            same_bits(name + ".bias", n["bias"], ck[name + ".bias"])
            checked += 1
        elif n["type"] == "NIRGraph":
            checked += check_lif(name, n, ck, mode, dt, specs[name])
    if checked != len(specs) + sum(1 for n in top["nodes"].values() if n["type"] == "Affine"):
        fail("%d layers checked; the model has %d lif layers" % (checked, len(specs)))
    print("structure: %d nodes checked against the checkpoint" % checked)


def check_lif(layer, g, ck, mode, dt, spec):
    want = {"lif": {"input", "lif", "weight_hh", "output"},
            "exact": {"input", "li", "threshold", "weight_hh", "output"}}[mode]
    if set(g["nodes"]) != want:
        fail("%s: nodes %s, expected %s" % (layer, sorted(g["nodes"]), sorted(want)))
    neuron = g["nodes"]["lif" if mode == "lif" else "li"]
    tau, r = neuron["tau"], neuron["r"]
    beta = 1 - dt / tau
    b, t = spec.split(":")
    if b == "learn":
        want_beta = 1 / (1 + np.exp(-(ck[layer + ".beta_raw"] + np.float32(2.1972245773362196)).astype(np.float64)))
    else:
        want_beta = np.full(tau.shape, np.float32(b), np.float64)
    if not np.allclose(beta, want_beta, rtol=0, atol=1e-12) or not np.allclose(r * dt / tau, 1, rtol=1e-12):
        fail("%s: beta = 1 - dt / tau is %s, expected %s (r dt / tau %s)" % (layer, beta[:3], want_beta[:3],
                                                                         (r * dt / tau)[:3]))
    if np.any(neuron["v_leak"] != 0):
        fail("%s: v_leak is not 0" % layer)
    thr = (neuron if mode == "lif" else g["nodes"]["threshold"])["v_threshold" if mode == "lif" else "threshold"]
    if np.any(thr != np.float32(t)):
        fail("%s: threshold %s, expected %s" % (layer, thr[:3], t))
    w = ck[layer + ".weight_hh"].copy()
    if mode == "exact":
        w[np.diag_indices_from(w)] -= np.float32(thr[0])
    same_bits(layer + ".weight_hh", g["nodes"]["weight_hh"]["weight"], w)
    want_edges = {"lif": {("input", "lif"), ("lif", "weight_hh"), ("weight_hh", "lif"), ("lif", "output")},
                  "exact": {("input", "li"), ("li", "threshold"), ("threshold", "weight_hh"), ("weight_hh", "li"),
                            ("threshold", "output")}}[mode]
    if set(g["edges"]) != want_edges:
        fail("%s: edges %s" % (layer, sorted(g["edges"])))
    return 1


class Sim:
    """One graph stepped over time; nested graphs are nodes with their own state."""

    def __init__(self, g, dt, reset, batch):
        self.g, self.dt, self.reset = g, dt, reset
        self.pre = {k: [a for a, b in g["edges"] if b == k] for k in g["nodes"]}
        self.order = self.topo()
        self.prev = {k: np.zeros((batch, shape_out(n)[0])) for k, n in g["nodes"].items()}
        self.v = {k: np.zeros((batch, shape_out(n)[0])) for k, n in g["nodes"].items()}
        self.sub = {k: Sim(n, dt, reset, batch) for k, n in g["nodes"].items() if n["type"] == "NIRGraph"}
        self.spikes = self.fired = 0

    def topo(self):
        """Nodes in the order a step computes them: an edge into a node that is being visited closes a cycle."""
        order, state = [], {}

        def visit(k):
            state[k] = 1
            for a, b in self.g["edges"]:
                if a == k and state.get(b) is None:
                    visit(b)
            state[k] = 2
            order.append(k)
        for k, n in self.g["nodes"].items():
            if n["type"] == "Input" and k not in state:
                visit(k)
        return order[::-1]

    def step(self, given):
        cur = {}
        for k in self.order:
            n = self.g["nodes"][k]
            t = n["type"]
            x = sum((cur[a] if a in cur else self.prev[a]) for a in self.pre[k]) if self.pre[k] else None
            if t == "Input":
                y = given[k]
            elif t == "Output":
                y = x
            elif t == "Affine":
                y = x @ n["weight"].astype(np.float64).T + n["bias"]
            elif t == "Linear":
                y = x @ n["weight"].astype(np.float64).T
            elif t == "Threshold":
                y = (x > n["threshold"]).astype(np.float64)
                self.spikes += y.sum()
                self.fired += y.size
            elif t in ("LI", "LIF"):
                v = self.v[k] + self.dt / n["tau"] * (n["v_leak"] - self.v[k] + n["r"] * x)
                if t == "LIF":
                    if self.reset == "subtract":
                        v = v - n["v_threshold"] * self.prev[k]
                    y = (v > n["v_threshold"]).astype(np.float64)
                    if self.reset == "zero":
                        v = np.where(y > 0, 0.0, v)
                    self.spikes += y.sum()
                    self.fired += y.size
                else:
                    y = v
                self.v[k] = v
            elif t == "NIRGraph":
                s = self.sub[k]
                inp = next(m for m, nn in n["nodes"].items() if nn["type"] == "Input")
                outs = s.step({inp: x})
                y = next(outs[m] for m, nn in n["nodes"].items() if nn["type"] == "Output")
            cur[k] = y
        self.prev = cur
        return cur

    def rate(self):
        s, n = self.spikes, self.fired
        for sub in self.sub.values():
            a, b = sub.rate()
            s, n = s + a, n + b
        return s, n


def simulate(path, x_path, y_path, readout, dt, reset, expect):
    with h5py.File(path, "r") as f:
        top = read_group(f["node"], "node")
    x = np.load(x_path).astype(np.float64)
    want = np.load(y_path)
    T, B, _ = x.shape
    sim = Sim(top, dt, reset, B)
    inp = next(k for k, n in top["nodes"].items() if n["type"] == "Input")
    out = next(k for k, n in top["nodes"].items() if n["type"] == "Output")
    ys = [sim.step({inp: x[t]})[out] for t in range(T)]
    got = ys[-1] if readout == "last" else np.mean(ys, axis=0)
    s, n = sim.rate()
    diff = np.max(np.abs(got - want))
    print("simulate (%s reset): spike rate %.3f, largest difference from spikec infer %.3g" % (reset, s / n, diff))
    if not 0.01 < s / n < 0.99:
        fail("spike rate %.3f: the comparison would prove little" % (s / n))
    close = np.allclose(got, want, rtol=1e-4, atol=1e-5)
    if expect == "differs" and close:
        fail("the %s reset gives spikec's outputs too: this input does not tell the resets apart" % reset)
    if expect == "same" and not close:
        fail("the stepped NIR graph differs from spikec infer by up to %.3g" % diff)


def perturb(ck_path, name, seed, out_path):
    header, n, data = load_safetensors(ck_path)
    a, b = header[name]["data_offsets"]
    draws = np.random.default_rng(int(seed)).normal(0, 1, (b - a) // 4).astype("<f4").tobytes()
    with open(ck_path, "rb") as f:
        raw = bytearray(f.read())
    raw[8 + n + a:8 + n + b] = draws
    with open(out_path, "wb") as f:
        f.write(raw)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "structure":
        structure(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]),
                  dict(a.split("=") for a in sys.argv[6:]))
    elif cmd == "simulate":
        simulate(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], float(sys.argv[6]), sys.argv[7], sys.argv[8])
    else:
        perturb(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
