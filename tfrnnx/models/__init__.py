"""Keras 3 models of tfrnnx."""

from tfrnnx.models.language_model import LanguageModel
from tfrnnx.models.word_vocabulary import WordVocabulary
from tfrnnx.models.sentence_piece_vocabulary import SentencePieceVocabulary
from tfrnnx.models.hybrid_text_vae import HybridTextVAE
from tfrnnx.models.recurrent_attention_model import RecurrentAttentionModel
from tfrnnx.models.lstm_text_vae import LSTMTextVAE
from tfrnnx.models.seq_gan import SeqGAN
from tfrnnx.models.leak_gan import LeakGAN
from tfrnnx.models.wgan_gp_text import WGANGPText
