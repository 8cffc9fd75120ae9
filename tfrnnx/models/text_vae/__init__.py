"""Text variational autoencoders (thesis §5.3-5.5)."""

from tfrnnx.models.text_vae.hybrid_text_vae import HybridTextVAE
from tfrnnx.models.text_vae.lstm_text_vae import LSTMTextVAE
