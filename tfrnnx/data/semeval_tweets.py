"""SemEval Twitter sentiment tweets as text for the text VAEs (thesis §5.5.3, Table 5.2).

Files: `<data_dir>/semeval_twitter/*.tsv.gz` and `*.txt.gz`, one tweet a line:
`tweet id <TAB> label <TAB> text` (the 2016 test file has a fourth, empty column). Texts
are cleaned as in the thesis: user mentions and urls are replaced by fixed tokens; the
literal `\\uXXXX` escapes of the 2013 files and HTML entities (`&amp;`) are decoded.
"""

import glob
import gzip
import html
import os
import re


from tfrnnx._validation import check_integer
from tfrnnx.data._data_dir import resolve_data_dir
from tfrnnx.tokenizers.character_vocabulary import CharacterVocabulary

_USER = re.compile(r"@\w+")
_URL = re.compile(r"(?:https?:?\S*|www\.\S+)")  # also truncated "https:…", "http…"
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def clean_tweet(text, user_token="@user", url_token="<url>"):
    """Decodes escapes and entities, replaces urls and user mentions, squeezes spaces.

    Example:

    >>> import tfrnnx
    >>> tfrnnx.data.clean_tweet("hi @bob\\u002c see https://t.co/x &amp; more")
    'hi @user, see <url> & more'
    """
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    for _ in range(3):  # some tweets are escaped twice ("&amp;amp;")
        text, previous = html.unescape(text), text
        if text == previous:
            break
    text = _URL.sub(url_token, text)
    text = _USER.sub(user_token, text)
    return " ".join(text.split())


def load_semeval_tweets(data_dir=None, user_token="@user", url_token="<url>", pattern="*.gz"):
    """All tweets of `semeval_twitter/`, cleaned, once per tweet id, in file-name order.

    Args:
        data_dir: directory holding `semeval_twitter/`; default `$TFRNNX_DATA_DIR`.
        user_token: replacement of `@name` mentions.
        url_token: replacement of urls.
        pattern: glob of the files to read inside `semeval_twitter/`.

    Returns:
        List of `(tweet_id, label, text)` string triples.
    """
    data_dir = resolve_data_dir(data_dir)
    paths = sorted(glob.glob(os.path.join(data_dir, "semeval_twitter", pattern)))
    if not paths:
        raise FileNotFoundError(
            f"no files matching {pattern!r} in {os.path.join(data_dir, 'semeval_twitter')}"
        )
    tweets, seen = [], set()
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            for number, line in enumerate(file, 1):
                fields = line.rstrip("\n").split("\t")
                if len(fields) < 3:
                    raise ValueError(f"{path}:{number}: expected 'id<TAB>label<TAB>text'")
                tweet_id, label, text = fields[0], fields[1], fields[2]
                if tweet_id in seen:
                    continue
                seen.add(tweet_id)
                text = clean_tweet(text, user_token, url_token)
                if text:
                    tweets.append((tweet_id, label, text))
    return tweets


def tweets_to_char_ids(texts, sequence_length, vocabulary=None, pad_char="\x00"):
    """Fixed-length character ids of texts: truncated, padded with `pad_char` (id 0).

    Args:
        texts: list of strings.
        sequence_length: characters per row.
        vocabulary: list of characters by id, `pad_char` first; default: `pad_char`
            followed by the sorted characters of `texts`.
        pad_char: padding character.

    Returns:
        `(ids, vocabulary)`: int32 `(len(texts), sequence_length)` and the vocabulary.

    Example:

    >>> import tfrnnx
    >>> ids, vocab = tfrnnx.data.tweets_to_char_ids(["ab", "bab"], 3)
    >>> ids.tolist(), vocab
    ([[1, 2, 0], [2, 1, 2]], ['\\x00', 'a', 'b'])
    """
    check_integer("sequence_length", sequence_length)
    texts = list(texts)
    if not texts:
        raise ValueError("texts is empty. Received: texts=[]")
    if vocabulary is None:
        vocabulary = CharacterVocabulary.build(texts, pad_character=pad_char).characters
    pad = pad_char if pad_char in vocabulary else vocabulary[0]
    ids = CharacterVocabulary(vocabulary, pad).encode(texts, length=sequence_length)
    return ids, vocabulary
