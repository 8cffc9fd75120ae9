"""HeuristicKLAnnealing: the thesis' rule for when and how long to anneal the KL weight."""

import keras

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_number
from tfrnnx.callbacks.kl_annealing import KLAnnealing
from tfrnnx.models.text_vae.kl_schedule import convergence_step
from tfrnnx.models.text_vae.kl_schedule import heuristic_kl_annealing


@keras.saving.register_keras_serializable(package="tfrnnx")
class HeuristicKLAnnealing(KLAnnealing):
    """Anneals a VAE's KL weight β by the thesis' heuristic, in one training run.

    Thesis §5.3 (lines 2512-2515): first train with β = 0 until the model converges, then
    anneal β linearly to 1, starting after that point and lasting at least 20% of the steps
    it took to converge. This callback trains with β = 0 and reads `monitor` at the end of
    every epoch (use short epochs, e.g. `fit(..., steps_per_epoch=100)`). Once that curve has
    converged (`tfrnnx.models.text_vae.kl_schedule.convergence_step`: its best value, then
    `patience` epochs none better by `min_relative_improvement`), annealing starts at the
    current step and lasts `duration_fraction` of the converged-at step. The β = 0 phase is
    the thesis' separate KL-weight-0 run; continuing it, instead of restarting, saves that run.
    `steps_at_full_weight` steps after β reaches 1, training stops (None: fit runs its
    epochs). The model must anneal nothing itself (`kl_annealing=None`).

    `initial_weight` > 0 replaces the β = 0 phase by a small constant β (the ramp then runs
    from it to 1). Use it when the decoder normalises z's scale away (BatchNorm right after
    the projection of z, as in `HybridTextVAE`): at β = 0 nothing then bounds the posterior's
    scale, Adam lets it drift, and the KL overflows to inf (loss NaN) on wide encoders.

    After it fires, `converged_at`, `start_step` and `duration_steps` hold the schedule; if
    the curve never converges they stay None and β stays at `initial_weight` (the run was
    too short).

    Args:
        monitor: the epoch-log key to watch, e.g. `"val_loss"` or `"val_rec"`.
        patience: epochs without improvement that mark convergence.
        min_relative_improvement: smallest relative decrease that counts as improvement.
        duration_fraction: annealing length as a fraction of the converged-at step, >= 0.2.
        steps_at_full_weight: steps trained at β = 1 before training stops, or None.
        variable_name: name of the model attribute holding β.
        initial_weight: β before annealing starts, in [0, 1); 0 is the thesis' rule.

    Example:

    >>> import numpy as np, keras, tfrnnx, tfrnnx.callbacks
    >>> vae = tfrnnx.models.LSTMTextVAE(vocab_size=5, sequence_length=4, latent_dim=2,
    ...     encoder_units=4, decoder_units=4, embedding_dim=4, seed=0)
    >>> vae.compile(optimizer=keras.optimizers.SGD(0.0))  # a flat curve converges at once
    >>> annealing = tfrnnx.callbacks.HeuristicKLAnnealing(
    ...     monitor="loss", patience=2, steps_at_full_weight=1)
    >>> tokens = np.zeros((40, 4), "int32")
    >>> history = vae.fit(tokens, batch_size=2, epochs=10, steps_per_epoch=2,
    ...                   callbacks=[annealing], verbose=0)
    >>> annealing.converged_at, annealing.start_step, annealing.duration_steps
    (2, 6, 1)
    >>> len(history.history["loss"]), float(vae.beta.numpy())
    (4, 1.0)

    References:
        Semeniuta, Severyn, Barth (2017), "A Hybrid Convolutional Variational Autoencoder
        for Text Generation", EMNLP; thesis §5.3.
    """

    def __init__(self, monitor="val_loss", patience=3, min_relative_improvement=0.01,
                 duration_fraction=0.2, steps_at_full_weight=None, variable_name="beta",
                 initial_weight=0.0):
        super().__init__(0, 0, variable_name, initial_weight)
        if not isinstance(monitor, str) or not monitor:
            raise ValueError(f"monitor must be a non-empty string. Received: monitor={monitor!r}")
        self.monitor = monitor
        self.patience = check_integer("patience", patience)
        self.min_relative_improvement = check_number(
            "min_relative_improvement", min_relative_improvement, 0, 1, include_high=False
        )
        self.duration_fraction = check_number("duration_fraction", duration_fraction, 0.2, None)
        self.steps_at_full_weight = (
            None if steps_at_full_weight is None
            else check_integer("steps_at_full_weight", steps_at_full_weight, minimum=0)
        )
        self.converged_at = self.start_step = self.duration_steps = None
        self._curve = []

    def _step(self):
        return int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if self.start_step is None:
            self._variable().assign(self.initial_weight)

    def value_at(self, step):
        """β at optimizer step `step` (`initial_weight` until the schedule is known)."""
        return self.initial_weight if self.start_step is None else super().value_at(step)

    def on_train_batch_end(self, batch, logs=None):
        if self.start_step is None or self.steps_at_full_weight is None:
            return
        if self._step() >= self.start_step + self.duration_steps + self.steps_at_full_weight:
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        if self.start_step is not None:
            return
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(
                f"HeuristicKLAnnealing watches {self.monitor!r}, which the epoch logs lack "
                f"(they have {sorted(logs)}). Received: monitor={self.monitor!r}"
            )
        step = self._step()
        self._curve.append((step, float(logs[self.monitor])))
        steps, values = zip(*self._curve)
        converged = convergence_step(values, steps, self.patience, self.min_relative_improvement)
        if converged is not None:
            self.converged_at = converged
            _, self.duration_steps = heuristic_kl_annealing(converged, self.duration_fraction)
            self.start_step = step

    def get_config(self):
        return {
            "monitor": self.monitor,
            "patience": self.patience,
            "min_relative_improvement": self.min_relative_improvement,
            "duration_fraction": self.duration_fraction,
            "steps_at_full_weight": self.steps_at_full_weight,
            "variable_name": self.variable_name,
            "initial_weight": self.initial_weight,
        }
