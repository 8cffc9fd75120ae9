"""Machinery shared by the recurrent-dropout cells: masks and scaling.

The cells here split one recurrent step in two parts so that a sequence wrapper can run
them fast and sample masks once per sequence without Keras' private dropout-cell API:

- ``project_inputs`` applies input dropout and the input kernel to a whole sequence at
  once (one large matmul instead of one per step);
- ``step`` runs the recurrence on one projected step, given that step's recurrent mask.

``RecurrentDropoutRNN`` samples every recurrent mask of a sequence before the loop (per
step or per sequence) and feeds them to the loop beside the projected inputs, so the loop
body draws no random numbers at all.
"""

import inspect

import keras
from keras import ops

from tfrnnx._validation import check_choice
from tfrnnx._validation import check_integer
from tfrnnx._validation import check_rate
from tfrnnx._validation import check_seed

MASK_SAMPLINGS = ("per_step", "per_sequence")
DROPOUT_SCALINGS = ("inverted", "test_time")


def _uniform(shape, seed_generator):
    """U[0, 1) float32 draws of ``shape`` from ``seed_generator``.

    On TensorFlow the Philox generator is asked for by name. Left to "auto_select", XLA
    picks ThreeFry, which on CPU took 54 ms for one (32, 35, 256) per-step mask tensor
    against 0.9 ms for Philox (docs/results/benchmarks.md); outside XLA "auto_select" is
    Philox already, so eager and graph masks are the same numbers as with
    ``keras.random.uniform``.
    """
    if keras.backend.backend() != "tensorflow":
        return keras.random.uniform(shape, seed=seed_generator)
    import tensorflow as tf  # the TensorFlow backend is active, so this is installed

    seed = seed_generator.next()
    if seed.dtype != tf.int32:  # as keras' own _cast_seed: XLA wants int32 seeds
        seed = tf.cast(tf.math.floormod(seed, tf.int32.max - 1), tf.int32)
    return tf.random.stateless_uniform(shape, seed=seed, alg="philox")


