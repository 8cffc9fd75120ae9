"""Dataset-level BLEU and self-BLEU of generated text, as the text-GAN literature defines them.

Both equal a loop of nltk's ``sentence_bleu`` over the hypotheses (every hypothesis scored
against the whole reference set), but the reference side is summarised once: the maximum
count of every n-gram over the reference set and the sorted distinct reference lengths.
For self-BLEU, where each sample is scored against all the others, the summary keeps the
largest and second-largest count of every n-gram with the owner of the largest, and the
multiplicity of every length, so that the sample itself can be left out exactly.

Counting is vectorised with numpy over integer n-gram ids; the last step (log, sum, exp of
a handful of numbers per hypothesis) repeats nltk's own float and ``Fraction`` operations
in the same order, so the values are the same floats, not just close ones.
"""

import math
import sys
from fractions import Fraction

import numpy as np

from tfrnnx._validation import check_choice
from tfrnnx._validation import check_integer

# Smoothing name -> nltk ``SmoothingFunction`` method it reproduces. method6 is not offered:
# nltk asserts a non-zero trigram precision for it, which generated text often lacks.
_SMOOTHINGS = {
    "none": "method0",
    "method0": "method0",
    "method1": "method1",
    "method2": "method2",
    "method3": "method3",
    "method4": "method4",
    "method5": "method5",
    "method7": "method7",
}
_EPSILON = 0.1  # nltk SmoothingFunction(epsilon=0.1), method1
_K = 5  # nltk SmoothingFunction(k=5), method4


def bleu(references, hypotheses, max_order=4, smoothing="method1"):
    """Dataset-level BLEU: the mean sentence BLEU of the hypotheses against all references.

    Every hypothesis is scored with the whole reference set as its references, and the
    scores are averaged, as in Texygen, SeqGAN, LeakGAN and RelGAN. The value equals

        mean(nltk.translate.bleu_score.sentence_bleu(
            references, h, weights=(1 / max_order,) * max_order,
            smoothing_function=SmoothingFunction().<smoothing>) for h in hypotheses)

    including nltk's details: the closest reference length (the shortest of equally close
    ones) in the brevity penalty, clipping by the maximum count in any one reference, a
    score of 0 for hypotheses without a matching unigram (empty ones included), and a
    denominator of 1 for n-gram orders longer than the hypothesis. The reference set is
    summarised once, so the cost grows with the number of hypotheses plus references, not
    their product.

    Args:
        references: non-empty list of reference sentences, each a list of tokens or a
            string (split on whitespace).
        hypotheses: non-empty list of generated sentences, in the same form.
        max_order: largest n-gram order; uniform weights `1 / max_order`.
            Default value: 4.
        smoothing: nltk smoothing: `"none"` (= `"method0"`), `"method1"` (epsilon 0.1),
            `"method2"`, `"method3"`, `"method4"` (k=5), `"method5"` or `"method7"`.
            Default value: `"method1"`.

    Returns:
        The mean BLEU as a Python float in [0, 1].

    Raises:
        ValueError: for empty inputs, a sentence that is neither a string nor a list of
            tokens, a `max_order` below 1, or an unknown `smoothing`.

    Example:

    >>> import tfrnnx
    >>> refs = ["a man rides a horse", "a dog runs on the beach"]
    >>> round(tfrnnx.metrics.bleu(refs, ["a man rides a dog"]), 4)
    0.7598
    >>> round(tfrnnx.metrics.bleu(refs, ["a man walks a dog"], max_order=2), 4)
    0.6325

    References:
        Papineni et al. (2002), "BLEU: a method for automatic evaluation of machine
        translation", ACL; Zhu et al. (2018), "Texygen: A Benchmarking Platform for Text
        Generation Models", SIGIR; Chen and Cherry (2014), "A Systematic Comparison of
        Smoothing Techniques for Sentence-Level BLEU", WMT.
    """
    scores = _bleu_scores(references, hypotheses, max_order, smoothing)
    return math.fsum(scores) / len(scores)


def self_bleu(samples, max_order=4, smoothing="method1"):
    """Self-BLEU: the mean BLEU of each sample against all the other samples.

    A measure of diversity (lower is more diverse): sample `i` is scored with
    `samples[:i] + samples[i+1:]` as references. Equal to the same loop of nltk's
    `sentence_bleu` (see `tfrnnx.metrics.bleu`), computed without the loop: per n-gram the
    largest and second-largest count over the samples and the owner of the largest, and
    per length its multiplicity, leave each sample out exactly.

    Args:
        samples: list of at least two sentences, each a list of tokens or a string.
        max_order: largest n-gram order; uniform weights. Default value: 4.
        smoothing: as in `tfrnnx.metrics.bleu`. Default value: `"method1"`.

    Returns:
        The mean self-BLEU as a Python float in [0, 1].

    Raises:
        ValueError: for fewer than two samples, or arguments `bleu` would reject.

    Example:

    >>> import tfrnnx
    >>> samples = ["a man rides a horse", "a man rides a bike", "two dogs play"]
    >>> round(tfrnnx.metrics.self_bleu(samples, max_order=2), 4)
    0.5164

    References:
        Zhu et al. (2018), "Texygen: A Benchmarking Platform for Text Generation Models",
        SIGIR.
    """
    scores = _self_bleu_scores(samples, max_order, smoothing)
    return math.fsum(scores) / len(scores)


