"""Text-generation evaluation metrics of tfrnnx."""
from tfrnnx.metrics.lm_scores import lm_score
from tfrnnx.metrics.lm_scores import reverse_lm_score
from tfrnnx.metrics.lm_scores import train_language_model
from tfrnnx.metrics.minilm_encoder import MiniLMEncoder
