"""load_snli_sentences on tiny gzip fixtures, and counts of the real files computed here."""

import gzip
import os
import tempfile
import unittest

from data_dir import real_data_dir
from tfrnnx.data import load_snli_sentences

FIXTURE = {
    "s1.dev": "A man sleeps . \nA man sleeps . \nTwo dogs run . \n",
    "s2.dev": "A person rests . \nA man sleeps . \n\nDogs are running . \n",
    "s1.test": "Two dogs run . \nA child sings . \n",
    "s2.test": "A kid sings . \n  A person rests .\n",
}


def _write(root, files):
    os.makedirs(os.path.join(root, "snli_devtest"))
    for name, text in files.items():
        with gzip.open(os.path.join(root, "snli_devtest", f"{name}.gz"), "wt") as file:
            file.write(text)


class LoadSnliSentencesTest(unittest.TestCase):
    def test_fixture_dedup_order_and_splits(self):
        with tempfile.TemporaryDirectory() as tmp:
            _write(tmp, FIXTURE)
            dev = load_snli_sentences(tmp, "dev")
            test = load_snli_sentences(tmp, split="test")
            devtest = load_snli_sentences(tmp, "devtest")
        self.assertEqual(dev, ["A man sleeps .", "Two dogs run .", "A person rests .",
                               "Dogs are running ."])  # fmt: skip
        self.assertEqual(test, ["Two dogs run .", "A child sings .", "A kid sings .",
                                "A person rests ."])  # fmt: skip
        self.assertEqual(devtest, dev + ["A child sings .", "A kid sings ."])

    def test_default_data_dir_from_environment(self):
        with tempfile.TemporaryDirectory() as tmp:
            _write(tmp, FIXTURE)
            old = os.environ.get("TFRNNX_DATA_DIR")
            os.environ["TFRNNX_DATA_DIR"] = tmp
            try:
                sentences = load_snli_sentences()
            finally:
                if old is None:
                    del os.environ["TFRNNX_DATA_DIR"]
                else:
                    os.environ["TFRNNX_DATA_DIR"] = old
        self.assertEqual(len(sentences), 4)

    def test_errors_name_the_argument_or_path(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaisesRegex(FileNotFoundError, os.path.join(tmp, "snli_devtest")):
                load_snli_sentences(tmp)
            _write(tmp, {"s1.dev": "A b .\n", "s2.dev": "C d .\n"})
            with self.assertRaisesRegex(FileNotFoundError, "s1.test.gz"):
                load_snli_sentences(tmp, "devtest")
            with self.assertRaisesRegex(ValueError, "split='train'"):
                load_snli_sentences(tmp, "train")
        old = os.environ.pop("TFRNNX_DATA_DIR", None)
        try:
            with self.assertRaisesRegex(ValueError, "data_dir"):
                load_snli_sentences()
        finally:
            if old is not None:
                os.environ["TFRNNX_DATA_DIR"] = old

    def test_real_data_counts(self):
        root = real_data_dir("snli_devtest")
        # Independent count: every stripped non-blank line of the four files, as a set.
        expected = {}
        for part in ("dev", "test"):
            lines = set()
            for side in ("s1", "s2"):
                with gzip.open(os.path.join(root, f"{side}.{part}.gz"), "rb") as file:
                    lines |= {raw.decode("utf-8").strip() for raw in file} - {""}
            expected[part] = lines
        data_dir = os.path.dirname(root)
        dev, test = load_snli_sentences(data_dir, "dev"), load_snli_sentences(data_dir, "test")
        devtest = load_snli_sentences(data_dir, "devtest")
        self.assertEqual(set(dev), expected["dev"])
        self.assertEqual(set(test), expected["test"])
        self.assertEqual(set(devtest), expected["dev"] | expected["test"])
        self.assertEqual(len(devtest), len(set(devtest)))
        self.assertEqual(len(dev), len(expected["dev"]))
        self.assertEqual(devtest[: len(dev)], dev)
        # 9,842 dev pairs with about three hypotheses per premise: far fewer premises.
        self.assertLess(len(dev), 2 * 9_842)
        self.assertGreater(len(dev), 9_842)
        self.assertEqual(dev[0], "Two women are embracing while holding to go packages .")


if __name__ == "__main__":
    unittest.main()
