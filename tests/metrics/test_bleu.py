"""BLEU and self-BLEU against nltk's sentence_bleu loop, the definition they must equal."""

import doctest
import gzip
import importlib
import os
import random
import warnings

import numpy as np
import tensorflow as tf
from absl.testing import parameterized
from nltk.translate.bleu_score import SmoothingFunction
from nltk.translate.bleu_score import sentence_bleu

from data_dir import real_data_dir
from tfrnnx import metrics

# The package re-exports the function `bleu` under the module's name.
bleu_module = importlib.import_module("tfrnnx.metrics.bleu")

_METHODS = ["method0", "method1", "method2", "method3", "method4", "method5", "method7"]


def _nltk_bleu_scores(references, hypotheses, max_order, method):
    weights = (1 / max_order,) * max_order
    smoothing = getattr(SmoothingFunction(), method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # method0 warns about zero counts
        return [
            sentence_bleu(references, h, weights=weights, smoothing_function=smoothing)
            for h in hypotheses
        ]


def _nltk_self_bleu_scores(samples, max_order, method):
    return [
        _nltk_bleu_scores(samples[:i] + samples[i + 1 :], [s], max_order, method)[0]
        for i, s in enumerate(samples)
    ]


def _random_corpus(rng, size, vocab_size, max_len):
    vocab = "abcdefgh"[:vocab_size]
    return [[rng.choice(vocab) for _ in range(rng.randint(0, max_len))] for _ in range(size)]


# Hand-picked edge cases: empty and one-token hypotheses, repeated n-grams ("the the ..."),
# reference lengths tied around the hypothesis length (11 and 13 for 12), an empty reference.
_REFERENCES = [
    "the cat is on the mat".split(),
    "there is a cat on the mat".split(),
    ["a"] * 11,
    ["a"] * 13,
    [],
]
_HYPOTHESES = [
    [],
    ["the"],
    ["mat"],
    "the the the the the the the".split(),
    ["a"] * 12,
    ["a"] * 3,
    "the cat the cat is on the mat".split(),
    "dog".split(),
    "a cat is on the mat there".split(),
]


class BleuTest(tf.test.TestCase, parameterized.TestCase):
    @parameterized.product(max_order=[1, 2, 3, 4], method=_METHODS)
    def test_bleu_equals_nltk_loop_on_edge_cases(self, max_order, method):
        expected = _nltk_bleu_scores(_REFERENCES, _HYPOTHESES, max_order, method)
        scores = bleu_module._bleu_scores(_REFERENCES, _HYPOTHESES, max_order, method)
        self.assertAllClose(expected, scores, atol=1e-9, rtol=0)
        self.assertAllClose(
            np.mean(expected),
            metrics.bleu(_REFERENCES, _HYPOTHESES, max_order, method),
            atol=1e-9,
            rtol=0,
        )

    @parameterized.product(max_order=[1, 2, 3, 4, 5], method=_METHODS)
    def test_bleu_equals_nltk_loop_on_random_corpora(self, max_order, method):
        rng = random.Random(max_order * 100 + _METHODS.index(method))
        for _ in range(4):
            vocab_size = rng.randint(1, 5)
            references = _random_corpus(rng, rng.randint(1, 7), vocab_size, 9)
            hypotheses = _random_corpus(rng, rng.randint(1, 7), vocab_size, 9)
            expected = _nltk_bleu_scores(references, hypotheses, max_order, method)
            scores = bleu_module._bleu_scores(references, hypotheses, max_order, method)
            self.assertAllClose(expected, scores, atol=1e-9, rtol=0)

    @parameterized.product(max_order=[1, 2, 3, 4], method=_METHODS)
    def test_self_bleu_equals_nltk_leave_one_out_loop(self, max_order, method):
        rng = random.Random(7 + max_order * 100 + _METHODS.index(method))
        # Duplicated samples make the largest n-gram count and a length shared by several
        # samples; unique lengths force the neighbouring lengths.
        cases = [_HYPOTHESES, _HYPOTHESES + _HYPOTHESES[3:6], [["x"], ["x", "y"]]]
        cases += [_random_corpus(rng, rng.randint(2, 8), rng.randint(1, 4), 8) for _ in range(4)]
        for samples in cases:
            expected = _nltk_self_bleu_scores(samples, max_order, method)
            scores = bleu_module._self_bleu_scores(samples, max_order, method)
            self.assertAllClose(expected, scores, atol=1e-9, rtol=0)
            self.assertAllClose(
                np.mean(expected), metrics.self_bleu(samples, max_order, method), atol=1e-9, rtol=0
            )

    def test_strings_are_split_on_whitespace(self):
        references = ["the cat  is on the mat", "there is a cat on the mat\n"]
        hypotheses = ["the cat is on the mat", "a cat on mat"]
        expected = np.mean(_nltk_bleu_scores([r.split() for r in references],
                                             [h.split() for h in hypotheses], 4, "method1"))
        self.assertAllClose(expected, metrics.bleu(references, hypotheses), atol=1e-9, rtol=0)

    def test_none_is_method0(self):
        self.assertEqual(
            metrics.bleu(_REFERENCES, _HYPOTHESES, smoothing="none"),
            metrics.bleu(_REFERENCES, _HYPOTHESES, smoothing="method0"),
        )

    def test_bad_arguments_raise_value_errors_naming_them(self):
        cases = [
            (lambda: metrics.bleu([], ["a"]), "references"),
            (lambda: metrics.bleu(["a"], []), "hypotheses"),
            (lambda: metrics.bleu("a b", ["a"]), "references"),
            (lambda: metrics.bleu(["a"], [3]), r"hypotheses\[0\]"),
            (lambda: metrics.bleu(["a"], ["a"], max_order=0), "max_order=0"),
            (lambda: metrics.bleu(["a"], ["a"], smoothing="method6"), "smoothing='method6'"),
            (lambda: metrics.self_bleu(["a b"]), "1 sample"),
        ]
        for call, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                call()

    def test_docstring_examples(self):
        result = doctest.testmod(bleu_module, extraglobs={"tfrnnx": __import__("tfrnnx")})
        self.assertGreater(result.attempted, 0)
        self.assertEqual(result.failed, 0)

    def test_bleu_and_self_bleu_equal_nltk_on_coco_captions_needs_real_data(self):
        data = real_data_dir("texygen")
        with gzip.open(os.path.join(data, "image_coco.txt.gz"), "rt", encoding="utf-8") as f:
            references = f.read().split("\n")
        with gzip.open(os.path.join(data, "test_coco.txt.gz"), "rt", encoding="utf-8") as f:
            hypotheses = f.read().split("\n")
        self.assertLen(references, 10000)
        scores = bleu_module._bleu_scores(references, hypotheses)
        split_refs = [r.split() for r in references]
        expected = _nltk_bleu_scores(split_refs, [h.split() for h in hypotheses[:4]], 4, "method1")
        self.assertAllClose(expected, scores[:4], atol=1e-9, rtol=0)
        self_scores = bleu_module._self_bleu_scores(references)
        for i in (0, 1, 9999):
            others = split_refs[:i] + split_refs[i + 1 :]
            expected = _nltk_bleu_scores(others, [split_refs[i]], 4, "method1")[0]
            self.assertAllClose(expected, self_scores[i], atol=1e-9, rtol=0)


if __name__ == "__main__":
    tf.test.main()
