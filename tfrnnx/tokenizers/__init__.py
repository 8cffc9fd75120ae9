"""Vocabularies (tokenizers) of the tfrnnx text models, with their special ids."""

from tfrnnx.tokenizers.word_vocabulary import WordVocabulary
from tfrnnx.tokenizers.sentence_piece_vocabulary import SentencePieceVocabulary
