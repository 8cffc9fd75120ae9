"""load_brown on a tiny hand-built zip, and the real corpus' documented counts."""

import collections
import os
import tempfile
import unittest
import zipfile

from data_dir import real_data_dir
from tfrnnx.data import load_brown
from tfrnnx.data.brown import GENRES

CATS = "ca01 news\ncb01 editorial\n\n"
CA01 = "\n\n\tThe/at Jury/nn-tl said/vbd ./.\n\n\n\tIt/pps won/vbd 1/2/cd ``/`` yes/rb ''/'' ./.\n"
CB01 = "\tOne/cd line/nn\n   \n"


def _make_zip(root, members):
    os.makedirs(os.path.join(root, "brown"))
    with zipfile.ZipFile(os.path.join(root, "brown", "brown.zip"), "w") as archive:
        archive.writestr("brown/", "")
        for name, text in members.items():
            archive.writestr(f"brown/{name}", text)


class LoadBrownTest(unittest.TestCase):
    def test_tiny_zip(self):
        with tempfile.TemporaryDirectory() as tmp:
            _make_zip(tmp, {"cats.txt": CATS, "ca01": CA01, "cb01": CB01})
            sentences, genres = load_brown(tmp)
            cased, _ = load_brown(tmp, lowercase=False)
        self.assertEqual(
            sentences, ["the jury said .", "it won 1/2 `` yes '' .", "one line"]
        )
        self.assertEqual(genres, ["news", "news", "editorial"])
        self.assertEqual(cased[0], "The Jury said .")

    def test_default_data_dir_from_environment(self):
        with tempfile.TemporaryDirectory() as tmp:
            _make_zip(tmp, {"cats.txt": "ca01 news\n", "ca01": CA01})
            old = os.environ.get("TFRNNX_DATA_DIR")
            os.environ["TFRNNX_DATA_DIR"] = tmp
            try:
                sentences, _ = load_brown()
            finally:
                if old is None:
                    del os.environ["TFRNNX_DATA_DIR"]
                else:
                    os.environ["TFRNNX_DATA_DIR"] = old
        self.assertEqual(len(sentences), 2)

    def test_missing_file_names_the_path(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaisesRegex(FileNotFoundError, os.path.join(tmp, "brown", "brown.zip")):
                load_brown(tmp)

    def test_cats_naming_an_absent_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            _make_zip(tmp, {"cats.txt": "ca01 news\nca02 news\n", "ca01": CA01})
            with self.assertRaisesRegex(ValueError, "ca02"):
                load_brown(tmp)

    def test_counts_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("brown"))
        sentences, genres = load_brown(data_dir)
        self.assertEqual(len(sentences), 57_340)
        self.assertEqual(sum(len(s.split()) for s in sentences), 1_161_192)
        expected = {
            "news": 4623, "editorial": 2997, "reviews": 1751, "religion": 1716,
            "hobbies": 4193, "lore": 4881, "belles_lettres": 7209, "government": 3032,
            "learned": 7734, "fiction": 4249, "mystery": 3886, "science_fiction": 948,
            "adventure": 4637, "romance": 4431, "humor": 1053,
        }  # fmt: skip
        self.assertEqual(dict(collections.Counter(genres)), expected)
        self.assertEqual(tuple(dict.fromkeys(genres)), GENRES)
        self.assertTrue(sentences[0].startswith("the fulton county grand jury said friday"))


if __name__ == "__main__":
    unittest.main()
