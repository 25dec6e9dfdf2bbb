"""torch_models.py: spikec's benchmark models, written in PyTorch (eager).

The PyTorch side of `make bench` (bench/bench.sh). Both models are the
paper's row-wise MNIST classifier (examples/mnist_rows.snn and
examples/mnist_rows_lstm.snn): T = 28 steps of I = 28 inputs, H = 200
hidden units, y = dense(last(h), 10), cross-entropy (mean over the batch),
Adam(lr = 1e-3). They follow DESIGN section 2 and dsl/prelude.snn exactly:

SpikingLSTM  the prelude's `slstm` (threshold 0.1):
                 a = W_ih x_t + W_hh h_{t-1} + b,  split i, f, g, o
                 i, f, o = S(a - 0.1) with surrogate gaussian(var = 0.15)
                 g       = S(a - 0.1) with surrogate gaussian(var = 0.5, peak = 1/sqrt(0.3 pi))
                 c_t = S(f * c_{t-1} + i * g - 0.1)   (cell surrogate as g)
                 h_t = o * c_t
             S is a torch.autograd.Function: forward v > 0, backward
             grad * peak * exp(-v^2 / (2 var)).
LSTM         torch.nn.LSTM itself (its fused CPU kernel, the fast path a
             PyTorch user gets), with bias_hh fixed at zero and not trained,
             so bias_ih is the single `bias` of DESIGN section 2. LoopLSTM
             is the same cell written out step by step; it is used only to
             check nn.LSTM against the spikec twin, never timed.

Parameters are named and laid out as spikec's checkpoints (h.weight_ih
(4H, I), h.weight_hh (4H, H), h.bias (4H), y.weight (10, H), y.bias (10)),
initialised He-normal (std sqrt(2 / fan_in)) with zero biases, as spikec's
m_init (from torch's generator, so not the same numbers; load_flat() takes
spikec's own initial parameters when the two must agree bit for bit).

Both models hoist the input projection out of the time loop (one GEMM of
(T*B, I) x (I, 4H) instead of T small ones), as a PyTorch user would and as
nn.LSTM does internally; spikec's emitted C does one such GEMM per step.
"""
import math

import os

import torch
import torch.nn.functional as F

T, I, H, O = 28, 28, 200, 10
# bench/memory.sh runs the spiking model at the shape of pixel-wise MNIST.
if os.environ.get("BENCH_SHAPE"):
    T, I, H = (int(v) for v in os.environ["BENCH_SHAPE"].split())
THETA = 0.1
GATE_VAR, GATE_PEAK = 0.15, 1.0 / math.sqrt(2.0 * math.pi * 0.15)
CELL_VAR, CELL_PEAK = 0.5, 1.0300645387285057  # = 1 / sqrt(0.3 pi), the prelude's value

# spikec's parameter order and shapes (the layout of m_tensors[]).
PARAMS = [("h.weight_ih", (4 * H, I)), ("h.weight_hh", (4 * H, H)), ("h.bias", (4 * H,)),
          ("y.weight", (O, H)), ("y.bias", (O,))]


class GaussianSpike(torch.autograd.Function):
    """S(v) = 1 if v > 0 else 0, v = pre-activation minus threshold.

    Backward: grad * peak * exp(-v^2 / two_var); peak and two_var (= 2 var)
    broadcast against v, so the four gates (three with the gate surrogate,
    g with the cell surrogate) are one node of the graph.
    """

    @staticmethod
    def forward(ctx, v, two_var, peak):
        ctx.save_for_backward(v, two_var, peak)
        return (v > 0).to(v.dtype)

    @staticmethod
    def backward(ctx, grad):
        v, two_var, peak = ctx.saved_tensors
        return grad * peak * torch.exp(-v * v / two_var), None, None


def he_normal_(w, fan_in, gen):
    with torch.no_grad():
        w.normal_(0.0, math.sqrt(2.0 / fan_in), generator=gen)
    return w


