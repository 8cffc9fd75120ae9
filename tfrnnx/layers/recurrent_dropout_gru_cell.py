"""RecurrentDropoutGRUCell and its sequence layer RecurrentDropoutGRU (thesis ch. 3)."""

import keras
from keras import ops

from tfrnnx.layers._recurrent_dropout import RecurrentDropoutCellBase
from tfrnnx.layers.recurrent_dropout_rnn import _CellTypeLayer


@keras.saving.register_keras_serializable(package="tfrnnx")
class RecurrentDropoutGRUCell(RecurrentDropoutCellBase):
    """GRU cell with recurrent dropout on the candidate (or on h(t-1), or on h).

    Keras' GRU (`reset_after=True`) with gates z, r and candidate g:
    `g_t = tanh(x W_g + b_g + r * (h_{t-1} U_g + b'_g))` and
    `h_t = z*h_{t-1} + (1-z)*g_t` (Keras' naming of z; the thesis writes 1-z for it).
    Recurrent dropout `d(.)`:

    - `"update"` (thesis): `h_t = z*h_{t-1} + (1-z)*d(g_t)`;
    - `"hidden"` (Gal): the recurrent matmul uses `d(h_{t-1})`, as Keras does;
    - `"cell"` (Moon): `h_t = d(z*h_{t-1} + (1-z)*g_t)`.

    Weights are those of `keras.layers.GRUCell(reset_after=True)`: `kernel (input_dim,
    3u)`, `recurrent_kernel (u, 3u)`, `bias (2, 3u)`.

    Args:
        units: positive integer, size of h.
        activation, recurrent_activation, use_bias, kernel_initializer,
        recurrent_initializer, bias_initializer, kernel_regularizer,
        recurrent_regularizer, bias_regularizer, kernel_constraint,
        recurrent_constraint, bias_constraint: as `keras.layers.GRUCell`.
        dropout, recurrent_dropout, recurrent_dropout_mode, mask_sampling,
        dropout_scaling, seed: as `tfrnnx.layers.RecurrentDropoutLSTMCell`.
        **kwargs: base `keras.layers.Layer` arguments.

    Call arguments:
        inputs: `(batch, input_dim)`; states: `[h]`; training: whether dropout is active.

    Returns:
        `h_t` and `[h_t]`.

    Example:

    >>> import numpy as np, keras, tfrnnx
    >>> cell = tfrnnx.layers.RecurrentDropoutGRUCell(6, recurrent_dropout=0.2, seed=0)
    >>> tuple(keras.layers.RNN(cell)(np.ones((2, 4, 3), "float32"), training=True).shape)
    (2, 6)

    References:
        Semeniuta, Severyn, Barth (2016), "Recurrent Dropout without Memory Loss",
        COLING; thesis chapter 3.
    """

    recurrent_dropout_modes = ("update", "hidden", "cell")

    def __init__(self, units, recurrent_activation="sigmoid", **kwargs):
        # The arguments shared by every recurrent-dropout cell are checked and stored by
        # RecurrentDropoutCellBase; this cell adds its gate activation.
        super().__init__(units, **kwargs)
        self.recurrent_activation = keras.activations.get(recurrent_activation)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], 3 * self.units)
        # Row 0: input bias; row 1: recurrent bias (Keras' reset_after=True layout).
        self._add_bias((2, 3 * self.units))

    def _input_bias(self):
        return None if self.bias is None else self.bias[0]

    def step(self, projected_inputs, states, recurrent_mask, training=False):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        mode = self.recurrent_dropout_mode
        h_in = self.apply_recurrent_dropout(h_prev, recurrent_mask, training) if mode == "hidden" else h_prev
        recurrent = ops.matmul(h_in, self.recurrent_kernel)
        if self.bias is not None:
            recurrent = recurrent + self.bias[1]
        x_z, x_r, x_g = ops.split(projected_inputs, 3, axis=-1)
        rec_z, rec_r, rec_g = ops.split(recurrent, 3, axis=-1)
        z = self.recurrent_activation(x_z + rec_z)
        r = self.recurrent_activation(x_r + rec_r)
        g = self.activation(x_g + r * rec_g)
        if mode == "update":
            g = self.apply_recurrent_dropout(g, recurrent_mask, training)
        h = z * h_prev + (1.0 - z) * g
        if mode == "cell":
            h = self.apply_recurrent_dropout(h, recurrent_mask, training)
        return h, [h]

    def get_config(self):
        config = {
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
        }
        return {**super().get_config(), **config}


@keras.saving.register_keras_serializable(package="tfrnnx")
class RecurrentDropoutGRU(_CellTypeLayer):
    """Drop-in `keras.layers.GRU` with the recurrent dropout of `RecurrentDropoutGRUCell`.

    Args:
        units: positive integer.
        return_sequences, return_state, go_backwards, stateful, unroll: as
            `keras.layers.GRU`.
        **kwargs: every argument of `RecurrentDropoutGRUCell` and the base layer's.

    Call arguments:
        sequences `(batch, time, features)`, mask, training, initial_state `[h]`.

    Returns:
        `(batch, units)` or `(batch, time, units)`, then `h` with `return_state=True`.

    Example:

    >>> import numpy as np, tfrnnx
    >>> layer = tfrnnx.layers.RecurrentDropoutGRU(5, recurrent_dropout=0.3, seed=2)
    >>> tuple(layer(np.ones((2, 4, 3), "float32"), training=True).shape)
    (2, 5)

    References:
        Semeniuta, Severyn, Barth (2016), "Recurrent Dropout without Memory Loss",
        COLING; thesis chapter 3.
    """

    cell_class = RecurrentDropoutGRUCell
