import gzip
import os
import tempfile

import numpy as np
import tensorflow as tf

from data_dir import real_data_dir
from tfrnnx.data.ptb import batchify, bptt_windows, load_ptb


class PTBTest(tf.test.TestCase):
    def test_batchify_and_windows_cover_the_stream_in_order(self):
        ids = np.arange(103)
        rows = batchify(ids, 4)
        self.assertAllEqual(rows[1], np.arange(25, 50))
        windows = list(bptt_windows(rows, 7))
        inputs = np.concatenate([w[0] for w in windows], axis=1)
        targets = np.concatenate([w[1] for w in windows], axis=1)
        self.assertAllEqual(inputs, rows[:, :-1])
        self.assertAllEqual(targets, rows[:, 1:])
        with self.assertRaisesRegex(ValueError, "Received: batch_size=0"):
            batchify(ids, 0)

    def test_load_ptb_from_a_directory(self):
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "ptb"))
            for split, text in [("train", " a b \n b c \n"), ("valid", " c a \n"), ("test", " b \n")]:
                with gzip.open(os.path.join(root, "ptb", f"ptb.{split}.txt.gz"), "wt") as f:
                    f.write(text)
            splits, vocabulary = load_ptb(root, "word")
        self.assertEqual(vocabulary, ["<eos>", "a", "b", "c"])
        self.assertAllEqual(splits["train"], [1, 2, 0, 2, 3, 0])
        self.assertAllEqual(splits["valid"], [3, 1, 0])

    def test_missing_directory_is_named(self):
        with self.assertRaisesRegex(FileNotFoundError, "/nonexistent/ptb/ptb.train.txt.gz"):
            load_ptb("/nonexistent")

    def test_real_ptb_word_and_char_counts_needs_real_data(self):
        data_dir = os.path.dirname(real_data_dir("ptb"))
        splits, vocabulary = load_ptb(data_dir, "word")
        # SOURCES.md: 887,521 train words in 42,068 lines (+ one <eos> per line).
        self.assertLen(vocabulary, 10000)
        self.assertLen(splits["train"], 887521 + 42068)
        self.assertLen(splits["test"], 78669 + 3761)
        char_splits, characters = load_ptb(data_dir, "char")
        self.assertIn("_", characters)
        with gzip.open(os.path.join(data_dir, "ptb", "ptb.char.valid.txt.gz"), "rt") as f:
            text = f.read()
        # Every character is followed by a space; each of the 3,370 lines adds an <eos>.
        self.assertLen(char_splits["valid"], len(text.split()) + 3370)
