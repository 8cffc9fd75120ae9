"""Penn Treebank language-modelling data (Mikolov's `simple-examples`), word or character level.

Files: ``<data_dir>/ptb/ptb.{train,valid,test}.txt.gz`` (words) and
``ptb.char.{train,valid,test}.txt.gz`` (characters, each followed by a space, words
separated by ``_``). ``data_dir`` defaults to ``$TFRNNX_DATA_DIR``.
"""

import gzip
import os

import numpy as np

from tfrnnx._validation import check_integer
from tfrnnx.data._data_dir import resolve_data_dir

SPLITS = ("train", "valid", "test")
END_OF_SENTENCE = "<eos>"


def _ptb_path(data_dir, level, split):
    data_dir = resolve_data_dir(data_dir)
    name = {"word": f"ptb.{split}.txt.gz", "char": f"ptb.char.{split}.txt.gz"}[level]
    path = os.path.join(data_dir, "ptb", name)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"PTB file not found: {path} (data_dir={data_dir!r})")
    return path


def _tokens(path):
    tokens = []
    with gzip.open(path, "rt", encoding="utf-8") as file:
        for line in file:
            words = line.split()
            if words:  # the char files end with a line holding one space
                tokens.extend(words)
                tokens.append(END_OF_SENTENCE)
    return tokens


def load_ptb(data_dir=None, level="word"):
    """Loads PTB as id arrays.

    Args:
        data_dir: directory holding ``ptb/``; default ``$TFRNNX_DATA_DIR``.
        level: ``"word"`` (10k vocabulary + ``<eos>``) or ``"char"`` (characters and
            ``_`` for spaces, + ``<eos>`` at each line end).

    Returns:
        ``(splits, vocabulary)``: ``splits[name]`` is an int32 array of token ids for
        ``train``, ``valid`` and ``test``; ``vocabulary`` is the list of tokens by id
        (sorted, built from the training split).
    """
    if level not in ("word", "char"):
        raise ValueError(f"level must be 'word' or 'char'. Received: level={level!r}")
    tokens = {split: _tokens(_ptb_path(data_dir, level, split)) for split in SPLITS}
    vocabulary = sorted(set(tokens["train"]))
    index = {token: i for i, token in enumerate(vocabulary)}
    splits = {}
    for split in SPLITS:
        unknown = [t for t in set(tokens[split]) if t not in index]
        if unknown:
            raise ValueError(f"PTB {split} split has tokens absent from train: {unknown[:5]}")
        splits[split] = np.fromiter((index[t] for t in tokens[split]), "int32", len(tokens[split]))
    return splits, vocabulary


def batchify(ids, batch_size):
    """Cuts ``ids`` into ``batch_size`` contiguous rows, ``(batch_size, len // batch_size)``."""
    check_integer("batch_size", batch_size)
    length = len(ids) // batch_size
    if length < 2:
        raise ValueError(f"too few ids ({len(ids)}) for batch_size={batch_size}")
    return np.asarray(ids[: length * batch_size]).reshape(batch_size, length)


def bptt_windows(rows, steps):
    """Yields ``(inputs, targets)`` windows of at most ``steps`` columns over batchified rows."""
    for start in range(0, rows.shape[1] - 1, steps):
        end = min(start + steps, rows.shape[1] - 1)
        yield rows[:, start:end], rows[:, start + 1:end + 1]
