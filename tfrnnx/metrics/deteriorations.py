"""Controlled deteriorations of real text for testing evaluation metrics (thesis §5.6.3).

Each function turns a list of real sentences into "generated" ones with one known failure:
`genre_collapse` (mode collapse: samples from fewer and fewer genres), `word_dropout`
(missing words) and `word_swap` (broken word order). Sentences are strings of
space-separated tokens; the functions split on whitespace and join with single spaces.
Randomness comes from `numpy.random.default_rng(seed)`: the same arguments give the same
output.
"""

import numpy as np

from tfrnnx._validation import check_integer
from tfrnnx._validation import check_rate
from tfrnnx._validation import check_sentences


def word_dropout(sentences, p, seed=0):
    """Drops every word independently with probability `p`.

    A sentence never becomes empty: when all its words are dropped, one of them, chosen
    uniformly at random, is kept (so `p=1` keeps exactly one word per non-empty sentence).

    Args:
        sentences: non-empty list of strings.
        p: drop probability in [0, 1].
        seed: integer seed of the drop decisions.

    Returns:
        A list of strings, one per input sentence; `p=0` returns the sentences with
        whitespace normalised to single spaces.

    Example:

    >>> import tfrnnx.metrics.deteriorations as d
    >>> d.word_dropout(["a b c d"], 0.0)
    ['a b c d']
    >>> len(d.word_dropout(["a b c d"], 1.0)[0].split())
    1
    """

    def drop(words, rng):
        keep = rng.random(len(words)) >= p
        if words and not keep.any():
            keep[rng.integers(len(words))] = True
        return [w for w, k in zip(words, keep) if k]

    return _edit_words(sentences, p, seed, drop)


def word_swap(sentences, p, seed=0):
    """Swaps words at random positions: `round(p * n)` transpositions per `n`-word sentence.

    Each transposition exchanges the words at two distinct positions drawn uniformly at
    random (they need not be adjacent); the transpositions are applied one after the
    other. Each one moves two words, so `p=0.5` makes about `n` word moves; the multiset
    of words never changes. Sentences with fewer than two words are unchanged.

    Args:
        sentences: non-empty list of strings.
        p: swaps per word, in [0, 1].
        seed: integer seed of the positions.

    Returns:
        A list of strings, one per input sentence.

    Example:

    >>> import tfrnnx.metrics.deteriorations as d
    >>> d.word_swap(["a b"], 0.5)  # round(0.5 * 2) = 1 swap of the only pair
    ['b a']
    """

    def swap(words, rng):
        if len(words) >= 2:
            for _ in range(int(round(p * len(words)))):
                i, j = rng.choice(len(words), size=2, replace=False)
                words[i], words[j] = words[j], words[i]
        return words

    return _edit_words(sentences, p, seed, swap)


def _edit_words(sentences, p, seed, edit):
    """Applies ``edit(words, rng)`` to each sentence's words, one seeded stream for all."""
    check_sentences(sentences)
    check_rate("p", p, include_one=True)
    rng = np.random.default_rng(seed)
    return [" ".join(edit(sentence.split(), rng)) for sentence in sentences]


def genre_collapse(sentences, genres, k, num_samples, genre_order=None, seed=0):
    """Samples sentences from the first `k` genres only (mode collapse onto fewer genres).

    The candidates are the sentences whose genre is among the first `k` of `genre_order`;
    `num_samples` of them are drawn uniformly without replacement, so every kept genre
    appears in proportion to its number of sentences.

    Args:
        sentences: non-empty list of strings.
        genres: list of genre names, one per sentence.
        k: number of genres kept, 1 <= k <= number of genres.
        num_samples: number of sentences returned.
        genre_order: sequence of distinct genre names, or None for the order in which
            the genres first appear in `genres`.
        seed: integer seed of the draw.

    Returns:
        A list of `num_samples` strings (in random order).

    Raises:
        ValueError: for mismatched lengths, `k` out of range, a genre missing from
            `genre_order`, or fewer than `num_samples` candidates.

    Example:

    >>> import tfrnnx.metrics.deteriorations as d
    >>> sorted(d.genre_collapse(["a", "b", "c"], ["x", "y", "x"], k=1, num_samples=2))
    ['a', 'c']
    """
    check_sentences(sentences)
    genres = list(genres)
    if len(genres) != len(sentences):
        raise ValueError(
            "genres must hold one genre per sentence. Received: "
            f"{len(genres)} genres for {len(sentences)} sentences"
        )
    order = list(dict.fromkeys(genres)) if genre_order is None else list(genre_order)
    if len(set(order)) != len(order):
        raise ValueError(f"genre_order must hold distinct genres. Received: genre_order={order}")
    missing = sorted(set(genres) - set(order))
    if missing:
        raise ValueError(f"genre_order lacks genres of the data. Received: missing {missing}")
    check_integer("k", k, 1, len(order))
    check_integer("num_samples", num_samples)
    kept = set(order[:k])
    candidates = [i for i, g in enumerate(genres) if g in kept]
    if len(candidates) < num_samples:
        raise ValueError(
            f"num_samples must not exceed the {len(candidates)} sentences of the first {k} "
            f"genres {order[:k]}. Received: num_samples={num_samples}"
        )
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(candidates), size=num_samples, replace=False)
    return [sentences[candidates[i]] for i in picked]
