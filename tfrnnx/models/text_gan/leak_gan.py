"""LeakGAN: a discrete text GAN whose generator reads the discriminator's features (§5.4)."""

import keras
from keras import ops

from tfrnnx._validation import check_choice
from tfrnnx._validation import check_integer
from tfrnnx._validation import derived_seed
from tfrnnx.models.text_gan._discrete_gan import CausalLSTMDiscriminator
from tfrnnx.models.text_gan._discrete_gan import DiscreteGANBase
from tfrnnx.models.text_gan._discrete_gan import discounted_returns
from tfrnnx.models.text_gan._discrete_gan import embedded_lstm

LEAKS = ("leak", "noleak", "mixed")


@keras.saving.register_keras_serializable(package="tfrnnx")
class LeakGAN(DiscreteGANBase):
    """Discrete text GAN whose generator is fed the discriminator's prefix features.

    Discriminator: an Embedding -> LSTM -> Dense(1) causal classifier; its LSTM output
    f_t is a feature of the prefix y_0..t and its logit D(y_0..t) is trained with binary
    cross-entropy on every prefix of real vs generated sentences. Generator: the next
    token is predicted by a one-layer MLP, `Dense(vocab)(tanh(Dense(mlp_units)(u_t)))`,
    whose input u_t is (thesis Fig. 5.4 variants, Table 5.4):

    - `"leak"`: `concat(h_t, f_t)`, the generator LSTM state h_t (Embedding -> LSTM over
      the prefix) fused with the leaked discriminator feature;
    - `"noleak"`: `h_t` only: a plain LSTM language model with an MLP output;
    - `"mixed"`: `f_t` only: the discriminator's state replaces the generator's, whose
      recurrence is the (frozen) discriminator LSTM; this variant has no generator
      embedding or LSTM, only the MLP.

    The discriminator is frozen in the generator phase: features are read under
    `stop_gradient` and only the generator's variables (`generator_variables`) are updated,
    in `pretrain` as in `fit`. Rewards are per step as in `SeqGAN(credit_assignment="step")`:
    R_t = discount * R_{t+1} + sigmoid D(y_0..t), minus a moving-average baseline. The
    hierarchical manager/worker of Guo et al. is not modelled: the leaked feature enters the
    next-token MLP directly. Ids are framed `<bos> words <eos> <pad>...` (ids 0..3 are
    `<pad>`, `<unk>`, `<bos>`, `<eos>`); `<pad>`, `<unk>`, `<bos>` are never drawn and the
    last column can only be `<eos>`. `fit` logs `generator_nll`, `discriminator_loss`,
    `mean_reward`.

    Args:
        vocab_size: number of token ids (>= 5).
        sequence_length: columns of the framed ids, `<bos>` and `<eos>` included.
        leak: `"leak"`, `"noleak"` or `"mixed"`.
        discount: γ in [0, 1] of the per-step returns.
        embedding_dim: size of the word embeddings.
        units: LSTM units of the generator (unused by `"mixed"`).
        discriminator_units: LSTM units of the discriminator (the leaked feature size).
        mlp_units: hidden units of the fusion MLP.
        baseline_decay: decay in [0, 1) of the moving-average reward baseline.
        discriminator_steps: discriminator updates per `train_step` (0: generator only).
        vocabulary: a vocabulary with `decode`/`detokenize` and `len == vocab_size` (e.g.
            `tfrnnx.tokenizers.WordVocabulary`), or None.
        seed: integer seed of the initializers and of sampling, or None.
        **kwargs: base `keras.Model` arguments.

    Call arguments:
        ids: int `(batch, sequence_length)` framed ids.
        training: unused (no dropout).

    Returns:
        Teacher-forced generator logits `(batch, sequence_length, vocab_size)`;
        `sample(n, seed=None)` int32 `(n, sequence_length)` ids, `sample_strings(n)`,
        `log_likelihood(ids)`, `pretrain(ids, epochs, batch_size)` and
        `export_serving(path)` as in `tfrnnx.models.SeqGAN`.

    Example:

    >>> import numpy as np, keras, tfrnnx
    >>> vocab = tfrnnx.tokenizers.WordVocabulary.build(["a cat sat", "a dog sat"])
    >>> ids = vocab.pad(vocab.encode(["a cat sat", "a dog sat"], add_bos_eos=True), 6)
    >>> gan = tfrnnx.models.LeakGAN(len(vocab), 6, leak="leak", units=8, embedding_dim=4,
    ...                             discriminator_units=8, mlp_units=8, vocabulary=vocab, seed=0)
    >>> gan.compile(keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2))
    >>> sorted(gan.fit(ids, batch_size=2, epochs=1, verbose=0).history)
    ['discriminator_loss', 'generator_nll', 'mean_reward']
    >>> gan(ids).shape
    TensorShape([2, 6, 8])
    >>> len(gan.sample_strings(2, seed=0))
    2

    References:
        Guo, Lu, Cai, Zhang, Yu, Wang (2018), "Long Text Generation via Adversarial
        Training with Leaked Information", AAAI; Yu et al. (2017), "SeqGAN", AAAI;
        thesis §5.4 (Fig. 5.4) and §5.6.4 (Table 5.4).
    """

    step_discriminator = True

    def __init__(self, vocab_size, sequence_length, leak="leak", mlp_units=64, **kwargs):
        # The arguments every discrete GAN shares are checked and stored by DiscreteGANBase.
        super().__init__(vocab_size, sequence_length, **kwargs)
        seed, embedding_dim, units = self.seed, self.embedding_dim, self.units
        self.leak = check_choice("leak", leak, LEAKS)
        self.mlp_units = check_integer("mlp_units", mlp_units)
        self.discriminator = CausalLSTMDiscriminator(
            self.vocab_size, embedding_dim, self.discriminator_units, seed=derived_seed(seed, 20),
            name="discriminator",
        )  # fmt: skip
        if leak != "mixed":
            self.embedding, self.cell, self.rnn = embedded_lstm(
                self.vocab_size, embedding_dim, units, seed, 10
            )
        self.fusion = keras.layers.Dense(
            self.mlp_units, activation="tanh", name="fusion",
            kernel_initializer=keras.initializers.GlorotUniform(derived_seed(seed, 13)),
        )  # fmt: skip
        self.logits = keras.layers.Dense(
            self.vocab_size, name="logits",
            kernel_initializer=keras.initializers.GlorotUniform(derived_seed(seed, 14)),
        )  # fmt: skip
        self._pretrain_function = None
        self.build((None, self.sequence_length))

    @property
    def fusion_input_dim(self):
        return {"leak": self.units + self.discriminator_units, "noleak": self.units,
                "mixed": self.discriminator_units}[self.leak]  # fmt: skip

    def build(self, input_shape):
        batch, time = tuple(input_shape)[:2]
        self.discriminator.build((batch, time))
        if self.leak != "mixed":
            self.embedding.build((batch, time))
            self.rnn.build((batch, time, self.embedding_dim))
        self.fusion.build((batch, time, self.fusion_input_dim))
        self.logits.build((batch, time, self.mlp_units))
        self.built = True

    def _fuse(self, generator_state, feature):
        feature = None if feature is None else ops.stop_gradient(feature)
        parts = {"leak": [generator_state, feature], "noleak": [generator_state],
                 "mixed": [feature]}[self.leak]  # fmt: skip
        inputs = parts[0] if len(parts) == 1 else ops.concatenate(parts, axis=-1)
        return self.logits(self.fusion(inputs))

    def call(self, ids, training=None):
        ids = ops.cast(ids, "int32")
        hidden = None if self.leak == "mixed" else self.rnn(self.embedding(ids))
        feature = None if self.leak == "noleak" else self.discriminator.features(ids)
        return self._fuse(hidden, feature)

    @property
    def generator_variables(self):
        layers = [self.fusion, self.logits]
        if self.leak != "mixed":
            layers = [self.embedding, self.rnn] + layers
        return [v for layer in layers for v in layer.trainable_variables]

    def _initial_state(self, batch):
        state = [] if self.leak == "mixed" else [ops.zeros((batch, self.units), self.compute_dtype)] * 2
        if self.leak != "noleak":
            state += self.discriminator.initial_state(batch)
        return state

    def _step(self, tokens, state):
        hidden = feature = None
        new_state = []
        if self.leak != "mixed":
            hidden, generator_state = self.cell(self.embedding(tokens), state[:2])
            new_state += list(generator_state)
        if self.leak != "noleak":
            feature, discriminator_state = self.discriminator.step(tokens, state[-2:])
            new_state += discriminator_state
        return self._fuse(hidden, feature), new_state

    def _advantages(self, fake):
        rewards = ops.sigmoid(self.discriminator(fake)[:, 1:])
        mask = ops.cast(ops.not_equal(fake[:, 1:], 0), "float32")
        return rewards, discounted_returns(rewards, self.discount, mask)

    def get_config(self):
        config = super().get_config()
        config.update(self.common_config())
        config.update({"leak": self.leak, "mlp_units": self.mlp_units})
        return config
