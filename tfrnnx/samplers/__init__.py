"""Samplers: the one token-by-token generation loop every tfrnnx generator uses."""

from tfrnnx.samplers.sampler import Sampler
from tfrnnx.samplers.greedy_sampler import GreedySampler
from tfrnnx.samplers.random_sampler import RandomSampler