def _bleu_scores(references, hypotheses, max_order=4, smoothing="method1"):
    """Per-hypothesis sentence BLEU scores (a list of floats) against all references."""
    refs = _as_sentences(references, "references")
    hyps = _as_sentences(hypotheses, "hypotheses")
    method = _check_options(max_order, smoothing)
    orders = _orders_needed(max_order, method)
    ids, lengths = _encode(hyps + refs)
    num_hyps = len(hyps)
    numerators = np.zeros((num_hyps, orders), np.int64)
    for n, grams, owners in _ngram_ids(ids, lengths, orders):
        sentence, gram, count = _pair_counts(owners, grams)
        is_ref = sentence >= num_hyps
        max_ref = np.zeros(grams.max(initial=0) + 1, np.int64)
        np.maximum.at(max_ref, gram[is_ref], count[is_ref])
        is_hyp = ~is_ref
        clipped = np.minimum(count[is_hyp], max_ref[gram[is_hyp]])
        numerators[:, n - 1] = np.bincount(sentence[is_hyp], clipped, num_hyps).astype(np.int64)
    hyp_lengths = lengths[:num_hyps]
    ref_lengths = _closest_lengths(lengths[num_hyps:], hyp_lengths)
    return _scores(numerators, hyp_lengths, ref_lengths, max_order, method)


def _self_bleu_scores(samples, max_order=4, smoothing="method1"):
    """Per-sample sentence BLEU scores against all other samples."""
    sentences = _as_sentences(samples, "samples")
    if len(sentences) < 2:
        raise ValueError(
            "self_bleu needs at least two samples (each is scored against the others). "
            f"Received: {len(sentences)} sample(s)"
        )
    method = _check_options(max_order, smoothing)
    orders = _orders_needed(max_order, method)
    ids, lengths = _encode(sentences)
    num = len(sentences)
    numerators = np.zeros((num, orders), np.int64)
    for n, grams, owners in _ngram_ids(ids, lengths, orders):
        sentence, gram, count = _pair_counts(owners, grams)
        if len(gram) == 0:
            continue
        # Per n-gram: largest count, its owner, and the largest count of any other sample.
        order = np.lexsort((-count, gram))
        sorted_gram, sorted_count = gram[order], count[order]
        first = np.flatnonzero(np.r_[True, sorted_gram[1:] != sorted_gram[:-1]])
        size = grams.max(initial=0) + 1
        best = np.zeros(size, np.int64)
        owner = np.full(size, -1, np.int64)
        second = np.zeros(size, np.int64)
        best[sorted_gram[first]] = sorted_count[first]
        owner[sorted_gram[first]] = sentence[order][first]
        nxt = first + 1
        has_second = nxt < len(order)
        has_second[has_second] = sorted_gram[nxt[has_second]] == sorted_gram[first[has_second]]
        second[sorted_gram[first[has_second]]] = sorted_count[nxt[has_second]]
        others = np.where(owner[gram] == sentence, second[gram], best[gram])
        clipped = np.minimum(count, others)
        numerators[:, n - 1] = np.bincount(sentence, clipped, num).astype(np.int64)
    ref_lengths = _closest_lengths_leave_one_out(lengths)
    return _scores(numerators, lengths, ref_lengths, max_order, method)


def _as_sentences(sentences, name):
    """Lists of tokens from a list of token lists or strings; ValueError otherwise."""
    if isinstance(sentences, (str, bytes)) or not hasattr(sentences, "__iter__"):
        raise ValueError(
            f"{name} must be a list of sentences (strings or lists of tokens). "
            f"Received: {name}={_short(sentences)}"
        )
    sentences = list(sentences)
    if len(sentences) == 0:
        raise ValueError(f"{name} must not be empty. Received: {name}={_short(sentences)}")
    result = []
    for i, sentence in enumerate(sentences):
        if isinstance(sentence, str):
            result.append(sentence.split())
        elif isinstance(sentence, (list, tuple, np.ndarray)):
            result.append(list(sentence))
        else:
            raise ValueError(
                f"{name}[{i}] must be a string or a list of tokens. "
                f"Received: {name}[{i}]={_short(sentence)}"
            )
    return result


def _short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _check_options(max_order, smoothing):
    """Validates `max_order` and `smoothing`; returns the nltk method name."""
    check_integer("max_order", max_order)
    check_choice("smoothing", smoothing, sorted(_SMOOTHINGS))
    return _SMOOTHINGS[smoothing]


def _orders_needed(max_order, method):
    # nltk's method5 (and method7) always looks at the 5-gram precision as well.
    return max(max_order, 5) if method in ("method5", "method7") else max_order


