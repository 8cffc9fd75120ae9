"""Texygen's COCO image captions (text-GAN benchmark data, thesis §5.6).

Files: ``<data_dir>/texygen/image_coco.txt.gz`` (10,000 training captions of Texygen,
LeakGAN and RelGAN) and ``test_coco.txt.gz`` (10,000 test captions), one lower-case
caption per line. ``data_dir`` defaults to ``$TFRNNX_DATA_DIR``.
"""

import gzip
import os

from tfrnnx.data._data_dir import resolve_data_dir

FILES = {"train": "image_coco.txt.gz", "test": "test_coco.txt.gz"}


def _coco_path(data_dir, split):
    data_dir = resolve_data_dir(data_dir)
    path = os.path.join(data_dir, "texygen", FILES[split])
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Texygen COCO file not found: {path} (data_dir={data_dir!r})")
    return path


def load_coco_captions(data_dir=None, split="train"):
    """Loads the Texygen COCO captions, in file order, duplicates kept.

    Lines are stripped of surrounding whitespace and blank lines skipped; the text is
    otherwise unchanged (Texygen's captions are lower-case, with the final period
    attached to the last word, e.g. ``"... front wheel."``).

    Args:
        data_dir: directory holding ``texygen/``; default ``$TFRNNX_DATA_DIR``.
        split: ``"train"`` (``image_coco.txt.gz``) or ``"test"`` (``test_coco.txt.gz``).

    Returns:
        A list of strings (10,000 for either split of the staged data).

    Raises:
        ValueError: if ``split`` is unknown or ``data_dir`` is unset.
        FileNotFoundError: if the file does not exist under ``data_dir``.
    """
    if split not in FILES:
        raise ValueError(f"split must be one of {tuple(FILES)}. Received: split={split!r}")
    with gzip.open(_coco_path(data_dir, split), "rt", encoding="utf-8") as file:
        return [line.strip() for line in file if line.strip()]
