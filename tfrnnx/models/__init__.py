"""Keras 3 models of tfrnnx."""

from tfrnnx.models.language_model import LanguageModel
from tfrnnx.models.hybrid_text_vae import HybridTextVAE
from tfrnnx.models.recurrent_attention_model import RecurrentAttentionModel
from tfrnnx.models.lstm_text_vae import LSTMTextVAE
from tfrnnx.models.seq_gan import SeqGAN
from tfrnnx.models.leak_gan import LeakGAN
from tfrnnx.models.wgan_gp_text import WGANGPText

# The vocabularies live in tfrnnx.tokenizers; these names stay for existing code.
from tfrnnx.tokenizers import SentencePieceVocabulary
from tfrnnx.tokenizers import WordVocabulary
