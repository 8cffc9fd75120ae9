"""Independent numpy implementations of the thesis' recurrent-dropout equations.

Each function runs a whole sequence given explicit recurrent masks ``masks[t]`` (already
scaled: 0 or 1/(1-p) for inverted dropout, 0 or 1 for test-time scaling) or, at inference
with test-time scaling, a scalar ``keep`` = 1-p multiplying the dropped tensor.
"""

import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _drop(x, masks, t, keep):
    if masks is not None:
        return x * masks[:, t]
    return x * keep


def _layer_norm(x, gamma, beta=0.0, eps=1e-5):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def lstm(x, kernel, recurrent_kernel, bias, mode, masks=None, keep=1.0, h0=None, c0=None,
         layer_norm=None):
    """Returns (h for every step, last c). Gate order i, f, g, o (Keras).

    mode: "update" c = f c + i d(g) (eq. 3.3.10); "hidden" gates from d(h); "cell"
    c = d(f c + i g) (eq. 3.3.9). ``layer_norm`` = (gate_gamma (4, u), cell_gamma,
    cell_beta) normalises each gate's pre-activation (bias added after) and the cell.
    """
    batch, steps, _ = x.shape
    units = recurrent_kernel.shape[0]
    h = np.zeros((batch, units)) if h0 is None else h0
    c = np.zeros((batch, units)) if c0 is None else c0
    outputs = []
    for t in range(steps):
        h_in = _drop(h, masks, t, keep) if mode == "hidden" else h
        z = x[:, t] @ kernel + h_in @ recurrent_kernel
        if layer_norm is not None:
            gate_gamma = layer_norm[0]
            z = np.concatenate(
                [_layer_norm(z[:, k * units:(k + 1) * units], gate_gamma[k]) for k in range(4)],
                axis=-1,
            )
        z = z + bias
        i = sigmoid(z[:, :units])
        f = sigmoid(z[:, units:2 * units])
        g = np.tanh(z[:, 2 * units:3 * units])
        o = sigmoid(z[:, 3 * units:])
        if mode == "update":
            g = _drop(g, masks, t, keep)
        c = f * c + i * g
        if mode == "cell":
            c = _drop(c, masks, t, keep)
        c_out = c if layer_norm is None else _layer_norm(c, layer_norm[1], layer_norm[2])
        h = o * np.tanh(c_out)
        outputs.append(h)
    return np.stack(outputs, 1), c


def gru(x, kernel, recurrent_kernel, bias, mode, masks=None, keep=1.0):
    """Keras GRU with reset_after=True; bias (2, 3u); h = z h + (1 - z) g."""
    batch, steps, _ = x.shape
    units = recurrent_kernel.shape[0]
    h = np.zeros((batch, units))
    outputs = []
    for t in range(steps):
        h_in = _drop(h, masks, t, keep) if mode == "hidden" else h
        xz = x[:, t] @ kernel + bias[0]
        rz = h_in @ recurrent_kernel + bias[1]
        z = sigmoid(xz[:, :units] + rz[:, :units])
        r = sigmoid(xz[:, units:2 * units] + rz[:, units:2 * units])
        g = np.tanh(xz[:, 2 * units:] + r * rz[:, 2 * units:])
        if mode == "update":
            g = _drop(g, masks, t, keep)
        h = z * h + (1 - z) * g
        if mode == "cell":
            h = _drop(h, masks, t, keep)
        outputs.append(h)
    return np.stack(outputs, 1)


def simple_rnn(x, kernel, recurrent_kernel, bias, mode, masks=None, keep=1.0):
    """h = tanh(x W + b + d(h) U) (mode "hidden", eq. 3.3.4) or d(tanh(...)) ("cell")."""
    batch, steps, _ = x.shape
    h = np.zeros((batch, recurrent_kernel.shape[0]))
    outputs = []
    for t in range(steps):
        h_in = _drop(h, masks, t, keep) if mode == "hidden" else h
        h = np.tanh(x[:, t] @ kernel + bias + h_in @ recurrent_kernel)
        if mode == "cell":
            h = _drop(h, masks, t, keep)
        outputs.append(h)
    return np.stack(outputs, 1)
