"""Keras 3 models of tfrnnx, by family (attention/, text_vae/, text_gan/, encoders/) and the LM."""

from tfrnnx.models.language_model import LanguageModel
from tfrnnx.models.attention import RecurrentAttentionModel
from tfrnnx.models.text_vae import HybridTextVAE
from tfrnnx.models.text_vae import LSTMTextVAE
from tfrnnx.models.text_gan import LeakGAN
from tfrnnx.models.text_gan import SeqGAN
from tfrnnx.models.text_gan import WGANGPText
from tfrnnx.models.encoders import BigramDANEncoder
from tfrnnx.models.encoders import BiLSTMMaxEncoder
from tfrnnx.models.encoders import MiniLMEncoder

# The vocabularies live in tfrnnx.tokenizers; these names stay for existing code.
from tfrnnx.tokenizers import SentencePieceVocabulary
from tfrnnx.tokenizers import WordVocabulary
