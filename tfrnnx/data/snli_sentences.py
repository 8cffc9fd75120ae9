"""SNLI 1.0 dev/test premises and hypotheses as a set of sentences (text-GAN data, thesis §5.6).

Files: ``<data_dir>/snli_devtest/s1.{dev,test}.gz`` (premises) and ``s2.{dev,test}.gz``
(hypotheses), one tokenized sentence per line (InferSent/SentEval layout, pairs labelled
``-`` removed). ``data_dir`` defaults to ``$TFRNNX_DATA_DIR``.
"""

import gzip
import os

from tfrnnx.data._data_dir import resolve_data_dir

SPLITS = ("dev", "test", "devtest")


def _snli_path(data_dir, name):
    data_dir = resolve_data_dir(data_dir)
    path = os.path.join(data_dir, "snli_devtest", name)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"SNLI file not found: {path} (data_dir={data_dir!r})")
    return path


def load_snli_sentences(data_dir=None, split="dev"):
    """Loads the distinct SNLI premises and hypotheses of a split.

    Lines are stripped of surrounding whitespace; blank lines are skipped; every sentence
    is kept once, at its first occurrence, reading ``s1.dev``, ``s2.dev``, ``s1.test``,
    ``s2.test`` in that order (premises repeat, about three hypotheses each). Case and
    the tokenization (spaces around punctuation) are kept.

    Args:
        data_dir: directory holding ``snli_devtest/``; default ``$TFRNNX_DATA_DIR``.
        split: ``"dev"``, ``"test"`` or ``"devtest"`` (both, deduplicated together).

    Returns:
        A list of distinct strings.

    Raises:
        ValueError: if ``split`` is unknown or ``data_dir`` is unset.
        FileNotFoundError: if a needed file does not exist under ``data_dir``.
    """
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}. Received: split={split!r}")
    parts = ("dev", "test") if split == "devtest" else (split,)
    paths = [_snli_path(data_dir, f"{side}.{part}.gz") for part in parts for side in ("s1", "s2")]
    sentences = {}
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            for line in file:
                sentence = line.strip()
                if sentence:
                    sentences.setdefault(sentence, None)
    return list(sentences)
