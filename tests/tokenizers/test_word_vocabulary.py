import doctest
import json

import tensorflow as tf

import tfrnnx
from tfrnnx.tokenizers import word_vocabulary


class WordVocabularyTest(tf.test.TestCase):
    def test_docstring_example(self):
        self.assertEqual(doctest.testmod(word_vocabulary).failed, 0)

    def test_build_counts_and_limits(self):
        vocab = tfrnnx.tokenizers.WordVocabulary.build(
            ["b b a", "c b a", "d"], max_size=2, lowercase=True
        )
        self.assertEqual(vocab.words, ["b", "a"])
        self.assertEqual(len(vocab), 6)
        self.assertEqual(vocab.encode(["a x b"]), [[5, 1, 4]])
        self.assertEqual(vocab.decode([2, 5, 1, 4, 3, 0]), "a <unk> b")

    def test_tokenize_keeps_snli_tokens(self):
        vocab = tfrnnx.tokenizers.WordVocabulary([])
        self.assertEqual(
            vocab.tokenize("A man 's dog, running."),
            ["a", "man", "'", "s", "dog", ",", "running", "."],
        )
        self.assertEqual(vocab.tokenize("don't stop"), ["don't", "stop"])

    def test_pad_and_truncate(self):
        vocab = tfrnnx.tokenizers.WordVocabulary(["a", "b"])
        ids = vocab.encode(["a b a b"], add_bos_eos=True, max_length=2)
        self.assertEqual(ids, [[2, 4, 5, 3]])
        self.assertAllEqual(vocab.pad([[4], [4, 5, 4]], length=2), [[4, 0], [4, 5]])

    def test_detokenize_matches_decode_in_graph(self):
        vocab = tfrnnx.tokenizers.WordVocabulary(["a", "b", "c"])
        ids = [[2, 4, 5, 3, 6, 6], [4, 1, 0, 0, 0, 0], [3, 4, 4, 4, 4, 4]]
        # Reference: decode() of each row cut at its first <eos>.
        expected = [vocab.decode(row[: row.index(3)] if 3 in row else row) for row in ids]
        graph_fn = tf.function(vocab.detokenize)
        got = [s.decode() for s in graph_fn(tf.constant(ids)).numpy()]
        self.assertEqual(got, expected)
        self.assertEqual(got, ["a b", "a <unk>", ""])

    def test_config_json_round_trip(self):
        vocab = tfrnnx.tokenizers.WordVocabulary(["x", "y"], lowercase=False)
        config = json.loads(json.dumps(vocab.get_config()))
        clone = tfrnnx.tokenizers.WordVocabulary.from_config(config)
        self.assertEqual(clone.get_config(), vocab.get_config())
        self.assertEqual(clone.encode(["X y"]), [[1, 5]])

    def test_bad_input_errors(self):
        vocab = tfrnnx.tokenizers.WordVocabulary(["a"])
        with self.assertRaisesRegex(ValueError, r"sentences=\[\]"):
            vocab.encode([])
        with self.assertRaisesRegex(ValueError, r"sentences\[1\]=3"):
            vocab.encode(["a", 3])
        with self.assertRaisesRegex(ValueError, "of type str"):
            vocab.encode("a")
        with self.assertRaisesRegex(ValueError, "special tokens"):
            tfrnnx.tokenizers.WordVocabulary(["<unk>"])
        with self.assertRaisesRegex(ValueError, "max_size=0"):
            tfrnnx.tokenizers.WordVocabulary.build(["a"], max_size=0)


if __name__ == "__main__":
    tf.test.main()
