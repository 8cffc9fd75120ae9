import os
import tempfile

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

import tfrnnx
from testing import ModelChecks
from tfrnnx.models.text_gan import _discrete_gan

SENTENCES = ["a cat sat", "a dog sat", "the cat ran", "the dog ran"]
LENGTH = 6


def _vocab():
    return tfrnnx.tokenizers.WordVocabulary.build(SENTENCES)


def _ids(vocab, repeat=2):
    return vocab.pad(vocab.encode(SENTENCES * repeat, add_bos_eos=True), LENGTH)


def _gan(vocab, **overrides):
    arguments = dict(units=8, embedding_dim=4, discriminator_units=8, num_rollouts=2,
                     vocabulary=vocab, seed=1)  # fmt: skip
    arguments.update(overrides)
    gan = tfrnnx.models.SeqGAN(len(vocab), LENGTH, **arguments)
    gan.compile(keras.optimizers.Adam(0.02), keras.optimizers.Adam(0.02), jit_compile=False)
    return gan


def _log_softmax(x):
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


class DiscreteGANMathTest(tf.test.TestCase):
    def test_discounted_returns_match_a_numpy_loop(self):
        rng = np.random.default_rng(0)
        rewards = rng.random((3, 7)).astype("float32")
        mask = (np.arange(7)[None] < np.array([[7], [4], [1]])).astype("float32")
        expected = np.zeros_like(rewards)
        for b in range(3):
            running = 0.0
            for t in reversed(range(7)):
                running = 0.9 * running + rewards[b, t] * mask[b, t]
                expected[b, t] = running
        self.assertAllClose(_discrete_gan.discounted_returns(rewards, 0.9, mask), expected)
        self.assertAllClose(_discrete_gan.discounted_returns(rewards, 0.0), rewards)

    def test_reinforce_gradient_matches_the_explicit_formula(self):
        rng = np.random.default_rng(1)
        logits = tf.Variable(rng.normal(size=(2, 3, 5)).astype("float32"))
        tokens = np.array([[1, 4, 2], [0, 3, 3]], "int32")
        returns = rng.random((2, 3)).astype("float32")
        mask = np.array([[1, 1, 1], [1, 1, 0]], "float32")
        baseline = 0.4
        with tf.GradientTape() as tape:
            loss = _discrete_gan.policy_gradient_loss(logits, tokens, returns - baseline, mask)
        grad = tape.gradient(loss, logits).numpy()
        log_p = np.take_along_axis(_log_softmax(logits.numpy()), tokens[..., None], -1)[..., 0]
        advantage = (returns - baseline) * mask
        self.assertAllClose(loss, -np.sum(advantage * log_p) / mask.sum(), atol=1e-6)
        # d(-A log softmax(l)[y]) / dl = -A (onehot(y) - softmax(l)).
        probs = np.exp(_log_softmax(logits.numpy()))
        onehot = np.eye(5)[tokens]
        expected = -(advantage[..., None] * (onehot - probs)) / mask.sum()
        self.assertAllClose(grad, expected, atol=1e-6)


