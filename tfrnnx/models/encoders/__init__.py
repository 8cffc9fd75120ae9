"""Sentence encoders whose features the Fréchet distance compares (thesis §5.6)."""

from tfrnnx.models.encoders.bigram_dan_encoder import BigramDANEncoder
from tfrnnx.models.encoders.bilstm_max_encoder import BiLSTMMaxEncoder
from tfrnnx.models.encoders.minilm_encoder import MiniLMEncoder
from tfrnnx.models.encoders import nli_training
