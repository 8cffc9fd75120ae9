"""The evaluation protocol of text generators (thesis §5.6.4): random search, repeated seeds."""

from tfrnnx.protocol.protocol_run import run_protocol
from tfrnnx.protocol.random_search import RandomSearch
from tfrnnx.protocol.search_space import SearchSpace
from tfrnnx.protocol.seed_repeats import SeedRepeats
