"""LM score and reverse-LM score of generated text (thesis §5.6)."""

import math

import keras
import numpy as np
import tensorflow as tf

from tfrnnx._validation import check_integer
from tfrnnx.models.language_model import LanguageModel
from tfrnnx.tokenizers.word_vocabulary import WordVocabulary
from tfrnnx._validation import check_sentences


def _perplexity(lm, sentences, batch_size, max_length):
    """exp(total NLL / number of predicted tokens) of `sentences` under `lm`."""
    ids = lm.vocabulary.encode(sentences, add_bos_eos=True, max_length=max_length)
    # Sorting by length keeps padding (and wasted LSTM steps) small.
    ids = sorted(ids, key=len)
    total_nll, count = 0.0, 0
    for start in range(0, len(ids), batch_size):
        batch = lm.vocabulary.pad(ids[start : start + batch_size])
        logits = lm(batch, training=False)
        log_probs = np.asarray(keras.ops.log_softmax(keras.ops.cast(logits, "float32"), axis=-1))
        targets = batch[:, 1:]
        picked = np.take_along_axis(log_probs[:, :-1], targets[..., None], axis=-1)[..., 0]
        keep = targets != WordVocabulary.pad_id
        total_nll -= float(np.sum(picked[keep], dtype="float64"))
        count += int(keep.sum())
    return math.exp(total_nll / count)


def lm_score(samples, lm, batch_size=64, max_length=None):
    """Perplexity of generated `samples` under a language model trained on real data.

    Every sample is framed by `<bos>`/`<eos>` and every word and the final `<eos>` is
    predicted; the score is `exp(sum of token NLLs / number of tokens)` over all samples.
    Low values mean the samples look like the real data to the LM (quality), but a
    generator that repeats a few typical sentences also scores well: pair it with
    `reverse_lm_score` (diversity).

    Args:
        samples: non-empty list of strings (generated sentences).
        lm: a trained `tfrnnx.models.LanguageModel` (its vocabulary tokenizes the samples).
        batch_size: sentences per forward pass.
        max_length: truncate samples to this many words, or None.

    Returns:
        Python float, the perplexity (>= 1).

    Example:

    >>> import tfrnnx
    >>> vocab = tfrnnx.tokenizers.WordVocabulary.build(["a cat sat"])
    >>> lm = tfrnnx.models.LanguageModel(vocab, embedding_dim=4, units=4, seed=0)
    >>> 1.0 <= tfrnnx.metrics.lm_score(["a cat sat"], lm) < 50
    True

    References:
        Semeniuta, Severyn, Gelly (2018), "On Accurate Evaluation of GANs for Language
        Generation", section 3; thesis §5.6.
    """
    check_sentences(samples, "samples")
    if not isinstance(lm, LanguageModel):
        raise ValueError(
            f"lm must be a tfrnnx.models.LanguageModel. Received: lm of type {type(lm).__name__}"
        )
    check_integer("batch_size", batch_size)
    return _perplexity(lm, list(samples), batch_size, max_length)


def train_language_model(
    sentences, vocabulary=None, embedding_dim=64, units=128, dropout=0.0, recurrent_dropout=0.0,
    epochs=5, batch_size=32, learning_rate=1e-2, max_length=None, seed=0, verbose=0,
):
    """A `LanguageModel` trained with Adam on `sentences` (shuffled with `seed`).

    Args:
        sentences: non-empty list of strings.
        vocabulary: a `WordVocabulary`, or None to build one from `sentences`.
        embedding_dim, units, dropout, recurrent_dropout, seed: as `LanguageModel`.
        epochs, batch_size, learning_rate: the training budget.
        max_length: truncate sentences to this many words, or None.
        verbose: Keras `fit` verbosity.

    Returns:
        The trained `tfrnnx.models.LanguageModel`.
    """
    check_sentences(sentences)
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        check_integer(name, value)
    if vocabulary is None:
        vocabulary = WordVocabulary.build(sentences)
    lm = LanguageModel(
        vocabulary, embedding_dim=embedding_dim, units=units, dropout=dropout,
        recurrent_dropout=recurrent_dropout, seed=seed,
    )
    ids = vocabulary.pad(vocabulary.encode(sentences, add_bos_eos=True, max_length=max_length))
    dataset = (
        tf.data.Dataset.from_tensor_slices(ids)
        .shuffle(len(ids), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
    )
    lm.compile(optimizer=keras.optimizers.Adam(learning_rate, clipnorm=5.0))
    lm.fit(dataset, epochs=epochs, shuffle=False, verbose=verbose)
    return lm


def reverse_lm_score(
    samples, heldout, vocabulary=None, embedding_dim=64, units=128, epochs=5, batch_size=32,
    learning_rate=1e-2, dropout=0.0, recurrent_dropout=0.0, max_length=None, seed=0,
):
    """Perplexity on held-out real text of a fresh LM trained on generated `samples`.

    A fresh `LanguageModel` is trained on the samples with a fixed budget
    (`embedding_dim`, `units`, `epochs`, `batch_size`, `learning_rate`, `seed`), then
    scored with `lm_score` on `heldout`. Samples that cover the real distribution
    (quality and diversity) give a low score; a generator that collapses to a few
    sentences gives a high one. Compare scores only under the same budget and seed.

    Args:
        samples: non-empty list of strings (generated sentences, the LM's training data).
        heldout: non-empty list of strings (real held-out sentences).
        vocabulary: a `WordVocabulary` shared by all compared generators, or None to build
            it from `samples` and `heldout` together, so that real words missing from the
            samples are penalised rather than merged into a cheap `<unk>`.
        embedding_dim, units, dropout, recurrent_dropout: the LM's size and regularisation.
        epochs, batch_size, learning_rate: the training budget.
        max_length: truncate sentences to this many words, or None.
        seed: integer seed of initialisation, dropout and shuffling.

    Returns:
        Python float, the perplexity on `heldout` (>= 1).

    References:
        Zhao et al. (2018), "Adversarially Regularized Autoencoders"; Semeniuta, Severyn,
        Gelly (2018), "On Accurate Evaluation of GANs for Language Generation"; thesis
        §5.6.
    """
    check_sentences(samples, "samples")
    check_sentences(heldout, "heldout")
    if vocabulary is None:
        vocabulary = WordVocabulary.build(list(samples) + list(heldout))
    lm = train_language_model(
        list(samples),
        vocabulary=vocabulary, embedding_dim=embedding_dim, units=units, dropout=dropout,
        recurrent_dropout=recurrent_dropout, epochs=epochs, batch_size=batch_size,
        learning_rate=learning_rate, max_length=max_length, seed=seed,
    )
    return lm_score(list(heldout), lm, batch_size=max(batch_size, 64), max_length=max_length)
