"""Seeded deteriorations: exact outputs on tiny inputs and their invariants."""

import collections
import unittest

from tfrnnx.metrics.deteriorations import genre_collapse
from tfrnnx.metrics.deteriorations import word_dropout
from tfrnnx.metrics.deteriorations import word_swap

SENTENCES = ["the cat sat on the mat", "a b c d e f g h i j", "one two", "solo"]


class WordDropoutTest(unittest.TestCase):
    def test_p_zero_is_identity_and_p_one_keeps_one_word(self):
        self.assertEqual(word_dropout(SENTENCES, 0.0, seed=3), SENTENCES)
        for sentence, dropped in zip(SENTENCES, word_dropout(SENTENCES, 1.0, seed=3)):
            self.assertEqual(len(dropped.split()), 1)
            self.assertIn(dropped, sentence.split())

    def test_seeded_output(self):
        self.assertEqual(
            word_dropout(SENTENCES, 0.2, seed=0),
            ["the cat the mat", "a b c d e g i", "one two", "solo"],
        )
        self.assertEqual(word_dropout(SENTENCES, 0.2, seed=0), word_dropout(SENTENCES, 0.2, seed=0))
        self.assertNotEqual(word_dropout(SENTENCES, 0.5, seed=0), word_dropout(SENTENCES, 0.5, seed=1))

    def test_kept_words_are_a_subsequence_and_rate_is_about_p(self):
        sentences = [" ".join(str(i) for i in range(20))] * 200
        out = word_dropout(sentences, 0.3, seed=0)
        for dropped in out:
            words = dropped.split()
            self.assertEqual(words, sorted(words, key=int))
        kept = sum(len(s.split()) for s in out) / (20 * 200)
        self.assertAlmostEqual(kept, 0.7, delta=0.02)

    def test_bad_p(self):
        with self.assertRaisesRegex(ValueError, r"p must be a number in \[0, 1\]. Received: p=1.5"):
            word_dropout(SENTENCES, 1.5)


class WordSwapTest(unittest.TestCase):
    def test_exact_small_cases(self):
        self.assertEqual(word_swap(["a b"], 0.5, seed=7), ["b a"])
        self.assertEqual(word_swap(["a b c"], 0.1, seed=0), ["a b c"])  # round(0.3) = 0 swaps
        self.assertEqual(word_swap(SENTENCES, 0.0), SENTENCES)
        self.assertEqual(
            word_swap(SENTENCES, 0.2, seed=0),
            ["the cat sat the on mat", "j b d c e f g h i a", "one two", "solo"],
        )

    def test_words_are_permuted_and_moves_are_bounded(self):
        sentence = " ".join(str(i) for i in range(20))
        for p in (0.1, 0.3, 0.5):
            out = word_swap([sentence] * 50, p, seed=1)
            for swapped in out:
                words = swapped.split()
                self.assertEqual(sorted(words, key=int), list(map(str, range(20))))
                moved = sum(w != str(i) for i, w in enumerate(words))
                self.assertLessEqual(moved, 2 * round(p * 20))
            self.assertTrue(any(s != sentence for s in out))


class GenreCollapseTest(unittest.TestCase):
    SENT = ["a", "b", "c", "d", "e"]
    GEN = ["x", "y", "x", "z", "y"]

    def test_first_k_genres_only(self):
        self.assertEqual(sorted(genre_collapse(self.SENT, self.GEN, 1, 2)), ["a", "c"])
        self.assertEqual(
            sorted(genre_collapse(self.SENT, self.GEN, 2, 4, seed=5)), ["a", "b", "c", "e"]
        )
        self.assertEqual(genre_collapse(self.SENT, self.GEN, 2, 3, seed=0), ["c", "e", "b"])
        out = genre_collapse(self.SENT, self.GEN, 1, 1, genre_order=["z", "x", "y"])
        self.assertEqual(out, ["d"])

    def test_proportions_follow_the_corpus(self):
        sentences = [f"s{i}" for i in range(3000)]
        genres = ["x"] * 1000 + ["y"] * 2000
        out = genre_collapse(sentences, genres, 2, 900, seed=0)
        counts = collections.Counter(genres[int(s[1:])] for s in out)
        self.assertAlmostEqual(counts["y"] / 900, 2 / 3, delta=0.05)
        self.assertEqual(len(set(out)), 900)

    def test_errors(self):
        with self.assertRaisesRegex(ValueError, r"k must be an integer in \[1, 3\]. Received: k=4"):
            genre_collapse(self.SENT, self.GEN, 4, 1)
        with self.assertRaisesRegex(ValueError, "num_samples must not exceed the 2 sentences"):
            genre_collapse(self.SENT, self.GEN, 1, 3)
        with self.assertRaisesRegex(ValueError, "one genre per sentence"):
            genre_collapse(self.SENT, self.GEN[:2], 1, 1)
        with self.assertRaisesRegex(ValueError, r"missing \['z'\]"):
            genre_collapse(self.SENT, self.GEN, 1, 1, genre_order=["x", "y"])


if __name__ == "__main__":
    unittest.main()
