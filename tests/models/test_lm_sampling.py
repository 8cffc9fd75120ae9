"""sample_sentences: a fake LM with ±1e9 logits pins every drawn token."""

import unittest

import numpy as np
from keras import ops

import tfrnnx
from tfrnnx.models.lm_sampling import sample_sentences


class _ScriptedLM(tfrnnx.models.LanguageModel):
    """At position p, predicts the word script[p], then <eos> (huge logits: no randomness)."""

    def __init__(self, vocabulary, script, **kwargs):
        super().__init__(vocabulary, embedding_dim=2, units=2, **kwargs)
        table = np.full((64, len(vocabulary)), -1e9, "float32")
        table[np.arange(64), [*script, *[3] * (64 - len(script))]] = 1e9  # 3: <eos>
        self.table = table

    def call(self, ids, training=None):
        time = ops.shape(ids)[1]
        return ops.tile(ops.convert_to_tensor(self.table)[None, :time], (ops.shape(ids)[0], 1, 1))


class SampleSentencesTest(unittest.TestCase):
    def setUp(self):
        self.vocab = tfrnnx.tokenizers.WordVocabulary(["a", "cat", "sat"])  # ids 4, 5, 6

    def test_follows_the_model_and_stops_at_eos(self):
        lm = _ScriptedLM(self.vocab, [4, 5, 6])
        self.assertEqual(sample_sentences(lm, 3, batch_size=2), ["a cat sat"] * 3)

    def test_max_length_cuts_and_specials_are_never_drawn(self):
        lm = _ScriptedLM(self.vocab, [5] * 10)
        self.assertEqual(sample_sentences(lm, 2, max_length=4), ["cat cat cat cat"] * 2)
        lm = _ScriptedLM(self.vocab, [1, 0, 2])  # <unk>, <pad>, <bos>: banned
        out = sample_sentences(lm, 5, max_length=3, seed=0)
        self.assertTrue(all(w in ("a", "cat", "sat") for s in out for w in s.split()))

    def test_seeded_real_model(self):
        vocab = tfrnnx.tokenizers.WordVocabulary.build(["a cat sat", "a dog ran"])
        lm = tfrnnx.models.LanguageModel(vocab, embedding_dim=4, units=4, seed=0)
        first = sample_sentences(lm, 6, max_length=5, seed=1)
        self.assertEqual(first, sample_sentences(lm, 6, max_length=5, seed=1))
        self.assertEqual(len(first), 6)
        self.assertTrue(all(len(s.split()) <= 5 for s in first))

    def test_bad_arguments(self):
        lm = _ScriptedLM(self.vocab, [4])
        with self.assertRaisesRegex(ValueError, "temperature must be a number > 0. Received: temperature=0"):
            sample_sentences(lm, 1, temperature=0)
        with self.assertRaisesRegex(ValueError, "num_samples must be a positive integer"):
            sample_sentences(lm, 0)


if __name__ == "__main__":
    unittest.main()