def _encode(sentences):
    """Token ids of all sentences, concatenated, and the sentence lengths."""
    vocab = {}
    ids = [vocab.setdefault(token, len(vocab)) for sentence in sentences for token in sentence]
    lengths = np.fromiter((len(s) for s in sentences), np.int64, len(sentences))
    return np.asarray(ids, np.int64), lengths


def _ngram_ids(ids, lengths, orders):
    """Yields `(n, gram_ids, sentence_ids)` of every n-gram inside a sentence, n=1..orders.

    Equal n-grams get equal ids: the id of an n-gram is the rank of the pair
    (id of its (n-1)-gram prefix, last token), so ids stay below the number of tokens.
    """
    total = len(ids)
    sentence_of = np.repeat(np.arange(len(lengths)), lengths)
    starts = np.cumsum(lengths) - lengths
    remaining = lengths[sentence_of] - (np.arange(total) - starts[sentence_of])
    keys = ids
    for n in range(1, orders + 1):
        if n > 1:
            pairs = keys[: total - n + 1] * (ids.max(initial=0) + 1) + ids[n - 1 :]
            _, keys = np.unique(pairs, return_inverse=True)
            keys = keys.reshape(-1).astype(np.int64)
        valid = np.flatnonzero(remaining[: len(keys)] >= n)
        yield n, keys[valid], sentence_of[valid]


def _pair_counts(sentence, gram):
    """Distinct (sentence, gram) pairs and how often each occurs."""
    size = gram.max(initial=0) + 1
    pairs, count = np.unique(sentence * size + gram, return_counts=True)
    return pairs // size, pairs % size, count.astype(np.int64)


def _closest_lengths(ref_lengths, hyp_lengths):
    """nltk's closest_ref_length for every hypothesis: nearest, the shorter one on a tie."""
    distinct = np.unique(ref_lengths)
    return _nearest(distinct, np.searchsorted(distinct, hyp_lengths), hyp_lengths)


def _closest_lengths_leave_one_out(lengths):
    """closest_ref_length of each sentence against all the others."""
    distinct, index, multiplicity = np.unique(lengths, return_inverse=True, return_counts=True)
    index = index.reshape(-1)
    # Without the sentence itself: its own length stays if another sentence has it,
    # otherwise the nearest are the neighbouring distinct lengths.
    upper = np.where(multiplicity[index] > 1, index, index + 1)
    nearest = _nearest(distinct, upper, lengths, lower=index - 1)
    return np.where(multiplicity[index] > 1, lengths, nearest)


def _nearest(distinct, upper, lengths, lower=None):
    """Among distinct[lower] (< length) and distinct[upper] (>= length), the closer."""
    lower = upper - 1 if lower is None else lower
    big = np.iinfo(np.int64).max // 4
    padded = np.r_[distinct, big]
    above = padded[np.minimum(upper, len(distinct))]
    below = np.where(lower >= 0, distinct[np.maximum(lower, 0)], -big)
    return np.where(lengths - below <= above - lengths, below, above)


def _scores(numerators, hyp_lengths, ref_lengths, max_order, method):
    """nltk's corpus_bleu arithmetic for one hypothesis at a time, in nltk's order."""
    weight = 1 / max_order
    orders = numerators.shape[1]
    scores = []
    for nums, hyp_len, ref_len in zip(
        numerators.tolist(), hyp_lengths.tolist(), ref_lengths.tolist()
    ):
        if nums[0] == 0:  # no matching unigram (or an empty hypothesis)
            scores.append(0.0)
            continue
        dens = [max(1, hyp_len - n) for n in range(orders)]
        bp = 1 if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
        p_n = _smoothed(nums, dens, hyp_len, max_order, method)
        s = math.fsum(weight * math.log(p) for p in p_n if p > 0)
        scores.append(float(bp * math.exp(s)))
    return scores


def _smoothed(nums, dens, hyp_len, max_order, method):
    """The precisions nltk's SmoothingFunction().<method> hands to the log."""
    if method == "method0":
        return [n / d if n else sys.float_info.min for n, d in zip(nums[:max_order], dens)]
    if method == "method1":
        return [(_EPSILON if n == 0 else n) / d for n, d in zip(nums[:max_order], dens)]
    if method == "method2":
        return [nums[0] / dens[0]] + [
            (n + 1) / (d + 1) for n, d in zip(nums[1:max_order], dens[1:])
        ]
    if method == "method3":
        p_n, k = [], 1
        for n, d in zip(nums[:max_order], dens):
            if n == 0:
                p_n.append(1 / (2**k * d))
                k += 1
            else:
                p_n.append(n / d)
        return p_n
    p_n = [Fraction(n, d) for n, d in zip(nums[:max_order], dens)]
    if method in ("method4", "method7"):
        k = 1
        for i, p in enumerate(p_n):
            if p == 0 and hyp_len > 1:
                p_n[i] = 1 / (2**k * _K / math.log(hyp_len)) / dens[i]
                k += 1
    if method in ("method5", "method7"):
        plus_one = p_n + [Fraction(nums[4], dens[4])]
        previous = p_n[0] + 1
        for i, p in enumerate(p_n):
            p_n[i] = (previous + p + plus_one[i + 1]) / 3
            previous = p_n[i]
    return p_n
