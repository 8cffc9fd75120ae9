"""Keras callbacks of tfrnnx."""

from tfrnnx.callbacks.glimpse_summary import GlimpseSummary
from tfrnnx.callbacks.heuristic_kl_annealing import HeuristicKLAnnealing
from tfrnnx.callbacks.kl_annealing import KLAnnealing
from tfrnnx.callbacks.text_samples import TextSamples