class SeqGANTest(tf.test.TestCase, parameterized.TestCase, ModelChecks):
    def test_samples_are_framed_seeded_and_scored_like_numpy(self):
        vocab = _vocab()
        gan = _gan(vocab)
        ids = gan.sample(16, seed=3).numpy()
        self.assertEqual(ids.dtype, np.int32)
        self.assertAllEqual(ids, gan.sample(16, seed=3))
        self.assertAllEqual(ids[:, 0], np.full(16, 2))
        for row in ids:
            eos = list(row).index(3)  # every row has exactly one <eos>, then padding
            self.assertTrue(np.all(row[eos + 1 :] == 0))
            self.assertTrue(np.all(row[1:eos] >= 4))
        logits = gan(ids).numpy()[:, :-1].astype("float64")
        logits[:, :, [0, 1, 2]] = -np.inf
        logits[:, -1, np.arange(len(vocab)) != 3] = -np.inf
        log_p = np.take_along_axis(_log_softmax(logits), ids[:, 1:, None], -1)[..., 0]
        expected = np.where(ids[:, 1:] != 0, log_p, 0.0).sum(1)
        self.assertAllClose(gan.log_likelihood(ids), expected, atol=1e-4)

    def test_consecutive_samples_use_fresh_noise(self):
        # With all generator weights zero the logits ignore the prefix, so each draw depends
        # only on its random seed. Reusing seeds across calls (call j step t = call j+1
        # step t-1) would make the second batch a shifted copy of the first.
        gan = _gan(_vocab())
        for variable in gan.generator_variables:
            variable.assign(np.zeros(variable.shape, variable.dtype))
        first, second = gan.sample(64).numpy(), gan.sample(64).numpy()
        words = lambda x: x[:, 1:-1]  # noqa: E731  (drawn positions; the last is forced <eos>)
        both_drawn = (words(first)[:, 1:] > 3) & (words(second)[:, :-1] > 3)
        matches = (words(first)[:, 1:] == words(second)[:, :-1])[both_drawn]
        # Independent uniform draws over the allowed words agree with probability ~ 1/words.
        self.assertLess(matches.mean(), 0.5)

    def test_rollouts_keep_the_prefix(self):
        gan = _gan(_vocab())
        fake = gan.sample(3, seed=0)
        q, completed = gan.rollout_rewards(fake, seed=tf.constant([5, 0], tf.int64))
        self.assertEqual(tuple(q.shape), (3, LENGTH - 1))
        completed = completed.numpy().reshape(LENGTH - 1, 2, 3, LENGTH)
        for t in range(1, LENGTH):
            for k in range(2):
                self.assertAllEqual(completed[t - 1, k, :, : t + 1], fake[:, : t + 1])
        # The full-length "prefix" is the sequence itself: Q_{T-1} = sigmoid D(y).
        d = tf.sigmoid(gan.discriminator.sequence_logits(fake))
        self.assertAllClose(q[:, -1], d)

    def test_pretraining_lowers_nll(self):
        vocab = _vocab()
        gan = _gan(vocab)
        ids = _ids(vocab, 4)
        before = float(gan.nll(ids))
        discriminator = [w.numpy() for w in gan.discriminator.weights]
        gan.pretrain(ids, epochs=15, batch_size=8)
        self.assertLess(float(gan.nll(ids)), 0.6 * before)
        for a, b in zip(discriminator, gan.discriminator.weights):
            self.assertAllEqual(a, b)

    @parameterized.parameters("reinforce", "step", "rollout")
    def test_adversarial_fit_logs_metrics(self, mode):
        vocab = _vocab()
        gan = _gan(vocab, credit_assignment=mode)
        history = gan.fit(_ids(vocab), batch_size=4, epochs=2, verbose=0).history
        for name in ("generator_nll", "discriminator_loss", "mean_reward"):
            self.assertLen(history[name], 2)
            self.assertTrue(np.all(np.isfinite(history[name])))
        self.assertTrue(np.all((np.array(history["mean_reward"]) > 0)
                               & (np.array(history["mean_reward"]) < 1)))  # fmt: skip
        self.assertNotEqual(float(gan.baseline.numpy()), 0.0)

    def test_keras_round_trip_and_export(self):
        vocab = _vocab()
        gan = _gan(vocab, credit_assignment="step", discount=0.8)
        gan.fit(_ids(vocab), batch_size=4, epochs=1, verbose=0)
        ids = _ids(vocab)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "gan.keras")
            gan.save(path)
            loaded = keras.saving.load_model(path)
            self.assertIsInstance(loaded, tfrnnx.models.SeqGAN)
            # The compile state comes back: both optimizers, with their settings.
            for name in ("optimizer", "discriminator_optimizer"):
                self.assertAllClose(float(getattr(loaded, name).learning_rate), 0.02)
            self.assertEqual(loaded.get_config(), gan.get_config())
            self.assertEqual(loaded.vocabulary.words, vocab.words)
            self.assertAllClose(loaded(ids), gan(ids), atol=1e-6)
            self.assertAllClose(loaded.discriminator(ids), gan.discriminator(ids), atol=1e-6)
            self.assertAllEqual(loaded.sample(4, seed=2), gan.sample(4, seed=2))
            export = os.path.join(tmp, "serving")
            gan.export_serving(export)
            reloaded = tf.saved_model.load(export)
            out = reloaded.serve(tf.constant(5))
            self.assertEqual(tuple(out["token_ids"].shape), (5, LENGTH))
            sentences = [s.decode() for s in out["sentences"].numpy()]
            self.assertEqual(sentences, [vocab.decode(r) for r in out["token_ids"].numpy()])

    def test_bad_arguments(self):
        vocab = _vocab()
        cases = [
            (dict(credit_assignment="mc"), "credit_assignment"),
            (dict(discount=1.5), "discount=1.5"),
            (dict(num_rollouts=0), "num_rollouts=0"),
            (dict(units=0), "units=0"),
            (dict(baseline_decay=1.0), "baseline_decay=1.0"),
            (dict(vocabulary=tfrnnx.tokenizers.WordVocabulary(["x"])), "vocabulary"),
        ]
        for overrides, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                _gan(vocab, **overrides)
        with self.assertRaisesRegex(ValueError, "sequence_length=2"):
            tfrnnx.models.SeqGAN(len(vocab), 2)
        gan = _gan(vocab)
        with self.assertRaisesRegex(ValueError, "ids must be"):
            gan.pretrain(np.zeros((2, LENGTH + 1), "int32"))
        with self.assertRaisesRegex(ValueError, "n=0"):
            gan.sample(0)

    def test_model_checks(self):
        # The serving endpoint samples (checked in test_keras_round_trip_and_export).
        vocab = _vocab()
        gan = _gan(vocab, credit_assignment="step")
        ids = _ids(vocab)
        gan(ids)
        self.run_model_checks(gan, ids)
