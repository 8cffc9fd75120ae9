"""CharacterVocabulary: one id per character, for the character-level text VAEs."""

import keras
import numpy as np

from tfrnnx.tokenizers.vocabulary import Vocabulary


@keras.saving.register_keras_serializable(package="tfrnnx")
class CharacterVocabulary(Vocabulary):
    """Characters <-> ids, one id per character (a Keras layer).

    The text VAEs of thesis §5.5 read fixed-length character rows: PTB fragments, whose
    vocabulary is the sorted characters of the text, and tweets, padded to a length with a
    pad character of id 0. Id `i` is `characters[i]`; there are no `<unk>`, `<bos>` or
    `<eos>` ids (they are None), and `pad_id` is the id of `pad_character`, or None.
    Calling the vocabulary maps strings to ids in graph mode (SavedModel signatures), and
    `detokenize` maps ids back.

    Args:
        characters: list of distinct one-character strings, by id (or a string of them).
        pad_character: one of `characters`, written after a short text and dropped by
            `decode` / `detokenize`; or None (then every text must fill its row).
        **kwargs: base `keras.layers.Layer` arguments (`name`, ...).

    Call arguments:
        inputs: string tensor `(batch,)`.
        sequence_length: None for ragged ids `(batch, None)`; an integer for dense ids
            `(batch, sequence_length)`: texts are cut to it and padded with `pad_id`
            (without a pad character, each text must have exactly that many characters).
            A character outside the vocabulary stops the graph with an assertion.

    Returns:
        int32 ids: `tf.RaggedTensor` `(batch, None)`, or dense `(batch, sequence_length)`.

    Example:

    >>> import tfrnnx
    >>> vocab = tfrnnx.tokenizers.CharacterVocabulary.build(["ab", "bab"], pad_character="_")
    >>> vocab.characters, vocab.pad_id
    (['_', 'a', 'b'], 0)
    >>> vocab.encode(["ab", "bab"], length=3).tolist()
    [[1, 2, 0], [2, 1, 2]]
    >>> vocab.decode([2, 1, 0]), vocab(["ba"], sequence_length=3).numpy().tolist()
    ('ba', [[2, 1, 0]])

    References:
        Semeniuta, Severyn, Barth (2017), "A Hybrid Convolutional Variational Autoencoder
        for Text Generation"; thesis §5.5.
    """

    unk_id = bos_id = eos_id = None

    def __init__(self, characters, pad_character=None, **kwargs):
        super().__init__(**kwargs)
        characters = list(characters)
        if not characters or not all(isinstance(c, str) and len(c) == 1 for c in characters):
            raise ValueError(
                "characters must be a non-empty list of one-character strings. Received: "
                f"characters={characters[:20]!r}"
            )
        if len(set(characters)) != len(characters):
            raise ValueError("characters must be distinct. Received: characters with duplicates")
        if pad_character is not None and pad_character not in characters:
            raise ValueError(
                f"pad_character must be one of the characters. Received: "
                f"pad_character={pad_character!r}"
            )
        self.characters = characters
        self.pad_character = pad_character
        self.pad_id = None if pad_character is None else characters.index(pad_character)
        self._index = {c: i for i, c in enumerate(characters)}

    @classmethod
    def from_texts(cls, texts, pad_character=None):
        """The vocabulary of `texts`: `pad_character` first (if given), then the sorted
        distinct characters."""
        if isinstance(texts, str):
            texts = [texts]
        seen = set("".join(texts)) - {pad_character}
        return cls(([pad_character] if pad_character is not None else []) + sorted(seen),
                   pad_character=pad_character)  # fmt: skip

    def __len__(self):
        return len(self.characters)

    def encode(self, texts, length=None, name="texts"):
        """Ids of each text: a list of id lists, or with `length` an int32 array
        `(len(texts), length)` of texts cut to `length` and padded with `pad_id`.

        A character outside the vocabulary raises a ValueError naming `name[row]`.
        """
        rows = []
        for row, text in enumerate(texts):
            text = text if length is None else text[:length]  # what is cut is not checked
            unknown = set(text) - set(self._index)
            if unknown:
                raise ValueError(
                    f"{name}[{row}] has characters absent from vocabulary: {sorted(unknown)[:10]}. "
                    f"Received: vocabulary of {len(self)} characters"
                )
            rows.append(np.fromiter((self._index[c] for c in text), "int32", len(text)))
        if length is None:
            return [r.tolist() for r in rows]
        short = [i for i, r in enumerate(rows) if len(r) < length]
        if short and self.pad_id is None:
            raise ValueError(
                f"{name}[{short[0]}] is shorter than length={length} and there is no pad "
                f"character. Received: {len(rows[short[0]])} characters"
            )
        out = np.full((len(rows), length), self.pad_id or 0, "int32")
        for i, r in enumerate(rows):
            out[i, : min(len(r), length)] = r[:length]
        return out

    def decode(self, ids):
        """The characters of one id sequence, without the pad character."""
        return "".join(self.characters[i] for i in np.asarray(ids).tolist() if i != self.pad_id)

    def pad(self, sequences, length=None):
        if self.pad_id is None:
            raise ValueError("pad needs a pad character. Received: pad_character=None")
        return super().pad(sequences, length)

    def call(self, inputs, sequence_length=None):
        import tensorflow as tf

        codepoints, id_of = self._tables()
        chars = tf.strings.unicode_decode(tf.convert_to_tensor(inputs, tf.string), "UTF-8")
        ids = tf.ragged.map_flat_values(
            lambda c: tf.gather(id_of, tf.clip_by_value(c, 0, len(id_of) - 1)), chars
        )
        checks = [tf.debugging.assert_non_negative(
            ids.flat_values, message="strings hold characters absent from the vocabulary")]  # fmt: skip
        if sequence_length is not None and self.pad_id is None:
            checks.append(tf.debugging.assert_equal(
                ids.row_lengths(), tf.cast(sequence_length, tf.int64),
                message=f"every string must have exactly sequence_length={sequence_length} "
                        "characters (the vocabulary has no pad character)"))  # fmt: skip
        with tf.control_dependencies(checks):
            ids = tf.identity(ids)
        if sequence_length is None:
            return ids
        return ids.to_tensor(default_value=self.pad_id or 0, shape=(None, sequence_length))

    def detokenize(self, ids):
        """Graph-compatible `decode` of a batch: int `(batch, time)` -> string `(batch,)`."""
        import tensorflow as tf

        codepoints, _ = self._tables()
        ids = tf.cast(tf.convert_to_tensor(ids), tf.int32)
        keep = tf.ones_like(ids, tf.bool) if self.pad_id is None else tf.not_equal(ids, self.pad_id)
        return tf.strings.unicode_encode(
            tf.ragged.boolean_mask(tf.gather(codepoints, ids), keep), "UTF-8"
        )

    def _tables(self):
        """(codepoint of each id, id of each codepoint or -1); graph constants."""
        codepoints = np.array([ord(c) for c in self.characters], "int32")
        id_of = np.full(codepoints.max() + 2, -1, "int32")  # the last entry: out of range
        id_of[codepoints] = np.arange(len(codepoints))
        return codepoints, id_of

    def get_config(self):
        return {**super().get_config(), "characters": list(self.characters),
                "pad_character": self.pad_character}  # fmt: skip

    @classmethod
    def from_config(cls, config):
        return cls(**config)
