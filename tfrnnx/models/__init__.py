"""Keras 3 models of tfrnnx."""

from tfrnnx.models.language_model import LanguageModel
from tfrnnx.models.word_vocabulary import WordVocabulary
from tfrnnx.models.hybrid_text_vae import HybridTextVAE
from tfrnnx.models.recurrent_attention_model import RecurrentAttentionModel
from tfrnnx.models.lstm_text_vae import LSTMTextVAE
