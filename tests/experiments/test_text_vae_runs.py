import tensorflow as tf

from tfrnnx.experiments.text_vae_runs import units_matching


class UnitsMatchingTest(tf.test.TestCase):
    def test_closest_count_as_a_brute_force_search(self):
        # An LSTM's parameter count: quadratic in the units.
        def lstm_like(units):
            return 4 * units * (units + 50) + 7 * units

        for target in (1, 500, 123_456, 431_000, 4_000_000):
            expected = min(range(1, 1025), key=lambda u: (abs(lstm_like(u) - target), u))
            self.assertEqual(abs(lstm_like(units_matching(lstm_like, target, 1024)) - target),
                             abs(lstm_like(expected) - target), msg=f"target {target}")

    def test_capped_at_max_units(self):
        self.assertEqual(units_matching(lambda units: units, 10_000, 64), 64)
