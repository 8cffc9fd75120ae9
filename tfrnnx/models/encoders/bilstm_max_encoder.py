"""BiLSTMMaxEncoder: InferSent's BiLSTM-max sentence encoder with its NLI classifier."""

import keras
from keras import ops

from tfrnnx._validation import check_integer
from tfrnnx._validation import derived_seed
from tfrnnx.models.encoders._nli_pair_encoder import NLIPairEncoder


@keras.saving.register_keras_serializable(package="tfrnnx")
class BiLSTMMaxEncoder(NLIPairEncoder):
    """InferSent's sentence encoder: bidirectional LSTM, max-pooling over time.

    A sentence `w_1..w_T` is embedded, read by a forward and a backward LSTM, and the
    concatenated states `[h_fwd_t; h_bwd_t]` are max-pooled over the (unpadded) time steps
    into `u` of size `2 * units`. For training on natural language inference, the model
    classifies a (premise `u`, hypothesis `v`) pair from `[u, v, |u - v|, u * v]` with an
    MLP (one hidden layer of `mlp_units`) into `num_classes` logits
    (entailment / neutral / contradiction). `embed(sentences)` is the sentence embedder
    used for the Fréchet distance; the vocabulary (words outside it map to `<unk>`) comes
    from the training data (`scripts/train_bilstm_encoder.py` trains one on SNLI).

    Args:
        vocabulary: a `tfrnnx.tokenizers.WordVocabulary` (or its config dict, or a list of words).
        embedding_dim: positive integer, size of the word embeddings (InferSent: 300 GloVe).
        units: positive integer, LSTM size per direction (InferSent: 2048).
        mlp_units: positive integer, hidden size of the classifier (InferSent: 512).
        mlp_activation: activation of the classifier's hidden layer (InferSent: linear).
        num_classes: positive integer, number of NLI classes.
        dropout: rate in [0, 1) of dropout on the classifier's input features.
        max_length: positive integer, words kept per sentence in `embed`.
        batch_size: positive integer, sentences per forward pass in `embed`.
        seed: integer seed of the weight initializers and dropout, or None.
        **kwargs: base `keras.Model` arguments.

    Call arguments:
        inputs: `(premise_ids, hypothesis_ids)`, int `(batch, time)`, 0-padded.
        training: whether dropout is active.

    Returns:
        NLI logits `(batch, num_classes)`. `encode(ids)` gives the `(batch, 2 * units)`
        sentence vectors; `embed(sentences)` the same for strings, as float32 numpy.

    Example:

    >>> import tfrnnx
    >>> vocab = tfrnnx.tokenizers.WordVocabulary.build(["a dog runs .", "a cat sleeps ."])
    >>> encoder = tfrnnx.metrics.BiLSTMMaxEncoder(vocab, embedding_dim=8, units=4, seed=0)
    >>> encoder.embed(["A dog sleeps.", "a cat"]).shape
    (2, 8)

    References:
        Conneau et al. (2017), "Supervised Learning of Universal Sentence Representations
        from Natural Language Inference Data" (InferSent), EMNLP; Semeniuta, Severyn,
        Gelly (2018), "On Accurate Evaluation of GANs for Language Generation"; thesis
        §5.6.
    """

    def __init__(
        self, vocabulary, embedding_dim=300, units=2048, mlp_units=512, mlp_activation=None,
        num_classes=3, dropout=0.0, max_length=64, batch_size=64, seed=None, **kwargs,
    ):
        super().__init__(vocabulary, embedding_dim, mlp_units, mlp_activation, num_classes,
                         dropout, max_length, batch_size, seed, **kwargs)  # fmt: skip
        self.units = check_integer("units", units)
        self._make_layers()
        # Built at once: the weights exist (and save) even if only `embed` is ever called.
        self.build()

    @property
    def sentence_size(self):
        return 2 * self.units

    def _make_encoder_layers(self):
        seed = self.seed

        def lstm(offset, go_backwards):
            return keras.layers.LSTM(
                self.units,
                return_sequences=True,
                go_backwards=go_backwards,
                kernel_initializer=keras.initializers.GlorotUniform(seed=derived_seed(seed, offset)),
                recurrent_initializer=keras.initializers.Orthogonal(seed=derived_seed(seed, offset + 1)),
                name="backward_lstm" if go_backwards else "forward_lstm",
            )

        self.bilstm = keras.layers.Bidirectional(
            lstm(1, False), backward_layer=lstm(3, True), merge_mode="concat", name="bilstm"
        )

    def _build_encoder(self):
        self.bilstm.build((None, None, self.embedding_dim))

    def encode(self, ids, training=None):
        """Max-pooled BiLSTM states `(batch, 2 * units)` of int ids `(batch, time)`."""
        ids = ops.cast(ids, "int32")
        mask = ops.not_equal(ids, 0)
        states = self.bilstm(self.embedding(ids), mask=mask, training=training)
        blocked = ops.full_like(states, float("-inf"))
        pooled = ops.max(ops.where(mask[..., None], states, blocked), axis=1)
        # An all-padding row (empty sentence) gets the zero vector instead of -inf.
        return ops.where(ops.any(mask, axis=1)[:, None], pooled, ops.zeros_like(pooled))

    def get_config(self):
        return {**super().get_config(), "units": self.units}