class RecurrentDropoutCellBase(keras.layers.Layer):
    """Base of the tfrnnx recurrent-dropout cells (private).

    Holds the arguments every cell shares (activation, bias, initializers, regularizers,
    dropout settings). Subclasses set ``recurrent_dropout_modes``, create their weights in
    ``build`` (``_add_kernels`` makes the two kernels) and implement ``_input_bias`` and
    ``step``.
    """

    recurrent_dropout_modes = ("update", "hidden", "cell")

    def __init__(
        self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
        recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
        recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
        recurrent_dropout_mode="update", mask_sampling="per_step", dropout_scaling="inverted",
        seed=None, **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = check_integer("units", units)
        self.dropout = check_rate("dropout", dropout)
        self.recurrent_dropout = check_rate("recurrent_dropout", recurrent_dropout)
        self.recurrent_dropout_mode = check_choice(
            "recurrent_dropout_mode", recurrent_dropout_mode, self.recurrent_dropout_modes
        )
        self.mask_sampling = check_choice("mask_sampling", mask_sampling, MASK_SAMPLINGS)
        self.dropout_scaling = check_choice(
            "dropout_scaling", dropout_scaling, DROPOUT_SCALINGS
        )
        self.seed = check_seed("seed", seed)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = keras.regularizers.get(recurrent_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)
        self.kernel_constraint = keras.constraints.get(kernel_constraint)
        self.recurrent_constraint = keras.constraints.get(recurrent_constraint)
        self.bias_constraint = keras.constraints.get(bias_constraint)
        # Set by RecurrentDropoutRNN while it runs the loop: the width of the projected
        # inputs inside the concatenated [projected inputs, recurrent mask] step input.
        self._projected_width = None

    @classmethod
    def argument_names(cls):
        """Names of the constructor arguments of this cell class and its bases."""
        names = set()
        for klass in cls.__mro__:
            if "__init__" in vars(klass) and issubclass(klass, RecurrentDropoutCellBase):
                names |= set(inspect.signature(vars(klass)["__init__"]).parameters)
        return names - {"self", "kwargs"}

    def _add_kernels(self, input_dim, width):
        """Creates ``kernel (input_dim, width)`` and ``recurrent_kernel (units, width)``."""
        self.kernel = self.add_weight(
            shape=(input_dim, width),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )

    def _add_bias(self, shape, initializer=None):
        """Creates ``bias`` of ``shape`` if ``use_bias``, else sets it to None."""
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=shape,
                name="bias",
                initializer=initializer or self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    # -- pieces the sequence wrapper calls -------------------------------------------

    def project_inputs(self, inputs, training=False):
        """Input dropout, then ``inputs @ kernel`` (+ input bias), on any leading shape.

        On a sequence ``(batch, time, features)`` the dropout mask is shared by all steps,
        as in ``keras.layers.LSTM``; on one step ``(batch, features)`` it is new each call.
        """
        if training and self.dropout > 0.0:
            noise_shape = None
            if len(inputs.shape) == 3:
                noise_shape = (ops.shape(inputs)[0], 1, ops.shape(inputs)[2])
            inputs = keras.random.dropout(
                inputs, self.dropout, noise_shape=noise_shape, seed=self.seed_generator
            )
        projected = ops.matmul(inputs, self.kernel)
        bias = self._input_bias()
        if bias is not None:
            projected = projected + bias
        return projected

    def recurrent_masks(self, batch_size, steps, dtype, training=False):
        """Recurrent dropout masks for a sequence, ``(batch, steps, units)``, or None.

        Kept units hold 1/(1-p) with inverted scaling and 1 with test-time scaling,
        dropped units 0. With ``steps=None`` one step's mask ``(batch, units)`` is drawn.
        """
        if not training or self.recurrent_dropout == 0.0:
            return None
        if steps is None:
            shape = (batch_size, self.units)
        elif self.mask_sampling == "per_step":
            shape = (batch_size, steps, self.units)
        else:
            shape = (batch_size, 1, self.units)
        keep = ops.cast(_uniform(shape, self.seed_generator) >= self.recurrent_dropout, dtype)
        if self.dropout_scaling == "inverted":
            keep = keep / ops.cast(1.0 - self.recurrent_dropout, dtype)
        if steps is not None and self.mask_sampling == "per_sequence":
            keep = ops.broadcast_to(keep, (batch_size, steps, self.units))
        return keep

    def apply_recurrent_dropout(self, tensor, mask, training):
        """Multiplies by the step's mask in training; by (1-p) at test time if asked."""
        if mask is not None:
            return tensor * mask
        if not training and self.dropout_scaling == "test_time" and self.recurrent_dropout > 0.0:
            return tensor * ops.cast(1.0 - self.recurrent_dropout, tensor.dtype)
        return tensor

    # -- keras.layers.RNN cell protocol ------------------------------------------------

    def call(self, inputs, states, training=False):
        training = bool(training)
        if self._projected_width is not None:
            # Inside RecurrentDropoutRNN: inputs are [projected step, recurrent mask].
            width = self._projected_width
            if inputs.shape[-1] > width:
                return self.step(inputs[:, :width], states, inputs[:, width:], training)
            return self.step(inputs, states, None, training)
        if training and self.recurrent_dropout > 0.0 and self.mask_sampling == "per_sequence":
            raise ValueError(
                "mask_sampling='per_sequence' needs the whole sequence: run the cell in "
                "tfrnnx.layers.RecurrentDropoutRNN (or RecurrentDropoutLSTM/GRU/SimpleRNN) "
                f"instead of {type(self).__name__} alone in keras.layers.RNN. "
                f"Received: mask_sampling={self.mask_sampling!r}"
            )
        projected = self.project_inputs(inputs, training)
        mask = self.recurrent_masks(ops.shape(inputs)[0], None, projected.dtype, training)
        return self.step(projected, states, mask, training)

    def get_config(self):
        config = {
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "kernel_regularizer": keras.regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": keras.regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": keras.regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": keras.constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": keras.constraints.serialize(self.recurrent_constraint),
            "bias_constraint": keras.constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "recurrent_dropout_mode": self.recurrent_dropout_mode,
            "mask_sampling": self.mask_sampling,
            "dropout_scaling": self.dropout_scaling,
            "seed": self.seed,
        }
        return {**super().get_config(), **config}

