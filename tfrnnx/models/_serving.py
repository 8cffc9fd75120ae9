"""One export path for every tfrnnx model: a SavedModel with named endpoints.

Each model's ``export_serving(filepath, ...)`` lists its endpoints (name -> function and
input signature) and calls ``write_saved_model``. The first endpoint is ``serve``, which
SavedModel also exposes as ``serving_default`` for TF Serving. A vocabulary's own
TensorFlow resources (the SentencePiece op's model) are tracked here, since
``ExportArchive`` finds only the resources of Keras layers.
"""

import keras
import tensorflow as tf

SCALAR_COUNT = tf.TensorSpec((), tf.int32, name="num_samples")


def write_saved_model(model, filepath, endpoints, vocabulary=None, verbose=False):
    """Writes ``model`` with ``endpoints`` ({name: (function, input_signature)}) to ``filepath``.

    Returns ``filepath``.
    """
    if next(iter(endpoints)) != "serve":
        raise ValueError(f"the first endpoint must be 'serve'. Received: {list(endpoints)}")
    archive = keras.export.ExportArchive()
    archive.track(model)
    tf_resources = getattr(vocabulary, "tf_resources", None)
    for resource in tf_resources() if tf_resources is not None else ():
        archive.track(resource)
    for name, (function, signature) in endpoints.items():
        archive.add_endpoint(name, function, input_signature=signature)
    archive.write_out(filepath, verbose=verbose)
    return filepath
