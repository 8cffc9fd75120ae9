"""KLAnnealing: the linear KL-annealing schedule as a callback for any Keras VAE."""

import keras

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_number
from tfrnnx.models.text_vae.kl_schedule import linear_kl_weight


@keras.saving.register_keras_serializable(package="tfrnnx")
class KLAnnealing(keras.callbacks.Callback):
    """Sets a VAE's KL weight β by the linear annealing schedule before every batch.

    β = 0 before `start_step`, rises linearly to 1 over `duration_steps` optimizer steps,
    then stays at 1 (Bowman et al. 2016; thesis §5.3). With `initial_weight` w > 0, β is w
    before `start_step` and the ramp runs from w to 1 (the thesis authors' code keeps a
    floor of 1e-3 for the hybrid). The step is the optimizer's `iterations`, so a resumed
    training continues the schedule. The model must expose a
    scalar float variable named `variable_name` that its loss multiplies the KL term by.
    tfrnnx text VAEs anneal by themselves with `kl_annealing=(start, duration)`; use this
    callback with `kl_annealing=None` there (it refuses a model that anneals by itself).
    The epoch logs get the current β under `variable_name`.

    Args:
        start_step: non-negative integer, first step of the ramp.
        duration_steps: non-negative integer, steps from β = 0 to β = 1 (0: a jump).
        variable_name: name of the model attribute holding β.
        initial_weight: β before `start_step`, in [0, 1).

    Example:

    >>> import numpy as np, keras, tfrnnx, tfrnnx.callbacks
    >>> vae = tfrnnx.models.LSTMTextVAE(vocab_size=5, sequence_length=4, latent_dim=2,
    ...     encoder_units=4, decoder_units=4, embedding_dim=4, seed=0)
    >>> vae.compile(optimizer="adam")
    >>> annealing = tfrnnx.callbacks.KLAnnealing(start_step=1, duration_steps=4)
    >>> tokens = np.zeros((8, 4), "int32")
    >>> history = vae.fit(tokens, batch_size=4, epochs=2, callbacks=[annealing], verbose=0)
    >>> float(vae.beta.numpy())  # steps 0..3 were trained with β = 0, 0, 0.25, 0.5
    0.5

    References:
        Bowman et al. (2016), "Generating Sentences from a Continuous Space", CoNLL;
        Semeniuta, Severyn, Barth (2017), "A Hybrid Convolutional Variational Autoencoder
        for Text Generation", EMNLP.
    """

    def __init__(self, start_step, duration_steps, variable_name="beta", initial_weight=0.0):
        super().__init__()
        for name, value in (("start_step", start_step), ("duration_steps", duration_steps)):
            check_integer(name, value, minimum=0)
        if not isinstance(variable_name, str) or not variable_name:
            raise ValueError(
                f"variable_name must be a non-empty string. Received: variable_name={variable_name!r}"
            )
        self.start_step = start_step
        self.duration_steps = duration_steps
        self.variable_name = variable_name
        self.initial_weight = check_number("initial_weight", initial_weight, 0, 1, include_high=False)

    def _variable(self):
        variable = getattr(self.model, self.variable_name, None)
        if variable is None or not hasattr(variable, "assign"):
            raise ValueError(
                f"KLAnnealing needs the model to have a variable attribute "
                f"{self.variable_name!r}; {type(self.model).__name__} has "
                f"{type(variable).__name__}. Received: variable_name={self.variable_name!r}"
            )
        return variable

    def on_train_begin(self, logs=None):
        self._variable()
        if getattr(self.model, "kl_annealing", None) is not None:
            raise ValueError(
                "the model anneals β itself (kl_annealing="
                f"{self.model.kl_annealing!r}): build it with kl_annealing=None to use the "
                "KLAnnealing callback"
            )

    def value_at(self, step):
        """β at optimizer step `step`."""
        ramp = float(linear_kl_weight(step, self.start_step, self.duration_steps))
        return self.initial_weight + (1.0 - self.initial_weight) * ramp

    def on_train_batch_begin(self, batch, logs=None):
        step = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
        self._variable().assign(self.value_at(step))

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs[self.variable_name] = float(keras.ops.convert_to_numpy(self._variable()))

    def get_config(self):
        return {
            "start_step": self.start_step,
            "duration_steps": self.duration_steps,
            "variable_name": self.variable_name,
            "initial_weight": self.initial_weight,
        }

    @classmethod
    def from_config(cls, config):
        # Keras callbacks have no from_config; this makes the registered class deserializable.
        return cls(**config)
