"""tfrnnx: Keras 3 layers and models from a thesis on recurrent networks."""

__version__ = "0.1.0"

# First: the `tfrnnx` command imports TensorFlow without its native start-up lines.
from tfrnnx import _startup  # noqa: F401
from tfrnnx import callbacks
from tfrnnx import data
from tfrnnx import layers
from tfrnnx import metrics
from tfrnnx import models
from tfrnnx import samplers
from tfrnnx import tokenizers
