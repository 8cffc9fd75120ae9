import math
import tempfile

import numpy as np
import tensorflow as tf

from tfrnnx.data.ptb import batchify, bptt_windows
from tfrnnx.experiments.corpus_lm import CorpusLM, CorpusLMConfig, summarize, train_corpus_lm


def tiny_corpus(length, seed):
    # A deterministic cycle 0 1 2 3 4 0 1 ... with rare noise: easy to learn, not trivial.
    rng = np.random.default_rng(seed)
    ids = np.arange(length) % 5
    noise = rng.random(length) < 0.05
    ids[noise] = rng.integers(5, 8, noise.sum())
    return ids.astype("int32")


CONFIG = CorpusLMConfig(units=16, embedding_dim=8, batch_size=4, bptt=10, epochs=3,
                        eval_batch_size=2, learning_rate=0.5, recurrent_dropout=0.1, seed=1)


class CorpusLMTest(tf.test.TestCase):
    def test_perplexity_is_exp_of_mean_nll_over_the_stream(self):
        model = CorpusLM(8, CONFIG)
        ids = tiny_corpus(61, seed=0)
        # Independent computation: run the windows with carried state, softmax in numpy.
        rows = batchify(ids, CONFIG.eval_batch_size)
        state, nll = model.zero_state(rows.shape[0]), []
        for inputs, targets in bptt_windows(rows, CONFIG.bptt):
            logits, state = model.logits(inputs, state, training=False)
            logits = logits.numpy().astype("float64")
            log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
            nll.extend(-np.take_along_axis(log_probs, targets[..., None], -1).ravel())
        self.assertAllClose(model.perplexity(ids), math.exp(np.mean(nll)), rtol=1e-5)

    def test_training_learns_and_resumes_from_checkpoints(self):
        splits = {"train": tiny_corpus(2000, 1), "valid": tiny_corpus(300, 2), "test": tiny_corpus(300, 3)}
        with tempfile.TemporaryDirectory() as workdir:
            history = train_corpus_lm(splits, 8, CONFIG, workdir, log=lambda line: None)
            self.assertLen(history, 3)
            self.assertLess(history[-1]["valid_perplexity"], 3.0)  # uniform guessing: 8
            self.assertIn("test_perplexity", min(history, key=lambda r: r["valid_perplexity"]))
            resumed = train_corpus_lm(splits, 8, CONFIG, workdir, log=lambda line: None)
            self.assertEqual(resumed, history)  # nothing left to train: read back, not retrained
            longer = train_corpus_lm(splits, 8, CorpusLMConfig(**{**CONFIG.__dict__, "epochs": 4}),
                                     workdir, log=lambda line: None)
            self.assertEqual(longer[:3], history)
            self.assertLen(longer, 4)
        self.assertEqual(summarize(history)["valid"], min(r["valid_perplexity"] for r in history))
