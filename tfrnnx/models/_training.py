"""Training steps shared by the models with their own ``train_step``: one place for the
optimizer resolution and the update rule that mixed precision and ``tf.distribute`` need.

- ``resolve_optimizer`` wraps an optimizer in ``LossScaleOptimizer`` under a
  ``mixed_float16`` policy (Keras does this for ``compile``'s own optimizer only, not for a
  model's second or third optimizer).
- ``scaled_loss`` divides a per-replica mean loss by the number of replicas (the gradients
  are summed across replicas) and applies the optimizer's loss scale. Call it inside the
  ``GradientTape``.
- ``apply_update`` takes the gradients of that scaled loss and applies them; a loss-scale
  optimizer unscales them and skips non-finite steps.
"""

import keras
import tensorflow as tf


def resolve_optimizer(optimizer, dtype_policy, default=None):
    """``keras.optimizers.get(optimizer)`` (or ``default()`` for None), loss-scaled under
    ``mixed_float16``."""
    if optimizer is None and default is not None:
        optimizer = default()
    optimizer = keras.optimizers.get(optimizer)
    if dtype_policy.name == "mixed_float16" and not isinstance(
        optimizer, keras.optimizers.LossScaleOptimizer
    ):
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer


def scaled_loss(optimizer, loss):
    """The loss to differentiate: replica-averaged and loss-scaled (inside the tape)."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return optimizer.scale_loss(loss / replicas)


def apply_update(optimizer, tape, scaled, variables):
    """Applies the gradients of ``scaled`` (from ``scaled_loss``) to ``variables``."""
    gradients = tape.gradient(scaled, variables)
    optimizer.apply_gradients(zip(gradients, variables))
