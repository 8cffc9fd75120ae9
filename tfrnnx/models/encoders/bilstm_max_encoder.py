"""BiLSTMMaxEncoder: InferSent's BiLSTM-max sentence encoder with its NLI classifier."""

import keras
import numpy as np
from keras import ops

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_rate
from tfrnnx._validation import check_seed
from tfrnnx._validation import derived_seed
from tfrnnx.tokenizers.word_vocabulary import WordVocabulary
from tfrnnx._validation import check_sentences


@keras.saving.register_keras_serializable(package="tfrnnx")
class BiLSTMMaxEncoder(keras.Model):
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
        super().__init__(**kwargs)
        if isinstance(vocabulary, dict):
            vocabulary = WordVocabulary.from_config(vocabulary)
        elif isinstance(vocabulary, (list, tuple)):
            vocabulary = WordVocabulary(vocabulary)
        if not isinstance(vocabulary, WordVocabulary):
            raise ValueError(
                "vocabulary must be a tfrnnx.tokenizers.WordVocabulary, its config or a list of "
                f"words. Received: vocabulary of type {type(vocabulary).__name__}"
            )
        self.vocabulary = vocabulary
        self.embedding_dim = check_integer("embedding_dim", embedding_dim)
        self.units = check_integer("units", units)
        self.mlp_units = check_integer("mlp_units", mlp_units)
        self.mlp_activation = keras.activations.get(mlp_activation)
        self.num_classes = check_integer("num_classes", num_classes)
        self.dropout = check_rate("dropout", dropout)
        self.max_length = check_integer("max_length", max_length)
        self.batch_size = check_integer("batch_size", batch_size)
        self.seed = check_seed("seed", seed)
        self._make_layers()
        # Built at once: the weights exist (and save) even if only `embed` is ever called.
        self.build()

    def _make_layers(self):
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

        self.embedding = keras.layers.Embedding(
            len(self.vocabulary),
            self.embedding_dim,
            mask_zero=True,
            embeddings_initializer=keras.initializers.RandomUniform(
                -0.1, 0.1, seed=derived_seed(seed, 0)
            ),
            name="embedding",
        )
        self.bilstm = keras.layers.Bidirectional(
            lstm(1, False), backward_layer=lstm(3, True), merge_mode="concat", name="bilstm"
        )
        self.feature_dropout = keras.layers.Dropout(
            self.dropout, seed=derived_seed(seed, 5), name="feature_dropout"
        )
        self.hidden = keras.layers.Dense(
            self.mlp_units,
            activation=self.mlp_activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=derived_seed(seed, 6)),
            name="hidden",
        )
        self.classifier = keras.layers.Dense(
            self.num_classes,
            kernel_initializer=keras.initializers.GlorotUniform(seed=derived_seed(seed, 7)),
            name="classifier",
        )

    def build(self, input_shape=None):
        self.embedding.build((None, None))
        self.bilstm.build((None, None, self.embedding_dim))
        self.hidden.build((None, 8 * self.units))
        self.classifier.build((None, self.mlp_units))
        self.built = True

    def encode(self, ids, training=None):
        """Max-pooled BiLSTM states `(batch, 2 * units)` of int ids `(batch, time)`."""
        ids = ops.cast(ids, "int32")
        mask = ops.not_equal(ids, 0)
        states = self.bilstm(self.embedding(ids), mask=mask, training=training)
        blocked = ops.full_like(states, float("-inf"))
        pooled = ops.max(ops.where(mask[..., None], states, blocked), axis=1)
        # An all-padding row (empty sentence) gets the zero vector instead of -inf.
        return ops.where(ops.any(mask, axis=1)[:, None], pooled, ops.zeros_like(pooled))

    def call(self, inputs, training=None):
        premise_ids, hypothesis_ids = inputs
        u = self.encode(premise_ids, training=training)
        v = self.encode(hypothesis_ids, training=training)
        features = ops.concatenate([u, v, ops.abs(u - v), u * v], axis=-1)
        features = self.feature_dropout(features, training=training)
        return self.classifier(self.hidden(features))

    def ids(self, sentences):
        """0-padded int32 ids `(len(sentences), time)` of strings, at most `max_length` words."""
        encoded = self.vocabulary.encode(sentences, max_length=self.max_length)
        # An empty sentence is read as one `<unk>`, so that it still gets a vector.
        return self.vocabulary.pad([ids or [WordVocabulary.unk_id] for ids in encoded])

    def embed(self, sentences):
        """float32 `(len(sentences), 2 * units)` sentence vectors of a list of strings."""
        check_sentences(sentences)
        sentences = list(sentences)
        encoded = self.vocabulary.encode(sentences, max_length=self.max_length)
        order = sorted(range(len(sentences)), key=lambda i: len(encoded[i]))
        out = np.zeros((len(sentences), 2 * self.units), "float32")
        for start in range(0, len(order), self.batch_size):
            index = order[start : start + self.batch_size]
            batch = self.ids([sentences[i] for i in index])
            out[index] = np.asarray(ops.cast(self.encode(batch, training=False), "float32"))
        return out

    @classmethod
    def load(cls, path):
        """The `BiLSTMMaxEncoder` saved at `path` (a `.keras` file)."""
        model = keras.saving.load_model(path)
        if not isinstance(model, cls):
            raise ValueError(
                f"path must hold a saved {cls.__name__}. Received: path={path!r} holding a "
                f"{type(model).__name__}"
            )
        return model

    def get_config(self):
        config = {
            "vocabulary": self.vocabulary.get_config(),
            "embedding_dim": self.embedding_dim,
            "units": self.units,
            "mlp_units": self.mlp_units,
            "mlp_activation": keras.activations.serialize(self.mlp_activation),
            "num_classes": self.num_classes,
            "dropout": self.dropout,
            "max_length": self.max_length,
            "batch_size": self.batch_size,
            "seed": self.seed,
        }
        return {**super().get_config(), **config}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
