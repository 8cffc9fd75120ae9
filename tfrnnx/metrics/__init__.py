"""Text-generation evaluation metrics of tfrnnx."""
from tfrnnx.metrics.lm_scores import lm_score
from tfrnnx.metrics.lm_scores import reverse_lm_score
from tfrnnx.metrics.lm_scores import train_language_model
from tfrnnx.metrics.bleu import bleu
from tfrnnx.metrics.chunk_f1 import chunk_f1
from tfrnnx.metrics.bleu import self_bleu
from tfrnnx.metrics.frechet import frechet_distance
from tfrnnx.metrics.mauve import mauve
from tfrnnx.metrics.ngrams import memorization
from tfrnnx.metrics.ngrams import unique_ngram_count
from tfrnnx.metrics.ngrams import unique_ngrams
from tfrnnx.metrics.precision_recall import precision_recall

# The sentence encoders are models (tfrnnx.models.encoders); these names stay for users.
from tfrnnx.models.encoders import BigramDANEncoder
from tfrnnx.models.encoders import BiLSTMMaxEncoder
from tfrnnx.models.encoders import MiniLMEncoder
from tfrnnx.models.encoders import nli_training
