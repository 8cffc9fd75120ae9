"""The shared part of the NLI-trained sentence encoders: vocabulary, pair classifier, embed."""

import keras
import numpy as np
from keras import ops

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_rate
from tfrnnx._validation import check_seed
from tfrnnx._validation import check_sentences
from tfrnnx._validation import derived_seed
from tfrnnx.tokenizers._resolve import resolve_vocabulary
from tfrnnx.tokenizers.word_vocabulary import WordVocabulary


class NLIPairEncoder(keras.Model):
    """Base of the sentence encoders trained on natural language inference (InferSent's
    recipe): a word embedding, a subclass' `encode(ids)` into sentence vectors `u`, `v`,
    and an MLP over `[u, v, |u - v|, u * v]` to `num_classes` logits. Subclasses make
    their layers in `_make_encoder_layers`, build them in `_build_encoder` and give the
    sentence-vector size as `sentence_size`."""

    def __init__(
        self, vocabulary, embedding_dim, mlp_units, mlp_activation, num_classes, dropout,
        max_length, batch_size, seed, **kwargs,
    ):  # fmt: skip
        super().__init__(**kwargs)
        self.vocabulary = resolve_vocabulary(vocabulary, accepted=(WordVocabulary,))
        self.embedding_dim = check_integer("embedding_dim", embedding_dim)
        self.mlp_units = check_integer("mlp_units", mlp_units)
        self.mlp_activation = keras.activations.get(mlp_activation)
        self.num_classes = check_integer("num_classes", num_classes)
        self.dropout = check_rate("dropout", dropout)
        self.max_length = check_integer("max_length", max_length)
        self.batch_size = check_integer("batch_size", batch_size)
        self.seed = check_seed("seed", seed)

    def _make_layers(self):
        seed = self.seed
        self.embedding = keras.layers.Embedding(
            len(self.vocabulary), self.embedding_dim, mask_zero=True,
            embeddings_initializer=keras.initializers.RandomUniform(
                -0.1, 0.1, seed=derived_seed(seed, 0)),
            name="embedding",
        )  # fmt: skip
        self._make_encoder_layers()
        self.feature_dropout = keras.layers.Dropout(
            self.dropout, seed=derived_seed(seed, 5), name="feature_dropout"
        )
        self.hidden = keras.layers.Dense(
            self.mlp_units, activation=self.mlp_activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=derived_seed(seed, 6)),
            name="hidden",
        )  # fmt: skip
        self.classifier = keras.layers.Dense(
            self.num_classes,
            kernel_initializer=keras.initializers.GlorotUniform(seed=derived_seed(seed, 7)),
            name="classifier",
        )

    def build(self, input_shape=None):
        self.embedding.build((None, None))
        self._build_encoder()
        self.hidden.build((None, 4 * self.sentence_size))
        self.classifier.build((None, self.mlp_units))
        self.built = True

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
        """float32 `(len(sentences), sentence_size)` sentence vectors of a list of strings."""
        check_sentences(sentences)
        sentences = list(sentences)
        encoded = self.vocabulary.encode(sentences, max_length=self.max_length)
        order = sorted(range(len(sentences)), key=lambda i: len(encoded[i]))
        out = np.zeros((len(sentences), self.sentence_size), "float32")
        for start in range(0, len(order), self.batch_size):
            index = order[start : start + self.batch_size]
            batch = self.ids([sentences[i] for i in index])
            out[index] = np.asarray(ops.cast(self.encode(batch, training=False), "float32"))
        return out

    @classmethod
    def load(cls, path):
        """The encoder of this class saved at `path` (a `.keras` file)."""
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
