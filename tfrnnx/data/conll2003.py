"""CoNLL-2003 English named entities (thesis §3.4.4, Table 3.4).

Files: `<data_dir>/conll2003/eng.{train,testa,testb}.gz`, one token a line
(`word POS chunk NER`), sentences separated by blank lines, documents by `-DOCSTART-`
lines. The NER tags are the original IOB1 ones (`I-PER`, and `B-` only where two entities
of one type touch).
"""

import gzip
import os

from tfrnnx.data._data_dir import resolve_data_dir

CONLL2003_SPLITS = ("train", "testa", "testb")


def load_conll2003(data_dir=None, split="train"):
    """Sentences and NER tags of one CoNLL-2003 split, `-DOCSTART-` lines dropped.

    Args:
        data_dir: directory holding `conll2003/`; default `$TFRNNX_DATA_DIR`.
        split: `"train"`, `"testa"` (validation) or `"testb"` (test).

    Returns:
        `(sentences, tags)`: lists of token lists and of IOB1 tag lists, one pair a sentence.

    Raises:
        ValueError: for an unknown split, a malformed line, or no data dir.
        FileNotFoundError: when the split's file is missing.
    """
    if split not in CONLL2003_SPLITS:
        raise ValueError(f"split must be one of {CONLL2003_SPLITS}. Received: split={split!r}")
    path = os.path.join(resolve_data_dir(data_dir), "conll2003", f"eng.{split}.gz")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"CoNLL-2003 split {split!r} not found: {path} does not exist")
    sentences, tags, words, labels = [], [], [], []
    with gzip.open(path, "rt", encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            fields = line.split()
            if not fields or fields[0] == "-DOCSTART-":
                if words:
                    sentences.append(words)
                    tags.append(labels)
                words, labels = [], []
                continue
            if len(fields) != 4:
                raise ValueError(f"{path}:{number}: expected 'word POS chunk NER', got {line!r}")
            words.append(fields[0])
            labels.append(fields[3])
    if words:
        sentences.append(words)
        tags.append(labels)
    return sentences, tags
