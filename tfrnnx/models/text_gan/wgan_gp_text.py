"""WGANGPText: continuous Wasserstein GAN with gradient penalty for text (thesis §5.4)."""

import keras
import tensorflow as tf
from keras import ops

from tfrnnx._validation import check_bool
from tfrnnx._validation import check_choice
from tfrnnx._validation import check_integer
from tfrnnx._validation import check_number
from tfrnnx._validation import check_seed
from tfrnnx._validation import check_token_batch
from tfrnnx._validation import derived_seed
from tfrnnx.models._serving import SCALAR_COUNT
from tfrnnx.models._serving import write_saved_model
from tfrnnx.models._training import apply_update
from tfrnnx.models._training import resolve_optimizer
from tfrnnx.models._training import scaled_loss
from tfrnnx.tokenizers.special_ids import EOS_ID
from tfrnnx.tokenizers.special_ids import MIN_VOCAB_SIZE

GENERATORS = ("conv", "lstm")
GP_EPSILON = 1e-10
METRIC_NAMES = ("critic_loss", "generator_loss", "gradient_penalty", "wasserstein")


def _glorot(seed, offset):
    return keras.initializers.GlorotUniform(derived_seed(seed, offset))


def _default_optimizer():
    # Gulrajani et al.'s settings for the WGAN-GP language model.
    return keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.9)


def _replica_id():
    context = tf.distribute.get_replica_context()
    if context is None:
        return tf.constant(0, tf.int32)
    return tf.cast(context.replica_id_in_sync_group, tf.int32)


