"""SemEval Twitter sentiment with labels (thesis §3.4.5, Table 3.5).

The SemEval-2015 Task 10-B setup: train on the 2013 training tweets (and 2013 dev), test
on the 2013, 2014 and 2015 test sets and on the 2014 sarcasm set. LiveJournal14 and SMS13
are not staged here, nor the 1M weakly labelled tweets the thesis pretrains on.
"""

import gzip
import os

from tfrnnx.data._data_dir import resolve_data_dir
from tfrnnx.data.semeval_tweets import clean_tweet

SEMEVAL_SENTIMENT_FILES = {
    "train": "twitter-2013train-A.tsv.gz",
    "dev": "twitter-2013dev-A.tsv.gz",
    "twitter13": "twitter-2013test-A.tsv.gz",
    "twitter14": "twitter-2014test-A.tsv.gz",
    "twitter15": "twitter-2015test-A.tsv.gz",
    "sarcasm14": "twitter-2014sarcasm-A.tsv.gz",
}
SENTIMENT_LABELS = ("negative", "neutral", "positive")


def load_semeval_sentiment(data_dir=None, split="train"):
    """Cleaned tweets and their labels of one split (see `SEMEVAL_SENTIMENT_FILES`).

    Texts go through `tfrnnx.data.clean_tweet` (escapes decoded, `@user`, `<url>`).

    Args:
        data_dir: directory holding `semeval_twitter/`; default `$TFRNNX_DATA_DIR`.
        split: `"train"`, `"dev"`, `"twitter13"`, `"twitter14"`, `"twitter15"` or
            `"sarcasm14"`.

    Returns:
        `(texts, labels)`: lists of strings; labels are in `SENTIMENT_LABELS`.

    Raises:
        ValueError: for an unknown split, a malformed line or label, or no data dir.
        FileNotFoundError: when the split's file is missing.
    """
    if split not in SEMEVAL_SENTIMENT_FILES:
        raise ValueError(
            f"split must be one of {tuple(SEMEVAL_SENTIMENT_FILES)}. Received: split={split!r}"
        )
    path = os.path.join(resolve_data_dir(data_dir), "semeval_twitter", SEMEVAL_SENTIMENT_FILES[split])
    if not os.path.isfile(path):
        raise FileNotFoundError(f"SemEval split {split!r} not found: {path} does not exist")
    texts, labels = [], []
    with gzip.open(path, "rt", encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3 or fields[1] not in SENTIMENT_LABELS:
                raise ValueError(f"{path}:{number}: expected 'id<TAB>label<TAB>text' with a label "
                                 f"in {SENTIMENT_LABELS}, got {line[:80]!r}")
            texts.append(clean_tweet(fields[2]))
            labels.append(fields[1])
    return texts, labels
