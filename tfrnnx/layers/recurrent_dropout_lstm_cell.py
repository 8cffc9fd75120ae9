"""RecurrentDropoutLSTMCell and its sequence layer RecurrentDropoutLSTM (thesis ch. 3)."""

import keras
from keras import ops

from tfrnnx.layers._recurrent_dropout import RecurrentDropoutCellBase
from tfrnnx.layers.recurrent_dropout_rnn import _CellTypeLayer

_LAYER_NORM_EPSILON = 1e-5


def _normalize(x, axis=-1):
    """Zero mean, unit variance over ``axis`` (the scale and shift are applied outside)."""
    mean = ops.mean(x, axis=axis, keepdims=True)
    variance = ops.mean(ops.square(x - mean), axis=axis, keepdims=True)
    return (x - mean) * ops.rsqrt(variance + _LAYER_NORM_EPSILON)


class _UnitForgetBias(keras.initializers.Initializer):
    """Bias initializer with the forget-gate quarter set to one, as keras.layers.LSTMCell."""

    def __init__(self, base, units):
        self.base = base
        self.units = units

    def __call__(self, shape, dtype=None):
        units = self.units
        return ops.concatenate(
            [
                self.base((units,), dtype=dtype),
                keras.initializers.get("ones")((units,), dtype=dtype),
                self.base((units * 2,), dtype=dtype),
            ]
        )


@keras.saving.register_keras_serializable(package="tfrnnx")
class RecurrentDropoutLSTMCell(RecurrentDropoutCellBase):
    """LSTM cell with recurrent dropout on the cell update g (or on h(t-1), or on c).

    Computes, with gates in Keras' order i, f, g, o and `d(.)` the recurrent dropout:

    - `"update"` (Semeniuta et al., thesis eq. 3.3.10): `c_t = f*c_{t-1} + i*d(g_t)`;
    - `"hidden"` (Gal and Ghahramani): gates computed from `d(h_{t-1})`;
    - `"cell"` (Moon et al., thesis eq. 3.3.9): `c_t = d(f*c_{t-1} + i*g_t)`;

    and `h_t = o * tanh(c_t)`. Weights are exactly those of `keras.layers.LSTMCell`
    (`kernel (input_dim, 4u)`, `recurrent_kernel (u, 4u)`, `bias (4u)`), so
    `cell.set_weights(keras_cell.get_weights())` works and, without dropout, outputs equal
    `keras.layers.LSTM`. Alone in `keras.layers.RNN` the cell draws masks at every step;
    run it in `RecurrentDropoutLSTM` (or `RecurrentDropoutRNN`) for per-sequence masks and
    for the faster loop that projects all inputs at once.

    Args:
        units: positive integer, size of h and c.
        activation: activation of g and of the cell output (default tanh).
        recurrent_activation: activation of the gates i, f, o (default sigmoid).
        use_bias: whether the cell has a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: initializers.
        unit_forget_bias: add 1 to the forget-gate bias at initialization.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: regularizers.
        kernel_constraint, recurrent_constraint, bias_constraint: constraints.
        dropout: rate in [0, 1) of ordinary dropout on the inputs x (one mask per
            sequence in the sequence layer, as Keras does).
        recurrent_dropout: rate in [0, 1) of the recurrent dropout.
        recurrent_dropout_mode: `"update"`, `"hidden"` or `"cell"` (see above).
        mask_sampling: `"per_step"` (a new recurrent mask at every step) or
            `"per_sequence"` (one mask per sequence, reused at every step).
        dropout_scaling: `"inverted"` (kept units scaled by 1/(1-p) in training, identity at
            inference; thesis eq. 3.3.15) or `"test_time"` (no scaling in training, times
            (1-p) at inference; eq. 3.3.2). Applies to the recurrent dropout.
        layer_norm: layer-normalize each gate's pre-activation (with a learned gain; the
            bias is added after normalization) and the cell before its output activation
            (learned gain and shift), as TensorFlow's `LayerNormBasicLSTMCell`.
        seed: integer seed of the dropout masks.
        **kwargs: base `keras.layers.Layer` arguments.

    Call arguments:
        inputs: `(batch, input_dim)` step input.
        states: `[h, c]`, each `(batch, units)`.
        training: whether dropout is active.

    Returns:
        `h_t` and the new states `[h_t, c_t]`.

    Example:

    >>> import numpy as np, keras, tfrnnx
    >>> cell = tfrnnx.layers.RecurrentDropoutLSTMCell(16, recurrent_dropout=0.25, seed=0)
    >>> tuple(keras.layers.RNN(cell)(np.ones((4, 7, 3), "float32"), training=True).shape)
    (4, 16)

    References:
        Semeniuta, Severyn, Barth (2016), "Recurrent Dropout without Memory Loss",
        COLING (thesis chapter 3, eqs. 3.3.9-3.3.16); Gal and Ghahramani (2016);
        Moon et al. (2015), "RNNDrop".
    """

    recurrent_dropout_modes = ("update", "hidden", "cell")

    def __init__(
        self, units, recurrent_activation="sigmoid", unit_forget_bias=True, layer_norm=False,
        **kwargs,
    ):
        # The arguments shared by every recurrent-dropout cell are checked and stored by
        # RecurrentDropoutCellBase; this cell adds its gate activation, forget bias and
        # layer normalisation.
        super().__init__(units, **kwargs)
        self.recurrent_activation = keras.activations.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)
        self.layer_norm = bool(layer_norm)
        self.state_size = [self.units, self.units]
        self.output_size = self.units

    def build(self, input_shape):
        units = self.units
        self._add_kernels(input_shape[-1], 4 * units)
        forget_bias = _UnitForgetBias(self.bias_initializer, units) if self.unit_forget_bias else None
        self._add_bias((4 * units,), forget_bias)
        if self.layer_norm:
            self.gate_norm_gamma = self.add_weight(
                shape=(4, units), name="gate_norm_gamma", initializer="ones"
            )
            self.cell_norm_gamma = self.add_weight(
                shape=(units,), name="cell_norm_gamma", initializer="ones"
            )
            self.cell_norm_beta = self.add_weight(
                shape=(units,), name="cell_norm_beta", initializer="zeros"
            )

    def _input_bias(self):
        # With layer norm the bias must come after normalization, so step() adds it.
        return None if self.layer_norm else self.bias

    def step(self, projected_inputs, states, recurrent_mask, training=False):
        h_prev, c_prev = states[0], states[1]
        mode = self.recurrent_dropout_mode
        h_in = self.apply_recurrent_dropout(h_prev, recurrent_mask, training) if mode == "hidden" else h_prev
        z = projected_inputs + ops.matmul(h_in, self.recurrent_kernel)
        if self.layer_norm:
            z = _normalize(ops.reshape(z, (-1, 4, self.units))) * self.gate_norm_gamma
            z = ops.reshape(z, (-1, 4 * self.units))
            if self.bias is not None:
                z = z + self.bias
        z_i, z_f, z_g, z_o = ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        g = self.activation(z_g)
        o = self.recurrent_activation(z_o)
        if mode == "update":
            g = self.apply_recurrent_dropout(g, recurrent_mask, training)
        c = f * c_prev + i * g
        if mode == "cell":
            c = self.apply_recurrent_dropout(c, recurrent_mask, training)
        c_out = c
        if self.layer_norm:
            c_out = _normalize(c) * self.cell_norm_gamma + self.cell_norm_beta
        h = o * self.activation(c_out)
        return h, [h, c]

    def get_config(self):
        config = {
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
            "layer_norm": self.layer_norm,
        }
        return {**super().get_config(), **config}


