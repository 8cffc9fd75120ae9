import math
import tempfile

import keras
import numpy as np
import tensorflow as tf

from tfrnnx.data.ptb import batchify, bptt_windows
from tfrnnx.experiments.corpus_lm import CorpusLM, CorpusLMConfig, summarize, train_corpus_lm
from tfrnnx.experiments.corpus_lm import _out_of_patience, diverged


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


class CorpusLMScheduleTest(tf.test.TestCase):
    """The thesis' two settings: word level (SGD, lr / 1.5 on a plateau, until validation stops
    improving) and character level (Adam, lr x 0.97 per epoch from epoch 10)."""

    splits = {"train": tiny_corpus(800, 1), "valid": tiny_corpus(200, 2), "test": tiny_corpus(200, 3)}

    def train(self, workdir, **changes):
        config = CorpusLMConfig(**{**CONFIG.__dict__, **changes})
        return train_corpus_lm(self.splits, 8, config, workdir, log=lambda line: None)

    def test_epoch_decay_multiplies_the_rate_from_its_start_epoch(self):
        with tempfile.TemporaryDirectory() as workdir:
            history = self.train(workdir, optimizer="adam", learning_rate=0.01, epoch_decay=0.5,
                                 epoch_decay_start=2, epochs=4)  # fmt: skip
        # The rate an epoch trained with: epochs 1 and 2 at 0.01, then halved after each.
        self.assertAllClose([r["learning_rate"] for r in history], [0.01, 0.01, 0.005, 0.0025])
        self.assertLess(history[-1]["valid_perplexity"], history[0]["valid_perplexity"])

    def test_patience_stops_when_validation_stops_improving(self):
        with tempfile.TemporaryDirectory() as workdir:
            # Learning rate 0: the validation perplexity never changes, so it never improves.
            history = self.train(workdir, learning_rate=0.0, epochs=10, patience=2)
        self.assertLen(history, 3)
        self.assertTrue(_out_of_patience([{"valid_perplexity": v} for v in (5, 4, 4.5, 4.1)], 2))
        self.assertFalse(_out_of_patience([{"valid_perplexity": v} for v in (5, 4, 4.5, 3.9)], 2))
        self.assertFalse(_out_of_patience([{"valid_perplexity": v} for v in (5, 6)], 2))

    def test_a_diverged_run_stops_at_the_step_and_is_not_retrained(self):
        with tempfile.TemporaryDirectory() as workdir:
            # SGD at lr 1e38: the clipped step (norm 10) already overflows float32 weights.
            history = self.train(workdir, learning_rate=1e38, epochs=5)
            self.assertLen(history, 1)
            self.assertTrue(diverged(history[0]))
            # 800 tokens in 4 rows of 200, windows of 10: 20 steps, stopped well before the end.
            self.assertLess(history[0]["diverged_at_step"], 20)
            self.assertNotIn("test_perplexity", history[0])
            self.assertEqual(self.train(workdir, learning_rate=1e38, epochs=5)[0]["epoch"], 1)
            self.assertLen(self.train(workdir, learning_rate=1e38, epochs=5), 1)  # resumed, not retrained
        summary = summarize(history)
        self.assertEqual((summary["best_epoch"], summary["valid"], summary["test"], summary["diverged_epoch"]),
                         (None, None, None, 1))
        # A diverged record written before `diverged_at_step` existed stops a resume all the same.
        self.assertTrue(diverged({"epoch": 1, "train_perplexity": math.nan, "valid_perplexity": math.nan}))
        self.assertTrue(diverged({"epoch": 1, "train_perplexity": 50.0, "valid_perplexity": math.inf}))
        self.assertFalse(diverged({"epoch": 1, "train_perplexity": 50.0, "valid_perplexity": 40.0}))
        # A run that diverges later keeps its best finite epoch.
        later = [{"epoch": 1, "train_perplexity": 9.0, "valid_perplexity": 8.0, "test_perplexity": 7.5, "seconds": 1},
                 {"epoch": 2, "train_perplexity": math.nan, "valid_perplexity": math.nan, "seconds": 1}]
        self.assertEqual({k: summarize(later)[k] for k in ("best_epoch", "valid", "test", "diverged_epoch")},
                         {"best_epoch": 1, "valid": 8.0, "test": 7.5, "diverged_epoch": 2})

    def test_test_time_scaling_reaches_the_cell(self):
        model = CorpusLM(8, CorpusLMConfig(**{**CONFIG.__dict__, "dropout_scaling": "test_time"}))
        self.assertEqual(model.lstm.cell.dropout_scaling, "test_time")
        self.assertEqual(CorpusLM(8, CONFIG).lstm.cell.dropout_scaling, "inverted")

    def test_input_and_output_dropout_rates_apart(self):
        model = CorpusLM(8, CorpusLMConfig(**{**CONFIG.__dict__, "forward_dropout": 0.3,
                                              "output_dropout": 0.5}))  # fmt: skip
        self.assertEqual((model.input_dropout.rate, model.output_dropout.rate), (0.3, 0.5))
        self.assertIsInstance(CorpusLM(8, CorpusLMConfig(optimizer="adam")).optimizer, keras.optimizers.Adam)
        with self.assertRaisesRegex(ValueError, "optimizer='rmsprop'"):
            CorpusLM(8, CorpusLMConfig(optimizer="rmsprop"))
