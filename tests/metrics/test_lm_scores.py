import doctest
import math

import numpy as np
import tensorflow as tf

import tfrnnx
from tfrnnx.metrics import lm_scores

RNG = np.random.RandomState(0)
# A repetitive corpus: 4 sentence templates of a tiny grammar.
REAL = [
    f"the {a} {v} the {b}"
    for a in ("cat", "dog", "bird")
    for v in ("sees", "likes")
    for b in ("ball", "tree", "house")
]


def shuffled(sentences, seed=0):
    rng = np.random.RandomState(seed)
    return [" ".join(rng.permutation(s.split())) for s in sentences]


class LMScoreTest(tf.test.TestCase):
    def test_docstring_example(self):
        self.assertEqual(doctest.testmod(lm_scores).failed, 0)

    def test_perplexity_equals_exp_mean_token_nll_in_numpy(self):
        vocab = tfrnnx.tokenizers.WordVocabulary.build(["a b c", "b c d e"])
        lm = tfrnnx.models.LanguageModel(vocab, embedding_dim=4, units=3, seed=2)
        samples = ["a b c", "e d", "a x b c d"]  # "x" is <unk>
        nll = []
        for ids in vocab.encode(samples, add_bos_eos=True):
            logits = np.asarray(lm(np.array([ids])), "float64")[0]
            probs = np.exp(logits - logits.max(-1, keepdims=True))
            probs /= probs.sum(-1, keepdims=True)
            nll += [-np.log(probs[t, ids[t + 1]]) for t in range(len(ids) - 1)]
        self.assertEqual(len(nll), 4 + 3 + 6)
        expected = math.exp(np.mean(nll))
        self.assertAllClose(tfrnnx.metrics.lm_score(samples, lm), expected, rtol=1e-5)
        self.assertAllClose(tfrnnx.metrics.lm_score(samples, lm, batch_size=1), expected, rtol=1e-5)

    def test_lm_trained_on_repetitive_corpus_prefers_in_distribution_text(self):
        lm = tfrnnx.metrics.train_language_model(
            REAL * 4, embedding_dim=16, units=16, epochs=12, batch_size=18, learning_rate=0.02
        )
        in_distribution = tfrnnx.metrics.lm_score(REAL[:6], lm)
        scrambled = tfrnnx.metrics.lm_score(shuffled(REAL[:6]), lm)
        self.assertLess(in_distribution, 4.0)
        self.assertGreater(scrambled, 2 * in_distribution)

    def test_reverse_lm_prefers_samples_from_the_heldout_distribution(self):
        heldout = REAL[::2]
        unrelated = [
            f"{w} {x} {y}"
            for w in ("red", "blue")
            for x in ("fish", "car")
            for y in ("runs", "sleeps")
        ]
        budget = dict(
            embedding_dim=16, units=16, epochs=10, batch_size=18, learning_rate=0.02, seed=3
        )
        matching = tfrnnx.metrics.reverse_lm_score(REAL * 4, heldout, **budget)
        mismatched = tfrnnx.metrics.reverse_lm_score(unrelated * 9, heldout, **budget)
        self.assertLess(matching, mismatched)
        self.assertLess(matching, 6.0)
        # Same seed and budget, same score.
        self.assertAllClose(tfrnnx.metrics.reverse_lm_score(REAL * 4, heldout, **budget), matching)

    def test_bad_input_errors(self):
        lm = tfrnnx.models.LanguageModel(["a"], embedding_dim=2, units=2)
        with self.assertRaisesRegex(ValueError, r"samples=\[\]"):
            tfrnnx.metrics.lm_score([], lm)
        with self.assertRaisesRegex(ValueError, r"samples\[0\]=None"):
            tfrnnx.metrics.lm_score([None], lm)
        with self.assertRaisesRegex(ValueError, "lm of type str"):
            tfrnnx.metrics.lm_score(["a"], "lm")
        with self.assertRaisesRegex(ValueError, r"heldout\[0\]=1"):
            tfrnnx.metrics.reverse_lm_score(["a"], [1])
        with self.assertRaisesRegex(ValueError, "epochs=0"):
            tfrnnx.metrics.reverse_lm_score(["a"], ["a"], epochs=0)


if __name__ == "__main__":
    tf.test.main()
