import gzip
import importlib.util
import os
import tempfile

import numpy as np
import tensorflow as tf

import tfrnnx
from data_dir import real_data_dir

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "scripts", "train_bilstm_encoder.py")


def load_script():
    spec = importlib.util.spec_from_file_location("train_bilstm_encoder", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_fake_snli(root):
    directory = os.path.join(root, "snli_devtest")
    os.makedirs(directory)
    premises = ["a man sleeps .", "two dogs play .", "a woman sings ."] * 4
    hypotheses = ["a man rests .", "cats play .", "nobody sings ."] * 4
    labels = ["entailment", "contradiction", "neutral"] * 4
    for split in ("dev", "test"):
        for name, lines in (("s1", premises), ("s2", hypotheses), ("labels", labels)):
            with gzip.open(os.path.join(directory, f"{name}.{split}.gz"), "wt") as f:
                f.write("\n".join(lines) + "\n")


class TrainBiLSTMEncoderScriptTest(tf.test.TestCase):
    def run_quick(self, data_dir, tmp):
        out = os.path.join(tmp, "encoder.keras")
        result = load_script().main(
            ["--data-dir", data_dir, "--quick", "--out", out, "--verbose", "0"]
        )
        self.assertBetween(result["eval_accuracy"], 0.0, 1.0)
        encoder = tfrnnx.metrics.BiLSTMMaxEncoder.load(out)
        embeddings = encoder.embed(["a man sleeps .", "something new"])
        self.assertEqual(embeddings.shape, (2, 2 * encoder.units))
        self.assertTrue(np.all(np.isfinite(embeddings)))
        return result

    def test_quick_run_on_a_fake_data_dir(self):
        with tempfile.TemporaryDirectory() as tmp:
            write_fake_snli(tmp)
            result = self.run_quick(tmp, tmp)
        self.assertEqual(result["train_pairs"], 12)

    def test_quick_run_on_real_snli_data(self):
        root = os.path.dirname(real_data_dir("snli_devtest"))
        with tempfile.TemporaryDirectory() as tmp:
            result = self.run_quick(root, tmp)
        self.assertEqual(result["train_pairs"], 256)

    def test_load_snli_pairs_real_data_counts(self):
        directory = real_data_dir("snli_devtest")
        premises, hypotheses, labels = tfrnnx.models.encoders.nli_training.load_snli_pairs(directory, "dev")
        self.assertEqual(len(premises), 9842)
        self.assertEqual(len(hypotheses), 9842)
        self.assertAllEqual(np.bincount(labels), [3329, 3235, 3278])
        with self.assertRaisesRegex(ValueError, "split='train'"):
            tfrnnx.models.encoders.nli_training.load_snli_pairs(directory, "train")


if __name__ == "__main__":
    tf.test.main()
