"""GreedySampler: the most likely token at every position."""

import keras
import tensorflow as tf

from tfrnnx.samplers.sampler import Sampler


@keras.saving.register_keras_serializable(package="tfrnnx")
class GreedySampler(Sampler):
    """Chooses the argmax of the logits at every position (deterministic).

    The loop, its arguments and its end handling are `tfrnnx.samplers.Sampler`'s.

    Call arguments:
        See `tfrnnx.samplers.Sampler`; `seed` is ignored.

    Returns:
        int32 `(batch, length)` ids.

    Example:

    >>> import tensorflow as tf
    >>> import tfrnnx
    >>> fake = lambda ids, t, state: (tf.constant([[0.0, 1.0, 5.0, 2.0]]), state)
    >>> tfrnnx.samplers.GreedySampler()(fake, tf.zeros([1, 3], tf.int32), start=0).numpy()
    array([[2, 2, 2]], dtype=int32)

    References:
        keras-hub's `keras_hub.samplers.GreedySampler`.
    """

    def get_next_token(self, logits, seed):
        return tf.argmax(logits, axis=-1, output_type=tf.int32)
