"""RecurrentDropoutSimpleRNNCell and its sequence layer RecurrentDropoutSimpleRNN."""

import keras
from keras import ops

from tfrnnx.layers._recurrent_dropout import RecurrentDropoutCellBase
from tfrnnx.layers.recurrent_dropout_rnn import _CellTypeLayer


@keras.saving.register_keras_serializable(package="tfrnnx")
class RecurrentDropoutSimpleRNNCell(RecurrentDropoutCellBase):
    """Vanilla RNN cell with recurrent dropout (thesis eq. 3.3.4).

    `h_t = f(x W + b + d(h_{t-1}) U)` in mode `"hidden"` (thesis eq. 3.3.4: in a vanilla
    RNN the whole new state is the update, so the thesis drops the recurrent input; with
    `mask_sampling="per_sequence"` this is Gal's scheme), or `h_t = d(f(x W + b +
    h_{t-1} U))` in mode `"cell"` (Moon). Weights as `keras.layers.SimpleRNNCell`:
    `kernel (input_dim, u)`, `recurrent_kernel (u, u)`, `bias (u)`.

    Args:
        units: positive integer, size of h.
        activation, use_bias, kernel_initializer, recurrent_initializer,
        bias_initializer, kernel_regularizer, recurrent_regularizer, bias_regularizer,
        kernel_constraint, recurrent_constraint, bias_constraint:
            as `keras.layers.SimpleRNNCell`.
        dropout, recurrent_dropout, mask_sampling, dropout_scaling, seed: as
            `tfrnnx.layers.RecurrentDropoutLSTMCell`.
        recurrent_dropout_mode: `"hidden"` (default) or `"cell"`.
        **kwargs: base `keras.layers.Layer` arguments.

    Call arguments:
        inputs: `(batch, input_dim)`; states: `[h]`; training: whether dropout is active.

    Returns:
        `h_t` and `[h_t]`.

    Example:

    >>> import numpy as np, keras, tfrnnx
    >>> cell = tfrnnx.layers.RecurrentDropoutSimpleRNNCell(4, recurrent_dropout=0.5, seed=0)
    >>> tuple(keras.layers.RNN(cell)(np.ones((2, 3, 2), "float32"), training=True).shape)
    (2, 4)

    References:
        Semeniuta, Severyn, Barth (2016), "Recurrent Dropout without Memory Loss",
        COLING; thesis chapter 3.
    """

    recurrent_dropout_modes = ("hidden", "cell")

    def __init__(self, units, recurrent_dropout_mode="hidden", **kwargs):
        # The arguments shared by every recurrent-dropout cell are checked and stored by
        # RecurrentDropoutCellBase; a vanilla RNN has no separate update to drop.
        super().__init__(units, recurrent_dropout_mode=recurrent_dropout_mode, **kwargs)
        self.state_size = self.units
        self.output_size = self.units

    def build(self, input_shape):
        self._add_kernels(input_shape[-1], self.units)
        self._add_bias((self.units,))

    def _input_bias(self):
        return self.bias

    def step(self, projected_inputs, states, recurrent_mask, training=False):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        if self.recurrent_dropout_mode == "hidden":
            h_prev = self.apply_recurrent_dropout(h_prev, recurrent_mask, training)
        h = self.activation(projected_inputs + ops.matmul(h_prev, self.recurrent_kernel))
        if self.recurrent_dropout_mode == "cell":
            h = self.apply_recurrent_dropout(h, recurrent_mask, training)
        return h, [h]


@keras.saving.register_keras_serializable(package="tfrnnx")
class RecurrentDropoutSimpleRNN(_CellTypeLayer):
    """Drop-in `keras.layers.SimpleRNN` with `RecurrentDropoutSimpleRNNCell`'s dropout.

    Args:
        units: positive integer.
        return_sequences, return_state, go_backwards, stateful, unroll: as
            `keras.layers.SimpleRNN`.
        **kwargs: every argument of `RecurrentDropoutSimpleRNNCell` and the base layer's.

    Call arguments:
        sequences `(batch, time, features)`, mask, training, initial_state `[h]`.

    Returns:
        `(batch, units)` or `(batch, time, units)`, then `h` with `return_state=True`.

    Example:

    >>> import numpy as np, tfrnnx
    >>> layer = tfrnnx.layers.RecurrentDropoutSimpleRNN(3, return_sequences=True)
    >>> tuple(layer(np.ones((2, 4, 2), "float32")).shape)
    (2, 4, 3)

    References:
        Semeniuta, Severyn, Barth (2016), "Recurrent Dropout without Memory Loss",
        COLING; thesis chapter 3.
    """

    cell_class = RecurrentDropoutSimpleRNNCell
