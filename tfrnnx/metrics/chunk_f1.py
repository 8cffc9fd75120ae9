"""Chunk precision, recall and F1 with the rules of the CoNLL shared tasks' conlleval."""


def _split_tag(tag):
    """`"B-PER"` -> `("B", "PER")`; `"O"` -> `("O", "")`, as conlleval splits at the first '-'."""
    prefix, _, kind = tag.partition("-")
    return prefix, kind


def _chunk_ends(previous, current):
    """conlleval's endOfChunk: does a chunk end between ``previous`` and ``current``?"""
    (p, p_type), (c, c_type) = previous, current
    if p in ("E", "S", "[", "]"):
        return True
    if p in ("B", "I") and c in ("B", "O", "S"):
        return True
    return p not in ("O", ".") and p_type != c_type


def _chunk_starts(previous, current):
    """conlleval's startOfChunk: does a chunk start at ``current``?"""
    (p, p_type), (c, c_type) = previous, current
    if c in ("B", "S", "[", "]"):
        return True
    if p in ("E", "S", "O") and c in ("I", "E"):
        return True
    return c not in ("O", ".") and p_type != c_type


def _chunks(tags):
    """Set of `(type, first, last)` chunks of one tag sequence; chunks end with the sentence."""
    chunks, start = set(), None
    previous = ("O", "")
    for position, tag in enumerate(list(tags) + ["O"]):
        current = _split_tag(tag)
        if start is not None and _chunk_ends(previous, current):
            chunks.add((previous[1], start, position - 1))
            start = None
        if position < len(tags) and _chunk_starts(previous, current):
            start = position
        previous = current
    return chunks


def _check_pairs(true_tags, predicted_tags):
    if isinstance(true_tags, str) or isinstance(predicted_tags, str):
        raise ValueError("true_tags and predicted_tags must be lists of tag lists, not strings")
    if len(true_tags) != len(predicted_tags):
        raise ValueError(
            "true_tags and predicted_tags must hold the same number of sentences. Received: "
            f"{len(true_tags)} and {len(predicted_tags)}"
        )
    for index, (truth, guess) in enumerate(zip(true_tags, predicted_tags)):
        if isinstance(truth, str) or isinstance(guess, str):
            raise ValueError(f"sentence {index}: tags must be a list of strings, not one string")
        if len(truth) != len(guess):
            raise ValueError(
                f"sentence {index} has {len(truth)} true tags and {len(guess)} predicted tags; "
                "they must have the same length"
            )


def chunk_f1(true_tags, predicted_tags):
    """Chunk-level precision, recall and F1 over a corpus, as conlleval computes them.

    A predicted chunk counts when its type, first and last token equal a true chunk's.
    Chunk boundaries follow conlleval's start/end rules, so IOB1 (`I-X I-X` is one chunk,
    `B-X` only splits touching chunks), IOB2 (`B-X I-X`) and IOBES tags are all read
    correctly; a chunk never crosses a sentence boundary.

    Args:
        true_tags: list of sentences, each a list of tags such as `"B-PER"`, `"I-LOC"`, `"O"`.
        predicted_tags: the predicted tags, same shape.

    Returns:
        `{"precision": p, "recall": r, "f1": f}` as Python floats in [0, 1] (conlleval prints
        them times 100); 0.0 where a denominator is zero.

    Raises:
        ValueError: when the two differ in their number of sentences or a sentence's length
            (naming the sentence).

    Example:

    >>> import tfrnnx
    >>> truth = [["I-PER", "I-PER", "O", "I-LOC"]]
    >>> guess = [["I-PER", "I-PER", "O", "I-ORG"]]
    >>> tfrnnx.metrics.chunk_f1(truth, guess)
    {'precision': 0.5, 'recall': 0.5, 'f1': 0.5}

    References:
        Tjong Kim Sang and De Meulder (2003), "Introduction to the CoNLL-2003 Shared Task:
        Language-Independent Named Entity Recognition" (the conlleval script).
    """
    _check_pairs(true_tags, predicted_tags)
    correct = found_true = found_predicted = 0
    for truth, guess in zip(true_tags, predicted_tags):
        true_chunks, predicted_chunks = _chunks(truth), _chunks(guess)
        correct += len(true_chunks & predicted_chunks)
        found_true += len(true_chunks)
        found_predicted += len(predicted_chunks)
    precision = correct / found_predicted if found_predicted else 0.0
    recall = correct / found_true if found_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
