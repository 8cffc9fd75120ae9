"""Fixed-length character fragments from random positions of a text (thesis §5.5.1, PTB).

The thesis trains its text VAEs on character fragments of a fixed length cut at random
positions of the Penn Treebank; `char_fragments` does this for any text and
`load_ptb_char_fragments` for PTB's character files (`ptb.char.*`, characters separated by
spaces, `_` between words) or its word files read as characters.
"""

import gzip

import numpy as np

from tfrnnx._validation import check_integer
from tfrnnx.data.ptb import SPLITS
from tfrnnx.data.ptb import _ptb_path
from tfrnnx.tokenizers.character_vocabulary import CharacterVocabulary


def char_vocabulary(text):
    """Sorted list of the distinct characters of `text` (`CharacterVocabulary.build`'s)."""
    return CharacterVocabulary.build(text).characters


def char_fragments(text, length, count, seed=None, vocabulary=None):
    """`count` fragments of `length` characters from uniformly random positions of `text`.

    Args:
        text: the source string.
        length: characters per fragment.
        count: number of fragments.
        seed: integer seed of the positions (same seed -> same fragments).
        vocabulary: list of characters by id; default `char_vocabulary(text)`.

    Returns:
        `(ids, vocabulary)`: int32 `(count, length)` ids and the vocabulary.

    Raises:
        ValueError: `text` shorter than `length`, or characters absent from `vocabulary`.

    Example:

    >>> import tfrnnx
    >>> ids, vocab = tfrnnx.data.char_fragments("abcabcabc", length=4, count=2, seed=0)
    >>> ids.shape, vocab
    ((2, 4), ['a', 'b', 'c'])
    >>> ["".join(vocab[i] for i in row) in "abcabcabc" for row in ids]
    [True, True]
    """
    check_integer("length", length)
    check_integer("count", count)
    if not isinstance(text, str) or len(text) < length:
        size = len(text) if isinstance(text, str) else type(text).__name__
        raise ValueError(
            f"text must be a string of at least length={length} characters. "
            f"Received: text of length {size}"
        )
    vocabulary = char_vocabulary(text) if vocabulary is None else list(vocabulary)
    codes = np.asarray(CharacterVocabulary(vocabulary).encode([text], name="text")[0], "int32")
    starts = np.random.default_rng(seed).integers(0, len(text) - length + 1, size=count)
    return codes[starts[:, None] + np.arange(length)[None, :]], vocabulary


def read_ptb_text(data_dir=None, split="train", source="char"):
    """One PTB split as a string: lines joined by spaces.

    `source="char"` reads `ptb.char.<split>.txt.gz` (`_` becomes a space);
    `source="word"` reads `ptb.<split>.txt.gz` as characters.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}. Received: split={split!r}")
    if source not in ("char", "word"):
        raise ValueError(f"source must be 'char' or 'word'. Received: source={source!r}")
    path = _ptb_path(data_dir, source, split)
    lines = []
    with gzip.open(path, "rt", encoding="utf-8") as file:
        for line in file:
            if source == "char":
                line = "".join(line.split()).replace("_", " ")
            else:
                line = " ".join(line.split())
            if line:
                lines.append(line)
    return " ".join(lines)


def load_ptb_char_fragments(data_dir=None, length=32, counts=None, source="char", seed=0):
    """Character fragments of PTB for each split, with the training vocabulary.

    Args:
        data_dir: directory holding `ptb/`; default `$TFRNNX_DATA_DIR`.
        length: characters per fragment.
        counts: dict split -> number of fragments; default
            `{"train": 100000, "valid": 10000, "test": 10000}`.
        source: `"char"` (`ptb.char.*` files) or `"word"` (word files read as characters).
        seed: integer seed; split i uses `seed + i`.

    Returns:
        `(fragments, vocabulary)`: `fragments[split]` int32 `(count, length)`.
    """
    counts = {"train": 100000, "valid": 10000, "test": 10000} if counts is None else dict(counts)
    bad = sorted(set(counts) - set(SPLITS))
    if bad:
        raise ValueError(f"counts keys must be among {SPLITS}. Received: counts keys {bad}")
    texts = {split: read_ptb_text(data_dir, split, source) for split in counts}
    train_text = texts["train"] if "train" in texts else read_ptb_text(data_dir, "train", source)
    vocabulary = char_vocabulary(train_text)
    fragments = {}
    for offset, split in enumerate(SPLITS):
        if split in counts:
            fragments[split], _ = char_fragments(
                texts[split], length, counts[split], seed + offset, vocabulary
            )
    return fragments, vocabulary