@keras.saving.register_keras_serializable(package="tfrnnx")
class RecurrentDropoutLSTM(_CellTypeLayer):
    """Drop-in `keras.layers.LSTM` with the recurrent dropout of `RecurrentDropoutLSTMCell`.

    Args:
        units: positive integer, size of the output and state.
        return_sequences, return_state, go_backwards, stateful, unroll: as
            `keras.layers.LSTM`.
        **kwargs: every argument of `RecurrentDropoutLSTMCell` (`dropout`,
            `recurrent_dropout`, `recurrent_dropout_mode`, `mask_sampling`,
            `dropout_scaling`, `layer_norm`, initializers, ..., `seed`) and the base
            layer arguments.

    Call arguments:
        sequences: `(batch, time, features)`; mask: optional `(batch, time)` booleans
            (from `keras.layers.Masking` or `Embedding(mask_zero=True)`); training; and
            initial_state `[h, c]`.

    Returns:
        `(batch, units)`, or `(batch, time, units)` with `return_sequences=True`, followed
        by `h, c` with `return_state=True`.

    Example:

    >>> import numpy as np, keras, tfrnnx
    >>> model = keras.Sequential([keras.Input((None, 3))])
    >>> model.add(tfrnnx.layers.RecurrentDropoutLSTM(8, recurrent_dropout=0.25, seed=0))
    >>> model.add(keras.layers.Dense(2))
    >>> tuple(model(np.ones((4, 5, 3), "float32")).shape)
    (4, 2)

    References:
        Semeniuta, Severyn, Barth (2016), "Recurrent Dropout without Memory Loss",
        COLING; thesis chapter 3.
    """

    cell_class = RecurrentDropoutLSTMCell
