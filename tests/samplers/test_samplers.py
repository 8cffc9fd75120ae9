"""The one sampling loop, driven by fake next-token functions (as keras-hub tests its samplers)."""

import keras
import numpy as np
import tensorflow as tf

import tfrnnx
from tfrnnx.samplers import GreedySampler
from tfrnnx.samplers import RandomSampler

VOCAB = 8  # ids 0..3 special, 4..7 words
EOS = 3


def scripted(table, calls=None):
    """A next-token function whose logits at position t are row t of `table`."""
    table = tf.constant(np.asarray(table, "float32"))

    def next_logits(ids, t, state):
        if calls is not None:
            calls.append(1)
        return tf.tile(table[t][None], [tf.shape(ids)[0], 1]), state

    return next_logits


def one_hot_rows(tokens, scale=1e9):
    """Logits that put (huge) mass on tokens[t] at position t."""
    table = np.full((len(tokens), VOCAB), -scale, "float32")
    table[np.arange(len(tokens)), tokens] = scale
    return table


class SamplerLoopTest(tf.test.TestCase):
    def test_greedy_follows_the_logits_pads_after_the_end_and_stops(self):
        calls = []
        fake = scripted(one_hot_rows([0, 5, 6, EOS, 7, 7, 7, 7]), calls)
        ids = GreedySampler()(fake, tf.fill([2, 8], 2), start=1, end_id=EOS)
        self.assertAllEqual(ids, [[2, 5, 6, EOS, 0, 0, 0, 0]] * 2)
        self.assertLen(calls, 3)  # positions 1, 2, 3; the loop stops once every row ended

    def test_banned_ids_and_forced_end_win_over_any_logit(self):
        table = np.zeros((6, VOCAB), "float32")  # words 0, <eos> -50, and one special at 1e9
        table[:, EOS] = -50.0
        table[np.arange(6), [0, 1, 0, 2, 5, 5]] = 1e9  # asks for <pad>, <unk>, <pad>, <bos>
        for sampler in (GreedySampler(), RandomSampler(seed=0)):
            ids = sampler(scripted(table), tf.fill([3, 6], 2), banned_ids=[0, 1, 2], end_id=EOS,
                          force_end=True).numpy()  # fmt: skip
            self.assertTrue(np.all(ids[:, 1:5] >= 4), ids)
            self.assertAllEqual(ids[:, 5], [EOS] * 3)  # the last position may only end

    def test_prefix_is_kept_and_the_state_threads_through_the_loop(self):
        def alternating(ids, t, count):  # the state counts the calls: words 4, 5, 4, ...
            logits = tf.one_hot(tf.fill([tf.shape(ids)[0]], 4 + count % 2), VOCAB) * 50.0
            return logits, count + 1

        prefix = tf.constant([[2, 7, 7, 7, 9 % VOCAB], [2, 6, 0, 0, 0]])
        ids = GreedySampler()(alternating, prefix, start=1, state=tf.constant(0),
                              prefix_lengths=tf.constant([4, 2]))  # fmt: skip
        # Row 0 keeps 4 tokens, row 1 keeps 2; the call count includes the kept positions.
        self.assertAllEqual(ids, [[2, 7, 7, 7, 5], [2, 6, 5, 4, 5]])

    def test_random_matches_the_tempered_softmax(self):
        # Reference: numpy softmax of logits / temperature over two ids.
        logits = np.log([[1.0, 3.0]]).astype("float32")
        fake = lambda ids, t, state: (tf.tile(logits, [tf.shape(ids)[0], 1]), state)  # noqa: E731
        for temperature in (1.0, 2.0, 0.5):
            expected = np.exp(logits[0] / temperature)
            expected = expected[1] / expected.sum()
            ids = RandomSampler(temperature)(fake, tf.zeros([8000, 1], tf.int32), start=0,
                                             seed=tf.constant([7, 0]))  # fmt: skip
            self.assertAllClose(np.mean(ids.numpy() == 1), expected, atol=0.02)

    def test_seeds_reproduce_in_eager_and_graph_code(self):
        fake = lambda ids, t, state: (tf.zeros([tf.shape(ids)[0], VOCAB]), state)  # noqa: E731
        buffer = tf.fill([16, 10], 2)
        sampler = RandomSampler()
        seed = tf.constant([3, 1], tf.int64)
        eager = sampler(fake, buffer, banned_ids=[0, 1, 2], seed=seed)
        graph = tf.function(lambda s: sampler(fake, buffer, banned_ids=[0, 1, 2], seed=s))(seed)
        self.assertAllEqual(eager, graph)
        other = sampler(fake, buffer, banned_ids=[0, 1, 2], seed=tf.constant([4, 1]))
        self.assertNotAllEqual(eager, other)
        # Without a seed: the sampler's own seed generator, so calls differ and restart alike.
        first, again = RandomSampler(seed=5), RandomSampler(seed=5)
        draws = [first(fake, buffer, banned_ids=[0, 1, 2]) for _ in range(2)]
        self.assertNotAllEqual(draws[0], draws[1])
        self.assertAllEqual(draws[0], again(fake, buffer, banned_ids=[0, 1, 2]))

    def test_config_round_trip(self):
        sampler = RandomSampler(temperature=0.7, seed=3)
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(sampler))
        self.assertIsInstance(restored, RandomSampler)
        self.assertEqual((restored.temperature, restored.seed), (0.7, 3))
        self.assertIsInstance(keras.saving.deserialize_keras_object(
            keras.saving.serialize_keras_object(GreedySampler())), GreedySampler)  # fmt: skip
        self.assertIs(tfrnnx.samplers.GreedySampler, GreedySampler)

    def test_bad_arguments(self):
        fake = scripted(one_hot_rows([4] * 4))
        with self.assertRaisesRegex(ValueError, "temperature must be a number > 0. Received: temperature=0"):
            RandomSampler(temperature=0)
        with self.assertRaisesRegex(ValueError, "force_end needs an end_id"):
            GreedySampler()(fake, tf.zeros([1, 4], tf.int32), force_end=True)
        with self.assertRaisesRegex(ValueError, "banned_ids must leave at least one id"):
            GreedySampler()(fake, tf.zeros([1, 4], tf.int32), banned_ids=range(VOCAB))
        with self.assertRaisesRegex(ValueError, "start must be a non-negative integer. Received: start=-1"):
            GreedySampler()(fake, tf.zeros([1, 4], tf.int32), start=-1)
        dynamic = tf.function(lambda ids: GreedySampler()(fake, ids),
                              input_signature=[tf.TensorSpec([1, None], tf.int32)])  # fmt: skip
        with self.assertRaisesRegex(ValueError, "ids must have a static length"):
            dynamic.get_concrete_function()


if __name__ == "__main__":
    tf.test.main()
