import os
import tempfile

import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

import tfrnnx
from testing import ModelChecks, two_cpu_mirrored_strategy

SENTENCES = ["a cat sat", "a dog ran", "the cat ran", "the dog sat"]
LENGTH, BATCH = 4, 4


def _vocabulary():
    return tfrnnx.tokenizers.WordVocabulary.build(SENTENCES)


def _gan(**overrides):
    vocab = _vocabulary()
    arguments = dict(
        vocab_size=len(vocab), sequence_length=LENGTH, latent_dim=3, units=6,
        generator_filters=6, generator_layers=1, critic_filters=5, critic_layers=1,
        kernel_size=3, critic_steps=2, vocabulary=vocab, seed=1,
    )
    arguments.update(overrides)
    return tfrnnx.models.WGANGPText(**arguments)


def _real_ids():
    """Sentences + <eos> padded with <pad> to LENGTH, as given to fit."""
    vocab = _vocabulary()
    return vocab.pad([ids + [vocab.eos_id] for ids in vocab.encode(SENTENCES)], LENGTH)


def _numpy_critic(x, weights, kernel_size):
    """Critic of one (length, vocab) input in float64: projection, residual convs, dense."""
    w0, b0, *rest = weights
    convs, (wd, bd) = rest[:-2], rest[-2:]
    h = x @ w0[0] + b0
    pad = (kernel_size - 1) // 2
    for k, b in zip(convs[::2], convs[1::2]):
        r = np.pad(np.maximum(h, 0), ((pad, kernel_size - 1 - pad), (0, 0)))
        h = h + sum(r[j : j + len(h)] @ k[j] for j in range(kernel_size)) + b
    return float(h.reshape(-1) @ wd[:, 0] + bd[0])


def _numpy_gradient_penalty(gan, real, fake, alpha):
    """Penalty with the input gradient from central finite differences of `_numpy_critic`."""
    weights = [np.asarray(w, "float64") for w in gan.critic_projection.get_weights()]
    for conv in gan.critic_convs:
        weights += [np.asarray(w, "float64") for w in conv.get_weights()]
    weights += [np.asarray(w, "float64") for w in gan.critic_output.get_weights()]
    one_hot = np.eye(gan.vocab_size)[real]
    penalties = []
    for i in range(len(real)):
        x = alpha[i] * one_hot[i] + (1 - alpha[i]) * fake[i].astype("float64")
        grad = np.zeros_like(x)
        for index in np.ndindex(*x.shape):
            step = np.zeros_like(x)
            step[index] = 1e-5
            grad[index] = (
                _numpy_critic(x + step, weights, gan.kernel_size)
                - _numpy_critic(x - step, weights, gan.kernel_size)
            ) / 2e-5
        penalties.append((np.sqrt(np.sum(grad**2) + 1e-10) - 1.0) ** 2)
    return np.mean(penalties), penalties


