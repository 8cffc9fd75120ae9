"""One place that turns what a model received as its `vocabulary` into a vocabulary object."""

import keras

from tfrnnx.tokenizers.sentence_piece_vocabulary import SentencePieceVocabulary
from tfrnnx.tokenizers.word_vocabulary import WordVocabulary


def resolve_vocabulary(vocabulary, accepted=(WordVocabulary, SentencePieceVocabulary)):
    """A vocabulary of one of the `accepted` classes from itself, its serialized config
    (`keras.saving.serialize_keras_object`), its plain config, or a list of words.

    A plain config holding `model_proto` is a SentencePieceVocabulary's, any other a
    WordVocabulary's (the configs models saved before vocabularies were serialized).
    """
    if isinstance(vocabulary, dict):
        if "class_name" in vocabulary:
            vocabulary = keras.saving.deserialize_keras_object(vocabulary)
        elif "model_proto" in vocabulary:
            vocabulary = SentencePieceVocabulary.from_config(vocabulary)
        else:
            vocabulary = WordVocabulary.from_config(vocabulary)
    elif isinstance(vocabulary, (list, tuple)):
        vocabulary = WordVocabulary(vocabulary)
    if not isinstance(vocabulary, tuple(accepted)):
        names = " or ".join(cls.__name__ for cls in accepted)
        raise ValueError(
            f"vocabulary must be a tfrnnx.tokenizers.{names}, its config or a list of words. "
            f"Received: vocabulary of type {type(vocabulary).__name__}"
        )
    return vocabulary
