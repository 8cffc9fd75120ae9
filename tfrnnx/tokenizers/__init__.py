"""Vocabularies (tokenizers) of the tfrnnx text models, with their special ids."""

from tfrnnx.tokenizers.vocabulary import Vocabulary
from tfrnnx.tokenizers.word_vocabulary import WordVocabulary
from tfrnnx.tokenizers.sentence_piece_vocabulary import SentencePieceVocabulary
from tfrnnx.tokenizers.character_vocabulary import CharacterVocabulary
