"""RecurrentDropoutRNN: runs a tfrnnx recurrent-dropout cell over whole sequences."""

import keras
from keras import ops

from tfrnnx.layers._recurrent_dropout import RecurrentDropoutCellBase

# Arguments every cell config carries that belong to the wrapping layer, not the cell.
_LAYER_OWNED_KEYS = ("name", "trainable", "dtype")


@keras.saving.register_keras_serializable(package="tfrnnx")
class RecurrentDropoutRNN(keras.layers.RNN):
    """Sequence layer for the tfrnnx recurrent-dropout cells.

    A `keras.layers.RNN` that knows the cells' two halves: it projects the whole input
    sequence with one matmul before the time loop (input dropout included), samples all
    recurrent dropout masks of the sequence at once (a new mask per step, or one per
    sequence), and feeds them to the loop beside the projected inputs. The loop body then
    only does the recurrent matmul and elementwise work. This is what makes
    `mask_sampling="per_sequence"` possible without Keras' private dropout-cell API.

    Args:
        cell: a `RecurrentDropoutLSTMCell`, `RecurrentDropoutGRUCell` or
            `RecurrentDropoutSimpleRNNCell`.
        return_sequences: return the whole output sequence, not only the last output.
        return_state: also return the last states.
        go_backwards: process the sequence backwards.
        stateful: carry the last states of a batch into the next batch.
        unroll: unroll the loop (short sequences only).
        zero_output_for_mask: output zeros at masked steps when returning sequences.
        **kwargs: base `keras.layers.Layer` arguments.

    Call arguments:
        sequences: float tensor `(batch, time, features)`.
        initial_state: optional list of initial state tensors.
        mask: optional boolean `(batch, time)`; masked steps keep the previous state.
        training: whether dropout is active.

    Returns:
        As `keras.layers.RNN`: `(batch, units)` or `(batch, time, units)`, followed by the
        states if `return_state=True`.

    Example:

    >>> import numpy as np, tfrnnx
    >>> cell = tfrnnx.layers.RecurrentDropoutLSTMCell(
    ...     8, recurrent_dropout=0.25, mask_sampling="per_sequence", seed=1)
    >>> layer = tfrnnx.layers.RecurrentDropoutRNN(cell, return_sequences=True)
    >>> tuple(layer(np.ones((2, 5, 3), "float32"), training=True).shape)
    (2, 5, 8)

    References:
        Semeniuta, Severyn, Barth (2016), "Recurrent Dropout without Memory Loss",
        COLING; thesis chapter 3.
    """

    def __init__(
        self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
        unroll=False, zero_output_for_mask=False, **kwargs,
    ):
        if not isinstance(cell, RecurrentDropoutCellBase):
            raise ValueError(
                "cell must be a tfrnnx recurrent-dropout cell (RecurrentDropoutLSTMCell, "
                "RecurrentDropoutGRUCell or RecurrentDropoutSimpleRNNCell). "
                f"Received: cell={cell!r}"
            )
        super().__init__(
            cell, return_sequences=return_sequences, return_state=return_state,
            go_backwards=go_backwards, stateful=stateful, unroll=unroll,
            zero_output_for_mask=zero_output_for_mask, **kwargs,
        )
        self.input_spec = keras.InputSpec(ndim=3)

    def inner_loop(self, sequences, initial_state, mask, training=False):
        cell = self.cell
        training = bool(training)
        projected = cell.project_inputs(sequences, training)
        shape = ops.shape(sequences)
        masks = cell.recurrent_masks(shape[0], shape[1], projected.dtype, training)
        loop_inputs = projected if masks is None else ops.concatenate([projected, masks], -1)
        cell._projected_width = projected.shape[-1]
        try:
            return super().inner_loop(loop_inputs, initial_state, mask, training=training)
        finally:
            cell._projected_width = None



class _CellTypeLayer(RecurrentDropoutRNN):
    """Base of the drop-in layers (`RecurrentDropoutLSTM`, ...): builds ``cell_class``.

    The layer takes the cell's arguments directly, mirrors each on itself as an
    attribute, and its config lists them instead of a nested cell config.
    """

    cell_class = None

    def __init__(self, units, **kwargs):
        # kwargs hold the cell's arguments and the sequence layer's (return_sequences, ...).
        names = self.cell_class.argument_names()
        cell_arguments = {name: kwargs.pop(name) for name in list(kwargs) if name in names}
        cell = self.cell_class(
            units,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name="recurrent_dropout_cell",
            **cell_arguments,
        )
        super().__init__(cell, **kwargs)
        for name, value in cell.get_config().items():
            if name not in _LAYER_OWNED_KEYS:
                setattr(self, name, getattr(cell, name, value))

    def get_config(self):
        base_config = super().get_config()
        del base_config["cell"]
        cell_config = {
            key: value
            for key, value in self.cell.get_config().items()
            if key not in _LAYER_OWNED_KEYS
        }
        return {**base_config, **cell_config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