class SpikingLSTM(torch.nn.Module):
    """slstm(x, 200, threshold = 0.1) -> dense(last(h), 10)."""

    def __init__(self, seed=1):
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        self.weight_ih = torch.nn.Parameter(he_normal_(torch.empty(4 * H, I), I, gen))
        self.weight_hh = torch.nn.Parameter(he_normal_(torch.empty(4 * H, H), H, gen))
        self.bias = torch.nn.Parameter(torch.zeros(4 * H))
        self.y = torch.nn.Linear(H, O)
        he_normal_(self.y.weight, H, gen)
        with torch.no_grad():
            self.y.bias.zero_()
        # Per column of a (B, 4H): gates i, f, o use the gate surrogate, g the cell's.
        two_var = torch.full((4 * H,), 2.0 * GATE_VAR)
        peak = torch.full((4 * H,), GATE_PEAK)
        two_var[2 * H:3 * H] = 2.0 * CELL_VAR
        peak[2 * H:3 * H] = CELL_PEAK
        self.register_buffer("gate_two_var", two_var)
        self.register_buffer("gate_peak", peak)
        self.register_buffer("cell_two_var", torch.tensor(2.0 * CELL_VAR))
        self.register_buffer("cell_peak", torch.tensor(CELL_PEAK))

    def named_flat(self):
        return [("h.weight_ih", self.weight_ih), ("h.weight_hh", self.weight_hh), ("h.bias", self.bias),
                ("y.weight", self.y.weight), ("y.bias", self.y.bias)]

    def cell(self, xp_t, h, c):
        """One step from the projected input xp_t = W_ih x_t + b."""
        a = torch.addmm(xp_t, h, self.weight_hh.t())
        gates = GaussianSpike.apply(a - THETA, self.gate_two_var, self.gate_peak)
        i, f, g, o = gates.chunk(4, dim=1)
        c = GaussianSpike.apply(f * c + i * g - THETA, self.cell_two_var, self.cell_peak)
        return o * c, c

    def forward(self, x):
        """x (T, B, I) -> logits (B, O)."""
        steps, batch, _ = x.shape
        xp = torch.addmm(self.bias, x.reshape(steps * batch, I), self.weight_ih.t()).view(steps, batch, 4 * H)
        h = x.new_zeros(batch, H)
        c = x.new_zeros(batch, H)
        for xp_t in xp.unbind(0):  # not xp[t]: each select's backward adds a zero (T, B, 4H) tensor
            h, c = self.cell(xp_t, h, c)
        return self.y(h)

    def stream_reset(self):
        return (torch.zeros(1, H), torch.zeros(1, H))

    def stream_step(self, state, x_t):
        """One step of one sample (x_t (1, I)); returns (state, logits from the current h)."""
        h, c = self.cell(torch.addmm(self.bias, x_t, self.weight_ih.t()), *state)
        return (h, c), self.y(h)


class LSTM(torch.nn.Module):
    """lstm(x, 200) -> dense(last(h), 10), on torch.nn.LSTM with bias_hh = 0 (frozen)."""

    def __init__(self, seed=1):
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        self.lstm = torch.nn.LSTM(I, H)
        he_normal_(self.lstm.weight_ih_l0, I, gen)
        he_normal_(self.lstm.weight_hh_l0, H, gen)
        with torch.no_grad():
            self.lstm.bias_ih_l0.zero_()
            self.lstm.bias_hh_l0.zero_()
        self.lstm.bias_hh_l0.requires_grad_(False)
        self.y = torch.nn.Linear(H, O)
        he_normal_(self.y.weight, H, gen)
        with torch.no_grad():
            self.y.bias.zero_()

    def named_flat(self):
        return [("h.weight_ih", self.lstm.weight_ih_l0), ("h.weight_hh", self.lstm.weight_hh_l0),
                ("h.bias", self.lstm.bias_ih_l0), ("y.weight", self.y.weight), ("y.bias", self.y.bias)]

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)
        return self.y(h_n[0])

    def stream_reset(self):
        return (torch.zeros(1, 1, H), torch.zeros(1, 1, H))

    def stream_step(self, state, x_t):
        _, state = self.lstm(x_t.view(1, 1, I), state)
        return state, self.y(state[0][0])


class LoopLSTM(torch.nn.Module):
    """The prelude's `lstm` written out step by step on LSTM's parameters (a check, not timed)."""

    def __init__(self, ref):
        super().__init__()
        self.ref = ref

    def forward(self, x):
        p = dict(self.ref.named_flat())
        h = x.new_zeros(x.shape[1], H)
        c = x.new_zeros(x.shape[1], H)
        for t in range(x.shape[0]):
            a = x[t] @ p["h.weight_ih"].t() + h @ p["h.weight_hh"].t() + p["h.bias"]
            ai, af, ag, ao = a.chunk(4, dim=1)
            c = torch.sigmoid(af) * c + torch.sigmoid(ai) * torch.tanh(ag)
            h = torch.sigmoid(ao) * torch.tanh(c)
        return h @ p["y.weight"].t() + p["y.bias"]


MODELS = {"mnist_rows": SpikingLSTM, "mnist_rows_lstm": LSTM}


def build(name, seed=1):
    return MODELS[name](seed)


def loss_fn(model, x, labels):
    return F.cross_entropy(model(x), labels)


def optimizer(model):
    """Adam(lr = 1e-3) over the trained parameters (LSTM's frozen bias_hh is not one)."""
    return torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)


def load_flat(model, flat):
    """Copies spikec's flat parameter array (m_tensors order) into the model."""
    at = 0
    with torch.no_grad():
        for (name, shape), (mine, p) in zip(PARAMS, model.named_flat()):
            assert name == mine and tuple(p.shape) == shape, (name, mine, shape, p.shape)
            n = math.prod(shape)
            p.copy_(flat[at:at + n].view(shape))
            at += n
    assert at == flat.numel()


def flat_grad(model):
    return torch.cat([p.grad.reshape(-1) for _, p in model.named_flat()])
