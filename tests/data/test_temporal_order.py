import numpy as np
import tensorflow as tf

from tfrnnx.data.temporal_order import CLASSES, SYMBOLS, temporal_order


class TemporalOrderTest(tf.test.TestCase):
    def test_label_is_the_order_of_the_two_relevant_symbols(self):
        ids, labels = temporal_order(500, 30, seed=0, one_hot=False)
        self.assertEqual(ids.shape, (500, 30))
        for row, label in zip(ids, labels):
            symbols = [SYMBOLS[i] for i in row]
            self.assertEqual(symbols[0], "B")
            self.assertEqual(symbols[-1], "E")
            relevant = [(t, s) for t, s in enumerate(symbols) if s in "XY"]
            self.assertLen(relevant, 2)
            (t1, s1), (t2, s2) = relevant
            self.assertBetween(t1, 3, 6)  # 10-20% of 30
            self.assertBetween(t2, 15, 18)  # 50-60% of 30
            self.assertEqual(CLASSES[label], s1 + s2)
        self.assertEqual(set(labels.tolist()), {0, 1, 2, 3})

    def test_one_hot_and_seeding(self):
        x, y = temporal_order(20, 15, seed=4)
        ids, y2 = temporal_order(20, 15, seed=4, one_hot=False)
        self.assertAllEqual(x.argmax(-1), ids)
        self.assertAllEqual(x.sum(-1), np.ones((20, 15)))
        self.assertAllEqual(y, y2)
        self.assertNotAllEqual(temporal_order(20, 15, seed=5, one_hot=False)[0], ids)

    def test_bad_arguments(self):
        with self.assertRaisesRegex(ValueError, "Received: length=5"):
            temporal_order(3, 5)
        with self.assertRaisesRegex(ValueError, "Received: num_sequences=0"):
            temporal_order(0, 15)
