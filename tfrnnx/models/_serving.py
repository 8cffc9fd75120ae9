"""One export path for every tfrnnx model: a SavedModel with named endpoints.

Each model's ``export_serving(filepath, ...)`` lists its endpoints (name -> function and
input signature) and calls ``write_saved_model``. The first endpoint is ``serve``, which
SavedModel also exposes as ``serving_default`` for TF Serving. The vocabularies are Keras
layers held by the models, so their TensorFlow resources (lookup tables, the SentencePiece
op's model) are exported with the model.
"""

import keras
import tensorflow as tf

SCALAR_COUNT = tf.TensorSpec((), tf.int32, name="num_samples")


def write_saved_model(model, filepath, endpoints, verbose=False):
    """Writes ``model`` with ``endpoints`` ({name: (function, input_signature)}) to ``filepath``.

    Returns ``filepath``.
    """
    if next(iter(endpoints)) != "serve":
        raise ValueError(f"the first endpoint must be 'serve'. Received: {list(endpoints)}")
    archive = keras.export.ExportArchive()
    archive.track(model)
    for name, (function, signature) in endpoints.items():
        archive.add_endpoint(name, function, input_signature=signature)
    archive.write_out(filepath, verbose=verbose)
    return filepath
