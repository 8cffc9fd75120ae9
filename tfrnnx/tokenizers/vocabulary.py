"""Vocabulary: the base of the tfrnnx vocabularies, a Keras layer."""

import keras
import numpy as np

from tfrnnx.tokenizers.special_ids import BOS_ID
from tfrnnx.tokenizers.special_ids import EOS_ID
from tfrnnx.tokenizers.special_ids import PAD_ID
from tfrnnx.tokenizers.special_ids import SPECIAL_TOKENS
from tfrnnx.tokenizers.special_ids import UNK_ID


class _ClassBuildInstanceBuild:
    """`Vocabulary.build(texts, ...)` on the class makes a vocabulary from texts (its public
    name since the first release); `vocabulary.build(input_shape)` on an instance stays the
    Keras layer's `build`, which Keras itself calls."""

    def __get__(self, instance, owner):
        if instance is None:
            return owner.from_texts
        return keras.layers.Layer.build.__get__(instance, owner)


@keras.saving.register_keras_serializable(package="tfrnnx")
class Vocabulary(keras.layers.Layer):
    """Base of the tfrnnx vocabularies: a Keras layer that maps text to ids and back.

    A vocabulary is a layer so that a model holding it tracks it like any sublayer: its
    config is serialized with the model, and its TensorFlow resources (lookup tables, the
    SentencePiece op's model) are exported with the model's SavedModel, with no extra step.
    Calling it tokenizes strings in graph mode.

    The contract every subclass keeps:
    - `len(vocabulary)` ids; `decode(ids)` and graph-mode `detokenize(ids)` map ids back to
      text; `encode(texts)` (eager) and `vocabulary(strings)` (graph) map text to ids;
    - `pad(sequences, length)` right-pads id lists with `pad_id`;
    - the special ids `pad_id`, `unk_id`, `bos_id`, `eos_id` (0..3 for word and subword
      vocabularies, from `tfrnnx.tokenizers.special_ids`; a character vocabulary has only
      an optional pad id);
    - `Vocabulary.build(texts, ...)` makes one from texts (also `from_texts`).

    Subclasses: `WordVocabulary`, `SentencePieceVocabulary`, `CharacterVocabulary`.

    Args:
        **kwargs: base `keras.layers.Layer` arguments (`name`, ...).

    Call arguments:
        inputs: string tensor `(batch,)`.

    Returns:
        int32 ids: a `tf.RaggedTensor` `(batch, None)` (`CharacterVocabulary`: dense).

    Example:

    >>> import tfrnnx
    >>> vocab = tfrnnx.tokenizers.WordVocabulary.build(["a cat sat", "a dog sat"])
    >>> isinstance(vocab, tfrnnx.tokenizers.Vocabulary), vocab.pad_id, vocab.eos_id
    (True, 0, 3)

    References:
        keras-hub's `keras_hub.tokenizers.Tokenizer` (the design this follows).
    """

    special_tokens = SPECIAL_TOKENS
    pad_id, unk_id, bos_id, eos_id = PAD_ID, UNK_ID, BOS_ID, EOS_ID
    build = _ClassBuildInstanceBuild()

    def __init__(self, **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        self.built = True  # no weights to make

    def __call__(self, inputs, *args, **kwargs):
        import tensorflow as tf

        # Keras layers take tensors; a vocabulary also takes a list of Python strings.
        if not isinstance(inputs, (tf.Tensor, tf.RaggedTensor, keras.KerasTensor)):
            inputs = tf.convert_to_tensor(inputs, tf.string)
        return super().__call__(inputs, *args, **kwargs)

    @classmethod
    def from_texts(cls, texts, **kwargs):
        raise NotImplementedError(f"{cls.__name__} must implement from_texts")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")

    def vocabulary_size(self):
        """The number of ids, `len(vocabulary)`."""
        return len(self)

    def pad(self, sequences, length=None):
        """int32 array `(n, length)` of the sequences right-padded with `pad_id`."""
        return pad_ids(sequences, length, self.pad_id or 0)

    def framed(self, ids, add_bos_eos):
        """Ragged `ids` with each row framed by `<bos>` ... `<eos>` when `add_bos_eos`."""
        import tensorflow as tf

        if not add_bos_eos:
            return ids
        column = tf.ones(tf.stack([ids.nrows(), 1]), ids.dtype)
        frame = lambda token: tf.RaggedTensor.from_tensor(column * token)  # noqa: E731
        return tf.concat([frame(self.bos_id), ids, frame(self.eos_id)], axis=1)

    def compute_output_spec(self, inputs):
        return keras.KerasTensor((inputs.shape[0], None), "int32")


def pad_ids(sequences, length=None, pad_id=PAD_ID):
    """int32 array `(n, length)` of id lists right-padded with `pad_id`, cut at `length`
    (default: the longest); shared by the tfrnnx vocabularies."""
    length = max((len(s) for s in sequences), default=0) if length is None else length
    out = np.full((len(sequences), max(length, 1)), pad_id, "int32")
    for row, ids in enumerate(sequences):
        ids = ids[:length]
        out[row, : len(ids)] = ids
    return out
