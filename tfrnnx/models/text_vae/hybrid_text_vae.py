"""HybridTextVAE: convolutional encoder, deconvolutional decoder, recurrent/ByteNet top (thesis §5.3)."""

import keras
import tensorflow as tf
from keras import ops

from tfrnnx._validation import check_choice
from tfrnnx._validation import check_integer
from tfrnnx._validation import check_rate
from tfrnnx._validation import is_integer
from tfrnnx.layers import RecurrentDropoutLSTM
from tfrnnx.models.text_vae._text_vae import TextVAEBase
from tfrnnx.models.text_vae._text_vae import sequence_seed
from tfrnnx.models.text_vae._text_vae import token_sampler

DECODERS = ("lstm", "bytenet")
BYTENET_STYLES = ("dilated_residual", "plain")


def _conv_block(layer_class, filters, kernel_size, strides, name, seed):
    return [
        layer_class(
            filters, kernel_size, strides=strides, padding="same", use_bias=False, name=name,
            kernel_initializer=keras.initializers.GlorotUniform(seed),
        ),
        keras.layers.BatchNormalization(name=f"{name}_bn"),
        keras.layers.ReLU(name=f"{name}_relu"),
    ]


@keras.saving.register_keras_serializable(package="tfrnnx")
class HybridTextVAE(TextVAEBase):
    """Hybrid convolutional-recurrent variational autoencoder for text.

    Encoder: token embeddings -> `len(encoder_filters)` strided `Conv1D` + BatchNorm + ReLU
    blocks -> a dense map to the mean and log-variance of the diagonal Gaussian q(z|x)
    (a `tfp.distributions.MultivariateNormalDiag`; reparameterized samples, analytic KL to
    N(0, I)). Decoder (thesis Fig. 5.2): a dense map of z to the shortest feature map, the
    mirrored `Conv1DTranspose` stack back to `sequence_length`, a historyless softmax on the
    last deconvolution (its cross-entropy is the auxiliary cost J_aux, eq. 5.3.2), then a
    recurrent top that sees the deconvolved features concatenated with the embeddings of
    the previous tokens (teacher forcing: tokens shifted right behind a start id):
    `decoder="lstm"`: a layer-normalised `tfrnnx.layers.RecurrentDropoutLSTM`;
    `decoder="bytenet"`: masked (causal) `Conv1D`s with kernel 2; with
    `bytenet_style="dilated_residual"` they are residual with dilations 1, 2, 4, ... (the
    original ByteNet: receptive field 2**bytenet_layers positions), with
    `bytenet_style="plain"` they have no dilation and no skips (the thesis' decoder of
    §5.5.2: receptive field bytenet_layers + 1, so each logit sees exactly the
    `bytenet_layers + 1` previous tokens). With `historyless=True` there
    is no top: the model decodes from the auxiliary softmax alone.

    Loss (eq. 5.3.4), per sequence in nats, averaged over the batch:
    `rec + β·KL + α·aux`, α = `aux_weight`, β from the linear KL-annealing schedule
    `kl_annealing=(start_step, duration_steps)` driven by the model's `annealing_step`
    counter (or β = 1, settable through the `beta` variable, e.g. by
    `tfrnnx.callbacks.KLAnnealing`, when `kl_annealing=None`). `fit`/`evaluate` log loss,
    rec, kl, aux, bits_per_token, kl_bits (per sequence), elbo_bits_per_token, beta,
    active_units (posterior-mean variance across the batch > 0.01) and mutual_info (a
    minibatch log-sum-exp estimate of I(x; z), bounded by log(batch size)).

    Token ids are in [0, vocab_size); the decoder's own start and dropped-word ids are
    `vocab_size` and `vocab_size + 1`. `sequence_length` must be divisible by
    `strides ** len(encoder_filters)`. Like every subclassed Keras model, call it once on
    data (`vae(tokens)`) before `save`, `count_params` or `export`.

    Args:
        vocab_size: number of token ids.
        sequence_length: length of every sequence.
        latent_dim: size of z.
        encoder_filters: filters of each strided convolution; the decoder mirrors them.
        kernel_size: kernel width of the (de)convolutions.
        strides: stride of each (de)convolution.
        decoder: `"lstm"` or `"bytenet"`.
        rnn_units: LSTM units (`decoder="lstm"`).
        bytenet_layers: number of causal convolutions (`decoder="bytenet"`).
        bytenet_filters: channels of the ByteNet stack.
        bytenet_style: `"dilated_residual"` (dilations 1, 2, 4, ... with residual
            connections) or `"plain"` (the thesis': no dilation, no residual connections).
        embedding_dim: size of the token embeddings (encoder and decoder inputs).
        aux_weight: α, weight of the auxiliary historyless cost.
        word_dropout: probability of replacing a decoder input token by the dropped-word
            id during training.
        recurrent_dropout: Semeniuta recurrent dropout of the LSTM top.
        kl_annealing: `(start_step, duration_steps)` or None (β = the `beta` variable).
        historyless: decode from the deconvolutions alone (no recurrent/ByteNet top).
        seed: integer seed of initializers, z samples and dropout, or None.
        **kwargs: base `keras.Model` arguments.

    Call arguments:
        tokens: int `(batch, sequence_length)` ids.
        training: if True z is sampled from q(z|x), otherwise z is the posterior mean.

    Returns:
        Teacher-forced logits `(batch, sequence_length, vocab_size)`. `encode(tokens)` gives
        `(mean, log_var)`; `reconstruct(tokens)`, `sample(n, greedy=True, seed=None)`,
        `decode(z)` and `interpolate(a, b, steps)` give int32 token arrays (generation is a
        `tf.while_loop`, exported by `export(path)` as `encode`, `reconstruct`, `sample`).

    Example:

    >>> import numpy as np, keras, tfrnnx
    >>> vae = tfrnnx.models.HybridTextVAE(
    ...     vocab_size=6, sequence_length=8, latent_dim=2, encoder_filters=(4, 4),
    ...     rnn_units=8, embedding_dim=4, seed=0)
    >>> tokens = np.tile(np.arange(8) % 6, (4, 1)).astype("int32")
    >>> vae(tokens).shape
    TensorShape([4, 8, 6])
    >>> vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    >>> logs = vae.fit(tokens, epochs=1, verbose=0).history
    >>> sorted(logs)[:4]
    ['active_units', 'aux', 'beta', 'bits_per_token']
    >>> vae.sample(2, seed=1).shape
    TensorShape([2, 8])

    References:
        Semeniuta, Severyn, Barth (2017), "A Hybrid Convolutional Variational Autoencoder
        for Text Generation", EMNLP; thesis §5.3. Bowman et al. (2016), "Generating
        Sentences from a Continuous Space", CoNLL (KL annealing, word dropout).
    """

    def __init__(
        self, vocab_size, sequence_length, latent_dim=32,
        encoder_filters=(128, 256, 512, 512, 512), kernel_size=3, strides=2, decoder="lstm",
        rnn_units=256, bytenet_layers=4, bytenet_filters=128, bytenet_style="dilated_residual",
        embedding_dim=64, aux_weight=0.2, word_dropout=0.0, recurrent_dropout=0.0,
        kl_annealing=None, historyless=False, seed=None, **kwargs,
    ):
        super().__init__(
            vocab_size, sequence_length, latent_dim, aux_weight, word_dropout, kl_annealing,
            seed, **kwargs,
        )
        filters = tuple(encoder_filters) if isinstance(encoder_filters, (list, tuple)) else None
        if not filters or any(not is_integer(f) or f < 1 for f in filters):
            raise ValueError(
                "encoder_filters must be a non-empty sequence of positive integers. "
                f"Received: encoder_filters={encoder_filters!r}"
            )
        self.encoder_filters = tuple(int(f) for f in filters)
        self.kernel_size = check_integer("kernel_size", kernel_size)
        self.strides = check_integer("strides", strides)
        reduction = self.strides ** len(filters)
        if self.sequence_length % reduction:
            raise ValueError(
                f"sequence_length must be divisible by strides ** len(encoder_filters) = "
                f"{reduction}. Received: sequence_length={sequence_length}"
            )
        self.decoder = check_choice("decoder", decoder, DECODERS)
        self.rnn_units = check_integer("rnn_units", rnn_units)
        self.bytenet_layers = check_integer("bytenet_layers", bytenet_layers)
        self.bytenet_filters = check_integer("bytenet_filters", bytenet_filters)
        self.bytenet_style = check_choice("bytenet_style", bytenet_style, BYTENET_STYLES)
        self.embedding_dim = check_integer("embedding_dim", embedding_dim)
        self.recurrent_dropout = check_rate("recurrent_dropout", recurrent_dropout)
        self.historyless = bool(historyless)
        self.reduced_length = self.sequence_length // reduction
        # Layers in a fixed order (the order of their weights); each has its own seed.
        self._make_convolutional_encoder()
        self._make_deconvolutional_decoder()
        if not self.historyless:
            self._make_history_decoder()

    def _make_convolutional_encoder(self):
        s = self.seeded
        self.encoder_embedding = keras.layers.Embedding(
            self.vocab_size, self.embedding_dim, name="encoder_embedding",
            embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, s(1)),
        )
        self.encoder_blocks = []
        for i, f in enumerate(self.encoder_filters):
            self.encoder_blocks += _conv_block(
                keras.layers.Conv1D, f, self.kernel_size, self.strides, f"encoder_conv_{i}",
                s(10 + i),
            )
        self.flatten = keras.layers.Flatten(name="flatten")
        self.posterior_dense = keras.layers.Dense(
            2 * self.latent_dim, name="posterior",
            kernel_initializer=keras.initializers.GlorotUniform(s(2)),
        )

    def _make_deconvolutional_decoder(self):
        s = self.seeded
        self.latent_to_features = keras.layers.Dense(
            self.reduced_length * self.encoder_filters[-1], name="latent_to_features",
            kernel_initializer=keras.initializers.GlorotUniform(s(3)),
        )
        self.decoder_blocks = []
        for i, f in enumerate(reversed(self.encoder_filters)):
            self.decoder_blocks += _conv_block(
                keras.layers.Conv1DTranspose, f, self.kernel_size, self.strides,
                f"decoder_deconv_{i}", s(30 + i),
            )
        self.aux_output = keras.layers.Dense(
            self.vocab_size, name="aux_output",
            kernel_initializer=keras.initializers.GlorotUniform(s(4)),
        )

    def _make_history_decoder(self):
        """The recurrent (LSTM) or ByteNet top that reads the previous tokens."""
        s = self.seeded
        self.decoder_embedding = keras.layers.Embedding(
            self.vocab_size + 2, self.embedding_dim, name="decoder_embedding",
            embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, s(5)),
        )
        if self.decoder == "lstm":
            self.rnn = RecurrentDropoutLSTM(
                self.rnn_units, layer_norm=True, recurrent_dropout=self.recurrent_dropout,
                return_sequences=True, seed=s(6), name="decoder_lstm",
            )
        else:
            self.bytenet_input = keras.layers.Dense(
                self.bytenet_filters, name="bytenet_input",
                kernel_initializer=keras.initializers.GlorotUniform(s(7)),
            )
            self.bytenet_convs = [
                keras.layers.Conv1D(
                    self.bytenet_filters, 2, padding="causal",
                    dilation_rate=2**i if self.bytenet_style == "dilated_residual" else 1,
                    activation="relu", name=f"bytenet_conv_{i}",
                    kernel_initializer=keras.initializers.GlorotUniform(s(50 + i)),
                )
                for i in range(self.bytenet_layers)
            ]
        self.output_dense = keras.layers.Dense(
            self.vocab_size, name="output",
            kernel_initializer=keras.initializers.GlorotUniform(s(8)),
        )

    # -- encoder / decoder ---------------------------------------------------------------

    def posterior_parameters(self, tokens, training=False):
        x = self.encoder_embedding(ops.cast(tokens, "int32"))
        for layer in self.encoder_blocks:
            x = layer(x, training=training)
        mean, log_var = ops.split(self.posterior_dense(self.flatten(x)), 2, axis=-1)
        return mean, log_var

    def deconv_features(self, z, training=False):
        """Deconvolved features `(batch, sequence_length, encoder_filters[0])` of z."""
        x = self.latent_to_features(z)
        x = ops.reshape(x, (-1, self.reduced_length, self.encoder_filters[-1]))
        for layer in self.decoder_blocks:
            x = layer(x, training=training)
        return x

    def _bytenet(self, inputs):
        x = self.bytenet_input(inputs)
        residual = self.bytenet_style == "dilated_residual"
        for conv in self.bytenet_convs:
            x = x + conv(x) if residual else conv(x)
        return x

    def _top(self, features, previous, training):
        inputs = ops.concatenate(
            [features, ops.cast(self.decoder_embedding(previous), features.dtype)], axis=-1
        )
        if self.decoder == "lstm":
            hidden = self.rnn(inputs, training=training)
        else:
            hidden = self._bytenet(inputs)
        return self.output_dense(hidden)

    def decoder_logits(self, z, tokens, training=False):
        features = self.deconv_features(z, training)
        aux_logits = self.aux_output(features)
        if self.historyless:
            return aux_logits, None
        logits = self._top(features, self.decoder_inputs(tokens, training), training)
        return logits, aux_logits

    def generate(self, z, greedy=True, seed=0):
        features = self.deconv_features(z, False)
        if self.historyless:  # every position at once: no token is fed back
            logits = ops.cast(self.aux_output(features), "float32")
            flat = ops.reshape(logits, (-1, self.vocab_size))
            tokens = token_sampler(greedy).get_next_token(flat, sequence_seed(seed))
            return ops.reshape(tokens, ops.shape(logits)[:2])
        if self.decoder == "lstm":
            return self._generate_lstm(features, greedy, seed)
        return self._generate_bytenet(features, greedy, seed)

    def _generate_lstm(self, features, greedy, seed):
        def step_input(t, embedded):
            return ops.concatenate([features[:, t], ops.cast(embedded, features.dtype)], -1)

        batch = ops.shape(features)[0]
        state = (ops.zeros((batch, self.rnn_units), features.dtype),) * 2
        return self.generate_with_lstm_cell(self.rnn.cell, step_input, state, greedy, seed)

    def _generate_bytenet(self, features, greedy, seed):
        # Re-runs the causal stack on the growing prefix: O(length²) but exact and exportable.
        def next_logits(ids, t, state):
            return self._top(features, self.decoder_inputs(ids, False), False)[:, t], state

        ids = tf.zeros(tf.stack([ops.shape(features)[0], self.sequence_length]), tf.int32)
        return token_sampler(greedy)(next_logits, ids, start=0, seed=sequence_seed(seed))

    def get_config(self):
        config = super().get_config()
        config.update(self.common_config())
        config.update({
            "encoder_filters": list(self.encoder_filters),
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "decoder": self.decoder,
            "rnn_units": self.rnn_units,
            "bytenet_layers": self.bytenet_layers,
            "bytenet_filters": self.bytenet_filters,
            "bytenet_style": self.bytenet_style,
            "embedding_dim": self.embedding_dim,
            "recurrent_dropout": self.recurrent_dropout,
            "historyless": self.historyless,
        })
        return config