class WGANGPTextTest(tf.test.TestCase, parameterized.TestCase, ModelChecks):
    def test_gradient_penalty_matches_finite_difference_reference(self):
        gan = _gan()
        rng = np.random.default_rng(0)
        for layer in [gan.critic_projection, *gan.critic_convs, gan.critic_output]:
            layer.set_weights([rng.normal(size=w.shape) * 0.5 for w in layer.get_weights()])
        real = _real_ids()
        fake = gan(rng.normal(size=(BATCH, 3)).astype("float32")).numpy()
        alpha = np.array([0.0, 0.3, 0.8, 1.0], "float32")
        expected, per_example = _numpy_gradient_penalty(gan, real, fake, alpha)
        self.assertAllClose(gan.gradient_penalty(real, fake, alpha), expected, rtol=1e-4)
        # The critic on ids (row gather) equals the critic on one-hot rows.
        one_hot = np.eye(gan.vocab_size, dtype="float32")[real]
        self.assertAllClose(gan.critic_scores(real), gan.critic_scores(one_hot), atol=1e-5)
        # Alpha acts per example: each row's penalty is the one at its own interpolate.
        for i in range(BATCH):
            single = gan.gradient_penalty(real[i : i + 1], fake[i : i + 1], alpha[i : i + 1])
            self.assertAllClose(single, per_example[i], rtol=1e-4)

    def test_gradient_penalty_epsilon_keeps_gradients_finite_at_zero_gradient(self):
        gan = _gan()
        gan.critic_output.set_weights([np.zeros_like(w) for w in gan.critic_output.get_weights()])
        real, fake = _real_ids(), gan(np.zeros((BATCH, 3), "float32"))
        with tf.GradientTape() as tape:
            penalty = gan.gradient_penalty(real, fake, np.full(BATCH, 0.5, "float32"))
        # Without the epsilon d sqrt(s)/ds at s = 0 is inf and the gradient NaN.
        gradient = tape.gradient(penalty, gan.critic_output.kernel)
        self.assertAllClose(penalty, (np.sqrt(1e-10) - 1) ** 2)
        self.assertTrue(np.all(np.isfinite(gradient.numpy())))

    def test_interpolation_weights_are_per_example_uniform(self):
        gan = _gan()
        alpha = gan.interpolation_weights(20000).numpy()
        self.assertEqual(alpha.shape, (20000,))
        self.assertTrue(np.all((alpha >= 0) & (alpha <= 1)))
        self.assertGreater(len(np.unique(alpha)), 19000)
        # Moments and deciles of U(0, 1).
        self.assertAllClose(alpha.mean(), 0.5, atol=0.01)
        self.assertAllClose(alpha.var(), 1 / 12, atol=0.005)
        self.assertAllClose(np.quantile(alpha, np.linspace(0.1, 0.9, 9)),
                            np.linspace(0.1, 0.9, 9), atol=0.02)  # fmt: skip

    @parameterized.parameters("conv", "lstm")
    def test_generators_output_distributions(self, generator):
        gan = _gan(generator=generator)
        probs = gan(np.random.default_rng(0).normal(size=(3, 3)).astype("float32")).numpy()
        self.assertEqual(probs.shape, (3, LENGTH, gan.vocab_size))
        self.assertTrue(np.all(probs >= 0))
        self.assertAllClose(probs.sum(-1), np.ones((3, LENGTH)), atol=1e-6)
        self.assertEqual(probs.dtype, np.float32)

    def test_lstm_generator_feeds_its_softmax_back(self):
        gan = _gan(generator="lstm")
        z = np.random.default_rng(2).normal(size=(2, 3))
        probs = gan(z.astype("float32")).numpy()
        w_state, b_state = gan.initial_state.get_weights()
        kernel, recurrent, bias = gan.cell.get_weights()
        w_out, b_out = gan.generator_logits.get_weights()
        sigmoid = lambda a: 1 / (1 + np.exp(-a))
        h, c = np.split(z @ w_state + b_state, 2, axis=-1)
        h = np.tanh(h)
        x = np.zeros((2, gan.vocab_size))
        for t in range(LENGTH):
            i, f, g, o = np.split(x @ kernel + h @ recurrent + bias, 4, axis=-1)
            c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
            logits = h @ w_out + b_out
            x = np.exp(logits - logits.max(-1, keepdims=True))
            x /= x.sum(-1, keepdims=True)
            self.assertAllClose(probs[:, t], x, atol=1e-5)
        # The feedback path matters: zeroing the input kernel changes steps 1.. but not 0.
        gan.cell.set_weights([np.zeros_like(kernel), recurrent, bias])
        changed = gan(z.astype("float32")).numpy()
        self.assertAllClose(changed[:, 0], probs[:, 0], atol=1e-6)
        self.assertGreater(np.abs(changed[:, 1:] - probs[:, 1:]).max(), 1e-4)

    def test_critic_steps_per_generator_step_and_metrics(self):
        gan = _gan(critic_steps=3)
        gan.compile(generator_optimizer=keras.optimizers.Adam(1e-2),
                    critic_optimizer=keras.optimizers.Adam(1e-2))  # fmt: skip
        generator_before = [w.numpy() for w in gan.generator_variables]
        history = gan.fit(np.tile(_real_ids(), (2, 1)), batch_size=BATCH, epochs=3,
                          verbose=0).history  # fmt: skip
        self.assertEqual(int(gan.optimizer.iterations.numpy()), 6)
        self.assertEqual(int(gan.critic_optimizer.iterations.numpy()), 18)
        self.assertEqual(
            sorted(history), ["critic_loss", "generator_loss", "gradient_penalty", "wasserstein"]
        )
        for values in history.values():
            self.assertTrue(np.all(np.isfinite(values)))
        # The critic learns to separate real from fake: its loss goes down.
        self.assertLess(history["critic_loss"][-1], history["critic_loss"][0])
        after = [w.numpy() for w in gan.generator_variables]
        self.assertTrue(any(not np.array_equal(a, b) for a, b in zip(generator_before, after)))

    def test_fresh_critic_batches_give_each_critic_update_its_own_slice(self):
        # Gulrajani et al.: each critic iteration draws its own real batch. With 3 critic steps
        # a batch of 7 rows is cut into rows 0-1, 2-3, 4-5 (row 6 dropped); the generator
        # update uses 2 fresh z.
        ids = np.tile(_real_ids(), (2, 1))[:7]
        for fresh, expected in ((True, [ids[0:2], ids[2:4], ids[4:6]]), (False, [ids] * 3)):
            gan = _gan(critic_steps=3, fresh_critic_batches=fresh)
            seen, generator_batches = [], []
            critic_update, generator_update = gan.critic_update, gan.generator_update
            gan.critic_update = lambda real: seen.append(np.asarray(real)) or critic_update(real)
            gan.generator_update = lambda n: generator_batches.append(int(n)) or generator_update(n)
            gan.compile(run_eagerly=True)
            gan.fit(ids, batch_size=7, epochs=1, shuffle=False, verbose=0)
            self.assertLen(seen, 3)
            for got, want in zip(seen, expected):
                self.assertAllEqual(got, want)
            self.assertEqual(generator_batches, [len(expected[0])])
        gan = _gan(critic_steps=3, fresh_critic_batches=True)
        gan.compile()
        with self.assertRaisesRegex(ValueError, r"critic_steps=3 slices.*Received: a batch of 2"):
            gan.train_step(tf.constant(ids[:2]))
        with self.assertRaisesRegex(ValueError, "fresh_critic_batches must be True or False.*'yes'"):
            _gan(fresh_critic_batches="yes")

    def test_sampling_is_seeded(self):
        gan = _gan()
        ids = gan.sample(5, seed=3).numpy()
        self.assertEqual(ids.dtype, np.int32)
        self.assertEqual(ids.shape, (5, LENGTH))
        self.assertAllEqual(gan.sample(5, seed=3), ids)
        self.assertAllEqual(_gan().sample(5, seed=3), ids)  # same model seed, same weights
        strings = gan.sample_strings(5, seed=3)
        self.assertEqual(strings, [gan.vocabulary.decode(row[: _sentence_end(row)]) for row in ids])
        # A sentence ends at its first <eos> (3) or <pad> (0), after at most LENGTH - 1 tokens.
        gan.sample = lambda n, seed=None: tf.constant(
            [[5, 3, 6, 7], [6, 0, 7, 3], [5, 6, 7, 8]], tf.int32
        )
        vocab = gan.vocabulary
        self.assertEqual(
            gan.sample_strings(3),
            [vocab.decode([5]), vocab.decode([6]), vocab.decode([5, 6, 7])],
        )
        with self.assertRaisesRegex(ValueError, "vocabulary=None"):
            _gan(vocabulary=None, vocab_size=9).sample_strings(2)

    @parameterized.parameters("conv", "lstm")
    def test_config_keras_and_export_round_trips(self, generator):
        gan = _gan(generator=generator, gp_weight=5.0, fresh_critic_batches=True)
        z = np.random.default_rng(0).normal(size=(3, 3)).astype("float32")
        expected = gan(z)
        clone = tfrnnx.models.WGANGPText.from_config(gan.get_config())
        self.assertEqual(clone.get_config(), gan.get_config())
        self.assertEqual(clone.vocabulary.words, gan.vocabulary.words)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "gan.keras")
            gan.save(path)
            reloaded = keras.saving.load_model(path)
            self.assertAllClose(reloaded(z), expected, atol=1e-6)
            self.assertAllEqual(reloaded.sample(4, seed=2), gan.sample(4, seed=2))
            self.assertEqual(reloaded.get_config(), gan.get_config())
            export_dir = os.path.join(tmp, "export")
            gan.export_serving(export_dir)
            served = tf.saved_model.load(export_dir)
            out = served.signatures["serving_default"](num_samples=tf.constant(3))
            ids = out["token_ids"].numpy()
            self.assertEqual(ids.shape, (3, LENGTH))
            self.assertEqual(out["sentences"].dtype, tf.string)
            sentences = [s.decode() for s in out["sentences"].numpy()]
            vocab = gan.vocabulary
            self.assertEqual(sentences, [vocab.decode(row[: _sentence_end(row)]) for row in ids])

    def test_mixed_precision_and_mirrored_strategy(self):
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy("mixed_float16")
        try:
            gan = _gan(generator="lstm")
            probs = gan(np.zeros((2, 3), "float32"))
            self.assertEqual(probs.dtype, tf.float32)
            self.assertAllClose(tf.reduce_sum(probs, -1), np.ones((2, LENGTH)), atol=1e-5)
            gan.compile()
            history = gan.fit(_real_ids(), batch_size=BATCH, epochs=1, verbose=0).history
            self.assertTrue(all(np.isfinite(v[0]) for v in history.values()))
        finally:
            keras.config.set_dtype_policy(previous)
        strategy = two_cpu_mirrored_strategy()
        with strategy.scope():
            gan = _gan()
            gan.compile()
        history = gan.fit(np.tile(_real_ids(), (2, 1)), batch_size=8, epochs=2, verbose=0).history
        for values in history.values():
            self.assertTrue(np.all(np.isfinite(values)))
        self.assertEqual(int(gan.optimizer.iterations.numpy()), 2)
        self.assertEqual(int(gan.critic_optimizer.iterations.numpy()), 4)

    def test_bad_arguments_raise(self):
        cases = [
            (dict(generator="gru"), "generator must be one of .* Received: generator='gru'"),
            (dict(latent_dim=0), "latent_dim=0"),
            (dict(units=-2), "units=-2"),
            (dict(sequence_length=1.5), "sequence_length=1.5"),
            (dict(critic_filters=0), "critic_filters=0"),
            (dict(gp_weight=-1.0), "gp_weight=-1.0"),
            (dict(critic_steps=0), "critic_steps=0"),
            (dict(vocab_size=5), "vocab_size=5"),
            (dict(vocab_size=1, vocabulary=None), r"vocab_size must be an integer >= 5. Received: vocab_size=1"),
            (dict(seed=2.5), "seed=2.5"),
            (dict(vocabulary=object()), "vocabulary"),
        ]
        for arguments, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                _gan(**arguments)
        gan = _gan()
        gan.compile()
        with self.assertRaisesRegex(ValueError, r"sequence_length=4\). Received: x.shape"):
            gan.fit(np.zeros((4, LENGTH + 1), "int32"), verbose=0)
        gan = _gan()
        gan.compile()
        with self.assertRaisesRegex(tf.errors.InvalidArgumentError,
                                    rf"x must hold ids in \[0, vocab_size={gan.vocab_size}\)"):
            gan.fit(np.full((4, LENGTH), gan.vocab_size, "int32"), verbose=0)

    @parameterized.parameters("conv", "lstm")
    def test_model_checks(self, generator):
        # The serving endpoint samples (checked in test_config_keras_and_export_round_trips).
        gan = _gan(generator=generator)
        z = np.random.default_rng(0).normal(size=(3, 3)).astype("float32")
        gan(z)
        self.run_model_checks(gan, z)


def _sentence_end(row):
    """Index where a sampled sentence ends: its first <eos> (3) or <pad> (0), at most len - 1."""
    stops = np.flatnonzero((row == 3) | (row == 0))
    return min(stops[0], len(row) - 1) if len(stops) else len(row) - 1


if __name__ == "__main__":
    tf.test.main()
