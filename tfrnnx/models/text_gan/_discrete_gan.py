"""Shared machinery of the discrete text GANs `SeqGAN` and `LeakGAN` (thesis §5.4, §5.6.4).

Sequences are framed like the training data of `tfrnnx.models.LanguageModel`: column 0 is
`<bos>`, then words, one `<eos>`, then `<pad>` (0) up to `sequence_length`. Generators draw
positions 1 .. sequence_length - 1 from their softmax restricted to the allowed tokens:
`<pad>`, `<unk>` and `<bos>` are never drawn (as in `tfrnnx.models.lm_sampling`) and the last
position can only be `<eos>`, so every sample is a well-formed framed sentence.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_number
from tfrnnx._validation import check_seed
from tfrnnx._validation import check_token_array
from tfrnnx._validation import check_token_batch
from tfrnnx._validation import derived_seed
from tfrnnx.models._serving import SCALAR_COUNT
from tfrnnx.models._serving import write_saved_model
from tfrnnx.models._training import apply_update
from tfrnnx.models._training import resolve_optimizer
from tfrnnx.models._training import scaled_loss
from tfrnnx.samplers import RandomSampler
from tfrnnx.samplers.sampler import banned_logits
from tfrnnx.tokenizers.special_ids import BOS_ID
from tfrnnx.tokenizers.special_ids import EOS_ID
from tfrnnx.tokenizers.special_ids import MIN_VOCAB_SIZE
from tfrnnx.tokenizers.special_ids import NEVER_GENERATED_IDS
from tfrnnx.tokenizers.special_ids import PAD_ID


def discounted_returns(rewards, discount, mask=None):
    """R_t = discount * R_{t+1} + r_t over the last axis (R after the last step is 0).

    `mask` (same shape, 0/1) zeroes the rewards of padding steps first. Computed as one
    product with the upper-triangular matrix of powers of `discount` (static length).
    """
    rewards = ops.cast(rewards, "float32")
    if mask is not None:
        rewards = rewards * ops.cast(mask, "float32")
    length = rewards.shape[-1]
    gap = np.arange(length)[None, :] - np.arange(length)[:, None]  # s - t
    powers = np.where(gap >= 0, float(discount) ** np.maximum(gap, 0), 0.0).astype("float32")
    return ops.matmul(rewards, ops.transpose(ops.convert_to_tensor(powers)))


def token_log_probs(logits, tokens):
    """log softmax(logits)[tokens]: `(..., vocab)` logits, `(...)` int tokens -> `(...)`."""
    log_probs = tf.nn.log_softmax(ops.cast(logits, "float32"), axis=-1)
    return tf.gather(log_probs, ops.cast(tokens, "int32"), batch_dims=len(tokens.shape))


def policy_gradient_loss(logits, tokens, advantages, mask):
    """REINFORCE surrogate -sum_t m_t A_t log p(y_t) / sum_t m_t, advantages held constant."""
    mask = ops.cast(mask, "float32")
    log_p = token_log_probs(logits, tokens)
    advantages = ops.stop_gradient(ops.cast(advantages, "float32"))
    return -ops.sum(mask * advantages * log_p) / ops.maximum(ops.sum(mask), 1.0)


def generation_penalty(vocab_size, sequence_length):
    """`(sequence_length - 1, vocab)` additive logit penalty of the targets 1 .. T-1: the
    sampler's bans (`NEVER_GENERATED_IDS`; only `<eos>` at the last position), finite, so
    that masked `<pad>` targets keep a finite log-likelihood."""
    penalty = banned_logits(vocab_size, sequence_length, NEVER_GENERATED_IDS, EOS_ID, True,
                            value=-1e9)  # fmt: skip
    return penalty[1:]


def target_mask(ids):
    """1.0 at the generated/real targets ids[:, 1:] that are words or the first `<eos>`."""
    return ops.cast(ops.not_equal(ops.cast(ids, "int32")[:, 1:], PAD_ID), "float32")


def embedded_lstm(vocab_size, embedding_dim, units, seed, offset):
    """`(embedding, cell, rnn)`: U(-0.1, 0.1) embeddings into an LSTM over whole sequences.

    The generators and the discriminator all read ids this way; the cell alone runs the
    sampling loop, the RNN the teacher-forced pass. Seeds `offset` .. `offset + 2`.
    """
    embedding = keras.layers.Embedding(
        vocab_size, embedding_dim, name="embedding",
        embeddings_initializer=keras.initializers.RandomUniform(
            -0.1, 0.1, derived_seed(seed, offset)
        ),
    )  # fmt: skip
    cell = keras.layers.LSTMCell(
        units, name="cell",
        kernel_initializer=keras.initializers.GlorotUniform(derived_seed(seed, offset + 1)),
        recurrent_initializer=keras.initializers.Orthogonal(seed=derived_seed(seed, offset + 2)),
    )  # fmt: skip
    return embedding, cell, keras.layers.RNN(cell, return_sequences=True, name="lstm")


@keras.saving.register_keras_serializable(package="tfrnnx")
class CausalLSTMDiscriminator(keras.layers.Layer):
    """Embedding -> LSTM -> Dense(1): a logit D(y_0..t) for every prefix of the ids.

    The sequence score is the logit at the last non-padding position (the `<eos>`).
    `features(ids)` are the LSTM outputs, the prefix features leaked by `LeakGAN`.
    """

    def __init__(self, vocab_size, embedding_dim, units, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = check_integer("vocab_size", vocab_size)
        self.embedding_dim = check_integer("embedding_dim", embedding_dim)
        self.units = check_integer("units", units)
        self.seed = check_seed("seed", seed)
        self.embedding, self.cell, self.rnn = embedded_lstm(
            vocab_size, embedding_dim, units, seed, 0
        )
        self.output_dense = keras.layers.Dense(
            1, name="logit", kernel_initializer=keras.initializers.GlorotUniform(derived_seed(seed, 3))
        )

    def get_config(self):
        config = super().get_config()
        config.update(
            {"vocab_size": self.vocab_size, "embedding_dim": self.embedding_dim,
             "units": self.units, "seed": self.seed}
        )  # fmt: skip
        return config

    def build(self, input_shape):
        batch, time = tuple(input_shape)[:2]
        self.embedding.build((batch, time))
        self.rnn.build((batch, time, self.embedding_dim))
        self.output_dense.build((batch, time, self.units))
        self.built = True

    def features(self, ids):
        return self.rnn(self.embedding(ops.cast(ids, "int32")))

    def call(self, ids):
        # float32 logits under mixed precision: rewards and losses are computed in float32.
        return ops.cast(ops.squeeze(self.output_dense(self.features(ids)), -1), "float32")

    def sequence_logits(self, ids):
        logits = self(ids)
        last = ops.sum(ops.cast(ops.not_equal(ops.cast(ids, "int32"), PAD_ID), "int32"), 1) - 1
        return tf.gather(logits, ops.maximum(last, 0), batch_dims=1)

    def step(self, tokens, state):
        out, state = self.cell(self.embedding(tokens), state)
        return out, list(state)

    def initial_state(self, batch):
        return [ops.zeros((batch, self.units), self.compute_dtype)] * 2


class DiscreteGANBase(keras.Model):
    """Generator sampling, pretraining, adversarial `train_step`, saving and export.

    Subclasses build `self.discriminator` (a `CausalLSTMDiscriminator`) and the generator,
    and define `generator_variables`, `_initial_state(batch)`, `_step(tokens, state)` ->
    `(logits, state)`, `call(ids)` (teacher-forced logits) and `_advantages(fake)`.
    """

    step_discriminator = True  # per-step BCE (else: on the sequence score only)

    def __init__(self, vocab_size, sequence_length, discount=0.95, embedding_dim=32, units=64,
                 discriminator_units=64, baseline_decay=0.9, discriminator_steps=1,
                 vocabulary=None, seed=None, **kwargs):  # fmt: skip
        super().__init__(**kwargs)
        self.vocab_size = check_integer("vocab_size", vocab_size, MIN_VOCAB_SIZE)
        self.sequence_length = check_integer("sequence_length", sequence_length, 3)
        self.embedding_dim = check_integer("embedding_dim", embedding_dim)
        self.units = check_integer("units", units)
        self.discriminator_units = check_integer("discriminator_units", discriminator_units)
        self.discount = check_number("discount", discount, 0.0, 1.0)
        self.baseline_decay = check_number("baseline_decay", baseline_decay, 0.0, 1.0, include_high=False)
        self.discriminator_steps = check_integer("discriminator_steps", discriminator_steps, 0)
        if isinstance(vocabulary, dict):
            vocabulary = keras.saving.deserialize_keras_object(vocabulary)
        if vocabulary is not None:
            if not (hasattr(vocabulary, "decode") and hasattr(vocabulary, "detokenize")):
                raise ValueError(
                    "vocabulary must be None or a vocabulary with decode and detokenize (e.g. "
                    f"tfrnnx.tokenizers.WordVocabulary). Received: vocabulary={vocabulary!r}"
                )
            if len(vocabulary) != self.vocab_size:
                raise ValueError(
                    f"vocabulary must have vocab_size={self.vocab_size} entries. Received: "
                    f"vocabulary of size {len(vocabulary)}"
                )
        self.vocabulary = vocabulary
        self.seed = check_seed("seed", seed)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.baseline = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="reward_baseline"
        )
        self._penalty = generation_penalty(self.vocab_size, self.sequence_length)
        self._sampler = RandomSampler()
        self._trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ("generator_nll", "discriminator_loss", "mean_reward")
        }

    # -- subclass hooks ------------------------------------------------------------------

    @property
    def generator_variables(self):
        raise NotImplementedError

    def _initial_state(self, batch):
        raise NotImplementedError

    def _step(self, tokens, state):
        raise NotImplementedError

    def _advantages(self, fake):
        """Per-target `(rewards, returns)` `(batch, T-1)` of generated ids."""
        raise NotImplementedError

    # -- generator -----------------------------------------------------------------------

    def generation_logits(self, ids):
        """Teacher-forced logits of targets ids[:, 1:] under the sampling restriction."""
        logits = ops.cast(self(ids)[:, :-1], "float32")
        return logits + ops.convert_to_tensor(self._penalty)

    def log_likelihood(self, ids):
        """log p(ids[:, 1:] | <bos>) per sequence `(batch,)` under the sampling distribution."""
        ids = ops.cast(ids, "int32")
        log_p = token_log_probs(self.generation_logits(ids), ids[:, 1:])
        return ops.sum(log_p * target_mask(ids), axis=1)

    def nll(self, ids, training=False):
        """Mean next-token NLL of ids[:, 1:] (unrestricted softmax, non-pad targets)."""
        ids = ops.cast(ids, "int32")
        logits = ops.cast(self(ids, training=training)[:, :-1], "float32")
        mask = target_mask(ids)
        return -ops.sum(token_log_probs(logits, ids[:, 1:]) * mask) / ops.maximum(
            ops.sum(mask), 1.0
        )

    def generate(self, num_samples, seed, prefix=None, prefix_lengths=None):
        """int32 `(num_samples, T)` samples, drawn by `tfrnnx.samplers.RandomSampler` with the
        `(2,)` int seed `seed` (graph-safe).

        With `prefix` `(num, T)` and `prefix_lengths` `(num,)`, row i keeps its first
        `prefix_lengths[i]` tokens (including `<bos>`) and the generator completes it.
        """
        if prefix is None:
            prefix = tf.fill(tf.stack([num_samples, self.sequence_length]), BOS_ID)

        def next_logits(ids, t, state):
            return self._step(ids[:, t - 1], state)

        state = self._initial_state(tf.shape(prefix)[0])
        return self._sampler(next_logits, prefix, start=1, state=state,
                             prefix_lengths=prefix_lengths, banned_ids=NEVER_GENERATED_IDS,
                             end_id=EOS_ID, force_end=True, seed=seed)  # fmt: skip

    def _draw_seed(self):
        return self.seed_generator.next()

    def sample(self, n, seed=None):
        """int32 `(n, sequence_length)` framed samples; same integer `seed` -> same samples."""
        n = check_integer("n", n)
        base = self._draw_seed() if seed is None else tf.constant([int(seed), 0], tf.int64)
        return self.generate(n, base)

    def sample_strings(self, n, seed=None):
        """`n` sampled sentences decoded by `vocabulary.decode`."""
        if self.vocabulary is None:
            raise ValueError("sample_strings needs a vocabulary. Received: vocabulary=None")
        return [self.vocabulary.decode(row) for row in np.asarray(self.sample(n, seed))]

    # -- training ------------------------------------------------------------------------

    def compile(self, generator_optimizer="adam", discriminator_optimizer="adam",
                pretrain_optimizer=None, **kwargs):  # fmt: skip
        """`generator_optimizer` also pretrains unless `pretrain_optimizer` is given."""
        policy = self.dtype_policy
        super().compile(optimizer=resolve_optimizer(generator_optimizer, policy), **kwargs)
        self.discriminator_optimizer = resolve_optimizer(discriminator_optimizer, policy)
        self.pretrain_optimizer = self.optimizer
        if pretrain_optimizer is not None:
            self.pretrain_optimizer = resolve_optimizer(pretrain_optimizer, policy)
        self.discriminator_optimizer.build(self.discriminator.trainable_variables)
        self.optimizer.build(self.generator_variables)
        if self.pretrain_optimizer is not self.optimizer:
            self.pretrain_optimizer.build(self.generator_variables)
        self._pretrain_function = None

    def get_compile_config(self):
        if not getattr(self, "compiled", False):
            return None
        config = {
            "generator_optimizer": keras.optimizers.serialize(self.optimizer),
            "discriminator_optimizer": keras.optimizers.serialize(self.discriminator_optimizer),
        }
        if self.pretrain_optimizer is not self.optimizer:
            config["pretrain_optimizer"] = keras.optimizers.serialize(self.pretrain_optimizer)
        return config

    def compile_from_config(self, config):
        pretrain = config.get("pretrain_optimizer")
        self.compile(
            generator_optimizer=keras.optimizers.deserialize(config["generator_optimizer"]),
            discriminator_optimizer=keras.optimizers.deserialize(config["discriminator_optimizer"]),
            pretrain_optimizer=None if pretrain is None else keras.optimizers.deserialize(pretrain),
        )

    @property
    def metrics(self):
        return list(self._trackers.values())

    def pretrain_step(self, ids):
        """One maximum-likelihood (teacher-forced NLL) step of the generator; needs `compile`."""
        variables = self.generator_variables
        with tf.GradientTape() as tape:
            loss = self.nll(ids, training=True)
            scaled = scaled_loss(self.pretrain_optimizer, loss)
        apply_update(self.pretrain_optimizer, tape, scaled, variables)
        return {"generator_nll": loss}

    def pretrain(self, ids, epochs=1, batch_size=32, steps=None, shuffle_seed=0):
        """NLL pretraining on framed ids: `epochs` passes (or `steps` batches); returns the
        per-step `{"generator_nll": [...]}`. The discriminator is not changed."""
        if getattr(self, "pretrain_optimizer", None) is None:
            raise ValueError("pretrain needs compile() first. Received: an uncompiled model")
        ids = check_token_array("ids", ids, self.vocab_size, self.sequence_length)
        batch_size = check_integer("batch_size", batch_size)
        epochs = check_integer("epochs", epochs)
        if self._pretrain_function is None:
            self._pretrain_function = tf.function(self.pretrain_step)
        rng = np.random.default_rng(shuffle_seed)
        history = []
        total = steps if steps is not None else epochs * -(-len(ids) // batch_size)
        while len(history) < total:
            order = rng.permutation(len(ids))
            for start in range(0, len(ids), batch_size):
                if len(history) == total:
                    break
                batch = ids[order[start : start + batch_size]]
                history.append(float(self._pretrain_function(batch)["generator_nll"]))
        return {"generator_nll": history}

    def _discriminator_loss(self, real, fake):
        bce = keras.losses.binary_crossentropy
        if self.step_discriminator:
            losses = []
            for ids, label in ((real, 1.0), (fake, 0.0)):
                logits = self.discriminator(ids)[:, 1:]
                mask = target_mask(ids)
                per_step = bce(ops.full_like(logits, label)[..., None], logits[..., None],
                               from_logits=True)  # fmt: skip
                losses.append(ops.sum(per_step * mask) / ops.maximum(ops.sum(mask), 1.0))
            return 0.5 * (losses[0] + losses[1])
        logits = ops.concatenate(
            [self.discriminator.sequence_logits(real), self.discriminator.sequence_logits(fake)], 0
        )
        labels = ops.concatenate([ops.ones_like(logits[: ops.shape(real)[0]]),
                                  ops.zeros_like(logits[ops.shape(real)[0]:])], 0)  # fmt: skip
        return ops.mean(bce(labels[:, None], logits[:, None], from_logits=True))

    def train_step(self, data):
        real = data[0] if isinstance(data, (tuple, list)) else data
        real = check_token_batch("x", real, self.vocab_size, self.sequence_length)
        batch = tf.shape(real)[0]
        d_variables = self.discriminator.trainable_variables
        d_loss = tf.constant(0.0)
        for _ in range(self.discriminator_steps):
            fake = self.generate(batch, self._draw_seed())
            with tf.GradientTape() as tape:
                d_loss = self._discriminator_loss(real, fake)
                scaled = scaled_loss(self.discriminator_optimizer, d_loss)
            apply_update(self.discriminator_optimizer, tape, scaled, d_variables)
        # Generator phase: the discriminator is only read (rewards, leaked features).
        fake = self.generate(batch, self._draw_seed())
        rewards, returns = self._advantages(fake)
        mask = target_mask(fake)
        mean_return = ops.sum(returns * mask) / ops.maximum(ops.sum(mask), 1.0)
        advantages = returns - self.baseline
        g_variables = self.generator_variables
        with tf.GradientTape() as tape:
            logits = self.generation_logits(fake)
            g_loss = policy_gradient_loss(logits, fake[:, 1:], advantages, mask)
            scaled = scaled_loss(self.optimizer, g_loss)
        apply_update(self.optimizer, tape, scaled, g_variables)
        decay = self.baseline_decay
        self.baseline.assign(decay * self.baseline + (1.0 - decay) * mean_return)
        values = {
            "generator_nll": self.nll(real),
            "discriminator_loss": d_loss,
            "mean_reward": ops.sum(rewards * mask) / ops.maximum(ops.sum(mask), 1.0),
        }
        for name, value in values.items():
            self._trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self._trackers.items()}

    # -- export --------------------------------------------------------------------------

    def export_serving(self, filepath):
        """Writes a SavedModel whose `serve` signature (also `serving_default`) maps an int32
        scalar `num_samples` to `{"token_ids": int32 (n, T), "sentences": string (n,)}`."""
        if self.vocabulary is None:
            raise ValueError("export_serving needs a vocabulary. Received: vocabulary=None")

        def serve(num_samples):
            ids = self.generate(num_samples, self._draw_seed())
            return {"token_ids": ids, "sentences": self.vocabulary.detokenize(ids)}

        endpoints = {"serve": (serve, [SCALAR_COUNT])}
        return write_saved_model(self, filepath, endpoints)

    def common_config(self):
        vocabulary = self.vocabulary
        return {
            "vocab_size": self.vocab_size,
            "sequence_length": self.sequence_length,
            "embedding_dim": self.embedding_dim,
            "units": self.units,
            "discriminator_units": self.discriminator_units,
            "discount": self.discount,
            "baseline_decay": self.baseline_decay,
            "discriminator_steps": self.discriminator_steps,
            "vocabulary": None if vocabulary is None else keras.saving.serialize_keras_object(
                vocabulary
            ),
            "seed": self.seed,
        }
