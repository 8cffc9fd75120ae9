"""SentencePieceVocabulary: a subword vocabulary for the text models (thesis §5.6)."""

import base64
import binascii
import io

import keras

from tfrnnx._validation import check_choice
from tfrnnx._validation import check_integer
from tfrnnx._validation import check_number
from tfrnnx._validation import check_sentences
from tfrnnx.tokenizers.vocabulary import Vocabulary

_MODEL_TYPES = ("unigram", "bpe")


def _sentencepiece():
    """The `sentencepiece` module, imported on first use: it is an extra, not a core need."""
    try:
        import sentencepiece
    except ImportError as error:
        raise ImportError(
            "SentencePieceVocabulary needs the sentencepiece package: "
            "pip install 'tfrnnx[sentencepiece]'"
        ) from error
    return sentencepiece


@keras.saving.register_keras_serializable(package="tfrnnx")
class SentencePieceVocabulary(Vocabulary):
    """SentencePiece subword tokenizer with the special ids of `WordVocabulary` (a Keras layer).

    Ids 0..3 are `<pad>`, `<unk>`, `<bos>`, `<eos>` (SentencePiece control symbols, except
    `<unk>`); the subword pieces follow. It has the interface of
    `tfrnnx.tokenizers.WordVocabulary` (`encode`, `decode`, `pad`, graph-mode `detokenize`),
    so `tfrnnx.models.LanguageModel` and the text GANs take either. Text is normalized
    with SentencePiece's default NFKC rule; `decode` joins the pieces back into text
    (`<unk>` pieces come back as ` ⁇ `).

    `build` trains the model in memory with the `sentencepiece` library on one thread,
    with neither sampling nor shuffling of the sentences, so the same sentences and
    arguments give the same model byte for byte.

    Calling the vocabulary tokenizes in graph mode with `tensorflow_text`'s SentencePiece
    op, whose resource the layer owns, so a model holding the vocabulary exports it.

    Args:
        model_proto: the serialized SentencePiece `ModelProto`, as bytes or as the
            base64 string of `get_config`. Its pieces 0..3 must be the special tokens.
        **kwargs: base `keras.layers.Layer` arguments (`name`, ...).

    Call arguments:
        inputs: string tensor `(batch,)`.
        add_bos_eos: whether each row is framed by `<bos>` ... `<eos>`.

    Returns:
        int32 `tf.RaggedTensor` `(batch, None)` of piece ids.

    Example:

    >>> import tfrnnx
    >>> sentences = [f"{a} {n} {v} ." for a in ("a", "the", "one", "some", "every")
    ...              for n in ("cat", "dog", "bird", "horse", "child")
    ...              for v in ("sat", "ran", "slept", "jumped", "sang")]
    >>> vocab = tfrnnx.tokenizers.SentencePieceVocabulary.build(sentences, vocab_size=30, seed=0)
    >>> len(vocab)
    30
    >>> ids = vocab.encode(["the dog sang ."], add_bos_eos=True)
    >>> ids[0][0], ids[0][-1]
    (2, 3)
    >>> vocab.decode(ids[0])
    'the dog sang .'
    >>> [s.decode() for s in vocab.detokenize(vocab.pad(ids + [[2, 3]])).numpy()]
    ['the dog sang .', '']
    >>> vocab(["the dog sang ."], add_bos_eos=True).to_list() == ids
    True

    References:
        Kudo, Richardson (2018), "SentencePiece: A simple and language independent subword
        tokenizer and detokenizer for Neural Text Processing"; thesis section 5.6.
    """

    def __init__(self, model_proto, **kwargs):
        super().__init__(**kwargs)
        if isinstance(model_proto, str):
            try:
                model_proto = base64.b64decode(model_proto.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError) as error:
                raise ValueError(
                    "model_proto must be bytes or a base64 string. Received: a string that is "
                    f"not base64 ({error})"
                ) from None
        if not isinstance(model_proto, (bytes, bytearray)) or not model_proto:
            raise ValueError(
                "model_proto must be a serialized SentencePiece model (non-empty bytes or a "
                f"base64 string). Received: model_proto of type {type(model_proto).__name__}"
            )
        self.model_proto = bytes(model_proto)
        self._processor = _sentencepiece().SentencePieceProcessor()
        try:
            self._processor.LoadFromSerializedProto(self.model_proto)
        except (RuntimeError, OSError) as error:
            raise ValueError(
                f"model_proto is not a valid SentencePiece model. Received: {len(model_proto)} "
                f"bytes ({error})"
            ) from None
        pieces = [self._processor.id_to_piece(i) for i in range(min(4, len(self)))]
        if tuple(pieces) != self.special_tokens or len(self) < 5:
            raise ValueError(
                f"model_proto must have the pieces {self.special_tokens} at ids 0..3 and at least "
                f"one more piece. Received: a model with pieces {pieces}... ({len(self)} in all)"
            )
        self._tf_tokenizer = None  # made at the first graph-mode use

    @classmethod
    def from_texts(cls, sentences, vocab_size=4000, model_type="unigram", character_coverage=0.9995,
              seed=None):  # fmt: skip
        """Trains a SentencePiece model of `vocab_size` pieces (specials included) on `sentences`.

        Args:
            sentences: list of strings.
            vocab_size: integer >= 5, the exact number of ids; SentencePiece refuses sizes
                too large for the text (the error says the largest possible one).
            model_type: `"unigram"` (SentencePiece's default) or `"bpe"`.
            character_coverage: fraction in (0, 1] of the characters that get a piece of
                their own; the rest become `<unk>`.
            seed: integer seed of SentencePiece's random generator, or None. Training uses
                no randomness in this setting (one thread, no sampling, no shuffling);
                the seed is kept for the record. It is set process-wide.
        """
        check_sentences(sentences)
        # 4 special tokens and at least one piece.
        check_integer("vocab_size", vocab_size, minimum=5)
        check_choice("model_type", model_type, _MODEL_TYPES)
        check_number("character_coverage", character_coverage, 0, 1, include_low=False)
        sentencepiece = _sentencepiece()
        if seed is not None:
            check_integer("seed", seed, minimum=0)
            sentencepiece.set_random_generator_seed(int(seed))
        model = io.BytesIO()
        try:
            sentencepiece.SentencePieceTrainer.train(
                sentence_iterator=iter(sentences), model_writer=model, vocab_size=int(vocab_size),
                model_type=model_type, character_coverage=float(character_coverage),
                pad_id=cls.pad_id, unk_id=cls.unk_id, bos_id=cls.bos_id, eos_id=cls.eos_id,
                pad_piece="<pad>", unk_piece="<unk>", bos_piece="<bos>", eos_piece="<eos>",
                num_threads=1, input_sentence_size=0, shuffle_input_sentence=False, minloglevel=2,
            )
        except RuntimeError as error:
            raise ValueError(
                f"SentencePiece training failed for vocab_size={vocab_size}: {error}"
            ) from None
        return cls(model.getvalue())

    def __len__(self):
        return self._processor.get_piece_size()

    def tokenize(self, sentence):
        """List of the pieces of one string (`"▁"` marks a preceding space)."""
        return self._processor.encode(sentence, out_type=str)

    def encode(self, sentences, add_bos_eos=False, max_length=None):
        """Lists of piece ids, optionally framed by `<bos>`/`<eos>`.

        `max_length` truncates the pieces (before `<bos>`/`<eos>` are added).
        """
        check_sentences(sentences)
        encoded = []
        for ids in self._processor.encode(list(sentences), out_type=int):
            ids = ids[:max_length]
            encoded.append([self.bos_id, *ids, self.eos_id] if add_bos_eos else ids)
        return encoded

    def decode(self, ids):
        """Text of one id sequence, without `<pad>`/`<bos>`/`<eos>` (nothing is cut)."""
        ids = [int(i) for i in ids]
        bad = [i for i in ids if not 0 <= i < len(self)]
        if bad:
            raise ValueError(f"ids must be in [0, {len(self)}). Received: ids containing {bad[0]}")
        skip = (self.pad_id, self.bos_id, self.eos_id)
        return self._processor.decode([i for i in ids if i not in skip])

    def detokenize(self, ids):
        """Graph-compatible `decode` of a batch: int `(batch, time)` -> string `(batch,)`.

        Ids from the first `<eos>` on are dropped, as are `<pad>` and `<bos>`; the rest is
        decoded by `tensorflow_text.SentencepieceTokenizer`, so this works inside
        `tf.function` and SavedModel signatures.
        """
        import tensorflow as tf

        tokenizer = self._graph_tokenizer()
        ids = tf.cast(tf.convert_to_tensor(ids), tf.int32)
        before_eos = tf.equal(tf.cumsum(tf.cast(tf.equal(ids, self.eos_id), tf.int32), axis=1), 0)
        keep = before_eos & tf.not_equal(ids, self.pad_id) & tf.not_equal(ids, self.bos_id)
        return tokenizer.detokenize(tf.ragged.boolean_mask(ids, keep))

    def call(self, inputs, add_bos_eos=False):
        import tensorflow as tf

        ids = self._graph_tokenizer().tokenize(tf.convert_to_tensor(inputs, tf.string))
        ids = tf.cast(ids, tf.int32)
        return self.framed(ids, add_bos_eos)

    def _graph_tokenizer(self):
        """`tensorflow_text.SentencepieceTokenizer` of this model, made once, eagerly; as an
        attribute of the layer, its resource is exported with any model holding it."""
        import tensorflow as tf
        import tensorflow_text as tf_text

        if self._tf_tokenizer is None:
            with tf.init_scope():
                self._tf_tokenizer = tf_text.SentencepieceTokenizer(model=self.model_proto)
        return self._tf_tokenizer

    def get_config(self):
        return {**super().get_config(),
                "model_proto": base64.b64encode(self.model_proto).decode("ascii")}  # fmt: skip

    @classmethod
    def from_config(cls, config):
        return cls(**config)
