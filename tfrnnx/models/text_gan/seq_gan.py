"""SeqGAN: an LSTM language model trained by policy gradient against a discriminator (§5.4)."""

import keras
import tensorflow as tf
from keras import ops

from tfrnnx._validation import check_choice
from tfrnnx._validation import check_integer
from tfrnnx._validation import derived_seed
from tfrnnx.models.text_gan._discrete_gan import CausalLSTMDiscriminator
from tfrnnx.models.text_gan._discrete_gan import DiscreteGANBase
from tfrnnx.models.text_gan._discrete_gan import discounted_returns
from tfrnnx.models.text_gan._discrete_gan import embedded_lstm

CREDIT_ASSIGNMENTS = ("reinforce", "step", "rollout")


@keras.saving.register_keras_serializable(package="tfrnnx")
class SeqGAN(DiscreteGANBase):
    """Discrete text GAN: an LSTM generator trained with REINFORCE on discriminator rewards.

    Generator: an LSTM language model (Embedding -> LSTM -> Dense(vocab), the architecture
    of `tfrnnx.models.LanguageModel`) drawing a sentence from `<bos>` until `<eos>`; ids are
    framed as `<bos> words <eos> <pad>...` over `sequence_length` columns (ids 0..3 are
    `<pad>`, `<unk>`, `<bos>`, `<eos>`). `<pad>`, `<unk>` and `<bos>` are never drawn and the
    last column can only be `<eos>`. Discriminator: an Embedding -> LSTM -> Dense(1) causal
    classifier giving a logit D(y_1:t) for every prefix; its sequence score D(y) is the
    logit at the `<eos>`. It is trained with binary cross-entropy on real vs generated
    sentences. Three credit assignments (thesis Table 5.4):

    - `"reinforce"`: every step is rewarded with the sequence score sigmoid D(y_1:T);
    - `"step"`: the discriminator is trained on every prefix and step t is credited with
      the return R_t = discount * R_{t+1} + sigmoid D(y_1:t);
    - `"rollout"` (Yu et al. 2017): step t is credited with Q_t, the mean sequence score of
      `num_rollouts` completions of the prefix y_1:t drawn from the generator
      (Q = D(y) once `<eos>` is reached).

    The generator's loss is -mean_t (R_t - b) log p(y_t) over the generated tokens, b a
    moving average (`baseline_decay`) of the mean return. `train_step` (`fit`) makes
    `discriminator_steps` discriminator updates, then one generator update, and logs
    `generator_nll` (NLL of the real batch), `discriminator_loss` and `mean_reward`.
    `pretrain(ids, epochs, batch_size)` / `pretrain_step(ids)` do maximum-likelihood
    training of the generator (`compile` first).

    Args:
        vocab_size: number of token ids (>= 5).
        sequence_length: columns of the framed ids, `<bos>` and `<eos>` included.
        credit_assignment: `"reinforce"`, `"step"` or `"rollout"`.
        discount: γ in [0, 1] of the `"step"` returns.
        num_rollouts: Monte-Carlo completions per prefix (`"rollout"`).
        embedding_dim: size of the word embeddings (generator and discriminator).
        units: LSTM units of the generator.
        discriminator_units: LSTM units of the discriminator.
        baseline_decay: decay in [0, 1) of the moving-average reward baseline.
        discriminator_steps: discriminator updates per `train_step` (0: generator only).
        vocabulary: a vocabulary with `decode`/`detokenize` and `len == vocab_size` (e.g.
            `tfrnnx.tokenizers.WordVocabulary`) for `sample_strings` and `export_serving`, or None.
        seed: integer seed of the initializers and of sampling, or None.
        **kwargs: base `keras.Model` arguments.

    Call arguments:
        ids: int `(batch, sequence_length)` framed ids.
        training: unused (no dropout).

    Returns:
        Teacher-forced generator logits `(batch, sequence_length, vocab_size)`.
        `sample(n, seed=None)` gives int32 `(n, sequence_length)` ids, `sample_strings(n)`
        sentences, `log_likelihood(ids)` log p(y) under the sampling distribution and
        `export_serving(path)` a SavedModel `num_samples -> {"token_ids", "sentences"}`.

    Example:

    >>> import numpy as np, keras, tfrnnx
    >>> vocab = tfrnnx.tokenizers.WordVocabulary.build(["a cat sat", "a dog sat"])
    >>> ids = vocab.pad(vocab.encode(["a cat sat", "a dog sat"], add_bos_eos=True), 6)
    >>> gan = tfrnnx.models.SeqGAN(len(vocab), 6, credit_assignment="step", units=8,
    ...                            embedding_dim=4, discriminator_units=8, vocabulary=vocab, seed=0)
    >>> gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    >>> len(gan.pretrain(ids, epochs=2, batch_size=2)["generator_nll"])
    2
    >>> sorted(gan.fit(ids, batch_size=2, epochs=1, verbose=0).history)
    ['discriminator_loss', 'generator_nll', 'mean_reward']
    >>> gan.sample(3, seed=1).shape
    TensorShape([3, 6])

    References:
        Yu, Zhang, Wang, Yu (2017), "SeqGAN: Sequence Generative Adversarial Nets with
        Policy Gradient", AAAI; thesis §5.4 and §5.6.4 (Table 5.4).
    """

    def __init__(
        self, vocab_size, sequence_length, credit_assignment="rollout", num_rollouts=4, **kwargs
    ):
        # The arguments every discrete GAN shares are checked and stored by DiscreteGANBase.
        super().__init__(vocab_size, sequence_length, **kwargs)
        seed, embedding_dim, units = self.seed, self.embedding_dim, self.units
        self.credit_assignment = check_choice(
            "credit_assignment", credit_assignment, CREDIT_ASSIGNMENTS
        )
        self.num_rollouts = check_integer("num_rollouts", num_rollouts)
        self.step_discriminator = credit_assignment == "step"
        self.embedding, self.cell, self.rnn = embedded_lstm(
            self.vocab_size, embedding_dim, units, seed, 10
        )
        self.logits = keras.layers.Dense(
            self.vocab_size, name="logits",
            kernel_initializer=keras.initializers.GlorotUniform(derived_seed(seed, 13)),
        )  # fmt: skip
        self.discriminator = CausalLSTMDiscriminator(
            self.vocab_size, embedding_dim, self.discriminator_units, seed=derived_seed(seed, 20),
            name="discriminator",
        )  # fmt: skip
        self._pretrain_function = None
        self.build((None, self.sequence_length))

    def build(self, input_shape):
        batch, time = tuple(input_shape)[:2]
        self.embedding.build((batch, time))
        self.rnn.build((batch, time, self.embedding_dim))
        self.logits.build((batch, time, self.units))
        self.discriminator.build((batch, time))
        self.built = True

    def call(self, ids, training=None):
        return self.logits(self.rnn(self.embedding(ops.cast(ids, "int32"))))

    @property
    def generator_variables(self):
        return (self.embedding.trainable_variables + self.rnn.trainable_variables
                + self.logits.trainable_variables)  # fmt: skip

    def _initial_state(self, batch):
        return [ops.zeros((batch, self.units), self.compute_dtype)] * 2

    def _step(self, tokens, state):
        out, state = self.cell(self.embedding(tokens), state)
        return self.logits(out), list(state)

    def rollout_rewards(self, ids, seed=None):
        """Q `(batch, T-1)`: mean sigmoid D of `num_rollouts` completions of each prefix."""
        ids = ops.cast(ids, "int32")
        batch, length, k = tf.shape(ids)[0], self.sequence_length, self.num_rollouts
        # Rows ordered (prefix end t = 1..T-1, rollout, batch); prefix length t + 1.
        prefix = tf.tile(ids, [(length - 1) * k, 1])
        lengths = tf.repeat(tf.range(2, length + 1), k * batch)
        seed = self._draw_seed() if seed is None else seed
        completed = self.generate(tf.shape(prefix)[0], seed, prefix, lengths)
        scores = ops.sigmoid(self.discriminator.sequence_logits(completed))
        scores = tf.reshape(scores, (length - 1, k, batch))
        return tf.transpose(tf.reduce_mean(scores, 1)), completed

    def _advantages(self, fake):
        if self.credit_assignment == "reinforce":
            score = ops.sigmoid(self.discriminator.sequence_logits(fake))
            rewards = ops.repeat(score[:, None], self.sequence_length - 1, axis=1)
            return rewards, rewards
        if self.credit_assignment == "step":
            rewards = ops.sigmoid(self.discriminator(fake)[:, 1:])
            mask = ops.cast(ops.not_equal(fake[:, 1:], 0), "float32")
            return rewards, discounted_returns(rewards, self.discount, mask)
        rewards, _ = self.rollout_rewards(fake)
        return rewards, rewards

    def get_config(self):
        config = super().get_config()
        config.update(self.common_config())
        config.update(
            {"credit_assignment": self.credit_assignment, "num_rollouts": self.num_rollouts}
        )
        return config
