"""load_coco_captions on a tiny gzip fixture, and the real Texygen files' line counts."""

import gzip
import os
import tempfile
import unittest

from data_dir import real_data_dir
from tfrnnx.data import load_coco_captions


def _write(root, name, text):
    os.makedirs(os.path.join(root, "texygen"), exist_ok=True)
    with gzip.open(os.path.join(root, "texygen", name), "wt") as file:
        file.write(text)


class LoadCocoCaptionsTest(unittest.TestCase):
    def test_fixture_keeps_order_and_duplicates(self):
        with tempfile.TemporaryDirectory() as tmp:
            _write(tmp, "image_coco.txt.gz", "a dog on a bed.\n\na cat.\na dog on a bed. ")
            _write(tmp, "test_coco.txt.gz", "a red bus.")
            self.assertEqual(
                load_coco_captions(tmp), ["a dog on a bed.", "a cat.", "a dog on a bed."]
            )
            self.assertEqual(load_coco_captions(tmp, split="test"), ["a red bus."])

    def test_default_data_dir_from_environment(self):
        with tempfile.TemporaryDirectory() as tmp:
            _write(tmp, "image_coco.txt.gz", "a cat.\n")
            old = os.environ.get("TFRNNX_DATA_DIR")
            os.environ["TFRNNX_DATA_DIR"] = tmp
            try:
                self.assertEqual(load_coco_captions(), ["a cat."])
            finally:
                if old is None:
                    del os.environ["TFRNNX_DATA_DIR"]
                else:
                    os.environ["TFRNNX_DATA_DIR"] = old

    def test_errors_name_the_argument_or_path(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaisesRegex(FileNotFoundError, "image_coco.txt.gz"):
                load_coco_captions(tmp)
            with self.assertRaisesRegex(ValueError, "split='valid'"):
                load_coco_captions(tmp, split="valid")
        old = os.environ.pop("TFRNNX_DATA_DIR", None)
        try:
            with self.assertRaisesRegex(ValueError, "data_dir"):
                load_coco_captions()
        finally:
            if old is not None:
                os.environ["TFRNNX_DATA_DIR"] = old

    def test_real_data_counts(self):
        root = real_data_dir("texygen")
        for split, name in (("train", "image_coco.txt.gz"), ("test", "test_coco.txt.gz")):
            with gzip.open(os.path.join(root, name), "rb") as file:
                expected = [raw.decode("utf-8").strip() for raw in file.read().split(b"\n")]
            captions = load_coco_captions(os.path.dirname(root), split=split)
            self.assertEqual(captions, [line for line in expected if line])
            self.assertEqual(len(captions), 10_000)  # documented in SOURCES.md


if __name__ == "__main__":
    unittest.main()
