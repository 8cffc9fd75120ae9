"""LSTMTextVAE: Bowman et al.'s LSTM variational autoencoder, the baseline of thesis §5.5."""

import keras
from keras import ops

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_rate
from tfrnnx.layers import RecurrentDropoutLSTM
from tfrnnx.models.text_vae._text_vae import TextVAEBase


@keras.saving.register_keras_serializable(package="tfrnnx")
class LSTMTextVAE(TextVAEBase):
    """LSTM encoder / LSTM decoder variational autoencoder for text (Bowman et al. 2016).

    Encoder: token embeddings -> `RecurrentDropoutLSTM` -> dense map of its last output to
    the mean and log-variance of q(z|x) (a `tfp.distributions.MultivariateNormalDiag`).
    Decoder: an LSTM whose initial state `(h, c)` is a tanh-dense map of z and whose input
    at step t is the embedding of token t-1 (a start id at t = 0) concatenated with z;
    a dense softmax predicts token t. Word (input) dropout replaces decoder input tokens
    by a dropped-word id with probability `word_dropout` during training (seeded);
    `word_dropout=1.0` is historyless decoding: every input is dropped, in training and
    at inference, so the decoder sees only z.

    Loss, KL annealing and logged metrics are those of `tfrnnx.models.HybridTextVAE`
    (shared code): per sequence `rec + β·KL` (no auxiliary term), with loss, rec, kl, aux
    (0), bits_per_token, kl_bits, elbo_bits_per_token, beta, active_units, mutual_info.

    Args:
        vocab_size: number of token ids (`vocab_size` and `vocab_size + 1` are the
            decoder's start and dropped-word ids).
        sequence_length: length of every sequence.
        latent_dim: size of z.
        encoder_units: units of the encoder LSTM.
        decoder_units: units of the decoder LSTM.
        embedding_dim: size of the token embeddings.
        word_dropout: probability in [0, 1] of dropping a decoder input token.
        recurrent_dropout: Semeniuta recurrent dropout of both LSTMs, in [0, 1).
        layer_norm: layer-normalise both LSTMs.
        kl_annealing: `(start_step, duration_steps)` of the linear β schedule, or None.
        seed: integer seed of initializers, z samples and dropout, or None.
        **kwargs: base `keras.Model` arguments.

    Call arguments:
        tokens: int `(batch, sequence_length)` ids.
        training: if True z is sampled from q(z|x) and word dropout is active; otherwise
            z is the posterior mean.

    Returns:
        Teacher-forced logits `(batch, sequence_length, vocab_size)`; `encode`,
        `reconstruct`, `sample`, `decode`, `interpolate` and `export` as in
        `HybridTextVAE`.

    Example:

    >>> import numpy as np, keras, tfrnnx
    >>> vae = tfrnnx.models.LSTMTextVAE(
    ...     vocab_size=6, sequence_length=8, latent_dim=2, encoder_units=8,
    ...     decoder_units=8, embedding_dim=4, word_dropout=0.5, seed=0)
    >>> tokens = np.tile(np.arange(8) % 6, (4, 1)).astype("int32")
    >>> vae(tokens).shape
    TensorShape([4, 8, 6])
    >>> mean, log_var = vae.encode(tokens)
    >>> mean.shape
    TensorShape([4, 2])
    >>> vae.reconstruct(tokens).shape
    TensorShape([4, 8])

    References:
        Bowman, Vilnis, Vinyals, Dai, Jozefowicz, Bengio (2016), "Generating Sentences
        from a Continuous Space", CoNLL. Semeniuta, Severyn, Barth (2017), "A Hybrid
        Convolutional Variational Autoencoder for Text Generation", EMNLP; thesis §5.5.
    """

    def __init__(
        self, vocab_size, sequence_length, latent_dim=32, encoder_units=256, decoder_units=256,
        embedding_dim=64, word_dropout=0.0, recurrent_dropout=0.0, layer_norm=True,
        kl_annealing=None, seed=None, **kwargs,
    ):
        super().__init__(
            vocab_size, sequence_length, latent_dim, 0.0, word_dropout, kl_annealing, seed,
            **kwargs,
        )
        self.encoder_units = check_integer("encoder_units", encoder_units)
        self.decoder_units = check_integer("decoder_units", decoder_units)
        self.embedding_dim = check_integer("embedding_dim", embedding_dim)
        self.recurrent_dropout = check_rate("recurrent_dropout", recurrent_dropout)
        self.layer_norm = bool(layer_norm)
        s = self.seeded
        init = keras.initializers.GlorotUniform
        self.encoder_embedding = keras.layers.Embedding(
            vocab_size, embedding_dim, name="encoder_embedding",
            embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, s(1)),
        )
        self.encoder_lstm = RecurrentDropoutLSTM(
            encoder_units, layer_norm=self.layer_norm, recurrent_dropout=self.recurrent_dropout,
            seed=s(2), name="encoder_lstm",
        )
        self.posterior_dense = keras.layers.Dense(
            2 * latent_dim, name="posterior", kernel_initializer=init(s(3))
        )
        self.decoder_embedding = keras.layers.Embedding(
            vocab_size + 2, embedding_dim, name="decoder_embedding",
            embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, s(4)),
        )
        self.latent_to_state = keras.layers.Dense(
            2 * decoder_units, activation="tanh", name="latent_to_state",
            kernel_initializer=init(s(5)),
        )
        self.decoder_lstm = RecurrentDropoutLSTM(
            decoder_units, layer_norm=self.layer_norm, recurrent_dropout=self.recurrent_dropout,
            return_sequences=True, seed=s(6), name="decoder_lstm",
        )
        self.output_dense = keras.layers.Dense(
            vocab_size, name="output", kernel_initializer=init(s(7))
        )

    def posterior_parameters(self, tokens, training=False):
        x = self.encoder_embedding(ops.cast(tokens, "int32"))
        mean, log_var = ops.split(
            self.posterior_dense(self.encoder_lstm(x, training=training)), 2, axis=-1
        )
        return mean, log_var

    def _initial_state(self, z):
        h, c = ops.split(self.latent_to_state(z), 2, axis=-1)
        return [h, c]

    def decoder_logits(self, z, tokens, training=False):
        previous = self.decoder_embedding(self.decoder_inputs(tokens, training))
        z_steps = ops.repeat(ops.expand_dims(z, 1), self.sequence_length, axis=1)
        inputs = ops.concatenate([ops.cast(previous, z.dtype), z_steps], axis=-1)
        hidden = self.decoder_lstm(
            inputs, initial_state=self._initial_state(z), training=training
        )
        return self.output_dense(hidden), None

    def generate(self, z, greedy=True, seed=0):
        def step_input(t, embedded):
            return ops.concatenate([ops.cast(embedded, z.dtype), z], axis=-1)

        return self.generate_with_lstm_cell(
            self.decoder_lstm.cell, step_input, self._initial_state(z), greedy, seed
        )

    def get_config(self):
        config = super().get_config()
        config.update(self.common_config())
        del config["aux_weight"]
        config.update({
            "encoder_units": self.encoder_units,
            "decoder_units": self.decoder_units,
            "embedding_dim": self.embedding_dim,
            "recurrent_dropout": self.recurrent_dropout,
            "layer_norm": self.layer_norm,
        })
        return config