@keras.saving.register_keras_serializable(package="tfrnnx")
class WGANGPText(keras.Model):
    """Continuous WGAN-GP text generator and critic (Conv-Deconv and Conv-LSTM).

    The generator maps z ~ N(0, I) to a per-position softmax over the vocabulary
    `(batch, sequence_length, vocab_size)`; the critic scores one-hot real sentences and
    softmax fake ones alike (a continuous relaxation, no sampling in between). Generators:
    `"conv"` (Conv-Deconv): a dense map of z to `ceil(sequence_length / 2**generator_layers)`
    positions, `generator_layers` stride-2 `Conv1DTranspose` + ReLU, cropped to
    `sequence_length`, and a kernel-1 `Conv1DTranspose` to the logits; `"lstm"` (Conv-LSTM):
    z sets the initial LSTM state (`h0 = tanh(W_h z)`, `c0 = W_c z`), the first input is
    zeros and every step's whole softmax is the next step's input (unrolled over
    `sequence_length` steps). Critic: a kernel-1 `Conv1D` projection of the vocabulary
    axis (on real ids computed as a row gather, which is exactly the one-hot product),
    `critic_layers` residual blocks `x + Conv1D(relu(x))`, flatten, a float32 dense scalar.

    Loss (eq. 5.4.1; Gulrajani et al. 2017), per replica batch mean:
    critic `D(fake) - D(real) + gp_weight * (sqrt(|grad D(x_hat)|^2 + 1e-10) - 1)^2` with
    `x_hat = a * onehot(real) + (1 - a) * fake`, `a ~ U(0, 1)` per example; generator
    `-D(fake)`. Each `train_step` makes `critic_steps` critic updates (fresh z and `a` each)
    and then one generator update. The critic sees the same real batch in every critic
    update, or, with `fresh_critic_batches=True`, a fresh one each (Gulrajani et al.'s
    loop): `fit`'s batch then holds `critic_steps` real batches, split in equal slices in
    order (a remainder is dropped), and the generator update uses the size of one slice.
    Losses are divided by the number of replicas, so `fit` runs under
    `tf.distribute.MirroredStrategy`. `fit` logs
    critic_loss, generator_loss, gradient_penalty and wasserstein (D(real) - D(fake) of the
    last critic step), which `keras.callbacks.TensorBoard` writes. Under `mixed_float16`
    the softmax, the critic score and the losses are float32.

    Real data are int ids `(batch, sequence_length)`: sentence + `<eos>` (id 3 in tfrnnx
    vocabularies), right-padded with `<pad>` (0), without `<bos>`. The model is built at
    construction; `compile(generator_optimizer, critic_optimizer)` (defaults
    `Adam(1e-4, beta_1=0.5, beta_2=0.9)`) sets `optimizer` to the generator's.

    Args:
        vocab_size: number of token ids.
        sequence_length: length of every sequence.
        generator: `"conv"` or `"lstm"`.
        latent_dim: size of z.
        units: LSTM units (`generator="lstm"`).
        generator_filters: channels of the deconvolutions (`generator="conv"`).
        generator_layers: number of stride-2 deconvolutions (`generator="conv"`).
        critic_filters: channels of the critic.
        critic_layers: number of residual convolution blocks of the critic.
        kernel_size: kernel width of the (de)convolutions.
        gp_weight: λ >= 0, weight of the gradient penalty.
        critic_steps: critic updates per generator update (>= 1).
        fresh_critic_batches: whether each critic update gets its own slice of `fit`'s
            batch (fit with `batch_size = critic_steps * b`) instead of the whole batch.
        vocabulary: None, a `tfrnnx.tokenizers.WordVocabulary`, its serialized config, or any
            object with `decode(ids) -> str`, graph `detokenize(ids) -> tf.string (batch,)`
            and `get_config`; its length, if defined, must be `vocab_size`.
        seed: integer seed of initializers and noise, or None.
        **kwargs: base `keras.Model` arguments.

    Call arguments:
        z: float `(batch, latent_dim)` latent codes.

    Returns:
        The generator's float32 softmax `(batch, sequence_length, vocab_size)`.
        `critic_scores(x)` scores ids or distributions `(batch,)`; `sample(n, seed=None)`
        gives int32 ids `(n, sequence_length)` (argmax per position); `sample_strings(n)`
        their `vocabulary.decode`, each sentence ended at its first `<eos>` or `<pad>` (and
        after at most `sequence_length - 1` tokens, as real sentences are); `gradient_penalty(real, fake, alpha)` the penalty;
        `critic_update(real)` and `generator_update(batch)` the two halves of `train_step`;
        `export_serving(path)` a SavedModel with the signature `serve(num_samples) ->
        {"token_ids", "sentences"}` (ids ended the same way; sentences by
        `vocabulary.detokenize`, or the ids joined by spaces when there is no vocabulary).

    Example:

    >>> import numpy as np, keras, tfrnnx
    >>> vocab = tfrnnx.tokenizers.WordVocabulary.build(["a cat sat", "a dog ran"])
    >>> gan = tfrnnx.models.WGANGPText(
    ...     len(vocab), 4, generator="conv", latent_dim=4, generator_filters=8,
    ...     critic_filters=8, critic_layers=1, critic_steps=2, vocabulary=vocab, seed=0)
    >>> gan(np.zeros((2, 4), "float32")).shape
    TensorShape([2, 4, 9])
    >>> gan.compile()
    >>> ids = np.array([[5, 6, 7, 3], [5, 8, 4, 3]], "int32")
    >>> sorted(gan.fit(ids, epochs=1, verbose=0).history)
    ['critic_loss', 'generator_loss', 'gradient_penalty', 'wasserstein']
    >>> gan.sample(3, seed=1).shape
    TensorShape([3, 4])
    >>> len(gan.sample_strings(2))
    2

    References:
        Gulrajani, Ahmed, Arjovsky, Dumoulin, Courville (2017), "Improved Training of
        Wasserstein GANs", NeurIPS (§5, language model); thesis §5.4, eq. 5.4.1.
    """

    def __init__(
        self, vocab_size, sequence_length, generator="conv", latent_dim=64, units=256,
        generator_filters=256, generator_layers=2, critic_filters=256, critic_layers=2,
        kernel_size=5, gp_weight=10.0, critic_steps=5, fresh_critic_batches=False,
        vocabulary=None, seed=None, **kwargs,
    ):
        super().__init__(**kwargs)
        self.vocab_size = check_integer("vocab_size", vocab_size, minimum=MIN_VOCAB_SIZE)
        self.sequence_length = check_integer("sequence_length", sequence_length)
        self.generator = check_choice("generator", generator, GENERATORS)
        self.latent_dim = check_integer("latent_dim", latent_dim)
        self.units = check_integer("units", units)
        self.generator_filters = check_integer("generator_filters", generator_filters)
        self.generator_layers = check_integer("generator_layers", generator_layers)
        self.critic_filters = check_integer("critic_filters", critic_filters)
        self.critic_layers = check_integer("critic_layers", critic_layers)
        self.kernel_size = check_integer("kernel_size", kernel_size)
        self.gp_weight = check_number("gp_weight", gp_weight, low=0)
        self.critic_steps = check_integer("critic_steps", critic_steps)
        self.fresh_critic_batches = check_bool("fresh_critic_batches", fresh_critic_batches)
        if isinstance(vocabulary, dict):
            vocabulary = keras.saving.deserialize_keras_object(vocabulary)
        if vocabulary is not None:
            required = ("decode", "detokenize", "get_config")
            missing = [m for m in required if not hasattr(vocabulary, m)]
            if missing:
                raise ValueError(
                    "vocabulary must be None, a WordVocabulary-like object (decode, detokenize, "
                    f"get_config) or its config. Received: vocabulary={vocabulary!r} without "
                    f"{missing}"
                )
            if hasattr(vocabulary, "__len__") and len(vocabulary) != self.vocab_size:
                raise ValueError(
                    f"vocabulary must have vocab_size={self.vocab_size} entries. Received: "
                    f"vocabulary of length {len(vocabulary)}"
                )
        self.vocabulary = vocabulary
        self.seed = check_seed("seed", seed)
        self.seed_generator = keras.random.SeedGenerator(seed, name="seed_generator")
        self._trackers = {name: keras.metrics.Mean(name=name) for name in METRIC_NAMES}
        self._make_layers()
        self.build()

    # -- layers --------------------------------------------------------------------------

    def _make_layers(self):
        s, k = self.seed, self.kernel_size
        recurrent_seed = None if s is None else s + 5
        if self.generator == "conv":
            self.start_length = -(-self.sequence_length // 2**self.generator_layers)
            self.latent_to_features = keras.layers.Dense(
                self.start_length * self.generator_filters, activation="relu",
                kernel_initializer=_glorot(s, 1), name="latent_to_features",
            )
            self.deconvs = [
                keras.layers.Conv1DTranspose(
                    self.generator_filters, k, strides=2, padding="same", activation="relu",
                    kernel_initializer=_glorot(s, 10 + i), name=f"generator_deconv_{i}",
                )
                for i in range(self.generator_layers)
            ]
            self.generator_logits = keras.layers.Conv1DTranspose(
                self.vocab_size, 1, kernel_initializer=_glorot(s, 2), name="generator_logits"
            )
        else:
            self.initial_state = keras.layers.Dense(
                2 * self.units, kernel_initializer=_glorot(s, 3), name="initial_state"
            )
            self.cell = keras.layers.LSTMCell(
                self.units, kernel_initializer=_glorot(s, 4),
                recurrent_initializer=keras.initializers.Orthogonal(seed=recurrent_seed),
                name="generator_lstm",
            )
            self.generator_logits = keras.layers.Dense(
                self.vocab_size, kernel_initializer=_glorot(s, 2), name="generator_logits"
            )
        self.critic_projection = keras.layers.Conv1D(
            self.critic_filters, 1, kernel_initializer=_glorot(s, 6), name="critic_projection"
        )
        self.critic_convs = [
            keras.layers.Conv1D(
                self.critic_filters, k, padding="same", kernel_initializer=_glorot(s, 20 + i),
                name=f"critic_conv_{i}",
            )
            for i in range(self.critic_layers)
        ]
        self.critic_output = keras.layers.Dense(
            1, kernel_initializer=_glorot(s, 7), dtype="float32", name="critic_output"
        )

    def build(self, input_shape=None):
        length, vocab, filters = self.sequence_length, self.vocab_size, self.critic_filters
        if self.generator == "conv":
            self.latent_to_features.build((None, self.latent_dim))
            steps = self.start_length
            for deconv in self.deconvs:
                deconv.build((None, steps, self.generator_filters))
                steps *= 2
            self.generator_logits.build((None, length, self.generator_filters))
        else:
            self.initial_state.build((None, self.latent_dim))
            self.cell.build((None, vocab))
            self.generator_logits.build((None, self.units))
        self.critic_projection.build((None, length, vocab))
        for conv in self.critic_convs:
            conv.build((None, length, filters))
        self.critic_output.build((None, length * filters))
        self.built = True

    @property
    def generator_variables(self):
        critic = {id(v) for v in self.critic_variables}
        return [v for v in self.trainable_variables if id(v) not in critic]

    @property
    def critic_variables(self):
        layers = [self.critic_projection, *self.critic_convs, self.critic_output]
        return [v for layer in layers for v in layer.trainable_variables]

    # -- generator and critic ------------------------------------------------------------

    def call(self, z, training=False):
        z = ops.cast(z, self.compute_dtype)
        if self.generator == "conv":
            x = ops.reshape(
                self.latent_to_features(z), (-1, self.start_length, self.generator_filters)
            )
            for deconv in self.deconvs:
                x = deconv(x)
            logits = self.generator_logits(x[:, : self.sequence_length])
            return ops.softmax(ops.cast(logits, "float32"), axis=-1)
        h, c = ops.split(self.initial_state(z), 2, axis=-1)
        state = [ops.tanh(h), c]
        x = ops.zeros((ops.shape(z)[0], self.vocab_size), "float32")
        outputs = []
        for _ in range(self.sequence_length):
            out, state = self.cell(x, state, training=training)
            x = ops.softmax(ops.cast(self.generator_logits(out), "float32"), axis=-1)
            outputs.append(x)
        return ops.stack(outputs, axis=1)

    def _critic_features(self, inputs):
        """Projection `(batch, length, critic_filters)` of int ids or of distributions."""
        if inputs.dtype.is_integer:
            kernel = ops.cast(self.critic_projection.kernel[0], self.compute_dtype)
            bias = ops.cast(self.critic_projection.bias, self.compute_dtype)
            return ops.take(kernel, ops.cast(inputs, "int32"), axis=0) + bias
        return self.critic_projection(inputs)

    def _critic_head(self, x):
        for conv in self.critic_convs:
            x = x + conv(ops.relu(x))
        return ops.squeeze(self.critic_output(ops.reshape(x, (ops.shape(x)[0], -1))), -1)

    def critic_scores(self, inputs):
        """float32 critic scores `(batch,)` of int ids or of `(batch, length, vocab)` inputs."""
        return self._critic_head(self._critic_features(tf.convert_to_tensor(inputs)))

    def gradient_penalty(self, real, fake, alpha):
        """`mean((sqrt(|grad D(x_hat)|^2 + eps) - 1)^2)` at `x_hat = a*onehot(real) + (1-a)*fake`.

        `real` int ids `(batch, length)`, `fake` distributions, `alpha` `(batch,)` in [0, 1].
        """
        one_hot = tf.one_hot(ops.cast(real, "int32"), self.vocab_size, dtype=tf.float32)
        alpha = ops.reshape(ops.cast(alpha, "float32"), (-1, 1, 1))
        interpolates = alpha * one_hot + (1.0 - alpha) * ops.cast(fake, "float32")
        with tf.GradientTape() as tape:
            tape.watch(interpolates)
            scores = self.critic_scores(interpolates)
        gradients = tape.gradient(scores, interpolates)
        norms = ops.sqrt(ops.sum(ops.square(gradients), axis=(1, 2)) + GP_EPSILON)
        return ops.mean(ops.square(norms - 1.0))

    # -- training ------------------------------------------------------------------------

    def compile(self, generator_optimizer=None, critic_optimizer=None, **kwargs):
        """Sets the generator (`self.optimizer`) and critic optimizers and builds them."""

        def resolve(optimizer):
            return resolve_optimizer(optimizer, self.dtype_policy, default=_default_optimizer)

        generator_optimizer = resolve(generator_optimizer)
        self.critic_optimizer = resolve(critic_optimizer)
        super().compile(optimizer=generator_optimizer, **kwargs)
        self.optimizer.build(self.generator_variables)
        self.critic_optimizer.build(self.critic_variables)

    def get_compile_config(self):
        if not getattr(self, "compiled", False):
            return None
        return {
            "generator_optimizer": keras.optimizers.serialize(self.optimizer),
            "critic_optimizer": keras.optimizers.serialize(self.critic_optimizer),
        }

    def compile_from_config(self, config):
        self.compile(
            generator_optimizer=keras.optimizers.deserialize(config["generator_optimizer"]),
            critic_optimizer=keras.optimizers.deserialize(config["critic_optimizer"]),
        )

    @property
    def metrics(self):
        return list(self._trackers.values())

    def _noise_seed(self):
        seed = tf.cast(self.seed_generator.next(), tf.int32)
        # Folding the replica id in keeps replicas' streams disjoint for any number of steps.
        return tf.random.experimental.stateless_fold_in(seed, _replica_id())

    def interpolation_weights(self, batch):
        """Per-example interpolation weights `a ~ U(0, 1)`, shape `(batch,)`, float32."""
        return tf.random.stateless_uniform((batch,), self._noise_seed())

    def _tokens_of(self, data):
        while isinstance(data, (tuple, list)):
            data = data[0]
        return check_token_batch("x", data, self.vocab_size, self.sequence_length)

    def critic_update(self, real):
        """One critic update on int ids `real`; returns the critic loss terms (float32)."""
        batch = ops.shape(real)[0]
        variables = self.critic_variables
        z = tf.random.stateless_normal((batch, self.latent_dim), self._noise_seed())
        alpha = self.interpolation_weights(batch)
        with tf.GradientTape() as tape:
            fake = self(z, training=True)
            penalty = self.gradient_penalty(real, fake, alpha)
            wasserstein = ops.mean(self.critic_scores(real)) - ops.mean(self.critic_scores(fake))
            loss = -wasserstein + self.gp_weight * penalty
            scaled = scaled_loss(self.critic_optimizer, loss)
        apply_update(self.critic_optimizer, tape, scaled, variables)
        return {"critic_loss": loss, "gradient_penalty": penalty, "wasserstein": wasserstein}

    def generator_update(self, batch):
        """One generator update on `batch` fresh z; returns the generator loss (float32)."""
        variables = self.generator_variables
        z = tf.random.stateless_normal((batch, self.latent_dim), self._noise_seed())
        with tf.GradientTape() as tape:
            loss = -ops.mean(self.critic_scores(self(z, training=True)))
            scaled = scaled_loss(self.optimizer, loss)
        apply_update(self.optimizer, tape, scaled, variables)
        return loss

    def critic_batches(self, real):
        """The real batch of each critic update: `real` every time, or its equal slices
        with `fresh_critic_batches`."""
        if not self.fresh_critic_batches:
            return [real] * self.critic_steps
        rows, steps = real.shape[0], self.critic_steps
        message = (f"fresh_critic_batches=True splits each batch into critic_steps={steps} "
                   "slices, so batches need at least critic_steps sentences")  # fmt: skip
        if rows is not None and rows < steps:
            raise ValueError(f"{message}. Received: a batch of {rows}")
        size = tf.shape(real)[0] // steps
        with tf.control_dependencies([tf.debugging.assert_positive(size, message=message)]):
            size = tf.identity(size)
        return [real[i * size : (i + 1) * size] for i in range(steps)]

    def train_step(self, data):
        batches = self.critic_batches(self._tokens_of(data))
        for real in batches:
            values = self.critic_update(real)
        values["generator_loss"] = self.generator_update(ops.shape(batches[-1])[0])
        for name, value in values.items():
            self._trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    # -- sampling and export -------------------------------------------------------------

    def sample(self, n, seed=None):
        """int32 ids `(n, sequence_length)`: argmax of the softmax of z ~ N(0, I).

        With an integer `seed` the result is reproducible; with None it draws from the
        model's seed generator.
        """
        n = check_integer("n", n)
        if seed is None:
            z = keras.random.normal((n, self.latent_dim), seed=self.seed_generator)
        else:
            z = tf.random.stateless_normal((n, self.latent_dim), [int(seed), 0])
        return ops.cast(ops.argmax(self(z), axis=-1), "int32")

    def sample_strings(self, n, seed=None):
        """`n` sampled sentences, each ended as `_end_sentences` does, then `vocabulary.decode`."""
        if self.vocabulary is None:
            raise ValueError("sample_strings needs a vocabulary. Received: vocabulary=None")
        eos = getattr(self.vocabulary, "eos_id", EOS_ID)
        strings = []
        for row in self._end_sentences(self.sample(n, seed)).numpy():
            end = (row == eos).argmax() if (row == eos).any() else len(row)
            strings.append(self.vocabulary.decode(row[:end]))
        return strings

    def _end_sentences(self, ids):
        """Ids with everything from the first `<eos>` or `<pad>` on set to `<eos>`.

        The last position is always an end (a real sentence has at most sequence_length - 1
        tokens), and a `<pad>` inside a sentence ends it rather than being skipped.
        """
        eos = getattr(self.vocabulary, "eos_id", EOS_ID)
        pad = getattr(self.vocabulary, "pad_id", 0)
        ids = tf.cast(ids, tf.int32)
        stop = tf.equal(ids, eos) | tf.equal(ids, pad)
        last = tf.one_hot(self.sequence_length - 1, self.sequence_length, on_value=True,
                          off_value=False, dtype=tf.bool)  # fmt: skip
        stop = stop | last[None, :]
        ended = tf.cumsum(tf.cast(stop, tf.int32), axis=1) > 0
        return tf.where(ended, eos, ids)

    def _sentences(self, ids):
        if self.vocabulary is not None:
            return self.vocabulary.detokenize(self._end_sentences(ids))
        return tf.strings.reduce_join(tf.strings.as_string(ids), axis=1, separator=" ")

    def export_serving(self, filepath):
        """Writes a SavedModel whose `serve` signature (also `serving_default`) maps an
        int32 scalar `num_samples` to `{"token_ids": int32 (n, sequence_length),
        "sentences": string (n,)}`."""

        def serve(num_samples):
            z = tf.random.normal(tf.stack([num_samples, self.latent_dim]))
            ids = self._end_sentences(tf.argmax(self(z), axis=-1))
            return {"token_ids": ids, "sentences": self._sentences(ids)}

        endpoints = {"serve": (serve, [SCALAR_COUNT])}
        return write_saved_model(self, filepath, endpoints)

    def get_config(self):
        config = super().get_config()
        vocabulary = self.vocabulary
        if vocabulary is not None:
            vocabulary = keras.saving.serialize_keras_object(vocabulary)
        config.update({
            "vocab_size": self.vocab_size,
            "sequence_length": self.sequence_length,
            "generator": self.generator,
            "latent_dim": self.latent_dim,
            "units": self.units,
            "generator_filters": self.generator_filters,
            "generator_layers": self.generator_layers,
            "critic_filters": self.critic_filters,
            "critic_layers": self.critic_layers,
            "kernel_size": self.kernel_size,
            "gp_weight": self.gp_weight,
            "critic_steps": self.critic_steps,
            "fresh_critic_batches": self.fresh_critic_batches,
            "vocabulary": vocabulary,
            "seed": self.seed,
        })
        return config
