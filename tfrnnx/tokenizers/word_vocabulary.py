"""WordVocabulary: a small word tokenizer and vocabulary for the text models."""

import collections
import re

import keras

from tfrnnx._validation import check_sentences
from tfrnnx.tokenizers.vocabulary import Vocabulary

_TOKEN_PATTERN = re.compile(r"\w+(?:'\w+)?|[^\w\s]")
# The same tokens in RE2 (graph mode): Python's Unicode \w is letters, digits and "_".
_WORD = r"[\pL\pN_]"
_GRAPH_TOKEN = rf"{_WORD}+(?:'{_WORD}+)?|[^\pL\pN_\s\pZ]"


@keras.saving.register_keras_serializable(package="tfrnnx")
class WordVocabulary(Vocabulary):
    """Word tokenizer and token <-> id mapping with fixed special ids (a Keras layer).

    Ids 0..3 are `<pad>`, `<unk>`, `<bos>`, `<eos>`; the words follow in the order given
    (`WordVocabulary.build` sorts them by decreasing count, ties alphabetically). Tokens are
    words and single punctuation marks (`\\w+(?:'\\w+)?|[^\\w\\s]`), lower-cased by default,
    so already tokenized text (SNLI, Texygen, PTB) keeps its tokens.

    Calling the vocabulary tokenizes in graph mode (`tf.function`, SavedModel signatures)
    with the same tokens as `encode`, through a lookup table the layer owns and exports.

    Args:
        words: list of distinct word strings (without the special tokens).
        lowercase: lower-case text before splitting it.
        **kwargs: base `keras.layers.Layer` arguments (`name`, ...).

    Call arguments:
        inputs: string tensor `(batch,)`.
        add_bos_eos: whether each row is framed by `<bos>` ... `<eos>`.

    Returns:
        int32 `tf.RaggedTensor` `(batch, None)` of ids, unknown words as `<unk>`.

    Example:

    >>> import tensorflow as tf
    >>> import tfrnnx
    >>> vocab = tfrnnx.tokenizers.WordVocabulary.build(["a cat sat .", "a dog sat ."])
    >>> vocab.words
    ['.', 'a', 'sat', 'cat', 'dog']
    >>> vocab.encode(["A bird sat."], add_bos_eos=True)
    [[2, 5, 1, 6, 4, 3]]
    >>> vocab.pad([[4, 5], [4]]).tolist()
    [[4, 5], [4, 0]]
    >>> vocab(tf.constant(["A bird sat."]), add_bos_eos=True).to_list()
    [[2, 5, 1, 6, 4, 3]]

    References:
        keras-hub's `keras_hub.tokenizers.WordPieceTokenizer` (a tokenizer as a layer).
    """

    def __init__(self, words, lowercase=True, **kwargs):
        super().__init__(**kwargs)
        words = list(words)
        if not all(isinstance(word, str) and word for word in words):
            bad = next(w for w in words if not (isinstance(w, str) and w))
            raise ValueError(f"words must be non-empty strings. Received: words item {bad!r}")
        if len(set(words)) != len(words):
            raise ValueError("words must be distinct. Received: words with duplicates")
        clash = set(words) & set(self.special_tokens)
        if clash:
            raise ValueError(
                f"words must not contain the special tokens {self.special_tokens}. "
                f"Received: words containing {sorted(clash)}"
            )
        self.words = words
        self.lowercase = bool(lowercase)
        self._ids = {w: i for i, w in enumerate(self.special_tokens + tuple(words))}
        self._lookup_table = None  # made at the first graph-mode call

    @classmethod
    def from_texts(cls, sentences, max_size=None, min_count=1, lowercase=True):
        """Vocabulary of the words of `sentences` seen at least `min_count` times.

        Args:
            sentences: list of strings.
            max_size: keep at most this many words (the most frequent), or None.
            min_count: minimum count of a kept word.
            lowercase: as in the constructor.
        """
        check_sentences(sentences)
        if max_size is not None and max_size < 1:
            raise ValueError(f"max_size must be None or >= 1. Received: max_size={max_size}")
        probe = cls([], lowercase=lowercase)
        counts = collections.Counter(t for s in sentences for t in probe.tokenize(s))
        ranked = sorted(
            (w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w)
        )
        return cls(
            [w for w in ranked[:max_size] if w not in cls.special_tokens], lowercase=lowercase
        )

    def __len__(self):
        return len(self.special_tokens) + len(self.words)

    def tokenize(self, sentence):
        """List of the tokens of one string."""
        return _TOKEN_PATTERN.findall(sentence.lower() if self.lowercase else sentence)

    def encode(self, sentences, add_bos_eos=False, max_length=None):
        """Lists of token ids, unknown words as `<unk>`, optionally framed by `<bos>`/`<eos>`.

        `max_length` truncates the words (before `<bos>`/`<eos>` are added).
        """
        check_sentences(sentences)
        encoded = []
        for sentence in sentences:
            ids = [self._ids.get(t, self.unk_id) for t in self.tokenize(sentence)][:max_length]
            encoded.append([self.bos_id, *ids, self.eos_id] if add_bos_eos else ids)
        return encoded

    def decode(self, ids):
        """Space-joined tokens of one id sequence, without `<pad>`/`<bos>`/`<eos>`."""
        tokens = self.special_tokens + tuple(self.words)
        skip = (self.pad_id, self.bos_id, self.eos_id)
        return " ".join(tokens[int(i)] for i in ids if int(i) not in skip)

    def detokenize(self, ids):
        """Graph-compatible `decode` of a batch: int `(batch, time)` -> string `(batch,)`.

        Tokens after the first `<eos>` are dropped, as are `<pad>`, `<bos>` and `<eos>`;
        usable inside `tf.function` and SavedModel signatures.
        """
        import tensorflow as tf

        ids = tf.cast(tf.convert_to_tensor(ids), tf.int32)
        table = tf.constant(list(self.special_tokens + tuple(self.words)))
        before_eos = tf.equal(tf.cumsum(tf.cast(tf.equal(ids, self.eos_id), tf.int32), axis=1), 0)
        keep = before_eos & tf.not_equal(ids, self.pad_id) & tf.not_equal(ids, self.bos_id)
        tokens = tf.gather(table, tf.clip_by_value(ids, 0, len(self) - 1))
        return tf.strings.reduce_join(tf.ragged.boolean_mask(tokens, keep), axis=1, separator=" ")

    def call(self, inputs, add_bos_eos=False):
        import tensorflow as tf
        import tensorflow_text as tf_text

        text = tf.convert_to_tensor(inputs, tf.string)
        if self.lowercase:
            text = tf.strings.lower(text, encoding="utf-8")
        tokens = tf_text.regex_split(text, rf"{_GRAPH_TOKEN}|[\s\pZ]+", _GRAPH_TOKEN)
        ids = tf.ragged.map_flat_values(self._table().lookup, tokens)
        return self.framed(ids, add_bos_eos)

    def _table(self):
        """The token -> id lookup table, made once, eagerly, for every trace."""
        import tensorflow as tf

        if self._lookup_table is None:
            with tf.init_scope():
                initializer = tf.lookup.KeyValueTensorInitializer(
                    tf.constant(list(self._ids)), tf.constant(list(self._ids.values()), tf.int32)
                )
                self._lookup_table = tf.lookup.StaticHashTable(initializer, self.unk_id)
        return self._lookup_table

    def get_config(self):
        return {**super().get_config(), "words": list(self.words), "lowercase": self.lowercase}

    @classmethod
    def from_config(cls, config):
        return cls(**config)
