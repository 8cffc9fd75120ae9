"""The special tokens every tfrnnx vocabulary starts with, and their ids: one place for them.

`WordVocabulary` and `SentencePieceVocabulary` give ids 0..3 to these tokens; the text
models and samplers read the ids from here (or from the vocabulary's attributes of the
same names), never as literals of their own.
"""

SPECIAL_TOKENS = ("<pad>", "<unk>", "<bos>", "<eos>")
PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
# Ids a generator never draws: padding, unknown words and a second start of sentence.
NEVER_GENERATED_IDS = (PAD_ID, UNK_ID, BOS_ID)
# The smallest vocabulary a text model can use: the special tokens and one word.
MIN_VOCAB_SIZE = len(SPECIAL_TOKENS) + 1
