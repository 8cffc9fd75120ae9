"""Brown corpus sentences with their genres, read from NLTK's ``brown.zip``.

File: ``<data_dir>/brown/brown.zip`` (the untouched NLTK corpus archive). ``brown/cats.txt``
maps each of the 500 text files (``ca01`` ... ``cr09``) to one of 15 genres; every non-blank
line of a text file is one sentence of space-separated ``word/TAG`` tokens. ``data_dir``
defaults to ``$TFRNNX_DATA_DIR``.
"""

import os
import zipfile

from tfrnnx.data._data_dir import resolve_data_dir

# The 15 Brown genres in the order of `cats.txt` (the order `genre_collapse` removes them in).
GENRES = (
    "news",
    "editorial",
    "reviews",
    "religion",
    "hobbies",
    "lore",
    "belles_lettres",
    "government",
    "learned",
    "fiction",
    "mystery",
    "science_fiction",
    "adventure",
    "romance",
    "humor",
)


def brown_path(data_dir=None):
    """Path of ``brown.zip`` under ``data_dir`` (default ``$TFRNNX_DATA_DIR``); raises if absent."""
    data_dir = resolve_data_dir(data_dir)
    path = os.path.join(data_dir, "brown", "brown.zip")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"Brown corpus not found: {path} (data_dir={data_dir!r})")
    return path


def _strip_tag(token):
    word, slash, _ = token.rpartition("/")
    return word if slash else token


def load_brown(data_dir=None, lowercase=True):
    """Loads the Brown corpus as untagged sentences and their genres.

    Tags are removed from every ``word/TAG`` token (at the last ``/``, so ``1/2/cd`` gives
    ``1/2``); the words of a sentence are joined by single spaces. Files come in the order
    of ``cats.txt``, sentences in file order.

    Args:
        data_dir: directory holding ``brown/brown.zip``; default ``$TFRNNX_DATA_DIR``.
        lowercase: lower-case the words.

    Returns:
        ``(sentences, genres)``: two lists of strings of the same length (57,340 for the
        full corpus); ``genres[i]`` is the genre of the file of ``sentences[i]``.

    Raises:
        ValueError: if ``data_dir`` is unset, or ``cats.txt`` names a missing file.
        FileNotFoundError: if ``brown/brown.zip`` does not exist under ``data_dir``.
    """
    path = brown_path(data_dir)
    sentences, genres = [], []
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        categories = archive.read("brown/cats.txt").decode("utf-8")
        for line in categories.splitlines():
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2:
                raise ValueError(f"{path}: brown/cats.txt line is not 'file genre': {line!r}")
            name, genre = fields
            member = f"brown/{name}"
            if member not in names:
                raise ValueError(f"{path}: brown/cats.txt names {name!r}, absent from the zip")
            text = archive.read(member).decode("utf-8")
            for raw in text.splitlines():
                tokens = raw.split()
                if not tokens:
                    continue
                sentence = " ".join(_strip_tag(t) for t in tokens)
                sentences.append(sentence.lower() if lowercase else sentence)
                genres.append(genre)
    return sentences, genres
