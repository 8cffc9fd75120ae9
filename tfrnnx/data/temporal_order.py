"""The temporal-order task (Hochreiter and Schmidhuber 1997, exp. 6a; thesis §3.4.1)."""

import numpy as np

from tfrnnx._validation import check_integer

# Distractors a-d, relevant symbols X and Y, start marker B and end marker E.
SYMBOLS = ("a", "b", "c", "d", "X", "Y", "B", "E")
CLASSES = ("XX", "XY", "YX", "YY")
_DISTRACTORS = 4
_X, _Y, _START, _END = 4, 5, 6, 7


def temporal_order(num_sequences, length, seed=None, one_hot=True):
    """Sequences whose class is the order of two relevant symbols hidden among distractors.

    Each sequence starts with B and ends with E; every other position holds a random
    distractor a-d, except two positions: ``t1`` in the first 10-20% of the sequence and
    ``t2`` in 50-60%, which hold X or Y. The class is the pair read in order: XX, XY, YX
    or YY. Solving it needs memory over about half the sequence.

    Args:
        num_sequences: number of sequences (positive integer).
        length: sequence length, at least 10.
        seed: seed of ``numpy.random.default_rng``.
        one_hot: return float32 one-hot inputs ``(n, length, 8)`` (else int32 symbol ids
            ``(n, length)``).

    Returns:
        ``(inputs, labels)``; labels are int32 class ids in ``[0, 4)`` (see ``CLASSES``).
    """
    check_integer("num_sequences", num_sequences)
    check_integer("length", length, minimum=10)
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, _DISTRACTORS, size=(num_sequences, length))
    ids[:, 0] = _START
    ids[:, -1] = _END
    rows = np.arange(num_sequences)
    first = rng.integers(max(1, length // 10), max(2, length // 5) + 1, size=num_sequences)
    second = rng.integers(length // 2, max(length // 2 + 1, (6 * length) // 10) + 1, size=num_sequences)
    first_is_y = rng.integers(0, 2, size=num_sequences)
    second_is_y = rng.integers(0, 2, size=num_sequences)
    ids[rows, first] = _X + first_is_y
    ids[rows, second] = _X + second_is_y
    labels = (2 * first_is_y + second_is_y).astype("int32")
    if not one_hot:
        return ids.astype("int32"), labels
    return np.eye(len(SYMBOLS), dtype="float32")[ids], labels
