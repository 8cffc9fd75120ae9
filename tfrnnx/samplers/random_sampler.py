"""RandomSampler: ancestral sampling from softmax(logits / temperature)."""

import keras
import tensorflow as tf

from tfrnnx._validation import check_number
from tfrnnx._validation import check_seed
from tfrnnx.samplers.sampler import Sampler


@keras.saving.register_keras_serializable(package="tfrnnx")
class RandomSampler(Sampler):
    """Draws each token from `softmax(logits / temperature)` (banned ids excluded).

    The draw at position `t` of a call seeded by `seed` is
    `tf.random.stateless_categorical(logits / temperature, 1, seed=fold_in(seed, t))`, so a
    given seed gives the same tokens everywhere. A call without a seed takes the next seed of
    the sampler's `keras.random.SeedGenerator(seed)`, made at the first such call (make
    that call outside a `tf.function`, or pass seeds).

    Args:
        temperature: float > 0; 1.0 samples from the model's distribution, lower values
            sharpen it.
        seed: integer seed of the sampler's seed generator, or None.

    Call arguments:
        See `tfrnnx.samplers.Sampler`.

    Returns:
        int32 `(batch, length)` ids.

    Example:

    >>> import tensorflow as tf
    >>> import tfrnnx
    >>> fake = lambda ids, t, state: (tf.zeros([4, 6]), state)
    >>> sampler = tfrnnx.samplers.RandomSampler(temperature=1.0, seed=0)
    >>> ids = sampler(fake, tf.fill([4, 5], 2), banned_ids=[0, 1, 2], end_id=3, force_end=True)
    >>> bool(tf.reduce_all(ids[:, 1:] != 1))
    True

    References:
        keras-hub's `keras_hub.samplers.RandomSampler`.
    """

    def __init__(self, temperature=1.0, seed=None):
        self.temperature = check_number("temperature", temperature, low=0, include_low=False)
        self.seed = check_seed("seed", seed)
        self.seed_generator = None  # made at the first call without a seed

    def scaled_logits(self, logits):
        return logits / self.temperature

    def get_next_token(self, logits, seed):
        return tf.cast(tf.random.stateless_categorical(logits, 1, seed=seed)[:, 0], tf.int32)

    def _seed(self):
        # Made on first use, so that samplers called with explicit seeds (as the models
        # call them) own no variable and can be created inside a tf.function.
        if self.seed_generator is None:
            self.seed_generator = keras.random.SeedGenerator(self.seed)
        return self.seed_generator.next()

    def get_config(self):
        return {"temperature": self.temperature, "seed": self.seed}
