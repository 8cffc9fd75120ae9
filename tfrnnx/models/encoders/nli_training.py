"""Training the NLI sentence encoders on SNLI pairs (library side of
scripts/train_bilstm_encoder.py and scripts/fd_encoder_robustness.py)."""

import gzip
import os

import keras
import numpy as np
import tensorflow as tf

from tfrnnx.models.encoders.bilstm_max_encoder import BiLSTMMaxEncoder
from tfrnnx.tokenizers.word_vocabulary import WordVocabulary

NLI_LABELS = ("entailment", "neutral", "contradiction")


def load_snli_pairs(directory, split, limit=None):
    """SNLI pairs of `split` from `s1.<split>.gz`, `s2.<split>.gz`, `labels.<split>.gz`.

    Args:
        directory: the `snli_devtest` data directory (see `shared/data/SOURCES.md`).
        split: `"dev"` or `"test"` (the staged splits).
        limit: keep only the first `limit` pairs, or None.

    Returns:
        `(premises, hypotheses, labels)`: two lists of strings and an int32 array of
        indices into `NLI_LABELS`.
    """

    def read(name):
        path = os.path.join(directory, f"{name}.{split}.gz")
        if not os.path.isfile(path):
            raise ValueError(
                f"split must name files that exist. Received: split={split!r} ({path} is missing)"
            )
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return [line.rstrip("\n").strip() for line in f][:limit]

    premises, hypotheses, names = read("s1"), read("s2"), read("labels")
    if not len(premises) == len(hypotheses) == len(names):
        raise ValueError(f"SNLI files of split {split!r} differ in length")
    unknown = sorted(set(names) - set(NLI_LABELS))
    if unknown:
        raise ValueError(f"labels.{split}.gz has labels outside {NLI_LABELS}: {unknown}")
    labels = np.array([NLI_LABELS.index(n) for n in names], "int32")
    return premises, hypotheses, labels


def _pair_dataset(encoder, premises, hypotheses, labels, batch_size, shuffle_seed=None):
    """Batches `((premise_ids, hypothesis_ids), label)`, each batch padded to its longest."""

    def ragged(sentences):
        return tf.ragged.constant([row[row > 0] for row in encoder.ids(sentences)], dtype="int32")

    dataset = tf.data.Dataset.from_tensor_slices(
        (ragged(premises), ragged(hypotheses), np.asarray(labels, "int32"))
    )
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(labels), seed=shuffle_seed, reshuffle_each_iteration=True)
    dataset = dataset.ragged_batch(batch_size)
    return dataset.map(lambda p, h, y: ((p.to_tensor(), h.to_tensor()), y)).prefetch(2)


def train_bilstm_max_encoder(
    premises, hypotheses, labels, vocabulary_size=20000, embedding_dim=128, units=256,
    mlp_units=512, mlp_activation=None, dropout=0.1, epochs=3, batch_size=64, learning_rate=1e-3,
    max_length=64, seed=0, verbose=0,
):
    """A `BiLSTMMaxEncoder` trained with Adam on NLI pairs, vocabulary built from them.

    Args:
        premises, hypotheses: lists of strings; labels: ints in `[0, 3)` (`NLI_LABELS`).
        vocabulary_size: keep the most frequent words of the training sentences.
        embedding_dim, units, mlp_units, mlp_activation, dropout, max_length, seed: as
            `BiLSTMMaxEncoder`.
        epochs, batch_size, learning_rate: the training budget.
        verbose: Keras `fit` verbosity.

    Returns:
        `(encoder, history)`: the trained model and the Keras `History.history` dict.
    """
    vocabulary = WordVocabulary.build(list(premises) + list(hypotheses), max_size=vocabulary_size)
    encoder = BiLSTMMaxEncoder(
        vocabulary, embedding_dim=embedding_dim, units=units, mlp_units=mlp_units,
        mlp_activation=mlp_activation, num_classes=len(NLI_LABELS), dropout=dropout,
        max_length=max_length, seed=seed,
    )
    history = train_nli_encoder(encoder, premises, hypotheses, labels, epochs=epochs,
                                batch_size=batch_size, learning_rate=learning_rate, seed=seed,
                                verbose=verbose)  # fmt: skip
    return encoder, history


def train_nli_encoder(encoder, premises, hypotheses, labels, epochs=3, batch_size=64,
                      learning_rate=1e-3, seed=0, verbose=0):  # fmt: skip
    """Trains an NLI pair encoder (`BiLSTMMaxEncoder`, `BigramDANEncoder`) in place with
    Adam (clipnorm 5) on the cross-entropy of its logits; returns `History.history`."""
    dataset = _pair_dataset(encoder, premises, hypotheses, labels, batch_size, shuffle_seed=seed)
    encoder.compile(
        optimizer=keras.optimizers.Adam(learning_rate, clipnorm=5.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return encoder.fit(dataset, epochs=epochs, shuffle=False, verbose=verbose).history


def nli_accuracy(encoder, premises, hypotheses, labels, batch_size=256):
    """Fraction of pairs whose arg-max logit is the gold label."""
    logits = encoder.predict(
        _pair_dataset(encoder, premises, hypotheses, labels, batch_size).map(lambda x, y: (x,)),
        verbose=0,
    )
    return float(np.mean(np.argmax(logits, axis=-1) == np.asarray(labels)))
