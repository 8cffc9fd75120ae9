import keras
import numpy as np
import tensorflow as tf
from absl.testing import parameterized

from tfrnnx import _validation as v


class ChecksTest(tf.test.TestCase, parameterized.TestCase):
    def test_integers_accept_python_and_numpy_ints_and_return_plain_ints(self):
        for value in (3, np.int64(3), np.int32(3)):
            checked = v.check_integer("n", value)
            self.assertEqual(checked, 3)
            self.assertIs(type(checked), int)
        self.assertEqual(v.check_integer("k", 2, 1, 2), 2)
        self.assertEqual(v.check_integer("steps", 0, minimum=0), 0)

    @parameterized.parameters(
        (True, 1, None, "n must be a positive integer. Received: n=True"),
        (0, 1, None, "n must be a positive integer. Received: n=0"),
        (1.0, 1, None, "n must be a positive integer. Received: n=1.0"),
        ("2", 1, None, "n must be a positive integer. Received: n='2'"),
        (-1, 0, None, "n must be a non-negative integer. Received: n=-1"),
        (4, 5, None, "n must be an integer >= 5. Received: n=4"),
        (4, 1, 3, r"n must be an integer in \[1, 3\]. Received: n=4"),
    )
    def test_integer_messages(self, value, minimum, maximum, message):
        with self.assertRaisesRegex(ValueError, "^" + message + "$"):
            v.check_integer("n", value, minimum, maximum)

    def test_numbers_and_rates(self):
        self.assertEqual(v.check_number("w", 2), 2.0)
        self.assertEqual(v.check_rate("p", 0), 0.0)
        self.assertEqual(v.check_rate("p", 1, include_one=True), 1.0)
        cases = [
            (lambda: v.check_rate("p", 1), r"p must be a number in \[0, 1\). Received: p=1"),
            (lambda: v.check_rate("p", -0.1), r"p must be a number in \[0, 1\). Received: p=-0.1"),
            (lambda: v.check_rate("p", float("nan")), r"Received: p=nan"),
            (lambda: v.check_rate("p", True), r"Received: p=True"),
            (lambda: v.check_rate("p", 1.5, include_one=True), r"\[0, 1\]. Received: p=1.5"),
            (lambda: v.check_number("t", 0, low=0, include_low=False), "t must be a number > 0"),
            (lambda: v.check_number("w", -1, low=0), "w must be a number >= 0. Received: w=-1"),
            (lambda: v.check_number("c", 0, 0, 1, include_low=False), r"c must be a number in \(0, 1\]"),
            (lambda: v.check_number("x", float("inf")), "x must be a finite number"),
        ]
        for call, message in cases:
            with self.assertRaisesRegex(ValueError, message):
                call()

    def test_seed_bool_and_choice(self):
        self.assertIsNone(v.check_seed("seed", None))
        self.assertEqual(v.check_seed("seed", np.int64(-3)), -3)
        for bad in (1.5, "1", True):
            with self.assertRaisesRegex(ValueError, f"seed must be None or an integer. Received: seed={bad!r}"):
                v.check_seed("seed", bad)
        self.assertTrue(v.check_bool("flag", True))
        with self.assertRaisesRegex(ValueError, "flag must be True or False. Received: flag=1"):
            v.check_bool("flag", 1)
        self.assertEqual(v.check_choice("mode", "a", ("a", "b")), "a")
        with self.assertRaisesRegex(ValueError, "mode must be one of 'a', 'b'. Received: mode='c'"):
            v.check_choice("mode", "c", ("a", "b"))
        with self.assertRaisesRegex(ValueError, r"Received: mode=\['a'\]"):
            v.check_choice("mode", ["a"], ("a", "b"))

    def test_derived_seed(self):
        self.assertIsNone(v.derived_seed(None, 3))
        self.assertEqual(v.derived_seed(10, 3), 13)

    def test_token_batch_in_a_graph(self):
        @tf.function(input_signature=[tf.TensorSpec((None, None), tf.int64)])
        def step(ids):
            return v.check_token_batch("x", ids, vocab_size=5, sequence_length=3)

        self.assertAllEqual(step(tf.constant([[0, 4, 2]], tf.int64)), [[0, 4, 2]])
        self.assertEqual(step(tf.constant([[0, 4, 2]], tf.int64)).dtype, tf.int32)
        for ids, message in (([[0, 5, 1]], r"x must hold ids in \[0, vocab_size=5\)"),
                             ([[-1, 0, 1]], r"x must hold ids in \[0, vocab_size=5\)"),
                             ([[0, 1]], r"x must have shape \(batch, sequence_length=3\)")):
            with self.assertRaisesRegex(tf.errors.InvalidArgumentError, message):
                step(tf.constant(ids, tf.int64))
        with self.assertRaisesRegex(ValueError, r"sequence_length=3\). Received: x.shape=\(2, 4\)"):
            v.check_token_batch("x", tf.zeros((2, 4), tf.int32), 5, 3)

    def test_token_array_eagerly(self):
        ids = v.check_token_array("ids", np.array([[0, 4, 2]], "int64"), 5, 3)
        self.assertEqual((ids.dtype, ids.tolist()), (np.int32, [[0, 4, 2]]))
        for bad, message in (
            (np.zeros((0, 3), "int32"), r"ids must be non-empty .* Received: ids with shape \(0, 3\)"),
            (np.zeros((1, 3), "float32"), r"ids must hold integer token ids .* of dtype float32"),
            (np.zeros((1, 4), "int32"), r"sequence_length=3\). Received: ids with shape \(1, 4\)"),
            (np.array([[0, 7, 1]]), r"ids must hold ids in \[0, vocab_size=5\). .* containing id 7"),
            (np.array([[0, -2, 1]]), r"containing id -2"),
        ):
            with self.assertRaisesRegex(ValueError, message):
                v.check_token_array("ids", bad, 5, 3)
        symbolic = keras.Input((3,), dtype="int32")
        self.assertIs(v.check_token_array("ids", symbolic, 5, 3), symbolic)


if __name__ == "__main__":
    tf.test.main()
