"""N-gram diversity and memorisation of generated text."""


import numpy as np

from tfrnnx._validation import check_integer
from tfrnnx.metrics.bleu import _as_sentences
from tfrnnx.metrics.bleu import _encode
from tfrnnx.metrics.bleu import _ngram_ids

_JOIN_CHUNK = 2_000_000  # (sample n-gram, training sentence) pairs joined at once


def unique_ngrams(samples, n=4):
    """Share of distinct n-grams among all n-grams of the samples (distinct-n).

    All n-gram occurrences of all samples are pooled (n-grams do not cross sentence
    boundaries); the result is the number of distinct ones divided by the number of
    occurrences. 1.0 means no n-gram is ever repeated; low values mean repetitive text.

    Args:
        samples: non-empty list of sentences, each a string (split on whitespace) or a
            list of tokens.
        n: n-gram order, at least 1. Default value: 4.

    Returns:
        A Python float in [0, 1]; 0.0 when no sample has `n` tokens.

    Raises:
        ValueError: for empty `samples`, a malformed sentence, or `n` below 1.

    Example:

    >>> import tfrnnx
    >>> tfrnnx.metrics.unique_ngrams(["a b a b", "a b c"], n=2)
    0.6

    References:
        Li et al. (2016), "A Diversity-Promoting Objective Function for Neural
        Conversation Models", NAACL.
    """
    grams = _pooled_ngrams(samples, n)
    if len(grams) == 0:
        return 0.0
    return float(len(np.unique(grams)) / len(grams))


def unique_ngram_count(samples, n=4):
    """Number of distinct n-grams among all n-grams of the samples.

    The count the thesis reports as "unique 4-grams" (Table 5.4): all n-gram occurrences
    of all samples are pooled (n-grams do not cross sentence boundaries) and each distinct
    n-gram counts once. Unlike `unique_ngrams` it grows with the number of samples, so
    compare counts only between sample sets of the same size.

    Args:
        samples: non-empty list of sentences, each a string (split on whitespace) or a
            list of tokens.
        n: n-gram order, at least 1. Default value: 4.

    Returns:
        A Python int; 0 when no sample has `n` tokens.

    Raises:
        ValueError: for empty `samples`, a malformed sentence, or `n` below 1.

    Example:

    >>> import tfrnnx
    >>> tfrnnx.metrics.unique_ngram_count(["a b a b", "a b c"], n=2)
    3
    """
    return int(len(np.unique(_pooled_ngrams(samples, n))))


def _pooled_ngrams(samples, n):
    """The n-gram ids of every occurrence in the checked `samples` (one id per distinct n-gram)."""
    sentences = _as_sentences(samples, "samples")
    check_integer("n", n)
    ids, lengths = _encode(sentences)
    *_, (_, grams, _) = _ngram_ids(ids, lengths, n)
    return grams


def memorization(samples, train, n=4):
    """How much of the samples is copied from the training set.

    Two numbers:

    * `copied`: the share of samples equal, token for token, to some training sentence.
    * `ngram_overlap`: nearest-neighbour n-gram overlap. For a sample with the set `A` of
      distinct n-grams and each training sentence with its set `B`, the overlap is
      `|A & B| / |A|`; the sample's value is the largest overlap over all training
      sentences (its nearest neighbour in n-gram terms), and `ngram_overlap` is the mean
      over the samples that have at least one n-gram (shorter samples are left out;
      0.0 when no sample has `n` tokens). 1.0 means every n-gram of every sample occurs
      together in one training sentence.

    Args:
        samples: non-empty list of generated sentences, strings or lists of tokens.
        train: non-empty list of training sentences, in the same form.
        n: n-gram order of `ngram_overlap`, at least 1. Default value: 4.

    Returns:
        `(copied, ngram_overlap)`, two Python floats in [0, 1].

    Raises:
        ValueError: for empty or malformed inputs, or `n` below 1.

    Example:

    >>> import tfrnnx
    >>> train = ["a man rides a horse", "a dog runs on the beach"]
    >>> tfrnnx.metrics.memorization(["a man rides a horse", "a dog runs on grass"],
    ...                             train, n=2)
    (0.5, 0.875)
    """
    sample_sentences = _as_sentences(samples, "samples")
    train_sentences = _as_sentences(train, "train")
    check_integer("n", n)
    seen = {tuple(s) for s in train_sentences}
    copied = sum(tuple(s) in seen for s in sample_sentences) / len(sample_sentences)

    num_samples = len(sample_sentences)
    ids, lengths = _encode(sample_sentences + train_sentences)
    *_, (_, grams, owners) = _ngram_ids(ids, lengths, n)
    pairs = np.unique(owners * (grams.max(initial=0) + 1) + grams)  # distinct per sentence
    owner, gram = np.divmod(pairs, grams.max(initial=0) + 1)
    is_sample = owner < num_samples
    sample_owner, sample_gram = owner[is_sample], gram[is_sample]
    train_owner, train_gram = owner[~is_sample] - num_samples, gram[~is_sample]
    if len(sample_gram) == 0:
        return float(copied), 0.0
    # Inverted index: the training sentences holding each n-gram, contiguous after sorting.
    order = np.argsort(train_gram, kind="stable")
    postings = train_owner[order]
    size = grams.max(initial=0) + 1
    starts = np.searchsorted(train_gram[order], np.arange(size))
    ends = np.searchsorted(train_gram[order], np.arange(size), side="right")
    post_len = (ends - starts)[sample_gram]
    best = np.zeros(num_samples, np.int64)
    # Chunks of whole samples (pairs are sorted by sample) with about _JOIN_CHUNK postings.
    per_sample = np.cumsum(np.bincount(sample_owner, post_len, num_samples))
    sample_bounds = np.searchsorted(per_sample, np.arange(_JOIN_CHUNK, per_sample[-1], _JOIN_CHUNK))
    bounds = np.searchsorted(sample_owner, sample_bounds)
    for chunk in np.split(np.arange(len(sample_gram)), bounds):
        lens = post_len[chunk]
        total = lens.sum()
        if total == 0:
            continue
        first = np.repeat(starts[sample_gram[chunk]] - (np.cumsum(lens) - lens), lens)
        neighbours = postings[first + np.arange(total)]
        holders = np.repeat(sample_owner[chunk], lens)
        keys, shared = np.unique(holders * len(train_sentences) + neighbours, return_counts=True)
        np.maximum.at(best, keys // len(train_sentences), shared)
    distinct = np.bincount(sample_owner, minlength=num_samples)
    has_ngrams = distinct > 0
    overlap = np.mean(best[has_ngrams] / distinct[has_ngrams])
    return float(copied), float(overlap)

