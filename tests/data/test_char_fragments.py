import numpy as np
import tensorflow as tf

import tfrnnx
from data_dir import real_data_dir

TEXT = "the cat sat on the mat. the dog sat on the log."


class CharFragmentsTest(tf.test.TestCase):
    def test_fragments_are_substrings_and_seeded(self):
        ids, vocabulary = tfrnnx.data.char_fragments(TEXT, length=10, count=50, seed=3)
        self.assertEqual(ids.shape, (50, 10))
        self.assertEqual(ids.dtype, np.int32)
        self.assertEqual(vocabulary, sorted(set(TEXT)))
        for row in ids:
            self.assertIn("".join(vocabulary[i] for i in row), TEXT)
        again, _ = tfrnnx.data.char_fragments(TEXT, length=10, count=50, seed=3)
        other, _ = tfrnnx.data.char_fragments(TEXT, length=10, count=50, seed=4)
        self.assertAllEqual(ids, again)
        self.assertNotAllEqual(ids, other)
        # Every start position is reachable, the last one included.
        starts = {"".join(vocabulary[i] for i in row) for row in
                  tfrnnx.data.char_fragments(TEXT, len(TEXT) - 1, 200, seed=0)[0]}
        self.assertEqual(starts, {TEXT[:-1], TEXT[1:]})

    def test_errors(self):
        with self.assertRaisesRegex(ValueError, "at least length=100"):
            tfrnnx.data.char_fragments(TEXT, length=100, count=1)
        with self.assertRaisesRegex(ValueError, "count"):
            tfrnnx.data.char_fragments(TEXT, length=3, count=0)
        with self.assertRaisesRegex(ValueError, "absent from vocabulary"):
            tfrnnx.data.char_fragments(TEXT, length=3, count=1, vocabulary=["a"])

    def test_ptb_fragments_needs_real_data(self):
        data_dir = real_data_dir("ptb")[: -len("/ptb")]
        fragments, vocabulary = tfrnnx.data.load_ptb_char_fragments(
            data_dir, length=32, counts={"train": 100, "valid": 10}, seed=0
        )
        self.assertEqual(fragments["train"].shape, (100, 32))
        self.assertEqual(fragments["valid"].shape, (10, 32))
        self.assertIn(" ", vocabulary)
        self.assertNotIn("_", vocabulary)
        self.assertLess(len(vocabulary), 60)
        text = tfrnnx.data.read_ptb_text(data_dir, "valid")
        for row in fragments["valid"]:
            self.assertIn("".join(vocabulary[i] for i in row), text)
        words = tfrnnx.data.read_ptb_text(data_dir, "valid", source="word")
        self.assertEqual(words.replace("<unk>", "").count(" "), text.replace("<unk>", "").count(" "))
