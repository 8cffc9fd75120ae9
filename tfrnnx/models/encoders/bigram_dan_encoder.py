"""BigramDANEncoder: mean-pooled unigram and bigram embeddings and a feed-forward network."""

import keras
from keras import ops

from tfrnnx._validation import check_integer
from tfrnnx._validation import derived_seed
from tfrnnx.models.encoders._nli_pair_encoder import NLIPairEncoder


@keras.saving.register_keras_serializable(package="tfrnnx")
class BigramDANEncoder(NLIPairEncoder):
    """The "UniSent" encoder of the thesis (§5.6.3): a deep averaging network over words
    and word bigrams.

    A sentence `w_1..w_T` (ids, 0-padded) is read as its `T` word embeddings and its `T - 1`
    bigram embeddings; a bigram `(a, b)` of a vocabulary of size `V` has the id
    `1 + (a * V + b) mod (bigram_buckets - 1)` (hashed, 0 is padding). The mean of all
    `2T - 1` embeddings goes through `num_layers` dense layers of `units` with ReLU; the
    last one is the sentence vector `(batch, units)`. For training on natural language
    inference, pairs are classified as `BiLSTMMaxEncoder` does, from `[u, v, |u - v|, u * v]`
    (`tfrnnx.models.encoders.nli_training.train_nli_encoder`).

    Args:
        vocabulary: a `tfrnnx.tokenizers.WordVocabulary` (or its config dict, or a list of words).
        embedding_dim: positive integer, size of the word and bigram embeddings.
        units: positive integer, width of the feed-forward layers (the sentence vector).
        num_layers: positive integer, number of feed-forward layers.
        bigram_buckets: integer >= 2, rows of the hashed bigram embedding.
        mlp_units: positive integer, hidden size of the NLI classifier.
        mlp_activation: activation of the classifier's hidden layer (default linear).
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
        NLI logits `(batch, num_classes)`. `encode(ids)` gives the `(batch, units)` sentence
        vectors; `embed(sentences)` the same for strings, as float32 numpy.

    Example:

    >>> import tfrnnx
    >>> vocab = tfrnnx.tokenizers.WordVocabulary.build(["a dog runs .", "a cat sleeps ."])
    >>> encoder = tfrnnx.metrics.BigramDANEncoder(vocab, embedding_dim=8, units=6, seed=0)
    >>> encoder.embed(["A dog sleeps.", "a cat"]).shape
    (2, 6)

    References:
        Iyyer, Manjunatha, Boyd-Graber, Daumé III (2015), "Deep Unordered Composition Rivals
        Syntactic Methods for Text Classification", ACL; Cer et al. (2018), "Universal
        Sentence Encoder" (the DAN variant); thesis §5.6.3.
    """

    def __init__(
        self, vocabulary, embedding_dim=128, units=512, num_layers=2, bigram_buckets=50000,
        mlp_units=512, mlp_activation=None, num_classes=3, dropout=0.0, max_length=64,
        batch_size=256, seed=None, **kwargs,
    ):  # fmt: skip
        super().__init__(vocabulary, embedding_dim, mlp_units, mlp_activation, num_classes,
                         dropout, max_length, batch_size, seed, **kwargs)  # fmt: skip
        self.units = check_integer("units", units)
        self.num_layers = check_integer("num_layers", num_layers)
        self.bigram_buckets = check_integer("bigram_buckets", bigram_buckets, 2)
        self._make_layers()
        self.build()

    @property
    def sentence_size(self):
        return self.units

    def _make_encoder_layers(self):
        seed = self.seed
        self.bigram_embedding = keras.layers.Embedding(
            self.bigram_buckets, self.embedding_dim,
            embeddings_initializer=keras.initializers.RandomUniform(
                -0.1, 0.1, seed=derived_seed(seed, 1)),
            name="bigram_embedding",
        )  # fmt: skip
        self.feed_forward = [
            keras.layers.Dense(
                self.units, activation="relu",
                kernel_initializer=keras.initializers.GlorotUniform(seed=derived_seed(seed, 10 + i)),
                name=f"feed_forward_{i}",
            )  # fmt: skip
            for i in range(self.num_layers)
        ]

    def _build_encoder(self):
        self.bigram_embedding.build((None, None))
        width = self.embedding_dim
        for layer in self.feed_forward:
            layer.build((None, width))
            width = self.units

    def bigram_ids(self, ids):
        """Hashed bigram ids `(batch, time - 1)` of word ids, 0 where either word is padding."""
        ids = ops.cast(ids, "int64")
        left, right = ids[:, :-1], ids[:, 1:]
        hashed = 1 + (left * len(self.vocabulary) + right) % (self.bigram_buckets - 1)
        return ops.where((left > 0) & (right > 0), hashed, ops.zeros_like(hashed))

    def encode(self, ids, training=None):
        """Feed-forward codes `(batch, units)` of the mean unigram and bigram embedding."""
        ids = ops.cast(ids, "int32")
        bigrams = self.bigram_ids(ids)
        words = ops.cast(ops.not_equal(ids, 0), self.compute_dtype)[..., None]
        pairs = ops.cast(ops.not_equal(bigrams, 0), self.compute_dtype)[..., None]
        total = ops.sum(self.embedding(ids) * words, axis=1) + ops.sum(
            self.bigram_embedding(bigrams) * pairs, axis=1
        )
        count = ops.sum(words, axis=1) + ops.sum(pairs, axis=1)
        x = total / ops.maximum(count, 1.0)
        for layer in self.feed_forward:
            x = layer(x)
        return x

    def get_config(self):
        return {**super().get_config(), "units": self.units, "num_layers": self.num_layers,
                "bigram_buckets": self.bigram_buckets}  # fmt: skip
